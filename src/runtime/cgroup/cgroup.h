/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facade of runtime/cgroup/: one manager for cgroup v1, v2 and hybrid layouts.
 * The rest of runtime/ includes only this header.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct berth_error;
struct oci_resources;
struct oci_device_rule;

enum cg_layout { CG_LAYOUT_V1, CG_LAYOUT_V2, CG_LAYOUT_HYBRID };

/*
 * Where the manager looks. NULL fields (or a NULL env) mean the real system.
 * Cgroup mounts found in mountinfo at or below "/sys/fs/cgroup" are looked
 * for at the same place below root, so tests point root at a temp dir and
 * keep a realistic mountinfo text.
 */
struct cg_env {
	const char *mountinfo;	 /* default "/proc/self/mountinfo" */
	const char *self_cgroup; /* default "/proc/self/cgroup" */
	const char *root;	 /* default "/sys/fs/cgroup" */
};

struct cg_manager;

/*
 * Layout from mountinfo: cgroup2 at root → V2; cgroup v1 mounts plus cgroup2
 * at root or root/unified → HYBRID; only v1 → V1. An error when no cgroup
 * hierarchy is mounted or the files cannot be read.
 */
int cg_detect_layout(const struct cg_env *env, enum cg_layout *ret, struct berth_error **err);

/*
 * Resolve the layout and the container's directory in every hierarchy, with
 * runc's cgroupfs semantics: an absolute cgroups_path is taken below each
 * hierarchy's root; a relative one below the calling process's own cgroup in
 * that hierarchy (read from env->self_cgroup); NULL or "" means the relative
 * path "<id>" (what runc 1.1 does). With systemd_driver the path is
 * "slice:prefix:name", converted with cg_systemd_path_to_cgroupfs() and used
 * with the cgroupfs driver (a warning is logged). Nothing is created. The
 * caller owns *ret (cg_manager_free).
 */
int cg_manager_new(const struct cg_env *env, const char *cgroups_path, const char *id, bool systemd_driver,
		   struct cg_manager **ret, struct berth_error **err);

/*
 * Rebuild a manager from the lines cg_manager_paths() returned (from
 * state.json), for delete/kill/ps in a later process whose own cgroup may
 * differ. Hierarchies no longer mounted are skipped.
 */
int cg_manager_load(const struct cg_env *env, char *const *paths, struct cg_manager **ret, struct berth_error **err);

/* NULL accepted. Frees memory and the cached v2 fd; touches no cgroup. */
void cg_manager_free(struct cg_manager *m);

enum cg_layout cg_manager_layout(const struct cg_manager *m);

/*
 * The container's cgroup path inside the hierarchy (the unified one when
 * present, else the first v1 one), as /proc/PID/cgroup shows it, e.g.
 * "/berth-test-1". Owned by m.
 */
const char *cg_manager_path(const struct cg_manager *m);

/*
 * One "controllers:path" line per hierarchy, as in /proc/PID/cgroup without
 * the number ("cpu,cpuacct:/x", "name=systemd:/x", ":/x" for cgroup2), for
 * state.json and cg_manager_load(). Caller frees (strv_free).
 */
char **cg_manager_paths(const struct cg_manager *m);

/*
 * The host directory of the container's cgroup in the hierarchy holding
 * controller ("memory", "name=systemd", "" for the unified one), or NULL.
 * Owned by m.
 */
const char *cg_manager_dir(const struct cg_manager *m, const char *controller);

/*
 * mkdir -p the container's cgroup in every hierarchy (v1: every mounted
 * hierarchy, named ones included; v2: the unified dir, enabling the
 * available controllers in cgroup.subtree_control of its ancestors, as runc;
 * hybrid: both, leaving the unified subtree_control alone). v1 cpuset dirs get cpus/mems copied from their parent when
 * empty. Remembers the directories it created, for cg_destroy; on failure removes what it created.
 */
int cg_create(struct cg_manager *m, struct berth_error **err);

/*
 * What cg_apply would check before writing, without writing anything: the
 * plan builds (values in range, nothing v2-only on v1) and every controller it
 * needs is there. For validation before any side effect; needs no cgroup dir.
 */
int cg_check(struct cg_manager *m, const struct oci_resources *r, struct berth_error **err);

/*
 * Apply linux.resources (memory, cpu, cpuset, pids, devices, unified). A
 * limit whose controller is not available is an error naming the
 * controller; controllers nobody asked for are left alone. r may be NULL.
 */
int cg_apply(struct cg_manager *m, const struct oci_resources *r, struct berth_error **err);

/* Write pid into cgroup.procs of every hierarchy the manager uses. */
int cg_enter(struct cg_manager *m, pid_t pid, struct berth_error **err);

#define CG_SELF_ENTER_MAX 16

/*
 * Placement of a new process without cgroup.procs writes, each of which takes
 * the kernel's global threadgroup lock for writing and so waits for an RCU
 * grace period (some 20 ms on an idle machine): the process is born in the
 * cgroup2 hierarchy (clone3 CLONE_INTO_CGROUP with clone_fd) and moves itself
 * into each v1 hierarchy by writing "0" to the `tasks` fds opened here (a
 * thread moving itself needs no threadgroup lock).
 */
struct cg_self_enter {
	int clone_fd; /* the cgroup2 dir for clone3, or -1 */
	int tasks[CG_SELF_ENTER_MAX];
	size_t n;
};

/*
 * Open what the new process needs (call after cg_create). Returns 1 when
 * prepared, 0 when this manager cannot place that way (the systemd driver)
 * and cg_enter must be used, -1 with *err set. se is always initialised.
 */
int cg_self_enter_prepare(struct cg_manager *m, struct cg_self_enter *se, struct berth_error **err);

/* In the new process: write "0" to every tasks fd, then close them. -1 with errno on the first failure. */
int cg_self_enter_child(struct cg_self_enter *se);

/* Close what prepare opened (the parent, once the process exists). */
void cg_self_enter_done(struct cg_self_enter *se);

/*
 * An O_PATH|O_DIRECTORY fd of the container's unified dir for clone3
 * CLONE_INTO_CGROUP; -1 unless the layout is V2 (or the dir cannot be
 * opened). Owned by m (closed by cg_manager_free); call after cg_create.
 */
int cg_v2_dirfd(struct cg_manager *m);

/*
 * Pids in the container's cgroup and its descendants (v2: the unified dir;
 * v1: the pids, else memory, else first hierarchy). A missing cgroup gives
 * an empty list. Caller frees *ret (NULL when empty).
 */
int cg_pids(struct cg_manager *m, pid_t **ret, size_t *ret_n, struct berth_error **err);

/*
 * Send sig to every process of the cgroup: cgroup.kill for SIGKILL where the
 * unified dir has it, else freeze (v1 freezer when present), signal every
 * pid, thaw. Processes that exit meanwhile are not an error.
 */
int cg_kill_all(struct cg_manager *m, int sig, struct berth_error **err);

/*
 * rmdir the container's cgroup (sub-cgroups first) in every hierarchy, and
 * the parents cg_create made; retries briefly while the kernel still
 * reports EBUSY. Missing directories are fine.
 */
int cg_destroy(struct cg_manager *m, struct berth_error **err);

/*
 * Mount the "cgroup" filesystem type of config.json at dest inside rootfd,
 * from the container's mount namespace before pivot_root. v2: cgroup2. v1
 * and hybrid: a tmpfs with one subdirectory per hierarchy (named as its
 * mount point, "cpu,cpuacct", "systemd"), symlinks for comounted
 * controllers and, on hybrid, "unified"; with cgroupns each is a fresh
 * cgroup mount (the kernel shows the container's cgroup as root), else a
 * bind mount of the container's cgroup directory. All read-only when
 * readonly.
 */
int cg_mount_in_container(struct cg_manager *m, int rootfd, const char *dest, bool readonly, bool cgroupns,
			  struct berth_error **err);

/*
 * runc's default device allow list (mknod of any char/block device, null,
 * zero, full, random, urandom, tty, ptmx, /dev/pts/N, tun), which the
 * runtime appends after the spec's rules. Static storage; *ret_n gets the
 * count.
 */
const struct oci_device_rule *cg_default_device_rules(size_t *ret_n);

/*
 * Convert a systemd cgroupsPath "slice:prefix:name" to the cgroupfs path
 * systemd would use: "system.slice:docker:abc" →
 * "/system.slice/docker-abc.scope", "a-b.slice:p:n" →
 * "/a.slice/a-b.slice/p-n.scope"; an empty slice means "system.slice", a
 * name ending in ".slice" is used as is. NULL or "" gives
 * "system.slice:berth:<id>". Caller frees *ret.
 */
int cg_systemd_path_to_cgroupfs(const char *cgroups_path, const char *id, char **ret, struct berth_error **err);

/* ---- freezer, statistics and OOM notification (freezer.c, stats.c, oom.c) ---- */

enum cg_freezer_state { CG_FREEZER_THAWED, CG_FREEZER_FREEZING, CG_FREEZER_FROZEN };

/*
 * Freeze (pause) or thaw (resume) every process of the container's cgroup
 * and wait until the kernel reports the new state (v1 freezer.state, v2
 * cgroup.freeze and "frozen 1" in cgroup.events). An error when no freezer
 * exists for the container's cgroup.
 */
int cg_freeze(struct cg_manager *m, bool frozen, struct berth_error **err);

/* The freezer state now; THAWED when there is no freezer or the cgroup is gone. */
int cg_freezer_state(struct cg_manager *m, enum cg_freezer_state *ret, struct berth_error **err);

/* One line of a v1 blkio list or one value of v2 io.stat, as runc's BlkioStatEntry. */
struct cg_blkio_entry {
	uint64_t major, minor;
	char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" or "" */
	uint64_t value;
};

struct cg_blkio_list {
	struct cg_blkio_entry *v;
	size_t n;
};

/* runc's blkio lists, in the order of its JSON. */
enum cg_blkio_kind {
	CG_BLKIO_SERVICE_BYTES,
	CG_BLKIO_SERVICED,
	CG_BLKIO_QUEUED,
	CG_BLKIO_SERVICE_TIME,
	CG_BLKIO_WAIT_TIME,
	CG_BLKIO_MERGED,
	CG_BLKIO_TIME,
	CG_BLKIO_SECTORS,
	CG_BLKIO_COUNT
};

struct cg_u64_list {
	uint64_t *v;
	size_t n;
};

struct cg_kv {
	char *key;
	uint64_t value;
};

struct cg_mem_entry {
	uint64_t limit, usage, max, failcnt;
};

struct cg_hugetlb_stat {
	char *size; /* "2MB", "1GB" */
	uint64_t usage, max, failcnt;
};

/* What runc's `events` reports, with its units: nanoseconds for cpu, bytes for memory. */
struct cg_stats {
	uint64_t cpu_total, cpu_kernel, cpu_user;
	struct cg_u64_list percpu, percpu_kernel, percpu_user;
	uint64_t throttle_periods, throttle_throttled_periods, throttle_throttled_time;
	struct cg_u64_list cpuset_cpus, cpuset_mems;
	uint64_t cpuset_cpu_exclusive, cpuset_mem_hardwall, cpuset_mem_exclusive, cpuset_memory_migrate,
		cpuset_memory_spread_page, cpuset_memory_spread_slab, cpuset_memory_pressure, cpuset_sched_load_balance;
	int64_t cpuset_sched_relax_domain_level;
	uint64_t mem_cache;
	struct cg_mem_entry mem_usage, mem_swap, mem_kernel, mem_kernel_tcp;
	struct cg_kv *mem_raw; /* memory.stat, sorted by key */
	size_t n_mem_raw;
	uint64_t pids_current, pids_limit; /* limit 0: unlimited */
	struct cg_blkio_list blkio[CG_BLKIO_COUNT];
	struct cg_hugetlb_stat *hugetlb;
	size_t n_hugetlb;
};

/*
 * Read the statistics of the container's cgroup from every controller that
 * is available (v1 files or their v2 counterparts, converted as runc does).
 * Missing controllers leave their part zero. Free with cg_stats_done.
 */
int cg_stats_get(struct cg_manager *m, struct cg_stats *ret, struct berth_error **err);
void cg_stats_done(struct cg_stats *s);

struct cg_oom;

/*
 * Watch the container's memory cgroup for OOM kills: v1 an eventfd on
 * memory.oom_control (cgroup.event_control), v2 inotify on memory.events
 * (the oom_kill counter) and cgroup.events. Free with cg_oom_free.
 */
int cg_oom_new(struct cg_manager *m, struct cg_oom **ret, struct berth_error **err);
/* The fd to poll for POLLIN. Owned by o. */
int cg_oom_fd(const struct cg_oom *o);
/*
 * After the fd polled readable: *ret_oom tells that an OOM kill happened,
 * *ret_gone that the cgroup is gone (v1: removed; v2: no process left), after
 * which nothing more will come.
 */
int cg_oom_read(struct cg_oom *o, bool *ret_oom, bool *ret_gone, struct berth_error **err);
void cg_oom_free(struct cg_oom *o);
