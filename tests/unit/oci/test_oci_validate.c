/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cross-field validation: each rule broken on purpose in runc's default spec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"

/*
 * Validate runc's default spec with patch merged in (objects merge
 * recursively, other values replace, null removes); msg NULL: must pass.
 */
static void check(const char *patch, const char *msg)
{
	_cleanup_free_ char *base = oci_spec_default_json(false, 0, 0);
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *text = NULL;
	json_t *spec, *p;
	struct oci_config *c = NULL;
	int r;

	spec = json_loads(base, 0, NULL);
	p = json_loads(patch, 0, NULL);
	assert_non_null(spec);
	if (!p)
		fail_msg("bad patch %s", patch);
	assert_int_equal(json_object_update_recursive(spec, p), 0);
	text = json_dumps(spec, JSON_COMPACT);
	json_decref(spec);
	json_decref(p);
	if (oci_config_parse(text, strlen(text), NULL, &c, &err) < 0)
		fail_msg("parse: %s", err->msg);
	r = oci_config_validate(c, NULL, &err);
	oci_config_free(c);
	if (!msg) {
		if (r < 0)
			fail_msg("for %s: unexpected error %s", patch, err->msg);
		return;
	}
	if (r == 0)
		fail_msg("for %s: no error, want %s", patch, msg);
	if (strcmp(err->msg, msg) != 0)
		fail_msg("for %s\n  want: %s\n  got:  %s", patch, msg, err->msg);
}

static void test_version(void **state)
{
	check("{}", NULL);
	check("{\"ociVersion\": \"1.2.0\"}", NULL);
	check("{\"ociVersion\": \"1.0.0-rc5+dev\"}", NULL);
	check("{\"ociVersion\": \"0.9\"}", "config.json: ociVersion: unsupported version '0.9'");
	check("{\"ociVersion\": \"2.0.0\"}", "config.json: ociVersion: unsupported version '2.0.0'");
	check("{\"ociVersion\": \"1.0\"}", "config.json: ociVersion: unsupported version '1.0'");
	check("{\"ociVersion\": \"1.0.x\"}", "config.json: ociVersion: unsupported version '1.0.x'");
	check("{\"ociVersion\": \"10.0.0\"}", "config.json: ociVersion: unsupported version '10.0.0'");
	check("{\"ociVersion\": null}", "config.json: ociVersion: required");
}

static void test_root_and_process(void **state)
{
	check("{\"root\": {\"path\": null}}", "config.json: root.path: required");
	check("{\"root\": null}", "config.json: root.path: required");
	check("{\"process\": null}", "config.json: process: required");
	check("{\"process\": {\"args\": []}}", "config.json: process.args: must not be empty");
	check("{\"process\": {\"cwd\": \"work\"}}", "config.json: process.cwd: must be an absolute path");
	check("{\"process\": {\"cwd\": \"\"}}", "config.json: process.cwd: required");
	check("{\"process\": {\"env\": [\"A=1\", \"JUSTNAME\"]}}",
	      "config.json: process.env[1]: 'JUSTNAME' is not of the form NAME=value");
	check("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 10, \"soft\": 11}]}}",
	      "config.json: process.rlimits[0]: soft limit 11 exceeds hard limit 10");
	check("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 10, \"soft\": 10},"
	      " {\"type\": \"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1}]}}",
	      "config.json: process.rlimits[1].type: duplicate rlimit 'RLIMIT_NOFILE'");
	check("{\"process\": {\"oomScoreAdj\": 1001}}",
	      "config.json: process.oomScoreAdj: value 1001 out of range [-1000, 1000]");
	check("{\"process\": {\"oomScoreAdj\": -1000}}", NULL);
}

static void test_paths(void **state)
{
	check("{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"}, {\"destination\": \"/a\"},"
	      " {\"destination\": \"/b\"}, {\"destination\": \"rel/c\"}]}",
	      "config.json: mounts[3].destination: must be an absolute path");
	check("{\"hooks\": {\"poststart\": [{\"path\": \"/bin/true\"}, {\"path\": \"true\"}]}}",
	      "config.json: hooks.poststart[1].path: must be an absolute path");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"network\", \"path\": \"netns\"}]}}",
	      "config.json: linux.namespaces: path 'netns' of the 'network' namespace must be absolute");
	check("{\"linux\": {\"devices\": [{\"path\": \"dev/x\", \"type\": \"p\"}]}}",
	      "config.json: linux.devices[0].path: must be an absolute path");
	check("{\"linux\": {\"maskedPaths\": [\"/a\", \"b\"]}}",
	      "config.json: linux.maskedPaths[1]: must be an absolute path");
	check("{\"linux\": {\"readonlyPaths\": [\"c\"]}}",
	      "config.json: linux.readonlyPaths[0]: must be an absolute path");
}

static void test_uts(void **state)
{
	check("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}",
	      "config.json: hostname: unable to set hostname without a private UTS namespace");
	check("{\"hostname\": null, \"domainname\": \"x\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}",
	      "config.json: domainname: unable to set domainname without a private UTS namespace");
	check("{\"hostname\": \"\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}", NULL);
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\", \"path\": \"/proc/1/ns/uts\"}]}}", NULL);
}

static void test_user_and_time(void **state)
{
	check("{\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}}",
	      "config.json: linux.uidMappings: user namespace mappings specified, but no user namespace is configured");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"user\"}],"
	      " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}}",
	      "config.json: linux.gidMappings: required with a new user namespace");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"user\"}],"
	      " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
	      " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]}}",
	      "config.json: linux.gidMappings[0].size: must be greater than zero");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"user\", \"path\": "
	      "\"/proc/1/ns/user\"}]}}",
	      NULL);
	check("{\"linux\": {\"timeOffsets\": {\"monotonic\": {\"secs\": 1}}}}",
	      "config.json: linux.timeOffsets: time offsets specified, but no time namespace is configured");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"time\", \"path\": \"/proc/1/ns/time\"}],"
	      " \"timeOffsets\": {\"monotonic\": {\"secs\": 1}}}}",
	      "config.json: linux.timeOffsets: cannot set time offsets when joining a time namespace");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"time\"}],"
	      " \"timeOffsets\": {\"boottime\": {\"secs\": 1, \"nanosecs\": 1000000000}}}}",
	      "config.json: linux.timeOffsets.boottime.nanosecs: value 1000000000 out of range [0, 999999999]");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"time\"}],"
	      " \"timeOffsets\": {\"boottime\": {\"secs\": -5, \"nanosecs\": 999999999}}}}",
	      NULL);
}

static void test_sysctl(void **state)
{
	check("{\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\", \"kernel.shmmax\": \"1\","
	      " \"kernel.msgmax\": \"1\", \"kernel.sem\": \"1 2 3 4\", \"fs.mqueue.msg_max\": \"1\","
	      " \"kernel.domainname\": \"x\", \"net/ipv4/ping_group_range\": \"0 0\"}}}",
	      NULL);
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"ipc\"}], \"sysctl\": "
	      "{\"net.core.somaxconn\": \"1\"}}}",
	      "config.json: linux.sysctl[\"net.core.somaxconn\"]: not allowed in the host's network namespace");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"network\"}], \"sysctl\": "
	      "{\"kernel.shmall\": \"1\"}}}",
	      "config.json: linux.sysctl[\"kernel.shmall\"]: not allowed in the host's ipc namespace");
	check("{\"linux\": {\"namespaces\": [{\"type\": \"uts\"}], \"sysctl\": {\"fs.mqueue.queues_max\": \"1\"}}}",
	      "config.json: linux.sysctl[\"fs.mqueue.queues_max\"]: not allowed in the host's ipc namespace");
	check("{\"linux\": {\"sysctl\": {\"kernel.hostname\": \"x\"}}}",
	      "config.json: linux.sysctl[\"kernel.hostname\"]: not allowed as it conflicts with the 'hostname' field");
	check("{\"hostname\": null, \"linux\": {\"namespaces\": [{\"type\": \"pid\"}], \"sysctl\": "
	      "{\"kernel.domainname\": \"x\"}}}",
	      "config.json: linux.sysctl[\"kernel.domainname\"]: not in a separate kernel namespace");
	check("{\"linux\": {\"sysctl\": {\"vm.swappiness\": \"1\"}}}",
	      "config.json: linux.sysctl[\"vm.swappiness\"]: not in a separate kernel namespace");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version), cmocka_unit_test(test_root_and_process), cmocka_unit_test(test_paths),
		cmocka_unit_test(test_uts),	cmocka_unit_test(test_user_and_time),	 cmocka_unit_test(test_sysctl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
