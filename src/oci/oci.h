/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facade of oci/: the OCI runtime-spec config.json as C structs, decoded with
 * errors that name the JSON path, validated before anything acts on it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct berth_error;

/* Absent optional integers are flagged with has_* fields. */

struct oci_user {
	uid_t uid;
	gid_t gid;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows only in the spec; kept for round trips */
};

struct oci_rlimit {
	int type;   /* RLIMIT_* resource number */
	char *name; /* "RLIMIT_NOFILE" as written */
	uint64_t hard;
	uint64_t soft;
};

/* Capability sets as bit masks indexed by CAP_* numbers (libcap / linux/capability.h). */
struct oci_capabilities {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	unsigned console_height, console_width;
	struct oci_user user;
	char **args;	       /* NULL-terminated, at least one entry after validation */
	char *command_line;    /* Windows only; kept */
	char **env;	       /* NULL-terminated, may be NULL */
	char *cwd;	       /* absolute */
	bool has_capabilities; /* false: the capabilities object was absent */
	struct oci_capabilities caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
};

struct oci_mount {
	char *destination; /* absolute after validation */
	char *type;	   /* may be NULL (then "bind" when options have bind/rbind) */
	char *source;
	char **options; /* raw option strings, NULL-terminated, may be NULL */
	/* Decoded from options by oci_mount_parse_options (done by the decoder): */
	unsigned long flags;	   /* MS_* to set */
	unsigned long clear_flags; /* MS_* explicitly cleared ("rw", "suid", …) */
	unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (|MS_REC) or 0 */
	bool is_bind;		   /* "bind" or "rbind" option, or type "bind" */
	char *data;		   /* comma-joined options that are not flags ("size=64k,mode=755"), or NULL */
};

enum oci_ns_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS_COUNT
};

struct oci_namespace {
	bool present; /* listed in linux.namespaces */
	char *path;   /* NULL: create a new one; else join this one */
};

struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_device {
	char *path;
	char type; /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	bool has_file_mode;
	mode_t file_mode;
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

struct oci_device_rule {
	bool allow;
	char type;	      /* 'a', 'c' or 'b'; 'a' when absent */
	int64_t major, minor; /* -1 for wildcard */
	char access[4];	      /* subset of "rwm"; "rwm" when absent */
};

/* linux.resources.blockIO.weightDevice[]: 0 in a weight means unset */
struct oci_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

/* linux.resources.blockIO.throttle*Device[], indexed by enum oci_throttle */
struct oci_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

enum oci_throttle {
	OCI_THROTTLE_READ_BPS,
	OCI_THROTTLE_WRITE_BPS,
	OCI_THROTTLE_READ_IOPS,
	OCI_THROTTLE_WRITE_IOPS,
	OCI_THROTTLE_COUNT,
};

struct oci_hugepage_limit {
	char *page_size; /* "2MB", "1GB", "64KB" */
	uint64_t limit;
};

struct oci_net_priority {
	char *name;
	uint32_t priority;
};

/* One device of linux.resources.rdma; absent counts are unlimited ("max") */
struct oci_rdma_limit {
	char *device;
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct oci_resources {
	struct oci_device_rule *devices;
	size_t n_devices;
	/* memory */
	bool has_memory_limit, has_memory_reservation, has_memory_swap, has_memory_swappiness;
	int64_t memory_limit, memory_reservation, memory_swap;
	uint64_t memory_swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	/* cpu */
	bool has_cpu_shares, has_cpu_quota, has_cpu_period;
	uint64_t cpu_shares;
	int64_t cpu_quota;
	uint64_t cpu_period;
	char *cpu_cpus, *cpu_mems;
	/* memory, deprecated or advisory: decoded so that they can be warned about or checked */
	bool has_memory_kernel, has_memory_kernel_tcp, has_memory_use_hierarchy, has_memory_check_before_update;
	int64_t memory_kernel, memory_kernel_tcp;
	bool memory_use_hierarchy, memory_check_before_update;
	/* cpu: CFS burst, realtime scheduler budget, SCHED_IDLE */
	bool has_cpu_burst, has_cpu_rt_runtime, has_cpu_rt_period, has_cpu_idle;
	uint64_t cpu_burst;
	int64_t cpu_rt_runtime;
	uint64_t cpu_rt_period;
	int64_t cpu_idle;
	/* pids */
	bool has_pids_limit;
	int64_t pids_limit;
	/* blockIO */
	bool has_blkio_weight, has_blkio_leaf_weight;
	uint16_t blkio_weight, blkio_leaf_weight;
	struct oci_weight_device *blkio_weight_devices;
	size_t n_blkio_weight_devices;
	struct oci_throttle_device *blkio_throttle[OCI_THROTTLE_COUNT];
	size_t n_blkio_throttle[OCI_THROTTLE_COUNT];
	/* hugepageLimits */
	struct oci_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	/* network (net_cls, net_prio) */
	bool has_net_class_id;
	uint32_t net_class_id;
	struct oci_net_priority *net_priorities;
	size_t n_net_priorities;
	/* rdma, one entry per device of the map */
	struct oci_rdma_limit *rdma;
	size_t n_rdma;
	/* cgroup v2 unified key/value pairs, NULL-terminated alternating key, value */
	char **unified;
	/* the whole linux.resources object as compact JSON text */
	char *raw_json;
};

/* A key and its value: sysctl entries, annotations. */
struct oci_kv {
	char *key;
	char *value;
};

/* linux.seccomp. Actions, operators and architectures are checked by the decoder; names as the spec writes them. */
enum oci_seccomp_action {
	OCI_SECCOMP_ACT_KILL, /* the same as KILL_THREAD */
	OCI_SECCOMP_ACT_KILL_PROCESS,
	OCI_SECCOMP_ACT_KILL_THREAD,
	OCI_SECCOMP_ACT_TRAP,
	OCI_SECCOMP_ACT_ERRNO,
	OCI_SECCOMP_ACT_TRACE,
	OCI_SECCOMP_ACT_ALLOW,
	OCI_SECCOMP_ACT_LOG,
	OCI_SECCOMP_ACT_NOTIFY,
	OCI_SECCOMP_ACT_COUNT
};

enum oci_seccomp_op {
	OCI_SECCOMP_OP_NE,
	OCI_SECCOMP_OP_LT,
	OCI_SECCOMP_OP_LE,
	OCI_SECCOMP_OP_EQ,
	OCI_SECCOMP_OP_GE,
	OCI_SECCOMP_OP_GT,
	OCI_SECCOMP_OP_MASKED_EQ, /* (arg & value) == value_two */
	OCI_SECCOMP_OP_COUNT
};

struct oci_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_syscall {
	char **names; /* NULL-terminated, may be NULL */
	enum oci_seccomp_action action;
	bool has_errno_ret;
	unsigned errno_ret; /* ERRNO and TRACE; 0..65535 */
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	enum oci_seccomp_action default_action;
	bool has_default_errno_ret;
	unsigned default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", … (known ones), NULL-terminated, may be NULL */
	char **flags;	      /* "SECCOMP_FILTER_FLAG_LOG", … as written (unknown ones are the runtime's to skip) */
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct oci_linux {
	struct oci_namespace namespaces[OCI_NS_COUNT];
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_time_offset time_monotonic, time_boottime;
	struct oci_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct oci_resources resources;
	char *rootfs_propagation;		/* "shared", "rslave", … or NULL */
	unsigned long rootfs_propagation_flags; /* decoded MS_* | MS_REC, 0 when absent */
	char **masked_paths;
	char **readonly_paths;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	char *mount_label;
	char *seccomp_json;	     /* linux.seccomp as JSON text, or NULL */
	struct oci_seccomp *seccomp; /* linux.seccomp decoded; NULL when absent or without defaultAction and syscalls */
	char *personality_json;
};

struct oci_hook {
	char *path;
	char **args;
	char **env;
	int timeout; /* seconds, 0 = none */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_COUNT
};

struct oci_hooks {
	struct oci_hook *list[OCI_HOOK_COUNT];
	size_t n[OCI_HOOK_COUNT];
};

struct oci_config {
	char *oci_version;
	char *root_path; /* as written: relative to the bundle or absolute */
	bool root_readonly;
	char *hostname;
	char *domainname;
	bool has_process;
	struct oci_process process;
	struct oci_mount *mounts;
	size_t n_mounts;
	bool has_linux;
	struct oci_linux linux_;
	struct oci_hooks hooks;
	struct oci_kv *annotations;
	size_t n_annotations;
};

/*
 * Decode a config.json document of len bytes. name is used as the prefix of
 * error messages ("config.json: process.args[1]: expected string"). On
 * success *ret owns a new config (free with oci_config_free). Decoding
 * checks types and values of every known field (unknown fields are ignored,
 * as runc does); oci_config_validate checks the cross-field rules.
 */
int oci_config_parse(const char *data, size_t len, const char *name, struct oci_config **ret, struct berth_error **err);
/* Read and decode the file at path (errors name path). */
int oci_config_load(const char *path, struct oci_config **ret, struct berth_error **err);
void oci_config_free(struct oci_config *c);

/*
 * Cross-field validation before any side effect: ociVersion 1.x, root.path
 * and process present, absolute mount destinations, hostname needs a UTS
 * namespace, id mappings need a user namespace, timeOffsets need a time
 * namespace, sysctl keys allowed by the namespaces, … Errors name the JSON path.
 */
int oci_config_validate(const struct oci_config *c, const char *name, struct berth_error **err);

/*
 * Parse a process.json (runc exec --process): the "process" object alone.
 * On success *ret owns the process; free with oci_process_free.
 */
int oci_process_parse(const char *data, size_t len, const char *name, struct oci_process **ret,
		      struct berth_error **err);
void oci_process_done(struct oci_process *p);
void oci_process_free(struct oci_process *p);

/*
 * Parse a bare linux.resources object (runc update -r FILE). name prefixes
 * error messages. On success *ret owns the resources; free with
 * oci_resources_free.
 */
int oci_resources_parse(const char *data, size_t len, const char *name, struct oci_resources **ret,
			struct berth_error **err);
void oci_resources_free(struct oci_resources *r);
/*
 * Set the resources u has (the has_* fields, cpus/mems, unified) in
 * linux.resources of the config.json text, leaving the rest as it was.
 * *ret gets the new text (compact JSON); caller frees.
 */
int oci_config_update_resources(const char *text, size_t len, const struct oci_resources *u, char **ret,
				struct berth_error **err);

/* runc's default spec as JSON text (what `runc spec` writes; rootless variant with --rootless). Caller frees. */
char *oci_spec_default_json(bool rootless, uid_t uid, gid_t gid);

/* Names. */
const char *oci_ns_type_name(enum oci_ns_type t);     /* "pid", "network", … */
int oci_ns_type_from_name(const char *name);	      /* -1 when unknown */
int oci_ns_clone_flag(enum oci_ns_type t);	      /* CLONE_NEW* */
const char *oci_ns_proc_name(enum oci_ns_type t);     /* entry in /proc/PID/ns: "pid", "net", "mnt", … */
const char *oci_hook_kind_name(enum oci_hook_kind k); /* "prestart", "createRuntime", … */
int oci_cap_from_name(const char *name);	      /* "CAP_KILL" -> 5; -1 when unknown */
const char *oci_cap_name(int cap);		      /* 5 -> "CAP_KILL" */
int oci_cap_last(void);				      /* highest capability number known */
int oci_rlimit_from_name(const char *name);	      /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown */

/* seccomp names: "SCMP_ACT_ERRNO" <-> OCI_SECCOMP_ACT_ERRNO, "SCMP_CMP_EQ" <-> OCI_SECCOMP_OP_EQ; -1 / NULL when
 * unknown. */
int oci_seccomp_action_from_name(const char *name);
const char *oci_seccomp_action_name(enum oci_seccomp_action a);
int oci_seccomp_op_from_name(const char *name);
const char *oci_seccomp_op_name(enum oci_seccomp_op op);
/*
 * The architectures the decoder accepts, in runc's (sorted) order: i-th spec
 * name ("SCMP_ARCH_X86_64") and its libseccomp name ("x86_64"); NULL past the end.
 */
const char *oci_seccomp_arch_name(size_t i);
const char *oci_seccomp_arch_libname(size_t i);
/* The libseccomp name of a spec architecture name, NULL when unknown. */
const char *oci_seccomp_arch_to_libname(const char *name);
void oci_seccomp_free(struct oci_seccomp *sc);

/*
 * Decode mount options into m->flags, clear_flags, propagation, is_bind and
 * data (recognised flag words: ro rw suid nosuid dev nodev exec noexec sync
 * async dirsync remount mand nomand atime noatime diratime nodiratime
 * relatime norelatime strictatime nostrictatime bind rbind shared rshared
 * slave rslave private rprivate unbindable runbindable; the rest join data).
 */
void oci_mount_parse_options(struct oci_mount *m);

#include "oci/image_spec.h"
