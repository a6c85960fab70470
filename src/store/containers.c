/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rows of containers: a static JSON document and a JSON State per container. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/internal.h"

void db_container_done(struct db_container *c)
{
	free(c->id);
	free(c->name);
	free(c->image_id);
	free(c->created);
	free(c->doc);
	free(c->state);
	memset(c, 0, sizeof(*c));
}

void db_containers_free(struct db_container *cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_container_done(&cs[i]);
	free(cs);
}

static int name_conflict(struct db *db, const char *name, struct berth_error **err)
{
	_cleanup_free_ char *holder = NULL;

	if (db_container_id_by_name(db, name, &holder, err) < 0)
		return -1;
	return berth_error_set(
		err, 0,
		"Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
		"remove (or rename) that container to be able to reuse that name.",
		name, holder ? holder : "?");
}

int db_container_insert(struct db *db, struct db_container *c, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	if (db_prepare(db,
		       "INSERT INTO containers (id, name, image_id, created, doc, state, restart_count, seq)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT COALESCE(MAX(seq), 0) + 1 FROM containers))"
		       " RETURNING seq",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, c->id);
	db_bind_text(st, 2, c->name);
	db_bind_text(st, 3, c->image_id);
	db_bind_text(st, 4, c->created);
	db_bind_text(st, 5, c->doc);
	db_bind_text(st, 6, c->state);
	sqlite3_bind_int(st, 7, c->restart_count);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		c->seq = sqlite3_column_int64(st, 0);
		return 0;
	}
	if (sqlite3_extended_errcode(db->h) == SQLITE_CONSTRAINT_UNIQUE) {
		sqlite3_reset(st);
		name_conflict(db, c->name, err);
		if (err && *err)
			(*err)->code = EEXIST;
		return -1;
	}
	return db_fail(db, err, "insert container");
}

#define CONTAINER_COLUMNS "id, name, image_id, created, doc, state, restart_count, seq"

static void read_row(sqlite3_stmt *st, struct db_container *c)
{
	c->id = db_column_strdup(st, 0);
	c->name = db_column_strdup(st, 1);
	c->image_id = db_column_strdup(st, 2);
	c->created = db_column_strdup(st, 3);
	c->doc = db_column_strdup(st, 4);
	c->state = db_column_strdup(st, 5);
	c->restart_count = sqlite3_column_int(st, 6);
	c->seq = sqlite3_column_int64(st, 7);
}

int db_container_get(struct db *db, const char *id, struct db_container *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (db_prepare(db, "SELECT " CONTAINER_COLUMNS " FROM containers WHERE id = ?1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, ret);
	else if (rc != SQLITE_DONE)
		return db_fail(db, err, "read container");
	return 0;
}

int db_container_id_by_name(struct db *db, const char *name, char **ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	*ret = NULL;
	if (db_prepare(db, "SELECT id FROM containers WHERE name = ?1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = db_column_strdup(st, 0);
	else if (rc != SQLITE_DONE)
		return db_fail(db, err, "read container");
	return 0;
}

int db_container_ids_by_prefix(struct db *db, const char *prefix, size_t max, char ***ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_free_ char *pattern = NULL;

	if (!*prefix || strspn(prefix, "0123456789abcdef") != strlen(prefix)) {
		*ret = xcalloc(1, sizeof(char *));
		return 0;
	}
	pattern = xasprintf("%s%%", prefix);
	if (db_prepare(db, "SELECT id FROM containers WHERE id LIKE ?1 ORDER BY id LIMIT ?2", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, pattern);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return db_collect_strv(db, st, ret, err);
}

int db_container_list(struct db *db, struct db_container **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_container *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db, "SELECT " CONTAINER_COLUMNS " FROM containers ORDER BY seq DESC", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		read_row(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		db_containers_free(v, n);
		return db_fail(db, err, "list containers");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int set_text(struct db *db, const char *sql, const char *id, const char *value, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, value);
	db_bind_text(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "update container");
	return 0;
}

int db_container_set_state(struct db *db, const char *id, const char *state, struct berth_error **err)
{
	return set_text(db, "UPDATE containers SET state = ?1 WHERE id = ?2", id, state, err);
}

int db_container_set_doc(struct db *db, const char *id, const char *doc, struct berth_error **err)
{
	return set_text(db, "UPDATE containers SET doc = ?1 WHERE id = ?2", id, doc, err);
}

int db_container_set_restart_count(struct db *db, const char *id, int n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "UPDATE containers SET restart_count = ?1 WHERE id = ?2", &st, err) < 0)
		return -1;
	sqlite3_bind_int(st, 1, n);
	db_bind_text(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "update container");
	return 0;
}

int db_container_rename(struct db *db, const char *id, const char *name, struct berth_error **err)
{
	if (set_text(db, "UPDATE containers SET name = ?1 WHERE id = ?2", id, name, NULL) == 0)
		return 0;
	if (sqlite3_extended_errcode(db->h) == SQLITE_CONSTRAINT_UNIQUE) {
		name_conflict(db, name, err);
		if (err && *err)
			(*err)->code = EEXIST;
		return -1;
	}
	return db_fail(db, err, "rename container");
}

int db_container_delete(struct db *db, const char *id, struct berth_error **err)
{
	return db_exec1(db, "DELETE FROM containers WHERE id = ?1", id, err);
}

int db_containers_of_image(struct db *db, const char *image_id, char ***ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "SELECT id FROM containers WHERE image_id = ?1 ORDER BY seq", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, image_id);
	return db_collect_strv(db, st, ret, err);
}
