/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rows of unpacked layers, shared by digest between images. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/internal.h"

void db_layer_done(struct db_layer *l)
{
	free(l->diff_id);
	free(l->link);
	free(l->blob_digest);
	free(l->media_type);
	memset(l, 0, sizeof(*l));
}

void db_layers_free(struct db_layer *ls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_layer_done(&ls[i]);
	free(ls);
}

int db_layer_put(struct db *db, const struct db_layer *l, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	/* A layer seen again keeps its link; a blob learned later (pull after load) is added. */
	if (db_prepare(db,
		       "INSERT INTO layers (diff_id, link, size, blob_digest, media_type, blob_size)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(diff_id) DO UPDATE SET"
		       " blob_digest = COALESCE(layers.blob_digest, excluded.blob_digest),"
		       " media_type = CASE WHEN layers.blob_digest IS NULL THEN excluded.media_type"
		       "   ELSE layers.media_type END,"
		       " blob_size = CASE WHEN layers.blob_digest IS NULL THEN excluded.blob_size"
		       "   ELSE layers.blob_size END",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, l->diff_id);
	db_bind_text(st, 2, l->link);
	sqlite3_bind_int64(st, 3, l->size);
	db_bind_text(st, 4, l->blob_digest);
	db_bind_text(st, 5, l->media_type);
	sqlite3_bind_int64(st, 6, l->blob_size);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "insert layer");
	return 0;
}

static void read_layer_row(sqlite3_stmt *st, struct db_layer *l)
{
	l->diff_id = db_column_strdup(st, 0);
	l->link = db_column_strdup(st, 1);
	l->size = sqlite3_column_int64(st, 2);
	l->blob_digest = db_column_strdup(st, 3);
	l->media_type = db_column_strdup(st, 4);
	l->blob_size = sqlite3_column_int64(st, 5);
}

#define LAYER_COLUMNS "diff_id, link, size, blob_digest, media_type, blob_size"

int db_layer_get(struct db *db, const char *diff_id, struct db_layer *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (db_prepare(db, "SELECT " LAYER_COLUMNS " FROM layers WHERE diff_id = ?1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, diff_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_layer_row(st, ret);
	else if (rc != SQLITE_DONE)
		return db_fail(db, err, "read layer");
	return 0;
}

int db_layer_delete(struct db *db, const char *diff_id, struct berth_error **err)
{
	return db_exec1(db, "DELETE FROM layers WHERE diff_id = ?1", diff_id, err);
}

static int collect(struct db *db, const char *sql, struct db_layer **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_layer *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		read_layer_row(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		db_layers_free(v, n);
		return db_fail(db, err, "list layers");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int db_layers_unreferenced(struct db *db, struct db_layer **ret, size_t *ret_n, struct berth_error **err)
{
	return collect(db,
		       "SELECT " LAYER_COLUMNS " FROM layers l WHERE NOT EXISTS"
		       " (SELECT 1 FROM image_layers il WHERE il.diff_id = l.diff_id) ORDER BY diff_id",
		       ret, ret_n, err);
}

int db_layer_list(struct db *db, struct db_layer **ret, size_t *ret_n, struct berth_error **err)
{
	return collect(db, "SELECT " LAYER_COLUMNS " FROM layers ORDER BY diff_id", ret, ret_n, err);
}

int db_blob_refs(struct db *db, char ***ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(
		    db,
		    "SELECT id FROM images UNION SELECT manifest_digest FROM images WHERE manifest_digest IS NOT NULL"
		    " UNION SELECT blob_digest FROM layers WHERE blob_digest IS NOT NULL",
		    &st, err) < 0)
		return -1;
	return db_collect_strv(db, st, ret, err);
}
