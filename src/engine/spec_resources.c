/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: HostConfig's resource options as linux.resources (memory, cpu,
 * pids, blkio, the device cgroup), linux.devices, linux.sysctl, cgroupsPath,
 * process.rlimits and oomScoreAdj, with Docker's checks and defaults.
 */
#include <ctype.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/base.h"
#include "engine/spec_internal.h"
#include "oci/oci.h"

#define MIN_MEMORY (6 << 20)

/* Docker's device cgroup defaults: mknod anything, use the standard nodes and ptys. */
static const struct {
	char type;
	int64_t major, minor; /* -1: any */
	const char *access;
} default_rules[] = {
	{'c', -1, -1, "m"}, {'b', -1, -1, "m"}, {'c', 1, 3, "rwm"},    {'c', 1, 5, "rwm"},
	{'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"}, {'c', 1, 9, "rwm"},    {'c', 5, 0, "rwm"},
	{'c', 5, 1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 136, -1, "rwm"},
};

static json_t *rule_json(bool allow, char type, int64_t major, int64_t minor, const char *access)
{
	json_t *r = json_pack("{s:b, s:s#}", "allow", allow, "type", &type, (size_t)1);

	if (type == 'a')
		json_object_del(r, "type");
	if (major >= 0)
		json_object_set_new(r, "major", json_integer(major));
	if (minor >= 0)
		json_object_set_new(r, "minor", json_integer(minor));
	json_object_set_new(r, "access", json_string(access));
	return r;
}

static int check_memory(json_t *hc, struct berth_error **err)
{
	int64_t mem = spec_int(hc, "Memory"), swap = spec_int(hc, "MemorySwap");
	int64_t resv = spec_int(hc, "MemoryReservation");
	json_t *swappiness = json_object_get(hc, "MemorySwappiness");

	if (mem < 0 || (mem > 0 && mem < MIN_MEMORY))
		return berth_error_set(err, 0, "HostConfig.Memory: minimum memory limit allowed is 6MB");
	if (mem == 0 && swap > 0)
		return berth_error_set(err, 0,
				       "HostConfig.MemorySwap: you should always set the Memory limit when using "
				       "Memoryswap limit");
	if (mem > 0 && swap > 0 && swap < mem)
		return berth_error_set(
			err, 0, "HostConfig.MemorySwap: minimum memoryswap limit should be larger than memory limit");
	if (resv < 0 || (resv > 0 && resv < MIN_MEMORY))
		return berth_error_set(err, 0,
				       "HostConfig.MemoryReservation: minimum memory reservation allowed is 6MB");
	if (resv > 0 && mem > 0 && mem < resv)
		return berth_error_set(err, 0,
				       "HostConfig.MemoryReservation: minimum memory limit can not be less than memory "
				       "reservation limit");
	if (json_is_integer(swappiness) &&
	    (json_integer_value(swappiness) < -1 || json_integer_value(swappiness) > 100))
		return berth_error_set(
			err, 0,
			"HostConfig.MemorySwappiness: invalid value %lld, valid memory swappiness range is "
			"0-100",
			(long long)json_integer_value(swappiness));
	return 0;
}

static json_t *memory(json_t *hc)
{
	int64_t mem = spec_int(hc, "Memory"), swap = spec_int(hc, "MemorySwap");
	json_t *m = json_object(), *swappiness = json_object_get(hc, "MemorySwappiness");

	if (mem > 0)
		json_object_set_new(m, "limit", json_integer(mem));
	/* Docker: no MemorySwap with a Memory limit means as much swap again */
	if (mem > 0 && swap == 0)
		swap = 2 * mem;
	if (swap != 0)
		json_object_set_new(m, "swap", json_integer(swap < 0 ? -1 : swap));
	if (spec_int(hc, "MemoryReservation") > 0)
		json_object_set_new(m, "reservation", json_integer(spec_int(hc, "MemoryReservation")));
	if (json_is_integer(swappiness) && json_integer_value(swappiness) >= 0)
		json_object_set_new(m, "swappiness", json_integer(json_integer_value(swappiness)));
	if (spec_bool(hc, "OomKillDisable"))
		json_object_set_new(m, "disableOOMKiller", json_true());
	return m;
}

static int cpu(json_t *hc, json_t *res, struct berth_error **err)
{
	int64_t nano = spec_int(hc, "NanoCpus"), quota = spec_int(hc, "CpuQuota"), period = spec_int(hc, "CpuPeriod");
	json_t *c = json_object();
	const char *s;

	json_object_set_new(res, "cpu", c);
	if (nano < 0)
		return berth_error_set(err, 0, "HostConfig.NanoCpus: must not be negative");
	if (nano > 0 && period > 0)
		return berth_error_set(err, 0, "conflicting options: Nano CPUs and CPU Period cannot both be set");
	if (nano > 0 && quota > 0)
		return berth_error_set(err, 0, "conflicting options: Nano CPUs and CPU Quota cannot both be set");
	if (period != 0 && (period < 1000 || period > 1000000))
		return berth_error_set(err, 0,
				       "HostConfig.CpuPeriod: CPU cfs period can not be less than 1ms (i.e. 1000) or "
				       "larger than 1s (i.e. 1000000)");
	if (quota > 0 && quota < 1000)
		return berth_error_set(err, 0,
				       "HostConfig.CpuQuota: CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (nano > 0) {
		period = 100000;
		quota = nano * period / 1000000000;
	}
	if (spec_int(hc, "CpuShares") > 0)
		json_object_set_new(c, "shares", json_integer(spec_int(hc, "CpuShares")));
	if (quota != 0)
		json_object_set_new(c, "quota", json_integer(quota));
	if (period > 0)
		json_object_set_new(c, "period", json_integer(period));
	if (spec_int(hc, "CpuRealtimeRuntime") != 0)
		json_object_set_new(c, "realtimeRuntime", json_integer(spec_int(hc, "CpuRealtimeRuntime")));
	if (spec_int(hc, "CpuRealtimePeriod") > 0)
		json_object_set_new(c, "realtimePeriod", json_integer(spec_int(hc, "CpuRealtimePeriod")));
	if ((s = spec_str(hc, "CpusetCpus")))
		json_object_set_new(c, "cpus", json_string(s));
	if ((s = spec_str(hc, "CpusetMems")))
		json_object_set_new(c, "mems", json_string(s));
	return 0;
}

static int stat_device(const char *path, const char *field, struct stat *st, struct berth_error **err)
{
	if (!path)
		return berth_error_set(err, 0, "%s: a device path is required", field);
	if (stat(path, st) < 0)
		return berth_error_set(err, errno, "%s: stat '%s'", field, path);
	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		return berth_error_set(err, 0, "%s: '%s' is not a device node", field, path);
	return 0;
}

/* BlkioWeightDevice and the four throttle lists: {"Path", "Weight"|"Rate"} per device. */
static int blkio(json_t *hc, json_t *res, struct berth_error **err)
{
	static const struct {
		const char *field, *key, *value;
	} lists[] = {{"BlkioWeightDevice", "weightDevice", "Weight"},
		     {"BlkioDeviceReadBps", "throttleReadBpsDevice", "Rate"},
		     {"BlkioDeviceWriteBps", "throttleWriteBpsDevice", "Rate"},
		     {"BlkioDeviceReadIOps", "throttleReadIOPSDevice", "Rate"},
		     {"BlkioDeviceWriteIOps", "throttleWriteIOPSDevice", "Rate"}};
	int64_t weight = spec_int(hc, "BlkioWeight");
	json_t *b = json_object(), *e;
	struct stat st;
	char field[64];
	size_t j;

	json_object_set_new(res, "blockIO", b);
	if (weight != 0 && (weight < 10 || weight > 1000))
		return berth_error_set(err, 0, "HostConfig.BlkioWeight: range of blkio weight is from 10 to 1000");
	if (weight)
		json_object_set_new(b, "weight", json_integer(weight));
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		json_array_foreach(json_object_get(hc, lists[i].field), j, e)
		{
			json_t *arr = json_object_get(b, lists[i].key);

			snprintf(field, sizeof(field), "HostConfig.%s[%zu]", lists[i].field, j);
			if (stat_device(spec_str(e, "Path"), field, &st, err) < 0)
				return -1;
			if (!arr)
				json_object_set_new(b, lists[i].key, arr = json_array());
			json_array_append_new(arr, json_pack("{s:I, s:I, s:I}", "major", (json_int_t)major(st.st_rdev),
							     "minor", (json_int_t)minor(st.st_rdev),
							     i == 0 ? "weight" : "rate",
							     (json_int_t)spec_int(e, lists[i].value)));
		}
	return 0;
}

static bool valid_access(const char *s)
{
	return *s && strspn(s, "rwm") == strlen(s) && strlen(s) <= 3;
}

/* "c 1:3 mr", "a *:* rwm" of HostConfig.DeviceCgroupRules. */
static int parse_cgroup_rule(const char *s, const char *field, json_t **ret, struct berth_error **err)
{
	char type, maj[24], min[24], access[8];
	int64_t ma = -1, mi = -1;
	int n = 0;

	if (sscanf(s, "%c %23[0-9*]:%23[0-9*] %7s%n", &type, maj, min, access, &n) != 4 || s[n] ||
	    !strchr("abc", type) || !valid_access(access) || (strcmp(maj, "*") != 0 && parse_int64(maj, &ma) < 0) ||
	    (strcmp(min, "*") != 0 && parse_int64(min, &mi) < 0))
		return berth_error_set(err, 0, "%s: invalid device cgroup rule '%s'", field, s);
	*ret = rule_json(true, type, ma, mi, access);
	return 0;
}

/* HostConfig.Devices: a node in linux.devices and a rule allowing it. */
static int add_device(json_t *d, const char *field, json_t *devices, json_t *rules, struct berth_error **err)
{
	const char *host = spec_str(d, "PathOnHost"), *ctr = spec_str(d, "PathInContainer");
	const char *perms = spec_str(d, "CgroupPermissions");
	char type;
	struct stat st;

	if (stat_device(host, field, &st, err) < 0)
		return -1;
	if (!ctr)
		ctr = host;
	if (!perms)
		perms = "rwm";
	if (ctr[0] != '/')
		return berth_error_set(err, 0, "%s.PathInContainer: '%s' must be an absolute path", field, ctr);
	if (!valid_access(perms))
		return berth_error_set(err, 0, "%s.CgroupPermissions: invalid value '%s'", field, perms);
	type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	json_array_append_new(devices,
			      json_pack("{s:s, s:s#, s:I, s:I, s:i, s:i, s:i}", "path", ctr, "type", &type, (size_t)1,
					"major", (json_int_t)major(st.st_rdev), "minor", (json_int_t)minor(st.st_rdev),
					"fileMode", (int)(st.st_mode & 0777), "uid", 0, "gid", 0));
	json_array_append_new(rules, rule_json(true, type, major(st.st_rdev), minor(st.st_rdev), perms));
	return 0;
}

static int devices(struct spec_ctx *ctx, json_t *res, json_t *linux_, struct berth_error **err)
{
	json_t *rules = json_array(), *devs = json_array(), *v, *r = NULL;
	char field[64];
	size_t i;

	json_object_set_new(res, "devices", rules);
	json_object_set_new(linux_, "devices", devs);
	if (ctx->privileged) {
		json_t *host = spec_host_devices(ctx->in->host_dev_fd);

		json_array_extend(devs, host);
		json_decref(host);
		json_array_append_new(rules, rule_json(true, 'a', -1, -1, "rwm"));
	} else {
		json_array_append_new(rules, rule_json(false, 'a', -1, -1, "rwm"));
		for (i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]); i++)
			json_array_append_new(rules, rule_json(true, default_rules[i].type, default_rules[i].major,
							       default_rules[i].minor, default_rules[i].access));
	}
	json_array_foreach(json_object_get(ctx->hc, "Devices"), i, v)
	{
		snprintf(field, sizeof(field), "HostConfig.Devices[%zu]", i);
		if (add_device(v, field, devs, rules, err) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(ctx->hc, "DeviceCgroupRules"), i, v)
	{
		snprintf(field, sizeof(field), "HostConfig.DeviceCgroupRules[%zu]", i);
		if (!json_is_string(v))
			return berth_error_set(err, 0, "%s: expected string", field);
		if (parse_cgroup_rule(json_string_value(v), field, &r, err) < 0)
			return -1;
		json_array_append_new(rules, r);
	}
	return 0;
}

static int rlimits(json_t *hc, json_t *process, struct berth_error **err)
{
	json_t *list = json_object_get(hc, "Ulimits"), *u, *out = NULL;
	char field[64], name[48];
	size_t i;

	json_array_foreach(list, i, u)
	{
		const char *n = spec_str(u, "Name");
		int64_t soft = spec_int(u, "Soft"), hard = spec_int(u, "Hard");

		snprintf(field, sizeof(field), "HostConfig.Ulimits[%zu]", i);
		if (!n || strlen(n) > 32)
			return berth_error_set(err, 0, "%s.Name: required", field);
		snprintf(name, sizeof(name), "RLIMIT_%s", n);
		for (char *p = name; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (oci_rlimit_from_name(name) < 0)
			return berth_error_set(err, 0, "%s: invalid ulimit type '%s'", field, n);
		if (soft < 0 || hard < 0)
			return berth_error_set(err, 0, "%s: negative limits are not supported", field);
		if (soft > hard)
			return berth_error_set(err, 0,
					       "%s: soft limit must be less than or equal to hard limit: %lld > %lld",
					       field, (long long)soft, (long long)hard);
		if (!out)
			json_object_set_new(process, "rlimits", out = json_array());
		json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "type", name, "hard", (json_int_t)hard, "soft",
						     (json_int_t)soft));
	}
	return 0;
}

static int misc(struct spec_ctx *ctx, json_t *spec, json_t *res, struct berth_error **err)
{
	json_t *linux_ = json_object_get(spec, "linux"), *v;
	int64_t pids = spec_int(ctx->hc, "PidsLimit"), oom = spec_int(ctx->hc, "OomScoreAdj");
	const char *parent = spec_str(ctx->hc, "CgroupParent"), *key;

	if (pids > 0)
		json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t)pids));
	if (oom < -1000 || oom > 1000)
		return berth_error_set(err, 0, "HostConfig.OomScoreAdj: invalid value %lld, range is [-1000, 1000]",
				       (long long)oom);
	if (oom)
		json_object_set_new(json_object_get(spec, "process"), "oomScoreAdj", json_integer(oom));
	json_object_foreach(json_object_get(ctx->hc, "Sysctls"), key, v)
	{
		json_t *sysctl = json_object_get(linux_, "sysctl");

		if (!json_is_string(v))
			return berth_error_set(err, 0, "HostConfig.Sysctls[\"%s\"]: expected string", key);
		if (!sysctl)
			json_object_set_new(linux_, "sysctl", sysctl = json_object());
		json_object_set(sysctl, key, v);
	}
	if (!parent)
		json_object_set_new(linux_, "cgroupsPath", json_sprintf("/berth/%s", ctx->in->id));
	else
		json_object_set_new(linux_, "cgroupsPath",
				    json_sprintf("%s%s/%s", parent[0] == '/' ? "" : "/", parent, ctx->in->id));
	return 0;
}

int spec_resources_build(struct spec_ctx *ctx, json_t *spec, struct berth_error **err)
{
	json_t *linux_ = json_object_get(spec, "linux"), *res = json_object();

	json_object_set_new(linux_, "resources", res);
	if (check_memory(ctx->hc, err) < 0)
		return -1;
	json_object_set_new(res, "memory", memory(ctx->hc));
	if (cpu(ctx->hc, res, err) < 0 || blkio(ctx->hc, res, err) < 0)
		return -1;
	if (devices(ctx, res, linux_, err) < 0)
		return -1;
	if (rlimits(ctx->hc, json_object_get(spec, "process"), err) < 0)
		return -1;
	return misc(ctx, spec, res, err);
}
