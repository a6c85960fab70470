/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the subnet of a new network: what is taken (other networks, the
 * host's routes and addresses) and the choice from the address pools.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "network/network.h"
#include "store/store.h"

const char *eng_net_config_path(void)
{
	const char *env = getenv(ENG_NET_CONFIG_ENV);

	return env && *env ? env : NET_CONFIG_PATH;
}

static void taken_push(struct net_taken **v, size_t *n, char ***names, const struct net_prefix *p, char *what)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	strv_push_take(names, what);
	(*v)[*n].prefix = *p;
	(*v)[*n].what = (*names)[strv_length(*names) - 1];
	(*n)++;
}

void eng_net_taken_networks(const struct db_network *rows, size_t n_rows, int family, struct net_taken **v, size_t *n,
			    char ***names)
{
	for (size_t i = 0; i < n_rows; i++) {
		json_t *doc = json_loads(rows[i].doc, 0, NULL), *c;
		json_t *config = json_object_get(json_object_get(doc, "IPAM"), "Config");
		size_t k;

		json_array_foreach(config, k, c)
		{
			const char *s = json_string_value(json_object_get(c, "Subnet"));
			struct net_prefix p;

			if (s && net_prefix_parse(s, &p, NULL) == 0 && p.addr.family == family)
				taken_push(v, n, names, &p, xasprintf("network '%s'", rows[i].name));
		}
		json_decref(doc);
	}
}

static void nl_to_prefix(const struct net_nl_addr *a, struct net_prefix *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->addr.family = a->family;
	memcpy(ret->addr.bytes, a->ip, net_nl_addr_len(a->family));
	ret->len = a->prefixlen;
}

static char *ifname_of(int ifindex)
{
	char name[IF_NAMESIZE] = "";

	if (ifindex > 0 && if_indextoname((unsigned)ifindex, name))
		return xstrdup(name);
	return xasprintf("#%d", ifindex);
}

int eng_net_taken_host(int family, struct net_taken **v, size_t *n, char ***names, struct berth_error **err)
{
	_cleanup_net_nl_ struct net_nl *nl = NULL;
	_cleanup_free_ struct net_route *routes = NULL;
	_cleanup_free_ struct net_addr_entry *addrs = NULL;
	size_t n_routes = 0, n_addrs = 0;

	if (net_nl_open(&nl, -1, err) < 0 || net_route_list(nl, family, &routes, &n_routes, err) < 0 ||
	    net_addr_list(nl, family, &addrs, &n_addrs, err) < 0)
		return berth_error_wrap(err, "read the host's routes");
	for (size_t i = 0; i < n_routes; i++) {
		_cleanup_free_ char *dev = ifname_of(routes[i].ifindex);
		struct net_prefix p;

		/* the default route says nothing about what is in use; local and broadcast routes repeat addresses */
		if (routes[i].dst.prefixlen == 0 || routes[i].type != RTN_UNICAST)
			continue;
		nl_to_prefix(&routes[i].dst, &p);
		taken_push(v, n, names, &p, xasprintf("route via '%s'", dev));
	}
	for (size_t i = 0; i < n_addrs; i++) {
		_cleanup_free_ char *dev = ifname_of(addrs[i].ifindex);
		struct net_prefix p;

		if (addrs[i].scope == RT_SCOPE_HOST)
			continue;
		nl_to_prefix(&addrs[i].addr, &p);
		taken_push(v, n, names, &p, xasprintf("address of '%s'", dev));
	}
	return 0;
}

int eng_net_choose_subnet(const struct net_pool *pools, size_t n_pools, int family, const char *given,
			  const struct net_taken *taken, size_t n_taken, char **ret_subnet, struct berth_error **err)
{
	char buf[NET_PREFIX_STRLEN];
	struct net_prefix p;

	if (given) {
		if (net_subnet_parse(given, "subnet", &p, err) < 0 ||
		    net_subnet_check_clash(&p, taken, n_taken, err) < 0)
			return -1;
	} else if (net_pool_pick(pools, n_pools, family, taken, n_taken, &p, err) < 0) {
		if (eng_net_err_code(err) == ENOSPC)
			return berth_error_set(err, 0,
					       "could not find an available, non-overlapping %s address pool "
					       "among the defaults to assign to the network",
					       family == AF_INET6 ? "IPv6" : "IPv4");
		return -1;
	}
	*ret_subnet = xstrdup(net_prefix_format(&p, buf));
	return 0;
}
