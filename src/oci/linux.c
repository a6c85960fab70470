/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "linux" object of config.json: namespaces, id mappings, time offsets,
 * devices, sysctl, masked and read-only paths, and the parts kept as JSON text.
 */
#include <string.h>

#include "oci/internal.h"

struct ns_entry {
	char *type;
	char *path;
};

static const struct oci_field ns_fields[] = {
	OCI_FIELD("type", oci_dec_string, struct ns_entry, type, OCI_F_REQUIRED),
	OCI_FIELD("path", oci_dec_string_or_null, struct ns_entry, path, 0),
	OCI_FIELD_END,
};

static int dec_namespace(struct oci_dec *d, json_t *v, struct oci_linux *l)
{
	struct ns_entry e = {0};
	size_t mark;
	int t, r = -1;

	if (oci_dec_object(d, v, ns_fields, &e) < 0)
		goto out;
	mark = oci_dec_push_key(d, "type");
	t = oci_ns_type_from_name(e.type);
	if (t < 0) {
		oci_dec_fail(d, "unknown namespace type '%s'", e.type);
		goto out;
	}
	if (l->namespaces[t].present) {
		oci_dec_fail(d, "duplicate namespace type '%s'", e.type);
		goto out;
	}
	oci_dec_pop(d, mark);
	l->namespaces[t].present = true;
	l->namespaces[t].path = TAKE_PTR(e.path);
	r = 0;
out:
	free(e.type);
	free(e.path);
	return r;
}

static int dec_namespaces(struct oci_dec *d, json_t *v, void *out)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return oci_dec_fail(d, "expected array");
	json_array_foreach(v, i, e)
	{
		size_t mark = oci_dec_push_index(d, i);

		if (dec_namespace(d, e, out) < 0)
			return -1;
		oci_dec_pop(d, mark);
	}
	return 0;
}

static const struct oci_field idmap_fields[] = {
	OCI_FIELD("containerID", oci_dec_uint32, struct oci_id_mapping, container_id, 0),
	OCI_FIELD("hostID", oci_dec_uint32, struct oci_id_mapping, host_id, 0),
	OCI_FIELD("size", oci_dec_uint32, struct oci_id_mapping, size, 0),
	OCI_FIELD_END,
};

static int dec_idmap(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, idmap_fields, out);
}

static const struct oci_field time_offset_fields[] = {
	OCI_FIELD("secs", oci_dec_int64, struct oci_time_offset, secs, 0),
	OCI_FIELD("nanosecs", oci_dec_uint32, struct oci_time_offset, nanosecs, 0),
	OCI_FIELD_END,
};

static int dec_time_offset(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, time_offset_fields, out);
}

static const struct oci_field time_offsets_fields[] = {
	OCI_FIELD_HAS("monotonic", dec_time_offset, struct oci_linux, time_monotonic, time_monotonic.present, 0),
	OCI_FIELD_HAS("boottime", dec_time_offset, struct oci_linux, time_boottime, time_boottime.present, 0),
	OCI_FIELD_END,
};

static int dec_time_offsets(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, time_offsets_fields, out);
}

/* A device while it is decoded: whether major and minor were given, and the type as written. */
struct device_entry {
	struct oci_device dev;
	char *type;
	bool has_major, has_minor;
};

static const struct oci_field device_fields[] = {
	OCI_FIELD("path", oci_dec_string, struct device_entry, dev.path, OCI_F_REQUIRED),
	OCI_FIELD("type", oci_dec_string, struct device_entry, type, OCI_F_REQUIRED),
	OCI_FIELD_HAS("major", oci_dec_int64, struct device_entry, dev.major, has_major, 0),
	OCI_FIELD_HAS("minor", oci_dec_int64, struct device_entry, dev.minor, has_minor, 0),
	OCI_FIELD_HAS("fileMode", oci_dec_uint32, struct device_entry, dev.file_mode, dev.has_file_mode, 0),
	OCI_FIELD_HAS("uid", oci_dec_uint32, struct device_entry, dev.uid, dev.has_uid, 0),
	OCI_FIELD_HAS("gid", oci_dec_uint32, struct device_entry, dev.gid, dev.has_gid, 0),
	OCI_FIELD_END,
};

static int check_device(struct oci_dec *d, const struct device_entry *e)
{
	if (strlen(e->type) != 1 || !strchr("cbup", e->type[0])) {
		oci_dec_push_key(d, "type");
		return oci_dec_fail(d, "unknown device type '%s'", e->type);
	}
	/* a fifo has no numbers; every other type needs both */
	if (e->type[0] != 'p' && (!e->has_major || !e->has_minor)) {
		oci_dec_push_key(d, e->has_major ? "minor" : "major");
		return oci_dec_fail(d, "required for device type '%s'", e->type);
	}
	return 0;
}

static int dec_device(struct oci_dec *d, json_t *v, void *out)
{
	struct device_entry e = {0};
	struct oci_device *dev = out;
	int r;

	r = oci_dec_object(d, v, device_fields, &e);
	if (r == 0)
		r = check_device(d, &e);
	if (r == 0)
		e.dev.type = e.type[0];
	/* handed over even after a failure: the owner frees what was decoded */
	*dev = e.dev;
	free(e.type);
	return r;
}

static int dec_rootfs_propagation(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_linux *l = out;

	if (oci_dec_string_or_null(d, v, &l->rootfs_propagation) < 0)
		return -1;
	if (!l->rootfs_propagation)
		return 0;
	if (oci_propagation_from_name(l->rootfs_propagation, &l->rootfs_propagation_flags) < 0)
		return oci_dec_fail(d, "unknown propagation '%s'", l->rootfs_propagation);
	return 0;
}

static int dec_sysctl(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_linux *l = out;

	return oci_dec_kv_map(d, v, &l->sysctl, &l->n_sysctl);
}

static const struct oci_field linux_fields[] = {
	OCI_FIELD_FLAT("namespaces", dec_namespaces, 0),
	OCI_FIELD_ARRAY("uidMappings", dec_idmap, struct oci_linux, uid_mappings, n_uid_mappings, 0),
	OCI_FIELD_ARRAY("gidMappings", dec_idmap, struct oci_linux, gid_mappings, n_gid_mappings, 0),
	OCI_FIELD_FLAT("timeOffsets", dec_time_offsets, 0),
	OCI_FIELD_ARRAY("devices", dec_device, struct oci_linux, devices, n_devices, 0),
	OCI_FIELD("cgroupsPath", oci_dec_string_or_null, struct oci_linux, cgroups_path, 0),
	OCI_FIELD_HAS("resources", oci_dec_resources, struct oci_linux, resources, has_resources, 0),
	OCI_FIELD_FLAT("rootfsPropagation", dec_rootfs_propagation, 0),
	OCI_FIELD("maskedPaths", oci_dec_strv, struct oci_linux, masked_paths, 0),
	OCI_FIELD("readonlyPaths", oci_dec_strv, struct oci_linux, readonly_paths, 0),
	OCI_FIELD_FLAT("sysctl", dec_sysctl, 0),
	OCI_FIELD("mountLabel", oci_dec_string_or_null, struct oci_linux, mount_label, 0),
	OCI_FIELD_FLAT("seccomp", oci_dec_seccomp, 0),
	OCI_FIELD("personality", oci_dec_json_text, struct oci_linux, personality_json, 0),
	OCI_FIELD_END,
};

int oci_dec_linux(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, linux_fields, out);
}

void oci_linux_done(struct oci_linux *l)
{
	for (int t = 0; t < OCI_NS_COUNT; t++)
		free(l->namespaces[t].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	oci_resources_done(&l->resources);
	free(l->rootfs_propagation);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	oci_kv_free(l->sysctl, l->n_sysctl);
	free(l->mount_label);
	free(l->seccomp_json);
	oci_seccomp_free(l->seccomp);
	free(l->personality_json);
	memset(l, 0, sizeof(*l));
}
