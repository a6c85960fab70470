/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What an image name means: full id, tag or digest reference, or a unique id prefix. */
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "store/store.h"

static bool is_hex64(const char *s)
{
	return strlen(s) == DIGEST_SHA256_HEX_LEN && img_ref_is_id_like(s);
}

static int by_prefix(struct eng *e, const char *name, const char *prefix, char **ret_id, struct berth_error **err)
{
	_cleanup_strv_ char **ids = NULL;

	if (db_image_ids_by_prefix(e->db, prefix, 2, &ids, err) < 0)
		return -1;
	if (strv_length(ids) > 1)
		return berth_error_set(err, 0, "image id prefix '%s' is ambiguous", name);
	*ret_id = ids[0] ? xstrdup(ids[0]) : NULL;
	return 0;
}

static int by_reference(struct eng *e, const struct img_ref *ref, char **ret_id, struct berth_error **err)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_free_ char *id = NULL;

	if (ref->digest) {
		/* repo@digest: the manifest digest it was pulled by, or an image id. */
		_cleanup_free_ char *repo = img_ref_repository(ref);

		name = xasprintf("%s@%s", repo, ref->digest);
		if (db_repo_digest_get(e->db, name, &id, err) < 0)
			return -1;
		if (!id) {
			struct db_image img;

			if (db_image_get(e->db, ref->digest, &img, err) < 0)
				return -1;
			id = TAKE_PTR(img.id);
			db_image_done(&img);
		}
	} else {
		name = img_ref_string(ref);
		if (db_tag_get(e->db, name, &id, err) < 0)
			return -1;
	}
	*ret_id = TAKE_PTR(id);
	return 0;
}

int eng_image_resolve(struct eng *e, const char *name, char **ret_id, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_error_ struct berth_error *perr = NULL;
	char *id = NULL;

	*ret_id = NULL;
	if (strncmp(name, "sha256:", 7) == 0 && strlen(name) > 7 && img_ref_is_id_like(name + 7))
		return by_prefix(e, name, name + 7, ret_id, err);
	if (is_hex64(name))
		return by_prefix(e, name, name, ret_id, err);
	if (img_ref_parse_normalized_default(name, &ref, &perr) == 0) {
		if (by_reference(e, ref, &id, err) < 0)
			return -1;
		if (id) {
			*ret_id = id;
			return 0;
		}
	}
	if (img_ref_is_id_like(name))
		return by_prefix(e, name, name, ret_id, err);
	if (perr)
		return berth_error_move(err, &perr);
	return 0;
}

int eng_image_find(struct eng *e, const char *name, char **ret_id, struct berth_error **err)
{
	if (eng_image_resolve(e, name, ret_id, err) < 0)
		return -1;
	if (!*ret_id)
		return berth_error_set(err, 0, "No such image: %s", name);
	return 0;
}

int eng_image_layer_links(struct eng *e, const char *image_id, char ***ret, struct berth_error **err)
{
	struct db_image img = {0};
	_cleanup_strv_ char **links = xcalloc(1, sizeof(char *));

	if (db_image_get(e->db, image_id, &img, err) < 0)
		return -1;
	if (!img.id)
		return berth_error_set(err, 0, "image %s of the container is gone", image_id);
	for (size_t i = strv_length(img.diff_ids); i-- > 0;) {
		struct img_layer_info info = {0};

		if (img_layers_info(e->store, img.diff_ids[i], &info, err) < 0 || !info.link[0]) {
			if (!info.link[0])
				berth_error_set(err, 0, "layer %s of image %s is missing", img.diff_ids[i], image_id);
			db_image_done(&img);
			return -1;
		}
		strv_push(&links, info.link);
	}
	db_image_done(&img);
	*ret = TAKE_PTR(links);
	return 0;
}
