/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of network/'s berth.json decoding: defaults, every key, errors with their JSON path. */
#include "../base/fixture.h"

#include <arpa/inet.h>

#include "base/base.h"
#include "network/network.h"

static int parse(const char *json, struct net_config *c, struct berth_error **err)
{
	return net_config_parse(json, strlen(json), "berth.json", c, err);
}

static void assert_prefix(const struct net_prefix *p, const char *want)
{
	char buf[NET_PREFIX_STRLEN];

	assert_string_equal(net_prefix_format(p, buf), want);
}

/* The document must fail with exactly want. */
static void assert_fails(const char *json, const char *want)
{
	struct berth_error *err = NULL;
	struct net_config c;

	assert_int_equal(parse(json, &c, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, want);
	berth_error_free(&err);
	net_config_done(&c);
}

static void test_defaults(void **state)
{
	struct tmp_fixture *f = *state;
	_cleanup_free_ char *path = xasprintf("%s/absent.json", f->path);
	char buf[NET_IP_STRLEN];
	struct net_config c;

	assert_int_equal(net_config_load(path, &c, NULL), 0);
	assert_false(c.has_bip);
	assert_int_equal(c.mtu, 1500);
	assert_null(c.dns[0]);
	assert_null(c.bridge);
	assert_true(c.icc && c.ip_masq && c.iptables);
	assert_false(c.ipv6);
	assert_string_equal(net_ip_format(&c.ip, buf), "0.0.0.0");
	assert_int_equal(c.n_pools, 7);
	assert_prefix(&c.pools[0].base, "172.17.0.0/16");
	assert_prefix(&c.pools[6].base, "192.168.0.0/16");
	assert_int_equal(c.pools[6].size, 20);
	net_config_done(&c);
	/* an empty object and unknown keys change nothing */
	assert_int_equal(parse("{\"debug\": true, \"log-driver\": \"json-file\", \"mtu\": null}", &c, NULL), 0);
	assert_int_equal(c.mtu, 1500);
	net_config_done(&c);
}

static void test_all_keys(void **state)
{
	struct tmp_fixture *f = *state;
	_cleanup_free_ char *path = xasprintf("%s/berth.json", f->path);
	char buf[NET_IP_STRLEN];
	struct net_config c;

	tmp_write(f->fd, "berth.json",
		  "{\"bip\": \"10.200.0.1/24\", \"fixed-cidr\": \"10.200.0.128/25\", \"mtu\": 1400,\n"
		  " \"dns\": [\"1.1.1.1\", \"2606:4700:4700::1111\"], \"dns-search\": [\"example.org\"],\n"
		  " \"dns-opts\": [\"ndots:2\"], \"bridge\": \"br-x\", \"ip\": \"127.0.0.1\", \"icc\": false,\n"
		  " \"ip-masq\": false, \"iptables\": false, \"ipv6\": true, \"fixed-cidr-v6\": \"fd00:1::/64\",\n"
		  " \"default-address-pools\": [{\"base\": \"10.10.0.0/16\", \"size\": 24, \"x\": 1},\n"
		  "                             {\"base\": \"fd10::/48\", \"size\": 64}]}\n");
	assert_int_equal(net_config_load(path, &c, NULL), 0);
	assert_true(c.has_bip);
	assert_prefix(&c.bip, "10.200.0.1/24");
	assert_true(c.has_fixed_cidr);
	assert_prefix(&c.fixed_cidr, "10.200.0.128/25");
	assert_true(c.has_fixed_cidr_v6);
	assert_prefix(&c.fixed_cidr_v6, "fd00:1::/64");
	assert_int_equal(c.mtu, 1400);
	assert_int_equal(strv_length(c.dns), 2);
	assert_string_equal(c.dns[1], "2606:4700:4700::1111");
	assert_string_equal(c.dns_search[0], "example.org");
	assert_string_equal(c.dns_opts[0], "ndots:2");
	assert_string_equal(c.bridge, "br-x");
	assert_string_equal(net_ip_format(&c.ip, buf), "127.0.0.1");
	assert_false(c.icc || c.ip_masq || c.iptables);
	assert_true(c.ipv6);
	assert_int_equal(c.n_pools, 2);
	assert_prefix(&c.pools[0].base, "10.10.0.0/16");
	assert_int_equal(c.pools[0].size, 24);
	assert_int_equal(c.pools[1].size, 64);
	net_config_done(&c);

	/* fixed-cidr with host bits is masked (dockerd takes the network), empty pools keep the defaults */
	assert_int_equal(parse("{\"fixed-cidr\": \"172.17.1.9/24\", \"default-address-pools\": []}", &c, NULL), 0);
	assert_prefix(&c.fixed_cidr, "172.17.1.0/24");
	assert_int_equal(c.n_pools, 7);
	net_config_done(&c);
}

static void test_errors(void **state)
{
	struct tmp_fixture *f = *state;
	_cleanup_free_ char *path = xasprintf("%s/dir", f->path);
	struct berth_error *err = NULL;
	struct net_config c;

	assert_fails("{\"bip\": 17}", "berth.json: bip: expected string");
	assert_fails("{\"bip\": \"172.17.0.0/16\"}",
		     "berth.json: bip: '172.17.0.0/16' is not a host address of its subnet (such as 172.17.0.1/16)");
	assert_fails("{\"bip\": \"fd00::1/64\"}", "berth.json: bip: 'fd00::1/64' is not an IPv4 prefix");
	assert_fails("{\"bip\": \"172.17.0.1\"}", "berth.json: bip: invalid CIDR address '172.17.0.1'");
	assert_fails("{\"mtu\": 70000}", "berth.json: mtu: 70000 is out of range 0..65535");
	assert_fails("{\"mtu\": 10}", "berth.json: mtu: 10 is below the IPv4 minimum MTU 68");
	assert_fails("{\"mtu\": \"1500\"}", "berth.json: mtu: expected integer");
	assert_fails("{\"dns\": [\"1.1.1.1\", \"dns.google\"]}", "berth.json: dns[1]: invalid IP address 'dns.google'");
	assert_fails("{\"dns\": \"1.1.1.1\"}", "berth.json: dns: expected array");
	assert_fails("{\"icc\": \"no\"}", "berth.json: icc: expected boolean");
	assert_fails(
		"{\"default-address-pools\": [{\"base\": \"10.0.0.0/8\", \"size\": 24}, {\"base\": \"10.0.0.0/8\"}]}",
		"berth.json: default-address-pools[1].size: required");
	assert_fails("{\"default-address-pools\": [{\"base\": \"10.0.0.0/16\", \"size\": 8}]}",
		     "berth.json: default-address-pools[0].size: 8 is out of range 16..32");
	assert_fails("{\"default-address-pools\": [{\"base\": \"nope\", \"size\": 8}]}",
		     "berth.json: default-address-pools[0].base: invalid CIDR address 'nope'");
	assert_fails("{\"default-address-pools\": [17]}", "berth.json: default-address-pools[0]: expected object");
	assert_fails("{\"bip\": \"10.1.0.1/16\", \"fixed-cidr\": \"10.2.0.0/24\"}",
		     "berth.json: fixed-cidr: 10.2.0.0/24 is not inside the subnet of bip, 10.1.0.0/16");
	assert_fails("[]", "berth.json: expected object");
	assert_fails("{\"mtu\": 1500", "berth.json: line 1 column 12: '}' expected near end of file");

	/* not a file: the read error, with the defaults in place for done */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(net_config_load(path, &c, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
	assert_int_equal(c.mtu, 1500);
	net_config_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMP_TEST(test_defaults),
		TMP_TEST(test_all_keys),
		TMP_TEST(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
