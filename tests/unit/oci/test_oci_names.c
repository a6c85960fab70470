/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Name tables, mount option decoding and the default spec (compared with runc's output). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "base/base.h"
#include "oci/oci.h"

static const char *data_dir = ".";

static void test_namespaces(void **state)
{
	static const struct {
		enum oci_ns_type t;
		const char *name, *proc;
		int flag;
	} want[] = {
		{OCI_NS_PID, "pid", "pid", CLONE_NEWPID},
		{OCI_NS_NETWORK, "network", "net", CLONE_NEWNET},
		{OCI_NS_MOUNT, "mount", "mnt", CLONE_NEWNS},
		{OCI_NS_IPC, "ipc", "ipc", CLONE_NEWIPC},
		{OCI_NS_UTS, "uts", "uts", CLONE_NEWUTS},
		{OCI_NS_USER, "user", "user", CLONE_NEWUSER},
		{OCI_NS_CGROUP, "cgroup", "cgroup", CLONE_NEWCGROUP},
		{OCI_NS_TIME, "time", "time", 0x80},
	};

	assert_int_equal(sizeof(want) / sizeof(want[0]), OCI_NS_COUNT);
	for (size_t i = 0; i < OCI_NS_COUNT; i++) {
		assert_string_equal(oci_ns_type_name(want[i].t), want[i].name);
		assert_string_equal(oci_ns_proc_name(want[i].t), want[i].proc);
		assert_int_equal(oci_ns_clone_flag(want[i].t), want[i].flag);
		assert_int_equal(oci_ns_type_from_name(want[i].name), want[i].t);
	}
	assert_int_equal(oci_ns_type_from_name("net"), -1);
	assert_int_equal(oci_ns_type_from_name(""), -1);
	assert_null(oci_ns_type_name(OCI_NS_COUNT));
}

static void test_hooks_caps_rlimits(void **state)
{
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_PRESTART), "prestart");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_CREATE_RUNTIME), "createRuntime");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_START_CONTAINER), "startContainer");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_POSTSTART), "poststart");
	assert_string_equal(oci_hook_kind_name(OCI_HOOK_POSTSTOP), "poststop");
	assert_null(oci_hook_kind_name(OCI_HOOK_COUNT));

	assert_int_equal(oci_cap_from_name("CAP_KILL"), CAP_KILL);
	assert_int_equal(oci_cap_from_name("CAP_CHOWN"), 0);
	assert_int_equal(oci_cap_from_name("CAP_BPF"), CAP_BPF);
	assert_int_equal(oci_cap_from_name("kill"), -1);
	assert_int_equal(oci_cap_from_name("CAP_kill"), -1);
	assert_int_equal(oci_cap_last(), CAP_LAST_CAP);
	for (int cap = 0; cap <= oci_cap_last(); cap++)
		assert_int_equal(oci_cap_from_name(oci_cap_name(cap)), cap);
	assert_null(oci_cap_name(-1));
	assert_null(oci_cap_name(oci_cap_last() + 1));

	assert_int_equal(oci_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(oci_rlimit_from_name("RLIMIT_AS"), RLIMIT_AS);
	assert_int_equal(oci_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_int_equal(oci_rlimit_from_name("RLIMIT_STACK"), RLIMIT_STACK);
	assert_int_equal(oci_rlimit_from_name("NOFILE"), -1);
}

struct options_case {
	const char *type;
	const char *options[8];
	unsigned long flags, clear, propagation;
	bool is_bind;
	const char *data;
};

static const struct options_case options_cases[] = {
	{NULL, {NULL}, 0, 0, 0, false, NULL},
	{"tmpfs",
	 {"nosuid", "nodev", "noexec", "size=64k", "mode=755", NULL},
	 MS_NOSUID | MS_NODEV | MS_NOEXEC,
	 0,
	 0,
	 false,
	 "size=64k,mode=755"},
	{"bind", {NULL}, MS_BIND, 0, 0, true, NULL},
	{NULL, {"rbind", "rprivate", NULL}, MS_BIND | MS_REC, 0, MS_PRIVATE | MS_REC, true, NULL},
	{"none", {"bind", "shared", "slave", NULL}, MS_BIND, 0, MS_SLAVE, true, NULL},
	{NULL, {"ro", "rw", NULL}, 0, MS_RDONLY, 0, false, NULL},
	{NULL, {"rw", "ro", NULL}, MS_RDONLY, 0, 0, false, NULL},
	{NULL,
	 {"suid", "dev", "exec", "async", "atime", "diratime", "nomand", NULL},
	 0,
	 MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_NOATIME | MS_NODIRATIME | MS_MANDLOCK,
	 0,
	 false,
	 NULL},
	{NULL,
	 {"sync", "dirsync", "remount", "mand", "noatime", "nodiratime", NULL},
	 MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME,
	 0,
	 0,
	 false,
	 NULL},
	{NULL,
	 {"relatime", "strictatime", "nosymfollow", NULL},
	 MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW,
	 0,
	 0,
	 false,
	 NULL},
	{NULL, {"norelatime", "nostrictatime", NULL}, 0, MS_RELATIME | MS_STRICTATIME, 0, false, NULL},
	{NULL, {"unbindable", NULL}, 0, 0, MS_UNBINDABLE, false, NULL},
	{NULL, {"runbindable", NULL}, 0, 0, MS_UNBINDABLE | MS_REC, false, NULL},
	{NULL, {"rshared", NULL}, 0, 0, MS_SHARED | MS_REC, false, NULL},
	{NULL, {"rslave", NULL}, 0, 0, MS_SLAVE | MS_REC, false, NULL},
	{NULL, {"private", NULL}, 0, 0, MS_PRIVATE, false, NULL},
	{"overlay",
	 {"tmpcopyup", "idmap", "lowerdir=/a:/b", "", "ridmap", "defaults", "upperdir=/u", NULL},
	 0,
	 0,
	 0,
	 false,
	 "lowerdir=/a:/b,upperdir=/u"},
	{NULL, {"rro", "x-gvfs-hide", NULL}, 0, 0, 0, false, "rro,x-gvfs-hide"},
	{NULL,
	 {"acl", "lazytime", "iversion", "silent", NULL},
	 MS_POSIXACL | MS_LAZYTIME | MS_I_VERSION | MS_SILENT,
	 0,
	 0,
	 false,
	 NULL},
};

static void test_mount_options(void **state)
{
	for (size_t i = 0; i < sizeof(options_cases) / sizeof(options_cases[0]); i++) {
		const struct options_case *t = &options_cases[i];
		struct oci_mount m = {.type = (char *)t->type, .options = t->options[0] ? (char **)t->options : NULL};

		oci_mount_parse_options(&m);
		if (m.flags != t->flags || m.clear_flags != t->clear || m.propagation != t->propagation ||
		    m.is_bind != t->is_bind)
			fail_msg("case %zu: flags %#lx clear %#lx propagation %#lx bind %d", i, m.flags, m.clear_flags,
				 m.propagation, m.is_bind);
		if (t->data)
			assert_string_equal(m.data, t->data);
		else
			assert_null(m.data);
		/* idempotent */
		oci_mount_parse_options(&m);
		assert_int_equal(m.flags, t->flags);
		free(m.data);
	}
}

static void check_golden(bool rootless, uid_t uid, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", data_dir, file);
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *want = NULL, *got = NULL;
	struct oci_config *c = NULL;

	if (fs_read_file_at(AT_FDCWD, path, &want, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	got = oci_spec_default_json(rootless, uid, uid);
	assert_string_equal(got, want);
	assert_int_equal(oci_config_parse(got, strlen(got), NULL, &c, &err), 0);
	assert_int_equal(oci_config_validate(c, NULL, &err), 0);
	oci_config_free(c);
}

static void test_default_spec(void **state)
{
	/* files written by `runc spec` and, as nobody, `runc spec --rootless` (runc 1.1.5) */
	check_golden(false, 0, "runc-spec.json");
	check_golden(true, 65534, "runc-spec-rootless.json");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_hooks_caps_rlimits),
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_default_spec),
	};

	if (argc > 1)
		data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
