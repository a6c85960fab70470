/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update: new resource limits for a live container, with runc's semantics
 * (zero leaves a value as it is; quota and period complete each other from
 * the config), applied through cg_apply and recorded in the config copy.
 */
#include <string.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"

/* The part of in that runc's update takes, zero values dropped. Pointers are borrowed from in. */
static void pick(const struct oci_resources *in, struct oci_resources *u)
{
	memset(u, 0, sizeof(*u));
#define TAKE_NONZERO(has, field)                 \
	do {                                     \
		if (in->has && in->field != 0) { \
			u->has = true;           \
			u->field = in->field;    \
		}                                \
	} while (0)
	TAKE_NONZERO(has_memory_limit, memory_limit);
	TAKE_NONZERO(has_memory_reservation, memory_reservation);
	TAKE_NONZERO(has_memory_swap, memory_swap);
	TAKE_NONZERO(has_cpu_shares, cpu_shares);
	TAKE_NONZERO(has_cpu_quota, cpu_quota);
	TAKE_NONZERO(has_cpu_period, cpu_period);
	TAKE_NONZERO(has_cpu_rt_runtime, cpu_rt_runtime);
	TAKE_NONZERO(has_cpu_rt_period, cpu_rt_period);
	TAKE_NONZERO(has_blkio_weight, blkio_weight);
	TAKE_NONZERO(has_pids_limit, pids_limit);
#undef TAKE_NONZERO
	/* a burst of 0 is a value (newer runc takes it when given) */
	u->has_cpu_burst = in->has_cpu_burst;
	u->cpu_burst = in->cpu_burst;
	u->cpu_cpus = in->cpu_cpus && *in->cpu_cpus ? in->cpu_cpus : NULL;
	u->cpu_mems = in->cpu_mems && *in->cpu_mems ? in->cpu_mems : NULL;
	u->unified = in->unified;
}

/*
 * As runc: a quota or a period alone keeps the other at its configured
 * value (v2 writes both into cpu.max, and a default period would replace a
 * configured one).
 */
static void complete_cfs(struct oci_resources *u, const struct oci_config *cfg)
{
	const struct oci_resources *old = cfg && cfg->has_linux ? &cfg->linux_.resources : NULL;

	if (!old || u->has_cpu_quota == u->has_cpu_period)
		return;
	if (u->has_cpu_quota && old->has_cpu_period && old->cpu_period != 0) {
		u->has_cpu_period = true;
		u->cpu_period = old->cpu_period;
	} else if (u->has_cpu_period && old->has_cpu_quota && old->cpu_quota != 0) {
		u->has_cpu_quota = true;
		u->cpu_quota = old->cpu_quota;
	}
}

static bool is_live(const char *status)
{
	return !strcmp(status, "running") || !strcmp(status, "created") || !strcmp(status, "paused");
}

/* Write u into the config copy, so that later commands see the new values. */
static int record(int dirfd, const struct oci_resources *u, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL, *updated = NULL;
	size_t len = 0;

	if (fs_read_file_at(dirfd, RT_CONFIG_COPY, &text, &len, err) < 0 ||
	    oci_config_update_resources(text, len, u, &updated, err) < 0)
		return berth_error_wrap(err, "record updated resources");
	return fs_write_file_atomic_at(dirfd, RT_CONFIG_COPY, updated, strlen(updated), 0600, err);
}

static int check_rdt(const struct rt_update_opts *o, struct berth_error **err)
{
	/* berth-runtime has no Intel RDT support: what runc says on a machine without it */
	if (o->l3_cache_schema && *o->l3_cache_schema)
		return berth_error_set(err, 0, "Intel RDT/CAT: l3 cache schema is not enabled");
	if (o->mem_bw_schema && *o->mem_bw_schema)
		return berth_error_set(err, 0, "Intel RDT/MBA: memory bandwidth schema is not enabled");
	return 0;
}

int rt_update(const struct rt_global *g, const char *id, const struct rt_update_opts *o, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1;
	struct rt_record *r = NULL;
	struct oci_config *cfg = NULL;
	struct cg_manager *cg = NULL;
	struct oci_resources u;
	struct berth_error *e = NULL;
	int rc = -1;

	pick(o->resources, &u);
	if (o->resources->has_memory_kernel || o->resources->has_memory_kernel_tcp)
		log_warn("kernel memory settings are ignored and will be removed, ignoring");
	if (rt_state_dir_open(root, id, true, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	if (!is_live(rt_record_status(dirfd, r))) {
		berth_error_set(err, 0, "container not running");
		goto out;
	}
	if (check_rdt(o, err) < 0)
		goto out;
	if (rt_state_config_load(dirfd, &cfg, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
	complete_cfs(&u, cfg);
	if (rt_record_cgroup(r, &cg, err) < 0)
		goto out;
	if (!cg) {
		berth_error_set(err, 0, "container '%s' has no cgroup", id);
		goto out;
	}
	if (cg_apply(cg, &u, err) < 0 || record(dirfd, &u, err) < 0)
		goto out;
	rc = 0;
out:
	cg_manager_free(cg);
	oci_config_free(cfg);
	rt_record_free(r);
	return rc;
}
