/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker images: one row per tag (or one "<none>" row), with Docker's template fields. */
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/units.h"
#include "image/image.h"
#include "store/store.h"

/* Split a stored full name into Docker's familiar repository and tag (or digest). */
static void split_name(const char *name, char **ret_repo, char **ret_tag, char **ret_digest)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;

	if (img_ref_parse(name, &ref, NULL) < 0) {
		*ret_repo = xstrdup(name);
		*ret_tag = xstrdup("<none>");
		*ret_digest = NULL;
		return;
	}
	*ret_repo = img_ref_familiar_repository(ref);
	*ret_tag = xstrdup(ref->tag ? ref->tag : "<none>");
	*ret_digest = ref->digest ? xstrdup(ref->digest) : NULL;
}

/* The digest of a repo digest entry of this image for repo, or "<none>". */
static const char *digest_for(char *const *repo_digests, const char *repo, char **tmp)
{
	for (size_t i = 0; repo_digests && repo_digests[i]; i++) {
		_cleanup_free_ char *r = NULL, *t = NULL;
		char *d = NULL;

		split_name(repo_digests[i], &r, &t, &d);
		if (d && strcmp(r, repo) == 0) {
			*tmp = d;
			return d;
		}
		free(d);
	}
	return "<none>";
}

static json_t *row(const struct db_image *img, const char *repo, const char *tag, const char *digest)
{
	int64_t created = 0;
	_cleanup_free_ char *since = NULL, *at = NULL, *size = NULL, *dur = NULL;

	if (!img->created || !eng_time_parse(img->created, &created, NULL))
		created = img->added;
	dur = eng_human_duration((int64_t)time(NULL) - created);
	since = xasprintf("%s ago", dur);
	at = eng_time_go_string(created);
	size = eng_human_size((double)img->size);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "Containers", "N/A",
			 "CreatedAt", at, "CreatedSince", since, "Digest", digest, "ID", img->id, "Repository", repo,
			 "SharedSize", "N/A", "Size", size, "Tag", tag, "UniqueSize", "N/A", "VirtualSize", size,
			 "Created", (json_int_t)created);
}

static int image_rows(struct eng *e, const struct db_image *img, json_t *out, struct berth_error **err)
{
	_cleanup_strv_ char **tags = NULL, **digests = NULL;

	if (db_tags_of_image(e->db, img->id, &tags, err) < 0 ||
	    db_repo_digests_of_image(e->db, img->id, &digests, err) < 0)
		return -1;
	for (size_t i = 0; tags[i]; i++) {
		_cleanup_free_ char *repo = NULL, *tag = NULL, *d = NULL, *tmp = NULL;

		split_name(tags[i], &repo, &tag, &d);
		json_array_append_new(out, row(img, repo, tag, digest_for(digests, repo, &tmp)));
	}
	if (tags[0])
		return 0;
	/* Untagged: one row per repository it was pulled from, else <none>:<none>. */
	for (size_t i = 0; digests[i]; i++) {
		_cleanup_free_ char *repo = NULL, *tag = NULL, *d = NULL;

		split_name(digests[i], &repo, &tag, &d);
		json_array_append_new(out, row(img, repo, "<none>", d ? d : "<none>"));
	}
	if (!digests[0])
		json_array_append_new(out, row(img, "<none>", "<none>", "<none>"));
	return 0;
}

int eng_image_list(struct eng *e, bool all, json_t **ret, struct berth_error **err)
{
	struct db_image *imgs = NULL;
	size_t n = 0;
	json_t *out = json_array();

	(void)all; /* berth keeps no intermediate build images yet: every image is listed */
	if (db_image_list(e->db, &imgs, &n, err) < 0) {
		json_decref(out);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (image_rows(e, &imgs[i], out, err) < 0) {
			db_images_free(imgs, n);
			json_decref(out);
			return -1;
		}
	db_images_free(imgs, n);
	*ret = out;
	return 0;
}
