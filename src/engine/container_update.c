/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker update: new resource limits and restart policy merged into the
 * container's HostConfig with dockerd's rules, applied to a running
 * container through the runtime, and recorded in its document.
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "oci/oci.h"
#include "runtime/runtime.h"
#include "store/store.h"

#define MIN_MEMORY (6 * 1024 * 1024)

static int64_t num(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : NULL;
}

/* dockerd: NanoCpus replaces CpuPeriod/CpuQuota, so one may not be updated when the other is set. */
static int check_cpu(json_t *hc, json_t *ch, struct berth_error **err)
{
	const char *why = NULL;

	if (num(ch, "NanoCpus") > 0 && num(hc, "CpuPeriod") > 0)
		why = "Nano CPUs and CPU Period cannot both be set";
	else if (num(ch, "NanoCpus") > 0 && num(hc, "CpuQuota") > 0)
		why = "Nano CPUs and CPU Quota cannot both be set";
	else if (num(ch, "CpuPeriod") > 0 && num(hc, "NanoCpus") > 0)
		why = "CPU Period cannot be updated as NanoCPUs has already been set";
	else if (num(ch, "CpuQuota") > 0 && num(hc, "NanoCpus") > 0)
		why = "CPU Quota cannot be updated as NanoCPUs has already been set";
	if (why)
		return berth_error_set(err, 0, "Conflicting options: %s", why);
	return 0;
}

static int check_memory(json_t *hc, json_t *ch, struct berth_error **err)
{
	int64_t mem = num(ch, "Memory"), swap = num(hc, "MemorySwap");

	if (mem != 0 && mem < MIN_MEMORY)
		return berth_error_set(err, 0, "Minimum memory limit allowed is 6MB");
	if (num(ch, "MemoryReservation") != 0 && num(ch, "MemoryReservation") < MIN_MEMORY)
		return berth_error_set(err, 0, "Minimum memory reservation allowed is 6MB");
	/* a Memory limit without MemorySwap got as much swap again at create */
	if (swap == 0 && num(hc, "Memory") > 0)
		swap = 2 * num(hc, "Memory");
	if (mem > 0 && swap > 0 && mem > swap && num(ch, "MemorySwap") == 0)
		return berth_error_set(
			err, 0,
			"Conflicting options: Memory limit should be smaller than already set memoryswap "
			"limit, update the memoryswap at the same time");
	if (swap > 0 && num(hc, "MemorySwap") == 0)
		json_object_set_new(hc, "MemorySwap", json_integer(swap));
	return 0;
}

int eng_update_merge(json_t *hc, json_t *ch, struct berth_error **err)
{
	static const char *const ints[] = {
		"BlkioWeight", "CpuShares",	    "NanoCpus",	    "CpuPeriod",	 "CpuQuota",	      "Memory",
		"MemorySwap",  "MemoryReservation", "KernelMemory", "CpuRealtimePeriod", "CpuRealtimeRuntime"};
	json_t *policy = json_object_get(ch, "RestartPolicy"), *pids = json_object_get(ch, "PidsLimit");
	const char *pname = str(policy, "Name");

	if (check_cpu(hc, ch, err) < 0 || check_memory(hc, ch, err) < 0)
		return -1;
	if (pname && strcmp(pname, "no") != 0 && json_is_true(json_object_get(hc, "AutoRemove")))
		return berth_error_set(err, 0,
				       "Conflicting options: Restart policy cannot be updated because AutoRemove is "
				       "enabled for the container");
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (num(ch, ints[i]) != 0)
			json_object_set_new(hc, ints[i], json_integer(num(ch, ints[i])));
	if (str(ch, "CpusetCpus"))
		json_object_set_new(hc, "CpusetCpus", json_string(str(ch, "CpusetCpus")));
	if (str(ch, "CpusetMems"))
		json_object_set_new(hc, "CpusetMems", json_string(str(ch, "CpusetMems")));
	if (json_is_integer(pids))
		json_object_set_new(hc, "PidsLimit", json_integer(json_integer_value(pids)));
	if (pname)
		json_object_set(hc, "RestartPolicy", policy);
	return 0;
}

/* The runtime's view of the changes: only what was given (zero leaves a value as it is). */
static void to_resources(json_t *ch, struct oci_resources *r)
{
	int64_t nano = num(ch, "NanoCpus"), pids;

	memset(r, 0, sizeof(*r));
	r->has_memory_limit = (r->memory_limit = num(ch, "Memory")) != 0;
	r->has_memory_swap = (r->memory_swap = num(ch, "MemorySwap")) != 0;
	r->has_memory_reservation = (r->memory_reservation = num(ch, "MemoryReservation")) != 0;
	r->has_cpu_shares = (r->cpu_shares = (uint64_t)num(ch, "CpuShares")) != 0;
	r->has_cpu_period = (r->cpu_period = (uint64_t)num(ch, "CpuPeriod")) != 0;
	r->has_cpu_quota = (r->cpu_quota = num(ch, "CpuQuota")) != 0;
	if (nano > 0) {
		r->has_cpu_period = r->has_cpu_quota = true;
		r->cpu_period = 100000;
		r->cpu_quota = nano * 100000 / 1000000000;
	}
	r->cpu_cpus = (char *)str(ch, "CpusetCpus");
	r->cpu_mems = (char *)str(ch, "CpusetMems");
	r->has_blkio_weight = (r->blkio_weight = (uint16_t)num(ch, "BlkioWeight")) != 0;
	if (json_is_integer(json_object_get(ch, "PidsLimit"))) {
		pids = num(ch, "PidsLimit");
		r->has_pids_limit = true;
		r->pids_limit = pids > 0 ? pids : -1; /* docker: 0 or -1 is unlimited */
	}
}

static int apply_live(struct eng *e, const char *id, json_t *ch, struct berth_error **err)
{
	_cleanup_free_ char *root = eng_runtime_root(e);
	struct rt_global g = {.root = root};
	struct oci_resources r;
	struct rt_update_opts o = {.resources = &r};

	to_resources(ch, &r);
	return rt_update(&g, id, &o, err);
}

/* Merge, apply when running, record: one transaction, so that a concurrent update is not lost. */
static int update_locked(struct eng *e, const struct eng_ctr *c, json_t *ch, struct berth_error **err)
{
	struct db_container row = {0};
	_cleanup_free_ char *text = NULL;
	json_t *doc = NULL, *hc;
	int rc = -1;

	if (db_container_get(e->db, c->id, &row, err) < 0)
		return -1;
	doc = row.id ? json_loads(row.doc, 0, NULL) : NULL;
	if (!doc) {
		berth_error_set(err, 0, "No such container: %s", c->id);
		goto out;
	}
	hc = json_object_get(doc, "HostConfig");
	if (!json_is_object(hc))
		json_object_set_new(doc, "HostConfig", hc = json_object());
	if (eng_update_merge(hc, ch, err) < 0)
		goto out;
	if (eng_ctr_is_running(c) && strcmp(eng_ctr_status(c), ENG_STATUS_RESTARTING) != 0 &&
	    apply_live(e, c->id, ch, err) < 0) {
		berth_error_wrap(err, "Cannot update container %s", c->id);
		goto out;
	}
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = db_container_set_doc(e->db, c->id, text, err);
out:
	json_decref(doc);
	db_container_done(&row);
	return rc;
}

int eng_ctr_update(struct eng *e, const char *name, json_t *changes, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	if (eng_ctr_find(e, name, &c, err) < 0 || db_begin(e->db, err) < 0)
		return -1;
	if (update_locked(e, c, changes, err) < 0) {
		db_rollback(e->db);
		return -1;
	}
	if (db_commit(e->db, err) < 0)
		return -1;
	eng_event_container(e, c, "update", NULL);
	return 0;
}
