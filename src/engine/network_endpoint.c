/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: endpoints: a container's address, MAC and aliases on a network,
 * allocated in one transaction so that concurrent commands never share one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "network/network.h"
#include "store/store.h"

/* The IPAM config of family on n (Subnet, IPRange, Gateway of its document); *ret_has false when none. */
static int ipam_of(const struct eng_network *n, int family, struct net_ipam_subnet *ret, bool *ret_has,
		   struct berth_error **err)
{
	json_t *config = json_object_get(json_object_get(n->doc, "IPAM"), "Config"), *c;
	size_t i;

	*ret_has = false;
	if ((family == AF_INET && !n->subnet) || (family == AF_INET6 && !n->subnet6))
		return 0;
	json_array_foreach(config, i, c)
	{
		const char *subnet = json_string_value(json_object_get(c, "Subnet"));
		struct net_prefix p;

		if (!subnet || net_prefix_parse(subnet, &p, NULL) < 0 || p.addr.family != family)
			continue;
		*ret_has = true;
		return net_ipam_subnet_init(ret, subnet, json_string_value(json_object_get(c, "IPRange")),
					    json_string_value(json_object_get(c, "Gateway")), err);
	}
	return 0;
}

/* The addresses of family held on network id, sorted. */
static int used_addresses(struct eng *e, const char *id, int family, struct net_ip **ret, size_t *ret_n,
			  struct berth_error **err)
{
	_cleanup_strv_ char **addrs = NULL;
	struct net_ip *v;
	size_t n = 0;

	if (db_address_list(e->db, id, &addrs, err) < 0)
		return -1;
	v = xcalloc(strv_length(addrs) + 1, sizeof(*v));
	for (size_t i = 0; addrs[i]; i++)
		if (net_ip_parse(addrs[i], &v[n], NULL) == 0 && v[n].family == family)
			n++;
	net_ips_sort(v, n);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Docker's words for IPAM failures on network n. */
static int ipam_error(const struct eng_network *n, int family, struct berth_error **err)
{
	int code = eng_net_err_code(err);

	if (code == EADDRINUSE)
		berth_error_set(err, 0, "Address already in use");
	else if (code == ENOSPC)
		berth_error_set(err, 0, "no available %s addresses on this network's address pools: %s (%s)",
				family == AF_INET6 ? "IPv6" : "IPv4", n->name, n->id);
	return eng_net_set_code(err, code);
}

/* Choose and record one address of family for the endpoint: req (--ip) or the lowest free one. */
static int allocate(struct eng *e, const struct eng_network *n, const struct net_ipam_subnet *s, int family,
		    const char *req, const char *ctr_id, const char *ep_id, char **ret, struct berth_error **err)
{
	_cleanup_free_ struct net_ip *used = NULL;
	struct net_ip ip;
	size_t n_used = 0;

	if (used_addresses(e, n->id, family, &used, &n_used, err) < 0)
		return -1;
	if (req) {
		if (net_ip_parse(req, &ip, err) < 0)
			return -1;
		if (net_ipam_check(s, &ip, used, n_used, err) < 0) {
			if (eng_net_err_code(err) == EINVAL)
				berth_error_set(err, 0,
						"invalid address %s: it does not belong to any of this network's "
						"subnets",
						req);
			return ipam_error(n, family, err);
		}
	} else if (net_ipam_next(s, used, n_used, NULL, &ip, err) < 0) {
		return ipam_error(n, family, err);
	}
	*ret = net_ip_to_string(&ip);
	if (db_address_insert(e->db, n->id, *ret, ctr_id, ep_id, err) < 0)
		return ipam_error(n, family, err);
	return 0;
}

static int check_request(const struct eng_network *n, const char *req_ip, const char *req_mac, char **ret_mac,
			 struct berth_error **err)
{
	unsigned char mac[NET_MAC_LEN];
	char buf[32];

	if (req_ip && *req_ip && n->is_default)
		return berth_error_set(err, 0, "user specified IP address is supported on user defined networks only");
	if (req_ip && *req_ip && !n->subnet)
		return berth_error_set(err, 0,
				       "user specified IP address is supported only when connecting to "
				       "networks with user configured subnets");
	if (req_mac && *req_mac) {
		if (net_mac_parse(req_mac, mac, err) < 0)
			return -1;
		*ret_mac = xstrdup(net_mac_format(mac, buf, sizeof(buf)));
	}
	return 0;
}

/* In the transaction: the addresses, the MAC and the endpoint row. */
static int attach_locked(struct eng *e, const struct eng_network *n, struct db_net_endpoint *ep, const char *req_ip,
			 struct berth_error **err)
{
	struct net_ipam_subnet s4, s6;
	bool has4, has6, req6 = req_ip && strchr(req_ip, ':');
	const char *name = ep->container_name;

	if (ipam_of(n, AF_INET, &s4, &has4, err) < 0 || ipam_of(n, AF_INET6, &s6, &has6, err) < 0)
		return -1;
	if (req6 && !has6)
		return berth_error_set(
			err, 0, "invalid address %s: it does not belong to any of this network's subnets", req_ip);
	if (has4 &&
	    allocate(e, n, &s4, AF_INET, req6 ? NULL : req_ip, ep->container_id, ep->endpoint_id, &ep->ipv4, err) < 0)
		return -1;
	if (has6 &&
	    allocate(e, n, &s6, AF_INET6, req6 ? req_ip : NULL, ep->container_id, ep->endpoint_id, &ep->ipv6, err) < 0)
		return -1;
	if (!ep->mac && ep->ipv4) {
		struct net_ip ip;
		unsigned char mac[NET_MAC_LEN];
		char buf[32];

		if (net_ip_parse(ep->ipv4, &ip, err) < 0 || !net_mac_from_ipv4(&ip, mac))
			return -1;
		ep->mac = xstrdup(net_mac_format(mac, buf, sizeof(buf)));
	}
	if (db_net_endpoint_insert(e->db, ep, err) < 0) {
		if (eng_net_err_code(err) == EEXIST)
			berth_error_set(err, 0, "endpoint with name %s already exists in network %s", name, n->name);
		return -1;
	}
	return 0;
}

static void fill_endpoint(const struct eng_network *n, struct db_net_endpoint *row, struct eng_endpoint *ret)
{
	json_t *aliases = json_loads(row->aliases ? row->aliases : "[]", 0, NULL), *a;
	const char *slash;
	size_t i;

	memset(ret, 0, sizeof(*ret));
	ret->network_id = xstrdup(n->id);
	ret->network_name = xstrdup(n->name);
	ret->endpoint_id = TAKE_PTR(row->endpoint_id);
	ret->mac = TAKE_PTR(row->mac);
	if (row->ipv4 && n->subnet && (slash = strchr(n->subnet, '/'))) {
		ret->ip = TAKE_PTR(row->ipv4);
		ret->prefixlen = (unsigned)atoi(slash + 1);
		ret->gateway = n->gateway ? xstrdup(n->gateway) : NULL;
	}
	if (row->ipv6 && n->subnet6 && (slash = strchr(n->subnet6, '/'))) {
		ret->ip6 = TAKE_PTR(row->ipv6);
		ret->prefixlen6 = (unsigned)atoi(slash + 1);
		ret->gateway6 = n->gateway6 ? xstrdup(n->gateway6) : NULL;
	}
	ret->aliases = xcalloc(1, sizeof(char *));
	json_array_foreach(aliases, i, a) if (json_is_string(a)) strv_push(&ret->aliases, json_string_value(a));
	json_decref(aliases);
}

static char *aliases_json(char *const *aliases)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; aliases && aliases[i]; i++)
		json_array_append_new(a, json_string(aliases[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

int eng_network_attach(struct eng *e, const char *ref, const char *ctr_id, const char *ctr_name, const char *req_ip,
		       const char *req_mac, char *const *aliases, struct eng_endpoint *ret, struct berth_error **err)
{
	_cleanup_network_ struct eng_network *n = NULL;
	struct db_net_endpoint ep = {0};
	char ep_id[65];

	if (eng_network_find(e, ref, &n, err) < 0 || check_request(n, req_ip, req_mac, &ep.mac, err) < 0) {
		db_net_endpoint_done(&ep);
		return -1;
	}
	eng_id_generate(ep_id);
	ep.network_id = xstrdup(n->id);
	ep.container_id = xstrdup(ctr_id);
	ep.container_name = xstrdup(ctr_name ? ctr_name : ctr_id);
	ep.endpoint_id = xstrdup(ep_id);
	ep.aliases = aliases_json(aliases);
	if (req_ip && !*req_ip)
		req_ip = NULL;
	if (db_begin(e->db, err) < 0)
		goto fail;
	if (attach_locked(e, n, &ep, req_ip, err) < 0) {
		db_rollback(e->db);
		goto fail;
	}
	if (db_commit(e->db, err) < 0)
		goto fail;
	fill_endpoint(n, &ep, ret);
	db_net_endpoint_done(&ep);
	return 0;
fail:
	db_net_endpoint_done(&ep);
	return -1;
}

int eng_network_detach(struct eng *e, const char *ref, const char *ctr_id, struct berth_error **err)
{
	_cleanup_network_ struct eng_network *n = NULL;
	struct berth_error *find_err = NULL;

	if (ref && eng_network_find(e, ref, &n, &find_err) < 0) {
		/* a network that is gone took its endpoints with it */
		if (find_err->code == ENOENT) {
			berth_error_free(&find_err);
			return 0;
		}
		return berth_error_move(err, &find_err);
	}
	if (db_begin(e->db, err) < 0)
		return -1;
	if (db_address_release(e->db, ctr_id, n ? n->id : NULL, err) < 0 ||
	    db_net_endpoint_delete(e->db, n ? n->id : NULL, ctr_id, err) < 0) {
		db_rollback(e->db);
		return -1;
	}
	return db_commit(e->db, err);
}

int eng_network_endpoints(struct eng *e, const char *ctr_id, struct eng_endpoint **ret, size_t *ret_n,
			  struct berth_error **err)
{
	struct db_net_endpoint *rows = NULL;
	struct eng_endpoint *v;
	size_t n = 0, k = 0;

	if (db_net_endpoint_list(e->db, NULL, ctr_id, &rows, &n, err) < 0)
		return -1;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		_cleanup_network_ struct eng_network *net = NULL;
		struct db_network row = {0};
		int r = db_network_get(e->db, rows[i].network_id, &row, err);

		if (r == 0 && row.id)
			r = eng_net_from_row(&row, &net, err);
		db_network_done(&row);
		if (r < 0) {
			eng_endpoints_free(v, k);
			db_net_endpoints_free(rows, n);
			return -1;
		}
		if (net)
			fill_endpoint(net, &rows[i], &v[k++]);
	}
	db_net_endpoints_free(rows, n);
	*ret = v;
	*ret_n = k;
	return 0;
}
