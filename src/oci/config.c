/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json at the top level: ociVersion, root, hostname, mounts, hooks and
 * annotations, and the entry points that load, decode and free a config.
 */
#include <fcntl.h>
#include <string.h>

#include "oci/internal.h"

static const struct oci_field root_fields[] = {
	OCI_FIELD("path", oci_dec_string_or_null, struct oci_config, root_path, 0),
	OCI_FIELD("readonly", oci_dec_bool, struct oci_config, root_readonly, 0),
	OCI_FIELD_END,
};

static int dec_root(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, root_fields, out);
}

static const struct oci_field mount_fields[] = {
	OCI_FIELD("destination", oci_dec_string, struct oci_mount, destination, OCI_F_REQUIRED),
	OCI_FIELD("type", oci_dec_string_or_null, struct oci_mount, type, 0),
	OCI_FIELD("source", oci_dec_string_or_null, struct oci_mount, source, 0),
	OCI_FIELD("options", oci_dec_strv, struct oci_mount, options, 0),
	OCI_FIELD_END,
};

static int dec_mount(struct oci_dec *d, json_t *v, void *out)
{
	if (oci_dec_object(d, v, mount_fields, out) < 0)
		return -1;
	oci_mount_parse_options(out);
	return 0;
}

static int dec_hook_timeout(struct oci_dec *d, json_t *v, void *out)
{
	if (oci_dec_int(d, v, out) < 0)
		return -1;
	if (*(int *)out <= 0)
		return oci_dec_fail(d, "timeout must be greater than zero");
	return 0;
}

static const struct oci_field hook_fields[] = {
	OCI_FIELD("path", oci_dec_string, struct oci_hook, path, OCI_F_REQUIRED),
	OCI_FIELD("args", oci_dec_strv, struct oci_hook, args, 0),
	OCI_FIELD("env", oci_dec_strv, struct oci_hook, env, 0),
	OCI_FIELD("timeout", dec_hook_timeout, struct oci_hook, timeout, 0),
	OCI_FIELD_END,
};

static int dec_hook(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, hook_fields, out);
}

#define HOOK_FIELD(name, kind) OCI_FIELD_ARRAY(name, dec_hook, struct oci_hooks, list[kind], n[kind], 0)

static const struct oci_field hooks_fields[] = {
	HOOK_FIELD("prestart", OCI_HOOK_PRESTART),
	HOOK_FIELD("createRuntime", OCI_HOOK_CREATE_RUNTIME),
	HOOK_FIELD("createContainer", OCI_HOOK_CREATE_CONTAINER),
	HOOK_FIELD("startContainer", OCI_HOOK_START_CONTAINER),
	HOOK_FIELD("poststart", OCI_HOOK_POSTSTART),
	HOOK_FIELD("poststop", OCI_HOOK_POSTSTOP),
	OCI_FIELD_END,
};

static int dec_hooks(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, hooks_fields, out);
}

static int dec_annotations(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_config *c = out;

	return oci_dec_kv_map(d, v, &c->annotations, &c->n_annotations);
}

static const struct oci_field config_fields[] = {
	OCI_FIELD("ociVersion", oci_dec_string, struct oci_config, oci_version, 0),
	OCI_FIELD_FLAT("root", dec_root, 0),
	OCI_FIELD("hostname", oci_dec_string_or_null, struct oci_config, hostname, 0),
	OCI_FIELD("domainname", oci_dec_string_or_null, struct oci_config, domainname, 0),
	OCI_FIELD_HAS("process", oci_dec_process, struct oci_config, process, has_process, 0),
	OCI_FIELD_ARRAY("mounts", dec_mount, struct oci_config, mounts, n_mounts, 0),
	OCI_FIELD_HAS("linux", oci_dec_linux, struct oci_config, linux_, has_linux, 0),
	OCI_FIELD("hooks", dec_hooks, struct oci_config, hooks, 0),
	OCI_FIELD_FLAT("annotations", dec_annotations, 0),
	OCI_FIELD_END,
};

int oci_config_parse(const char *data, size_t len, const char *name, struct oci_config **ret, struct berth_error **err)
{
	struct oci_dec d = {.name = name ? name : "config.json", .err = err};
	_cleanup_json_ json_t *root = NULL;
	struct oci_config *c;
	int r;

	root = oci_json_load(data, len, d.name, &d.bigints, err);
	if (!root)
		return -1;
	c = xcalloc(1, sizeof(*c));
	r = oci_dec_object(&d, root, config_fields, c);
	buf_done(&d.path);
	if (r < 0) {
		oci_config_free(c);
		return -1;
	}
	*ret = c;
	return 0;
}

int oci_config_load(const char *path, struct oci_config **ret, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;

	if (fs_read_file_at(AT_FDCWD, path, &data, &len, err) < 0)
		return -1;
	return oci_config_parse(data, len, path, ret, err);
}

static void mount_done(struct oci_mount *m)
{
	free(m->destination);
	free(m->type);
	free(m->source);
	strv_free(m->options);
	free(m->data);
}

static void hook_done(struct oci_hook *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	free(c->root_path);
	free(c->hostname);
	free(c->domainname);
	oci_process_done(&c->process);
	for (size_t i = 0; i < c->n_mounts; i++)
		mount_done(&c->mounts[i]);
	free(c->mounts);
	oci_linux_done(&c->linux_);
	for (int k = 0; k < OCI_HOOK_COUNT; k++) {
		for (size_t i = 0; i < c->hooks.n[k]; i++)
			hook_done(&c->hooks.list[k][i]);
		free(c->hooks.list[k]);
	}
	oci_kv_free(c->annotations, c->n_annotations);
	free(c);
}
