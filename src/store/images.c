/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rows of images (with their layer lists), tags and repo digests. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "store/internal.h"

void db_image_done(struct db_image *img)
{
	free(img->id);
	free(img->manifest_digest);
	free(img->created);
	free(img->os);
	free(img->architecture);
	free(img->variant);
	strv_free(img->diff_ids);
	memset(img, 0, sizeof(*img));
}

void db_images_free(struct db_image *imgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_image_done(&imgs[i]);
	free(imgs);
}

static int put_layers(struct db *db, const struct db_image *img, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_exec1(db, "DELETE FROM image_layers WHERE image_id = ?1", img->id, err) < 0)
		return -1;
	if (db_prepare(db, "INSERT INTO image_layers (image_id, idx, diff_id) VALUES (?1, ?2, ?3)", &st, err) < 0)
		return -1;
	for (size_t i = 0; img->diff_ids && img->diff_ids[i]; i++) {
		sqlite3_reset(st);
		db_bind_text(st, 1, img->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		db_bind_text(st, 3, img->diff_ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_fail(db, err, "insert image layer");
	}
	return 0;
}

int db_image_put(struct db *db, const struct db_image *img, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db,
		       "INSERT INTO images (id, manifest_digest, created, size, added, os, architecture, variant)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET"
		       " manifest_digest = COALESCE(excluded.manifest_digest, manifest_digest),"
		       " created = excluded.created, size = excluded.size, os = excluded.os,"
		       " architecture = excluded.architecture, variant = excluded.variant",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, img->id);
	db_bind_text(st, 2, img->manifest_digest);
	db_bind_text(st, 3, img->created);
	sqlite3_bind_int64(st, 4, img->size);
	sqlite3_bind_int64(st, 5, img->added ? img->added : (int64_t)time(NULL));
	db_bind_text(st, 6, img->os);
	db_bind_text(st, 7, img->architecture);
	db_bind_text(st, 8, img->variant);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "insert image");
	return put_layers(db, img, err);
}

#define IMAGE_COLUMNS "id, manifest_digest, created, size, added, os, architecture, variant"

static int read_layers(struct db *db, struct db_image *img, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "SELECT diff_id FROM image_layers WHERE image_id = ?1 ORDER BY idx", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, img->id);
	return db_collect_strv(db, st, &img->diff_ids, err);
}

static void read_image_row(sqlite3_stmt *st, struct db_image *img)
{
	img->id = db_column_strdup(st, 0);
	img->manifest_digest = db_column_strdup(st, 1);
	img->created = db_column_strdup(st, 2);
	img->size = sqlite3_column_int64(st, 3);
	img->added = sqlite3_column_int64(st, 4);
	img->os = db_column_strdup(st, 5);
	img->architecture = db_column_strdup(st, 6);
	img->variant = db_column_strdup(st, 7);
}

int db_image_get(struct db *db, const char *id, struct db_image *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_image img = {0};
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (db_prepare(db, "SELECT " IMAGE_COLUMNS " FROM images WHERE id = ?1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(db, err, "read image");
	read_image_row(st, &img);
	if (read_layers(db, &img, err) < 0) {
		db_image_done(&img);
		return -1;
	}
	*ret = img;
	return 0;
}

int db_image_ids_by_prefix(struct db *db, const char *prefix, size_t max, char ***ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *pattern = NULL;

	/* Hex prefixes only: no LIKE wildcards can reach the pattern. */
	for (const char *p = prefix; *p; p++)
		if (!strchr("0123456789abcdef", *p)) {
			*ret = xcalloc(1, sizeof(char *));
			return 0;
		}
	pattern = xasprintf("sha256:%s%%", prefix);
	if (db_prepare(db, "SELECT id FROM images WHERE id LIKE ?1 ORDER BY id LIMIT ?2", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, pattern);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return db_collect_strv(db, st, ret, err);
}

int db_image_list(struct db *db, struct db_image **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_image *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db, "SELECT " IMAGE_COLUMNS " FROM images ORDER BY created DESC, added DESC, id", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		memset(&v[n], 0, sizeof(*v));
		read_image_row(st, &v[n]);
		n++;
		if (read_layers(db, &v[n - 1], err) < 0) {
			db_images_free(v, n);
			return -1;
		}
	}
	if (rc != SQLITE_DONE) {
		db_images_free(v, n);
		return db_fail(db, err, "list images");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int db_image_delete(struct db *db, const char *id, struct berth_error **err)
{
	/* image_layers, tags and repo_digests go with it (ON DELETE CASCADE). */
	return db_exec1(db, "DELETE FROM images WHERE id = ?1", id, err);
}

int db_tag_set(struct db *db, const char *name, const char *image_id, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db,
		       "INSERT INTO tags (name, image_id, set_at, seq) VALUES (?1, ?2, ?3,"
		       " (SELECT COALESCE(MAX(seq), 0) + 1 FROM tags)) ON CONFLICT(name) DO UPDATE SET"
		       " image_id = excluded.image_id, set_at = excluded.set_at, seq = excluded.seq",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, image_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "set tag");
	return 0;
}

int db_tag_delete(struct db *db, const char *name, bool *ret_existed, struct berth_error **err)
{
	if (db_exec1(db, "DELETE FROM tags WHERE name = ?1", name, err) < 0)
		return -1;
	if (ret_existed)
		*ret_existed = sqlite3_changes(db->h) > 0;
	return 0;
}

static int get_one(struct db *db, const char *sql, const char *arg, char **ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	*ret = NULL;
	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = db_column_strdup(st, 0);
	else if (rc != SQLITE_DONE)
		return db_fail(db, err, "read");
	return 0;
}

int db_tag_get(struct db *db, const char *name, char **ret, struct berth_error **err)
{
	return get_one(db, "SELECT image_id FROM tags WHERE name = ?1", name, ret, err);
}

static int list_of(struct db *db, const char *sql, const char *arg, char ***ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, arg);
	return db_collect_strv(db, st, ret, err);
}

int db_tags_of_image(struct db *db, const char *image_id, char ***ret, struct berth_error **err)
{
	return list_of(db, "SELECT name FROM tags WHERE image_id = ?1 ORDER BY seq", image_id, ret, err);
}

int64_t db_tag_last_time(struct db *db, const char *image_id)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "SELECT COALESCE(MAX(set_at), 0) FROM tags WHERE image_id = ?1", &st, NULL) < 0)
		return 0;
	db_bind_text(st, 1, image_id);
	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
}

int db_repo_digest_add(struct db *db, const char *name, const char *image_id, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "INSERT OR REPLACE INTO repo_digests (name, image_id) VALUES (?1, ?2)", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, image_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "add repo digest");
	return 0;
}

int db_repo_digest_get(struct db *db, const char *name, char **ret, struct berth_error **err)
{
	return get_one(db, "SELECT image_id FROM repo_digests WHERE name = ?1", name, ret, err);
}

int db_repo_digests_of_image(struct db *db, const char *image_id, char ***ret, struct berth_error **err)
{
	return list_of(db, "SELECT name FROM repo_digests WHERE image_id = ?1 ORDER BY name", image_id, ret, err);
}
