/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp of config.json: default action, architectures, flags, the
 * listener and the syscall rules with their argument comparisons.
 */
#include <string.h>

#include "oci/internal.h"

static const char *const action_names[OCI_SECCOMP_ACT_COUNT] = {
	[OCI_SECCOMP_ACT_KILL] = "SCMP_ACT_KILL",
	[OCI_SECCOMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[OCI_SECCOMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[OCI_SECCOMP_ACT_TRAP] = "SCMP_ACT_TRAP",
	[OCI_SECCOMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[OCI_SECCOMP_ACT_TRACE] = "SCMP_ACT_TRACE",
	[OCI_SECCOMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[OCI_SECCOMP_ACT_LOG] = "SCMP_ACT_LOG",
	[OCI_SECCOMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const op_names[OCI_SECCOMP_OP_COUNT] = {
	[OCI_SECCOMP_OP_NE] = "SCMP_CMP_NE",
	[OCI_SECCOMP_OP_LT] = "SCMP_CMP_LT",
	[OCI_SECCOMP_OP_LE] = "SCMP_CMP_LE",
	[OCI_SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
	[OCI_SECCOMP_OP_GE] = "SCMP_CMP_GE",
	[OCI_SECCOMP_OP_GT] = "SCMP_CMP_GT",
	[OCI_SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* Sorted by spec name, as runc's features lists them. */
static const struct {
	const char *name;
	const char *libname;
} archs[] = {
	{"SCMP_ARCH_AARCH64", "aarch64"},
	{"SCMP_ARCH_ARM", "arm"},
	{"SCMP_ARCH_MIPS", "mips"},
	{"SCMP_ARCH_MIPS64", "mips64"},
	{"SCMP_ARCH_MIPS64N32", "mips64n32"},
	{"SCMP_ARCH_MIPSEL", "mipsel"},
	{"SCMP_ARCH_MIPSEL64", "mipsel64"},
	{"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
	{"SCMP_ARCH_PPC", "ppc"},
	{"SCMP_ARCH_PPC64", "ppc64"},
	{"SCMP_ARCH_PPC64LE", "ppc64le"},
	{"SCMP_ARCH_RISCV64", "riscv64"},
	{"SCMP_ARCH_S390", "s390"},
	{"SCMP_ARCH_S390X", "s390x"},
	{"SCMP_ARCH_X32", "x32"},
	{"SCMP_ARCH_X86", "x86"},
	{"SCMP_ARCH_X86_64", "x86_64"},
};

static int index_of(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int oci_seccomp_action_from_name(const char *name)
{
	return index_of(action_names, OCI_SECCOMP_ACT_COUNT, name);
}

const char *oci_seccomp_action_name(enum oci_seccomp_action a)
{
	return (unsigned)a < OCI_SECCOMP_ACT_COUNT ? action_names[a] : NULL;
}

int oci_seccomp_op_from_name(const char *name)
{
	return index_of(op_names, OCI_SECCOMP_OP_COUNT, name);
}

const char *oci_seccomp_op_name(enum oci_seccomp_op op)
{
	return (unsigned)op < OCI_SECCOMP_OP_COUNT ? op_names[op] : NULL;
}

const char *oci_seccomp_arch_name(size_t i)
{
	return i < sizeof(archs) / sizeof(archs[0]) ? archs[i].name : NULL;
}

const char *oci_seccomp_arch_libname(size_t i)
{
	return i < sizeof(archs) / sizeof(archs[0]) ? archs[i].libname : NULL;
}

const char *oci_seccomp_arch_to_libname(const char *name)
{
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++)
		if (!strcmp(archs[i].name, name))
			return archs[i].libname;
	return NULL;
}

static int dec_action(struct oci_dec *d, json_t *v, void *out)
{
	_cleanup_free_ char *name = NULL;
	int a;

	if (oci_dec_string(d, v, &name) < 0)
		return -1;
	a = oci_seccomp_action_from_name(name);
	if (a < 0)
		return oci_dec_fail(d, "unknown action '%s'", name);
	*(enum oci_seccomp_action *)out = (enum oci_seccomp_action)a;
	return 0;
}

static int dec_op(struct oci_dec *d, json_t *v, void *out)
{
	_cleanup_free_ char *name = NULL;
	int op;

	if (oci_dec_string(d, v, &name) < 0)
		return -1;
	op = oci_seccomp_op_from_name(name);
	if (op < 0)
		return oci_dec_fail(d, "unknown operator '%s'", name);
	*(enum oci_seccomp_op *)out = (enum oci_seccomp_op)op;
	return 0;
}

/* SCMP_ACT_ERRNO and SCMP_ACT_TRACE carry 16 bits of data. */
static int dec_errno_ret(struct oci_dec *d, json_t *v, void *out)
{
	int64_t x;

	if (oci_dec_integer(d, v, 0, UINT16_MAX, &x) < 0)
		return -1;
	*(unsigned *)out = (unsigned)x;
	return 0;
}

/* A syscall has six arguments. */
static int dec_arg_index(struct oci_dec *d, json_t *v, void *out)
{
	int64_t x;

	if (oci_dec_integer(d, v, 0, 5, &x) < 0)
		return -1;
	*(unsigned *)out = (unsigned)x;
	return 0;
}

static const struct oci_field arg_fields[] = {
	OCI_FIELD("index", dec_arg_index, struct oci_seccomp_arg, index, OCI_F_REQUIRED),
	OCI_FIELD("value", oci_dec_uint64, struct oci_seccomp_arg, value, 0),
	OCI_FIELD("valueTwo", oci_dec_uint64, struct oci_seccomp_arg, value_two, 0),
	OCI_FIELD("op", dec_op, struct oci_seccomp_arg, op, OCI_F_REQUIRED),
	OCI_FIELD_END,
};

static int dec_arg(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, arg_fields, out);
}

static const struct oci_field syscall_fields[] = {
	OCI_FIELD("names", oci_dec_strv, struct oci_seccomp_syscall, names, 0),
	OCI_FIELD("action", dec_action, struct oci_seccomp_syscall, action, OCI_F_REQUIRED),
	OCI_FIELD_HAS("errnoRet", dec_errno_ret, struct oci_seccomp_syscall, errno_ret, has_errno_ret, 0),
	OCI_FIELD_ARRAY("args", dec_arg, struct oci_seccomp_syscall, args, n_args, 0),
	OCI_FIELD_END,
};

static int dec_syscall(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, syscall_fields, out);
}

static int dec_archs(struct oci_dec *d, json_t *v, void *out)
{
	char ***archv = out;

	if (oci_dec_strv(d, v, archv) < 0)
		return -1;
	for (size_t i = 0; *archv && (*archv)[i]; i++) {
		if (!oci_seccomp_arch_to_libname((*archv)[i])) {
			oci_dec_push_index(d, i);
			return oci_dec_fail(d, "unknown architecture '%s'", (*archv)[i]);
		}
	}
	return 0;
}

/* Present only to tell "defaultAction" absent from given (the struct keeps the enum). */
struct seccomp_entry {
	struct oci_seccomp sc;
	bool has_default_action;
};

static const struct oci_field seccomp_fields[] = {
	OCI_FIELD_HAS("defaultAction", dec_action, struct seccomp_entry, sc.default_action, has_default_action, 0),
	OCI_FIELD_HAS("defaultErrnoRet", dec_errno_ret, struct seccomp_entry, sc.default_errno_ret,
		      sc.has_default_errno_ret, 0),
	OCI_FIELD("architectures", dec_archs, struct seccomp_entry, sc.architectures, 0),
	OCI_FIELD("flags", oci_dec_strv, struct seccomp_entry, sc.flags, 0),
	OCI_FIELD("listenerPath", oci_dec_string_or_null, struct seccomp_entry, sc.listener_path, 0),
	OCI_FIELD("listenerMetadata", oci_dec_string_or_null, struct seccomp_entry, sc.listener_metadata, 0),
	OCI_FIELD_ARRAY("syscalls", dec_syscall, struct seccomp_entry, sc.syscalls, sc.n_syscalls, 0),
	OCI_FIELD_END,
};

/* runc's rules for SCMP_ACT_NOTIFY: not as default, not for write (the listener could block us), needs a listener. */
static int check_notify(struct oci_dec *d, const struct oci_seccomp *sc)
{
	if (sc->default_action == OCI_SECCOMP_ACT_NOTIFY) {
		oci_dec_push_key(d, "defaultAction");
		return oci_dec_fail(d, "SCMP_ACT_NOTIFY cannot be the default action");
	}
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct oci_seccomp_syscall *s = &sc->syscalls[i];

		if (s->action != OCI_SECCOMP_ACT_NOTIFY)
			continue;
		for (size_t j = 0; s->names && s->names[j]; j++) {
			if (!strcmp(s->names[j], "write")) {
				oci_dec_push_key(d, "syscalls");
				oci_dec_push_index(d, i);
				return oci_dec_fail(d, "SCMP_ACT_NOTIFY cannot be used for the write syscall");
			}
		}
		if (!sc->listener_path) {
			oci_dec_push_key(d, "listenerPath");
			return oci_dec_fail(d, "required by SCMP_ACT_NOTIFY in syscalls[%zu]", i);
		}
	}
	return 0;
}

static struct oci_seccomp *seccomp_copy(const struct oci_seccomp *src)
{
	struct oci_seccomp *sc = xcalloc(1, sizeof(*sc));

	*sc = *src;
	return sc;
}

static int dec_section(struct oci_dec *d, json_t *v, struct oci_seccomp **ret)
{
	struct seccomp_entry e = {0};
	struct oci_seccomp *sc;

	/* owned by the caller from the start, so that a failure midway is freed with the config */
	if (oci_dec_object(d, v, seccomp_fields, &e) < 0) {
		*ret = seccomp_copy(&e.sc);
		return -1;
	}
	/* neither a default action nor rules: seccomp is off, as in runc */
	if (!e.has_default_action && e.sc.n_syscalls == 0) {
		oci_seccomp_free(seccomp_copy(&e.sc));
		return 0;
	}
	sc = *ret = seccomp_copy(&e.sc);
	if (!e.has_default_action) {
		oci_dec_push_key(d, "defaultAction");
		return oci_dec_fail(d, "required");
	}
	return check_notify(d, sc);
}

int oci_dec_seccomp(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_linux *l = out;

	if (oci_dec_json_text(d, v, &l->seccomp_json) < 0)
		return -1;
	oci_seccomp_free(l->seccomp);
	l->seccomp = NULL;
	return dec_section(d, v, &l->seccomp);
}

void oci_seccomp_free(struct oci_seccomp *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		strv_free(sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
	strv_free(sc->architectures);
	strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	free(sc);
}
