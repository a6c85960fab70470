/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker rmi and image prune, and garbage collection of layers and blobs no image refers to. */
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "store/store.h"

#define CONFIG_MAX (8u << 20)

void eng_removed_done(struct eng_removed *r)
{
	strv_free(r->lines);
	memset(r, 0, sizeof(*r));
}

/* Add "what: NAME" with name in Docker's familiar form. */
static void say(struct eng_removed *out, const char *what, const char *name)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *f = NULL;

	if (img_ref_parse(name, &ref, NULL) == 0)
		f = img_ref_familiar_string(ref);
	strv_push_take(&out->lines, xasprintf("%s: %s", what, f ? f : name));
}

/* Repositories (names without tag) of a list of full tag names, deduplicated. */
static size_t count_repositories(char *const *tags)
{
	_cleanup_strv_ char **repos = NULL;

	for (size_t i = 0; tags && tags[i]; i++) {
		_cleanup_img_ref_ struct img_ref *ref = NULL;
		char *r;

		if (img_ref_parse(tags[i], &ref, NULL) < 0)
			continue;
		r = img_ref_repository(ref);
		if (strv_contains(repos, r))
			free(r);
		else
			strv_push_take(&repos, r);
	}
	return strv_length(repos);
}

/* Delete the image row (its tags and digests go with it) and say so; then collect garbage. */
static int delete_image(struct eng *e, const char *id, char *const *tags, char *const *digests, struct eng_removed *out,
			struct berth_error **err)
{
	/* Its config and manifest blobs and unused layers go in eng_image_gc. */
	if (db_image_delete(e->db, id, err) < 0)
		return -1;
	for (size_t i = 0; tags && tags[i]; i++)
		say(out, "Untagged", tags[i]);
	for (size_t i = 0; digests && digests[i]; i++)
		say(out, "Untagged", digests[i]);
	strv_push_take(&out->lines, xasprintf("Deleted: %s", id));
	return 0;
}

/* NAME is a tag reference that other tags share the image with: untag only. */
static bool is_tag_name(const char *name, char *const *tags, char **ret_full)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *full = NULL;

	if (img_ref_parse_normalized_default(name, &ref, NULL) < 0 || ref->digest)
		return false;
	full = img_ref_string(ref);
	if (!strv_contains(tags, full))
		return false;
	*ret_full = TAKE_PTR(full);
	return true;
}

int eng_image_remove(struct eng *e, const char *name, bool force, struct eng_removed *out, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL, *full = NULL;
	_cleanup_strv_ char **tags = NULL, **digests = NULL, **users = NULL;
	int64_t reclaimed = 0;
	int rc;

	if (eng_image_find(e, name, &id, err) < 0)
		return -1;
	if (db_begin(e->db, err) < 0)
		return -1;
	if (db_tags_of_image(e->db, id, &tags, err) < 0 || db_repo_digests_of_image(e->db, id, &digests, err) < 0)
		goto fail;
	if (is_tag_name(name, tags, &full) && strv_length(tags) > 1) {
		if (db_tag_delete(e->db, full, NULL, err) < 0)
			goto fail;
		say(out, "Untagged", full);
		return db_commit(e->db, err);
	}
	if (!full && !force && count_repositories(tags) > 1) {
		berth_error_set(err, 0,
				"conflict: unable to delete %.12s (must be forced) - image is referenced in multiple "
				"repositories",
				digest_hex(id));
		goto fail;
	}
	if (db_containers_of_image(e->db, id, &users, err) < 0)
		goto fail;
	if (users[0]) {
		/* A container's rootfs stands on the image's layers: never delete them under it. */
		if (!force) {
			if (full)
				berth_error_set(err, 0,
						"conflict: unable to remove repository reference \"%s\" (must force) - "
						"container %.12s is using its referenced image %.12s",
						name, users[0], digest_hex(id));
			else
				berth_error_set(
					err, 0,
					"conflict: unable to delete %.12s (must be forced) - image is being used by "
					"container %.12s",
					digest_hex(id), users[0]);
			goto fail;
		}
		for (size_t i = 0; tags[i]; i++)
			if (db_tag_delete(e->db, tags[i], NULL, err) < 0)
				goto fail;
		for (size_t i = 0; tags[i]; i++)
			say(out, "Untagged", tags[i]);
		return db_commit(e->db, err);
	}
	if (delete_image(e, id, tags, digests, out, err) < 0 || db_commit(e->db, err) < 0)
		goto fail;
	rc = eng_image_gc(e, &reclaimed, err);
	out->reclaimed += reclaimed;
	return rc;
fail:
	db_rollback(e->db);
	return -1;
}

/* The config's Labels (a new reference, NULL when none or unreadable): only read when a filter needs them. */
static json_t *image_labels(struct eng *e, const char *id, const struct eng_prune_filter *f)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	json_t *cfg, *labels;

	if (!f || (!f->labels && !f->not_labels) || img_blob_read(e->store, id, CONFIG_MAX, &data, &len, NULL) < 0)
		return NULL;
	cfg = json_loadb(data, len, 0, NULL);
	labels = json_incref(json_object_get(json_object_get(cfg, "config"), "Labels"));
	json_decref(cfg);
	return labels;
}

static bool image_matches(struct eng *e, const struct db_image *img, const struct eng_prune_filter *f)
{
	json_t *labels = image_labels(e, img->id, f);
	bool hit = eng_prune_filter_match(f, labels, img->created);

	json_decref(labels);
	return hit;
}

int eng_image_prune(struct eng *e, bool all, const struct eng_prune_filter *f, struct eng_removed *out,
		    struct berth_error **err)
{
	struct db_image *imgs = NULL;
	size_t n = 0;
	int64_t reclaimed = 0;
	int rc = -1;

	if (db_begin(e->db, err) < 0)
		return -1;
	if (db_image_list(e->db, &imgs, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **tags = NULL, **digests = NULL, **users = NULL;

		if (db_tags_of_image(e->db, imgs[i].id, &tags, err) < 0 ||
		    db_repo_digests_of_image(e->db, imgs[i].id, &digests, err) < 0)
			goto out;
		if ((tags[0] && !all) || !image_matches(e, &imgs[i], f))
			continue;
		if (db_containers_of_image(e->db, imgs[i].id, &users, err) < 0)
			goto out;
		if (users[0])
			continue;
		if (delete_image(e, imgs[i].id, tags, digests, out, err) < 0)
			goto out;
	}
	if (db_commit(e->db, err) < 0)
		goto out;
	rc = eng_image_gc(e, &reclaimed, err);
	out->reclaimed += reclaimed;
out:
	db_rollback(e->db);
	db_images_free(imgs, n);
	return rc;
}
