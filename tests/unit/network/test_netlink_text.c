/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure helpers of the netlink part (no root): names, MACs, address text, message encoding, sysctl names. */
#include "test_netlink_fixture.h"

#include <arpa/inet.h>
#include <linux/if_link.h>

#include "network/netlink_internal.h"

static void test_ifname(void **state)
{
	(void)state;
	assert_true(net_ifname_is_valid("eth0"));
	assert_true(net_ifname_is_valid("berth0"));
	assert_true(net_ifname_is_valid("vlan.100"));
	assert_true(net_ifname_is_valid("123456789012345"));
	assert_false(net_ifname_is_valid("1234567890123456"));
	assert_false(net_ifname_is_valid(""));
	assert_false(net_ifname_is_valid(NULL));
	assert_false(net_ifname_is_valid("."));
	assert_false(net_ifname_is_valid(".."));
	assert_false(net_ifname_is_valid("a/b"));
	assert_false(net_ifname_is_valid("a:b"));
	assert_false(net_ifname_is_valid("a b"));
	assert_false(net_ifname_is_valid("a\tb"));
}

static void test_mac(void **state)
{
	struct berth_error *err = NULL;
	unsigned char mac[NET_MAC_LEN], r[NET_MAC_LEN];
	char buf[18];

	(void)state;
	assert_ok(net_mac_parse("02:42:AC:11:00:02", mac, &err), err);
	assert_string_equal(net_mac_format(mac, buf, sizeof(buf)), "02:42:ac:11:00:02");
	assert_error(net_mac_parse("02:42:ac:11:00", mac, &err), err, "invalid MAC address '02:42:ac:11:00'");
	assert_error(net_mac_parse("02-42-ac-11-00-02", mac, &err), err, "invalid MAC address '02-42-ac-11-00-02'");
	assert_error(net_mac_parse("02:42:ac:11:00:0g", mac, &err), err, "invalid MAC address '02:42:ac:11:00:0g'");
	for (int i = 0; i < 32; i++) {
		assert_ok(net_mac_random(r, &err), err);
		assert_int_equal(r[0] & 0x03, 0x02); /* unicast, locally administered */
	}
}

static void test_addr_parse_format(void **state)
{
	struct berth_error *err = NULL;
	struct net_nl_addr a;
	char buf[NET_ADDR_STRLEN];

	(void)state;
	assert_ok(net_nl_addr_parse("172.17.0.1/16", &a, &err), err);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.prefixlen, 16);
	assert_memory_equal(a.ip, "\xac\x11\x00\x01", 4);
	assert_string_equal(net_nl_addr_format(&a, true, buf, sizeof(buf)), "172.17.0.1/16");
	assert_string_equal(net_nl_addr_format(&a, false, buf, sizeof(buf)), "172.17.0.1");

	assert_ok(net_nl_addr_parse("10.0.0.7", &a, &err), err);
	assert_int_equal(a.prefixlen, 32);
	assert_ok(net_nl_addr_parse("0.0.0.0/0", &a, &err), err);
	assert_int_equal(a.prefixlen, 0);

	assert_ok(net_nl_addr_parse("FD00:0:0::1/64", &a, &err), err);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefixlen, 64);
	assert_string_equal(net_nl_addr_format(&a, true, buf, sizeof(buf)), "fd00::1/64");
	/* the longest text fits NET_ADDR_STRLEN */
	assert_ok(net_nl_addr_parse("::ffff:255.255.255.255/128", &a, &err), err);
	assert_string_equal(net_nl_addr_format(&a, true, buf, sizeof(buf)), "::ffff:255.255.255.255/128");
	assert_ok(net_nl_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", &a, &err), err);
	assert_string_equal(net_nl_addr_format(&a, true, buf, sizeof(buf)),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	assert_ok(net_nl_addr_parse("::", &a, &err), err);
	assert_int_equal(a.prefixlen, 128);

	assert_error(net_nl_addr_parse("10.0.0.1/33", &a, &err), err,
		     "invalid address '10.0.0.1/33': bad prefix length");
	assert_error(net_nl_addr_parse("10.0.0.1/", &a, &err), err, "invalid address '10.0.0.1/': bad prefix length");
	assert_error(net_nl_addr_parse("10.0.0.1/08", &a, &err), err,
		     "invalid address '10.0.0.1/08': bad prefix length");
	assert_error(net_nl_addr_parse("10.0.0.1/+8", &a, &err), err,
		     "invalid address '10.0.0.1/+8': bad prefix length");
	assert_error(net_nl_addr_parse("fd00::1/129", &a, &err), err,
		     "invalid address 'fd00::1/129': bad prefix length");
	assert_error(net_nl_addr_parse("10.0.0/8", &a, &err), err, "invalid address '10.0.0/8'");
	assert_error(net_nl_addr_parse("/8", &a, &err), err, "invalid address '/8'");
	assert_error(net_nl_addr_parse("", &a, &err), err, "invalid address ''");
	assert_error(net_nl_addr_parse(" 10.0.0.1", &a, &err), err, "invalid address ' 10.0.0.1'");
	assert_int_equal(net_nl_addr_len(AF_INET), 4);
	assert_int_equal(net_nl_addr_len(AF_INET6), 16);
	assert_int_equal(net_nl_addr_len(AF_UNSPEC), 0);
}

/* The request header and attribute layout the helpers produce, checked without a socket. */
static void test_msg_encoding(void **state)
{
	struct net_nl nl = {.seq = 41};
	char buf[NET_NL_MSG_MAX];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	struct nlattr *attr, *nest;
	int n = 0;

	(void)state;
	nlh = net_nl_msg_new(&nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), (void **)&ifi);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nlh->nlmsg_seq, 42);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifi)));
	assert_ptr_equal(ifi, mnl_nlmsg_get_payload(nlh));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br0");
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(mnl_nlmsg_size(0) + MNL_ALIGN(sizeof(*ifi)) + MNL_ALIGN(4 + 4) + 4 + MNL_ALIGN(4 + 7),
			 nlh->nlmsg_len);
	mnl_attr_for_each(attr, nlh, sizeof(*ifi))
	{
		if (n++ == 0) {
			assert_int_equal(mnl_attr_get_type(attr), IFLA_IFNAME);
			assert_string_equal(mnl_attr_get_str(attr), "br0");
		} else {
			assert_int_equal(mnl_attr_get_type(attr), IFLA_LINKINFO);
			assert_int_equal(mnl_attr_get_payload_len(attr), 12);
		}
	}
	assert_int_equal(n, 2);

	/* a dump carries no ACK request */
	nlh = net_nl_msg_new(&nl, buf, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg), (void **)&ifi);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_seq, 43);
}

static void test_sysctl_names(void **state)
{
	struct berth_error *err = NULL;
	char *v = NULL;

	(void)state;
	assert_error(net_sysctl_write("kernel/hostname", "x", &err), err, "invalid sysctl name 'kernel/hostname'");
	assert_error(net_sysctl_write("net/../kernel/x", "1", &err), err, "invalid sysctl name 'net/../kernel/x'");
	assert_error(net_sysctl_write("network.x", "1", &err), err, "invalid sysctl name 'network.x'");
	assert_error(net_sysctl_read(NULL, &v, &err), err, "invalid sysctl name ''");
	assert_error(net_sysctl_set_route_localnet("a/b", true, &err), err, "invalid interface name 'a/b'");
	assert_error(net_sysctl_set_accept_ra("eth0", 3, &err), err, "accept_ra value 3 out of range 0-2");
	/* dotted and slashed names read the same file (any netns has it) */
	assert_ok(net_sysctl_read("net.ipv4.ip_forward", &v, &err), err);
	assert_true(!strcmp(v, "0") || !strcmp(v, "1"));
	free(v);
	assert_ok(net_sysctl_read("net/ipv4/ip_forward", &v, &err), err);
	assert_true(!strcmp(v, "0") || !strcmp(v, "1"));
	free(v);
	assert_error(net_sysctl_read("net.ipv4.nosuch", &v, &err), err,
		     "read sysctl 'net/ipv4/nosuch': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_addr_parse_format),
		cmocka_unit_test(test_msg_encoding),
		cmocka_unit_test(test_sysctl_names),
	};

	(void)nl_fixture_usable;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
