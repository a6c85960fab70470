/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rows of networks (inspect document as JSON) and of the addresses their endpoints hold. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "store/internal.h"

void db_network_done(struct db_network *n)
{
	free(n->id);
	free(n->name);
	free(n->driver);
	free(n->doc);
	free(n->created);
	memset(n, 0, sizeof(*n));
}

void db_networks_free(struct db_network *ns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_network_done(&ns[i]);
	free(ns);
}

void db_endpoint_done(struct db_endpoint *e)
{
	free(e->network_id);
	free(e->address);
	free(e->container_id);
	free(e->endpoint);
	memset(e, 0, sizeof(*e));
}

void db_endpoints_free(struct db_endpoint *es, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_endpoint_done(&es[i]);
	free(es);
}

/* Give the error just set a code (after berth_error_set, so that no strerror text is appended). */
static int set_code(struct berth_error **err, int code)
{
	if (err && *err)
		(*err)->code = code;
	return -1;
}

int db_network_insert(struct db *db, struct db_network *n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_network other = {0};
	int rc;

	if (db_prepare(db,
		       "INSERT INTO networks (id, name, driver, doc, created, seq)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(seq), 0) + 1 FROM networks)) RETURNING seq",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, n->id);
	db_bind_text(st, 2, n->name);
	db_bind_text(st, 3, n->driver);
	db_bind_text(st, 4, n->doc);
	db_bind_text(st, 5, n->created);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		n->seq = sqlite3_column_int64(st, 0);
		return 0;
	}
	if (sqlite3_extended_errcode(db->h) != SQLITE_CONSTRAINT_UNIQUE &&
	    sqlite3_extended_errcode(db->h) != SQLITE_CONSTRAINT_PRIMARYKEY)
		return db_fail(db, err, "insert network");
	sqlite3_reset(st);
	if (db_network_get(db, n->id, &other, err) < 0)
		return -1;
	if (other.id) {
		db_network_done(&other);
		berth_error_set(err, 0, "network with id %s already exists", n->id);
	} else {
		berth_error_set(err, 0, "network with name %s already exists", n->name);
	}
	return set_code(err, EEXIST);
}

#define NETWORK_COLUMNS "id, name, driver, doc, created, seq"

static void read_network(sqlite3_stmt *st, struct db_network *n)
{
	n->id = db_column_strdup(st, 0);
	n->name = db_column_strdup(st, 1);
	n->driver = db_column_strdup(st, 2);
	n->doc = db_column_strdup(st, 3);
	n->created = db_column_strdup(st, 4);
	n->seq = sqlite3_column_int64(st, 5);
}

/* The first row of a one-parameter query into *ret (zeroed when none). */
static int get_one(struct db *db, const char *sql, const char *arg, struct db_network *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, arg);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_network(st, ret);
	else if (rc != SQLITE_DONE)
		return db_fail(db, err, "read network");
	return 0;
}

int db_network_get(struct db *db, const char *id, struct db_network *ret, struct berth_error **err)
{
	return get_one(db, "SELECT " NETWORK_COLUMNS " FROM networks WHERE id = ?1", id, ret, err);
}

int db_network_find(struct db *db, const char *ref, struct db_network *ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	_cleanup_strv_ char **ids = NULL;
	_cleanup_free_ char *pattern = NULL;

	if (db_network_get(db, ref, ret, err) < 0)
		return -1;
	if (ret->id)
		return 0;
	if (get_one(db, "SELECT " NETWORK_COLUMNS " FROM networks WHERE name = ?1", ref, ret, err) < 0)
		return -1;
	if (ret->id)
		return 0;
	/* hex only, so that no LIKE wildcard gets through */
	if (!*ref || strspn(ref, "0123456789abcdef") != strlen(ref))
		return 0;
	pattern = xasprintf("%s%%", ref);
	if (db_prepare(db, "SELECT id FROM networks WHERE id LIKE ?1 ORDER BY id", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, pattern);
	if (db_collect_strv(db, st, &ids, err) < 0)
		return -1;
	if (strv_length(ids) > 1) {
		berth_error_set(err, 0, "network %s is ambiguous (%zu matches found based on ID prefix)", ref,
				strv_length(ids));
		return set_code(err, EINVAL);
	}
	if (ids[0])
		return db_network_get(db, ids[0], ret, err);
	return 0;
}

int db_network_list(struct db *db, struct db_network **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_network *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db, "SELECT " NETWORK_COLUMNS " FROM networks ORDER BY name", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		read_network(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		db_networks_free(v, n);
		return db_fail(db, err, "list networks");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int db_network_set_doc(struct db *db, const char *id, const char *doc, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "UPDATE networks SET doc = ?1 WHERE id = ?2", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, doc);
	db_bind_text(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "update network");
	return 0;
}

int db_network_delete(struct db *db, const char *id, struct berth_error **err)
{
	return db_exec1(db, "DELETE FROM networks WHERE id = ?1", id, err);
}

int db_address_list(struct db *db, const char *network_id, char ***ret, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "SELECT address FROM network_addresses WHERE network_id = ?1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, network_id);
	return db_collect_strv(db, st, ret, err);
}

int db_address_insert(struct db *db, const char *network_id, const char *address, const char *container_id,
		      const char *endpoint, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db,
		       "INSERT INTO network_addresses (network_id, address, container_id, endpoint)"
		       " VALUES (?1, ?2, ?3, ?4)",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, network_id);
	db_bind_text(st, 2, address);
	db_bind_text(st, 3, container_id);
	db_bind_text(st, 4, endpoint);
	if (sqlite3_step(st) == SQLITE_DONE)
		return 0;
	switch (sqlite3_extended_errcode(db->h)) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		berth_error_set(err, 0, "address %s is in use", address);
		return set_code(err, EADDRINUSE);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		berth_error_set(err, 0, "network %s not found", network_id);
		return set_code(err, ENOENT);
	default:
		return db_fail(db, err, "insert address");
	}
}

int db_address_release(struct db *db, const char *container_id, const char *network_id, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "DELETE FROM network_addresses WHERE container_id = ?1 AND (?2 IS NULL OR network_id = ?2)",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, container_id);
	db_bind_text(st, 2, network_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "release addresses");
	return 0;
}

int db_endpoint_list(struct db *db, const char *network_id, const char *container_id, struct db_endpoint **ret,
		     size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_endpoint *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db,
		       "SELECT network_id, address, container_id, endpoint FROM network_addresses"
		       " WHERE (?1 IS NULL OR network_id = ?1) AND (?2 IS NULL OR container_id = ?2)"
		       " ORDER BY network_id, container_id, address",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, network_id);
	db_bind_text(st, 2, container_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		v[n].network_id = db_column_strdup(st, 0);
		v[n].address = db_column_strdup(st, 1);
		v[n].container_id = db_column_strdup(st, 2);
		v[n].endpoint = db_column_strdup(st, 3);
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_endpoints_free(v, n);
		return db_fail(db, err, "list endpoints");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void db_net_endpoint_done(struct db_net_endpoint *ep)
{
	free(ep->network_id);
	free(ep->container_id);
	free(ep->container_name);
	free(ep->endpoint_id);
	free(ep->mac);
	free(ep->ipv4);
	free(ep->ipv6);
	free(ep->aliases);
	memset(ep, 0, sizeof(*ep));
}

void db_net_endpoints_free(struct db_net_endpoint *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		db_net_endpoint_done(&v[i]);
	free(v);
}

int db_net_endpoint_insert(struct db *db, struct db_net_endpoint *ep, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db,
		       "INSERT INTO network_endpoints (network_id, container_id, container_name, endpoint_id, mac,"
		       " ipv4, ipv6, aliases, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, '[]'),"
		       " (SELECT COALESCE(MAX(seq), 0) + 1 FROM network_endpoints)) RETURNING seq",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, ep->network_id);
	db_bind_text(st, 2, ep->container_id);
	db_bind_text(st, 3, ep->container_name);
	db_bind_text(st, 4, ep->endpoint_id);
	db_bind_text(st, 5, ep->mac);
	db_bind_text(st, 6, ep->ipv4);
	db_bind_text(st, 7, ep->ipv6);
	db_bind_text(st, 8, ep->aliases);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ep->seq = sqlite3_column_int64(st, 0);
		return 0;
	}
	switch (sqlite3_extended_errcode(db->h)) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		berth_error_set(err, 0, "endpoint with name %s already exists in network %s", ep->container_name,
				ep->network_id);
		return set_code(err, EEXIST);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		berth_error_set(err, 0, "network %s not found", ep->network_id);
		return set_code(err, ENOENT);
	default:
		return db_fail(db, err, "insert endpoint");
	}
}

int db_net_endpoint_delete(struct db *db, const char *network_id, const char *container_id, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;

	if (db_prepare(db, "DELETE FROM network_endpoints WHERE container_id = ?1 AND (?2 IS NULL OR network_id = ?2)",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, container_id);
	db_bind_text(st, 2, network_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(db, err, "delete endpoint");
	return 0;
}

int db_net_endpoint_list(struct db *db, const char *network_id, const char *container_id, struct db_net_endpoint **ret,
			 size_t *ret_n, struct berth_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *st = NULL;
	struct db_net_endpoint *v = NULL;
	size_t n = 0;
	int rc;

	if (db_prepare(db,
		       "SELECT network_id, container_id, container_name, endpoint_id, mac, ipv4, ipv6, aliases, seq"
		       " FROM network_endpoints WHERE (?1 IS NULL OR network_id = ?1)"
		       " AND (?2 IS NULL OR container_id = ?2) ORDER BY seq",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, network_id);
	db_bind_text(st, 2, container_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		v[n] = (struct db_net_endpoint){
			.network_id = db_column_strdup(st, 0),
			.container_id = db_column_strdup(st, 1),
			.container_name = db_column_strdup(st, 2),
			.endpoint_id = db_column_strdup(st, 3),
			.mac = db_column_strdup(st, 4),
			.ipv4 = db_column_strdup(st, 5),
			.ipv6 = db_column_strdup(st, 6),
			.aliases = db_column_strdup(st, 7),
			.seq = sqlite3_column_int64(st, 8),
		};
		n++;
	}
	if (rc != SQLITE_DONE) {
		db_net_endpoints_free(v, n);
		return db_fail(db, err, "list endpoints");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
