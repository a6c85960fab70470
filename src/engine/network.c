/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: Docker's networks: the predefined bridge, host and none, lookup,
 * and docker network create (validation, then the subnet pick and the row in
 * one transaction).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "network/network.h"
#include "store/store.h"

/* Insert a new network row; a name already taken is fine when tolerate_name (a predefined network's race). */
static int insert_network(struct eng *e, const char *id, const char *name, const char *driver, json_t *doc,
			  bool tolerate_name, struct berth_error **err)
{
	_cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct db_network row = {
		.id = (char *)id,
		.name = (char *)name,
		.driver = (char *)driver,
		.doc = text,
		.created = (char *)json_string_value(json_object_get(doc, "Created")),
	};
	struct berth_error *e2 = NULL;

	if (db_network_insert(e->db, &row, &e2) == 0)
		return 0;
	if (tolerate_name && e2->code == EEXIST) {
		/* another command made it first: theirs is the one */
		berth_error_free(&e2);
		return 0;
	}
	return berth_error_move(err, &e2);
}

/* The default bridge's document from berth.json's bip, fixed-cidr, mtu, icc, ip-masq, ip and bridge. */
static json_t *default_bridge_doc(const struct net_config *cfg, const char *id, const char *created)
{
	char sub[NET_PREFIX_STRLEN], gw[NET_IP_STRLEN], range[NET_PREFIX_STRLEN], hostip[NET_IP_STRLEN];
	struct net_prefix bip, masked;
	json_t *config = json_array(), *options;
	_cleanup_free_ char *mtu = xasprintf("%d", cfg->mtu);

	if (cfg->has_bip)
		bip = cfg->bip;
	else
		net_prefix_parse("172.17.0.1/16", &bip, NULL);
	masked = net_prefix_masked(&bip);
	net_prefix_format(&masked, sub);
	net_ip_format(&bip.addr, gw);
	if (cfg->has_fixed_cidr)
		net_prefix_format(&cfg->fixed_cidr, range);
	json_array_append_new(config, eng_net_ipam_entry(sub, cfg->has_fixed_cidr ? range : NULL, gw));
	if (cfg->ipv6 && cfg->has_fixed_cidr_v6) {
		struct net_prefix p6 = net_prefix_masked(&cfg->fixed_cidr_v6);
		struct net_ip g6;

		net_prefix_gateway(&p6, &g6);
		json_array_append_new(config,
				      eng_net_ipam_entry(net_prefix_format(&p6, sub), NULL, net_ip_format(&g6, gw)));
	}
	options = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", ENG_NET_OPT_DEFAULT_BRIDGE, "true", ENG_NET_OPT_ICC,
			    cfg->icc ? "true" : "false", ENG_NET_OPT_MASQUERADE, cfg->ip_masq ? "true" : "false",
			    ENG_NET_OPT_HOST_BINDING, net_ip_format(&cfg->ip, hostip), ENG_NET_OPT_BRIDGE_NAME,
			    cfg->bridge ? cfg->bridge : ENG_NET_DEFAULT_BRIDGE_IF, ENG_NET_OPT_MTU, mtu);
	return eng_net_document(ENG_NET_BRIDGE, id, created, "bridge", cfg->ipv6 && cfg->has_fixed_cidr_v6, config,
				false, false, options, NULL);
}

static int ensure_one(struct eng *e, const char *name, bool *ret_missing, struct berth_error **err)
{
	struct db_network row = {0};

	if (db_network_find(e->db, name, &row, err) < 0)
		return -1;
	*ret_missing = row.id == NULL || strcmp(row.name, name) != 0;
	db_network_done(&row);
	return 0;
}

int eng_networks_ensure_default(struct eng *e, struct berth_error **err)
{
	static const char *const names[] = {ENG_NET_BRIDGE, ENG_NET_HOST, ENG_NET_NONE};
	static const char *const drivers[] = {"bridge", "host", "null"};
	_cleanup_free_ char *created = NULL;
	struct net_config cfg = {0};
	int r = 0;

	for (size_t i = 0; i < 3 && r == 0; i++) {
		char id[65];
		bool missing;
		json_t *doc;

		if (ensure_one(e, names[i], &missing, err) < 0)
			return -1;
		if (!missing)
			continue;
		if (!created)
			created = eng_time_rfc3339_now();
		eng_id_generate(id);
		if (i == 0) {
			if (net_config_load(eng_net_config_path(), &cfg, err) < 0) {
				net_config_done(&cfg);
				return -1;
			}
			/* "bridge": "none" in berth.json: no default bridge, as dockerd's */
			if (cfg.bridge && strcmp(cfg.bridge, "none") == 0)
				continue;
			doc = default_bridge_doc(&cfg, id, created);
		} else {
			doc = eng_net_document(names[i], id, created, drivers[i], false, json_array(), false, false,
					       NULL, NULL);
		}
		r = insert_network(e, id, names[i], drivers[i], doc, true, err);
		json_decref(doc);
	}
	net_config_done(&cfg);
	return r;
}

int eng_network_find(struct eng *e, const char *ref, struct eng_network **ret, struct berth_error **err)
{
	struct db_network row = {0};
	int r;

	if (eng_networks_ensure_default(e, err) < 0 || db_network_find(e->db, ref, &row, err) < 0)
		return -1;
	if (!row.id) {
		berth_error_set(err, 0, "network %s not found", ref);
		eng_net_set_code(err, ENOENT);
		return -1;
	}
	r = eng_net_from_row(&row, ret, err);
	db_network_done(&row);
	return r;
}

/* A name or bridge interface name another network already uses (the name first, as Docker checks it). */
static int check_clash(const struct db_network *rows, size_t n, const char *name, const char *ifname,
		       struct berth_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0) {
			berth_error_set(err, 0, "network with name %s already exists", name);
			eng_net_set_code(err, EEXIST);
			return -1;
		}
	for (size_t i = 0; i < n; i++) {
		_cleanup_network_ struct eng_network *o = NULL;

		if (strcmp(rows[i].driver, "bridge") != 0 || eng_net_from_row(&rows[i], &o, NULL) < 0)
			continue;
		if (o->bridge_if && strcmp(o->bridge_if, ifname) == 0)
			return berth_error_set(err, 0, "bridge name %s is already in use by network %s", ifname,
					       o->name);
	}
	return 0;
}

/* One family's IPAM entry: the subnet chosen, the gateway given or the first address. */
static int ipam_entry(const struct net_config *cfg, int family, const char *given, const char *range, const char *gw,
		      const struct net_taken *taken, size_t n_taken, json_t *config, struct berth_error **err)
{
	static const struct net_pool ula = {.base = {.addr = {.family = AF_INET6, .bytes = {0xfd}}, .len = 8},
					    .size = 64};
	_cleanup_free_ char *subnet = NULL;
	struct net_ipam_subnet s;
	char gbuf[NET_IP_STRLEN];

	if (eng_net_choose_subnet(family == AF_INET6 ? &ula : cfg->pools, family == AF_INET6 ? 1 : cfg->n_pools, family,
				  given, taken, n_taken, &subnet, err) < 0 ||
	    net_ipam_subnet_init(&s, subnet, range, gw, err) < 0)
		return -1;
	json_array_append_new(config, eng_net_ipam_entry(subnet, range, net_ip_format(&s.gateway, gbuf)));
	return 0;
}

static void append_taken(struct net_taken **v, size_t *n, const struct net_taken *more, size_t n_more)
{
	if (n_more == 0)
		return;
	*v = realloc(*v, (*n + n_more) * sizeof(**v));
	if (!*v)
		abort();
	memcpy(*v + *n, more, n_more * sizeof(*more));
	*n += n_more;
}

/*
 * In the transaction: what other networks take, the subnets, the row. Host
 * routes and addresses count only for subnets berth picks (Docker checks a
 * given one against other networks alone).
 */
static int create_locked(struct eng *e, const struct eng_net_request *r, const char *id, const struct net_config *cfg,
			 struct net_taken *host4, size_t n_host4, struct net_taken *host6, size_t n_host6,
			 struct berth_error **err)
{
	_cleanup_free_ char *created = eng_time_rfc3339_now(), *ifname = NULL;
	_cleanup_strv_ char **names4 = NULL, **names6 = NULL;
	_cleanup_free_ struct net_taken *t4 = NULL, *t6 = NULL;
	struct db_network *rows = NULL;
	size_t n_rows = 0, n4 = 0, n6 = 0;
	json_t *config = json_array(), *doc;
	int rc = -1;

	if (db_network_list(e->db, &rows, &n_rows, err) < 0) {
		json_decref(config);
		return -1;
	}
	eng_net_taken_networks(rows, n_rows, AF_INET, &t4, &n4, &names4);
	eng_net_taken_networks(rows, n_rows, AF_INET6, &t6, &n6, &names6);
	if (!r->subnet)
		append_taken(&t4, &n4, host4, n_host4);
	if (!r->subnet6)
		append_taken(&t6, &n6, host6, n_host6);
	if (eng_net_bridge_name(r->options, id, &ifname, err) < 0 ||
	    check_clash(rows, n_rows, r->name, ifname, err) < 0 ||
	    ipam_entry(cfg, AF_INET, r->subnet, r->ip_range, r->gateway, t4, n4, config, err) < 0 ||
	    (r->ipv6 && ipam_entry(cfg, AF_INET6, r->subnet6, r->ip_range6, r->gateway6, t6, n6, config, err) < 0))
		goto out;
	if (!r->ipv6 && r->subnet6)
		json_array_append_new(config, eng_net_ipam_entry(r->subnet6, r->ip_range6, r->gateway6));
	doc = eng_net_document(r->name, id, created, r->driver, r->ipv6, TAKE_PTR(config), r->internal, r->attachable,
			       json_incref(r->options), json_incref(r->labels));
	rc = insert_network(e, id, r->name, r->driver, doc, false, err);
	json_decref(doc);
out:
	json_decref(config);
	db_networks_free(rows, n_rows);
	return rc;
}

int eng_network_create(struct eng *e, json_t *body, char **ret_id, struct berth_error **err)
{
	struct eng_net_request r = {0};
	struct net_config cfg = {0};
	_cleanup_free_ struct net_taken *host4 = NULL, *host6 = NULL;
	_cleanup_strv_ char **names4 = NULL, **names6 = NULL;
	size_t n4 = 0, n6 = 0;
	char id[65];
	int rc = -1;

	if (eng_net_request_parse(body, &r, err) < 0)
		return -1;
	eng_id_generate(id);
	if (eng_networks_ensure_default(e, err) < 0 || net_config_load(eng_net_config_path(), &cfg, err) < 0 ||
	    (!r.subnet && eng_net_taken_host(AF_INET, &host4, &n4, &names4, err) < 0) ||
	    (r.ipv6 && !r.subnet6 && eng_net_taken_host(AF_INET6, &host6, &n6, &names6, err) < 0))
		goto out;
	if (db_begin(e->db, err) < 0)
		goto out;
	if (create_locked(e, &r, id, &cfg, host4, n4, host6, n6, err) < 0) {
		db_rollback(e->db);
		goto out;
	}
	if (db_commit(e->db, err) < 0)
		goto out;
	*ret_id = xstrdup(id);
	rc = 0;
out:
	net_config_done(&cfg);
	eng_net_request_done(&r);
	return rc;
}
