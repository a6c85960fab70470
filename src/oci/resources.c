/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources, every field of the runtime-spec: device cgroup rules,
 * memory, cpu, pids, blockIO, hugepageLimits, network, rdma and the cgroup v2
 * unified map; the whole object is also kept as JSON text.
 */
#include <stdint.h>
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
	OCI_FIELD_HAS("kernel", oci_dec_int64, struct oci_resources, memory_kernel, has_memory_kernel, 0),
	OCI_FIELD_HAS("kernelTCP", oci_dec_int64, struct oci_resources, memory_kernel_tcp, has_memory_kernel_tcp, 0),
	OCI_FIELD_HAS("swappiness", oci_dec_uint64, struct oci_resources, memory_swappiness, has_memory_swappiness, 0),
	OCI_FIELD_HAS("disableOOMKiller", oci_dec_bool, struct oci_resources, disable_oom_killer,
		      has_disable_oom_killer, 0),
	OCI_FIELD_HAS("useHierarchy", oci_dec_bool, struct oci_resources, memory_use_hierarchy,
		      has_memory_use_hierarchy, 0),
	OCI_FIELD_HAS("checkBeforeUpdate", oci_dec_bool, struct oci_resources, memory_check_before_update,
		      has_memory_check_before_update, 0),
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
	OCI_FIELD_HAS("burst", oci_dec_uint64, struct oci_resources, cpu_burst, has_cpu_burst, 0),
	OCI_FIELD_HAS("realtimeRuntime", oci_dec_int64, struct oci_resources, cpu_rt_runtime, has_cpu_rt_runtime, 0),
	OCI_FIELD_HAS("realtimePeriod", oci_dec_uint64, struct oci_resources, cpu_rt_period, has_cpu_rt_period, 0),
	OCI_FIELD_HAS("idle", oci_dec_int64, struct oci_resources, cpu_idle, has_cpu_idle, 0),
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

static int dec_uint16(struct oci_dec *d, json_t *v, void *out)
{
	int64_t x;

	if (oci_dec_integer(d, v, 0, UINT16_MAX, &x) < 0)
		return -1;
	*(uint16_t *)out = (uint16_t)x;
	return 0;
}

static const struct oci_field weight_device_fields[] = {
	OCI_FIELD("major", oci_dec_int64, struct oci_weight_device, major, OCI_F_REQUIRED),
	OCI_FIELD("minor", oci_dec_int64, struct oci_weight_device, minor, OCI_F_REQUIRED),
	OCI_FIELD_HAS("weight", dec_uint16, struct oci_weight_device, weight, has_weight, 0),
	OCI_FIELD_HAS("leafWeight", dec_uint16, struct oci_weight_device, leaf_weight, has_leaf_weight, 0),
	OCI_FIELD_END,
};

static int dec_weight_device(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, weight_device_fields, out);
}

static const struct oci_field throttle_fields[] = {
	OCI_FIELD("major", oci_dec_int64, struct oci_throttle_device, major, OCI_F_REQUIRED),
	OCI_FIELD("minor", oci_dec_int64, struct oci_throttle_device, minor, OCI_F_REQUIRED),
	OCI_FIELD("rate", oci_dec_uint64, struct oci_throttle_device, rate, OCI_F_REQUIRED),
	OCI_FIELD_END,
};

static int dec_throttle(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, throttle_fields, out);
}

#define THROTTLE_FIELD(name, i) \
	OCI_FIELD_ARRAY(name, dec_throttle, struct oci_resources, blkio_throttle[i], n_blkio_throttle[i], 0)

static const struct oci_field blockio_fields[] = {
	OCI_FIELD_HAS("weight", dec_uint16, struct oci_resources, blkio_weight, has_blkio_weight, 0),
	OCI_FIELD_HAS("leafWeight", dec_uint16, struct oci_resources, blkio_leaf_weight, has_blkio_leaf_weight, 0),
	OCI_FIELD_ARRAY("weightDevice", dec_weight_device, struct oci_resources, blkio_weight_devices,
			n_blkio_weight_devices, 0),
	THROTTLE_FIELD("throttleReadBpsDevice", OCI_THROTTLE_READ_BPS),
	THROTTLE_FIELD("throttleWriteBpsDevice", OCI_THROTTLE_WRITE_BPS),
	THROTTLE_FIELD("throttleReadIOPSDevice", OCI_THROTTLE_READ_IOPS),
	THROTTLE_FIELD("throttleWriteIOPSDevice", OCI_THROTTLE_WRITE_IOPS),
	OCI_FIELD_END,
};

static int dec_blockio(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, blockio_fields, out);
}

static const struct oci_field hugepage_fields[] = {
	OCI_FIELD("pageSize", oci_dec_string, struct oci_hugepage_limit, page_size, OCI_F_REQUIRED),
	OCI_FIELD("limit", oci_dec_uint64, struct oci_hugepage_limit, limit, OCI_F_REQUIRED),
	OCI_FIELD_END,
};

static int dec_hugepage(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, hugepage_fields, out);
}

static const struct oci_field priority_fields[] = {
	OCI_FIELD("name", oci_dec_string, struct oci_net_priority, name, OCI_F_REQUIRED),
	OCI_FIELD("priority", oci_dec_uint32, struct oci_net_priority, priority, OCI_F_REQUIRED),
	OCI_FIELD_END,
};

static int dec_priority(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, priority_fields, out);
}

static const struct oci_field network_fields[] = {
	OCI_FIELD_HAS("classID", oci_dec_uint32, struct oci_resources, net_class_id, has_net_class_id, 0),
	OCI_FIELD_ARRAY("priorities", dec_priority, struct oci_resources, net_priorities, n_net_priorities, 0),
	OCI_FIELD_END,
};

static int dec_network(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, network_fields, out);
}

static const struct oci_field rdma_fields[] = {
	OCI_FIELD_HAS("hcaHandles", oci_dec_uint32, struct oci_rdma_limit, hca_handles, has_hca_handles, 0),
	OCI_FIELD_HAS("hcaObjects", oci_dec_uint32, struct oci_rdma_limit, hca_objects, has_hca_objects, 0),
	OCI_FIELD_END,
};

/* rdma: an object keyed by device name; each entry is stored before it is decoded so that the owner frees it */
static int dec_rdma(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_resources *r = out;
	const char *key;
	size_t key_len;
	json_t *m;

	if (!json_is_object(v))
		return oci_dec_fail(d, "expected object");
	r->rdma = xcalloc(json_object_size(v) + 1, sizeof(*r->rdma));
	json_object_keylen_foreach(v, key, key_len, m)
	{
		size_t mark = oci_dec_push_map_key(d, key);
		struct oci_rdma_limit *l = &r->rdma[r->n_rdma++];
		int ret;

		l->device = xstrdup(key);
		ret = strlen(key) != key_len ? oci_dec_fail(d, "key contains a NUL byte")
					     : oci_dec_object(d, m, rdma_fields, l);
		oci_dec_pop(d, mark);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static const struct oci_field resources_fields[] = {
	OCI_FIELD_ARRAY("devices", dec_rule, struct oci_resources, devices, n_devices, 0),
	OCI_FIELD_FLAT("memory", dec_memory, 0),
	OCI_FIELD_FLAT("cpu", dec_cpu, 0),
	OCI_FIELD_FLAT("pids", dec_pids, 0),
	OCI_FIELD_FLAT("blockIO", dec_blockio, 0),
	OCI_FIELD_ARRAY("hugepageLimits", dec_hugepage, struct oci_resources, hugepage_limits, n_hugepage_limits, 0),
	OCI_FIELD_FLAT("network", dec_network, 0),
	OCI_FIELD_FLAT("rdma", dec_rdma, 0),
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
	free(r->blkio_weight_devices);
	for (size_t i = 0; i < OCI_THROTTLE_COUNT; i++)
		free(r->blkio_throttle[i]);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	strv_free(r->unified);
	free(r->raw_json);
	memset(r, 0, sizeof(*r));
}
