/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rows of volumes: name, driver, creation time, labels and options (JSON), and whether it is anonymous. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/internal.h"

#define VOLUME_COLUMNS "name, driver, created, labels, options, anonymous"

void db_volume_done(struct db_volume *v)
{
	free(v->name);
	free(v->driver);
	free(v->created);
	free(v->labels);
	free(v->options);
	memset(v, 0, sizeof(*v));
}

void db_volumes_free(struct db_volume *vs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_volume_done(&vs[i]);
	free(vs);
}

static void read_row(sqlite3_stmt *st, struct db_volume *v)
{
	v->name = db_column_strdup(st, 0);
	v->driver = db_column_strdup(st, 1);
	v->created = db_column_strdup(st, 2);
	v->labels = db_column_strdup(st, 3);
	v->options = db_column_strdup(st, 4);
	v->anonymous = sqlite3_column_int(st, 5) != 0;
}

int db_volume_insert(struct db *db, const struct db_volume *v, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "INSERT INTO volumes (" VOLUME_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, v->name);
	db_bind_text(st, 2, v->driver ? v->driver : "local");
	db_bind_text(st, 3, v->created);
	db_bind_text(st, 4, v->labels ? v->labels : "{}");
	db_bind_text(st, 5, v->options ? v->options : "{}");
	sqlite3_bind_int(st, 6, v->anonymous);
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	if (sqlite3_extended_errcode(db->h) == SQLITE_CONSTRAINT_PRIMARYKEY) {
		berth_error_set(err, 0, "volume '%s' already exists", v->name);
		if (err && *err)
			(*err)->code = EEXIST;
		return -1;
	}
	return db_fail(db, err, "insert volume");
}

int db_volume_get(struct db *db, const char *name, struct db_volume *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (db_prepare(db, "SELECT " VOLUME_COLUMNS " FROM volumes WHERE name = ?1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, ret);
	else if (rc != SQLITE_DONE)
		return db_fail(db, err, "read volume");
	return 0;
}

int db_volume_list(struct db *db, struct db_volume **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_volume *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db, "SELECT " VOLUME_COLUMNS " FROM volumes ORDER BY name", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		read_row(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		db_volumes_free(v, n);
		return db_fail(db, err, "list volumes");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int db_volume_delete(struct db *db, const char *name, struct berth_error **err)
{
	return db_exec1(db, "DELETE FROM volumes WHERE name = ?1", name, err);
}
