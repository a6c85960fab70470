/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eng_spec_build: Docker's defaults, process, namespaces, security and errors; every spec passes oci's validator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "spec_fixture.h"

#define CMD "{\"Cmd\":[\"sh\",\"-c\",\"true\"]}"

static struct fx f;

static int setup(void **state)
{
	(void)state;
	fx_init(&f, true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_done(&f);
	return 0;
}

static json_t *process(json_t *spec)
{
	return json_object_get(spec, "process");
}

static json_t *linux_of(json_t *spec)
{
	return json_object_get(spec, "linux");
}

static void assert_json(json_t *v, const char *want)
{
	_cleanup_free_ char *got = v ? fx_dump(v) : xstrdup("null");

	if (strcmp(got, want) != 0)
		fail_msg("got %s, want %s", got, want);
}

static void test_defaults(void **state)
{
	json_t *spec = fx_build(&f, CMD, NULL), *p = process(spec), *caps;

	(void)state;
	assert_json(json_object_get(p, "args"), "[\"sh\",\"-c\",\"true\"]");
	assert_json(json_object_get(p, "env"),
		    "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"HOSTNAME=0123456789ab\","
		    "\"HOME=/root\"]");
	assert_json(json_object_get(p, "cwd"), "\"/\"");
	assert_json(json_object_get(p, "terminal"), "false");
	assert_json(json_object_get(p, "user"), "{\"uid\":0,\"gid\":0,\"additionalGids\":[0,10]}");
	assert_json(json_object_get(spec, "hostname"), "\"0123456789ab\"");
	assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "root"), "path")), f.dir);
	caps = json_object_get(json_object_get(p, "capabilities"), "bounding");
	assert_int_equal(json_array_size(caps), 14);
	assert_true(fx_has(caps, "CAP_CHOWN") && fx_has(caps, "CAP_AUDIT_WRITE") && fx_has(caps, "CAP_NET_RAW"));
	assert_false(fx_has(caps, "CAP_SYS_ADMIN") || fx_has(caps, "CAP_NET_ADMIN"));
	assert_null(json_object_get(json_object_get(p, "capabilities"), "inheritable"));
	assert_null(json_object_get(p, "noNewPrivileges"));
	assert_true(fx_has(json_object_get(linux_of(spec), "maskedPaths"), "/proc/kcore"));
	assert_true(fx_has(json_object_get(linux_of(spec), "maskedPaths"), "/sys/firmware"));
	assert_true(fx_has(json_object_get(linux_of(spec), "readonlyPaths"), "/proc/sysrq-trigger"));
	assert_json(json_object_get(linux_of(spec), "cgroupsPath"), "\"/berth/" FX_ID "\"");
	assert_non_null(json_object_get(linux_of(spec), "seccomp"));
	/* mount, pid, ipc, uts, network, cgroup; no user */
	assert_int_equal(json_array_size(json_object_get(linux_of(spec), "namespaces")), 6);
	assert_null(fx_ns(spec, "user"));
	assert_null(json_object_get(fx_ns(spec, "network"), "path"));
	json_decref(spec);
}

static void test_default_mounts(void **state)
{
	json_t *spec = fx_build(&f, CMD, NULL);
	static const char *const order[] = {"/proc",	      "/dev",	     "/dev/pts", "/sys",
					    "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm", "/etc/resolv.conf",
					    "/etc/hostname",  "/etc/hosts"};

	(void)state;
	assert_int_equal(json_array_size(json_object_get(spec, "mounts")), 10);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_int_equal(fx_mount_index(spec, order[i]), (int)i);
	assert_json(json_object_get(fx_mount(spec, "/dev/shm"), "options"),
		    "[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=67108864\"]");
	assert_true(fx_has(json_object_get(fx_mount(spec, "/sys"), "options"), "ro"));
	assert_true(fx_has(json_object_get(fx_mount(spec, "/sys/fs/cgroup"), "options"), "ro"));
	assert_json(fx_mount(spec, "/etc/hosts"),
		    "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/c/hosts\",\"options\":[\"rbind\","
		    "\"rprivate\"]}");
	json_decref(spec);
}

static void test_process_fields(void **state)
{
	json_t *spec = fx_build(&f,
				"{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"a\"],\"Tty\":true,\"WorkingDir\":\"/w\","
				"\"User\":\"alice\",\"Hostname\":\"web\",\"Domainname\":\"example.org\","
				"\"Env\":[\"PATH=/mine\",\"HOSTNAME=x\",\"FOO=1\",\"TERM\"]}",
				"{\"ConsoleSize\":[40,120],\"GroupAdd\":[\"audio\"]}");
	json_t *p = process(spec);

	(void)state;
	assert_json(json_object_get(p, "args"), "[\"/ep\",\"a\"]");
	assert_json(json_object_get(p, "env"), "[\"PATH=/mine\",\"HOSTNAME=x\",\"FOO=1\",\"HOME=/home/alice\"]");
	assert_json(json_object_get(p, "cwd"), "\"/w\"");
	assert_json(json_object_get(p, "terminal"), "true");
	assert_json(json_object_get(p, "consoleSize"), "{\"height\":40,\"width\":120}");
	assert_json(json_object_get(p, "user"), "{\"uid\":1000,\"gid\":1000,\"additionalGids\":[1000,10,50,29]}");
	assert_json(json_object_get(spec, "hostname"), "\"web\"");
	assert_json(json_object_get(spec, "domainname"), "\"example.org\"");
	json_decref(spec);
	spec = fx_build(&f, "{\"Cmd\":[\"x\"],\"Tty\":true,\"Env\":[\"HOME=/h\"]}", NULL);
	assert_json(json_object_get(process(spec), "env"),
		    "[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"HOSTNAME=0123456789ab\","
		    "\"TERM=xterm\",\"HOME=/h\"]");
	json_decref(spec);
}

static void test_init(void **state)
{
	struct eng_spec_input in;
	struct berth_error *e = NULL;
	json_t *spec = NULL;

	(void)state;
	fx_input(&f, &in, "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"a\"]}", "{\"Init\":true}");
	in.init_path = "/usr/libexec/berth/berth-init";
	assert_int_equal(eng_spec_build(&in, &spec, NULL, &e), 0);
	fx_check_oci(spec);
	assert_json(json_object_get(process(spec), "args"), "[\"/sbin/berth-init\",\"--\",\"/ep\",\"a\"]");
	assert_json(
		fx_mount(spec, "/sbin/berth-init"),
		"{\"destination\":\"/sbin/berth-init\",\"type\":\"bind\",\"source\":\"/usr/libexec/berth/berth-init\","
		"\"options\":[\"bind\",\"ro\",\"rprivate\"]}");
	json_decref(spec);
	fx_input_done(&in);
}

static void test_privileged(void **state)
{
	json_t *spec = fx_build(&f, CMD, "{\"Privileged\":true,\"CapDrop\":[\"ALL\"]}"), *l = linux_of(spec);
	json_t *caps = json_object_get(json_object_get(process(spec), "capabilities"), "effective");

	(void)state;
	assert_true(fx_has(caps, "CAP_SYS_ADMIN") && fx_has(caps, "CAP_NET_ADMIN") && fx_has(caps, "CAP_CHOWN"));
	assert_null(json_object_get(l, "seccomp"));
	assert_null(json_object_get(l, "maskedPaths"));
	assert_null(json_object_get(l, "readonlyPaths"));
	assert_false(fx_has(json_object_get(fx_mount(spec, "/sys"), "options"), "ro"));
	assert_false(fx_has(json_object_get(fx_mount(spec, "/sys/fs/cgroup"), "options"), "ro"));
	assert_json(json_object_get(json_object_get(l, "resources"), "devices"),
		    "[{\"allow\":true,\"access\":\"rwm\"}]");
	json_decref(spec);
}

struct caps_case {
	const char *hc;
	const char *has;     /* space-separated caps that must be there */
	const char *has_not; /* and must not */
	int count;	     /* -1: not checked */
};

static const struct caps_case caps_cases[] = {
	{"{\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":[\"chown\"]}", "CAP_NET_ADMIN CAP_KILL", "CAP_CHOWN", 14},
	{"{\"CapAdd\":[\"cap_sys_admin\"]}", "CAP_SYS_ADMIN", "", 15},
	{"{\"CapDrop\":[\"ALL\"]}", "", "CAP_CHOWN CAP_KILL", 0},
	{"{\"CapDrop\":[\"all\"],\"CapAdd\":[\"KILL\",\"Cap_Chown\"]}", "CAP_KILL CAP_CHOWN", "CAP_SETUID", 2},
	{"{\"CapAdd\":[\"ALL\"],\"CapDrop\":[\"NET_RAW\"]}", "CAP_SYS_ADMIN CAP_BPF", "CAP_NET_RAW", -1},
	{"{\"CapAdd\":[\"ALL\"],\"CapDrop\":[\"ALL\"]}", "CAP_SYS_ADMIN", "", -1},
};

static void test_caps_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(caps_cases) / sizeof(caps_cases[0]); i++) {
		json_t *spec = fx_build(&f, CMD, caps_cases[i].hc);
		json_t *caps = json_object_get(json_object_get(process(spec), "capabilities"), "permitted");
		_cleanup_free_ char *has = xstrdup(caps_cases[i].has), *has_not = xstrdup(caps_cases[i].has_not);
		char *save = NULL;

		for (char *c = strtok_r(has, " ", &save); c; c = strtok_r(NULL, " ", &save))
			if (!fx_has(caps, c))
				fail_msg("case %zu: %s missing", i, c);
		for (char *c = strtok_r(has_not, " ", &save); c; c = strtok_r(NULL, " ", &save))
			if (fx_has(caps, c))
				fail_msg("case %zu: %s present", i, c);
		if (caps_cases[i].count >= 0)
			assert_int_equal(json_array_size(caps), caps_cases[i].count);
		json_decref(spec);
	}
}

static void test_security_opts(void **state)
{
	json_t *spec = fx_build(&f, CMD,
				"{\"SecurityOpt\":[\"no-new-privileges\",\"apparmor=my-prof\",\"seccomp=unconfined\","
				"\"label=disable\"]}");
	struct eng_spec_input in;
	char **warnings = NULL;
	struct berth_error *e = NULL;
	json_t *s2 = NULL;

	(void)state;
	assert_json(json_object_get(process(spec), "noNewPrivileges"), "true");
	assert_json(json_object_get(process(spec), "apparmorProfile"), "\"my-prof\"");
	assert_null(json_object_get(linux_of(spec), "seccomp"));
	json_decref(spec);
	spec = fx_build(&f, CMD, "{\"SecurityOpt\":[\"no-new-privileges:false\",\"systempaths=unconfined\"]}");
	assert_null(json_object_get(process(spec), "noNewPrivileges"));
	assert_null(json_object_get(linux_of(spec), "maskedPaths"));
	json_decref(spec);
	spec = fx_build(&f, CMD, "{\"MaskedPaths\":[\"/proc/x\"],\"ReadonlyPaths\":[]}");
	assert_json(json_object_get(linux_of(spec), "maskedPaths"), "[\"/proc/x\"]");
	assert_json(json_object_get(linux_of(spec), "readonlyPaths"), "[]");
	json_decref(spec);
	fx_input(&f, &in, CMD, "{\"SecurityOpt\":[\"label=type:foo_t\"]}");
	assert_int_equal(eng_spec_build(&in, &s2, &warnings, &e), 0);
	assert_int_equal(strv_length(warnings), 1);
	assert_non_null(strstr(warnings[0], ", ignoring"));
	strv_free(warnings);
	json_decref(s2);
	fx_input_done(&in);
}

static void test_readonly_rootfs(void **state)
{
	json_t *spec = fx_build(&f, CMD, "{\"ReadonlyRootfs\":true}");

	(void)state;
	assert_json(json_object_get(json_object_get(spec, "root"), "readonly"), "true");
	assert_json(json_object_get(fx_mount(spec, "/etc/resolv.conf"), "options"), "[\"rbind\",\"ro\",\"rprivate\"]");
	json_decref(spec);
}

struct err_case {
	const char *config, *hc;
	const char *want;
};

static const struct err_case err_cases[] = {
	{"{}", NULL, "no command specified"},
	{"{\"Entrypoint\":[],\"Cmd\":null}", NULL, "no command specified"},
	{CMD, "{\"Binds\":[\"/a:/b\",\"/h:/c:rx\"]}", "HostConfig.Binds[1]: invalid mode 'rx'"},
	{CMD, "{\"Binds\":[\"/h:/c:ro,rw\"]}", "HostConfig.Binds[0]: invalid mode 'ro,rw'"},
	{CMD, "{\"Binds\":[\"/h:rel\"]}", "HostConfig.Binds[0]: destination 'rel' must be an absolute path"},
	{CMD, "{\"Binds\":[\"/h:/\"]}", "HostConfig.Binds[0]: destination can't be '/'"},
	{CMD, "{\"Binds\":[\"/h:/x\",\"/i:/x/\"]}", "HostConfig.Binds[1]: duplicate mount point '/x'"},
	{CMD, "{\"Binds\":[\"a:b:c:d\"]}", "HostConfig.Binds[0]: invalid volume specification 'a:b:c:d'"},
	{CMD, "{\"Binds\":[\"./x:/x\"]}",
	 "HostConfig.Binds[0]: './x' includes invalid characters for a local volume name"},
	{CMD, "{\"Binds\":[\"missing:/x\"]}", "HostConfig.Binds[0]: no such volume 'missing'"},
	{CMD, "{\"CapAdd\":[\"FOO\"]}", "HostConfig.CapAdd[0]: unknown capability 'CAP_FOO'"},
	{CMD, "{\"SecurityOpt\":[\"bogus=1\"]}", "HostConfig.SecurityOpt[0]: invalid option 'bogus=1'"},
	{CMD, "{\"SecurityOpt\":[\"seccomp={\"]}", NULL},
	{CMD, "{\"PidMode\":\"container:abc\"}",
	 "HostConfig.PidMode: 'container:abc' needs the namespace path of that container"},
	{CMD, "{\"IpcMode\":\"weird\"}", "HostConfig.IpcMode: invalid value 'weird'"},
	{CMD, "{\"UsernsMode\":\"keep-id\"}", "HostConfig.UsernsMode: invalid value 'keep-id'"},
	{CMD, "{\"Init\":true}", "HostConfig.Init: no init binary is available"},
	{"{\"Cmd\":[\"x\"],\"WorkingDir\":\"rel\"}", NULL,
	 "Config.WorkingDir: the working directory 'rel' is invalid, it needs to be an absolute path"},
	{"{\"Cmd\":[\"x\"],\"User\":\"nobody\"}", NULL,
	 "Config.User: unable to find user nobody: no matching entries in passwd file"},
	{CMD, "{\"Mounts\":[{\"Type\":\"npipe\",\"Target\":\"/x\"}]}",
	 "HostConfig.Mounts[0].Type: mount type 'npipe' is not supported"},
	{CMD, "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"rel\",\"Target\":\"/x\"}]}",
	 "HostConfig.Mounts[0].Source: a bind mount needs an absolute host path"},
	{CMD, "{\"Mounts\":[{\"Type\":\"tmpfs\",\"Source\":\"x\",\"Target\":\"/x\"}]}",
	 "HostConfig.Mounts[0].Source: must not be specified for a tmpfs mount"},
	{CMD, "{\"BerthIDMappings\":{\"UIDMap\":[\"0:100000\"],\"GIDMap\":[\"0:100000:65536\"]}}",
	 "HostConfig.BerthIDMappings.UIDMap[0]: expected 'container:host:size'"},
	{CMD, "{\"Devices\":[{\"PathOnHost\":\"/nonexistent-dev\"}]}", NULL},
	{CMD, "{\"Devices\":[{\"PathOnHost\":\"/etc/hostname\"}]}", NULL},
	{CMD, "{\"DeviceCgroupRules\":[\"x 1:2 rwm\"]}",
	 "HostConfig.DeviceCgroupRules[0]: invalid device cgroup rule 'x 1:2 rwm'"},
	{CMD, "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":5}]}",
	 "HostConfig.Ulimits[0]: soft limit must be less than or equal to hard limit: 10 > 5"},
	{CMD, "{\"Ulimits\":[{\"Name\":\"bogus\",\"Soft\":1,\"Hard\":1}]}",
	 "HostConfig.Ulimits[0]: invalid ulimit type 'bogus'"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		_cleanup_free_ char *msg = fx_build_err(&f, err_cases[i].config, err_cases[i].hc);

		if (err_cases[i].want && strcmp(msg, err_cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, msg, err_cases[i].want);
		assert_null(strchr(msg, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),       cmocka_unit_test(test_default_mounts),
		cmocka_unit_test(test_process_fields), cmocka_unit_test(test_init),
		cmocka_unit_test(test_privileged),     cmocka_unit_test(test_caps_table),
		cmocka_unit_test(test_security_opts),  cmocka_unit_test(test_readonly_rootfs),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
