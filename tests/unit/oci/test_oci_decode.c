/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding config.json: runc's default spec, every field of a rich config, process.json, big integers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "base/base.h"
#include "oci/oci.h"

static const char *data_dir = ".";

static struct oci_config *load_fixture(const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", data_dir, file);
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	if (oci_config_load(path, &c, &err) < 0)
		fail_msg("%s", err->msg);
	if (oci_config_validate(c, file, &err) < 0)
		fail_msg("%s", err->msg);
	return c;
}

static struct oci_config *parse_ok(const char *json)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	if (oci_config_parse(json, strlen(json), NULL, &c, &err) < 0)
		fail_msg("%s", err->msg);
	return c;
}

#define CAP(x) (UINT64_C(1) << (x))

static void test_runc_default(void **state)
{
	struct oci_config *c = load_fixture("runc-spec.json");
	const struct oci_process *p = &c->process;
	const struct oci_linux *l = &c->linux_;
	uint64_t caps = CAP(CAP_AUDIT_WRITE) | CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE);

	assert_string_equal(c->oci_version, "1.0.2-dev");
	assert_string_equal(c->root_path, "rootfs");
	assert_true(c->root_readonly);
	assert_string_equal(c->hostname, "runc");
	assert_null(c->domainname);
	assert_true(c->has_process);
	assert_true(p->terminal);
	assert_false(p->has_console_size);
	assert_int_equal(p->user.uid, 0);
	assert_false(p->user.has_umask);
	assert_string_equal(p->args[0], "sh");
	assert_null(p->args[1]);
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_string_equal(p->cwd, "/");
	assert_true(p->has_capabilities);
	assert_int_equal(p->caps.bounding, caps);
	assert_int_equal(p->caps.effective, caps);
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.permitted, caps);
	assert_int_equal(p->caps.ambient, caps);
	assert_int_equal(p->n_rlimits, 1);
	assert_int_equal(p->rlimits[0].type, RLIMIT_NOFILE);
	assert_string_equal(p->rlimits[0].name, "RLIMIT_NOFILE");
	assert_int_equal(p->rlimits[0].hard, 1024);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_true(p->no_new_privileges);
	assert_false(p->has_oom_score_adj);

	assert_int_equal(c->n_mounts, 7);
	assert_string_equal(c->mounts[0].destination, "/proc");
	assert_null(c->mounts[0].options);
	assert_null(c->mounts[0].data);
	assert_string_equal(c->mounts[1].type, "tmpfs");
	assert_int_equal(c->mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(c->mounts[1].data, "mode=755,size=65536k");
	assert_string_equal(c->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_int_equal(c->mounts[5].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_int_equal(c->mounts[6].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	assert_false(c->mounts[6].is_bind);

	assert_true(c->has_linux);
	for (int t = 0; t < OCI_NS_COUNT; t++) {
		bool want = t == OCI_NS_PID || t == OCI_NS_NETWORK || t == OCI_NS_IPC || t == OCI_NS_UTS ||
			    t == OCI_NS_MOUNT;

		assert_int_equal(l->namespaces[t].present, want);
		assert_null(l->namespaces[t].path);
	}
	assert_true(l->has_resources);
	assert_int_equal(l->resources.n_devices, 1);
	assert_false(l->resources.devices[0].allow);
	assert_int_equal(l->resources.devices[0].type, 'a');
	assert_int_equal(l->resources.devices[0].major, -1);
	assert_int_equal(l->resources.devices[0].minor, -1);
	assert_string_equal(l->resources.devices[0].access, "rwm");
	assert_string_equal(l->resources.raw_json, "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}");
	assert_int_equal(strv_length(l->masked_paths), 10);
	assert_string_equal(l->masked_paths[9], "/proc/scsi");
	assert_int_equal(strv_length(l->readonly_paths), 5);
	assert_null(l->seccomp_json);
	assert_int_equal(l->rootfs_propagation_flags, 0);
	oci_config_free(c);
}

static void test_runc_default_rootless(void **state)
{
	struct oci_config *c = load_fixture("runc-spec-rootless.json");
	const struct oci_linux *l = &c->linux_;

	assert_true(l->namespaces[OCI_NS_USER].present);
	assert_false(l->namespaces[OCI_NS_NETWORK].present);
	assert_int_equal(l->n_uid_mappings, 1);
	assert_int_equal(l->uid_mappings[0].container_id, 0);
	assert_int_equal(l->uid_mappings[0].host_id, 65534);
	assert_int_equal(l->uid_mappings[0].size, 1);
	assert_int_equal(l->gid_mappings[0].host_id, 65534);
	assert_false(l->has_resources);
	assert_true(c->mounts[5].is_bind);
	assert_int_equal(c->mounts[5].flags, MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_null(c->mounts[5].data);
	oci_config_free(c);
}

static void check_rich_process(const struct oci_process *p)
{
	assert_true(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 25);
	assert_int_equal(p->console_width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.n_additional_gids, 3);
	assert_int_equal(p->user.additional_gids[2], 4294967295u);
	assert_string_equal(p->user.username, "alice");
	assert_string_equal(p->args[2], "echo hi");
	assert_string_equal(p->command_line, "sh -c hi");
	assert_string_equal(p->env[2], "EMPTY=");
	assert_string_equal(p->cwd, "/work");
	assert_int_equal(p->caps.bounding, CAP(CAP_CHOWN) | CAP(CAP_KILL) | CAP(CAP_CHECKPOINT_RESTORE));
	assert_int_equal(p->caps.effective, CAP(CAP_KILL));
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.permitted, CAP(CAP_KILL) | CAP(CAP_SYS_ADMIN));
	assert_int_equal(p->caps.ambient, CAP(CAP_NET_BIND_SERVICE));
	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[1].type, RLIMIT_CORE);
	assert_true(p->rlimits[1].hard == UINT64_MAX);
	assert_true(p->rlimits[1].soft == UINT64_MAX);
	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "berth-default");
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
}

static void check_rich_top(const struct oci_config *c)
{
	static const char *const hook_paths[OCI_HOOK_COUNT] = {"/usr/bin/pre", "/usr/bin/cr1", "/usr/bin/cc",
							       "/usr/bin/sc",  "/usr/bin/ps",  "/usr/bin/stop"};

	assert_string_equal(c->oci_version, "1.1.0");
	assert_string_equal(c->root_path, "/var/lib/rootfs");
	assert_string_equal(c->hostname, "box");
	assert_string_equal(c->domainname, "example.org");
	assert_int_equal(c->n_mounts, 3);
	assert_true(c->mounts[1].is_bind);
	assert_int_equal(c->mounts[1].flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
	assert_int_equal(c->mounts[1].propagation, MS_SLAVE | MS_REC);
	assert_null(c->mounts[1].data);
	assert_string_equal(c->mounts[1].options[4], "tmpcopyup");
	assert_int_equal(c->mounts[2].flags, MS_NOSUID | MS_NODEV | MS_NOSYMFOLLOW);
	assert_string_equal(c->mounts[2].data, "size=64k,mode=1777");
	for (int k = 0; k < OCI_HOOK_COUNT; k++)
		assert_string_equal(c->hooks.list[k][0].path, hook_paths[k]);
	assert_int_equal(c->hooks.n[OCI_HOOK_CREATE_RUNTIME], 2);
	assert_string_equal(c->hooks.list[OCI_HOOK_PRESTART][0].args[1], "a");
	assert_string_equal(c->hooks.list[OCI_HOOK_PRESTART][0].env[0], "A=1");
	assert_int_equal(c->hooks.list[OCI_HOOK_PRESTART][0].timeout, 5);
	assert_int_equal(c->hooks.list[OCI_HOOK_CREATE_RUNTIME][1].timeout, 0);
	assert_int_equal(c->hooks.list[OCI_HOOK_POSTSTOP][0].timeout, 30);
	assert_int_equal(c->n_annotations, 2);
	assert_string_equal(c->annotations[0].key, "org.example.key");
	assert_string_equal(c->annotations[0].value, "value");
	assert_string_equal(c->annotations[1].value, "");
}

static void check_rich_linux(const struct oci_linux *l)
{
	const struct oci_resources *r = &l->resources;

	for (int t = 0; t < OCI_NS_COUNT; t++)
		assert_true(l->namespaces[t].present);
	assert_string_equal(l->namespaces[OCI_NS_NETWORK].path, "/var/run/netns/box");
	assert_null(l->namespaces[OCI_NS_PID].path);
	assert_int_equal(l->uid_mappings[0].host_id, 100000);
	assert_int_equal(l->n_gid_mappings, 2);
	assert_int_equal(l->gid_mappings[1].host_id, 4294967295u);
	assert_true(l->time_monotonic.present);
	assert_int_equal(l->time_monotonic.secs, -86400);
	assert_int_equal(l->time_monotonic.nanosecs, 500);
	assert_int_equal(l->time_boottime.secs, 1000000000000);
	assert_int_equal(l->n_devices, 2);
	assert_int_equal(l->devices[0].type, 'c');
	assert_int_equal(l->devices[0].major, 10);
	assert_int_equal(l->devices[0].minor, 229);
	assert_true(l->devices[0].has_file_mode);
	assert_int_equal(l->devices[0].file_mode, 0666);
	assert_true(l->devices[0].has_uid && l->devices[0].has_gid);
	assert_int_equal(l->devices[1].type, 'p');
	assert_false(l->devices[1].has_file_mode);
	assert_string_equal(l->cgroups_path, "/berth/box");
	assert_int_equal(r->n_devices, 2);
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].type, 'c');
	assert_int_equal(r->devices[1].minor, 229);
	assert_string_equal(r->devices[1].access, "rw");
	assert_true(r->has_memory_limit && r->has_memory_reservation && r->has_memory_swap);
	assert_int_equal(r->memory_limit, 536870912);
	assert_int_equal(r->memory_swap, -1);
	assert_true(r->has_memory_swappiness && r->memory_swappiness == UINT64_MAX);
	assert_true(r->has_disable_oom_killer && r->disable_oom_killer);
	assert_int_equal(r->cpu_shares, 512);
	assert_int_equal(r->cpu_quota, 50000);
	assert_int_equal(r->cpu_period, 100000);
	assert_string_equal(r->cpu_cpus, "0-1");
	assert_string_equal(r->cpu_mems, "0");
	assert_true(r->has_pids_limit);
	assert_int_equal(r->pids_limit, 100);
	assert_string_equal(r->unified[0], "memory.high");
	assert_string_equal(r->unified[3], "default 100");
	assert_null(r->unified[4]);
	assert_non_null(strstr(r->raw_json, "\"blockIO\":{\"weight\":10}"));
	assert_non_null(strstr(r->raw_json, "\"swappiness\":18446744073709551615"));
	assert_string_equal(l->rootfs_propagation, "rslave");
	assert_int_equal(l->rootfs_propagation_flags, MS_SLAVE | MS_REC);
	assert_string_equal(l->masked_paths[1], "/sys/firmware");
	assert_string_equal(l->readonly_paths[0], "/proc/sys");
	assert_int_equal(l->n_sysctl, 3);
	assert_string_equal(l->sysctl[1].key, "kernel.shmmax");
	assert_string_equal(l->sysctl[1].value, "4096");
	assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
	assert_non_null(strstr(l->seccomp_json, "\"value\":18446744073709551615,"));
	assert_string_equal(l->personality_json, "{\"domain\":\"LINUX32\"}");
}

static void test_rich_config(void **state)
{
	struct oci_config *c = load_fixture("rich-config.json");

	check_rich_top(c);
	check_rich_process(&c->process);
	check_rich_linux(&c->linux_);
	oci_config_free(c);
}

static void test_null_is_absent(void **state)
{
	struct oci_config *c =
		parse_ok("{\"ociVersion\": null, \"process\": {\"env\": null, \"args\": [\"a\"]},"
			 " \"linux\": {\"resources\": {\"memory\": {\"limit\": null}}}, \"mounts\": null}");

	assert_null(c->oci_version);
	assert_true(c->has_process);
	assert_null(c->process.env);
	assert_false(c->linux_.resources.has_memory_limit);
	assert_int_equal(c->n_mounts, 0);
	oci_config_free(c);
}

static void test_empty_strings(void **state)
{
	struct oci_config *c = parse_ok("{\"hostname\": \"\", \"root\": {\"path\": \"\"}, \"process\": {\"args\": [],"
					" \"env\": []}}");

	assert_null(c->hostname);
	assert_null(c->root_path);
	assert_null(c->process.args);
	oci_config_free(c);
	c = parse_ok("{\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"\"}]}}");
	assert_true(c->linux_.namespaces[OCI_NS_NETWORK].present);
	assert_null(c->linux_.namespaces[OCI_NS_NETWORK].path);
	oci_config_free(c);
}

static void test_unknown_capability_is_ignored(void **state)
{
	struct oci_config *c;

	berth_log_set_level(BERTH_LOG_ERROR);
	c = parse_ok("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_FLY\"]}}}");
	berth_log_set_level(BERTH_LOG_INFO);
	assert_int_equal(c->process.caps.bounding, CAP(CAP_KILL));
	oci_config_free(c);
}

static void test_big_integers(void **state)
{
	struct oci_config *c = parse_ok("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_AS\", \"hard\":"
					" 18446744073709551615, \"soft\": 9223372036854775808}]}}");

	assert_true(c->process.rlimits[0].hard == UINT64_MAX);
	assert_true(c->process.rlimits[0].soft == UINT64_C(9223372036854775808));
	oci_config_free(c);
	c = parse_ok("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_AS\", \"hard\": 9223372036854775807}]}}");
	assert_true(c->process.rlimits[0].hard == INT64_MAX);
	oci_config_free(c);
}

static int process_parse(const char *json, const char *name, struct oci_process **ret, struct berth_error **err)
{
	return oci_process_parse(json, strlen(json), name, ret, err);
}

static void test_process_json(void **state)
{
	static const char json[] =
		"{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/\", \"env\": [\"A=b\"], \"user\": {\"uid\": 7}}";
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_process *p = NULL;

	assert_int_equal(oci_process_parse(json, strlen(json), NULL, &p, &err), 0);
	assert_string_equal(p->args[1], "-l");
	assert_int_equal(p->user.uid, 7);
	oci_process_free(p);
	p = NULL;

	assert_int_equal(process_parse("{\"args\": [\"ls\"]}", "p.json", &p, &err), -1);
	assert_null(p);
	assert_string_equal(err->msg, "p.json: cwd: required");
	assert_int_equal(process_parse("{\"cwd\": \"/\", \"args\": []}", NULL, &p, &err), -1);
	assert_string_equal(err->msg, "process.json: args: must not be empty");
	assert_int_equal(process_parse("{\"cwd\": \"/\", \"args\": [1]}", NULL, &p, &err), -1);
	assert_string_equal(err->msg, "process.json: args[0]: expected string");
	assert_int_equal(process_parse("[]", NULL, &p, &err), -1);
	assert_string_equal(err->msg, "process.json: expected object");
	oci_process_free(NULL);
	oci_process_done(NULL);
}

static void test_load_missing_file(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	assert_int_equal(oci_config_load("/nonexistent/config.json", &c, &err), -1);
	assert_null(c);
	assert_non_null(strstr(err->msg, "'/nonexistent/config.json'"));
	oci_config_free(NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runc_default),	  cmocka_unit_test(test_runc_default_rootless),
		cmocka_unit_test(test_rich_config),	  cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_empty_strings),	  cmocka_unit_test(test_unknown_capability_is_ignored),
		cmocka_unit_test(test_big_integers),	  cmocka_unit_test(test_process_json),
		cmocka_unit_test(test_load_missing_file),
	};

	if (argc > 1)
		data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
