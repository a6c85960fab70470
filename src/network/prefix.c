/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4/IPv6 addresses and prefixes: parse, format, mask, contain, overlap, count and index. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network/ipam_internal.h"

int net_fail_code(struct berth_error **err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_error_setv(err, 0, fmt, ap);
	va_end(ap);
	/* the code is for callers to test; set after so that no strerror is appended */
	if (err && *err)
		(*err)->code = code;
	return -1;
}

net_u128 net_ip_to_u128(const struct net_ip *a)
{
	net_u128 v = 0;
	unsigned n = a->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | a->bytes[i];
	return v;
}

void net_ip_from_u128(int family, net_u128 v, struct net_ip *ret)
{
	unsigned n = family == AF_INET ? 4 : 16;

	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	for (unsigned i = n; i-- > 0;) {
		ret->bytes[i] = (uint8_t)v;
		v >>= 8;
	}
}

unsigned net_ip_bits(const struct net_ip *a)
{
	return a->family == AF_INET ? 32 : a->family == AF_INET6 ? 128 : 0;
}

/* The host part's mask of a prefix of length len in an address of bits bits. */
static net_u128 host_mask(unsigned bits, unsigned len)
{
	unsigned host = len >= bits ? 0 : bits - len;

	return host >= 128 ? ~(net_u128)0 : (((net_u128)1 << host) - 1);
}

net_u128 net_prefix_first_u128(const struct net_prefix *p)
{
	return net_ip_to_u128(&p->addr) & ~host_mask(net_ip_bits(&p->addr), p->len);
}

net_u128 net_prefix_last_u128(const struct net_prefix *p)
{
	return net_ip_to_u128(&p->addr) | host_mask(net_ip_bits(&p->addr), p->len);
}

int net_ip_parse(const char *s, struct net_ip *ret, struct berth_error **err)
{
	struct net_ip a = {0};

	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return net_fail_code(err, EINVAL, "invalid IP address '%s'", s);
	*ret = a;
	return 0;
}

char *net_ip_format(const struct net_ip *a, char *buf)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, buf, NET_IP_STRLEN))
		strcpy(buf, "<invalid>");
	return buf;
}

char *net_ip_to_string(const struct net_ip *a)
{
	char buf[NET_IP_STRLEN];

	return xstrdup(net_ip_format(a, buf));
}

bool net_ip_equal(const struct net_ip *a, const struct net_ip *b)
{
	return net_ip_compare(a, b) == 0;
}

int net_ip_compare(const struct net_ip *a, const struct net_ip *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : b->family == AF_INET ? 1 : (a->family < b->family ? -1 : 1);
	return memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

static int compare_qsort(const void *a, const void *b)
{
	return net_ip_compare(a, b);
}

void net_ips_sort(struct net_ip *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), compare_qsort);
}

/* Decimal 0..max without sign, spaces or leading zeros ("016" is refused, as Go's netip does). */
static bool parse_len(const char *s, unsigned max, unsigned *ret)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 3)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > max)
		return false;
	*ret = v;
	return true;
}

int net_prefix_parse(const char *s, struct net_prefix *ret, struct berth_error **err)
{
	const char *slash = strchr(s, '/');
	_cleanup_free_ char *addr = NULL;
	struct net_prefix p = {0};

	if (!slash)
		return net_fail_code(err, EINVAL, "invalid CIDR address '%s'", s);
	addr = strndup(s, (size_t)(slash - s));
	if (!addr)
		abort();
	if (net_ip_parse(addr, &p.addr, NULL) < 0 || !parse_len(slash + 1, net_ip_bits(&p.addr), &p.len))
		return net_fail_code(err, EINVAL, "invalid CIDR address '%s'", s);
	*ret = p;
	return 0;
}

int net_subnet_parse(const char *s, const char *what, struct net_prefix *ret, struct berth_error **err)
{
	struct net_prefix p, m;
	char want[NET_PREFIX_STRLEN];

	if (net_prefix_parse(s, &p, NULL) < 0)
		return net_fail_code(err, EINVAL, "invalid %s %s: invalid CIDR block notation", what, s);
	m = net_prefix_masked(&p);
	if (!net_prefix_is_masked(&p))
		return net_fail_code(err, EINVAL, "invalid %s %s: it should be %s", what, s,
				     net_prefix_format(&m, want));
	*ret = p;
	return 0;
}

char *net_prefix_format(const struct net_prefix *p, char *buf)
{
	char a[NET_IP_STRLEN];

	snprintf(buf, NET_PREFIX_STRLEN, "%s/%u", net_ip_format(&p->addr, a), p->len);
	return buf;
}

struct net_prefix net_prefix_masked(const struct net_prefix *p)
{
	struct net_prefix m = *p;

	net_ip_from_u128(p->addr.family, net_prefix_first_u128(p), &m.addr);
	return m;
}

bool net_prefix_is_masked(const struct net_prefix *p)
{
	return net_ip_to_u128(&p->addr) == net_prefix_first_u128(p);
}

bool net_prefix_contains(const struct net_prefix *p, const struct net_ip *a)
{
	net_u128 v;

	if (a->family != p->addr.family)
		return false;
	v = net_ip_to_u128(a);
	return v >= net_prefix_first_u128(p) && v <= net_prefix_last_u128(p);
}

bool net_prefix_contains_prefix(const struct net_prefix *outer, const struct net_prefix *inner)
{
	return inner->addr.family == outer->addr.family && inner->len >= outer->len &&
	       net_prefix_contains(outer, &inner->addr);
}

bool net_prefix_overlaps(const struct net_prefix *a, const struct net_prefix *b)
{
	/* aligned blocks either nest or are disjoint */
	return net_prefix_contains_prefix(a, b) || net_prefix_contains_prefix(b, a);
}

uint64_t net_prefix_size(const struct net_prefix *p)
{
	unsigned bits = net_ip_bits(&p->addr);
	unsigned host = p->len >= bits ? 0 : bits - p->len;

	return host >= 64 ? UINT64_MAX : (uint64_t)1 << host;
}

bool net_prefix_nth(const struct net_prefix *p, uint64_t n, struct net_ip *ret)
{
	net_u128 first = net_prefix_first_u128(p);

	if ((net_u128)n > net_prefix_last_u128(p) - first)
		return false;
	net_ip_from_u128(p->addr.family, first + n, ret);
	return true;
}

uint64_t net_prefix_offset(const struct net_prefix *p, const struct net_ip *a)
{
	return (uint64_t)(net_ip_to_u128(a) - net_prefix_first_u128(p));
}

void net_prefix_gateway(const struct net_prefix *p, struct net_ip *ret)
{
	unsigned bits = net_ip_bits(&p->addr);
	net_u128 first = net_prefix_first_u128(p);

	if (p->len >= bits || (bits == 32 && p->len == 31))
		net_ip_from_u128(p->addr.family, first, ret);
	else
		net_ip_from_u128(p->addr.family, first + 1, ret);
}

bool net_prefix_broadcast(const struct net_prefix *p, struct net_ip *ret)
{
	if (p->addr.family != AF_INET || p->len >= 31)
		return false;
	net_ip_from_u128(AF_INET, net_prefix_last_u128(p), ret);
	return true;
}
