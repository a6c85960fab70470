/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every decode error names the JSON path (or line and column for syntax errors). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"

struct error_case {
	const char *json;
	const char *msg;
};

static void expect_errors(const struct error_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct oci_config *c = NULL;

		if (oci_config_parse(cases[i].json, strlen(cases[i].json), "config.json", &c, &err) == 0) {
			oci_config_free(c);
			fail_msg("no error for %s", cases[i].json);
		}
		assert_null(c);
		if (strcmp(err->msg, cases[i].msg) != 0)
			fail_msg("for %s\n  want: %s\n  got:  %s", cases[i].json, cases[i].msg, err->msg);
	}
}

#define EXPECT(cases) expect_errors(cases, sizeof(cases) / sizeof(cases[0]))

static void test_syntax(void **state)
{
	static const struct error_case cases[] = {
		{"", "config.json: line 1 column 0: '[' or '{' expected near end of file"},
		{"{\"ociVersion\": }", "config.json: line 1 column 16: unexpected token near '}'"},
		{"{\n\t\"a\": 1,\n\t\"b\" 2\n}", "config.json: line 3 column 6: ':' expected near '2'"},
		{"{} x", "config.json: line 1 column 4: end of file expected near 'x'"},
		{"{\"a\": \"\\u0000\"}",
		 "config.json: line 1 column 14: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'"},
		/* positions stay right after a big integer was rewritten on the same line */
		{"{\"a\": 18446744073709551615, \"b\" 1}", "config.json: line 1 column 33: ':' expected near '1'"},
		{"{\"a\": [18446744073709551615,\n 99999999999999999999], \"b\": }",
		 "config.json: line 2 column 30: unexpected token near '}'"},
	};

	EXPECT(cases);
}

static void test_types(void **state)
{
	static const struct error_case cases[] = {
		{"[]", "config.json: expected object"},
		{"{\"ociVersion\": 1}", "config.json: ociVersion: expected string"},
		{"{\"root\": \"rootfs\"}", "config.json: root: expected object"},
		{"{\"root\": {\"readonly\": \"yes\"}}", "config.json: root.readonly: expected boolean"},
		{"{\"process\": {\"args\": [\"sh\", 1]}}", "config.json: process.args[1]: expected string"},
		{"{\"process\": {\"args\": \"sh\"}}", "config.json: process.args: expected array"},
		{"{\"process\": {\"user\": {\"uid\": \"0\"}}}", "config.json: process.user.uid: expected integer"},
		{"{\"process\": {\"user\": {\"uid\": 1.5}}}", "config.json: process.user.uid: expected integer"},
		{"{\"process\": {\"user\": {\"additionalGids\": [1, true]}}}",
		 "config.json: process.user.additionalGids[1]: expected integer"},
		{"{\"process\": {\"capabilities\": {\"effective\": [\"CAP_KILL\", 3]}}}",
		 "config.json: process.capabilities.effective[1]: expected string"},
		{"{\"process\": {\"consoleSize\": {\"width\": -1}}}",
		 "config.json: process.consoleSize.width: value -1 out of range [0, 4294967295]"},
		{"{\"mounts\": [{\"destination\": \"/a\"}, {\"destination\": \"/b\", \"options\": [\"ro\", {}]}]}",
		 "config.json: mounts[1].options[1]: expected string"},
		{"{\"mounts\": {}}", "config.json: mounts: expected array"},
		{"{\"hooks\": {\"poststop\": [{\"path\": \"/x\", \"args\": [null]}]}}",
		 "config.json: hooks.poststop[0].args[0]: expected string"},
		{"{\"annotations\": {\"a\": \"b\", \"c\": 1}}", "config.json: annotations[\"c\"]: expected string"},
		{"{\"linux\": {\"sysctl\": {\"net.x\": true}}}",
		 "config.json: linux.sysctl[\"net.x\"]: expected string"},
		{"{\"linux\": {\"resources\": {\"unified\": []}}}",
		 "config.json: linux.resources.unified: expected object"},
		{"{\"linux\": {\"resources\": {\"memory\": {\"limit\": \"1g\"}}}}",
		 "config.json: linux.resources.memory.limit: expected integer"},
		{"{\"linux\": {\"resources\": {\"devices\": [{\"allow\": 1}]}}}",
		 "config.json: linux.resources.devices[0].allow: expected boolean"},
		{"{\"linux\": {\"timeOffsets\": {\"boottime\": {\"secs\": \"1\"}}}}",
		 "config.json: linux.timeOffsets.boottime.secs: expected integer"},
		{"{\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": {}, \"size\": 1}]}}",
		 "config.json: linux.uidMappings[0].hostID: expected integer"},
		{"{\"linux\": {\"maskedPaths\": [\"/a\", [\"/b\"]]}}",
		 "config.json: linux.maskedPaths[1]: expected string"},
	};

	EXPECT(cases);
}

static void test_ranges(void **state)
{
	static const struct error_case cases[] = {
		{"{\"process\": {\"user\": {\"uid\": 4294967296}}}",
		 "config.json: process.user.uid: value 4294967296 out of range [0, 4294967295]"},
		{"{\"process\": {\"user\": {\"gid\": -1}}}",
		 "config.json: process.user.gid: value -1 out of range [0, 4294967295]"},
		{"{\"process\": {\"oomScoreAdj\": 2147483648}}",
		 "config.json: process.oomScoreAdj: value 2147483648 out of range [-2147483648, 2147483647]"},
		{"{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": -1}]}}",
		 "config.json: process.rlimits[0].hard: value -1 out of range [0, 18446744073709551615]"},
		{"{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 18446744073709551616}]}}",
		 "config.json: process.rlimits[0].hard: value 18446744073709551616 out of range [0, "
		 "18446744073709551615]"},
		{"{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": -9223372036854775809}]}}",
		 "config.json: process.rlimits[0].soft: value -9223372036854775809 out of range [0, "
		 "18446744073709551615]"},
		{"{\"linux\": {\"resources\": {\"memory\": {\"limit\": 9223372036854775808}}}}",
		 "config.json: linux.resources.memory.limit: value 9223372036854775808 out of range "
		 "[-9223372036854775808, 9223372036854775807]"},
		{"{\"x\": 18446744073709551615, \"hostname\": 18446744073709551615}",
		 "config.json: hostname: expected string"},
		{"{\"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
		 "config.json: hooks.prestart[0].timeout: timeout must be greater than zero"},
		{"{\"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": -3}]}}",
		 "config.json: hooks.prestart[0].timeout: timeout must be greater than zero"},
	};

	EXPECT(cases);
}

static void test_values(void **state)
{
	static const struct error_case cases[] = {
		{"{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"foo\"}]}}",
		 "config.json: linux.namespaces[2].type: unknown namespace type 'foo'"},
		{"{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\", \"path\": "
		 "\"/proc/1/ns/pid\"}]}}",
		 "config.json: linux.namespaces[1].type: duplicate namespace type 'pid'"},
		{"{\"linux\": {\"namespaces\": [{\"path\": \"/x\"}]}}",
		 "config.json: linux.namespaces[0].type: required"},
		{"{\"linux\": {\"namespaces\": [\"pid\"]}}", "config.json: linux.namespaces[0]: expected object"},
		{"{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"hard\": 1, \"soft\": 1}]}}",
		 "config.json: process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'"},
		{"{\"process\": {\"rlimits\": [{\"hard\": 1}]}}", "config.json: process.rlimits[0].type: required"},
		{"{\"mounts\": [{\"type\": \"tmpfs\"}]}", "config.json: mounts[0].destination: required"},
		{"{\"hooks\": {\"createRuntime\": [{\"args\": []}]}}",
		 "config.json: hooks.createRuntime[0].path: required"},
		{"{\"linux\": {\"rootfsPropagation\": \"sideways\"}}",
		 "config.json: linux.rootfsPropagation: unknown propagation 'sideways'"},
		{"{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"q\"}]}}",
		 "config.json: linux.devices[0].type: unknown device type 'q'"},
		{"{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1}]}}",
		 "config.json: linux.devices[0].minor: required for device type 'c'"},
		{"{\"linux\": {\"devices\": [{\"type\": \"c\"}]}}", "config.json: linux.devices[0].path: required"},
		{"{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"type\": \"x\"}]}}}",
		 "config.json: linux.resources.devices[0].type: unknown device type 'x'"},
		{"{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}}",
		 "config.json: linux.resources.devices[0].access: invalid access 'rwx'"},
		{"{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rr\"}]}}}",
		 "config.json: linux.resources.devices[0].access: invalid access 'rr'"},
		{"{\"linux\": {\"resources\": {\"devices\": [{\"access\": \"r\"}]}}}",
		 "config.json: linux.resources.devices[0].allow: required"},
		{"{\"x\": 18446744073709551615, \"process\": {\"args\": [\"a\\u0000b\"]}}",
		 "config.json: process.args[0]: string contains a NUL byte"},
	};

	EXPECT(cases);
}

static void test_name_prefix(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	assert_int_equal(oci_config_parse("{\"hostname\": 3}", 15, "/b/config.json", &c, &err), -1);
	assert_string_equal(err->msg, "/b/config.json: hostname: expected string");
	assert_int_equal(oci_config_parse("{\"hostname\": 3}", 15, NULL, &c, &err), -1);
	assert_string_equal(err->msg, "config.json: hostname: expected string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax), cmocka_unit_test(test_types),	   cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_values), cmocka_unit_test(test_name_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
