/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `update` support: decode a bare linux.resources object, and write changed
 * resources back into a config.json text (the runtime's state copy).
 */
#include <string.h>

#include "oci/internal.h"

int oci_resources_parse(const char *data, size_t len, const char *name, struct oci_resources **ret,
			struct berth_error **err)
{
	struct oci_dec d = {.name = name ? name : "resources", .err = err};
	_cleanup_json_ json_t *root = NULL;
	struct oci_resources *r;
	int rc;

	root = oci_json_load(data, len, d.name, &d.bigints, err);
	if (!root)
		return -1;
	r = xcalloc(1, sizeof(*r));
	rc = oci_dec_resources(&d, root, r);
	buf_done(&d.path);
	if (rc < 0) {
		oci_resources_free(r);
		return -1;
	}
	*ret = r;
	return 0;
}

void oci_resources_free(struct oci_resources *r)
{
	if (!r)
		return;
	oci_resources_done(r);
	free(r);
}

/* The object member key of parent, made when missing (or not an object). */
static json_t *child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

static void set_int(json_t *o, const char *key, bool has, json_int_t v)
{
	if (has)
		json_object_set_new(o, key, json_integer(v));
}

static void set_uint(json_t *o, const char *key, bool has, uint64_t v)
{
	_cleanup_free_ char *marker = NULL;

	if (!has)
		return;
	if (v <= INT64_MAX) {
		json_object_set_new(o, key, json_integer((json_int_t)v));
		return;
	}
	/* beyond int64: the loader's marker form, which oci_dec_json_text turns back into digits */
	marker = xasprintf("%c#%llu", '\0', (unsigned long long)v);
	json_object_set_new(o, key, json_stringn(marker, strlen(marker + 1) + 1));
}

static void set_resources(json_t *res, const struct oci_resources *u)
{
	json_t *mem = child(res, "memory"), *cpu = child(res, "cpu");

	set_int(mem, "limit", u->has_memory_limit, u->memory_limit);
	set_int(mem, "reservation", u->has_memory_reservation, u->memory_reservation);
	set_int(mem, "swap", u->has_memory_swap, u->memory_swap);
	set_uint(cpu, "shares", u->has_cpu_shares, u->cpu_shares);
	set_int(cpu, "quota", u->has_cpu_quota, u->cpu_quota);
	set_uint(cpu, "period", u->has_cpu_period, u->cpu_period);
	set_uint(cpu, "burst", u->has_cpu_burst, u->cpu_burst);
	set_int(cpu, "realtimeRuntime", u->has_cpu_rt_runtime, u->cpu_rt_runtime);
	set_uint(cpu, "realtimePeriod", u->has_cpu_rt_period, u->cpu_rt_period);
	if (u->cpu_cpus)
		json_object_set_new(cpu, "cpus", json_string(u->cpu_cpus));
	if (u->cpu_mems)
		json_object_set_new(cpu, "mems", json_string(u->cpu_mems));
	if (u->has_blkio_weight)
		set_int(child(res, "blockIO"), "weight", true, u->blkio_weight);
	if (u->has_pids_limit)
		set_int(child(res, "pids"), "limit", true, u->pids_limit);
	if (u->unified) {
		json_t *m = json_object();

		for (char **p = u->unified; p[0] && p[1]; p += 2)
			json_object_set_new(m, p[0], json_string(p[1]));
		json_object_set_new(res, "unified", m);
	}
}

int oci_config_update_resources(const char *text, size_t len, const struct oci_resources *u, char **ret,
				struct berth_error **err)
{
	struct oci_dec d = {.name = "config.json", .err = err};
	_cleanup_json_ json_t *root = NULL;
	char *out = NULL;

	root = oci_json_load(text, len, d.name, &d.bigints, err);
	if (!root)
		return -1;
	if (!json_is_object(root))
		return berth_error_set(err, 0, "config.json: expected object");
	set_resources(child(child(root, "linux"), "resources"), u);
	/* markers may come from set_uint too */
	d.bigints = true;
	if (oci_dec_json_text(&d, root, &out) < 0)
		return -1;
	*ret = out;
	return 0;
}
