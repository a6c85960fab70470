/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: docker network inspect, ls (with its filters), rm and prune. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "store/store.h"

static bool is_predefined(const char *name)
{
	return strcmp(name, ENG_NET_BRIDGE) == 0 || strcmp(name, ENG_NET_HOST) == 0 || strcmp(name, ENG_NET_NONE) == 0;
}

/* "ADDR/LEN" of an endpoint's address on a subnet, "" without one. */
static char *with_prefix(const char *ip, const char *subnet)
{
	const char *slash = subnet ? strchr(subnet, '/') : NULL;

	return ip && slash ? xasprintf("%s%s", ip, slash) : xstrdup("");
}

/* Containers of network n: {id: {Name, EndpointID, MacAddress, IPv4Address, IPv6Address}}. */
static int containers_of(struct eng *e, const struct eng_network *n, json_t **ret, struct berth_error **err)
{
	struct db_net_endpoint *eps = NULL;
	size_t n_eps = 0;
	json_t *o = json_object();

	if (db_net_endpoint_list(e->db, n->id, NULL, &eps, &n_eps, err) < 0) {
		json_decref(o);
		return -1;
	}
	for (size_t i = 0; i < n_eps; i++) {
		_cleanup_free_ char *v4 = with_prefix(eps[i].ipv4, n->subnet),
				    *v6 = with_prefix(eps[i].ipv6, n->subnet6);
		struct db_container c = {0};

		/* the current name: the container may have been renamed since it attached */
		if (db_container_get(e->db, eps[i].container_id, &c, NULL) < 0)
			memset(&c, 0, sizeof(c));
		json_object_set_new(o, eps[i].container_id,
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name",
					      c.name ? c.name : eps[i].container_name, "EndpointID", eps[i].endpoint_id,
					      "MacAddress", eps[i].mac ? eps[i].mac : "", "IPv4Address", v4,
					      "IPv6Address", v6));
		db_container_done(&c);
	}
	db_net_endpoints_free(eps, n_eps);
	*ret = o;
	return 0;
}

int eng_network_inspect(struct eng *e, const char *ref, json_t **ret, struct berth_error **err)
{
	_cleanup_network_ struct eng_network *n = NULL;
	json_t *containers = NULL, *doc, *v;
	const char *key;

	if (eng_network_find(e, ref, &n, err) < 0 || containers_of(e, n, &containers, err) < 0)
		return -1;
	/* Docker's order: Containers just before Options */
	doc = json_object();
	json_object_foreach(n->doc, key, v)
	{
		if (strcmp(key, "Options") == 0)
			json_object_set(doc, "Containers", containers);
		json_object_set(doc, key, v);
	}
	if (!json_object_get(doc, "Containers"))
		json_object_set(doc, "Containers", containers);
	json_decref(containers);
	*ret = doc;
	return 0;
}

/* "k=v,k2=v2" as docker network ls prints Labels. */
static char *labels_text(json_t *labels)
{
	_cleanup_(buf_done) struct buf b = {0};
	const char *k;
	json_t *v;
	char *s;

	json_object_foreach(labels, k, v) buf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(v));
	s = buf_steal(&b);
	return s ? s : xstrdup("");
}

static bool label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *key = eq ? strndup(want, (size_t)(eq - want)) : xstrdup(want);
	json_t *v = json_object_get(labels, key);

	return v && (!eq || strcmp(json_string_value(v), eq + 1) == 0);
}

static const char *const filter_keys[] = {"dangling", "driver", "id", "label", "name", "scope", "type", NULL};

static int check_filters(char *const *filters, struct berth_error **err)
{
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *f = filters[i], *eq = strchr(f, '=');
		_cleanup_free_ char *key = eq ? strndup(f, (size_t)(eq - f)) : NULL;

		if (!eq)
			return berth_error_set(err, 0, "bad format of filter (expected name=value)");
		if (!strv_contains((char *const *)filter_keys, key))
			return berth_error_set(err, 0, "invalid filter '%s'", key);
		if (strcmp(key, "type") == 0 && strcmp(eq + 1, "custom") != 0 && strcmp(eq + 1, "builtin") != 0)
			return berth_error_set(err, 0, "invalid filter: 'type'='%s'", eq + 1);
		if (strcmp(key, "dangling") == 0 && strcmp(eq + 1, "true") != 0 && strcmp(eq + 1, "false") != 0 &&
		    strcmp(eq + 1, "1") != 0 && strcmp(eq + 1, "0") != 0)
			return berth_error_set(err, 0, "invalid filter 'dangling=%s'", eq + 1);
	}
	return 0;
}

/* One filter against one network. */
static bool filter_matches(const struct db_network *row, json_t *doc, bool in_use, const char *key, const char *val)
{
	if (strcmp(key, "name") == 0)
		return strstr(row->name, val) != NULL;
	if (strcmp(key, "id") == 0)
		return strncmp(row->id, val, strlen(val)) == 0;
	if (strcmp(key, "driver") == 0)
		return strcmp(row->driver, val) == 0;
	if (strcmp(key, "label") == 0)
		return label_matches(json_object_get(doc, "Labels"), val);
	if (strcmp(key, "scope") == 0)
		return strcmp(val, "local") == 0;
	if (strcmp(key, "type") == 0)
		return is_predefined(row->name) == (strcmp(val, "builtin") == 0);
	/* dangling */
	return !in_use == (strcmp(val, "true") == 0 || strcmp(val, "1") == 0);
}

/* Docker's filter logic: values of one key are alternatives (labels must all match), keys all apply. */
static bool keep(const struct db_network *row, json_t *doc, bool in_use, char *const *filters)
{
	for (const char *const *k = filter_keys; *k; k++) {
		bool has = false, any = false, all = true;
		size_t klen = strlen(*k);

		for (size_t i = 0; filters && filters[i]; i++) {
			bool m;

			if (strncmp(filters[i], *k, klen) != 0 || filters[i][klen] != '=')
				continue;
			has = true;
			m = filter_matches(row, doc, in_use, *k, filters[i] + klen + 1);
			any = any || m;
			all = all && m;
		}
		if (has && (strcmp(*k, "label") == 0 ? !all : !any))
			return false;
	}
	return true;
}

static int in_use(struct eng *e, const char *id, bool *ret, struct berth_error **err)
{
	struct db_net_endpoint *eps = NULL;
	size_t n = 0;

	if (db_net_endpoint_list(e->db, id, NULL, &eps, &n, err) < 0)
		return -1;
	db_net_endpoints_free(eps, n);
	*ret = n > 0;
	return 0;
}

static json_t *ls_row(const struct db_network *row, json_t *doc)
{
	_cleanup_free_ char *labels = labels_text(json_object_get(doc, "Labels")), *created = NULL;
	int64_t sec = 0;
	int32_t nsec = 0;

	eng_time_parse(row->created, &sec, &nsec);
	created = eng_time_go_string(sec);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", row->id, "Name", row->name, "Driver",
			 row->driver, "Scope", "local", "IPv6",
			 json_is_true(json_object_get(doc, "EnableIPv6")) ? "true" : "false", "Internal",
			 json_is_true(json_object_get(doc, "Internal")) ? "true" : "false", "Labels", labels,
			 "CreatedAt", created);
}

int eng_network_list(struct eng *e, char *const *filters, json_t **ret, struct berth_error **err)
{
	struct db_network *rows = NULL;
	size_t n = 0;
	json_t *out;

	if (check_filters(filters, err) < 0 || eng_networks_ensure_default(e, err) < 0 ||
	    db_network_list(e->db, &rows, &n, err) < 0)
		return -1;
	out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *doc = json_loads(rows[i].doc, 0, NULL);
		bool used = false;

		if (filters && filters[0] && in_use(e, rows[i].id, &used, err) < 0) {
			json_decref(doc);
			json_decref(out);
			db_networks_free(rows, n);
			return -1;
		}
		if (keep(&rows[i], doc, used, filters))
			json_array_append_new(out, ls_row(&rows[i], doc));
		json_decref(doc);
	}
	db_networks_free(rows, n);
	*ret = out;
	return 0;
}

int eng_network_ls_rows(struct eng *e, json_t **ret, struct berth_error **err)
{
	return eng_network_list(e, NULL, ret, err);
}

/* Remove n when it has no endpoints; *ret_busy (when not NULL) gets true instead of an error when it has some. */
static int remove_network(struct eng *e, const struct eng_network *n, bool *ret_busy, struct berth_error **err)
{
	bool used;

	if (db_begin(e->db, err) < 0)
		return -1;
	if (in_use(e, n->id, &used, err) < 0)
		goto fail;
	if (used && ret_busy) {
		*ret_busy = true;
		db_rollback(e->db);
		return 0;
	}
	if (used) {
		berth_error_set(err, 0, "error while removing network: network %s id %s has active endpoints", n->name,
				n->id);
		goto fail;
	}
	/*
	 * The row goes first (no endpoint can join a network that is gone), then
	 * the wiring, outside the transaction: it takes its own lock and resyncs
	 * the rules from the networks that remain.
	 */
	if (db_network_delete(e->db, n->id, err) < 0)
		goto fail;
	if (db_commit(e->db, err) < 0)
		return -1;
	return eng_netwire_network_down(e, n, err);
fail:
	db_rollback(e->db);
	return -1;
}

int eng_network_remove(struct eng *e, const char *ref, struct berth_error **err)
{
	_cleanup_network_ struct eng_network *n = NULL;

	if (eng_network_find(e, ref, &n, err) < 0)
		return -1;
	if (is_predefined(n->name)) {
		berth_error_set(err, 0, "%s is a pre-defined network and cannot be removed", n->name);
		eng_net_set_code(err, EPERM);
		return -1;
	}
	return remove_network(e, n, NULL, err);
}

int eng_network_prune(struct eng *e, char *const *filters, char ***ret_names, struct berth_error **err)
{
	_cleanup_strv_ char **names = xcalloc(1, sizeof(char *));
	struct eng_prune_filter f = {0};
	struct db_network *rows = NULL;
	size_t n = 0;
	int rc = 0;

	if (eng_prune_filter_parse(filters, true, &f, err) < 0)
		return -1;
	if (db_network_list(e->db, &rows, &n, err) < 0) {
		eng_prune_filter_done(&f);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		_cleanup_network_ struct eng_network *net = NULL;
		bool busy = false;

		if (is_predefined(rows[i].name) || eng_net_from_row(&rows[i], &net, NULL) < 0)
			continue;
		if (!eng_prune_filter_match(&f, json_object_get(net->doc, "Labels"), rows[i].created))
			continue;
		rc = remove_network(e, net, &busy, err);
		if (rc == 0 && !busy)
			strv_push(&names, rows[i].name);
	}
	db_networks_free(rows, n);
	eng_prune_filter_done(&f);
	if (rc < 0)
		return -1;
	*ret_names = TAKE_PTR(names);
	return 0;
}
