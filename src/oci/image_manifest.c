/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image manifests and indexes (OCI and Docker schema2): descriptors and
 * platforms as JSON, decoding with validation, encoding, and telling the
 * two kinds apart.
 */
#include <limits.h>
#include <string.h>

#include "oci/internal.h"

static int dec_size(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_integer(d, v, 0, INT64_MAX, out);
}

static const struct oci_field platform_fields[] = {
	OCI_FIELD("architecture", oci_dec_string, struct oci_platform, architecture, OCI_F_REQUIRED),
	OCI_FIELD("os", oci_dec_string, struct oci_platform, os, OCI_F_REQUIRED),
	OCI_FIELD("os.version", oci_dec_string_or_null, struct oci_platform, os_version, 0),
	OCI_FIELD("os.features", oci_dec_strv, struct oci_platform, os_features, 0),
	OCI_FIELD("variant", oci_dec_string_or_null, struct oci_platform, variant, 0),
	OCI_FIELD_END,
};

static int dec_platform(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_platform **p = out;

	oci_platform_free(*p);
	/* owned by the descriptor before decoding, so that its release cleans up after a failure */
	*p = xcalloc(1, sizeof(**p));
	return oci_dec_object(d, v, platform_fields, *p);
}

static int dec_descriptor_annotations(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_descriptor *desc = out;

	return oci_dec_kv_map(d, v, &desc->annotations, &desc->n_annotations);
}

static const struct oci_field descriptor_fields[] = {
	OCI_FIELD("mediaType", oci_dec_string, struct oci_descriptor, media_type, OCI_F_REQUIRED),
	OCI_FIELD("artifactType", oci_dec_string_or_null, struct oci_descriptor, artifact_type, 0),
	OCI_FIELD("digest", oci_dec_digest, struct oci_descriptor, digest, OCI_F_REQUIRED),
	OCI_FIELD("size", dec_size, struct oci_descriptor, size, OCI_F_REQUIRED),
	OCI_FIELD("urls", oci_dec_strv, struct oci_descriptor, urls, 0),
	OCI_FIELD_FLAT("annotations", dec_descriptor_annotations, 0),
	OCI_FIELD("platform", dec_platform, struct oci_descriptor, platform, 0),
	OCI_FIELD_END,
};

static int dec_descriptor(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, descriptor_fields, out);
}

static int dec_descriptor_ptr(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_descriptor **p = out;

	if (*p) {
		oci_descriptor_done(*p);
		free(*p);
	}
	*p = xcalloc(1, sizeof(**p));
	return dec_descriptor(d, v, *p);
}

static int dec_schema_version(struct oci_dec *d, json_t *v, void *out)
{
	if (oci_dec_int(d, v, out) < 0)
		return -1;
	if (*(int *)out != 2)
		return oci_dec_fail(d, "unsupported schema version %d, expected 2", *(int *)out);
	return 0;
}

static int dec_media_type_of(struct oci_dec *d, json_t *v, void *out, enum oci_manifest_kind want)
{
	const char *names[] = {"a manifest", "an index"};
	char **mt = out;
	int kind;

	if (oci_dec_string(d, v, out) < 0)
		return -1;
	kind = oci_media_type_kind(*mt);
	if (kind < 0)
		return oci_dec_fail(d, "unsupported media type '%s' for %s", *mt, names[want]);
	if (kind != (int)want)
		return oci_dec_fail(d, "media type '%s' is not %s", *mt, names[want]);
	return 0;
}

static int dec_manifest_media_type(struct oci_dec *d, json_t *v, void *out)
{
	return dec_media_type_of(d, v, out, OCI_KIND_MANIFEST);
}

static int dec_index_media_type(struct oci_dec *d, json_t *v, void *out)
{
	return dec_media_type_of(d, v, out, OCI_KIND_INDEX);
}

static int dec_manifest_annotations(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_manifest *m = out;

	return oci_dec_kv_map(d, v, &m->annotations, &m->n_annotations);
}

static const struct oci_field manifest_fields[] = {
	OCI_FIELD("schemaVersion", dec_schema_version, struct oci_manifest, schema_version, OCI_F_REQUIRED),
	OCI_FIELD("mediaType", dec_manifest_media_type, struct oci_manifest, media_type, 0),
	OCI_FIELD("artifactType", oci_dec_string_or_null, struct oci_manifest, artifact_type, 0),
	OCI_FIELD("config", dec_descriptor, struct oci_manifest, config, OCI_F_REQUIRED),
	OCI_FIELD_ARRAY("layers", dec_descriptor, struct oci_manifest, layers, n_layers, OCI_F_REQUIRED),
	OCI_FIELD("subject", dec_descriptor_ptr, struct oci_manifest, subject, 0),
	OCI_FIELD_FLAT("annotations", dec_manifest_annotations, 0),
	OCI_FIELD_END,
};

static int dec_index_annotations(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_index *ix = out;

	return oci_dec_kv_map(d, v, &ix->annotations, &ix->n_annotations);
}

static const struct oci_field index_fields[] = {
	OCI_FIELD("schemaVersion", dec_schema_version, struct oci_index, schema_version, OCI_F_REQUIRED),
	OCI_FIELD("mediaType", dec_index_media_type, struct oci_index, media_type, 0),
	OCI_FIELD_ARRAY("manifests", dec_descriptor, struct oci_index, manifests, n_manifests, OCI_F_REQUIRED),
	OCI_FIELD_FLAT("annotations", dec_index_annotations, 0),
	OCI_FIELD_END,
};

static bool is_schema1(json_t *root)
{
	json_t *sv = json_object_get(root, "schemaVersion");
	json_t *mt = json_object_get(root, "mediaType");

	if (json_is_integer(sv) && json_integer_value(sv) == 1)
		return true;
	if (json_is_string(mt) && oci_media_type_is_schema1(json_string_value(mt)))
		return true;
	return !sv && json_object_get(root, "fsLayers");
}

/* Load the JSON text and refuse schema 1 before anything else complains about its shape. */
static json_t *load_document(const char *data, size_t len, struct oci_dec *d)
{
	json_t *root = oci_json_load(data, len, d->name, &d->bigints, d->err);

	if (!root)
		return NULL;
	if (json_is_object(root) && is_schema1(root)) {
		json_decref(root);
		berth_error_set(d->err, 0,
				"%s: Docker image manifest version 2, schema 1 is not supported: "
				"the image must be pushed again as schema 2 or OCI",
				d->name);
		return NULL;
	}
	return root;
}

/* Decode data through fields into a new zeroed struct of size bytes, released with release on failure. */
static void *decode_document(const char *data, size_t len, const char *what, const struct oci_field *fields,
			     size_t size, void (*release)(void *), struct berth_error **err)
{
	struct oci_dec d = {.name = what, .err = err};
	_cleanup_json_ json_t *root = load_document(data, len, &d);

	return root ? oci_dec_document(&d, root, fields, size, release) : NULL;
}

static void manifest_release(void *p)
{
	oci_manifest_free(p);
}

static void index_release(void *p)
{
	oci_index_free(p);
}

int oci_manifest_decode(const char *data, size_t len, const char *what, struct oci_manifest **ret,
			struct berth_error **err)
{
	struct oci_manifest *m = decode_document(data, len, what ? what : "manifest", manifest_fields, sizeof(*m),
						 manifest_release, err);

	if (!m)
		return -1;
	*ret = m;
	return 0;
}

int oci_index_decode(const char *data, size_t len, const char *what, struct oci_index **ret, struct berth_error **err)
{
	struct oci_index *ix =
		decode_document(data, len, what ? what : "index", index_fields, sizeof(*ix), index_release, err);

	if (!ix)
		return -1;
	*ret = ix;
	return 0;
}

int oci_manifest_kind(const char *data, size_t len, const char *what, enum oci_manifest_kind *ret,
		      struct berth_error **err)
{
	struct oci_dec d = {.name = what ? what : "manifest", .err = err};
	_cleanup_json_ json_t *root = load_document(data, len, &d);
	json_t *mt;
	int kind;

	if (!root)
		return -1;
	if (!json_is_object(root))
		return berth_error_set(err, 0, "%s: expected object", d.name);
	mt = json_object_get(root, "mediaType");
	kind = json_is_string(mt) ? oci_media_type_kind(json_string_value(mt)) : -1;
	if (kind < 0 && json_object_get(root, "manifests"))
		kind = OCI_KIND_INDEX;
	else if (kind < 0 && (json_object_get(root, "config") || json_object_get(root, "layers")))
		kind = OCI_KIND_MANIFEST;
	if (kind < 0)
		return berth_error_set(err, 0, "%s: neither an image manifest nor an index", d.name);
	*ret = kind;
	return 0;
}

int oci_media_type_kind(const char *media_type)
{
	if (!media_type)
		return -1;
	if (strcmp(media_type, OCI_MEDIA_MANIFEST) == 0 || strcmp(media_type, OCI_MEDIA_DOCKER_MANIFEST) == 0)
		return OCI_KIND_MANIFEST;
	if (strcmp(media_type, OCI_MEDIA_INDEX) == 0 || strcmp(media_type, OCI_MEDIA_DOCKER_MANIFEST_LIST) == 0)
		return OCI_KIND_INDEX;
	return -1;
}

bool oci_media_type_is_schema1(const char *media_type)
{
	return media_type && (strcmp(media_type, OCI_MEDIA_DOCKER_SCHEMA1) == 0 ||
			      strcmp(media_type, OCI_MEDIA_DOCKER_SCHEMA1_SIGNED) == 0);
}

int oci_layer_compression(const char *media_type)
{
	static const struct {
		const char *media_type;
		enum oci_compression compression;
	} layers[] = {
		{OCI_MEDIA_LAYER_TAR, OCI_COMPRESSION_NONE},
		{OCI_MEDIA_LAYER_GZIP, OCI_COMPRESSION_GZIP},
		{OCI_MEDIA_LAYER_ZSTD, OCI_COMPRESSION_ZSTD},
		{OCI_MEDIA_LAYER_NONDIST_TAR, OCI_COMPRESSION_NONE},
		{OCI_MEDIA_LAYER_NONDIST_GZIP, OCI_COMPRESSION_GZIP},
		{OCI_MEDIA_LAYER_NONDIST_ZSTD, OCI_COMPRESSION_ZSTD},
		{OCI_MEDIA_DOCKER_LAYER, OCI_COMPRESSION_GZIP},
		{OCI_MEDIA_DOCKER_FOREIGN_LAYER, OCI_COMPRESSION_GZIP},
	};

	if (!media_type)
		return -1;
	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		if (strcmp(media_type, layers[i].media_type) == 0)
			return (int)layers[i].compression;
	return -1;
}

/* Encoding. */

static json_t *platform_to_json(const struct oci_platform *p)
{
	json_t *o = json_object();

	oci_json_set_platform(o, p);
	return o;
}

json_t *oci_descriptor_to_json(const struct oci_descriptor *d)
{
	json_t *o = json_object();

	oci_json_set_string(o, "mediaType", d->media_type);
	oci_json_set_string(o, "artifactType", d->artifact_type);
	oci_json_set_string(o, "digest", d->digest);
	json_object_set_new(o, "size", json_integer(d->size));
	oci_json_set_strv(o, "urls", d->urls);
	oci_json_set_kv(o, "annotations", d->annotations, d->n_annotations);
	if (d->platform)
		json_object_set_new(o, "platform", platform_to_json(d->platform));
	return o;
}

static json_t *descriptors_to_json(const struct oci_descriptor *list, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, oci_descriptor_to_json(&list[i]));
	return a;
}

json_t *oci_manifest_to_json(const struct oci_manifest *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "schemaVersion", json_integer(2));
	oci_json_set_string(o, "mediaType", m->media_type);
	oci_json_set_string(o, "artifactType", m->artifact_type);
	json_object_set_new(o, "config", oci_descriptor_to_json(&m->config));
	json_object_set_new(o, "layers", descriptors_to_json(m->layers, m->n_layers));
	if (m->subject)
		json_object_set_new(o, "subject", oci_descriptor_to_json(m->subject));
	oci_json_set_kv(o, "annotations", m->annotations, m->n_annotations);
	return o;
}

json_t *oci_index_to_json(const struct oci_index *ix)
{
	json_t *o = json_object();

	json_object_set_new(o, "schemaVersion", json_integer(2));
	oci_json_set_string(o, "mediaType", ix->media_type);
	json_object_set_new(o, "manifests", descriptors_to_json(ix->manifests, ix->n_manifests));
	oci_json_set_kv(o, "annotations", ix->annotations, ix->n_annotations);
	return o;
}

/* Copies and release. */

static char *strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void oci_descriptor_copy(struct oci_descriptor *dst, const struct oci_descriptor *src)
{
	*dst = (struct oci_descriptor){
		.media_type = strdup_or_null(src->media_type),
		.artifact_type = strdup_or_null(src->artifact_type),
		.digest = strdup_or_null(src->digest),
		.size = src->size,
		.urls = src->urls ? strv_copy(src->urls) : NULL,
		.platform = src->platform ? oci_platform_dup(src->platform) : NULL,
	};
	if (src->n_annotations > 0) {
		dst->annotations = xcalloc(src->n_annotations, sizeof(*dst->annotations));
		dst->n_annotations = src->n_annotations;
		for (size_t i = 0; i < src->n_annotations; i++) {
			dst->annotations[i].key = xstrdup(src->annotations[i].key);
			dst->annotations[i].value = xstrdup(src->annotations[i].value);
		}
	}
}

void oci_descriptor_done(struct oci_descriptor *d)
{
	free(d->media_type);
	free(d->artifact_type);
	free(d->digest);
	strv_free(d->urls);
	oci_kv_free(d->annotations, d->n_annotations);
	oci_platform_free(d->platform);
	memset(d, 0, sizeof(*d));
}

static void descriptors_free(struct oci_descriptor *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		oci_descriptor_done(&list[i]);
	free(list);
}

void oci_manifest_free(struct oci_manifest *m)
{
	if (!m)
		return;
	free(m->media_type);
	free(m->artifact_type);
	oci_descriptor_done(&m->config);
	descriptors_free(m->layers, m->n_layers);
	if (m->subject) {
		oci_descriptor_done(m->subject);
		free(m->subject);
	}
	oci_kv_free(m->annotations, m->n_annotations);
	free(m);
}

void oci_index_free(struct oci_index *ix)
{
	if (!ix)
		return;
	free(ix->media_type);
	descriptors_free(ix->manifests, ix->n_manifests);
	oci_kv_free(ix->annotations, ix->n_annotations);
	free(ix);
}
