/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Garbage collection of the image store: layers no image lists, blobs no
 * row refers to, and what crashed commands left in tmp/ or in layers/.
 * Runs only under the store's exclusive lock, which every command adding
 * content holds shared, so nothing being added can be taken for garbage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "store/store.h"

static int remove_unreferenced_layers(struct eng *e, int64_t *total, struct berth_error **err)
{
	struct db_layer *ls = NULL;
	size_t n = 0;
	int rc = 0;

	if (db_layers_unreferenced(e->db, &ls, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* The row goes last: a crash midway leaves a row that the next collection finds again. */
		rc = img_layers_remove(e->store, ls[i].diff_id, err);
		if (rc == 0)
			rc = db_layer_delete(e->db, ls[i].diff_id, err);
		if (rc == 0)
			*total += ls[i].size;
	}
	db_layers_free(ls, n);
	return rc;
}

static bool is_hex64(const char *s)
{
	return strlen(s) == DIGEST_SHA256_HEX_LEN && strspn(s, "0123456789abcdef") == DIGEST_SHA256_HEX_LEN;
}

/* Blobs that are no image's config or manifest and no layer's blob. */
static int remove_stray_blobs(struct eng *e, struct berth_error **err)
{
	_cleanup_strv_ char **refs = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (db_blob_refs(e->db, &refs, err) < 0)
		return -1;
	fd = openat(e->store->blobs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return berth_error_set(err, errno, "read '%s/blobs/sha256'", e->root);
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *digest = NULL;

		if (!is_hex64(de->d_name))
			continue;
		digest = xasprintf("sha256:%s", de->d_name);
		if (!strv_contains(refs, digest) && img_blob_remove(e->store, digest, err) < 0)
			return -1;
	}
	return 0;
}

/* Layer directories without a row (a command died between unpack and record), and tmp/. */
static int remove_strays(struct eng *e, int dirfd, const char *what, bool layers, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return berth_error_set(err, errno, "read '%s/%s'", e->root, what);
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *diff_id = NULL;
		struct db_layer l = {0};

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!layers) {
			if (fs_rm_rf_at(dirfd, de->d_name, err) < 0)
				return -1;
			continue;
		}
		if (!is_hex64(de->d_name))
			continue;
		diff_id = xasprintf("sha256:%s", de->d_name);
		if (db_layer_get(e->db, diff_id, &l, err) < 0)
			return -1;
		if (!l.diff_id && img_layers_remove(e->store, diff_id, err) < 0)
			return -1;
		db_layer_done(&l);
	}
	return 0;
}

int eng_image_gc(struct eng *e, int64_t *ret_reclaimed, struct berth_error **err)
{
	_cleanup_close_ int lock = -1;
	int64_t total = 0;

	*ret_reclaimed = 0;
	if (img_store_lock(e->store, true, true, &lock, err) < 0)
		return -1;
	if (lock < 0)
		return 0; /* a pull or load is adding content: collect next time */
	if (remove_unreferenced_layers(e, &total, err) < 0 || remove_stray_blobs(e, err) < 0 ||
	    remove_strays(e, e->store->layers_fd, "layers", true, err) < 0 ||
	    remove_strays(e, e->store->tmp_fd, "tmp", false, err) < 0)
		return berth_error_wrap(err, "collect unused image data");
	*ret_reclaimed = total;
	return 0;
}
