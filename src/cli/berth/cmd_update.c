/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth update (container update): new resource limits and restart policy for one or more containers. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_parse.h"
#include "engine/engine.h"

struct update_opts {
	const char *blkio_weight, *cpus, *cpuset_cpus, *cpuset_mems, *memory, *memory_reservation, *memory_swap;
	const char *kernel_memory, *restart, *cpu_period, *cpu_quota, *cpu_rt_period, *cpu_rt_runtime, *cpu_shares;
	const char *pids_limit;
};

#define S struct update_opts
#define STR BCLI_OPT_STRING
static const struct bcli_opt update_flags[] = {
	BCLI_FLAGX("blkio-weight", 0, STR, S, blkio_weight,
		   "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", NULL, "uint16"),
	BCLI_FLAGX("cpu-period", 0, STR, S, cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period", NULL,
		   "int"),
	BCLI_FLAGX("cpu-quota", 0, STR, S, cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota", NULL, "int"),
	BCLI_FLAGX("cpu-rt-period", 0, STR, S, cpu_rt_period, "Limit the CPU real-time period in microseconds", NULL,
		   "int"),
	BCLI_FLAGX("cpu-rt-runtime", 0, STR, S, cpu_rt_runtime, "Limit the CPU real-time runtime in microseconds", NULL,
		   "int"),
	BCLI_FLAGX("cpu-shares", 'c', STR, S, cpu_shares, "CPU shares (relative weight)", NULL, "int"),
	BCLI_FLAGX("cpus", 0, STR, S, cpus, "Number of CPUs", NULL, "decimal"),
	BCLI_FLAGX("cpuset-cpus", 0, STR, S, cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)", NULL,
		   "string"),
	BCLI_FLAGX("cpuset-mems", 0, STR, S, cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)", NULL,
		   "string"),
	BCLI_FLAGX("kernel-memory", 0, STR, S, kernel_memory, "Kernel memory limit (deprecated)", NULL, "bytes"),
	BCLI_FLAGX("memory", 'm', STR, S, memory, "Memory limit", NULL, "bytes"),
	BCLI_FLAGX("memory-reservation", 0, STR, S, memory_reservation, "Memory soft limit", NULL, "bytes"),
	BCLI_FLAGX("memory-swap", 0, STR, S, memory_swap,
		   "Swap limit equal to memory plus swap: -1 to enable unlimited swap", NULL, "bytes"),
	BCLI_FLAGX("pids-limit", 0, STR, S, pids_limit, "Tune container pids limit (set -1 for unlimited)", NULL,
		   "int"),
	BCLI_FLAGX("restart", 0, STR, S, restart, "Restart policy to apply when a container exits", NULL, "string"),
	BCLI_OPT_END,
};
#undef S
#undef STR

enum kind { K_INT, K_RAM, K_SWAP, K_CPUS, K_UINT16, K_STRING };

/* One flag's value into changes[key]; NULL value: not given. */
static int put(json_t *ch, const char *key, const char *value, enum kind kind, const char *flag,
	       struct berth_error **err)
{
	int64_t v = 0;
	uint64_t u = 0;
	int rc = 0;

	if (!value)
		return 0;
	if (kind == K_STRING) {
		json_object_set_new(ch, key, json_string(value));
		return 0;
	}
	if (kind == K_SWAP && !strcmp(value, "-1"))
		v = -1;
	else if (kind == K_RAM || kind == K_SWAP)
		rc = bcli_run_parse_ram(value, &v, err);
	else if (kind == K_CPUS)
		rc = bcli_run_parse_cpus(value, &v, err);
	else if (kind == K_UINT16) {
		rc = bcli_run_parse_gouint(value, 16, &u, err);
		v = (int64_t)u;
	} else
		rc = bcli_run_parse_goint(value, 64, &v, err);
	if (rc < 0)
		return berth_error_wrap(err, "invalid argument \"%s\" for \"%s\" flag", value, flag);
	json_object_set_new(ch, key, json_integer(v));
	return 0;
}

static int changes_build(const struct update_opts *o, json_t *ch, struct berth_error **err)
{
	json_t *policy = NULL;

	if (put(ch, "BlkioWeight", o->blkio_weight, K_UINT16, "--blkio-weight", err) < 0 ||
	    put(ch, "CpuPeriod", o->cpu_period, K_INT, "--cpu-period", err) < 0 ||
	    put(ch, "CpuQuota", o->cpu_quota, K_INT, "--cpu-quota", err) < 0 ||
	    put(ch, "CpuRealtimePeriod", o->cpu_rt_period, K_INT, "--cpu-rt-period", err) < 0 ||
	    put(ch, "CpuRealtimeRuntime", o->cpu_rt_runtime, K_INT, "--cpu-rt-runtime", err) < 0 ||
	    put(ch, "CpuShares", o->cpu_shares, K_INT, "-c, --cpu-shares", err) < 0 ||
	    put(ch, "NanoCpus", o->cpus, K_CPUS, "--cpus", err) < 0 ||
	    put(ch, "CpusetCpus", o->cpuset_cpus, K_STRING, "--cpuset-cpus", err) < 0 ||
	    put(ch, "CpusetMems", o->cpuset_mems, K_STRING, "--cpuset-mems", err) < 0 ||
	    put(ch, "KernelMemory", o->kernel_memory, K_RAM, "--kernel-memory", err) < 0 ||
	    put(ch, "Memory", o->memory, K_RAM, "-m, --memory", err) < 0 ||
	    put(ch, "MemoryReservation", o->memory_reservation, K_RAM, "--memory-reservation", err) < 0 ||
	    put(ch, "MemorySwap", o->memory_swap, K_SWAP, "--memory-swap", err) < 0 ||
	    put(ch, "PidsLimit", o->pids_limit, K_INT, "--pids-limit", err) < 0)
		return -1;
	if (o->restart) {
		if (bcli_run_parse_restart(o->restart, &policy, err) < 0)
			return -1;
		json_object_set_new(ch, "RestartPolicy", policy);
	}
	return 0;
}

static int update_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	return eng_ctr_update(e, name, data, err);
}

static int update_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *ch = json_object();
	int rc;

	if (changes_build(opts, ch, &err) < 0) {
		json_decref(ch);
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	}
	if (json_object_size(ch) == 0) {
		json_decref(ch);
		return bcli_fail(BCLI_EXIT_ENGINE, "you must provide one or more flags when using this command");
	}
	rc = bcli_each_container(ctx, args, true, update_one, ch);
	json_decref(ch);
	return rc;
}

const struct bcli_command bcli_cmd_update = {
	.name = "update",
	.group = "container",
	.top = "update",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Update configuration of one or more containers",
	.opts = update_flags,
	.opts_size = sizeof(struct update_opts),
	.min_args = 1,
	.max_args = -1,
	.run = update_run,
};
