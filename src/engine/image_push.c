/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker push: an image's layer blobs (made from the layer directory when no
 * blob is kept), its config and a manifest, uploaded to its registry by tag.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "oci/oci.h"
#include "store/store.h"

/* One layer blob to upload. */
struct push_blob {
	char diff_id[DIGEST_STR_SIZE];
	char digest[DIGEST_STR_SIZE];
	char *media_type;
	int64_t size;
	char id[13]; /* Docker's progress id: 12 hex of the diff id */
};

struct push {
	struct eng *e;
	struct img_registry *reg;
	const struct img_ref *ref;
	const struct eng_progress *p;
	const char *id; /* the image id: its config digest */
	struct db_image img;
	struct push_blob *blobs;
	size_t n;
	const char *cur_id; /* the layer whose bytes are being sent */
};

static void say(struct push *pu, const char *id, const char *status)
{
	if (pu->p && pu->p->line)
		pu->p->line(pu->p->data, id, status);
}

static void on_bytes(int64_t done, int64_t total, void *data)
{
	struct push *pu = data;

	if (pu->p && pu->p->bytes && pu->cur_id)
		pu->p->bytes(pu->p->data, pu->cur_id, "Pushing", done, total);
}

/* Write the layer's directory as a gzip'd tar blob and keep it on the layer's row. */
static int make_blob(struct push *pu, struct db_layer *row, struct push_blob *b, struct berth_error **err)
{
	struct img_diff_opts opts = {.whiteouts = true, .gzip = true};
	_cleanup_free_ char *path = img_layers_diff_path(pu->e->store, b->diff_id);
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct img_blob_writer *w = NULL;
	struct img_diff_result res;

	if (dfd < 0)
		return berth_error_set(err, errno, "layer %s: open '%s'", b->diff_id, path);
	if (img_blob_create(pu->e->store, &w, err) < 0)
		return -1;
	if (img_layer_diff(dfd, img_blob_writer_fd(w), &opts, &res, err) < 0) {
		img_blob_abort(w);
		return berth_error_wrap(err, "layer %s", b->diff_id);
	}
	if (strcmp(res.diff_id, b->diff_id) != 0) {
		img_blob_abort(w);
		return berth_error_set(err, 0, "layer %s: its directory now gives %s, refusing to push it", b->diff_id,
				       res.diff_id);
	}
	if (img_blob_commit(pu->e->store, w, res.blob_digest, NULL, err) < 0)
		return -1;
	memcpy(b->digest, res.blob_digest, DIGEST_STR_SIZE);
	b->media_type = xstrdup(OCI_MEDIA_LAYER_GZIP);
	b->size = res.size;
	if (!row->blob_digest) {
		row->blob_digest = xstrdup(b->digest);
		free(row->media_type);
		row->media_type = xstrdup(b->media_type);
		row->blob_size = b->size;
		return db_layer_put(pu->e->db, row, err);
	}
	return 0;
}

/* The blob of every layer, bottom first. */
static int collect_blobs(struct push *pu, struct berth_error **err)
{
	pu->n = strv_length(pu->img.diff_ids);
	pu->blobs = xcalloc(pu->n ? pu->n : 1, sizeof(*pu->blobs));
	for (size_t i = 0; i < pu->n; i++) {
		struct push_blob *b = &pu->blobs[i];
		struct db_layer row = {0};
		int rc = 0;

		snprintf(b->diff_id, sizeof(b->diff_id), "%s", pu->img.diff_ids[i]);
		snprintf(b->id, sizeof(b->id), "%.12s", digest_hex(b->diff_id));
		if (db_layer_get(pu->e->db, b->diff_id, &row, err) < 0)
			return -1;
		if (!row.diff_id) {
			rc = berth_error_set(err, 0, "image %s: layer %s has no record", pu->id, b->diff_id);
		} else if (row.blob_digest && img_blob_exists(pu->e->store, row.blob_digest)) {
			snprintf(b->digest, sizeof(b->digest), "%s", row.blob_digest);
			b->media_type = xstrdup(row.media_type ? row.media_type : OCI_MEDIA_LAYER_GZIP);
			b->size = img_blob_size(pu->e->store, b->digest);
		} else {
			rc = make_blob(pu, &row, b, err);
		}
		db_layer_done(&row);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int upload(struct push *pu, const char *digest, const char *id, bool *ret_existed, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	int64_t size = img_blob_size(pu->e->store, digest);

	if (img_blob_open(pu->e->store, digest, &fd, err) < 0)
		return -1;
	if (fd < 0 || size < 0)
		return berth_error_set(err, ENOENT, "blob %s", digest);
	pu->cur_id = id;
	if (img_registry_blob_put(pu->reg, pu->ref->path, digest, fd, size, on_bytes, pu, ret_existed, err) < 0)
		return -1;
	pu->cur_id = NULL;
	return 0;
}

/* Layers top first, as Docker lists them, then the config. */
static int upload_blobs(struct push *pu, struct berth_error **err)
{
	bool existed = false;

	for (size_t i = pu->n; i-- > 0;)
		say(pu, pu->blobs[i].id, "Preparing");
	for (size_t i = pu->n; i-- > 0;) {
		if (upload(pu, pu->blobs[i].digest, pu->blobs[i].id, &existed, err) < 0)
			return -1;
		say(pu, pu->blobs[i].id, existed ? "Layer already exists" : "Pushed");
	}
	return upload(pu, pu->id, NULL, &existed, err);
}

/* The manifest the image came with, when it names exactly the config and blobs being pushed. */
static bool stored_manifest_fits(struct push *pu, char **ret_data, size_t *ret_len, char **ret_type)
{
	_cleanup_free_ char *data = NULL;
	struct oci_manifest *m = NULL;
	size_t len = 0;
	bool fits;

	if (!pu->img.manifest_digest ||
	    img_blob_read(pu->e->store, pu->img.manifest_digest, IMG_REGISTRY_MANIFEST_MAX, &data, &len, NULL) < 0 ||
	    oci_manifest_decode(data, len, pu->img.manifest_digest, &m, NULL) < 0)
		return false;
	fits = strcmp(m->config.digest, pu->id) == 0 && m->n_layers == pu->n;
	for (size_t i = 0; fits && i < pu->n; i++)
		fits = strcmp(m->layers[i].digest, pu->blobs[i].digest) == 0;
	if (fits) {
		*ret_type = xstrdup(m->media_type ? m->media_type : OCI_MEDIA_MANIFEST);
		*ret_data = TAKE_PTR(data);
		*ret_len = len;
	}
	oci_manifest_free(m);
	return fits;
}

/* An OCI layer type for a Docker one (and the other way for gzip in a Docker manifest). */
static const char *layer_type(const char *stored, bool docker)
{
	if (docker)
		return OCI_MEDIA_DOCKER_LAYER;
	if (strcmp(stored, OCI_MEDIA_DOCKER_LAYER) == 0 || strcmp(stored, OCI_MEDIA_DOCKER_FOREIGN_LAYER) == 0)
		return OCI_MEDIA_LAYER_GZIP;
	return stored;
}

/* A new manifest: Docker schema2 when every layer is gzip (as docker push writes), else OCI. */
static void make_manifest(struct push *pu, char **ret_data, size_t *ret_len, char **ret_type)
{
	struct oci_descriptor *layers = xcalloc(pu->n ? pu->n : 1, sizeof(*layers));
	struct oci_manifest m = {.schema_version = 2, .layers = layers, .n_layers = pu->n};
	bool docker = true;
	json_t *j;

	for (size_t i = 0; i < pu->n; i++)
		docker = docker && oci_layer_compression(pu->blobs[i].media_type) == OCI_COMPRESSION_GZIP;
	m.media_type = (char *)(docker ? OCI_MEDIA_DOCKER_MANIFEST : OCI_MEDIA_MANIFEST);
	m.config.media_type = (char *)(docker ? OCI_MEDIA_DOCKER_CONFIG : OCI_MEDIA_CONFIG);
	m.config.digest = (char *)pu->id;
	m.config.size = img_blob_size(pu->e->store, pu->id);
	for (size_t i = 0; i < pu->n; i++) {
		layers[i].media_type = (char *)layer_type(pu->blobs[i].media_type, docker);
		layers[i].digest = pu->blobs[i].digest;
		layers[i].size = pu->blobs[i].size;
	}
	j = oci_manifest_to_json(&m);
	*ret_data = json_dumps(j, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
	if (!*ret_data)
		abort();
	*ret_len = strlen(*ret_data);
	*ret_type = xstrdup(m.media_type);
	json_decref(j);
	free(layers);
}

/* Blobs, config and manifest for one tag (a full name); *ret_digest gets the manifest's digest. */
static int push_tag(struct push *pu, char ret_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	_cleanup_free_ char *data = NULL, *type = NULL, *line = NULL, *repo = NULL, *rd = NULL;
	size_t len = 0;

	if (collect_blobs(pu, err) < 0 || upload_blobs(pu, err) < 0)
		return -1;
	if (!stored_manifest_fits(pu, &data, &len, &type))
		make_manifest(pu, &data, &len, &type);
	if (img_registry_manifest_put(pu->reg, pu->ref->path, pu->ref->tag, type, data, len, ret_digest, err) < 0)
		return -1;
	line = xasprintf("%s: digest: %s size: %zu", pu->ref->tag, ret_digest, len);
	say(pu, NULL, line);
	repo = img_ref_repository(pu->ref);
	rd = xasprintf("%s@%s", repo, ret_digest);
	return db_repo_digest_add(pu->e->db, rd, pu->id, err);
}

static void push_reset(struct push *pu)
{
	for (size_t i = 0; i < pu->n; i++)
		free(pu->blobs[i].media_type);
	free(pu->blobs);
	pu->blobs = NULL;
	pu->n = 0;
	db_image_done(&pu->img);
	memset(&pu->img, 0, sizeof(pu->img));
}

/* Push the image the full tag name names. */
static int push_one(struct eng *e, struct img_registry *reg, const char *name, const struct eng_progress *p,
		    char ret_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *id = NULL, *familiar = NULL;
	struct push pu = {.e = e, .reg = reg, .p = p};
	int rc = -1;

	if (img_ref_parse(name, &ref, err) < 0 || eng_image_resolve(e, name, &id, err) < 0)
		return -1;
	if (!id) {
		familiar = img_ref_familiar_repository(ref);
		return berth_error_set(err, 0, "An image does not exist locally with the tag: %s", familiar);
	}
	pu.ref = ref;
	pu.id = id;
	if (db_image_get(e->db, id, &pu.img, err) < 0)
		return -1;
	if (!pu.img.id)
		return berth_error_set(err, 0, "No such image: %s", name);
	rc = push_tag(&pu, ret_digest, err);
	push_reset(&pu);
	return rc;
}

/* The tags (full names) to push: every tag of the repository with all_tags, else the one named. */
static int tags_to_push(struct eng *e, const struct img_ref *ref, bool all, char ***ret, struct berth_error **err)
{
	_cleanup_free_ char *repo = img_ref_repository(ref), *prefix = NULL;
	struct db_image *imgs = NULL;
	size_t n = 0;
	char **out = xcalloc(1, sizeof(char *));

	if (!all) {
		strv_push_take(&out, img_ref_string(ref));
		*ret = out;
		return 0;
	}
	prefix = xasprintf("%s:", repo);
	if (db_image_list(e->db, &imgs, &n, err) < 0) {
		strv_free(out);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **tags = NULL;

		if (db_tags_of_image(e->db, imgs[i].id, &tags, NULL) < 0)
			continue;
		for (size_t k = 0; tags && tags[k]; k++)
			if (strncmp(tags[k], prefix, strlen(prefix)) == 0)
				strv_push(&out, tags[k]);
	}
	db_images_free(imgs, n);
	if (!out[0]) {
		_cleanup_free_ char *familiar = img_ref_familiar_repository(ref);

		strv_free(out);
		return berth_error_set(err, 0, "An image does not exist locally with the tag: %s", familiar);
	}
	*ret = out;
	return 0;
}

static int check_name(const char *name, bool all, struct img_ref **ret, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;

	if (img_ref_parse(name, &ref, err) < 0)
		return -1;
	if (ref->digest)
		return berth_error_set(err, 0, "cannot push a digest reference '%s'", name);
	if (all && ref->tag)
		return berth_error_set(err, 0, "tag can't be used with --all-tags/-a");
	img_ref_default_tag(ref);
	*ret = TAKE_PTR(ref);
	return 0;
}

int eng_image_push(struct eng *e, const char *name, const struct eng_push_opts *opts, const struct eng_progress *p,
		   char **ret_digest, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *repo = NULL, *line = NULL;
	_cleanup_strv_ char **tags = NULL;
	_cleanup_close_ int lock_fd = -1;
	struct img_registry_opts ro = {.config_dir = e->config_dir, .tls_verify = opts->tls_verify};
	struct img_registry *reg = NULL;
	char digest[DIGEST_STR_SIZE] = "";
	int rc = -1;

	if (check_name(name, opts->all_tags, &ref, err) < 0 || tags_to_push(e, ref, opts->all_tags, &tags, err) < 0)
		return -1;
	/* shared: the blobs being sent, and those made for layers without one, stay until done */
	if (img_store_lock(e->store, false, false, &lock_fd, err) < 0)
		return -1;
	reg = img_registry_new(img_ref_api_host(ref), &ro, err);
	if (!reg)
		return -1;
	repo = img_ref_repository(ref);
	line = xasprintf("The push refers to repository [%s]", repo);
	say(&(struct push){.p = p}, NULL, line);
	for (size_t i = 0; tags[i]; i++)
		if (push_one(e, reg, tags[i], p, digest, err) < 0)
			goto out;
	if (ret_digest)
		*ret_digest = xstrdup(digest);
	rc = 0;
out:
	img_registry_free(reg);
	return rc;
}
