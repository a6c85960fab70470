/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address allocation inside one subnet of a network (Docker's IPAM config:
 * subnet, ip-range, gateway) and MAC addresses derived from IPv4 addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network/ipam_internal.h"

static const char *family_block(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static int range_init(struct net_ipam_subnet *s, const char *ip_range, struct berth_error **err)
{
	struct net_prefix r;
	char sub[NET_PREFIX_STRLEN];

	net_prefix_format(&s->subnet, sub);
	if (net_prefix_parse(ip_range, &r, NULL) < 0)
		return net_fail_code(err, EINVAL, "invalid ip-range %s: invalid CIDR block notation", ip_range);
	if (r.addr.family != s->subnet.addr.family)
		return net_fail_code(err, EINVAL, "invalid ip-range %s: parent subnet is an %s block", ip_range,
				     family_block(s->subnet.addr.family));
	if (r.len < s->subnet.len)
		return net_fail_code(err, EINVAL, "invalid ip-range %s: CIDR block is bigger than its parent subnet %s",
				     ip_range, sub);
	if (net_subnet_parse(ip_range, "ip-range", &r, err) < 0)
		return -1;
	if (!net_prefix_contains_prefix(&s->subnet, &r))
		return net_fail_code(err, EINVAL, "invalid ip-range %s: parent subnet %s doesn't contain ip-range",
				     ip_range, sub);
	s->range = r;
	s->has_range = true;
	return 0;
}

static int gateway_init(struct net_ipam_subnet *s, const char *gateway, struct berth_error **err)
{
	struct net_ip g, bcast;
	char sub[NET_PREFIX_STRLEN];

	net_prefix_format(&s->subnet, sub);
	if (net_ip_parse(gateway, &g, NULL) < 0)
		return net_fail_code(err, EINVAL, "invalid gateway %s: invalid address", gateway);
	if (g.family != s->subnet.addr.family)
		return net_fail_code(err, EINVAL, "invalid gateway %s: parent subnet is an %s block", gateway,
				     family_block(s->subnet.addr.family));
	if (!net_prefix_contains(&s->subnet, &g))
		return net_fail_code(err, EINVAL, "invalid gateway %s: parent subnet %s doesn't contain this address",
				     gateway, sub);
	/* Docker lets these through and then fails to use them; say so up front */
	if (net_ip_equal(&g, &s->subnet.addr) && net_prefix_size(&s->subnet) > 2)
		return net_fail_code(err, EINVAL, "invalid gateway %s: it is the network address of %s", gateway, sub);
	if (net_prefix_broadcast(&s->subnet, &bcast) && net_ip_equal(&g, &bcast))
		return net_fail_code(err, EINVAL, "invalid gateway %s: it is the broadcast address of %s", gateway,
				     sub);
	s->gateway = g;
	return 0;
}

int net_ipam_subnet_init(struct net_ipam_subnet *ret, const char *subnet, const char *ip_range, const char *gateway,
			 struct berth_error **err)
{
	struct net_ipam_subnet s = {0};

	if (!subnet || !*subnet)
		return net_fail_code(err, EINVAL, "invalid subnet: missing");
	if (net_subnet_parse(subnet, "subnet", &s.subnet, err) < 0)
		return -1;
	s.range = s.subnet;
	if (ip_range && *ip_range && range_init(&s, ip_range, err) < 0)
		return -1;
	if (gateway && *gateway) {
		if (gateway_init(&s, gateway, err) < 0)
			return -1;
	} else {
		net_prefix_gateway(&s.subnet, &s.gateway);
	}
	*ret = s;
	return 0;
}

/* Network, broadcast and gateway addresses: never handed out. */
static bool is_reserved(const struct net_ipam_subnet *s, const struct net_ip *a)
{
	struct net_ip bcast;

	if (net_ip_equal(a, &s->gateway))
		return true;
	/* an IPv4 /31 or /32, an IPv6 /127 or /128 has no network address to spare */
	if (net_ip_equal(a, &s->subnet.addr) && net_prefix_size(&s->subnet) > 2)
		return true;
	return net_prefix_broadcast(&s->subnet, &bcast) && net_ip_equal(a, &bcast);
}

static bool is_used(const struct net_ip *a, const struct net_ip *used, size_t n_used)
{
	size_t lo = 0, hi = n_used;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = net_ip_compare(a, &used[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* The first free address in [from, to] (integers inside s->range); false when none. */
static bool scan(const struct net_ipam_subnet *s, net_u128 from, net_u128 to, const struct net_ip *used, size_t n_used,
		 struct net_ip *ret)
{
	int family = s->subnet.addr.family;

	/* each step past a taken address passes one entry of used or a reserved one: bounded by n_used + 3 */
	for (net_u128 v = from;; v++) {
		struct net_ip a;

		net_ip_from_u128(family, v, &a);
		if (!is_reserved(s, &a) && !is_used(&a, used, n_used)) {
			*ret = a;
			return true;
		}
		if (v == to)
			return false;
	}
}

int net_ipam_next(const struct net_ipam_subnet *s, const struct net_ip *used, size_t n_used, const struct net_ip *after,
		  struct net_ip *ret, struct berth_error **err)
{
	net_u128 first = net_prefix_first_u128(&s->range), last = net_prefix_last_u128(&s->range);
	char sub[NET_PREFIX_STRLEN];

	if (after && net_prefix_contains(&s->range, after)) {
		net_u128 a = net_ip_to_u128(after);

		if (a < last && scan(s, a + 1, last, used, n_used, ret))
			return 0;
		if (scan(s, first, a, used, n_used, ret))
			return 0;
	} else if (scan(s, first, last, used, n_used, ret)) {
		return 0;
	}
	return net_fail_code(err, ENOSPC, "no available addresses on this pool (%s)",
			     net_prefix_format(&s->range, sub));
}

int net_ipam_check(const struct net_ipam_subnet *s, const struct net_ip *req, const struct net_ip *used, size_t n_used,
		   struct berth_error **err)
{
	char a[NET_IP_STRLEN], sub[NET_PREFIX_STRLEN];
	struct net_ip bcast;

	net_ip_format(req, a);
	net_prefix_format(&s->subnet, sub);
	if (!net_prefix_contains(&s->subnet, req))
		return net_fail_code(err, EINVAL, "address %s is not in subnet %s", a, sub);
	if (net_ip_equal(req, &s->gateway))
		return net_fail_code(err, EADDRNOTAVAIL, "address %s is the gateway of %s", a, sub);
	if (net_ip_equal(req, &s->subnet.addr) && net_prefix_size(&s->subnet) > 2)
		return net_fail_code(err, EADDRNOTAVAIL, "address %s is the network address of %s", a, sub);
	if (net_prefix_broadcast(&s->subnet, &bcast) && net_ip_equal(req, &bcast))
		return net_fail_code(err, EADDRNOTAVAIL, "address %s is the broadcast address of %s", a, sub);
	if (is_used(req, used, n_used))
		return net_fail_code(err, EADDRINUSE, "address %s is in use", a);
	return 0;
}

bool net_mac_from_ipv4(const struct net_ip *a, uint8_t ret[6])
{
	if (a->family != AF_INET)
		return false;
	/* 02: locally administered unicast; 42 is Docker's choice, kept so that MACs match docker's */
	ret[0] = 0x02;
	ret[1] = 0x42;
	memcpy(ret + 2, a->bytes, 4);
	return true;
}
