/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store/: what the row files share: the connection and statement helpers. */
#pragma once

#include <sqlite3.h>

#include "store/store.h"

struct db {
	sqlite3 *h;
	char *path;
	bool in_tx;
};

static inline void db_finalizep(sqlite3_stmt **s)
{
	if (*s) {
		sqlite3_finalize(*s);
		*s = NULL;
	}
}
#define _cleanup_stmt_ __attribute__((cleanup(db_finalizep)))

/* Set err from the connection's last error: "database: <what>: <sqlite message>". */
int db_fail(struct db *db, struct berth_error **err, const char *what);
/* Prepare sql; on failure err names it. */
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **ret, struct berth_error **err);
/* Bind NULL when s is NULL. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* A heap copy of column i, NULL for SQL NULL. */
char *db_column_strdup(sqlite3_stmt *st, int i);
/* Run a statement with one text parameter to completion. */
int db_exec1(struct db *db, const char *sql, const char *arg, struct berth_error **err);
/* Collect column 0 of every row of st (already bound) into a NULL-terminated strv (never NULL on success). */
int db_collect_strv(struct db *db, sqlite3_stmt *st, char ***ret, struct berth_error **err);
