/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image config (OCI config / Docker container image v1): decoding with
 * Docker's capitalised names inside "config", validation, encoding, release.
 */
#include <limits.h>
#include <string.h>

#include "oci/internal.h"

/* A list of strings; Docker's strslice also accepts one string for Entrypoint, Cmd and Shell. */
static int dec_str_slice(struct oci_dec *d, json_t *v, void *out)
{
	char ***p = out;
	char *s = NULL;

	if (!json_is_string(v))
		return oci_dec_strv(d, v, out);
	strv_free(*p);
	*p = NULL;
	/* the same checks as any string (NUL bytes), then wrapped */
	if (oci_dec_string(d, v, &s) < 0)
		return -1;
	strv_push_take(p, s);
	return 0;
}

/* An object used as a set ("ExposedPorts": {"80/tcp": {}}): its keys in document order. */
static int dec_key_set(struct oci_dec *d, json_t *v, void *out)
{
	char ***p = out;
	const char *key;
	size_t key_len;
	json_t *m;

	if (!json_is_object(v))
		return oci_dec_fail(d, "expected object");
	strv_free(*p);
	*p = NULL;
	json_object_keylen_foreach(v, key, key_len, m)
	{
		if (strlen(key) != key_len) {
			size_t mark = oci_dec_push_map_key(d, key);
			int r = oci_dec_fail(d, "key contains a NUL byte");

			oci_dec_pop(d, mark);
			return r;
		}
		strv_push(p, key);
	}
	return 0;
}

static const struct oci_field healthcheck_fields[] = {
	OCI_FIELD("Test", oci_dec_strv, struct oci_healthcheck, test, 0),
	OCI_FIELD("Interval", oci_dec_int64, struct oci_healthcheck, interval, 0),
	OCI_FIELD("Timeout", oci_dec_int64, struct oci_healthcheck, timeout, 0),
	OCI_FIELD("StartPeriod", oci_dec_int64, struct oci_healthcheck, start_period, 0),
	OCI_FIELD("StartInterval", oci_dec_int64, struct oci_healthcheck, start_interval, 0),
	OCI_FIELD("Retries", oci_dec_int, struct oci_healthcheck, retries, 0),
	OCI_FIELD_END,
};

static int dec_healthcheck(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_healthcheck **p = out;

	if (*p) {
		strv_free((*p)->test);
		free(*p);
	}
	*p = xcalloc(1, sizeof(**p));
	return oci_dec_object(d, v, healthcheck_fields, *p);
}

static int dec_labels(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_container_config *cc = out;

	oci_kv_free(cc->labels, cc->n_labels);
	cc->labels = NULL;
	cc->n_labels = 0;
	return oci_dec_kv_map(d, v, &cc->labels, &cc->n_labels);
}

#define CC_FIELD(n, fn, member) OCI_FIELD(n, fn, struct oci_container_config, member, 0)

static const struct oci_field container_config_fields[] = {
	CC_FIELD("User", oci_dec_string_or_null, user),
	CC_FIELD("ExposedPorts", dec_key_set, exposed_ports),
	CC_FIELD("Env", oci_dec_strv, env),
	CC_FIELD("Entrypoint", dec_str_slice, entrypoint),
	CC_FIELD("Cmd", dec_str_slice, cmd),
	CC_FIELD("Volumes", dec_key_set, volumes),
	CC_FIELD("WorkingDir", oci_dec_string_or_null, working_dir),
	OCI_FIELD_FLAT("Labels", dec_labels, 0),
	CC_FIELD("StopSignal", oci_dec_string_or_null, stop_signal),
	CC_FIELD("Healthcheck", dec_healthcheck, healthcheck),
	CC_FIELD("OnBuild", oci_dec_strv, on_build),
	CC_FIELD("Shell", dec_str_slice, shell),
	CC_FIELD("ArgsEscaped", oci_dec_bool, args_escaped),
	OCI_FIELD_END,
};

static int dec_container_config(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, container_config_fields, out);
}

static int dec_rootfs_type(struct oci_dec *d, json_t *v, void *out)
{
	if (oci_dec_string(d, v, out) < 0)
		return -1;
	if (strcmp(*(char **)out, "layers") != 0)
		return oci_dec_fail(d, "unsupported rootfs type '%s', expected 'layers'", *(char **)out);
	return 0;
}

static const struct oci_field rootfs_fields[] = {
	OCI_FIELD("type", dec_rootfs_type, struct oci_image_config, rootfs_type, OCI_F_REQUIRED),
	OCI_FIELD("diff_ids", oci_dec_digest_strv, struct oci_image_config, diff_ids, 0),
	OCI_FIELD_END,
};

static int dec_rootfs(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, rootfs_fields, out);
}

static const struct oci_field history_fields[] = {
	OCI_FIELD("created", oci_dec_string_or_null, struct oci_history, created, 0),
	OCI_FIELD("created_by", oci_dec_string_or_null, struct oci_history, created_by, 0),
	OCI_FIELD("author", oci_dec_string_or_null, struct oci_history, author, 0),
	OCI_FIELD("comment", oci_dec_string_or_null, struct oci_history, comment, 0),
	OCI_FIELD("empty_layer", oci_dec_bool, struct oci_history, empty_layer, 0),
	OCI_FIELD_END,
};

static int dec_history(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, history_fields, out);
}

#define IC_FIELD(n, fn, member, fl) OCI_FIELD(n, fn, struct oci_image_config, member, fl)

/* Docker does not require architecture and os (old images lack them); rootfs it does. */
static const struct oci_field image_config_fields[] = {
	IC_FIELD("created", oci_dec_string_or_null, created, 0),
	IC_FIELD("author", oci_dec_string_or_null, author, 0),
	IC_FIELD("architecture", oci_dec_string_or_null, architecture, 0),
	IC_FIELD("os", oci_dec_string_or_null, os, 0),
	IC_FIELD("os.version", oci_dec_string_or_null, os_version, 0),
	IC_FIELD("os.features", oci_dec_strv, os_features, 0),
	IC_FIELD("variant", oci_dec_string_or_null, variant, 0),
	IC_FIELD("config", dec_container_config, config, 0),
	OCI_FIELD_FLAT("rootfs", dec_rootfs, OCI_F_REQUIRED),
	OCI_FIELD_ARRAY("history", dec_history, struct oci_image_config, history, n_history, 0),
	OCI_FIELD_END,
};

static void config_release(void *p)
{
	oci_image_config_free(p);
}

int oci_image_config_decode(const char *data, size_t len, const char *what, struct oci_image_config **ret,
			    struct berth_error **err)
{
	struct oci_dec d = {.name = what ? what : "image config", .err = err};
	_cleanup_json_ json_t *root = NULL;
	struct oci_image_config *c;

	root = oci_json_load(data, len, d.name, &d.bigints, err);
	if (!root)
		return -1;
	c = oci_dec_document(&d, root, image_config_fields, sizeof(*c), config_release);
	if (!c)
		return -1;
	*ret = c;
	return 0;
}

/* Encoding. */

static void set_key_set(json_t *o, const char *key, char *const *v)
{
	json_t *m;

	if (!v || !*v)
		return;
	m = json_object();
	for (; *v; v++)
		json_object_set_new(m, *v, json_object());
	json_object_set_new(o, key, m);
}

static void set_duration(json_t *o, const char *key, int64_t ns)
{
	if (ns != 0)
		json_object_set_new(o, key, json_integer(ns));
}

static json_t *healthcheck_to_json(const struct oci_healthcheck *h)
{
	json_t *o = json_object();

	oci_json_set_strv(o, "Test", h->test);
	set_duration(o, "Interval", h->interval);
	set_duration(o, "Timeout", h->timeout);
	set_duration(o, "StartPeriod", h->start_period);
	set_duration(o, "StartInterval", h->start_interval);
	if (h->retries != 0)
		json_object_set_new(o, "Retries", json_integer(h->retries));
	return o;
}

/* Docker's order of container.Config, empty members left out as Go's omitempty does. */
static json_t *container_config_to_json(const struct oci_container_config *cc)
{
	json_t *o = json_object();

	oci_json_set_string(o, "User", cc->user);
	set_key_set(o, "ExposedPorts", cc->exposed_ports);
	oci_json_set_strv(o, "Env", cc->env);
	oci_json_set_strv(o, "Cmd", cc->cmd);
	if (cc->healthcheck)
		json_object_set_new(o, "Healthcheck", healthcheck_to_json(cc->healthcheck));
	if (cc->args_escaped)
		json_object_set_new(o, "ArgsEscaped", json_true());
	set_key_set(o, "Volumes", cc->volumes);
	oci_json_set_string(o, "WorkingDir", cc->working_dir);
	oci_json_set_strv(o, "Entrypoint", cc->entrypoint);
	oci_json_set_strv(o, "OnBuild", cc->on_build);
	oci_json_set_kv(o, "Labels", cc->labels, cc->n_labels);
	oci_json_set_string(o, "StopSignal", cc->stop_signal);
	oci_json_set_strv(o, "Shell", cc->shell);
	return o;
}

static json_t *history_to_json(const struct oci_history *h)
{
	json_t *o = json_object();

	oci_json_set_string(o, "created", h->created);
	oci_json_set_string(o, "created_by", h->created_by);
	oci_json_set_string(o, "author", h->author);
	oci_json_set_string(o, "comment", h->comment);
	if (h->empty_layer)
		json_object_set_new(o, "empty_layer", json_true());
	return o;
}

json_t *oci_image_config_to_json(const struct oci_image_config *c)
{
	const struct oci_platform p = {
		.architecture = c->architecture,
		.os = c->os,
		.variant = c->variant,
		.os_version = c->os_version,
		.os_features = c->os_features,
	};
	json_t *o = json_object(), *rootfs, *ids;

	oci_json_set_string(o, "created", c->created);
	oci_json_set_string(o, "author", c->author);
	oci_json_set_platform(o, &p);
	json_object_set_new(o, "config", container_config_to_json(&c->config));
	rootfs = json_object();
	json_object_set_new(rootfs, "type", json_string(c->rootfs_type ? c->rootfs_type : "layers"));
	/* Docker always writes diff_ids, [] for an image without layers */
	ids = json_array();
	for (size_t i = 0; c->diff_ids && c->diff_ids[i]; i++)
		json_array_append_new(ids, json_string(c->diff_ids[i]));
	json_object_set_new(rootfs, "diff_ids", ids);
	json_object_set_new(o, "rootfs", rootfs);
	if (c->n_history > 0) {
		json_t *history = json_array();

		for (size_t i = 0; i < c->n_history; i++)
			json_array_append_new(history, history_to_json(&c->history[i]));
		json_object_set_new(o, "history", history);
	}
	return o;
}

/* Release. */

static void container_config_done(struct oci_container_config *cc)
{
	free(cc->user);
	strv_free(cc->exposed_ports);
	strv_free(cc->env);
	strv_free(cc->entrypoint);
	strv_free(cc->cmd);
	strv_free(cc->volumes);
	free(cc->working_dir);
	oci_kv_free(cc->labels, cc->n_labels);
	free(cc->stop_signal);
	if (cc->healthcheck) {
		strv_free(cc->healthcheck->test);
		free(cc->healthcheck);
	}
	strv_free(cc->on_build);
	strv_free(cc->shell);
}

void oci_image_config_free(struct oci_image_config *c)
{
	if (!c)
		return;
	free(c->created);
	free(c->author);
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->os_version);
	strv_free(c->os_features);
	container_config_done(&c->config);
	free(c->rootfs_type);
	strv_free(c->diff_ids);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].author);
		free(c->history[i].comment);
	}
	free(c->history);
	free(c);
}
