/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources: device cgroup rules, memory, cpu, pids and the cgroup v2
 * unified map; the whole object is also kept as JSON text for what is not decoded.
 */
#include <string.h>

#include "oci/internal.h"

/* A device rule while it is decoded: type and access as written. */
struct rule_entry {
	struct oci_device_rule rule;
	char *type;
	char *access;
};

static const struct oci_field rule_fields[] = {
	OCI_FIELD("allow", oci_dec_bool, struct rule_entry, rule.allow, OCI_F_REQUIRED),
	OCI_FIELD("type", oci_dec_string_or_null, struct rule_entry, type, 0),
	OCI_FIELD("major", oci_dec_int64, struct rule_entry, rule.major, 0),
	OCI_FIELD("minor", oci_dec_int64, struct rule_entry, rule.minor, 0),
	OCI_FIELD("access", oci_dec_string_or_null, struct rule_entry, access, 0),
	OCI_FIELD_END,
};

static int check_rule(struct oci_dec *d, const struct rule_entry *e)
{
	if (e->type && (strlen(e->type) != 1 || !strchr("acb", e->type[0]))) {
		oci_dec_push_key(d, "type");
		return oci_dec_fail(d, "unknown device type '%s'", e->type);
	}
	if (e->access) {
		size_t n = strlen(e->access);
		bool bad = n > 3 || strspn(e->access, "rwm") != n;

		/* each of r, w and m at most once */
		for (size_t i = 0; !bad && i < n; i++)
			bad = strchr(e->access + i + 1, e->access[i]) != NULL;
		if (bad) {
			oci_dec_push_key(d, "access");
			return oci_dec_fail(d, "invalid access '%s'", e->access);
		}
	}
	return 0;
}

static int dec_rule(struct oci_dec *d, json_t *v, void *out)
{
	struct rule_entry e = {.rule = {.major = -1, .minor = -1}};
	struct oci_device_rule *rule = out;
	int r;

	r = oci_dec_object(d, v, rule_fields, &e);
	if (r == 0)
		r = check_rule(d, &e);
	if (r == 0) {
		*rule = e.rule;
		rule->type = e.type ? e.type[0] : 'a';
		strcpy(rule->access, e.access ? e.access : "rwm");
	}
	free(e.type);
	free(e.access);
	return r;
}

static const struct oci_field memory_fields[] = {
	OCI_FIELD_HAS("limit", oci_dec_int64, struct oci_resources, memory_limit, has_memory_limit, 0),
	OCI_FIELD_HAS("reservation", oci_dec_int64, struct oci_resources, memory_reservation, has_memory_reservation,
		      0),
	OCI_FIELD_HAS("swap", oci_dec_int64, struct oci_resources, memory_swap, has_memory_swap, 0),
	OCI_FIELD_HAS("swappiness", oci_dec_uint64, struct oci_resources, memory_swappiness, has_memory_swappiness, 0),
	OCI_FIELD_HAS("disableOOMKiller", oci_dec_bool, struct oci_resources, disable_oom_killer,
		      has_disable_oom_killer, 0),
	OCI_FIELD_END,
};

static int dec_memory(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, memory_fields, out);
}

static const struct oci_field cpu_fields[] = {
	OCI_FIELD_HAS("shares", oci_dec_uint64, struct oci_resources, cpu_shares, has_cpu_shares, 0),
	OCI_FIELD_HAS("quota", oci_dec_int64, struct oci_resources, cpu_quota, has_cpu_quota, 0),
	OCI_FIELD_HAS("period", oci_dec_uint64, struct oci_resources, cpu_period, has_cpu_period, 0),
	OCI_FIELD("cpus", oci_dec_string_or_null, struct oci_resources, cpu_cpus, 0),
	OCI_FIELD("mems", oci_dec_string_or_null, struct oci_resources, cpu_mems, 0),
	OCI_FIELD_END,
};

static int dec_cpu(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, cpu_fields, out);
}

static const struct oci_field pids_fields[] = {
	OCI_FIELD_HAS("limit", oci_dec_int64, struct oci_resources, pids_limit, has_pids_limit, 0),
	OCI_FIELD_END,
};

static int dec_pids(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, pids_fields, out);
}

static int dec_unified(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_string_map(d, v, out);
}

static const struct oci_field resources_fields[] = {
	OCI_FIELD_ARRAY("devices", dec_rule, struct oci_resources, devices, n_devices, 0),
	OCI_FIELD_FLAT("memory", dec_memory, 0),
	OCI_FIELD_FLAT("cpu", dec_cpu, 0),
	OCI_FIELD_FLAT("pids", dec_pids, 0),
	OCI_FIELD("unified", dec_unified, struct oci_resources, unified, 0),
	OCI_FIELD_END,
};

int oci_dec_resources(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_resources *r = out;

	if (oci_dec_object(d, v, resources_fields, r) < 0)
		return -1;
	return oci_dec_json_text(d, v, &r->raw_json);
}

void oci_resources_done(struct oci_resources *r)
{
	free(r->devices);
	free(r->cpu_cpus);
	free(r->cpu_mems);
	strv_free(r->unified);
	free(r->raw_json);
	memset(r, 0, sizeof(*r));
}
