/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime update: change a live container's resource limits, from flags or a resources JSON file. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "oci/oci.h"

struct update_opts {
	const char *resources;
	int blkio_weight;
	const char *cpu_period, *cpu_quota, *cpu_burst, *cpu_share, *cpu_rt_period, *cpu_rt_runtime;
	const char *cpuset_cpus, *cpuset_mems;
	const char *kernel_memory, *kernel_memory_tcp;
	const char *memory, *memory_reservation, *memory_swap;
	int pids_limit;
	const char *l3_cache_schema, *mem_bw_schema;
};

#define U(f) offsetof(struct update_opts, f)
static const struct cli_opt update_options[] = {
	{"resources", 'r', CLI_OPT_STRING, U(resources),
	 "path to the file containing the resources to update or '-' to read from the standard input\n\n"
	 "The accepted format is as follow (unchanged values can be omitted):\n\n"
	 "{\n  \"memory\": {\n    \"limit\": 0,\n    \"reservation\": 0,\n    \"swap\": 0\n  },\n"
	 "  \"cpu\": {\n    \"shares\": 0,\n    \"quota\": 0,\n    \"period\": 0,\n    \"realtimeRuntime\": 0,\n"
	 "    \"realtimePeriod\": 0,\n    \"cpus\": \"\",\n    \"mems\": \"\"\n  },\n"
	 "  \"blockIO\": {\n    \"weight\": 0\n  }\n}\n\n"
	 "Note: if data is to be read from a file or the standard input, all\nother options are ignored.",
	 NULL},
	{"blkio-weight", 0, CLI_OPT_INT, U(blkio_weight), "Specifies per cgroup weight, range is from 10 to 1000", "0"},
	{"cpu-period", 0, CLI_OPT_STRING, U(cpu_period),
	 "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default", NULL},
	{"cpu-quota", 0, CLI_OPT_STRING, U(cpu_quota),
	 "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period", NULL},
	{"cpu-burst", 0, CLI_OPT_STRING, U(cpu_burst),
	 "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period",
	 NULL},
	{"cpu-share", 0, CLI_OPT_STRING, U(cpu_share), "CPU shares (relative weight vs. other containers)", NULL},
	{"cpu-rt-period", 0, CLI_OPT_STRING, U(cpu_rt_period),
	 "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default", NULL},
	{"cpu-rt-runtime", 0, CLI_OPT_STRING, U(cpu_rt_runtime),
	 "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period", NULL},
	{"cpuset-cpus", 0, CLI_OPT_STRING, U(cpuset_cpus), "CPU(s) to use", NULL},
	{"cpuset-mems", 0, CLI_OPT_STRING, U(cpuset_mems), "Memory node(s) to use", NULL},
	{"kernel-memory", 0, CLI_OPT_STRING, U(kernel_memory), "(obsoleted; do not use)", NULL},
	{"kernel-memory-tcp", 0, CLI_OPT_STRING, U(kernel_memory_tcp), "(obsoleted; do not use)", NULL},
	{"memory", 0, CLI_OPT_STRING, U(memory), "Memory limit (in bytes)", NULL},
	{"memory-reservation", 0, CLI_OPT_STRING, U(memory_reservation), "Memory reservation or soft_limit (in bytes)",
	 NULL},
	{"memory-swap", 0, CLI_OPT_STRING, U(memory_swap),
	 "Total memory usage (memory + swap); set '-1' to enable unlimited swap", NULL},
	{"pids-limit", 0, CLI_OPT_INT, U(pids_limit), "Maximum number of pids allowed in the container", "0"},
	{"l3-cache-schema", 0, CLI_OPT_STRING, U(l3_cache_schema), "The string of Intel RDT/CAT L3 cache schema", NULL},
	{"mem-bw-schema", 0, CLI_OPT_STRING, U(mem_bw_schema), "The string of Intel RDT/MBA memory bandwidth schema",
	 NULL},
	CLI_OPT_END,
};
#undef U

/* Read -r FILE ("-": stdin) and decode it as a linux.resources object. */
static int read_resources(const char *path, struct oci_resources **ret, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	bool is_stdin = strcmp(path, "-") == 0;

	if (fs_read_file_at(AT_FDCWD, is_stdin ? "/dev/stdin" : path, &text, &len, err) < 0)
		return -1;
	return oci_resources_parse(text, len, is_stdin ? "stdin" : path, ret, err);
}

static int flag_u64(const char *name, const char *val, bool *has, uint64_t *dst)
{
	if (!val || !*val)
		return 0;
	if (parse_uint64(val, dst) < 0)
		return cli_fail(CLI_EXIT_FAILURE, "invalid value for %s: '%s'", name, val);
	*has = true;
	return 0;
}

static int flag_i64(const char *name, const char *val, bool *has, int64_t *dst)
{
	if (!val || !*val)
		return 0;
	if (parse_int64(val, dst) < 0)
		return cli_fail(CLI_EXIT_FAILURE, "invalid value for %s: '%s'", name, val);
	*has = true;
	return 0;
}

/* A memory size as runc's units.RAMInBytes ("512m", "1.5g", "100"), or "-1" for unlimited. */
static int flag_mem(const char *name, const char *val, bool *has, int64_t *dst)
{
	uint64_t v;

	if (!val || !*val)
		return 0;
	if (strcmp(val, "-1") == 0) {
		*dst = -1;
	} else if (parse_size(val, &v) < 0 || v > INT64_MAX) {
		return cli_fail(CLI_EXIT_FAILURE, "invalid value for %s: invalid size: '%s'", name, val);
	} else {
		*dst = (int64_t)v;
	}
	*has = true;
	return 0;
}

/* The resources the flags ask for; each failure has been reported (returns the exit code). */
static int from_flags(const struct update_opts *o, struct oci_resources *r)
{
	if (o->blkio_weight) {
		r->has_blkio_weight = true;
		r->blkio_weight = (uint16_t)o->blkio_weight;
	}
	r->cpu_cpus = (char *)o->cpuset_cpus;
	r->cpu_mems = (char *)o->cpuset_mems;
	if (flag_u64("cpu-burst", o->cpu_burst, &r->has_cpu_burst, &r->cpu_burst) ||
	    flag_u64("cpu-period", o->cpu_period, &r->has_cpu_period, &r->cpu_period) ||
	    flag_u64("cpu-rt-period", o->cpu_rt_period, &r->has_cpu_rt_period, &r->cpu_rt_period) ||
	    flag_u64("cpu-share", o->cpu_share, &r->has_cpu_shares, &r->cpu_shares) ||
	    flag_i64("cpu-quota", o->cpu_quota, &r->has_cpu_quota, &r->cpu_quota) ||
	    flag_i64("cpu-rt-runtime", o->cpu_rt_runtime, &r->has_cpu_rt_runtime, &r->cpu_rt_runtime) ||
	    flag_mem("memory", o->memory, &r->has_memory_limit, &r->memory_limit) ||
	    flag_mem("memory-swap", o->memory_swap, &r->has_memory_swap, &r->memory_swap) ||
	    flag_mem("kernel-memory", o->kernel_memory, &r->has_memory_kernel, &r->memory_kernel) ||
	    flag_mem("kernel-memory-tcp", o->kernel_memory_tcp, &r->has_memory_kernel_tcp, &r->memory_kernel_tcp) ||
	    flag_mem("memory-reservation", o->memory_reservation, &r->has_memory_reservation, &r->memory_reservation))
		return CLI_EXIT_FAILURE;
	if (o->pids_limit) {
		r->has_pids_limit = true;
		r->pids_limit = o->pids_limit;
	}
	return 0;
}

static int update_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct update_opts *o = opts;
	struct oci_resources flags = {0}, *file = NULL;
	struct rt_update_opts u = {.l3_cache_schema = o->l3_cache_schema, .mem_bw_schema = o->mem_bw_schema};
	int rc;

	if (o->resources) {
		if (read_resources(o->resources, &file, &err) < 0)
			return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
		u.resources = file;
	} else {
		rc = from_flags(o, &flags);
		if (rc)
			return rc;
		u.resources = &flags;
	}
	rc = rt_update(&ctx->g, args->args[0], &u, &err);
	oci_resources_free(file);
	if (rc < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_update = {
	.name = "update",
	.summary = "update container resource constraints",
	.usage = "[command options] <container-id>",
	.opts = update_options,
	.opts_size = sizeof(struct update_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = update_run,
};
