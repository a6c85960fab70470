/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The connection: open, WAL and busy timeout, schema migrations, transactions, statement helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "store/internal.h"

/*
 * Each entry moves the schema from version i to i+1; never edit one that has
 * shipped, append a new one.
 */
static const char *const migrations[] = {
	/* 1: images, tags, repo digests, layers */
	"CREATE TABLE images ("
	"  id TEXT PRIMARY KEY, manifest_digest TEXT, created TEXT, size INTEGER NOT NULL DEFAULT 0,"
	"  added INTEGER NOT NULL, os TEXT, architecture TEXT, variant TEXT);"
	"CREATE TABLE image_layers ("
	"  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE, idx INTEGER NOT NULL,"
	"  diff_id TEXT NOT NULL, PRIMARY KEY (image_id, idx));"
	"CREATE INDEX image_layers_diff ON image_layers(diff_id);"
	"CREATE TABLE tags ("
	"  name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
	"  set_at INTEGER NOT NULL, seq INTEGER NOT NULL);"
	"CREATE INDEX tags_image ON tags(image_id);"
	"CREATE TABLE repo_digests ("
	"  name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
	"CREATE INDEX repo_digests_image ON repo_digests(image_id);"
	"CREATE TABLE layers ("
	"  diff_id TEXT PRIMARY KEY, link TEXT NOT NULL UNIQUE, size INTEGER NOT NULL DEFAULT 0,"
	"  blob_digest TEXT, media_type TEXT, blob_size INTEGER NOT NULL DEFAULT 0);",
	/* 2: containers: the static document (Config, HostConfig, ...) and the State object as JSON */
	"CREATE TABLE containers ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL, created TEXT NOT NULL,"
	"  doc TEXT NOT NULL, state TEXT NOT NULL, restart_count INTEGER NOT NULL DEFAULT 0,"
	"  seq INTEGER NOT NULL);"
	"CREATE INDEX containers_image ON containers(image_id);",
	/* 3: volumes (local driver): labels and options as JSON objects */
	"CREATE TABLE volumes ("
	"  name TEXT PRIMARY KEY, driver TEXT NOT NULL, created TEXT NOT NULL, labels TEXT NOT NULL,"
	"  options TEXT NOT NULL, anonymous INTEGER NOT NULL DEFAULT 0);",
	/* 4: networks (inspect document as JSON) and the addresses their endpoints hold */
	"CREATE TABLE networks ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, doc TEXT NOT NULL,"
	"  created TEXT NOT NULL, seq INTEGER NOT NULL);"
	"CREATE TABLE network_addresses ("
	"  network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE, address TEXT NOT NULL,"
	"  container_id TEXT NOT NULL, endpoint TEXT NOT NULL, PRIMARY KEY (network_id, address));"
	"CREATE INDEX network_addresses_container ON network_addresses(container_id);",
	/* 5: network endpoints: one per container and network (id, MAC, addresses, aliases as JSON) */
	"CREATE TABLE network_endpoints ("
	"  network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE, container_id TEXT NOT NULL,"
	"  container_name TEXT NOT NULL, endpoint_id TEXT NOT NULL UNIQUE, mac TEXT, ipv4 TEXT, ipv6 TEXT,"
	"  aliases TEXT NOT NULL DEFAULT '[]', seq INTEGER NOT NULL, PRIMARY KEY (network_id, container_id));"
	"CREATE INDEX network_endpoints_container ON network_endpoints(container_id);",
};

int db_schema_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

int db_fail(struct db *db, struct berth_error **err, const char *what)
{
	return berth_error_set(err, 0, "database '%s': %s: %s", db->path, what, sqlite3_errmsg(db->h));
}

int db_prepare(struct db *db, const char *sql, sqlite3_stmt **ret, struct berth_error **err)
{
	if (sqlite3_prepare_v2(db->h, sql, -1, ret, NULL) != SQLITE_OK)
		return db_fail(db, err, "prepare");
	return 0;
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *db_column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

int db_exec1(struct db *db, const char *sql, const char *arg, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, arg);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "write");
	return 0;
}

int db_collect_strv(struct db *db, sqlite3_stmt *st, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **v = xcalloc(1, sizeof(char *));
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push_take(&v, db_column_strdup(st, 0));
	if (rc != SQLITE_DONE)
		return db_fail(db, err, "read");
	*ret = TAKE_PTR(v);
	return 0;
}

static int exec_sql(struct db *db, const char *sql, struct berth_error **err)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		berth_error_set(err, 0, "database '%s': %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int user_version(struct db *db, int *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "PRAGMA user_version", &st, err) < 0)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_fail(db, err, "read schema version");
	*ret = sqlite3_column_int(st, 0);
	return 0;
}

/* Apply the migrations this database lacks, each in its own transaction. */
static int migrate(struct db *db, struct berth_error **err)
{
	int have;

	if (user_version(db, &have, err) < 0)
		return -1;
	if (have > db_schema_version())
		return berth_error_set(err, 0, "database '%s': schema version %d is newer than this berth's (%d)",
				       db->path, have, db_schema_version());
	for (int v = have; v < db_schema_version(); v++) {
		_cleanup_free_ char *bump = xasprintf("PRAGMA user_version = %d", v + 1);

		if (db_begin(db, err) < 0)
			return -1;
		/* Another command may have migrated while we waited for the lock. */
		if (user_version(db, &have, err) < 0) {
			db_rollback(db);
			return -1;
		}
		if (have > v) {
			db_rollback(db);
			continue;
		}
		if (exec_sql(db, migrations[v], err) < 0 || exec_sql(db, bump, err) < 0) {
			db_rollback(db);
			return berth_error_wrap(err, "migrate to schema %d", v + 1);
		}
		if (db_commit(db, err) < 0)
			return -1;
	}
	return 0;
}

int db_open(const char *path, struct db **ret, struct berth_error **err)
{
	struct db *db = xcalloc(1, sizeof(*db));
	_cleanup_free_ char *lock_path_s = NULL;
	int lock = -1;

	db->path = xstrdup(path);
	if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		berth_error_set(err, 0, "open database '%s': %s", path,
				db->h ? sqlite3_errmsg(db->h) : "out of memory");
		db_close(db);
		return -1;
	}
	/* Concurrent commands wait for each other rather than fail with SQLITE_BUSY. */
	sqlite3_busy_timeout(db->h, 60000);
	/*
	 * Every berth command is a short-lived connection: the last one to close
	 * would checkpoint (an fsync) and delete the WAL, and the next would make
	 * it again (an fsync of the directory). The WAL stays instead, and is
	 * checkpointed when it grows (wal_autocheckpoint, 1000 pages).
	 */
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(db->h, "main", SQLITE_FCNTL_PERSIST_WAL, &(int){1});
	/*
	 * One opener at a time switches a new database to WAL and migrates it: in
	 * the rollback journal a new file starts in, two connections upgrading
	 * their locks at once deadlock, and SQLite answers one "database is
	 * locked" at once instead of waiting. Once in WAL, this is a short wait.
	 */
	lock_path_s = xasprintf("%s.lock", path);
	lock = lock_path(lock_path_s, err);
	if (lock < 0 ||
	    exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err) < 0 ||
	    migrate(db, err) < 0) {
		if (lock >= 0)
			close(lock);
		db_close(db);
		return -1;
	}
	close(lock);
	*ret = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->in_tx)
		db_rollback(db);
	sqlite3_close_v2(db->h);
	free(db->path);
	free(db);
}

int db_begin(struct db *db, struct berth_error **err)
{
	if (exec_sql(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	db->in_tx = true;
	return 0;
}

int db_commit(struct db *db, struct berth_error **err)
{
	if (exec_sql(db, "COMMIT", err) < 0) {
		db_rollback(db);
		return -1;
	}
	db->in_tx = false;
	return 0;
}

void db_rollback(struct db *db)
{
	if (db->in_tx)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = false;
}
