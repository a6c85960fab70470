/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address pools (Docker's default-address-pools): picking the next free subnet
 * for a network created without --subnet, and the clash check of a given one.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "base/base.h"
#include "network/ipam_internal.h"

#define V4(a, b, c, d)                                     \
	{                                                  \
		.family = AF_INET, .bytes = { a, b, c, d } \
	}

/* Docker's local scope defaults (libnetwork ipamutils): 172.17-31/16 as /16s, then 192.168.0.0/16 as /20s. */
static const struct net_pool default_pools[] = {
	{.base = {.addr = V4(172, 17, 0, 0), .len = 16}, .size = 16},
	{.base = {.addr = V4(172, 18, 0, 0), .len = 16}, .size = 16},
	{.base = {.addr = V4(172, 19, 0, 0), .len = 16}, .size = 16},
	{.base = {.addr = V4(172, 20, 0, 0), .len = 14}, .size = 16},
	{.base = {.addr = V4(172, 24, 0, 0), .len = 14}, .size = 16},
	{.base = {.addr = V4(172, 28, 0, 0), .len = 14}, .size = 16},
	{.base = {.addr = V4(192, 168, 0, 0), .len = 16}, .size = 20},
};

const struct net_pool *net_pools_default(size_t *ret_n)
{
	*ret_n = sizeof(default_pools) / sizeof(default_pools[0]);
	return default_pools;
}

const struct net_taken *net_subnet_find_clash(const struct net_prefix *subnet, const struct net_taken *taken,
					      size_t n_taken)
{
	for (size_t i = 0; i < n_taken; i++) {
		/* a default route covers everything and says nothing about what is in use */
		if (taken[i].prefix.len == 0)
			continue;
		if (net_prefix_overlaps(subnet, &taken[i].prefix))
			return &taken[i];
	}
	return NULL;
}

int net_subnet_check_clash(const struct net_prefix *subnet, const struct net_taken *taken, size_t n_taken,
			   struct berth_error **err)
{
	const struct net_taken *t = net_subnet_find_clash(subnet, taken, n_taken);
	char a[NET_PREFIX_STRLEN], b[NET_PREFIX_STRLEN];

	if (!t)
		return 0;
	return net_fail_code(err, EEXIST, "invalid pool request: subnet %s overlaps with %s (%s)",
			     net_prefix_format(subnet, a), t->what ? t->what : "another prefix",
			     net_prefix_format(&t->prefix, b));
}

/*
 * The first free subnet of one pool. Candidates are aligned blocks of the
 * pool's size; on a clash, jump past the end of the clashing prefix so that a
 * big pool (an IPv6 /48 split into /64s) costs one step per taken prefix, not
 * one per candidate.
 */
static bool pick_in_pool(const struct net_pool *pool, const struct net_taken *taken, size_t n_taken,
			 struct net_prefix *ret)
{
	unsigned bits = net_ip_bits(&pool->base.addr);
	int family = pool->base.addr.family;
	net_u128 end = net_prefix_last_u128(&pool->base);
	net_u128 c = net_prefix_first_u128(&pool->base);
	net_u128 block_mask;

	if (pool->size < pool->base.len || pool->size > bits)
		return false;
	block_mask = bits - pool->size >= 128 ? ~(net_u128)0 : (((net_u128)1 << (bits - pool->size)) - 1);
	for (;;) {
		struct net_prefix cand = {.len = pool->size};
		const struct net_taken *t;
		net_u128 t_end;

		net_ip_from_u128(family, c, &cand.addr);
		t = net_subnet_find_clash(&cand, taken, n_taken);
		if (!t) {
			*ret = cand;
			return true;
		}
		/* the next aligned block after both the candidate and the clashing prefix */
		t_end = net_prefix_last_u128(&t->prefix);
		if (t_end < (c | block_mask))
			t_end = c | block_mask;
		if (t_end >= end)
			return false;
		c = (t_end | block_mask) + 1;
	}
}

int net_pool_pick(const struct net_pool *pools, size_t n_pools, int family, const struct net_taken *taken,
		  size_t n_taken, struct net_prefix *ret, struct berth_error **err)
{
	for (size_t i = 0; i < n_pools; i++) {
		if (pools[i].base.addr.family != family)
			continue;
		if (pick_in_pool(&pools[i], taken, n_taken, ret))
			return 0;
	}
	return net_fail_code(err, ENOSPC, "all predefined address pools have been fully subnetted");
}
