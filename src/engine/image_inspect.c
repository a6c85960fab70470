/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker image inspect: Docker's document for one image, built from its rows and config blob. */
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/units.h"
#include "image/image.h"
#include "store/store.h"

#define CONFIG_MAX (8u << 20)

/* Docker's container-config keys, in the order docker inspect prints them, with their empty values. */
static const struct {
	const char *key;
	const char *empty; /* JSON */
} config_keys[] = {
	{"Hostname", "\"\""},	   {"Domainname", "\"\""},    {"User", "\"\""},	      {"AttachStdin", "false"},
	{"AttachStdout", "false"}, {"AttachStderr", "false"}, {"ExposedPorts", NULL}, {"Tty", "false"},
	{"OpenStdin", "false"},	   {"StdinOnce", "false"},    {"Env", "null"},	      {"Cmd", "null"},
	{"Healthcheck", NULL},	   {"ArgsEscaped", NULL},     {"Image", "\"\""},      {"Volumes", "null"},
	{"WorkingDir", "\"\""},	   {"Entrypoint", "null"},    {"OnBuild", "null"},    {"Labels", "null"},
	{"StopSignal", NULL},	   {"Shell", NULL},
};

/* The image's "config" in Docker's shape: known keys in order (absent optional ones left out), then the rest. */
static json_t *docker_config(json_t *raw)
{
	json_t *out = json_object(), *v;
	const char *key;

	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		v = raw ? json_object_get(raw, config_keys[i].key) : NULL;
		if (v)
			json_object_set(out, config_keys[i].key, v);
		else if (config_keys[i].empty)
			json_object_set_new(out, config_keys[i].key,
					    json_loads(config_keys[i].empty, JSON_DECODE_ANY, NULL));
	}
	if (raw)
		json_object_foreach(raw, key, v) if (!json_object_get(out, key)) json_object_set(out, key, v);
	return out;
}

static json_t *familiar_list(char *const *names)
{
	json_t *a = json_array();

	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_img_ref_ struct img_ref *ref = NULL;
		_cleanup_free_ char *s = NULL;

		if (img_ref_parse(names[i], &ref, NULL) == 0)
			s = img_ref_familiar_string(ref);
		json_array_append_new(a, json_string(s ? s : names[i]));
	}
	return a;
}

static json_t *graph_driver(struct eng *e, char *const *diff_ids)
{
	size_t n = strv_length(diff_ids);
	struct buf lower = {0};
	json_t *data = json_object();

	if (n == 0)
		return json_pack("{s:o, s:s}", "Data", data, "Name", "overlay2");
	for (size_t i = n - 1; i-- > 0;) {
		_cleanup_free_ char *p = img_layers_diff_path(e->store, diff_ids[i]);

		buf_printf(&lower, "%s%s", lower.len ? ":" : "", p);
	}
	if (lower.len)
		json_object_set_new(data, "LowerDir", json_string(lower.data));
	buf_done(&lower);
	json_object_set_new(data, "MergedDir",
			    json_sprintf("%s/layers/%s/merged", e->root, digest_hex(diff_ids[n - 1])));
	json_object_set_new(data, "UpperDir", json_sprintf("%s/layers/%s/diff", e->root, digest_hex(diff_ids[n - 1])));
	json_object_set_new(data, "WorkDir", json_sprintf("%s/layers/%s/work", e->root, digest_hex(diff_ids[n - 1])));
	return json_pack("{s:o, s:s}", "Data", data, "Name", "overlay2");
}

static json_t *str_or_empty(json_t *cfg, const char *key)
{
	json_t *v = json_object_get(cfg, key);

	return json_is_string(v) ? json_incref(v) : json_string("");
}

static json_t *document(struct eng *e, const struct db_image *img, json_t *cfg, char **tags, char **digests)
{
	json_t *doc = json_object();
	int64_t last = db_tag_last_time(e->db, img->id);
	_cleanup_free_ char *last_s = last ? eng_time_rfc3339(last, 0) : xstrdup("0001-01-01T00:00:00Z");
	json_t *layers = json_array();

	for (size_t i = 0; img->diff_ids && img->diff_ids[i]; i++)
		json_array_append_new(layers, json_string(img->diff_ids[i]));
	json_object_set_new(doc, "Id", json_string(img->id));
	json_object_set_new(doc, "RepoTags", familiar_list(tags));
	json_object_set_new(doc, "RepoDigests", familiar_list(digests));
	json_object_set_new(doc, "Parent", json_string(""));
	json_object_set_new(doc, "Comment", str_or_empty(cfg, "comment"));
	json_object_set_new(doc, "Created", str_or_empty(cfg, "created"));
	json_object_set_new(doc, "DockerVersion", str_or_empty(cfg, "docker_version"));
	json_object_set_new(doc, "Author", str_or_empty(cfg, "author"));
	json_object_set_new(doc, "Config", docker_config(json_object_get(cfg, "config")));
	json_object_set_new(doc, "Architecture", str_or_empty(cfg, "architecture"));
	if (json_is_string(json_object_get(cfg, "variant")))
		json_object_set(doc, "Variant", json_object_get(cfg, "variant"));
	json_object_set_new(doc, "Os", str_or_empty(cfg, "os"));
	json_object_set_new(doc, "Size", json_integer(img->size));
	json_object_set_new(doc, "GraphDriver", graph_driver(e, img->diff_ids));
	json_object_set_new(doc, "RootFS", json_pack("{s:s, s:o}", "Type", "layers", "Layers", layers));
	json_object_set_new(doc, "Metadata", json_pack("{s:s}", "LastTagTime", last_s));
	return doc;
}

int eng_image_inspect(struct eng *e, const char *name, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL, *data = NULL;
	_cleanup_strv_ char **tags = NULL, **digests = NULL;
	struct db_image img = {0};
	json_t *cfg;
	size_t len = 0;
	json_error_t jerr;

	if (eng_image_find(e, name, &id, err) < 0 || db_image_get(e->db, id, &img, err) < 0)
		return -1;
	if (!img.id)
		return berth_error_set(err, 0, "No such image: %s", name);
	if (db_tags_of_image(e->db, id, &tags, err) < 0 || db_repo_digests_of_image(e->db, id, &digests, err) < 0 ||
	    img_blob_read(e->store, id, CONFIG_MAX, &data, &len, err) < 0) {
		db_image_done(&img);
		return -1;
	}
	cfg = json_loadb(data, len, 0, &jerr);
	if (!cfg) {
		db_image_done(&img);
		return berth_error_set(err, 0, "image %s: config: %s", id, jerr.text);
	}
	*ret = document(e, &img, cfg, tags, digests);
	json_decref(cfg);
	db_image_done(&img);
	return 0;
}
