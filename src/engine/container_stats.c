/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker stats: one sample of a container's usage from its cgroup (the
 * runtime's stats line), the host's cpu time and the network counters of
 * its init's namespace, and the docker CLI's columns computed from two.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

char *eng_bytes_size(double n)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;

	while (n >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		n /= 1024;
		u++;
	}
	return xasprintf("%.4g%s", n, units[u]);
}

static uint64_t u64(json_t *v)
{
	json_int_t i = json_integer_value(v);

	return i > 0 ? (uint64_t)i : 0;
}

/* docker's calculateMemUsageUnixNoCache: usage less the inactive file cache (v1 total_, v2 plain). */
static uint64_t mem_usage(json_t *mem)
{
	json_t *raw = json_object_get(mem, "raw"), *v1 = json_object_get(raw, "total_inactive_file");
	uint64_t usage = u64(json_object_get(json_object_get(mem, "usage"), "usage"));
	uint64_t inactive = v1 ? u64(v1) : u64(json_object_get(raw, "inactive_file"));

	return inactive < usage ? usage - inactive : usage;
}

static void blkio(json_t *entries, struct eng_stats *s)
{
	size_t i;
	json_t *x;

	json_array_foreach(entries, i, x)
	{
		const char *op = json_string_value(json_object_get(x, "op"));

		if (op && !strcasecmp(op, "read"))
			s->blk_read += u64(json_object_get(x, "value"));
		else if (op && !strcasecmp(op, "write"))
			s->blk_write += u64(json_object_get(x, "value"));
	}
}

int eng_stats_from_json(json_t *line, uint64_t host_mem, struct eng_stats *ret)
{
	json_t *data = json_object_get(line, "data"), *mem = json_object_get(data, "memory");
	uint64_t limit;

	if (!json_is_object(data))
		return -1;
	ret->cpu_ns = u64(json_object_get(json_object_get(json_object_get(data, "cpu"), "usage"), "total"));
	ret->mem_usage = mem_usage(mem);
	limit = u64(json_object_get(json_object_get(mem, "usage"), "limit"));
	/* no limit reads as a huge number (v1) or none (v2): docker shows the host's memory */
	ret->mem_limit = limit == 0 || (host_mem && limit > host_mem) ? host_mem : limit;
	ret->pids = u64(json_object_get(json_object_get(data, "pids"), "current"));
	ret->blk_read = ret->blk_write = 0;
	blkio(json_object_get(json_object_get(data, "blkio"), "ioServiceBytesRecursive"), ret);
	return 0;
}

double eng_stats_cpu_percent(const struct eng_stats *prev, const struct eng_stats *cur)
{
	double cpu, sys;

	if (!prev || cur->cpu_ns <= prev->cpu_ns || cur->system_ns <= prev->system_ns)
		return 0.0;
	cpu = (double)(cur->cpu_ns - prev->cpu_ns);
	sys = (double)(cur->system_ns - prev->system_ns);
	return cpu / sys * (double)(cur->online_cpus ? cur->online_cpus : 1) * 100.0;
}

json_t *eng_stats_row(const char *container, const char *id, const char *name, const struct eng_stats *prev,
		      const struct eng_stats *cur)
{
	_cleanup_free_ char *mu = eng_bytes_size((double)cur->mem_usage), *ml = eng_bytes_size((double)cur->mem_limit);
	_cleanup_free_ char *rx = eng_human_size((double)cur->net_rx), *tx = eng_human_size((double)cur->net_tx);
	_cleanup_free_ char *br = eng_human_size((double)cur->blk_read), *bw = eng_human_size((double)cur->blk_write);
	double mem_pct = cur->mem_limit ? (double)cur->mem_usage / (double)cur->mem_limit * 100.0 : 0.0;
	json_t *row = json_object();

	json_object_set_new(row, "Container", json_string(container));
	json_object_set_new(row, "Name", json_string(name[0] == '/' ? name + 1 : name));
	json_object_set_new(row, "ID", json_sprintf("%.12s", id));
	json_object_set_new(row, "CPUPerc", json_sprintf("%.2f%%", eng_stats_cpu_percent(prev, cur)));
	json_object_set_new(row, "MemUsage", json_sprintf("%s / %s", mu, ml));
	json_object_set_new(row, "MemPerc", json_sprintf("%.2f%%", mem_pct));
	json_object_set_new(row, "NetIO", json_sprintf("%s / %s", rx, tx));
	json_object_set_new(row, "BlockIO", json_sprintf("%s / %s", br, bw));
	json_object_set_new(row, "PIDs", json_sprintf("%llu", (unsigned long long)cur->pids));
	return row;
}

/* The host's cpu time in ns: the first 7 fields of /proc/stat's cpu line (docker's getSystemCPUUsage). */
static int system_cpu(uint64_t *ret, struct berth_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/stat", "re");
	unsigned long long v[7];
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ticks = 0;

	if (!f)
		return berth_error_set(err, errno, "open '/proc/stat'");
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		return berth_error_set(err, 0, "/proc/stat: no cpu line");
	for (int i = 0; i < 7; i++)
		ticks += v[i];
	*ret = ticks * (1000000000ULL / (uint64_t)(hz > 0 ? hz : 100));
	return 0;
}

/* Bytes received and sent on every interface but lo of pid's network namespace. */
static void net_io(pid_t pid, struct eng_stats *s)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/net/dev", (int)pid), *line = NULL;
	_cleanup_fclose_ FILE *f = pid > 0 ? fopen(path, "re") : NULL;
	size_t cap = 0;

	s->net_rx = s->net_tx = 0;
	while (f && getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long rx, tx, skip;

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (!strcmp(name, "lo"))
			continue;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &rx, &skip, &skip, &skip, &skip,
			   &skip, &skip, &skip, &tx) == 9) {
			s->net_rx += rx;
			s->net_tx += tx;
		}
	}
}

struct sample_ctx {
	uint64_t host_mem;
	struct eng_stats *out;
	bool got;
};

static int take_line(const char *text, void *data, struct berth_error **err)
{
	struct sample_ctx *sc = data;
	json_t *line = json_loads(text, 0, NULL);

	if (line && eng_stats_from_json(line, sc->host_mem, sc->out) == 0)
		sc->got = true;
	json_decref(line);
	return 0;
}

int eng_ctr_stats_sample(struct eng *e, const struct eng_ctr *c, struct eng_stats *ret, struct berth_error **err)
{
	_cleanup_free_ char *root = eng_runtime_root(e);
	struct rt_global g = {.root = root};
	struct eng_stats s = {0};
	struct sample_ctx sc = {.out = &s};
	struct rt_events_opts o = {.stats_only = true, .interval_ms = 1000, .emit = take_line, .userdata = &sc};
	struct sysinfo si;

	if (sysinfo(&si) == 0)
		sc.host_mem = (uint64_t)si.totalram * si.mem_unit;
	if (rt_events(&g, c->id, &o, err) < 0)
		return -1;
	if (!sc.got)
		return berth_error_set(err, 0, "no stats for container %.12s", c->id);
	if (system_cpu(&s.system_ns, err) < 0)
		return -1;
	s.online_cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	net_io((pid_t)json_integer_value(json_object_get(c->state, "Pid")), &s);
	*ret = s;
	return 0;
}
