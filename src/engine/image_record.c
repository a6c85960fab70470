/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Recording an image that image/ stored (config blob, unpacked layers) in the database, and tagging. */
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "oci/oci.h"
#include "store/store.h"

/* Image configs are small; Docker caps manifests at 4 MiB, configs are read with the same bound. */
#define CONFIG_MAX (8u << 20)

static int check_layers(const struct oci_image_config *cfg, const struct eng_layer_in *layers, size_t n,
			struct berth_error **err)
{
	size_t want = strv_length(cfg->diff_ids);

	if (want != n)
		return berth_error_set(err, 0, "image config lists %zu layers but %zu were given", want, n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cfg->diff_ids[i], layers[i].diff_id) != 0)
			return berth_error_set(err, 0, "layer %zu is %s but the image config wants %s", i,
					       layers[i].diff_id, cfg->diff_ids[i]);
	return 0;
}

static int write_rows(struct eng *e, const struct db_image *img, const struct eng_layer_in *layers, size_t n,
		      char *const *tags, const char *repo_digest, struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct db_layer l = {
			.diff_id = (char *)layers[i].diff_id,
			.link = (char *)layers[i].link,
			.size = layers[i].size,
			.blob_digest = layers[i].blob_digest[0] ? (char *)layers[i].blob_digest : NULL,
			.media_type = (char *)layers[i].media_type,
			.blob_size = layers[i].blob_size,
		};

		if (db_layer_put(e->db, &l, err) < 0)
			return -1;
	}
	if (db_image_put(e->db, img, err) < 0)
		return -1;
	for (size_t i = 0; tags && tags[i]; i++)
		if (db_tag_set(e->db, tags[i], img->id, err) < 0)
			return -1;
	if (repo_digest && db_repo_digest_add(e->db, repo_digest, img->id, err) < 0)
		return -1;
	return 0;
}

int eng_image_record(struct eng *e, const char *config_digest, const char *manifest_digest,
		     const struct eng_layer_in *layers, size_t n_layers, char *const *tags, const char *repo_digest,
		     struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	struct oci_image_config *cfg = NULL;
	struct db_image img = {0};
	size_t len = 0;
	int rc = -1;

	if (img_blob_read(e->store, config_digest, CONFIG_MAX, &data, &len, err) < 0)
		return -1;
	if (oci_image_config_decode(data, len, config_digest, &cfg, err) < 0)
		return -1;
	if (check_layers(cfg, layers, n_layers, err) < 0)
		goto out;
	img.id = (char *)config_digest;
	img.manifest_digest = (char *)manifest_digest;
	img.created = cfg->created;
	img.os = cfg->os;
	img.architecture = cfg->architecture;
	img.variant = cfg->variant;
	img.diff_ids = cfg->diff_ids;
	img.added = (int64_t)time(NULL);
	for (size_t i = 0; i < n_layers; i++)
		img.size += layers[i].size;
	if (db_begin(e->db, err) < 0)
		goto out;
	if (write_rows(e, &img, layers, n_layers, tags, repo_digest, err) < 0) {
		db_rollback(e->db);
		goto out;
	}
	rc = db_commit(e->db, err);
out:
	oci_image_config_free(cfg);
	return rc;
}

int eng_image_tag(struct eng *e, const char *source, const char *target, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL, *name = NULL;
	_cleanup_img_ref_ struct img_ref *ref = NULL;

	if (eng_image_find(e, source, &id, err) < 0)
		return -1;
	if (img_ref_parse_normalized_default(target, &ref, err) < 0)
		return -1;
	if (ref->digest)
		return berth_error_set(err, 0, "refusing to create a tag with a digest reference");
	name = img_ref_string(ref);
	return db_tag_set(e->db, name, id, err);
}
