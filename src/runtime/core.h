/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside runtime/: container state, spawning, namespaces, mounts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/oci.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"

struct berth_error;
struct cg_manager;

/* ---- state.c: <root>/<id>/ ---- */
struct rt_record {
	char *id;
	char *bundle;
	char *rootfs;
	char *created;
	char *owner;
	pid_t pid;
	unsigned long long start_time; /* of pid, against pid reuse */
	char **cgroup_paths;	       /* cg_manager_paths() of the container, NULL-terminated */
	bool creating;
};

/* The state root to use (global option, else the default), caller frees. */
char *rt_root_path(const struct rt_global *g);
/* Validate a container id (runc's rules: [\w+-\.]+, no "." or ".."). */
int rt_id_check(const char *id, struct berth_error **err);
/* Make <root>/<id> (error when it exists) and lock it; *ret_dirfd holds the lock. */
int rt_state_dir_create(const char *root, const char *id, int *ret_dirfd, struct berth_error **err);
/* Open and lock <root>/<id>; unknown id → "container 'id' does not exist". */
int rt_state_dir_open(const char *root, const char *id, bool lock, int *ret_dirfd, struct berth_error **err);
int rt_record_write(int dirfd, const struct rt_record *r, struct berth_error **err);
int rt_record_read(int dirfd, const char *id, struct rt_record **ret, struct berth_error **err);
void rt_record_free(struct rt_record *r);
/* "created", "running", "paused" or "stopped" ("creating" while create runs). */
const char *rt_record_status(int dirfd, const struct rt_record *r);
/* runc's state JSON for hooks' stdin (compact). Caller frees. */
char *rt_record_state_json(const struct rt_record *r, const char *status, const struct oci_config *cfg);
/* The copy of config.json kept in the state dir. */
int rt_state_config_load(int dirfd, struct oci_config **ret, struct berth_error **err);
/*
 * The last steps of delete, for a container whose processes are gone:
 * poststop hooks, cgroup, state directory. Callers hold the state lock.
 */
int rt_container_remove(const char *root, const struct rt_record *r, const struct oci_config *cfg,
			struct cg_manager *cg, struct berth_error **err);
/* Remove <root>/<id> entirely. */
int rt_state_dir_remove(const char *root, const char *id, struct berth_error **err);
/* The container's cgroup manager rebuilt from the record; *ret NULL when it has none. */
int rt_record_cgroup(const struct rt_record *r, struct cg_manager **ret, struct berth_error **err);
/* RFC 3339 UTC timestamp with nanoseconds, caller frees. */
char *rt_now_rfc3339(void);

#define RT_EXEC_FIFO "exec.fifo"
#define RT_STATE_FILE "state.json"
#define RT_CONFIG_COPY "config.json"

/* ---- namespace.c ---- */
/* CLONE_NEW* flags for namespaces to create at clone time (not cgroup, not time). */
unsigned long rt_ns_clone_flags(const struct oci_linux *l);
/* Open the fds of namespaces to join (by path), -1 for the others. */
int rt_ns_open_paths(const struct oci_linux *l, int fds[OCI_NS_COUNT], struct berth_error **err);
/* setns into each open fd, user first; closes them. */
int rt_ns_join(int fds[OCI_NS_COUNT], bool skip_pid, struct berth_error **err);
void rt_ns_close(int fds[OCI_NS_COUNT]);
/* Write uid_map/gid_map of pid from the config. */
int rt_ns_write_idmaps(pid_t pid, const struct oci_linux *l, struct berth_error **err);
/* New time namespace for this process's children and its own execve, with the offsets. */
int rt_ns_time_unshare(const struct oci_linux *l, struct berth_error **err);
/* Open /proc/<pid>/ns/<name> for every namespace in l (exec). */
int rt_ns_open_of_pid(pid_t pid, const struct oci_linux *l, int fds[OCI_NS_COUNT], struct berth_error **err);

/* ---- rootfs.c / mount.c (child, in the new mount namespace) ---- */
int rt_rootfs_prepare(const char *rootfs, int *ret_rootfd, struct berth_error **err);
int rt_mounts_apply(int rootfd, const struct oci_config *cfg, struct cg_manager *cg, bool in_userns,
		    struct berth_error **err);
/* pivot_root into rootfd, then give "/" the config's rootfsPropagation (MS_* flags, 0: leave rslave). */
int rt_rootfs_pivot(int rootfd, bool no_pivot, unsigned long propagation, struct berth_error **err);
int rt_rootfs_finish(const struct oci_config *cfg, struct berth_error **err);

/* ---- spawn.c ---- */
struct rt_spawn {
	/* in */
	const struct oci_config *cfg;	/* container config (exec: the container's) */
	const struct oci_process *proc; /* process to run */
	const char *rootfs;		/* absolute (init only) */
	bool is_exec;
	pid_t target_pid;      /* exec: the container's init */
	struct cg_manager *cg; /* may be NULL */
	const char *fifo_path; /* create: wait for `start` on this fifo; NULL: wait for START message */
	bool no_pivot;
	bool no_new_keyring;
	const char *id; /* names the session keyring */
	int preserve_fds;
	const char *console_socket; /* send the pty master there */
	struct rt_record *record;   /* for hooks' state JSON (pid filled in by spawn) */
	int lock_fd;		    /* the locked state directory: closed in the child, or the lock outlives us */
	bool in_cgroup;		    /* child: the CGROUP message arrived */
	bool cg_self; /* the child places itself (cg_self_enter_*), the parent does not write cgroup.procs */
	struct cg_self_enter cg_fds;
	bool orphaned;		  /* child: made by an intermediate process that exits */
	const char *bundle;	  /* relative bind sources are relative to it */
	const char *state_root;	  /* holds the cache of compiled seccomp filters, or NULL */
	struct rt_seccomp filter; /* compiled by rt_spawn_start before clone when the config has seccomp */
	/* out */
	pid_t pid;
	int pidfd;
	int sock;	/* parent end, open until rt_spawn_done */
	int pty_master; /* when process.terminal and no console socket */
};
/* Start the child and drive the protocol up to READY. On failure the child is killed and reaped. */
int rt_spawn_start(struct rt_spawn *s, struct berth_error **err);
/* Tell a READY child (run/exec) to go on and exec. */
int rt_spawn_go(struct rt_spawn *s, struct berth_error **err);
void rt_spawn_done(struct rt_spawn *s);
/* Wait for the spawned process, forwarding signals and proxying its pty; *ret_status as shells report it. */
int rt_spawn_wait(struct rt_spawn *s, int *ret_status, struct berth_error **err);

/* ---- init.c / exec.c / process.c (child side) ---- */
/* Child of rt_spawn_start for a new container: namespaces, rootfs, then rt_process_exec. */
__attribute__((noreturn)) void rt_init_child(struct rt_spawn *s, int sock, int nsfds[OCI_NS_COUNT]);
/* Child of rt_spawn_start for exec: join the container's namespaces, then rt_process_exec. */
__attribute__((noreturn)) void rt_exec_child(struct rt_spawn *s, int sock, int nsfds[OCI_NS_COUNT]);
/* The final steps of any container process: terminal, rlimits, cwd, lookup, READY, wait start, identity, execve. */
__attribute__((noreturn)) void rt_process_exec(struct rt_spawn *s, int sock, int start_fd);
/* Find file in the PATH of env (or the default PATH), as execvp would; caller frees. */
int rt_find_executable(const char *file, char *const *env, char **ret, struct berth_error **err);

/* Child side: wait (once) until the parent has put us into our cgroup. */
int rt_child_wait_cgroup(struct rt_spawn *s, int sock, struct berth_error **err);
