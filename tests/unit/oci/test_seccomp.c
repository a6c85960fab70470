/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp decoding: every field, the names tables, and every error with its JSON path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"

#define HEAD "{\"ociVersion\": \"1.0.2\", \"linux\": {\"seccomp\": "
#define TAIL "}}"

static struct oci_config *parse_ok(const char *json)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	if (oci_config_parse(json, strlen(json), "config.json", &c, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	return c;
}

static void test_full(void **state)
{
	static const char json[] =
		HEAD "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		     " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
		     " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SOMETHING_NEW\"],"
		     " \"listenerPath\": \"/run/l.sock\", \"listenerMetadata\": \"meta\","
		     " \"syscalls\": ["
		     "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		     "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},"
		     "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		     "    {\"index\": 0, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_EQ\"},"
		     "    {\"index\": 5, \"value\": 255, \"valueTwo\": 8, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
		     "  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_NOTIFY\"},"
		     "  {\"action\": \"SCMP_ACT_KILL_PROCESS\"}"
		     "]}" TAIL;
	struct oci_config *c = parse_ok(json);
	const struct oci_seccomp *sc = c->linux_.seccomp;

	assert_non_null(sc);
	assert_non_null(c->linux_.seccomp_json);
	assert_int_equal(sc->default_action, OCI_SECCOMP_ACT_ERRNO);
	assert_true(sc->has_default_errno_ret);
	assert_int_equal(sc->default_errno_ret, 38);
	assert_int_equal(strv_length(sc->architectures), 3);
	assert_string_equal(sc->architectures[2], "SCMP_ARCH_X32");
	assert_string_equal(sc->flags[1], "SECCOMP_FILTER_FLAG_SOMETHING_NEW");
	assert_string_equal(sc->listener_path, "/run/l.sock");
	assert_string_equal(sc->listener_metadata, "meta");
	assert_int_equal(sc->n_syscalls, 5);
	assert_string_equal(sc->syscalls[0].names[1], "write");
	assert_int_equal(sc->syscalls[0].action, OCI_SECCOMP_ACT_ALLOW);
	assert_false(sc->syscalls[0].has_errno_ret);
	assert_true(sc->syscalls[1].has_errno_ret);
	assert_int_equal(sc->syscalls[1].errno_ret, 1);
	assert_int_equal(sc->syscalls[2].n_args, 2);
	assert_true(sc->syscalls[2].args[0].value == UINT64_MAX);
	assert_int_equal(sc->syscalls[2].args[0].op, OCI_SECCOMP_OP_EQ);
	assert_int_equal(sc->syscalls[2].args[1].index, 5);
	assert_int_equal(sc->syscalls[2].args[1].value, 255);
	assert_int_equal(sc->syscalls[2].args[1].value_two, 8);
	assert_int_equal(sc->syscalls[2].args[1].op, OCI_SECCOMP_OP_MASKED_EQ);
	assert_int_equal(sc->syscalls[3].action, OCI_SECCOMP_ACT_NOTIFY);
	assert_null(sc->syscalls[4].names);
	assert_int_equal(sc->syscalls[4].action, OCI_SECCOMP_ACT_KILL_PROCESS);
	oci_config_free(c);
}

static void test_every_op_and_action(void **state)
{
	for (int op = 0; op < OCI_SECCOMP_OP_COUNT; op++) {
		_cleanup_free_ char *json =
			xasprintf(HEAD "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
				       "[\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
				       "[{\"index\": 1, \"value\": 9, \"op\": \"%s\"}]}]}" TAIL,
				  oci_seccomp_op_name((enum oci_seccomp_op)op));
		struct oci_config *c = parse_ok(json);

		assert_int_equal(c->linux_.seccomp->syscalls[0].args[0].op, op);
		assert_int_equal(oci_seccomp_op_from_name(oci_seccomp_op_name((enum oci_seccomp_op)op)), op);
		oci_config_free(c);
	}
	for (int a = 0; a < OCI_SECCOMP_ACT_COUNT; a++) {
		/* NOTIFY cannot be the default action */
		if (a == OCI_SECCOMP_ACT_NOTIFY)
			continue;
		_cleanup_free_ char *json = xasprintf(HEAD "{\"defaultAction\": \"%s\"}" TAIL,
						      oci_seccomp_action_name((enum oci_seccomp_action)a));
		struct oci_config *c = parse_ok(json);

		assert_int_equal(c->linux_.seccomp->default_action, a);
		assert_int_equal(c->linux_.seccomp->n_syscalls, 0);
		oci_config_free(c);
	}
	assert_int_equal(oci_seccomp_action_from_name("SCMP_ACT_KILL_THREAD"), OCI_SECCOMP_ACT_KILL_THREAD);
	assert_int_equal(oci_seccomp_action_from_name("SCMP_ACT_FOO"), -1);
	assert_int_equal(oci_seccomp_op_from_name("SCMP_CMP_FOO"), -1);
	assert_null(oci_seccomp_action_name(OCI_SECCOMP_ACT_COUNT));
	assert_null(oci_seccomp_op_name(OCI_SECCOMP_OP_COUNT));
}

static void test_archs(void **state)
{
	size_t i;

	for (i = 0; oci_seccomp_arch_name(i); i++) {
		assert_non_null(oci_seccomp_arch_libname(i));
		assert_string_equal(oci_seccomp_arch_to_libname(oci_seccomp_arch_name(i)), oci_seccomp_arch_libname(i));
		if (i > 0)
			assert_true(strcmp(oci_seccomp_arch_name(i - 1), oci_seccomp_arch_name(i)) < 0);
	}
	assert_true(i >= 16);
	assert_null(oci_seccomp_arch_libname(i));
	assert_string_equal(oci_seccomp_arch_to_libname("SCMP_ARCH_X86_64"), "x86_64");
	assert_null(oci_seccomp_arch_to_libname("x86_64"));
}

/* Off, as in runc: absent, null, or neither defaultAction nor syscalls; the JSON text is kept whenever present. */
static void test_disabled(void **state)
{
	static const char *const docs[] = {
		"{\"ociVersion\": \"1.0.2\", \"linux\": {}}",
		HEAD "null" TAIL,
		HEAD "{}" TAIL,
		HEAD "{\"architectures\": [\"SCMP_ARCH_X86\"], \"syscalls\": []}" TAIL,
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct oci_config *c = parse_ok(docs[i]);

		assert_null(c->linux_.seccomp);
		if (i >= 2)
			assert_non_null(c->linux_.seccomp_json);
		oci_config_free(c);
	}
}

struct error_case {
	const char *section;
	const char *msg;
};

static void test_errors(void **state)
{
	static const struct error_case cases[] = {
		{"[]", "linux.seccomp: expected object"},
		{"{\"defaultAction\": 1}", "linux.seccomp.defaultAction: expected string"},
		{"{\"defaultAction\": \"SCMP_ACT_FOO\"}", "linux.seccomp.defaultAction: unknown action 'SCMP_ACT_FOO'"},
		{"{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
		 "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
		{"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
		 "linux.seccomp.defaultErrnoRet: value -1 out of range [0, 65535]"},
		{"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": \"1\"}",
		 "linux.seccomp.defaultErrnoRet: expected integer"},
		{"{\"architectures\": \"SCMP_ARCH_X86\"}", "linux.seccomp.architectures: expected array"},
		{"{\"architectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_Z80\"]}",
		 "linux.seccomp.architectures[1]: unknown architecture 'SCMP_ARCH_Z80'"},
		{"{\"architectures\": [1]}", "linux.seccomp.architectures[0]: expected string"},
		{"{\"flags\": [true]}", "linux.seccomp.flags[0]: expected string"},
		{"{\"listenerPath\": 1}", "linux.seccomp.listenerPath: expected string"},
		{"{\"listenerMetadata\": {}}", "linux.seccomp.listenerMetadata: expected string"},
		{"{\"syscalls\": {}}", "linux.seccomp.syscalls: expected array"},
		{"{\"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		 "linux.seccomp.defaultAction: required"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [1]}",
		 "linux.seccomp.syscalls[0]: expected object"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]}",
		 "linux.seccomp.syscalls[0].action: required"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": "
		 "\"SCMP_ACT_LOG\"}, "
		 "{\"names\": [\"b\"], \"action\": \"SCMP_ACT_TRAP\"}, {\"names\": [\"c\"], \"action\": "
		 "\"SCMP_ACT_FOO\"}]}",
		 "linux.seccomp.syscalls[2].action: unknown action 'SCMP_ACT_FOO'"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": \"read\", \"action\": "
		 "\"SCMP_ACT_ERRNO\"}]}",
		 "linux.seccomp.syscalls[0].names: expected array"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\", 2], \"action\": "
		 "\"SCMP_ACT_ERRNO\"}]}",
		 "linux.seccomp.syscalls[0].names[1]: expected string"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"errnoRet\": 65536}]}",
		 "linux.seccomp.syscalls[0].errnoRet: value 65536 out of range [0, 65535]"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": {}}]}",
		 "linux.seccomp.syscalls[0].args: expected array"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		 "linux.seccomp.syscalls[0].args[0].index: value 6 out of range [0, 5]"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"op\": \"SCMP_CMP_EQ\"}]}]}",
		 "linux.seccomp.syscalls[0].args[0].index: required"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0}]}]}",
		 "linux.seccomp.syscalls[0].args[0].op: required"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_SIMILAR\"}]}]}",
		 "linux.seccomp.syscalls[0].args[0].op: unknown operator 'SCMP_CMP_SIMILAR'"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		 "linux.seccomp.syscalls[0].args[0].value: value -1 out of range [0, 18446744073709551615]"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"valueTwo\": 18446744073709551616, \"op\": "
		 "\"SCMP_CMP_EQ\"}]}]}",
		 "linux.seccomp.syscalls[0].args[0].valueTwo: value 18446744073709551616 out of range [0, "
		 "18446744073709551615]"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/l\", \"syscalls\": [{\"names\": "
		 "[\"read\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"getpid\", \"write\"], \"action\": "
		 "\"SCMP_ACT_NOTIFY\"}]}",
		 "linux.seccomp.syscalls[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall"},
		{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"], \"action\": "
		 "\"SCMP_ACT_NOTIFY\"}]}",
		 "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY in syscalls[0]"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		_cleanup_free_ char *json = xasprintf(HEAD "%s" TAIL, cases[i].section);
		_cleanup_free_ char *want = xasprintf("config.json: %s", cases[i].msg);
		struct oci_config *c = NULL;

		if (oci_config_parse(json, strlen(json), "config.json", &c, &err) == 0) {
			oci_config_free(c);
			fail_msg("no error for %s", json);
		}
		assert_null(c);
		if (strcmp(err->msg, want) != 0)
			fail_msg("for %s\n  want: %s\n  got:  %s", json, want, err->msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),   cmocka_unit_test(test_every_op_and_action),
		cmocka_unit_test(test_archs),  cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
