/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared inside runtime/cgroup/: the manager, its hierarchies, the layout ops
 * table, the write plan that controller files fill, and small file helpers.
 */
#pragma once

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/cgroup/cgroup.h"

struct oci_resources;
struct oci_device_rule;

/* One mounted hierarchy and the container's directory in it. */
struct cg_hier {
	bool is_v2;
	char *name;	   /* basename of the mount point: "cpu,cpuacct", "systemd", "unified" */
	char **ctrls;	   /* "cpu", "cpuacct" / "name=systemd"; empty vector for cgroup2 */
	char *ctrl_list;   /* ctrls joined with ',' ("" for cgroup2), as /proc/PID/cgroup shows */
	char *mountpoint;  /* host path of the mount (env root applied) */
	char *mount_root;  /* the mount's root inside the hierarchy (mountinfo field 4) */
	char *cgpath;	   /* the container's cgroup, as /proc/PID/cgroup shows it */
	char *dir;	   /* host directory of cgpath */
	char *created_top; /* topmost directory cg_create made, or NULL */
};

struct cg_ops;

struct cg_manager {
	enum cg_layout layout;
	const struct cg_ops *ops;
	struct cg_hier *h;
	size_t n;
	struct cg_hier *unified; /* into h, or NULL */
	int v2_fd;
	struct cg_systemd *sd; /* the systemd driver's unit (systemd.c), NULL with cgroupfs */
};

/* What differs between layouts. Hybrid is v1 for resources plus the unified dir. */
struct cg_ops {
	enum cg_layout layout;
	/* after the directories exist: v1 cpuset init, v2 subtree_control */
	int (*prepare)(struct cg_manager *m, struct berth_error **err);
	/* the hierarchy whose dir receives writes for controller, NULL when the controller is not available */
	struct cg_hier *(*hier_for)(struct cg_manager *m, const char *controller);
	/* the hierarchy to list pids from */
	struct cg_hier *(*pids_hier)(struct cg_manager *m);
	/* freeze (true) or thaw; 0 without doing anything when no freezer exists */
	int (*freeze)(struct cg_manager *m, bool frozen, struct berth_error **err);
	/* v2 device rules as an eBPF program; NULL on v1 (rules are plain writes there) */
	int (*devices)(struct cg_manager *m, const struct oci_device_rule *rules, size_t n, struct berth_error **err);
};

extern const struct cg_ops cg_v1_ops;
extern const struct cg_ops cg_v2_ops;
extern const struct cg_ops cg_hybrid_ops;

/* Plan flags. */
enum {
	/* on EINVAL, try again after the writes that follow (v1 memory vs memsw, cpu period vs quota) */
	CG_W_RETRY_LATER = 1 << 0,
	/* a missing file is not an error (optional knobs) */
	CG_W_OPTIONAL = 1 << 1,
	/* v2 memory.max with checkBeforeUpdate: refuse a limit below memory.current */
	CG_W_CHECK_USAGE = 1 << 2,
};

/* One write: value into file of the container's dir in the hierarchy of controller. */
struct cg_write {
	char *controller; /* "memory", "cpu", …; NULL: the unified dir, no controller check */
	char *what;	  /* for errors: "memory limit" */
	char *file;
	char *value;
	/* when file does not exist: alt_value into alt_file instead (blkio.weight vs blkio.bfq.weight); or NULL */
	char *alt_file;
	char *alt_value;
	unsigned flags;
};

struct cg_plan {
	struct cg_write *w;
	size_t n;
	/* v2: device rules to compile to eBPF (borrowed from the resources) */
	const struct oci_device_rule *bpf_rules;
	size_t n_bpf_rules;
};

void cg_plan_add(struct cg_plan *p, const char *controller, const char *what, const char *file, unsigned flags,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* As cg_plan_add, with a fallback file and value used when file does not exist. */
void cg_plan_add_alt(struct cg_plan *p, const char *controller, const char *what, const char *file, const char *value,
		     const char *alt_file, const char *alt_value, unsigned flags);
void cg_plan_done(struct cg_plan *p);

/*
 * The pure part of cg_apply: the writes for resources on layout (hybrid uses
 * v1 files). Validates values (swap below limit, swappiness, unified keys).
 */
int cg_plan_build(enum cg_layout layout, const struct oci_resources *r, struct cg_plan *ret, struct berth_error **err);

/* One planner per controller file; v1 is true for V1 and HYBRID. */
int cg_memory_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_cpu_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_cpuset_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_pids_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_devices_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_blkio_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_hugetlb_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_net_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
int cg_rdma_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);
/* linux.resources.unified; on v1 and hybrid an error naming the first key, as runc refuses it there */
int cg_unified_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err);

/* runc's blkio weight (10..1000) to cgroup v2 io.weight (1..10000): 1 + (w - 10) * 9999 / 990; 0 stays 0. */
uint64_t cg_blkio_weight_to_io(uint64_t weight);
/* Whether a hugepage size name has runc's form: digits then "KB", "MB" or "GB" ("2MB", "1GB", "64KB"). */
bool cg_hugetlb_size_valid(const char *size);

/* runc's shares (2..262144) to cgroup v2 cpu.weight (1..10000); 0 stays 0 (unset). */
uint64_t cg_cpu_shares_to_weight(uint64_t shares);
/* v2 memory.swap.max from OCI memory.swap (memory+swap) and limit; *ret -1 is "max", 0 with *ret_set false is unset. */
int cg_memory_swap_v2(int64_t swap, int64_t limit, int64_t *ret, bool *ret_set, struct berth_error **err);
/* One v1 devices.allow/deny line per kernel rule ("c 1:3 rwm", "a"); appends to *lines. */
void cg_device_rule_lines(const struct oci_device_rule *rule, char ***lines);

/*
 * The eBPF BPF_PROG_TYPE_CGROUP_DEVICE program for rules (last matching rule
 * wins, no match denies). Caller frees *ret.
 */
int cg_devices_bpf_build(const struct oci_device_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n,
			 struct berth_error **err);
/* Load the program and attach it to the cgroup dirfd, replacing programs attached before. */
int cg_devices_bpf_attach(int dirfd, const struct bpf_insn *insns, size_t n, struct berth_error **err);

/* Cgroup file helpers (files.c). cg_read strips one trailing newline. */
int cg_read_path(const char *path, char **ret, struct berth_error **err);
int cg_read(const char *dir, const char *file, char **ret, struct berth_error **err);
int cg_write(const char *dir, const char *file, const char *value, struct berth_error **err);
/* Lexically clean an absolute path (never above "/"). Caller frees. */
char *cg_path_clean(const char *path);
/* mkdir -p dir; *ret_created_top gets the topmost directory made (NULL when none). */
int cg_mkdir_p(const char *dir, char **ret_created_top, struct berth_error **err);
/* rmdir dir and its sub-cgroups, leaf first, retrying EBUSY briefly; missing is fine. */
int cg_rmdir_tree(const char *dir, struct berth_error **err);
/* Append the pids of cgroup.procs in dir and its sub-cgroups; a missing dir adds none. */
int cg_read_pids_tree(const char *dir, pid_t **v, size_t *n, struct berth_error **err);

/* Enable the controllers each ancestor of h's dir offers in its cgroup.subtree_control (v2.c). */
int cg_v2_enable(struct cg_hier *h, struct berth_error **err);

/* Hierarchy lookups used by the ops. */
struct cg_hier *cg_find_v1(struct cg_manager *m, const char *controller);
bool cg_hier_has(const struct cg_hier *h, const char *controller);

/* Execute a plan against m (the executor of cg_apply). */
int cg_plan_execute(struct cg_manager *m, const struct cg_plan *p, struct berth_error **err);

/* Layout and mount discovery (layout.c). */
struct cg_mount {
	bool is_v2;
	char *mountpoint;
	char *root;
	char **ctrls;
};
int cg_read_mounts(const char *mountinfo, const char *root, struct cg_mount **ret, size_t *ret_n,
		   struct berth_error **err);
void cg_mounts_free(struct cg_mount *v, size_t n);
int cg_layout_of(const struct cg_mount *v, size_t n, const char *root, enum cg_layout *ret, struct berth_error **err);
/* The path of the hierarchy matching ctrl_list ("" for cgroup2) in a /proc/PID/cgroup text, or NULL. */
char *cg_self_path(const char *self_cgroup_text, const char *ctrl_list);

/*
 * Parsers of cgroup statistics files (stats.c), pure functions over the
 * file's text. Each returns -1 with err set ("malformed …") on text it
 * cannot read.
 */
/* Whitespace-separated unsigned numbers (cpuacct.usage_percpu), appended to *ret. */
int cg_parse_u64_list(const char *text, struct cg_u64_list *ret, struct berth_error **err);
/* "user N\nsystem N" (cpuacct.stat) in clock ticks, converted to nanoseconds with ticks per second hz. */
int cg_parse_cpuacct_stat(const char *text, long hz, uint64_t *ret_user, uint64_t *ret_kernel,
			  struct berth_error **err);
/* cpuacct.usage_all: a header "cpu user system", then one line per cpu; fills the per-cpu user and kernel lists. */
int cg_parse_cpuacct_usage_all(const char *text, struct cg_u64_list *ret_user, struct cg_u64_list *ret_kernel,
			       struct berth_error **err);
/* "key value" lines (memory.stat, cpu.stat, memory.events), sorted by key; values beyond uint64 saturate. */
int cg_parse_flat_keyed(const char *text, struct cg_kv **ret, size_t *ret_n, struct berth_error **err);
/* The value of key in a parsed list, or 0. */
uint64_t cg_kv_get(const struct cg_kv *v, size_t n, const char *key);
void cg_kv_free(struct cg_kv *v, size_t n);
/* A number or "max" (max_value then); empty text is 0. */
int cg_parse_u64_or_max(const char *text, uint64_t max_value, uint64_t *ret, struct berth_error **err);
/* v1 blkio lists: "MAJ:MIN Op VALUE" or "MAJ:MIN VALUE" lines; "Total N" lines are skipped. */
int cg_parse_blkio_v1(const char *text, struct cg_blkio_list *ret, struct berth_error **err);
/* v2 io.stat "MAJ:MIN rbytes=N wbytes=N rios=N wios=N …" into the service bytes and serviced lists. */
int cg_parse_io_stat(const char *text, struct cg_blkio_list *ret_bytes, struct cg_blkio_list *ret_ios,
		     struct berth_error **err);
/* A cpu or node list "0-3,8" as numbers. */
int cg_parse_cpuset_list(const char *text, struct cg_u64_list *ret, struct berth_error **err);
/* "hugepages-2048kB" (a /sys/kernel/mm/hugepages entry) as runc names the size: "2MB". NULL when not one. */
char *cg_hugepage_size_name(const char *dirent_name);

/* ---- the systemd driver: unit names and properties (systemd_props.c, pure), D-Bus (systemd.c) ---- */

/* A cgroupsPath "slice:prefix:name" as systemd sees it. */
struct cg_systemd_unit {
	char *name;  /* the name part, for the description */
	char *unit;  /* "prefix-name.scope", "name.scope", or "name.slice" as given */
	char *slice; /* the parent slice: "system.slice" ("user.slice" rootless) when empty */
	char *path;  /* the unit's cgroup, as /proc/PID/cgroup shows it */
};

/*
 * Split cgroups_path (NULL or "" means ":berth:<id>") into unit, slice and
 * cgroup path as runc does. uid 0 is the system manager; another uid is
 * that user's manager: "user.slice" by default and the path below
 * "/user.slice/user-UID.slice/user@UID.service". Free with cg_systemd_unit_done.
 */
int cg_systemd_unit_parse(const char *cgroups_path, const char *id, uid_t uid, struct cg_systemd_unit *ret,
			  struct berth_error **err);
void cg_systemd_unit_done(struct cg_systemd_unit *u);

/* One unit property: its D-Bus signature says which value field counts. */
struct cg_systemd_device {
	char *path;    /* "/dev/char/1:3", "char-136", "block-*" */
	char perms[4]; /* subset of "rwm" */
};

struct cg_systemd_prop {
	char *name;
	const char *sig;		/* "s", "b", "t", "as" (one string), "au" (one u32), "ay", "a(ss)" */
	unsigned min_version;		/* the systemd version that knows the property, 0 for any */
	char *str;			/* s, as */
	bool b;				/* b */
	uint64_t u64;			/* t (UINT64_MAX: "infinity"), au */
	uint8_t *bytes;			/* ay */
	struct cg_systemd_device *devs; /* a(ss) */
	size_t n;			/* bytes or devs */
};

struct cg_systemd_props {
	struct cg_systemd_prop *v;
	size_t n;
};

void cg_systemd_props_done(struct cg_systemd_props *p);

/*
 * The unit's own properties, as runc sets them: Description, Slice (a
 * slice unit: Wants), PIDs with pid (when pid > 0 and the unit is a scope),
 * Delegate, accounting of memory, cpu, io (v1: block io) and tasks, and
 * DefaultDependencies=no.
 */
void cg_systemd_unit_props(const struct cg_systemd_unit *u, bool v1, pid_t pid, struct cg_systemd_props *p);

/*
 * linux.resources as the properties runc's systemd driver sets: v1
 * MemoryLimit, CPUShares, BlockIOWeight; v2 MemoryMax, MemoryLow,
 * MemorySwapMax, CPUWeight, IOWeight; both CPUQuotaPerSecUSec and
 * CPUQuotaPeriodUSec, AllowedCPUs/AllowedMemoryNodes, TasksMax,
 * DevicePolicy/DeviceAllow. Appends to p; an error for a bad cpuset list.
 */
int cg_systemd_resource_props(bool v1, const struct oci_resources *r, struct cg_systemd_props *p,
			      struct berth_error **err);

/* The device rules as DevicePolicy and DeviceAllow (runc's emulation of the v1 rule list). */
void cg_systemd_device_props(const struct oci_device_rule *rules, size_t n, struct cg_systemd_props *p);

/*
 * A cpuset list "0-3,8" as systemd's AllowedCPUs bytes: byte i holds cpus
 * 8i..8i+7, lowest bit first, no trailing zero bytes. Caller frees *ret.
 */
int cg_systemd_cpuset_bits(const char *list, uint8_t **ret, size_t *ret_n, struct berth_error **err);

/* CPUQuotaPerSecUSec for a CFS quota and period (0: 100000): rounded up to 10 ms; UINT64_MAX when quota <= 0. */
uint64_t cg_systemd_quota_per_sec(int64_t quota, uint64_t period);

/* "Name=value" for logs and tests ("MemoryMax=infinity", "AllowedCPUs=0f 01"). Caller frees. */
char *cg_systemd_prop_text(const struct cg_systemd_prop *p);

/* The driver's state in a manager. */
struct cg_systemd {
	struct cg_systemd_unit unit;
	bool user;		     /* the calling user's manager (rootless), else the system's */
	bool started;		     /* the unit exists: started by cg_enter, or the manager was loaded */
	bool has_res;		     /* res and plan hold what cg_apply asked for before the unit started */
	struct cg_systemd_props res; /* resource properties */
	struct cg_plan plan;	     /* the cgroupfs writes that follow them */
};

/* Whether systemd is the init system, as sd_booted(): /run/systemd/system/ is a directory. */
bool cg_systemd_booted(void);
void cg_systemd_free(struct cg_systemd *sd);

/*
 * The driver for cg_manager_new's systemd_driver: where systemd is PID 1
 * (and a real hierarchy, v2 when rootless) *ret_sd gets the unit and
 * *ret_path its cgroup; else *ret_sd is NULL and *ret_path the cgroupfs
 * path cg_systemd_path_to_cgroupfs() gives, with a warning. Caller frees both.
 */
int cg_systemd_select(const struct cg_env *env, const char *cgroups_path, const char *id, struct cg_systemd **ret_sd,
		      char **ret_path, struct berth_error **err);

/* The state.json line naming the unit ("systemd-unit=NAME", "systemd-user-unit=NAME"). Caller frees. */
char *cg_systemd_paths_line(const struct cg_systemd *sd);
/* The driver state of a manager loaded from such lines: started, or NULL when no line names a unit. */
struct cg_systemd *cg_systemd_from_paths(char *const *paths);

/*
 * The manager hooks. cg_systemd_apply keeps the properties and writes for
 * cg_systemd_enter until the unit exists, else sets them (SetUnitProperties)
 * and writes. cg_systemd_enter starts the unit with pid (libsystemd's sd-bus,
 * loaded with dlopen on first use), then makes the directories systemd does
 * not, enters pid everywhere and does the cgroupfs writes. cg_systemd_stop
 * stops the unit and waits until it is gone; a missing unit is fine.
 */
int cg_systemd_apply(struct cg_manager *m, const struct oci_resources *r, struct berth_error **err);
int cg_systemd_enter(struct cg_manager *m, pid_t pid, struct berth_error **err);
int cg_systemd_stop(struct cg_manager *m, struct berth_error **err);
