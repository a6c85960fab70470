/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `berth run`/`create` flags into the HostConfig half of the ContainerCreate body: storage, resources, security,
 * logging. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/run_internal.h"
#include "cli/berth/run_parse.h"

/* -v, --mount, --tmpfs: Binds, Config.Volumes, Mounts, Tmpfs. */
static int build_storage(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	json_t *binds = json_array(), *volumes = json_object(), *mounts = json_array(), *tmpfs = json_object();

	json_object_set_new(b->host, "Binds", binds);
	json_object_set_new(b->config, "Volumes", volumes);
	json_object_set_new(b->host, "Mounts", mounts);
	json_object_set_new(b->host, "Tmpfs", tmpfs);
	for (size_t i = 0; f->volume && f->volume[i]; i++)
		if (bcli_run_volume_add(f->volume[i], binds, volumes, err) < 0)
			return -1;
	for (size_t i = 0; f->mount && f->mount[i]; i++) {
		json_t *m;

		if (bcli_run_parse_mount(f->mount[i], &m, err) < 0)
			return run_flag_error(err, f->mount[i], "--mount");
		json_array_append_new(mounts, m);
	}
	for (size_t i = 0; f->tmpfs && f->tmpfs[i]; i++) {
		const char *colon = strchr(f->tmpfs[i], ':');
		_cleanup_free_ char *dst =
			colon ? strndup(f->tmpfs[i], (size_t)(colon - f->tmpfs[i])) : xstrdup(f->tmpfs[i]);

		json_object_set_new(tmpfs, dst, json_string(colon ? colon + 1 : ""));
	}
	if (json_array_size(binds) == 0)
		json_object_set_new(b->host, "Binds", json_null());
	if (json_array_size(mounts) == 0)
		json_object_del(b->host, "Mounts");
	if (json_object_size(tmpfs) == 0)
		json_object_del(b->host, "Tmpfs");
	json_object_set_new(b->host, "VolumesFrom", run_strv_json(f->volumes_from, false));
	return 0;
}

/* --ulimit and --device lists, validated as docker's flags validate them. */
static int build_ulimits_devices(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	json_t *ulimits = json_array(), *devices = json_array();

	json_object_set_new(b->host, "Ulimits", ulimits);
	json_object_set_new(b->host, "Devices", devices);
	for (size_t i = 0; f->ulimit && f->ulimit[i]; i++) {
		json_t *u, *old;
		size_t k;

		if (bcli_run_parse_ulimit(f->ulimit[i], &u, err) < 0)
			return run_flag_error(err, f->ulimit[i], "--ulimit");
		/* a later --ulimit of the same name replaces the earlier one */
		json_array_foreach(ulimits, k,
				   old) if (json_equal(json_object_get(old, "Name"), json_object_get(u, "Name")))
		{
			json_array_remove(ulimits, k);
			break;
		}
		json_array_append_new(ulimits, u);
	}
	for (size_t i = 0; f->device && f->device[i]; i++) {
		json_t *d;

		if (bcli_run_parse_device(f->device[i], &d, err) < 0)
			return run_flag_error(err, f->device[i], "--device");
		json_array_append_new(devices, d);
	}
	return 0;
}

static int build_cpu(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	int64_t nano = 0;
	uint64_t weight = 0;

	if (f->cpus && bcli_run_parse_cpus(f->cpus, &nano, err) < 0)
		return run_flag_error(err, f->cpus, "--cpus");
	if (f->blkio_weight && bcli_run_parse_gouint(f->blkio_weight, 16, &weight, err) < 0)
		return run_flag_error(err, f->blkio_weight, "--blkio-weight");
	json_object_set_new(b->host, "NanoCpus", json_integer(nano));
	json_object_set_new(b->host, "CpuShares", json_integer(f->cpu_shares));
	json_object_set_new(b->host, "CpuPeriod", json_integer(f->cpu_period));
	json_object_set_new(b->host, "CpuQuota", json_integer(f->cpu_quota));
	json_object_set_new(b->host, "CpusetCpus", json_string(f->cpuset_cpus ? f->cpuset_cpus : ""));
	json_object_set_new(b->host, "CpusetMems", json_string(f->cpuset_mems ? f->cpuset_mems : ""));
	json_object_set_new(b->host, "BlkioWeight", json_integer((json_int_t)weight));
	return 0;
}

static int build_resources(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	json_t *h = b->host;

	if (run_bytes_set(h, "Memory", f->memory, "-m, --memory", false, err) < 0 ||
	    run_bytes_set(h, "MemorySwap", f->memory_swap, "--memory-swap", true, err) < 0 ||
	    run_bytes_set(h, "MemoryReservation", f->memory_reservation, "--memory-reservation", false, err) < 0 ||
	    run_bytes_set(h, "KernelMemory", f->kernel_memory, "--kernel-memory", false, err) < 0 ||
	    run_bytes_set(h, "ShmSize", f->shm_size, "--shm-size", false, err) < 0 || build_cpu(b, err) < 0 ||
	    build_ulimits_devices(b, err) < 0)
		return -1;
	if (f->memory_swappiness != -1 && (f->memory_swappiness < 0 || f->memory_swappiness > 100))
		return berth_error_set(err, 0, "invalid value: %d. Valid memory swappiness range is 0-100",
				       f->memory_swappiness);
	if (f->oom_score_adj < -1000 || f->oom_score_adj > 1000)
		return berth_error_set(err, 0, "invalid value: %d. Valid oom score adj range is -1000 to 1000",
				       f->oom_score_adj);
	json_object_set_new(h, "MemorySwappiness", json_integer(f->memory_swappiness));
	json_object_set_new(h, "OomKillDisable", json_boolean(f->oom_kill_disable));
	json_object_set_new(h, "OomScoreAdj", json_integer(f->oom_score_adj));
	json_object_set_new(h, "PidsLimit", f->pids_limit ? json_integer(f->pids_limit) : json_null());
	json_object_set_new(h, "CgroupParent", json_string(f->cgroup_parent ? f->cgroup_parent : ""));
	return 0;
}

/* docker's PidMode/IpcMode/... Valid(): the plain values, or "container:<name>" where allowed. */
static bool mode_valid(const char *v, const char *plain, bool container)
{
	size_t n = strlen(v);
	const char *hit;

	if (!*v)
		return true;
	if (container && strncmp(v, "container:", 10) == 0)
		return v[10] != '\0' && !strchr(v + 10, ':');
	hit = strstr(plain, v);
	return hit && (hit == plain || hit[-1] == ' ') && (hit[n] == ' ' || hit[n] == '\0');
}

static int build_namespaces(struct run_build *b, struct berth_error **err)
{
	static const struct {
		const char *key, *flag, *what, *plain;
		size_t offset;
		bool container;
	} modes[] = {
		{"PidMode", "pid", "PID", "host", offsetof(struct bcli_run_flags, pid), true},
		{"IpcMode", "ipc", "IPC", "none private shareable host", offsetof(struct bcli_run_flags, ipc), true},
		{"UTSMode", "uts", "UTS", "host", offsetof(struct bcli_run_flags, uts), false},
		{"UsernsMode", "userns", "USER", "host", offsetof(struct bcli_run_flags, userns), false},
		{"CgroupnsMode", "cgroupns", "CGROUP", "host private", offsetof(struct bcli_run_flags, cgroupns),
		 false},
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *v = *(const char *const *)((const char *)b->f + modes[i].offset);

		if (v && !mode_valid(v, modes[i].plain, modes[i].container))
			return berth_error_set(err, 0, "--%s: invalid %s mode", modes[i].flag, modes[i].what);
		json_object_set_new(b->host, modes[i].key, json_string(v ? v : ""));
	}
	return 0;
}

/* One CLOCK=SECONDS of --time-offset into offsets. */
static int time_offset_add(json_t *offsets, const char *item, const char *flag_value, struct berth_error **err)
{
	const char *eq = strchr(item, '=');
	_cleanup_free_ char *clock = eq ? strndup(item, (size_t)(eq - item)) : NULL;
	int64_t secs;

	if (!clock)
		berth_error_set(err, 0, "expected CLOCK=SECONDS");
	else if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
		berth_error_set(err, 0, "unknown clock '%s' (expected monotonic or boottime)", clock);
	else if (bcli_run_parse_goint(eq + 1, 64, &secs, err) == 0) {
		json_object_set_new(offsets, clock, json_integer(secs));
		return 0;
	}
	return run_flag_error(err, flag_value, "--time-offset");
}

/* --time-offset monotonic=SECONDS,boottime=SECONDS: berth's HostConfig.BerthTimeOffsets (a new time namespace). */
static int build_time_offsets(struct run_build *b, struct berth_error **err)
{
	json_t *offsets;

	if (!b->f->time_offset)
		return 0;
	offsets = json_object();
	json_object_set_new(b->host, "BerthTimeOffsets", offsets);
	for (size_t i = 0; b->f->time_offset[i]; i++) {
		_cleanup_strv_ char **items = NULL;

		if (bcli_run_csv_split(b->f->time_offset[i], &items, err) < 0)
			return run_flag_error(err, b->f->time_offset[i], "--time-offset");
		for (size_t k = 0; items && items[k]; k++)
			if (time_offset_add(offsets, items[k], b->f->time_offset[i], err) < 0)
				return -1;
	}
	return 0;
}

/* --security-opt (seccomp profiles read, systempaths=unconfined turned into empty path lists), caps. */
static int build_security(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	json_t *opts = json_array();

	json_object_set_new(b->host, "SecurityOpt", opts);
	for (size_t i = 0; f->security_opt && f->security_opt[i]; i++) {
		char *s = NULL;

		if (bcli_run_security_opt(f->security_opt[i], &s, err) < 0)
			return -1;
		if (strcmp(s, "systempaths=unconfined") == 0) {
			json_object_set_new(b->host, "MaskedPaths", json_array());
			json_object_set_new(b->host, "ReadonlyPaths", json_array());
			free(s);
			continue;
		}
		json_array_append_new(opts, json_string(s));
		free(s);
	}
	if (json_array_size(opts) == 0)
		json_object_set_new(b->host, "SecurityOpt", json_null());
	json_object_set_new(b->host, "CapAdd", run_strv_json(f->cap_add, false));
	json_object_set_new(b->host, "CapDrop", run_strv_json(f->cap_drop, false));
	json_object_set_new(b->host, "GroupAdd", run_strv_json(f->group_add, false));
	json_object_set_new(b->host, "Privileged", json_boolean(f->privileged));
	json_object_set_new(b->host, "ReadonlyRootfs", json_boolean(f->read_only));
	return 0;
}

/* --sysctl: docker's allow-list (IPC sysctls and the namespaced net./fs.mqueue. trees). */
static int build_sysctls(struct run_build *b, struct berth_error **err)
{
	static const char *const allowed[] = {"kernel.msgmax", "kernel.msgmnb",		"kernel.msgmni",
					      "kernel.sem",    "kernel.shmall",		"kernel.shmmax",
					      "kernel.shmmni", "kernel.shm_rmid_forced"};
	json_t *map = json_object();

	json_object_set_new(b->host, "Sysctls", map);
	for (size_t i = 0; b->f->sysctl && b->f->sysctl[i]; i++) {
		const char *s = b->f->sysctl[i], *eq = strchr(s, '=');
		_cleanup_free_ char *k = eq ? strndup(s, (size_t)(eq - s)) : NULL;
		bool ok = k && (strncmp(k, "net.", 4) == 0 || strncmp(k, "fs.mqueue.", 10) == 0);

		for (size_t j = 0; k && j < sizeof(allowed) / sizeof(allowed[0]); j++)
			ok |= strcmp(k, allowed[j]) == 0;
		if (!ok) {
			berth_error_set(err, 0, "sysctl '%s' is not allowed", s);
			return run_flag_error(err, s, "--sysctl");
		}
		json_object_set_new(map, k, json_string(eq + 1));
	}
	if (json_object_size(map) == 0)
		json_object_del(b->host, "Sysctls");
	return 0;
}

static json_t *kv_map(char *const *v)
{
	json_t *map = json_object();

	for (size_t i = 0; v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		_cleanup_free_ char *k = eq ? strndup(v[i], (size_t)(eq - v[i])) : xstrdup(v[i]);

		json_object_set_new(map, k, json_string(eq ? eq + 1 : ""));
	}
	return map;
}

/* --restart (with --rm), --log-driver/--log-opt, --runtime, --init, --cidfile, --uidmap/--gidmap. */
static int build_lifecycle(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	const char *driver = f->log_driver && *f->log_driver ? f->log_driver : "json-file", *name;
	json_t *restart = NULL, *uid = json_array(), *gid = json_array(), *m;

	json_object_set_new(b->host, "BerthIDMappings", json_pack("{s:o,s:o}", "UIDMap", uid, "GIDMap", gid));
	for (size_t i = 0; f->uidmap && f->uidmap[i]; i++) {
		if (bcli_run_parse_idmap(f->uidmap[i], &m, err) < 0)
			return run_flag_error(err, f->uidmap[i], "--uidmap");
		json_array_append_new(uid, m);
	}
	for (size_t i = 0; f->gidmap && f->gidmap[i]; i++) {
		if (bcli_run_parse_idmap(f->gidmap[i], &m, err) < 0)
			return run_flag_error(err, f->gidmap[i], "--gidmap");
		json_array_append_new(gid, m);
	}
	if (!f->uidmap && !f->gidmap)
		json_object_del(b->host, "BerthIDMappings");
	if (bcli_run_parse_restart(f->restart ? f->restart : "no", &restart, err) < 0)
		return -1;
	json_object_set_new(b->host, "RestartPolicy", restart);
	name = json_string_value(json_object_get(restart, "Name"));
	if (f->rm && *name && strcmp(name, "no") != 0)
		return berth_error_set(err, 0, "Conflicting options: --restart and --rm");
	if (strcmp(driver, "none") == 0 && f->log_opt)
		return berth_error_set(err, 0, "invalid logging opts for driver %s", driver);
	json_object_set_new(b->host, "LogConfig", json_pack("{s:s,s:o}", "Type", driver, "Config", kv_map(f->log_opt)));
	json_object_set_new(b->host, "AutoRemove", json_boolean(f->rm));
	json_object_set_new(b->host, "PublishAllPorts", json_boolean(f->publish_all));
	json_object_set_new(b->host, "Runtime", json_string(f->runtime ? f->runtime : ""));
	json_object_set_new(b->host, "ContainerIDFile", json_string(f->cidfile ? f->cidfile : ""));
	json_object_set_new(b->host, "Init", f->init ? json_true() : json_null());
	return 0;
}

int run_build_host(struct run_build *b, struct berth_error **err)
{
	if (build_storage(b, err) < 0 || build_resources(b, err) < 0 || build_namespaces(b, err) < 0 ||
	    build_time_offsets(b, err) < 0 || build_security(b, err) < 0 || build_sysctls(b, err) < 0 ||
	    build_lifecycle(b, err) < 0)
		return -1;
	return 0;
}
