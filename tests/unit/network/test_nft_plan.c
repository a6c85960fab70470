/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nftables plans: the script planned for a model, compared with the expected text; the model's checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "network/nft.h"

#define HEAD                                                             \
	"add table inet bt\n"                                            \
	"delete table inet bt\n"                                         \
	"table inet bt {\n"                                              \
	"\tchain prerouting {\n"                                         \
	"\t\ttype nat hook prerouting priority dstnat; policy accept;\n" \
	"\t\tfib daddr type local jump ports\n"                          \
	"\t}\n"                                                          \
	"\tchain output {\n"                                             \
	"\t\ttype nat hook output priority -100; policy accept;\n"       \
	"\t\tip6 daddr ::1 return\n"                                     \
	"\t\tfib daddr type local jump ports\n"                          \
	"\t}\n"                                                          \
	"\tchain ports {\n"
#define POSTROUTING               \
	"\t}\n"                   \
	"\tchain postrouting {\n" \
	"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
#define FORWARD               \
	"\t}\n"               \
	"\tchain forward {\n" \
	"\t\ttype filter hook forward priority filter; policy accept;\n"
#define TAIL    \
	"\t}\n" \
	"}\n"

/* The bridge most cases use: IPv4, outbound NAT, hairpin (as berth creates its networks). */
#define BR0                                                                                      \
	{                                                                                        \
		.bridge = "br0", .subnet4 = "172.18.0.0/16", .masquerade = true, .hairpin = true \
	}
#define BR0_POST                                                     \
	"\t\tip saddr 172.18.0.0/16 oifname != \"br0\" masquerade\n" \
	"\t\toifname \"br0\" ip saddr 127.0.0.0/8 masquerade\n"      \
	"\t\toifname \"br0\" ip saddr 172.18.0.0/16 ct status dnat masquerade\n"
#define BR0_FORWARD                                   \
	"\t\tct state established,related accept\n"   \
	"\t\toifname \"br0\" ct status dnat accept\n" \
	"\t\tiifname \"br0\" accept\n"                \
	"\t\toifname \"br0\" drop\n"

static void expect_plan(const struct net_nft_network *nets, size_t n_nets, const struct net_nft_port *ports,
			size_t n_ports, const char *expected)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct net_nft_model m = {"bt", nets, n_nets, ports, n_ports};
	_cleanup_free_ char *s = net_nft_plan_build(&m, &err);

	if (!s)
		fail_msg("plan: %s", err->msg);
	assert_string_equal(s, expected);
}

static void expect_error(const struct net_nft_network *nets, size_t n_nets, const struct net_nft_port *ports,
			 size_t n_ports, const char *table, const char *msg)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct net_nft_model m = {table, nets, n_nets, ports, n_ports};
	_cleanup_free_ char *s = net_nft_plan_build(&m, &err);

	assert_null(s);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
}

static void test_empty(void **state)
{
	expect_plan(NULL, 0, NULL, 0, HEAD POSTROUTING FORWARD TAIL);
}

static void test_one_bridge(void **state)
{
	struct net_nft_network n[] = {BR0};

	expect_plan(n, 1, NULL, 0, HEAD POSTROUTING BR0_POST FORWARD BR0_FORWARD TAIL);
}

static void test_no_masquerade_no_hairpin(void **state)
{
	struct net_nft_network n[] = {{.bridge = "br0", .subnet4 = "172.18.0.0/16"}};
	struct net_nft_port p[] = {{NET_NFT_TCP, NULL, 8080, 0, "172.18.0.2", 80, 0, "br0"}};

	expect_plan(n, 1, p, 1,
		    HEAD
		    "\t\tiifname != \"br0\" meta nfproto ipv4 tcp dport 8080 dnat ip to 172.18.0.2:80\n" POSTROUTING
		    "\t\toifname \"br0\" ip saddr 127.0.0.0/8 masquerade\n" FORWARD BR0_FORWARD TAIL);
}

static void test_ports_tcp_udp(void **state)
{
	struct net_nft_network n[] = {BR0};
	struct net_nft_port p[] = {
		{NET_NFT_TCP, NULL, 8080, 0, "172.18.0.2", 80, 0, "br0"},
		{NET_NFT_UDP, "0.0.0.0", 5353, 0, "172.18.0.2", 53, 0, "br0"},
		{NET_NFT_SCTP, NULL, 9999, 0, "172.18.0.3", 9999, 0, "br0"},
	};

	expect_plan(n, 1, p, 3,
		    HEAD "\t\tmeta nfproto ipv4 tcp dport 8080 dnat ip to 172.18.0.2:80\n"
			 "\t\tmeta nfproto ipv4 udp dport 5353 dnat ip to 172.18.0.2:53\n"
			 "\t\tmeta nfproto ipv4 sctp dport 9999 dnat ip to 172.18.0.3:9999\n" POSTROUTING BR0_POST
				 FORWARD BR0_FORWARD TAIL);
}

static void test_host_ip(void **state)
{
	struct net_nft_network n[] = {BR0};
	struct net_nft_port p[] = {
		{NET_NFT_TCP, "127.0.0.1", 8080, 0, "172.18.0.2", 80, 0, "br0"},
		{NET_NFT_UDP, "192.168.1.10", 53, 0, "172.18.0.2", 53, 0, "br0"},
	};

	expect_plan(n, 1, p, 2,
		    HEAD "\t\tip daddr 127.0.0.1 tcp dport 8080 dnat ip to 172.18.0.2:80\n"
			 "\t\tip daddr 192.168.1.10 udp dport 53 dnat ip to 172.18.0.2:53\n" POSTROUTING BR0_POST
				 FORWARD BR0_FORWARD TAIL);
}

static void test_ranges(void **state)
{
	struct net_nft_network n[] = {BR0};
	struct net_nft_port p[] = {
		/* the same range: the port is kept */
		{NET_NFT_TCP, NULL, 7000, 7002, "172.18.0.2", 7000, 7002, "br0"},
		/* a shifted range: port by port */
		{NET_NFT_UDP, NULL, 8000, 8002, "172.18.0.2", 9000, 9002, "br0"},
		/* a range onto one port */
		{NET_NFT_TCP, NULL, 6000, 6001, "172.18.0.2", 80, 0, "br0"},
	};

	expect_plan(n, 1, p, 3,
		    HEAD "\t\tmeta nfproto ipv4 tcp dport 7000-7002 dnat ip to 172.18.0.2\n"
			 "\t\tmeta nfproto ipv4 udp dport 8000-8002 dnat ip to 172.18.0.2:udp dport map { 8000 : 9000, "
			 "8001 : 9001, 8002 : 9002 }\n"
			 "\t\tmeta nfproto ipv4 tcp dport 6000-6001 dnat ip to 172.18.0.2:80\n" POSTROUTING BR0_POST
				 FORWARD BR0_FORWARD TAIL);
}

static void test_two_bridges(void **state)
{
	struct net_nft_network n[] = {BR0, {.bridge = "br1", .subnet4 = "10.5.0.0/24", .masquerade = true}};
	struct net_nft_port p[] = {{NET_NFT_TCP, NULL, 80, 0, "10.5.0.9", 80, 0, "br1"}};

	expect_plan(
		n, 2, p, 1,
		HEAD
		"\t\tiifname != \"br1\" meta nfproto ipv4 tcp dport 80 dnat ip to 10.5.0.9:80\n" POSTROUTING BR0_POST
		"\t\tip saddr 10.5.0.0/24 oifname != \"br1\" masquerade\n"
		"\t\toifname \"br1\" ip saddr 127.0.0.0/8 masquerade\n" FORWARD
		"\t\tct state established,related accept\n"
		"\t\toifname { \"br0\", \"br1\" } ct status dnat accept\n"
		"\t\tiifname \"br0\" oifname != \"br0\" oifname { \"br0\", \"br1\" } drop\n"
		"\t\tiifname \"br1\" oifname != \"br1\" oifname { \"br0\", \"br1\" } drop\n"
		"\t\tiifname { \"br0\", \"br1\" } accept\n"
		"\t\toifname { \"br0\", \"br1\" } drop\n" TAIL);
}

static void test_internal(void **state)
{
	struct net_nft_network n[] = {{.bridge = "int0", .subnet4 = "10.9.0.0/24", .internal = true}};
	/* published ports of an internal network are left out, as Docker does */
	struct net_nft_port p[] = {{NET_NFT_TCP, NULL, 80, 0, "10.9.0.2", 80, 0, "int0"}};

	expect_plan(n, 1, p, 1,
		    HEAD POSTROUTING FORWARD "\t\tct state established,related accept\n"
					     "\t\tiifname \"int0\" oifname != \"int0\" drop\n"
					     "\t\toifname \"int0\" iifname != \"int0\" drop\n"
					     "\t\tiifname \"int0\" accept\n" TAIL);
}

static void test_ipv6(void **state)
{
	/* the subnet is written canonically with its host bits cleared */
	struct net_nft_network n[] = {{.bridge = "br6",
				       .subnet4 = "172.18.0.0/16",
				       .subnet6 = "FD00:0:0:1::1/64",
				       .masquerade = true,
				       .hairpin = true}};
	struct net_nft_port p[] = {
		{NET_NFT_TCP, NULL, 8080, 0, "172.18.0.2", 80, 0, "br6"},
		{NET_NFT_TCP, NULL, 8080, 0, "fd00:0:0:1::2", 80, 0, "br6"},
		{NET_NFT_UDP, "2001:db8::1", 53, 0, "fd00:0:0:1::2", 53, 0, "br6"},
		{NET_NFT_TCP, "::", 7000, 7001, "fd00:0:0:1::2", 7000, 7001, "br6"},
	};

	expect_plan(n, 1, p, 4,
		    HEAD "\t\tmeta nfproto ipv4 tcp dport 8080 dnat ip to 172.18.0.2:80\n"
			 "\t\tmeta nfproto ipv6 tcp dport 8080 dnat ip6 to [fd00:0:0:1::2]:80\n"
			 "\t\tip6 daddr 2001:db8::1 udp dport 53 dnat ip6 to [fd00:0:0:1::2]:53\n"
			 "\t\tmeta nfproto ipv6 tcp dport 7000-7001 dnat ip6 to fd00:0:0:1::2\n" POSTROUTING
			 "\t\tip saddr 172.18.0.0/16 oifname != \"br6\" masquerade\n"
			 "\t\tip6 saddr fd00:0:0:1::/64 oifname != \"br6\" masquerade\n"
			 "\t\toifname \"br6\" ip saddr 127.0.0.0/8 masquerade\n"
			 "\t\toifname \"br6\" ip saddr 172.18.0.0/16 ct status dnat masquerade\n"
			 "\t\toifname \"br6\" ip6 saddr fd00:0:0:1::/64 ct status dnat masquerade\n" FORWARD
			 "\t\tct state established,related accept\n"
			 "\t\toifname \"br6\" ct status dnat accept\n"
			 "\t\tiifname \"br6\" accept\n"
			 "\t\toifname \"br6\" drop\n" TAIL);
}

static void test_default_table_and_remove(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct net_nft_model m = {0};
	_cleanup_free_ char *s = net_nft_plan_build(&m, &err);
	_cleanup_free_ char *r = net_nft_plan_remove(NULL, &err);
	_cleanup_free_ char *r2 = net_nft_plan_remove("bt", &err);
	_cleanup_free_ char *l = net_nft_plan_list(NULL, &err);

	assert_non_null(s);
	assert_true(!strncmp(s, "add table inet berth\ndelete table inet berth\ntable inet berth {\n", 62));
	assert_string_equal(r, "add table inet berth\ndelete table inet berth\n");
	assert_string_equal(r2, "add table inet bt\ndelete table inet bt\n");
	assert_string_equal(l, "list table inet berth\n");
	assert_null(net_nft_plan_remove("bad name", &err));
	assert_string_equal(err->msg, "invalid nftables table name 'bad name'");
}

static void test_errors(void **state)
{
	struct net_nft_network ok[] = {BR0};
	struct net_nft_network bad_name[] = {{.bridge = "br0\" accept", .subnet4 = "10.0.0.0/8"}};
	struct net_nft_network long_name[] = {{.bridge = "abcdefghijklmnop", .subnet4 = "10.0.0.0/8"}};
	struct net_nft_network no_subnet[] = {{.bridge = "br0"}};
	struct net_nft_network bad4[] = {{.bridge = "br0", .subnet4 = "10.0.0.0/33"}};
	struct net_nft_network bad6[] = {{.bridge = "br0", .subnet6 = "10.0.0.0/8"}};
	struct net_nft_network twice[] = {BR0, BR0};
	struct net_nft_port p_bridge[] = {{NET_NFT_TCP, NULL, 80, 0, "172.18.0.2", 80, 0, "br9"}};
	struct net_nft_port p_outside[] = {{NET_NFT_TCP, NULL, 80, 0, "10.1.0.2", 80, 0, "br0"}};
	struct net_nft_port p_no6[] = {{NET_NFT_UDP, NULL, 80, 0, "fd00::2", 80, 0, "br0"}};
	struct net_nft_port p_family[] = {{NET_NFT_TCP, "::1", 80, 0, "172.18.0.2", 80, 0, "br0"}};
	struct net_nft_port p_host[] = {{NET_NFT_TCP, "localhost", 80, 0, "172.18.0.2", 80, 0, "br0"}};
	struct net_nft_port p_cont[] = {{NET_NFT_TCP, NULL, 80, 0, "172.18.0.2; drop", 80, 0, "br0"}};
	struct net_nft_port p_zero[] = {{NET_NFT_TCP, NULL, 0, 0, "172.18.0.2", 80, 0, "br0"}};
	struct net_nft_port p_back[] = {{NET_NFT_TCP, NULL, 90, 80, "172.18.0.2", 80, 0, "br0"}};
	struct net_nft_port p_sizes[] = {{NET_NFT_TCP, NULL, 80, 82, "172.18.0.2", 80, 81, "br0"}};
	struct net_nft_port p_proto[] = {{(enum net_nft_proto)7, NULL, 80, 0, "172.18.0.2", 80, 0, "br0"}};

	expect_error(ok, 1, NULL, 0, "bad;table", "invalid nftables table name 'bad;table'");
	expect_error(ok, 1, NULL, 0, "", "invalid nftables table name ''");
	expect_error(bad_name, 1, NULL, 0, "bt", "invalid bridge name 'br0\" accept'");
	expect_error(long_name, 1, NULL, 0, "bt", "invalid bridge name 'abcdefghijklmnop'");
	expect_error(no_subnet, 1, NULL, 0, "bt", "network on bridge 'br0': no subnet");
	expect_error(bad4, 1, NULL, 0, "bt", "network on bridge 'br0': invalid IPv4 subnet '10.0.0.0/33'");
	expect_error(bad6, 1, NULL, 0, "bt", "network on bridge 'br0': invalid IPv6 subnet '10.0.0.0/8'");
	expect_error(twice, 2, NULL, 0, "bt", "bridge 'br0' is listed twice");
	expect_error(ok, 1, p_bridge, 1, "bt", "published port 80/tcp: no network on bridge 'br9'");
	expect_error(ok, 1, p_outside, 1, "bt",
		     "published port 80/tcp: container address '10.1.0.2' is not in a subnet of bridge 'br0'");
	expect_error(ok, 1, p_no6, 1, "bt",
		     "published port 80/udp: container address 'fd00::2' is not in a subnet of bridge 'br0'");
	expect_error(ok, 1, p_family, 1, "bt",
		     "published port 80/tcp: host address '::1' and container address '172.18.0.2' differ in family");
	expect_error(ok, 1, p_host, 1, "bt", "published port 80/tcp: invalid host address 'localhost'");
	expect_error(ok, 1, p_cont, 1, "bt", "published port 80/tcp: invalid container address '172.18.0.2; drop'");
	expect_error(ok, 1, p_zero, 1, "bt", "published port 0/tcp: invalid port range");
	expect_error(ok, 1, p_back, 1, "bt", "published port 90-80/tcp: invalid port range");
	expect_error(ok, 1, p_sizes, 1, "bt", "published port 80-82/tcp: 2 container ports for 3 host ports");
	expect_error(ok, 1, p_proto, 1, "bt", "published port 80: unknown protocol 7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_bridge),
		cmocka_unit_test(test_no_masquerade_no_hairpin),
		cmocka_unit_test(test_ports_tcp_udp),
		cmocka_unit_test(test_host_ip),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_two_bridges),
		cmocka_unit_test(test_internal),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_default_table_and_remove),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
