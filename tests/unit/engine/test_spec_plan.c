/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eng_spec_build's plans: mounts (order, options), namespaces per mode, resources, seccomp; all oci-valid. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/spec_internal.h"
#include "spec_fixture.h"

#define CMD "{\"Cmd\":[\"sh\"]}"

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

static void assert_json(json_t *v, const char *want)
{
	_cleanup_free_ char *got = v ? fx_dump(v) : xstrdup("null");

	if (strcmp(got, want) != 0)
		fail_msg("got %s, want %s", got, want);
}

static json_t *resources(json_t *spec)
{
	return json_object_get(json_object_get(spec, "linux"), "resources");
}

static void test_user_mounts(void **state)
{
	json_t *spec = fx_build(
		&f, "{\"Cmd\":[\"sh\"],\"Volumes\":{\"/data\":{},\"/b\":{}}}",
		"{\"Binds\":[\"/h/deep:/a/b/c:ro,rslave\",\"vol1:/b\",\"/h/x:/x:z\",\"/anon\"],"
		"\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t/m\",\"TmpfsOptions\":{\"SizeBytes\":1048576,"
		"\"Mode\":448}},{\"Type\":\"bind\",\"Source\":\"/h/y\",\"Target\":\"/y\",\"ReadOnly\":true,"
		"\"BindOptions\":{\"NonRecursive\":true}},{\"Type\":\"volume\",\"Source\":\"v2\",\"Target\":\"/v\"}],"
		"\"Tmpfs\":{\"/run\":\"rw,size=64m,exec\"}}");
	static const char *const order[] = {"/b",
					    "/x",
					    "/anon",
					    "/y",
					    "/v",
					    "/run",
					    "/data",
					    "/t/m",
					    "/etc/resolv.conf",
					    "/etc/hostname",
					    "/etc/hosts",
					    "/a/b/c"};
	int base = fx_mount_index(spec, "/dev/shm") + 1;

	(void)state;
	assert_int_equal(base, 7);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (fx_mount_index(spec, order[i]) != base + (int)i)
			fail_msg("%s at %d, want %d", order[i], fx_mount_index(spec, order[i]), base + (int)i);
	assert_json(fx_mount(spec, "/a/b/c"), "{\"destination\":\"/a/b/c\",\"type\":\"bind\",\"source\":\"/h/deep\","
					      "\"options\":[\"rbind\",\"ro\",\"rslave\"]}");
	assert_json(json_object_get(fx_mount(spec, "/b"), "source"), "\"/var/lib/berth/volumes/vol1/_data\"");
	assert_json(json_object_get(fx_mount(spec, "/anon"), "source"), "\"/var/lib/berth/volumes/anon/_data\"");
	assert_json(json_object_get(fx_mount(spec, "/y"), "options"), "[\"bind\",\"ro\",\"rprivate\"]");
	assert_json(json_object_get(fx_mount(spec, "/t/m"), "options"),
		    "[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\",\"rw\",\"size=1048576\",\"mode=700\"]");
	assert_json(json_object_get(fx_mount(spec, "/run"), "options"),
		    "[\"nosuid\",\"nodev\",\"rprivate\",\"rw\",\"size=64m\",\"exec\"]");
	/* Config.Volumes /b is covered by the bind; /data gets its anonymous volume */
	assert_int_equal(strv_length(f.volume_calls), 4);
	assert_true(strv_contains(f.volume_calls, "vol1|/b") && strv_contains(f.volume_calls, "|/anon"));
	assert_true(strv_contains(f.volume_calls, "v2|/v") && strv_contains(f.volume_calls, "|/data"));
	assert_json(json_object_get(json_object_get(spec, "linux"), "rootfsPropagation"), "\"rslave\"");
	json_decref(spec);
	strv_free(f.volume_calls);
	f.volume_calls = NULL;
}

static void test_mount_overrides(void **state)
{
	json_t *spec = fx_build(&f, CMD,
				"{\"Binds\":[\"/h/dev:/dev\",\"/h/r:/etc/resolv.conf:ro\",\"/h/s:/s:shared\"],"
				"\"Tmpfs\":{\"/proc/x\":\"\"}}");

	(void)state;
	/* a /dev of the user's hides Docker's /dev, /dev/pts, /dev/shm and /dev/mqueue */
	assert_null(fx_mount(spec, "/dev/pts"));
	assert_null(fx_mount(spec, "/dev/shm"));
	assert_null(fx_mount(spec, "/dev/mqueue"));
	assert_json(json_object_get(fx_mount(spec, "/dev"), "source"), "\"/h/dev\"");
	assert_json(json_object_get(fx_mount(spec, "/etc/resolv.conf"), "source"), "\"/h/r\"");
	assert_json(json_object_get(json_object_get(spec, "linux"), "rootfsPropagation"), "\"rshared\"");
	json_decref(spec);
}

struct shm_case {
	const char *hc;
	const char *shm; /* the /dev/shm mount's compact JSON, or "null" */
};

static const struct shm_case shm_cases[] = {
	{"{\"ShmSize\":134217728}",
	 "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\","
	 "\"nodev\",\"mode=1777\",\"size=134217728\"]}"},
	{"{\"IpcMode\":\"none\"}", "null"},
	{"{\"IpcMode\":\"host\"}", "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/dev/shm\","
				   "\"options\":[\"rbind\",\"rprivate\"]}"},
	{"{\"IpcMode\":\"shareable\"}", "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/c/shm\","
					"\"options\":[\"rbind\",\"rprivate\"]}"},
};

static void test_shm(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shm_cases) / sizeof(shm_cases[0]); i++) {
		struct eng_spec_input in;
		struct berth_error *e = NULL;
		json_t *spec = NULL;

		fx_input(&f, &in, CMD, shm_cases[i].hc);
		if (i == 3)
			in.shm_path = "/c/shm";
		assert_int_equal(eng_spec_build(&in, &spec, NULL, &e), 0);
		fx_check_oci(spec);
		assert_json(fx_mount(spec, "/dev/shm"), shm_cases[i].shm);
		json_decref(spec);
		fx_input_done(&in);
	}
}

struct ns_case {
	const char *hc;
	const char *want; /* "type[=path]" in order, space-separated */
	const char *hostname;
};

static const struct ns_case ns_cases[] = {
	{"{}", "mount pid ipc uts network cgroup", "0123456789ab"},
	{"{\"PidMode\":\"host\",\"IpcMode\":\"host\"}", "mount uts network cgroup", "0123456789ab"},
	{"{\"PidMode\":\"container:db\",\"IpcMode\":\"container:db\"}",
	 "mount pid=/p/pid ipc=/p/ipc uts network cgroup", "0123456789ab"},
	{"{\"UTSMode\":\"host\"}", "mount pid ipc network cgroup", NULL},
	{"{\"NetworkMode\":\"host\"}", "mount pid ipc uts cgroup", "buildhost"},
	{"{\"NetworkMode\":\"none\"}", "mount pid ipc uts network cgroup", "0123456789ab"},
	{"{\"NetworkMode\":\"mynet\"}", "mount pid ipc uts network=/p/net cgroup", "0123456789ab"},
	{"{\"NetworkMode\":\"container:web\"}", "mount pid ipc uts network=/p/net cgroup", "0123456789ab"},
	{"{\"CgroupnsMode\":\"host\"}", "mount pid ipc uts network", "0123456789ab"},
	{"{\"BerthIDMappings\":{\"UIDMap\":[\"0:100000:65536\"],\"GIDMap\":[\"0:200000:1000\",\"1000:1000:1\"]}}",
	 "mount pid ipc uts network cgroup user", "0123456789ab"},
};

static void check_ns(const struct ns_case *c, json_t *spec, size_t i)
{
	json_t *ns;
	struct buf got = {0};
	size_t k;

	json_array_foreach(json_object_get(json_object_get(spec, "linux"), "namespaces"), k, ns)
	{
		const char *path = json_string_value(json_object_get(ns, "path"));

		buf_printf(&got, "%s%s%s%s", k ? " " : "", json_string_value(json_object_get(ns, "type")),
			   path ? "=" : "", path ? path : "");
	}
	if (strcmp(got.data, c->want) != 0)
		fail_msg("case %zu %s: got '%s', want '%s'", i, c->hc, got.data, c->want);
	buf_done(&got);
	if (c->hostname)
		assert_string_equal(json_string_value(json_object_get(spec, "hostname")), c->hostname);
	else
		assert_null(json_object_get(spec, "hostname"));
}

static void test_namespaces(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ns_cases) / sizeof(ns_cases[0]); i++) {
		struct eng_spec_input in;
		struct berth_error *e = NULL;
		json_t *spec = NULL;

		fx_input(&f, &in, CMD, ns_cases[i].hc);
		in.pidns_path = "/p/pid";
		in.ipcns_path = "/p/ipc";
		in.shm_path = "/p/shm";
		if (strstr(ns_cases[i].hc, "mynet") || strstr(ns_cases[i].hc, "container:web"))
			in.netns_path = "/p/net";
		if (eng_spec_build(&in, &spec, NULL, &e) < 0)
			fail_msg("case %zu: %s", i, e->msg);
		fx_check_oci(spec);
		check_ns(&ns_cases[i], spec, i);
		if (i == 9)
			assert_json(json_object_get(json_object_get(spec, "linux"), "gidMappings"),
				    "[{\"containerID\":0,\"hostID\":200000,\"size\":1000},{\"containerID\":1000,"
				    "\"hostID\":1000,\"size\":1}]");
		json_decref(spec);
		fx_input_done(&in);
	}
}

static void test_cgroupns_v1(void **state)
{
	struct eng_spec_input in;
	struct berth_error *e = NULL;
	json_t *spec = NULL;

	(void)state;
	fx_input(&f, &in, CMD, NULL);
	in.cgroup_v1 = true;
	assert_int_equal(eng_spec_build(&in, &spec, NULL, &e), 0);
	assert_null(fx_ns(spec, "cgroup"));
	json_decref(spec);
	fx_input_done(&in);
}

struct res_case {
	const char *hc;
	const char *key; /* under linux.resources */
	const char *want;
};

static const struct res_case res_cases[] = {
	{"{\"NanoCpus\":1500000000}", "cpu", "{\"quota\":150000,\"period\":100000}"},
	{"{\"CpuQuota\":50000,\"CpuPeriod\":200000,\"CpuShares\":512,\"CpusetCpus\":\"0-1\",\"CpusetMems\":\"0\"}",
	 "cpu", "{\"shares\":512,\"quota\":50000,\"period\":200000,\"cpus\":\"0-1\",\"mems\":\"0\"}"},
	{"{\"Memory\":104857600}", "memory", "{\"limit\":104857600,\"swap\":209715200}"},
	{"{\"Memory\":104857600,\"MemorySwap\":-1}", "memory", "{\"limit\":104857600,\"swap\":-1}"},
	{"{\"Memory\":104857600,\"MemorySwap\":157286400,\"MemoryReservation\":52428800,\"MemorySwappiness\":10,"
	 "\"OomKillDisable\":true}",
	 "memory",
	 "{\"limit\":104857600,\"swap\":157286400,\"reservation\":52428800,\"swappiness\":10,\"disableOOMKiller\":"
	 "true}"},
	{"{\"MemorySwappiness\":-1}", "memory", "{}"},
	{"{\"PidsLimit\":100}", "pids", "{\"limit\":100}"},
	{"{\"PidsLimit\":0}", "pids", "null"},
	{"{\"PidsLimit\":-1}", "pids", "null"},
	{"{\"BlkioWeight\":300}", "blockIO", "{\"weight\":300}"},
};

static const char *const res_errors[][2] = {
	{"{\"Memory\":1024}", "HostConfig.Memory: minimum memory limit allowed is 6MB"},
	{"{\"MemorySwap\":104857600}",
	 "HostConfig.MemorySwap: you should always set the Memory limit when using Memoryswap limit"},
	{"{\"Memory\":104857600,\"MemorySwap\":10485760}",
	 "HostConfig.MemorySwap: minimum memoryswap limit should be larger than memory limit"},
	{"{\"Memory\":10485760,\"MemoryReservation\":104857600}",
	 "HostConfig.MemoryReservation: minimum memory limit can not be less than memory reservation limit"},
	{"{\"NanoCpus\":1000000000,\"CpuPeriod\":100000}",
	 "conflicting options: Nano CPUs and CPU Period cannot both be set"},
	{"{\"BlkioWeight\":5}", "HostConfig.BlkioWeight: range of blkio weight is from 10 to 1000"},
	{"{\"OomScoreAdj\":1001}", "HostConfig.OomScoreAdj: invalid value 1001, range is [-1000, 1000]"},
	{"{\"MemorySwappiness\":101}",
	 "HostConfig.MemorySwappiness: invalid value 101, valid memory swappiness range is 0-100"},
};

static void test_resources(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(res_cases) / sizeof(res_cases[0]); i++) {
		json_t *spec = fx_build(&f, CMD, res_cases[i].hc);
		_cleanup_free_ char *got = NULL;
		json_t *v = json_object_get(resources(spec), res_cases[i].key);

		got = v ? fx_dump(v) : xstrdup("null");
		if (strcmp(got, res_cases[i].want) != 0)
			fail_msg("case %zu %s: got %s, want %s", i, res_cases[i].hc, got, res_cases[i].want);
		json_decref(spec);
	}
	for (size_t i = 0; i < sizeof(res_errors) / sizeof(res_errors[0]); i++) {
		_cleanup_free_ char *msg = fx_build_err(&f, CMD, res_errors[i][0]);

		if (strcmp(msg, res_errors[i][1]) != 0)
			fail_msg("error case %zu: got '%s'", i, msg);
	}
}

static void test_resources_misc(void **state)
{
	json_t *spec = fx_build(
		&f, CMD,
		"{\"CgroupParent\":\"my.slice\",\"OomScoreAdj\":-500,\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},"
		"\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":4096}],"
		"\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/mynull\","
		"\"CgroupPermissions\":\"rw\"}],\"DeviceCgroupRules\":[\"c 4:* rwm\",\"b *:* m\"]}");
	json_t *l = json_object_get(spec, "linux"), *rules = json_object_get(resources(spec), "devices");
	size_t n = json_array_size(rules);

	(void)state;
	assert_json(json_object_get(l, "cgroupsPath"), "\"/my.slice/" FX_ID "\"");
	assert_json(json_object_get(json_object_get(spec, "process"), "oomScoreAdj"), "-500");
	assert_json(json_object_get(l, "sysctl"), "{\"net.ipv4.ip_forward\":\"1\"}");
	assert_json(json_object_get(json_object_get(spec, "process"), "rlimits"),
		    "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":1024}]");
	assert_json(json_object_get(l, "devices"), "[{\"path\":\"/dev/mynull\",\"type\":\"c\",\"major\":1,\"minor\":3,"
						   "\"fileMode\":438,\"uid\":0,\"gid\":0}]");
	assert_json(json_array_get(rules, 0), "{\"allow\":false,\"access\":\"rwm\"}");
	assert_json(json_array_get(rules, 3),
		    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}");
	assert_json(json_array_get(rules, n - 3),
		    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}");
	assert_json(json_array_get(rules, n - 2), "{\"allow\":true,\"type\":\"c\",\"major\":4,\"access\":\"rwm\"}");
	assert_json(json_array_get(rules, n - 1), "{\"allow\":true,\"type\":\"b\",\"access\":\"m\"}");
	json_decref(spec);
}

static json_t *rule_for(json_t *spec, const char *name)
{
	return fx_syscall(spec, name);
}

static const char *action_of(json_t *spec, const char *name)
{
	return json_string_value(json_object_get(rule_for(spec, name), "action"));
}

static void test_seccomp_default(void **state)
{
	json_t *spec = fx_build(&f, CMD, NULL);
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");

	(void)state;
	assert_json(json_object_get(sc, "defaultAction"), "\"SCMP_ACT_ERRNO\"");
	assert_json(json_object_get(sc, "defaultErrnoRet"), "1");
	assert_json(json_object_get(sc, "architectures"), "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
	assert_string_equal(action_of(spec, "read"), "SCMP_ACT_ALLOW");
	assert_string_equal(action_of(spec, "arch_prctl"), "SCMP_ACT_ALLOW");
	assert_null(rule_for(spec, "mount"));
	assert_null(rule_for(spec, "unshare"));
	assert_null(rule_for(spec, "reboot"));
	assert_null(rule_for(spec, "set_tls"));
	assert_json(json_object_get(rule_for(spec, "clone"), "args"),
		    "[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]");
	assert_string_equal(action_of(spec, "clone3"), "SCMP_ACT_ERRNO");
	assert_json(json_object_get(rule_for(spec, "clone3"), "errnoRet"), "38");
	assert_json(json_object_get(rule_for(spec, "socket"), "args"),
		    "[{\"index\":0,\"value\":40,\"valueTwo\":0,\"op\":\"SCMP_CMP_NE\"}]");
	assert_json(json_object_get(rule_for(spec, "personality"), "args"),
		    "[{\"index\":0,\"value\":0,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]");
	json_decref(spec);
	spec = fx_build(&f, CMD, "{\"CapAdd\":[\"SYS_ADMIN\",\"SYS_TIME\"]}");
	assert_string_equal(action_of(spec, "mount"), "SCMP_ACT_ALLOW");
	assert_string_equal(action_of(spec, "clock_settime"), "SCMP_ACT_ALLOW");
	assert_null(json_object_get(rule_for(spec, "clone"), "args"));
	assert_string_equal(action_of(spec, "clone3"), "SCMP_ACT_ALLOW");
	json_decref(spec);
}

static void test_seccomp_arm64(void **state)
{
	json_t *sc = spec_seccomp_default(0, "arm64");
	json_t *spec = json_pack("{s:{s:o}}", "linux", "seccomp", sc);

	(void)state;
	assert_json(json_object_get(sc, "architectures"), "[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
	assert_non_null(rule_for(spec, "set_tls"));
	assert_null(rule_for(spec, "arch_prctl"));
	assert_null(rule_for(spec, "modify_ldt"));
	json_decref(spec);
}

static const char profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
	"\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]},"
	"{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
	"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"name\":\"mount\",\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
	"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":[\"CAP_NET_RAW\"]}},"
	"{\"names\":[\"set_tls\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"arm64\"]}},"
	"{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,"
	"\"args\":[{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}";

static void test_seccomp_profile(void **state)
{
	_cleanup_free_ char *hc = NULL;
	json_t *spec, *esc = json_string(profile);
	_cleanup_free_ char *opt = NULL;

	(void)state;
	opt = fx_dump(esc);
	json_decref(esc);
	/* opt is "\"...\"": splice "seccomp=" after its opening quote */
	hc = xasprintf("{\"SecurityOpt\":[\"seccomp=%s]}", opt + 1);
	spec = fx_build(&f, CMD, hc);
	assert_json(json_object_get(json_object_get(json_object_get(spec, "linux"), "seccomp"), "architectures"),
		    "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]");
	assert_string_equal(action_of(spec, "write"), "SCMP_ACT_ALLOW");
	assert_null(rule_for(spec, "mount"));
	assert_null(rule_for(spec, "ptrace")); /* NET_RAW is a default capability */
	assert_null(rule_for(spec, "set_tls"));
	assert_json(rule_for(spec, "kill"), "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,"
					    "\"args\":[{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}");
	json_decref(spec);
	free(hc);
	hc = xasprintf("{\"CapAdd\":[\"SYS_ADMIN\"],\"CapDrop\":[\"NET_RAW\"],\"SecurityOpt\":[\"seccomp=%s]}",
		       opt + 1);
	spec = fx_build(&f, CMD, hc);
	assert_non_null(rule_for(spec, "mount"));
	assert_non_null(rule_for(spec, "ptrace"));
	json_decref(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_mounts),
		cmocka_unit_test(test_mount_overrides),
		cmocka_unit_test(test_shm),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_cgroupns_v1),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_resources_misc),
		cmocka_unit_test(test_seccomp_default),
		cmocka_unit_test(test_seccomp_arm64),
		cmocka_unit_test(test_seccomp_profile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
