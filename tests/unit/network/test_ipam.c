/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of network/ IPAM: prefixes, address allocation, pools and clashes, MACs from IPv4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "network/network.h"

static struct net_ip ip(const char *s)
{
	struct net_ip a;

	assert_int_equal(net_ip_parse(s, &a, NULL), 0);
	return a;
}

static struct net_prefix pfx(const char *s)
{
	struct net_prefix p;

	assert_int_equal(net_prefix_parse(s, &p, NULL), 0);
	return p;
}

static void assert_ip(const struct net_ip *a, const char *want)
{
	char buf[NET_IP_STRLEN];

	assert_string_equal(net_ip_format(a, buf), want);
}

/* The error of a failing call must be want, then it is freed. */
static void assert_err(struct berth_error **err, const char *want)
{
	assert_non_null(*err);
	assert_string_equal((*err)->msg, want);
	berth_error_free(err);
}

static void test_parse_format(void **state)
{
	struct berth_error *err = NULL;
	char buf[NET_PREFIX_STRLEN];
	struct net_prefix p;
	struct net_ip a;

	p = pfx("172.17.0.0/16");
	assert_int_equal(p.addr.family, AF_INET);
	assert_int_equal(p.len, 16);
	assert_string_equal(net_prefix_format(&p, buf), "172.17.0.0/16");
	p = pfx("FD00:0::/64");
	assert_string_equal(net_prefix_format(&p, buf), "fd00::/64");
	/* host bits kept by the plain parser (bip), refused for a subnet as Docker's API does */
	p = pfx("172.17.0.1/16");
	assert_ip(&p.addr, "172.17.0.1");
	assert_false(net_prefix_is_masked(&p));
	p = net_prefix_masked(&p);
	assert_ip(&p.addr, "172.17.0.0");
	assert_int_equal(net_subnet_parse("172.20.1.5/16", "subnet", &p, &err), -1);
	assert_err(&err, "invalid subnet 172.20.1.5/16: it should be 172.20.0.0/16");
	assert_int_equal(net_subnet_parse("fd00::1/64", "subnet", &p, &err), -1);
	assert_err(&err, "invalid subnet fd00::1/64: it should be fd00::/64");
	assert_int_equal(net_subnet_parse("172.20.0.0/33", "subnet", &p, &err), -1);
	assert_err(&err, "invalid subnet 172.20.0.0/33: invalid CIDR block notation");
	assert_int_equal(net_subnet_parse("10.0.0.0/8", "subnet", &p, NULL), 0);

	const char *bad[] = {"172.17.0.0",    "172.17.0.0/", "172.17.0.0/016", "172.17.0.0/-1",	 "x/8",
			     "172.17.0.0/8 ", "::/129",	     "1.2.3.4/1a",     "fe80::1%eth0/64"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(net_prefix_parse(bad[i], &p, &err), -1);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
	}
	assert_int_equal(net_ip_parse("1.2.3", &a, &err), -1);
	assert_err(&err, "invalid IP address '1.2.3'");
	a = ip("::ffff:1.2.3.4");
	assert_int_equal(a.family, AF_INET6);
	_cleanup_free_ char *s = net_ip_to_string(&a);
	assert_string_equal(s, "::ffff:1.2.3.4");
}

static void test_arith(void **state)
{
	struct net_prefix p = pfx("172.17.0.0/16"), v6 = pfx("fd00::/64"), h = pfx("10.0.0.7/32");
	struct net_prefix p31 = pfx("10.0.0.2/31");
	struct net_ip a = ip("172.17.3.4");

	assert_true(net_prefix_contains(&p, &a));
	assert_false(net_prefix_contains(&p, &(struct net_ip){0}));
	assert_false(net_prefix_contains(&p, &(struct net_ip){.family = AF_INET6}));
	assert_true(net_prefix_contains(&v6, &(struct net_ip){.family = AF_INET6, .bytes = {0xfd}}));
	assert_int_equal(net_prefix_size(&p), 65536);
	assert_int_equal(net_prefix_size(&h), 1);
	assert_true(net_prefix_size(&v6) == UINT64_MAX);
	assert_int_equal(net_prefix_offset(&p, &a), 3 * 256 + 4);

	assert_true(net_prefix_nth(&p, 2, &a));
	assert_ip(&a, "172.17.0.2");
	assert_true(net_prefix_nth(&p, 65535, &a));
	assert_ip(&a, "172.17.255.255");
	assert_false(net_prefix_nth(&p, 65536, &a));
	assert_true(net_prefix_nth(&v6, 0x1234, &a));
	assert_ip(&a, "fd00::1234");

	net_prefix_gateway(&p, &a);
	assert_ip(&a, "172.17.0.1");
	net_prefix_gateway(&v6, &a);
	assert_ip(&a, "fd00::1");
	net_prefix_gateway(&h, &a);
	assert_ip(&a, "10.0.0.7");
	net_prefix_gateway(&p31, &a);
	assert_ip(&a, "10.0.0.2");
	assert_true(net_prefix_broadcast(&p, &a));
	assert_ip(&a, "172.17.255.255");
	assert_false(net_prefix_broadcast(&v6, &a));
	assert_false(net_prefix_broadcast(&p31, &a));

	/* overlaps compares the masked prefixes */
	struct net_prefix big = pfx("172.16.0.0/12"), other = pfx("172.18.0.0/16"), iface = pfx("172.17.9.9/24");
	assert_true(net_prefix_overlaps(&p, &big));
	assert_true(net_prefix_overlaps(&big, &p));
	assert_false(net_prefix_overlaps(&p, &other));
	assert_true(net_prefix_overlaps(&p, &iface));
	assert_true(net_prefix_contains_prefix(&big, &p));
	assert_false(net_prefix_contains_prefix(&p, &big));
	assert_false(net_prefix_overlaps(&p, &v6));
	struct net_prefix all6 = pfx("::/0");
	assert_true(net_prefix_overlaps(&all6, &v6));
	assert_true(net_prefix_size(&all6) == UINT64_MAX);
}

static void test_sort_compare(void **state)
{
	struct net_ip v[] = {ip("fd00::1"), ip("10.0.0.10"), ip("10.0.0.9"), ip("9.255.255.255")};

	net_ips_sort(v, 4);
	assert_ip(&v[0], "9.255.255.255");
	assert_ip(&v[1], "10.0.0.9");
	assert_ip(&v[2], "10.0.0.10");
	assert_ip(&v[3], "fd00::1");
	assert_true(net_ip_equal(&v[3], &(struct net_ip){.family = AF_INET6, .bytes = {0xfd, [15] = 1}}));
}

static void test_subnet_init(void **state)
{
	struct berth_error *err = NULL;
	struct net_ipam_subnet s;

	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", NULL, "", NULL), 0);
	assert_ip(&s.gateway, "172.18.0.1");
	assert_false(s.has_range);
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", "172.18.5.0/24", "172.18.0.254", NULL), 0);
	assert_true(s.has_range);
	assert_ip(&s.gateway, "172.18.0.254");

	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", "172.19.0.0/24", NULL, &err), -1);
	assert_err(&err, "invalid ip-range 172.19.0.0/24: parent subnet 172.18.0.0/16 doesn't contain ip-range");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", "172.0.0.0/8", NULL, &err), -1);
	assert_err(&err, "invalid ip-range 172.0.0.0/8: CIDR block is bigger than its parent subnet 172.18.0.0/16");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", "172.18.5.1/24", NULL, &err), -1);
	assert_err(&err, "invalid ip-range 172.18.5.1/24: it should be 172.18.5.0/24");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", "fd00::/64", NULL, &err), -1);
	assert_err(&err, "invalid ip-range fd00::/64: parent subnet is an IPv4 block");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", NULL, "10.0.0.1", &err), -1);
	assert_err(&err, "invalid gateway 10.0.0.1: parent subnet 172.18.0.0/16 doesn't contain this address");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", NULL, "fd00::1", &err), -1);
	assert_err(&err, "invalid gateway fd00::1: parent subnet is an IPv4 block");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", NULL, "nope", &err), -1);
	assert_err(&err, "invalid gateway nope: invalid address");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", NULL, "172.18.255.255", &err), -1);
	assert_err(&err, "invalid gateway 172.18.255.255: it is the broadcast address of 172.18.0.0/16");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.0.0/16", NULL, "172.18.0.0", &err), -1);
	assert_err(&err, "invalid gateway 172.18.0.0: it is the network address of 172.18.0.0/16");
	assert_int_equal(net_ipam_subnet_init(&s, "172.18.1.0/16", NULL, NULL, &err), -1);
	assert_err(&err, "invalid subnet 172.18.1.0/16: it should be 172.18.0.0/16");
	assert_int_equal(net_ipam_subnet_init(&s, NULL, NULL, NULL, &err), -1);
	berth_error_free(&err);
}

static void test_next(void **state)
{
	struct berth_error *err = NULL;
	struct net_ipam_subnet s;
	struct net_ip used[] = {ip("172.17.0.2"), ip("172.17.0.3"), ip("172.17.0.5")};
	struct net_ip a, after;

	assert_int_equal(net_ipam_subnet_init(&s, "172.17.0.0/16", NULL, NULL, NULL), 0);
	assert_int_equal(net_ipam_next(&s, NULL, 0, NULL, &a, NULL), 0);
	assert_ip(&a, "172.17.0.2");
	assert_int_equal(net_ipam_next(&s, used, 3, NULL, &a, NULL), 0);
	assert_ip(&a, "172.17.0.4");
	/* sequential after the last one handed out, as Docker */
	after = ip("172.17.0.4");
	assert_int_equal(net_ipam_next(&s, used, 3, &after, &a, NULL), 0);
	assert_ip(&a, "172.17.0.6");
	/* wraps round past the broadcast address, skipping the network address and the gateway */
	after = ip("172.17.255.254");
	assert_int_equal(net_ipam_next(&s, used, 3, &after, &a, NULL), 0);
	assert_ip(&a, "172.17.0.4");

	/* ip-range: dynamic addresses from the range only */
	assert_int_equal(net_ipam_subnet_init(&s, "172.17.0.0/16", "172.17.5.0/30", NULL, NULL), 0);
	assert_int_equal(net_ipam_next(&s, NULL, 0, NULL, &a, NULL), 0);
	assert_ip(&a, "172.17.5.0");
	struct net_ip full[] = {ip("172.17.5.0"), ip("172.17.5.1"), ip("172.17.5.2"), ip("172.17.5.3")};
	assert_int_equal(net_ipam_next(&s, full, 4, NULL, &a, &err), -1);
	assert_int_equal(err->code, ENOSPC);
	assert_err(&err, "no available addresses on this pool (172.17.5.0/30)");

	/* a /30 has two host addresses, one of them the gateway */
	assert_int_equal(net_ipam_subnet_init(&s, "10.9.0.0/30", NULL, NULL, NULL), 0);
	assert_int_equal(net_ipam_next(&s, NULL, 0, NULL, &a, NULL), 0);
	assert_ip(&a, "10.9.0.2");
	assert_int_equal(net_ipam_next(&s, &a, 1, NULL, &a, &err), -1);
	berth_error_free(&err);

	/* IPv6 */
	assert_int_equal(net_ipam_subnet_init(&s, "fd00:1::/64", NULL, NULL, NULL), 0);
	assert_int_equal(net_ipam_next(&s, NULL, 0, NULL, &a, NULL), 0);
	assert_ip(&a, "fd00:1::2");
	after = ip("fd00:1::ffff:ffff:ffff:ffff");
	assert_int_equal(net_ipam_next(&s, NULL, 0, &after, &a, NULL), 0);
	assert_ip(&a, "fd00:1::2");
}

static void test_check(void **state)
{
	struct berth_error *err = NULL;
	struct net_ipam_subnet s;
	struct net_ip used[] = {ip("172.17.0.2"), ip("172.17.0.5")};
	struct net_ip a;

	assert_int_equal(net_ipam_subnet_init(&s, "172.17.0.0/16", "172.17.0.0/24", NULL, NULL), 0);
	a = ip("172.17.0.3");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, NULL), 0);
	/* a requested address may lie outside the ip-range, inside the subnet */
	a = ip("172.17.9.9");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, NULL), 0);
	a = ip("172.17.0.5");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, &err), -1);
	assert_int_equal(err->code, EADDRINUSE);
	assert_err(&err, "address 172.17.0.5 is in use");
	a = ip("10.0.0.1");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, &err), -1);
	assert_int_equal(err->code, EINVAL);
	assert_err(&err, "address 10.0.0.1 is not in subnet 172.17.0.0/16");
	a = ip("fd00::1");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, &err), -1);
	assert_err(&err, "address fd00::1 is not in subnet 172.17.0.0/16");
	a = ip("172.17.0.1");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, &err), -1);
	assert_err(&err, "address 172.17.0.1 is the gateway of 172.17.0.0/16");
	a = ip("172.17.0.0");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, &err), -1);
	assert_err(&err, "address 172.17.0.0 is the network address of 172.17.0.0/16");
	a = ip("172.17.255.255");
	assert_int_equal(net_ipam_check(&s, &a, used, 2, &err), -1);
	assert_err(&err, "address 172.17.255.255 is the broadcast address of 172.17.0.0/16");
}

static void test_pools(void **state)
{
	struct berth_error *err = NULL;
	size_t n;
	const struct net_pool *pools = net_pools_default(&n);
	char buf[NET_PREFIX_STRLEN];
	struct net_prefix p;

	/* nothing taken: the default bridge's 172.17.0.0/16 */
	assert_int_equal(net_pool_pick(pools, n, AF_INET, NULL, 0, &p, NULL), 0);
	assert_string_equal(net_prefix_format(&p, buf), "172.17.0.0/16");

	struct net_taken taken[] = {
		{pfx("0.0.0.0/0"), "default route"},
		{pfx("172.17.0.0/16"), "network 'bridge'"},
		{pfx("172.18.0.1/16"), "address of 'docker_gwbridge'"},
		{pfx("172.19.4.0/24"), "route via 'eth0'"},
		{pfx("172.20.0.0/15"), "network 'big'"},
	};
	assert_int_equal(net_pool_pick(pools, n, AF_INET, taken, 5, &p, NULL), 0);
	assert_string_equal(net_prefix_format(&p, buf), "172.22.0.0/16");

	/* every 172.x pool gone: 192.168.0.0/20, then the next /20 after a taken one */
	struct net_taken most[] = {{pfx("172.16.0.0/12"), "route"}, {pfx("192.168.0.0/24"), "address of 'wlan0'"}};
	assert_int_equal(net_pool_pick(pools, n, AF_INET, most, 2, &p, NULL), 0);
	assert_string_equal(net_prefix_format(&p, buf), "192.168.16.0/20");
	struct net_taken all[] = {{pfx("172.16.0.0/12"), "route"}, {pfx("192.168.0.0/16"), "route"}};
	assert_int_equal(net_pool_pick(pools, n, AF_INET, all, 2, &p, &err), -1);
	assert_int_equal(err->code, ENOSPC);
	assert_err(&err, "all predefined address pools have been fully subnetted");
	assert_int_equal(net_pool_pick(pools, n, AF_INET6, NULL, 0, &p, &err), -1);
	berth_error_free(&err);

	/* a huge IPv6 pool: one step per taken prefix */
	struct net_pool v6 = {pfx("fd00::/8"), 64};
	struct net_taken t6[] = {{pfx("fd00::/64"), "a"}, {pfx("fd00:0:0:1::/64"), "b"}, {pfx("fd00::/16"), "c"}};
	assert_int_equal(net_pool_pick(&v6, 1, AF_INET6, t6, 3, &p, NULL), 0);
	assert_string_equal(net_prefix_format(&p, buf), "fd01::/64");
}

static void test_clash(void **state)
{
	struct berth_error *err = NULL;
	struct net_prefix s = pfx("172.18.0.0/16");
	struct net_taken taken[] = {
		{pfx("0.0.0.0/0"), "default route"},
		{pfx("10.0.0.0/8"), "route via 'eth0'"},
		{pfx("172.18.0.0/24"), "network 'web'"},
	};

	assert_ptr_equal(net_subnet_find_clash(&s, taken, 3), &taken[2]);
	assert_null(net_subnet_find_clash(&s, taken, 2));
	assert_int_equal(net_subnet_check_clash(&s, taken, 2, NULL), 0);
	assert_int_equal(net_subnet_check_clash(&s, taken, 3, &err), -1);
	assert_int_equal(err->code, EEXIST);
	assert_err(&err, "invalid pool request: subnet 172.18.0.0/16 overlaps with network 'web' (172.18.0.0/24)");
}

static void test_mac(void **state)
{
	struct net_ip a = ip("172.17.0.2"), v6 = ip("fd00::2");
	uint8_t mac[6];
	char buf[18];

	assert_true(net_mac_from_ipv4(&a, mac));
	assert_string_equal(net_mac_format(mac, buf, sizeof(buf)), "02:42:ac:11:00:02");
	assert_false(net_mac_from_ipv4(&v6, mac));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format), cmocka_unit_test(test_arith), cmocka_unit_test(test_sort_compare),
		cmocka_unit_test(test_subnet_init),  cmocka_unit_test(test_next),  cmocka_unit_test(test_check),
		cmocka_unit_test(test_pools),	     cmocka_unit_test(test_clash), cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
