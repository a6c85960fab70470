/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: Docker's default seccomp profile as C tables, and Docker-format
 * profiles (seccomp=<JSON>), turned into the runtime-spec linux.seccomp for
 * one capability set and architecture.
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>

#include "base/base.h"
#include "engine/spec_internal.h"
#include "oci/oci.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#define CAP_BIT(c) (UINT64_C(1) << (c))

#define AF_VSOCK_NR 40
/* CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET */
#define CLONE_NS_FLAGS 0x7E020000

/* What every container may call, whatever its capabilities (space-separated). */
static const char allow_always[] =
	"accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown chown32 "
	"clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 "
	"clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 "
	"epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old "
	"eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate "
	"fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync "
	"fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync "
	"ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait futex_waitv futex_wake futimesat "
	"getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups "
	"getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid "
	"getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname getsockopt "
	"get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch inotify_init "
	"inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents "
	"io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule "
	"landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr "
	"llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier "
	"memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect "
	"mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend "
	"mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap "
	"name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open "
	"pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 "
	"preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read "
	"readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages "
	"removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending "
	"rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 "
	"rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max "
	"sched_get_priority_min sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 "
	"sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield seccomp select semctl "
	"semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid "
	"setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority "
	"setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit "
	"set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr shmat "
	"shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socketcall "
	"socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs "
	"sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 "
	"timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
	"timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat utime "
	"utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev "
	/* ptrace is harmless on kernels >= 4.8 (seccomp runs after the tracer): Docker allows it */
	"process_vm_readv process_vm_writev ptrace";

struct sc_arg {
	unsigned index;
	uint64_t value, value_two;
	enum oci_seccomp_op op;
};

/* One group of Docker's profile: names allowed (or errno'd) under conditions. */
struct sc_rule {
	const char *names;  /* space-separated */
	const char *arches; /* Go arch names the rule is for (space-separated), NULL: all */
	int cap;	    /* needs this capability; -1: none */
	int not_cap;	    /* only without this capability; -1: none */
	enum oci_seccomp_action action;
	unsigned errno_ret; /* for ERRNO, 0: none */
	size_t n_args;
	struct sc_arg args[1];
};

#define ALLOW OCI_SECCOMP_ACT_ALLOW
#define EQ(v)                                        \
	{                                            \
		{                                    \
			0, (v), 0, OCI_SECCOMP_OP_EQ \
		}                                    \
	}

static const struct sc_rule rules[] = {
	/* personality: only the harmless domains (PER_LINUX, PER_LINUX32, UNAME26 variants, query) */
	{"personality", NULL, -1, -1, ALLOW, 0, 1, EQ(0x0)},
	{"personality", NULL, -1, -1, ALLOW, 0, 1, EQ(0x0008)},
	{"personality", NULL, -1, -1, ALLOW, 0, 1, EQ(0x20000)},
	{"personality", NULL, -1, -1, ALLOW, 0, 1, EQ(0x20008)},
	{"personality", NULL, -1, -1, ALLOW, 0, 1, EQ(0xffffffff)},
	/* vsock reaches the host's hypervisor sockets across namespaces */
	{"socket", NULL, -1, -1, ALLOW, 0, 1, {{0, AF_VSOCK_NR, 0, OCI_SECCOMP_OP_NE}}},
	{"arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls",
	 "arm arm64",
	 -1,
	 -1,
	 ALLOW,
	 0,
	 0,
	 {{0}}},
	{"arch_prctl", "amd64 x32", -1, -1, ALLOW, 0, 0, {{0}}},
	{"modify_ldt", "amd64 x32 386", -1, -1, ALLOW, 0, 0, {{0}}},
	{"open_by_handle_at", NULL, CAP_DAC_READ_SEARCH, -1, ALLOW, 0, 0, {{0}}},
	{"bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount mount_setattr "
	 "move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog "
	 "umount umount2 unshare",
	 NULL,
	 CAP_SYS_ADMIN,
	 -1,
	 ALLOW,
	 0,
	 0,
	 {{0}}},
	/* without CAP_SYS_ADMIN, clone may not create namespaces */
	{"clone", NULL, -1, CAP_SYS_ADMIN, ALLOW, 0, 1, {{0, CLONE_NS_FLAGS, 0, OCI_SECCOMP_OP_MASKED_EQ}}},
	/* clone3's flags live in memory seccomp cannot read: ENOSYS makes glibc fall back to clone */
	{"clone3", NULL, -1, CAP_SYS_ADMIN, OCI_SECCOMP_ACT_ERRNO, ENOSYS, 0, {{0}}},
	{"reboot", NULL, CAP_SYS_BOOT, -1, ALLOW, 0, 0, {{0}}},
	{"chroot", NULL, CAP_SYS_CHROOT, -1, ALLOW, 0, 0, {{0}}},
	{"delete_module init_module finit_module", NULL, CAP_SYS_MODULE, -1, ALLOW, 0, 0, {{0}}},
	{"acct", NULL, CAP_SYS_PACCT, -1, ALLOW, 0, 0, {{0}}},
	{"kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
	 NULL,
	 CAP_SYS_PTRACE,
	 -1,
	 ALLOW,
	 0,
	 0,
	 {{0}}},
	{"iopl ioperm", NULL, CAP_SYS_RAWIO, -1, ALLOW, 0, 0, {{0}}},
	{"settimeofday stime clock_settime clock_settime64", NULL, CAP_SYS_TIME, -1, ALLOW, 0, 0, {{0}}},
	{"vhangup", NULL, CAP_SYS_TTY_CONFIG, -1, ALLOW, 0, 0, {{0}}},
	{"get_mempolicy mbind set_mempolicy set_mempolicy_home_node", NULL, CAP_SYS_NICE, -1, ALLOW, 0, 0, {{0}}},
	{"syslog", NULL, CAP_SYSLOG, -1, ALLOW, 0, 0, {{0}}},
	{"bpf", NULL, CAP_BPF, -1, ALLOW, 0, 0, {{0}}},
	{"perf_event_open", NULL, CAP_PERFMON, -1, ALLOW, 0, 0, {{0}}},
};

/* Go arch -> native and companion seccomp architectures. */
static const struct {
	const char *go;
	const char *scmp[3];
} arch_map[] = {
	{"amd64", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
	{"arm64", {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL}},
	{"386", {"SCMP_ARCH_X86", NULL, NULL}},
	{"arm", {"SCMP_ARCH_ARM", NULL, NULL}},
	{"ppc64le", {"SCMP_ARCH_PPC64LE", NULL, NULL}},
	{"s390x", {"SCMP_ARCH_S390X", "SCMP_ARCH_S390", NULL}},
	{"riscv64", {"SCMP_ARCH_RISCV64", NULL, NULL}},
};

static const char *native_arch(const char *arch)
{
	if (arch)
		return arch;
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__)
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#else
	return "riscv64";
#endif
}

static json_t *architectures(const char *arch)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof(arch_map) / sizeof(arch_map[0]); i++)
		if (strcmp(arch_map[i].go, arch) == 0)
			for (size_t j = 0; j < 3 && arch_map[i].scmp[j]; j++)
				json_array_append_new(a, json_string(arch_map[i].scmp[j]));
	return a;
}

static json_t *split_names(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");

		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n + (p[n] == ' ');
	}
	return a;
}

static bool word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");

		if (n == wl && memcmp(p, word, n) == 0)
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

static json_t *arg_json(const struct sc_arg *a)
{
	return json_pack("{s:I, s:I, s:I, s:s}", "index", (json_int_t)a->index, "value", (json_int_t)a->value,
			 "valueTwo", (json_int_t)a->value_two, "op", oci_seccomp_op_name(a->op));
}

static json_t *rule_json(const struct sc_rule *r)
{
	json_t *o =
		json_pack("{s:o, s:s}", "names", split_names(r->names), "action", oci_seccomp_action_name(r->action));

	if (r->errno_ret)
		json_object_set_new(o, "errnoRet", json_integer(r->errno_ret));
	if (r->n_args) {
		json_t *args = json_array();

		for (size_t i = 0; i < r->n_args; i++)
			json_array_append_new(args, arg_json(&r->args[i]));
		json_object_set_new(o, "args", args);
	}
	return o;
}

json_t *spec_seccomp_default(uint64_t caps, const char *arch)
{
	json_t *syscalls = json_array();

	arch = native_arch(arch);
	json_array_append_new(syscalls,
			      json_pack("{s:o, s:s}", "names", split_names(allow_always), "action", "SCMP_ACT_ALLOW"));
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct sc_rule *r = &rules[i];

		if (r->arches && !word_in(r->arches, arch))
			continue;
		if (r->cap >= 0 && !(caps & CAP_BIT(r->cap)))
			continue;
		if (r->not_cap >= 0 && (caps & CAP_BIT(r->not_cap)))
			continue;
		json_array_append_new(syscalls, rule_json(r));
	}
	return json_pack("{s:s, s:i, s:o, s:o}", "defaultAction", "SCMP_ACT_ERRNO", "defaultErrnoRet", 1,
			 "architectures", architectures(arch), "syscalls", syscalls);
}

/* A Docker profile's includes/excludes "caps" and "arches" against the container. */
static bool any_cap(json_t *list, uint64_t caps, bool all)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		int c = json_is_string(v) ? oci_cap_from_name(json_string_value(v)) : -1;
		bool has = c >= 0 && c < 64 && (caps & CAP_BIT(c));

		if (all && !has)
			return false;
		if (!all && has)
			return true;
	}
	return all;
}

static bool has_string(json_t *list, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/* Docker's rule: every included cap present, no excluded cap present, the arch listed / not listed. */
static bool rule_applies(json_t *rule, uint64_t caps, const char *arch)
{
	json_t *inc = json_object_get(rule, "includes"), *exc = json_object_get(rule, "excludes");
	json_t *ia = json_object_get(inc, "arches"), *ea = json_object_get(exc, "arches");

	if (json_array_size(ia) && !has_string(ia, arch))
		return false;
	if (json_array_size(ea) && has_string(ea, arch))
		return false;
	if (!any_cap(json_object_get(inc, "caps"), caps, true))
		return false;
	return !(json_array_size(json_object_get(exc, "caps")) && any_cap(json_object_get(exc, "caps"), caps, false));
}

static int convert_rule(json_t *rule, size_t i, json_t **ret, struct berth_error **err)
{
	json_t *name = json_object_get(rule, "name"), *names = json_object_get(rule, "names"), *out, *v;
	static const char *const keys[] = {"action", "errnoRet", "args"};

	if (!json_is_object(rule))
		return berth_error_set(err, 0, "seccomp profile: syscalls[%zu]: expected object", i);
	if (name && json_array_size(names))
		return berth_error_set(err, 0, "seccomp profile: syscalls[%zu]: use either 'name' or 'names', not both",
				       i);
	if (!json_is_string(json_object_get(rule, "action")))
		return berth_error_set(err, 0, "seccomp profile: syscalls[%zu].action: required", i);
	out = json_object();
	json_object_set_new(out, "names", name ? json_pack("[O]", name) : json_deep_copy(names));
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if ((v = json_object_get(rule, keys[k])))
			json_object_set_new(out, keys[k], json_deep_copy(v));
	*ret = out;
	return 0;
}

/* archMap: the native architecture's entry and its subArchitectures; else "architectures" as written. */
static int convert_arches(json_t *prof, const char *arch, json_t *out, struct berth_error **err)
{
	json_t *map = json_object_get(prof, "archMap"), *list = json_object_get(prof, "architectures"), *e;
	_cleanup_(json_decrefp) json_t *native = architectures(arch);
	const char *first = json_string_value(json_array_get(native, 0));
	size_t i;

	if (json_array_size(map) && json_array_size(list))
		return berth_error_set(err, 0, "seccomp profile: use either 'architectures' or 'archMap', not both");
	if (list)
		json_object_set_new(out, "architectures", json_deep_copy(list));
	json_array_foreach(map, i, e)
	{
		const char *a = json_string_value(json_object_get(e, "architecture"));

		if (!a || !first || strcmp(a, first) != 0)
			continue;
		list = json_pack("[s]", a);
		json_array_extend(list, json_object_get(e, "subArchitectures"));
		json_object_set_new(out, "architectures", list);
	}
	return 0;
}

int spec_seccomp_from_profile(const char *text, uint64_t caps, const char *arch, json_t **ret, struct berth_error **err)
{
	static const char *const keys[] = {"defaultAction", "defaultErrnoRet", "flags", "listenerPath",
					   "listenerMetadata"};
	_cleanup_(json_decrefp) json_t *prof = NULL, *out = json_object();
	json_t *syscalls = json_array(), *rule, *v;
	json_error_t je;
	size_t i;

	json_object_set_new(out, "syscalls", syscalls);
	prof = json_loads(text, 0, &je);
	if (!prof)
		return berth_error_set(err, 0, "seccomp profile: line %d: %s", je.line, je.text);
	if (!json_is_object(prof))
		return berth_error_set(err, 0, "seccomp profile: expected object");
	if (!json_is_string(json_object_get(prof, "defaultAction")))
		return berth_error_set(err, 0, "seccomp profile: defaultAction: required");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if ((v = json_object_get(prof, keys[k])))
			json_object_set_new(out, keys[k], json_deep_copy(v));
	arch = native_arch(arch);
	if (convert_arches(prof, arch, out, err) < 0)
		return -1;
	json_array_foreach(json_object_get(prof, "syscalls"), i, rule)
	{
		json_t *r = NULL;

		if (!rule_applies(rule, caps, arch))
			continue;
		if (convert_rule(rule, i, &r, err) < 0)
			return -1;
		json_array_append_new(syscalls, r);
	}
	*ret = TAKE_PTR(out);
	return 0;
}
