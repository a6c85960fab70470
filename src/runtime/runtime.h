/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facade of runtime/: runs OCI bundles (runc's contract). Every call takes the
 * global options (state root, cgroup driver) and a container id; state lives
 * in <root>/<id>/ with a per-container lock, so concurrent calls are safe.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct berth_error;

struct rt_global {
	const char *root; /* state root; NULL: /run/berth-runtime (or $XDG_RUNTIME_DIR/berth-runtime rootless) */
	bool debug;
	bool systemd_cgroup; /* accepted; cgroupfs is used where systemd is not PID 1 */
};

struct rt_create_opts {
	const char *bundle;	    /* NULL: current directory */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* unix socket path to receive the pty master, or NULL */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds; /* pass fds 3 .. 3+N-1 to the container process */
	bool detach;	  /* run only: return after start */
	bool keep;	  /* run only: leave the stopped container for a later delete */
};

/* create: the container's init is set up and waits for start. */
int rt_create(const struct rt_global *g, const char *id, const struct rt_create_opts *o, struct berth_error **err);
/* start: let a created container's init exec the user process; runs poststart hooks. */
int rt_start(const struct rt_global *g, const char *id, struct berth_error **err);
/*
 * run: create + start. Without o->detach, waits for the process (forwarding
 * signals, proxying the terminal when process.terminal and no console
 * socket), deletes the container (unless o->keep) and sets *ret_status to its
 * exit code (128+signal when killed).
 * create and run honour systemd socket activation as runc does: with
 * LISTEN_PID our pid and LISTEN_FDS=N, fds 3..3+N-1 go to the container
 * before the --preserve-fds ones, and its env gets LISTEN_FDS=N, LISTEN_PID=1.
 */
int rt_run(const struct rt_global *g, const char *id, const struct rt_create_opts *o, int *ret_status,
	   struct berth_error **err);

struct rt_state {
	char *oci_version;
	char *id;
	pid_t pid;    /* 0 when stopped */
	char *status; /* "creating", "created", "running", "paused", "stopped" */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 with nanoseconds, UTC */
	char *owner;
	char **annotations; /* alternating key, value; NULL-terminated; may be NULL */
};
/* Current state of container id; an unknown id is an error ("container 'x' does not exist"). */
int rt_state_get(const struct rt_global *g, const char *id, struct rt_state **ret, struct berth_error **err);
/* runc's state JSON (pretty-printed, as `runc state`). Caller frees. */
char *rt_state_to_json(const struct rt_state *s);
void rt_state_free(struct rt_state *s);
/* All containers under the root, sorted by id. */
int rt_list(const struct rt_global *g, struct rt_state ***ret, size_t *ret_n, struct berth_error **err);

/* Send sig to the init process, or with all to every process of the container's cgroup. */
int rt_kill(const struct rt_global *g, const char *id, int sig, bool all, struct berth_error **err);
/*
 * Remove a stopped (or created) container: poststop hooks, cgroup, state
 * directory. force kills a running one first.
 */
int rt_delete(const struct rt_global *g, const char *id, bool force, struct berth_error **err);
/* Pids of the container's processes (from its cgroup, else its init). */
int rt_ps(const struct rt_global *g, const char *id, pid_t **ret, size_t *ret_n, struct berth_error **err);

struct rt_exec_opts {
	const char *process_file; /* process.json, or NULL to build from the fields below */
	char **args;
	bool tty;
	const char *console_socket;
	char **env; /* added to the container's env */
	const char *cwd;
	bool has_user;
	uid_t uid;
	gid_t gid;		/* (gid_t)-1: keep the container's */
	gid_t *additional_gids; /* replace the container's when n_additional_gids > 0 */
	size_t n_additional_gids;
	char **caps; /* extra capability names */
	bool detach;
	const char *pid_file;
	bool no_new_privs;
	int preserve_fds;
};
/* exec: run a process inside a running container's namespaces and cgroup. */
int rt_exec(const struct rt_global *g, const char *id, const struct rt_exec_opts *o, int *ret_status,
	    struct berth_error **err);

/* runc's `features` document. Caller frees. */
char *rt_features_json(void);

/*
 * Re-execute the running binary from a sealed memfd copy unless it already
 * runs from one (CVE-2019-5736: a container must not be able to overwrite or
 * reopen the runtime binary through /proc/PID/exe). Returns only on failure
 * or when already sealed. argv/envp are passed to the new image.
 */
int rt_ensure_sealed_binary(char **argv, char **envp, struct berth_error **err);

/*
 * The same protection without a copy (runc 1.2's way): execute the running
 * binary through a detached overlayfs whose lower layers are its directory
 * and an empty one under scratch (created), with no upper layer. Its
 * /proc/PID/exe can then be neither opened for writing nor remounted
 * writable, while its pages stay the page cache's, shared by every process
 * that runs it. Returns only on failure (no overlayfs or mount API here).
 */
int rt_exec_from_overlay(char **argv, char **envp, const char *scratch, struct berth_error **err);

/* Whether the running binary is protected already: a sealed memfd or the detached overlay above. */
bool rt_exe_protected(void);

/* ---- pause, resume, update, events (pause.c, update.c, events.c) ---- */

/* Freeze every process of a created or running container; "container not running" otherwise. */
int rt_pause(const struct rt_global *g, const char *id, struct berth_error **err);
/* Thaw a paused container; "container not paused" otherwise. */
int rt_resume(const struct rt_global *g, const char *id, struct berth_error **err);

struct oci_resources;
struct rt_update_opts {
	/*
	 * As runc's update: memory limit/reservation/swap, cpu
	 * shares/quota/period/burst/realtime/cpus/mems, blockIO weight, pids
	 * limit and unified are taken; a zero (or absent) value leaves the
	 * current one. Other members are ignored. Borrowed.
	 */
	const struct oci_resources *resources;
	const char *l3_cache_schema; /* Intel RDT, or NULL */
	const char *mem_bw_schema;
};
/*
 * Apply new resource limits to a running, created or paused container's
 * cgroup and record them in the state directory's config copy. A stopped
 * container is "container not running".
 */
int rt_update(const struct rt_global *g, const char *id, const struct rt_update_opts *o, struct berth_error **err);

struct rt_events_opts {
	bool stats_only;	   /* one stats line, then return */
	unsigned long interval_ms; /* between stats lines; > 0 */
	/* Called with each event as one line of JSON (no newline); a negative return stops with that error. */
	int (*emit)(const char *json, void *userdata, struct berth_error **err);
	void *userdata;
};
/*
 * runc's events: stats of the container's cgroup as {"type":"stats",...}
 * lines every interval and {"type":"oom",...} on each OOM kill, until the
 * cgroup goes away (v1: removed; v2: emptied). A stopped container is an
 * error ("container with id ID is not running").
 */
int rt_events(const struct rt_global *g, const char *id, const struct rt_events_opts *o, struct berth_error **err);
