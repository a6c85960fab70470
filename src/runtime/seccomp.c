/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp compiled with libseccomp into a BPF program before READY, and
 * installed with one seccomp(2) call right before execve.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <seccomp.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "sys/sys.h"

/* runc turns on libseccomp's binary tree above this many rules (libseccomp <= 2.5.4 misbehaves with none). */
#define OPTIMIZE_ABOVE 32

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static void sock_filter_freep(struct sock_filter **p)
{
	free(*p);
}

/* runc's getAction: KILL is KILL_THREAD; ERRNO and TRACE return EPERM unless told otherwise. */
static uint32_t scmp_action(enum oci_seccomp_action a, bool has_ret, unsigned ret)
{
	unsigned data = has_ret ? ret : EPERM;

	switch (a) {
	case OCI_SECCOMP_ACT_KILL:
	case OCI_SECCOMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case OCI_SECCOMP_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case OCI_SECCOMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case OCI_SECCOMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(data);
	case OCI_SECCOMP_ACT_TRACE:
		return SCMP_ACT_TRACE(data);
	case OCI_SECCOMP_ACT_LOG:
		return SCMP_ACT_LOG;
	case OCI_SECCOMP_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case OCI_SECCOMP_ACT_ALLOW:
	default:
		return SCMP_ACT_ALLOW;
	}
}

static enum scmp_compare scmp_op(enum oci_seccomp_op op)
{
	static const enum scmp_compare ops[OCI_SECCOMP_OP_COUNT] = {
		[OCI_SECCOMP_OP_NE] = SCMP_CMP_NE,
		[OCI_SECCOMP_OP_LT] = SCMP_CMP_LT,
		[OCI_SECCOMP_OP_LE] = SCMP_CMP_LE,
		[OCI_SECCOMP_OP_EQ] = SCMP_CMP_EQ,
		[OCI_SECCOMP_OP_GE] = SCMP_CMP_GE,
		[OCI_SECCOMP_OP_GT] = SCMP_CMP_GT,
		[OCI_SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};

	return ops[op];
}

static bool uses_notify(const struct oci_seccomp *sc)
{
	if (sc->default_action == OCI_SECCOMP_ACT_NOTIFY)
		return true;
	for (size_t i = 0; i < sc->n_syscalls; i++)
		if (sc->syscalls[i].action == OCI_SECCOMP_ACT_NOTIFY && sc->syscalls[i].names)
			return true;
	return false;
}

/* runc counts rules per syscall name */
static size_t count_names(const struct oci_seccomp *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n_syscalls; i++)
		n += strv_length(sc->syscalls[i].names);
	return n;
}

static int add_archs(scmp_filter_ctx ctx, char *const *archs, struct berth_error **err)
{
	for (size_t i = 0; archs && archs[i]; i++) {
		const char *libname = oci_seccomp_arch_to_libname(archs[i]);
		uint32_t token = libname ? seccomp_arch_resolve_name(libname) : 0;
		int rc;

		if (token == 0)
			return berth_error_set(err, 0, "seccomp architecture '%s' is not supported by libseccomp",
					       archs[i]);
		/* the native one is in already */
		rc = seccomp_arch_add(ctx, token);
		if (rc < 0 && rc != -EEXIST)
			return berth_error_set(err, -rc, "add seccomp architecture '%s'", archs[i]);
	}
	return 0;
}

/*
 * One name of a rule. As runc: a rule whose action is the default one is
 * left out; conditions on distinct arguments are ANDed in one rule, but when
 * an argument is compared twice each condition becomes a rule of its own.
 */
static int add_rule(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *s, const char *name, uint32_t def,
		    struct berth_error **err)
{
	uint32_t act = scmp_action(s->action, s->has_errno_ret, s->errno_ret);
	struct scmp_arg_cmp conds[6 * 2];
	unsigned seen = 0, n = 0;
	bool repeated = false;
	int nr, rc = 0;

	if (act == def)
		return 0;
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		log_debug("unknown seccomp syscall '%s' ignored", name);
		return 0;
	}
	if (s->n_args > sizeof(conds) / sizeof(conds[0]))
		return berth_error_set(err, 0, "seccomp rule for syscall '%s': too many argument conditions", name);
	for (size_t i = 0; i < s->n_args; i++) {
		const struct oci_seccomp_arg *a = &s->args[i];

		repeated |= (seen & (1u << a->index)) != 0;
		seen |= 1u << a->index;
		conds[n++] = (struct scmp_arg_cmp){
			.arg = a->index, .op = scmp_op(a->op), .datum_a = a->value, .datum_b = a->value_two};
	}
	if (repeated) {
		for (unsigned i = 0; i < n && rc == 0; i++)
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &conds[i]);
	} else {
		rc = seccomp_rule_add_array(ctx, act, nr, n, conds);
	}
	if (rc < 0)
		return berth_error_set(err, -rc, "add seccomp rule for syscall '%s'", name);
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct oci_seccomp *sc, uint32_t def, struct berth_error **err)
{
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct oci_seccomp_syscall *s = &sc->syscalls[i];

		for (size_t j = 0; s->names && s->names[j]; j++) {
			if (!*s->names[j])
				return berth_error_set(err, 0, "seccomp: empty string is not a valid syscall");
			if (add_rule(ctx, s, s->names[j], def, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* SECCOMP_FILTER_FLAG_* for seccomp(2). TSYNC is moot: the process has one thread. */
static unsigned load_flags(char *const *flags, bool notify)
{
	unsigned f = notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;

	for (size_t i = 0; flags && flags[i]; i++) {
		if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_LOG"))
			f |= SECCOMP_FILTER_FLAG_LOG;
		else if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") && notify)
			f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		else if (!strcmp(flags[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
			/* only valid with a listener (the kernel says EINVAL otherwise) */
			log_debug("seccomp flag '%s' without a listener ignored", flags[i]);
		else if (strcmp(flags[i], "SECCOMP_FILTER_FLAG_TSYNC"))
			log_warn("unknown seccomp flag '%s', ignoring", flags[i]);
	}
	return f;
}

/* libseccomp 2.5 exports to an fd only: a memfd, read back into memory. */
static int export_bpf(scmp_filter_ctx ctx, struct rt_seccomp *ret, struct berth_error **err)
{
	_cleanup_close_ int fd = sys_memfd_create("berth-seccomp", MFD_CLOEXEC);
	_cleanup_(sock_filter_freep) struct sock_filter *insns = NULL;
	off_t size;
	int rc;

	if (fd < 0)
		return berth_error_set(err, errno, "memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return berth_error_set(err, -rc, "export seccomp filter");
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return berth_error_set(err, errno, "seek seccomp filter");
	if (size == 0 || size % sizeof(struct sock_filter) || size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return berth_error_set(err, E2BIG, "seccomp filter of %lld bytes", (long long)size);
	insns = xcalloc(1, (size_t)size);
	if (pread(fd, insns, (size_t)size, 0) != size)
		return berth_error_set(err, errno ? errno : EIO, "read seccomp filter");
	ret->insns = TAKE_PTR(insns);
	ret->len = (unsigned short)(size / sizeof(struct sock_filter));
	return 0;
}

int rt_seccomp_build(const struct oci_seccomp *sc, struct rt_seccomp *ret, struct berth_error **err)
{
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	uint32_t def;

	def = scmp_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret);
	ctx = seccomp_init(def);
	if (!ctx)
		return berth_error_set(err, EINVAL, "seccomp default action '%s'",
				       oci_seccomp_action_name(sc->default_action));
	if (add_archs(ctx, sc->architectures, err) < 0)
		return -1;
	if (count_names(sc) > OPTIMIZE_ABOVE && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		log_debug("seccomp binary tree optimization not available");
	if (add_rules(ctx, sc, def, err) < 0)
		return -1;
	if (export_bpf(ctx, ret, err) < 0)
		return -1;
	ret->notify = uses_notify(sc);
	ret->flags = load_flags(sc->flags, ret->notify);
	return 0;
}

#define CACHE_DIR ".seccomp"

/*
 * A cache entry is "<salt>\n<profile JSON>\0<BPF program>". The file name is
 * only an index (FNV-1a of salt and JSON): a hit must hold the very same
 * profile text, so a collision costs a rebuild, never a wrong filter, and no
 * cryptographic hash is needed on the start path.
 */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static bool cache_read(int dirfd, const char *name, const char *head, size_t head_len, const struct oci_seccomp *sc,
		       struct rt_seccomp *ret)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0, prog;

	if (dirfd < 0 || fs_read_file_at(dirfd, name, &data, &len, NULL) < 0)
		return false;
	if (len <= head_len || memcmp(data, head, head_len))
		return false;
	prog = len - head_len;
	if (prog == 0 || prog % sizeof(struct sock_filter) || prog / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return false;
	ret->insns = xmalloc(prog);
	memcpy(ret->insns, data + head_len, prog);
	ret->len = (unsigned short)(prog / sizeof(struct sock_filter));
	ret->notify = uses_notify(sc);
	ret->flags = load_flags(sc->flags, ret->notify);
	return true;
}

static void cache_write(const char *dir, int dirfd, const char *name, const char *head, size_t head_len,
			const struct rt_seccomp *f)
{
	_cleanup_close_ int fd = dirfd;
	struct berth_error *e = NULL;
	struct buf b = {0};

	if (fd < 0 && fs_mkdir_p_at(AT_FDCWD, dir, 0700, &e) == 0)
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	buf_append(&b, head, head_len);
	buf_append(&b, f->insns, f->len * sizeof(struct sock_filter));
	if (fd < 0 || fs_write_file_atomic_at(fd, name, b.data, b.len, 0600, &e) < 0)
		log_debug("seccomp cache '%s': %s", dir, e ? e->msg : strerror(errno));
	buf_done(&b);
	berth_error_free(&e);
}

int rt_seccomp_build_cached(const struct oci_seccomp *sc, const char *json, const char *state_root,
			    struct rt_seccomp *ret, struct berth_error **err)
{
	const struct scmp_version *v = seccomp_version();
	_cleanup_free_ char *dir = NULL, *head = NULL;
	int dirfd;
	char name[32];
	size_t head_len;

	if (!json || !state_root)
		return rt_seccomp_build(sc, ret, err);
	/* the salt: what else decides the program besides the profile */
	head = xasprintf("berth-seccomp-1 libseccomp %u.%u.%u arch %u\n%s", v ? v->major : 0, v ? v->minor : 0,
			 v ? v->micro : 0, seccomp_arch_native(), json);
	head_len = strlen(head) + 1;
	snprintf(name, sizeof(name), "%016llx.bpf", (unsigned long long)fnv1a(0xcbf29ce484222325ULL, head));
	dir = fs_path_join(state_root, CACHE_DIR);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (cache_read(dirfd, name, head, head_len, sc, ret)) {
		close(dirfd);
		return 0;
	}
	if (rt_seccomp_build(sc, ret, err) < 0) {
		if (dirfd >= 0)
			close(dirfd);
		return -1;
	}
	cache_write(dir, dirfd, name, head, head_len, ret);
	return 0;
}

int rt_seccomp_load(const struct rt_seccomp *p, int *ret_listener, struct berth_error **err)
{
	struct sock_fprog prog = {.len = p->len, .filter = p->insns};
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);

	if (rc >= 0) {
		/* with NEW_LISTENER the call returns the notification fd */
		if (ret_listener)
			*ret_listener = p->notify ? (int)rc : -1;
		else if (p->notify)
			close((int)rc);
		return 0;
	}
	/* kernels before 3.17 have prctl only, and so no flags */
	if (errno == ENOSYS && p->flags == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
		return 0;
	return berth_error_set(err, errno, "load seccomp filter");
}

void rt_seccomp_done(struct rt_seccomp *p)
{
	free(p->insns);
	p->insns = NULL;
	p->len = 0;
}

int rt_seccomp_send_listener(const struct oci_seccomp *sc, int fd, pid_t pid, const char *state_json,
			     struct berth_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int sock = -1;
	_cleanup_free_ char *text = NULL;
	json_t *msg, *state;
	int rc;

	if (strlen(sc->listener_path) >= sizeof(addr.sun_path))
		return berth_error_set(err, ENAMETOOLONG, "seccomp listener '%s'", sc->listener_path);
	strcpy(addr.sun_path, sc->listener_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berth_error_set(err, errno, "connect to seccomp listener '%s'", sc->listener_path);
	state = json_loads(state_json, 0, NULL);
	msg = json_pack("{s:s, s:[s], s:i, s:s, s:o}", "ociVersion", "1.0.2", "fds", "seccompFd", "pid", (int)pid,
			"metadata", sc->listener_metadata ? sc->listener_metadata : "", "state",
			state ? state : json_object());
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	rc = fd_send(sock, text, strlen(text), &fd, 1, err);
	return rc < 0 ? berth_error_wrap(err, "seccomp listener '%s'", sc->listener_path) : 0;
}
