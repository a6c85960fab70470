/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Links, addresses and routes over rtnetlink (root only), each test in a new
 * private network namespace: bridge, veth, enslave, MTU, MAC, rename, the
 * errors for duplicates and missing links, addresses and routes.
 */
#include "test_netlink_fixture.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

static const unsigned char bridge_mac[NET_MAC_LEN] = {0x02, 0x42, 0x0a, 0x58, 0x00, 0x01};

static struct net_link_info link_get(struct net_nl *nl, const char *name)
{
	struct berth_error *err = NULL;
	struct net_link_info info;

	assert_ok(net_link_get(nl, name, &info, &err), err);
	return info;
}

static void test_bridge_create_up_delete(void **state)
{
	struct nl_fixture *f = *state;
	struct berth_error *err = NULL;
	struct net_link_info info;
	bool exists = true;
	int index = -1;

	NL_FIXTURE_NEED_ROOT(f);
	assert_ok(net_bridge_create(f->nl, "berthbr0", 1400, bridge_mac, &err), err);
	info = link_get(f->nl, "berthbr0");
	assert_true(info.ifindex > 0);
	assert_string_equal(info.name, "berthbr0");
	assert_string_equal(info.kind, "bridge");
	assert_int_equal(info.mtu, 1400);
	assert_true(info.has_mac);
	assert_memory_equal(info.mac, bridge_mac, NET_MAC_LEN);
	assert_false(info.is_up);
	assert_int_equal(info.master, 0);

	assert_ok(net_link_set_up(f->nl, "berthbr0", true, &err), err);
	assert_true(link_get(f->nl, "berthbr0").is_up);
	assert_ok(net_link_set_up(f->nl, "berthbr0", false, &err), err);
	assert_false(link_get(f->nl, "berthbr0").is_up);

	assert_ok(net_link_index(f->nl, "berthbr0", &index, &err), err);
	assert_int_equal(index, info.ifindex);
	assert_ok(net_link_delete(f->nl, "berthbr0", 0, &err), err);
	assert_ok(net_link_exists(f->nl, "berthbr0", &exists, &err), err);
	assert_false(exists);
	assert_ok(net_link_index(f->nl, "berthbr0", &index, &err), err);
	assert_int_equal(index, 0);
	assert_int_equal(link_get(f->nl, "berthbr0").ifindex, 0);
	assert_ok(net_link_delete(f->nl, "berthbr0", NET_LINK_MISSING_OK, &err), err);
}

static void test_errors(void **state)
{
	struct nl_fixture *f = *state;
	struct berth_error *err = NULL;
	unsigned char mac[NET_MAC_LEN] = {0x02, 0, 0, 0, 0, 9};

	NL_FIXTURE_NEED_ROOT(f);
	assert_ok(net_bridge_create(f->nl, "berthbr0", 0, NULL, &err), err);
	assert_int_equal(net_bridge_create(f->nl, "berthbr0", 0, NULL, &err), -1);
	assert_int_equal(err->code, EEXIST);
	assert_string_equal(err->msg, "create bridge 'berthbr0': File exists");
	berth_error_free(&err);
	assert_error(net_veth_create(f->nl, "berthbr0", "berthp0", 0, -1, NULL, &err), err,
		     "create veth 'berthbr0' with peer 'berthp0': File exists");

	assert_int_equal(net_link_delete(f->nl, "nosuch0", 0, &err), -1);
	assert_int_equal(err->code, ENODEV);
	assert_string_equal(err->msg, "delete link 'nosuch0': No such device");
	berth_error_free(&err);
	assert_error(net_link_set_up(f->nl, "nosuch0", true, &err), err, "set link 'nosuch0' up: No such device");
	assert_error(net_link_set_mtu(f->nl, "nosuch0", 1400, &err), err,
		     "set MTU of 'nosuch0' to 1400: No such device");
	assert_error(net_link_set_mac(f->nl, "nosuch0", mac, &err), err,
		     "set MAC address of 'nosuch0' to '02:00:00:00:00:09': No such device");
	assert_error(net_link_set_master(f->nl, "nosuch0", "berthbr0", &err), err,
		     "set master of 'nosuch0' to 'berthbr0': No such device");
	assert_error(net_link_set_master(f->nl, "berthbr0", "nosuch1", &err), err,
		     "set master of 'berthbr0' to 'nosuch1': No such device");
	assert_error(net_link_rename(f->nl, "nosuch0", "nosuch1", &err), err,
		     "rename link 'nosuch0' to 'nosuch1': No such device");
	assert_error(net_bridge_create(f->nl, "much-too-long-name", 0, NULL, &err), err,
		     "invalid interface name 'much-too-long-name'");
	assert_error(net_link_delete(f->nl, "a/b", NET_LINK_MISSING_OK, &err), err, "invalid interface name 'a/b'");
	/* the kernel refuses an MTU below the minimum; its own words may follow in parentheses */
	assert_int_equal(net_link_set_mtu(f->nl, "berthbr0", 10, &err), -1);
	assert_int_equal(err->code, EINVAL);
	assert_error_prefix(-1, err, "set MTU of 'berthbr0' to 10: Invalid argument");
	/* the handle is still in step after failures */
	assert_int_equal(link_get(f->nl, "berthbr0").mtu, 1500);
}

static void test_veth_enslave_mtu_mac_rename(void **state)
{
	struct nl_fixture *f = *state;
	struct berth_error *err = NULL;
	unsigned char low_mac[NET_MAC_LEN] = {0x02, 0, 0, 0, 0, 1}, br_mac[NET_MAC_LEN];
	unsigned char peer_mac[NET_MAC_LEN] = {0x02, 0x42, 0xac, 0x11, 0, 2};
	struct net_link_info br, veth, peer;

	NL_FIXTURE_NEED_ROOT(f);
	/* no MAC given: a random one, set by us so the bridge does not take its ports' */
	assert_ok(net_bridge_create(f->nl, "berthbr0", 0, NULL, &err), err);
	br = link_get(f->nl, "berthbr0");
	assert_int_equal(br.mac[0] & 0x03, 0x02);
	memcpy(br_mac, br.mac, NET_MAC_LEN);

	assert_ok(net_veth_create(f->nl, "berthv0", "berthp0", 1450, -1, peer_mac, &err), err);
	veth = link_get(f->nl, "berthv0");
	peer = link_get(f->nl, "berthp0");
	assert_string_equal(veth.kind, "veth");
	assert_int_equal(veth.mtu, 1450);
	assert_int_equal(peer.mtu, 1450);
	assert_memory_equal(peer.mac, peer_mac, NET_MAC_LEN);

	assert_ok(net_link_set_mac(f->nl, "berthv0", low_mac, &err), err);
	assert_memory_equal(link_get(f->nl, "berthv0").mac, low_mac, NET_MAC_LEN);
	assert_ok(net_link_set_master(f->nl, "berthv0", "berthbr0", &err), err);
	assert_int_equal(link_get(f->nl, "berthv0").master, br.ifindex);
	assert_ok(net_link_set_up(f->nl, "berthv0", true, &err), err);
	assert_ok(net_link_set_up(f->nl, "berthbr0", true, &err), err);
	/* a port with a lower MAC does not change the bridge's */
	assert_memory_equal(link_get(f->nl, "berthbr0").mac, br_mac, NET_MAC_LEN);

	assert_ok(net_link_set_mtu(f->nl, "berthp0", 1300, &err), err);
	assert_int_equal(link_get(f->nl, "berthp0").mtu, 1300);
	assert_ok(net_link_set_master(f->nl, "berthv0", NULL, &err), err);
	assert_int_equal(link_get(f->nl, "berthv0").master, 0);

	assert_ok(net_link_rename(f->nl, "berthp0", "eth0", &err), err);
	assert_int_equal(link_get(f->nl, "eth0").ifindex, peer.ifindex);
	assert_int_equal(link_get(f->nl, "berthp0").ifindex, 0);
	/* deleting one end takes the other */
	assert_ok(net_link_delete(f->nl, "berthv0", 0, &err), err);
	assert_int_equal(link_get(f->nl, "eth0").ifindex, 0);
}

static const struct net_addr_entry *find_addr(const struct net_addr_entry *v, size_t n, int ifindex, const char *text)
{
	char buf[NET_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++)
		if (v[i].ifindex == ifindex && !strcmp(net_nl_addr_format(&v[i].addr, true, buf, sizeof(buf)), text))
			return &v[i];
	return NULL;
}

static void test_addresses(void **state)
{
	struct nl_fixture *f = *state;
	struct berth_error *err = NULL;
	struct net_addr_entry *v = NULL;
	struct net_nl_addr a4, a6;
	size_t n = 0;
	int index;
	char msg[128];

	NL_FIXTURE_NEED_ROOT(f);
	assert_ok(net_bridge_create(f->nl, "berthbr0", 0, bridge_mac, &err), err);
	assert_ok(net_link_index(f->nl, "berthbr0", &index, &err), err);
	assert_ok(net_link_set_up(f->nl, "berthbr0", true, &err), err);
	assert_ok(net_nl_addr_parse("10.88.0.1/16", &a4, &err), err);
	assert_ok(net_nl_addr_parse("fd00:88::1/64", &a6, &err), err);
	assert_ok(net_addr_add(f->nl, index, &a4, 0, &err), err);
	assert_ok(net_addr_add(f->nl, index, &a6, NET_ADDR_NODAD, &err), err);

	assert_ok(net_addr_list(f->nl, AF_UNSPEC, &v, &n, &err), err);
	assert_non_null(find_addr(v, n, index, "10.88.0.1/16"));
	assert_non_null(find_addr(v, n, index, "fd00:88::1/64"));
	assert_int_equal(find_addr(v, n, index, "10.88.0.1/16")->addr.family, AF_INET);
	free(v);
	assert_ok(net_addr_list(f->nl, AF_INET, &v, &n, &err), err);
	assert_null(find_addr(v, n, index, "fd00:88::1/64"));
	assert_non_null(find_addr(v, n, index, "10.88.0.1/16"));
	free(v);

	snprintf(msg, sizeof(msg), "add address '10.88.0.1/16' to link %d: File exists", index);
	assert_error_prefix(net_addr_add(f->nl, index, &a4, 0, &err), err, msg);
	snprintf(msg, sizeof(msg), "add address '10.88.0.1/16' to link %d: No such device", index + 100);
	assert_error_prefix(net_addr_add(f->nl, index + 100, &a4, 0, &err), err, msg);

	assert_ok(net_addr_del(f->nl, index, &a4, &err), err);
	assert_ok(net_addr_list(f->nl, AF_UNSPEC, &v, &n, &err), err);
	assert_null(find_addr(v, n, index, "10.88.0.1/16"));
	assert_non_null(find_addr(v, n, index, "fd00:88::1/64"));
	free(v);
	snprintf(msg, sizeof(msg), "delete address '10.88.0.1/16' from link %d: Cannot assign requested address",
		 index);
	assert_error_prefix(net_addr_del(f->nl, index, &a4, &err), err, msg);
}

static const struct net_route *find_route(const struct net_route *v, size_t n, const char *dst)
{
	char buf[NET_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++)
		if (!strcmp(net_nl_addr_format(&v[i].dst, true, buf, sizeof(buf)), dst))
			return &v[i];
	return NULL;
}

/* A veth pair, both ends up (so it has carrier), with v4 and v6 addresses on berthv0. */
static int veth_with_addresses(struct net_nl *nl)
{
	struct berth_error *err = NULL;
	struct net_nl_addr a4, a6;
	int index;

	assert_ok(net_veth_create(nl, "berthv0", "berthv1", 0, -1, NULL, &err), err);
	assert_ok(net_link_set_up(nl, "berthv1", true, &err), err);
	assert_ok(net_link_set_up(nl, "berthv0", true, &err), err);
	assert_ok(net_link_index(nl, "berthv0", &index, &err), err);
	assert_ok(net_nl_addr_parse("10.89.0.2/24", &a4, &err), err);
	assert_ok(net_nl_addr_parse("fd00:89::2/64", &a6, &err), err);
	assert_ok(net_addr_add(nl, index, &a4, 0, &err), err);
	assert_ok(net_addr_add(nl, index, &a6, NET_ADDR_NODAD, &err), err);
	return index;
}

static void test_routes(void **state)
{
	struct nl_fixture *f = *state;
	struct berth_error *err = NULL;
	struct net_route *v = NULL;
	const struct net_route *r;
	struct net_nl_addr gw4, gw6, dst;
	size_t n = 0;
	int index;

	NL_FIXTURE_NEED_ROOT(f);
	index = veth_with_addresses(f->nl);
	assert_ok(net_nl_addr_parse("10.89.0.1", &gw4, &err), err);
	assert_ok(net_nl_addr_parse("fd00:89::1", &gw6, &err), err);
	assert_ok(net_route_add_default(f->nl, &gw4, 0, &err), err);
	assert_ok(net_route_add_default(f->nl, &gw6, index, &err), err);
	assert_ok(net_nl_addr_parse("192.168.77.5/24", &dst, &err), err);
	assert_ok(net_route_add_dev(f->nl, &dst, index, &err), err);

	assert_ok(net_route_list(f->nl, AF_UNSPEC, &v, &n, &err), err);
	r = find_route(v, n, "0.0.0.0/0");
	assert_non_null(r);
	assert_true(r->has_gateway);
	assert_memory_equal(r->gateway, gw4.ip, 4);
	assert_int_equal(r->ifindex, index);
	r = find_route(v, n, "::/0");
	assert_non_null(r);
	assert_true(r->has_gateway);
	assert_memory_equal(r->gateway, gw6.ip, 16);
	/* the kernel's connected route, and ours with its host bits cleared */
	r = find_route(v, n, "10.89.0.0/24");
	assert_non_null(r);
	assert_int_equal(r->protocol, RTPROT_KERNEL);
	assert_int_equal(r->ifindex, index);
	r = find_route(v, n, "192.168.77.0/24");
	assert_non_null(r);
	assert_int_equal(r->scope, RT_SCOPE_LINK);
	assert_false(r->has_gateway);
	assert_non_null(find_route(v, n, "fd00:89::/64"));
	/* local-table routes (10.89.0.2/32 local) are not listed */
	assert_null(find_route(v, n, "10.89.0.2/32"));
	free(v);

	assert_ok(net_route_list(f->nl, AF_INET6, &v, &n, &err), err);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].family, AF_INET6);
	assert_null(find_route(v, n, "0.0.0.0/0"));
	free(v);

	assert_error(net_route_add_default(f->nl, &gw4, 0, &err), err,
		     "add default route via '10.89.0.1': File exists");
	assert_ok(net_nl_addr_parse("10.99.0.1", &gw4, &err), err);
	/* no route to the gateway */
	assert_error_prefix(net_route_add_default(f->nl, &gw4, 0, &err), err,
			    "add default route via '10.99.0.1': Network is unreachable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bridge_create_up_delete, nl_fixture_setup, nl_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_errors, nl_fixture_setup, nl_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_veth_enslave_mtu_mac_rename, nl_fixture_setup,
						nl_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_addresses, nl_fixture_setup, nl_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_routes, nl_fixture_setup, nl_fixture_teardown),
	};

	nl_fixture_usable = nl_fixture_enter_private_mounts();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
