/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside runtime/: the pieces the container setup is made of. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/oci.h"

struct berth_error;

/* ---- identity.c: user, groups and capabilities of the container process ---- */
/*
 * Become the process's user with its capabilities, in this order: drop the
 * bounding set to caps->bounding, keep caps across the uid change, setgroups
 * (user.additionalGids; skipped when setgroups is denied in a user namespace),
 * setresgid/setresuid, capset effective/permitted/inheritable, raise ambient.
 * umask when user.has_umask (else 0022). caps NULL: keep none of the caps.
 */
int rt_identity_apply(const struct oci_user *user, const struct oci_capabilities *caps, bool setgroups_allowed,
		      struct berth_error **err);

/* ---- rlimit.c ---- */
/*
 * setrlimit for each entry. A hard limit above what the process may raise
 * (EPERM without CAP_SYS_RESOURCE) is clamped to the current hard limit (and
 * the soft one to it) with a warning "… clamped to …, ignoring", never an error.
 */
int rt_rlimits_apply(const struct oci_rlimit *r, size_t n, struct berth_error **err);

/* ---- devices.c: /dev inside the rootfs, before pivot_root ---- */
/*
 * In rootfd (the rootfs, already with its /dev mount if any): create the
 * default devices (null zero full random urandom tty) and linux.devices with
 * mknod, or by bind-mounting the host's node where mknod is not allowed
 * (user namespace, or bind_devices); the /dev/fd, stdin, stdout, stderr,
 * ptmx (-> pts/ptmx) and core (-> /proc/kcore, only if /proc/kcore exists)
 * symlinks. Paths are resolved inside rootfd. Does nothing to /dev
 * when the rootfs has no /dev mount and create_defaults is false.
 */
int rt_devices_setup(int rootfd, const struct oci_device *devs, size_t n, bool create_defaults, bool bind_devices,
		     struct berth_error **err);

/* ---- paths.c: after pivot_root ---- */
/* maskedPaths: bind /dev/null over files, a read-only empty tmpfs over directories; missing is fine. */
int rt_paths_mask(char *const *paths, struct berth_error **err);
/* readonlyPaths: bind each onto itself and remount read-only (keeping nosuid/nodev/noexec); missing is fine. */
int rt_paths_readonly(char *const *paths, struct berth_error **err);

/* ---- sysctl.c: after pivot_root and /proc mounted ---- */
int rt_sysctl_apply(const struct oci_kv *s, size_t n, struct berth_error **err);

/* ---- hooks.c ---- */
/*
 * Run the hooks of one kind in order, each with state_json on stdin, its args,
 * env and timeout. The first failure is an error naming the hook kind, index
 * and path ("prestart hook #0 '/bin/x': exited with status 1").
 */
int rt_hooks_run(const struct oci_hooks *h, enum oci_hook_kind kind, const char *state_json, struct berth_error **err);

/* ---- terminal.c ---- */
/*
 * Open a new pty pair through the container's /dev/ptmx (call after
 * pivot_root, with /dev/pts mounted): *ret_master, *ret_slave, both O_CLOEXEC.
 * Sets the window size when given (0 = leave).
 */
int rt_terminal_open(unsigned rows, unsigned cols, int *ret_master, int *ret_slave, struct berth_error **err);
/* Make slave the controlling terminal and stdin/stdout/stderr of this process (after setsid). */
int rt_terminal_make_controlling(int slave, struct berth_error **err);
/* Send the master fd over the unix socket at path (runc's --console-socket protocol). */
int rt_console_socket_send(const char *path, int master, struct berth_error **err);
/*
 * Foreground proxy: copy our stdin to master and master to our stdout until
 * master hangs up or the pidfd becomes readable; puts our stdin terminal (if
 * any) in raw mode and restores it, passes SIGWINCH sizes on.
 */
int rt_terminal_proxy(int master, int pidfd, struct berth_error **err);

/* ---- seccomp.c: linux.seccomp as a BPF program built early, loaded last ---- */
struct rt_seccomp {
	void *insns;	    /* struct sock_filter[len], or NULL */
	unsigned short len; /* instructions */
	unsigned flags;	    /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;	    /* SCMP_ACT_NOTIFY used: loading returns a listener fd */
};
/*
 * Compile sc with libseccomp into a BPF program that ret then owns (free with
 * rt_seccomp_done): default action (ERRNO and TRACE return EPERM unless
 * errnoRet says otherwise), architectures, rules with their argument
 * comparisons (unknown syscall names skipped with a debug line), flags
 * (unknown ones skipped with a warning). Allocates: call it before READY.
 * With SCMP_ACT_NOTIFY, ret->notify is set and loading adds
 * SECCOMP_FILTER_FLAG_NEW_LISTENER (rt_seccomp_load returns the listener).
 */
int rt_seccomp_build(const struct oci_seccomp *sc, struct rt_seccomp *ret, struct berth_error **err);
/*
 * Install the program on this process with one seccomp(2) call; allocates
 * nothing (but err on failure). Needs no_new_privs or CAP_SYS_ADMIN.
 */
/*
 * rt_seccomp_build through a cache of compiled programs in
 * <state_root>/.seccomp/: an entry holds the profile's JSON text, the
 * libseccomp version and the native architecture it was built for, and is
 * used only when all three match exactly. A hit is one file read instead of
 * libseccomp's 5-20 ms for a Docker-sized profile. json or state_root NULL:
 * no cache. A cache that cannot be written is not an error.
 */
int rt_seccomp_build_cached(const struct oci_seccomp *sc, const char *json, const char *state_root,
			    struct rt_seccomp *ret, struct berth_error **err);
int rt_seccomp_load(const struct rt_seccomp *p, int *ret_listener, struct berth_error **err);
/*
 * Send the listener fd of a SCMP_ACT_NOTIFY filter to the seccomp agent at
 * sc->listener_path, as runc does: one message with runc's
 * ContainerProcessState JSON ({"ociVersion", "fds": ["seccompFd"], "pid",
 * "metadata", "state"}) and the fd attached.
 */
int rt_seccomp_send_listener(const struct oci_seccomp *sc, int fd, pid_t pid, const char *state_json,
			     struct berth_error **err);
void rt_seccomp_done(struct rt_seccomp *p);
