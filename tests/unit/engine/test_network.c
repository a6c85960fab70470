/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Networks as documents: NetworkCreate validation, the inspect document's
 * shape, subnet picking against given taken lists, and the predefined
 * networks from a test berth.json. No root, no kernel objects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "network/network.h"
#include "test_network_fixture.h"

static void test_name_rule(void **state)
{
	static const char *const good[] = {"a", "web", "A.b-c_d", "0net", "n1"};
	static const char *const bad[] = {"", "_a", ".a", "-a", "a b", "a/b", "a:b", "é"};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(eng_net_name_is_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(eng_net_name_is_valid(bad[i]));
}

/* Parse body (JSON text); the error's message or NULL on success. */
static char *parse_error(const char *text)
{
	json_t *body = json_loads(text, 0, NULL);
	struct eng_net_request r = {0};
	struct berth_error *err = NULL;
	char *msg = NULL;

	assert_non_null(body);
	if (eng_net_request_parse(body, &r, &err) < 0) {
		msg = xstrdup(err->msg);
		berth_error_free(&err);
	}
	eng_net_request_done(&r);
	json_decref(body);
	return msg;
}

static void expect_error(const char *text, const char *needle)
{
	_cleanup_free_ char *msg = parse_error(text);

	if (!msg || !strstr(msg, needle))
		fail_msg("%s: expected '%s', got '%s'", text, needle, msg ? msg : "(success)");
}

static void test_validation(void **state)
{
	_cleanup_free_ char *ok = NULL;
	json_t *body;
	struct eng_net_request r = {0};
	struct berth_error *err = NULL;

	(void)state;
	expect_error("{}", "name is required");
	expect_error("{\"Name\": \"a b\"}", "invalid network name \"a b\"");
	expect_error("{\"Name\": \"n\", \"Driver\": \"overlay\"}", "plugin \"overlay\" not found");
	expect_error("{\"Name\": \"n\", \"Driver\": \"host\"}", "only one instance of \"host\"");
	expect_error("{\"Name\": \"n\", \"IPAM\": {\"Driver\": \"foo\"}}", "plugin \"foo\" not found");
	expect_error("{\"Name\": \"n\", \"IPAM\": {\"Config\": [{\"Subnet\": \"10.0.0.0/8\", \"Gateway\": "
		     "\"11.0.0.1\"}]}}",
		     "invalid gateway 11.0.0.1");
	expect_error("{\"Name\": \"n\", \"IPAM\": {\"Config\": [{\"Subnet\": \"10.0.0.0/16\", \"IPRange\": "
		     "\"10.1.0.0/24\"}]}}",
		     "10.1.0.0/24");
	expect_error("{\"Name\": \"n\", \"IPAM\": {\"Config\": [{\"Gateway\": \"10.0.0.1\"}]}}",
		     "corresponding subnet");
	expect_error("{\"Name\": \"n\", \"IPAM\": {\"Config\": [{\"Subnet\": \"10.0.0.5/16\"}]}}", "invalid subnet");
	expect_error("{\"Name\": \"n\", \"IPAM\": {\"Config\": [{\"Subnet\": \"bogus\"}]}}", "bogus");
	expect_error("{\"Name\": \"n\", \"Options\": {\"com.docker.network.bridge.name\": \"a-very-long-bridge\"}}",
		     "invalid bridge name");
	expect_error("{\"Name\": \"n\", \"Options\": {\"com.docker.network.driver.mtu\": \"x\"}}", "invalid MTU");
	expect_error("{\"Name\": \"n\", \"Labels\": {\"a\": 1}}", "Labels.a");
	expect_error("{\"Name\": \"n\", \"Internal\": \"yes\"}", "Internal");
	ok = parse_error("{\"Name\": \"n\"}");
	assert_null(ok);

	body = json_pack("{s:s, s:b, s:{s:[{s:s, s:s, s:s}, {s:s}]}, s:{s:s}}", "Name", "web", "EnableIPv6", 1, "IPAM",
			 "Config", "Subnet", "10.5.0.0/16", "IPRange", "10.5.1.0/24", "Gateway", "10.5.0.254", "Subnet",
			 "fd00:1::/64", "Options", "com.docker.network.bridge.name", "brweb");
	assert_int_equal(eng_net_request_parse(body, &r, &err), 0);
	assert_string_equal(r.driver, "bridge");
	assert_string_equal(r.subnet, "10.5.0.0/16");
	assert_string_equal(r.ip_range, "10.5.1.0/24");
	assert_string_equal(r.gateway, "10.5.0.254");
	assert_string_equal(r.subnet6, "fd00:1::/64");
	assert_true(r.ipv6);
	eng_net_request_done(&r);
	json_decref(body);
}

static void test_bridge_name(void **state)
{
	json_t *opts = json_pack("{s:s}", ENG_NET_OPT_BRIDGE_NAME, "mybr");
	struct berth_error *err = NULL;
	char *name = NULL;

	(void)state;
	assert_int_equal(eng_net_bridge_name(NULL, "0123456789abcdef", &name, &err), 0);
	assert_string_equal(name, "br-0123456789ab");
	free(name);
	assert_int_equal(eng_net_bridge_name(opts, "0123456789abcdef", &name, &err), 0);
	assert_string_equal(name, "mybr");
	free(name);
	json_decref(opts);
}

static void test_subnet_pick(void **state)
{
	struct net_taken taken[3] = {{.what = "network 'bridge'"}, {.what = "route via 'eth0'"}, {.what = "default"}};
	size_t n_pools;
	const struct net_pool *pools = net_pools_default(&n_pools);
	struct berth_error *err = NULL;
	char *subnet = NULL;

	(void)state;
	assert_int_equal(net_prefix_parse("172.17.0.0/16", &taken[0].prefix, NULL), 0);
	assert_int_equal(net_prefix_parse("172.18.5.0/24", &taken[1].prefix, NULL), 0);
	assert_int_equal(net_prefix_parse("0.0.0.0/0", &taken[2].prefix, NULL), 0);
	/* the first pool entry neither the bridge nor the route touches; a default route takes nothing */
	assert_int_equal(eng_net_choose_subnet(pools, n_pools, AF_INET, NULL, taken, 3, &subnet, &err), 0);
	assert_string_equal(subnet, "172.19.0.0/16");
	free(subnet);
	assert_int_equal(eng_net_choose_subnet(pools, n_pools, AF_INET, NULL, taken, 0, &subnet, &err), 0);
	assert_string_equal(subnet, "172.17.0.0/16");
	free(subnet);
	/* a given subnet: refused naming the clash */
	assert_int_equal(eng_net_choose_subnet(pools, n_pools, AF_INET, "172.17.3.0/24", taken, 1, &subnet, &err), -1);
	assert_non_null(strstr(err->msg, "network 'bridge'"));
	berth_error_free(&err);
	assert_int_equal(eng_net_choose_subnet(pools, n_pools, AF_INET, "172.100.0.0/16", taken, 3, &subnet, &err), 0);
	assert_string_equal(subnet, "172.100.0.0/16");
	free(subnet);
	/* one pool of one /24, taken: exhausted */
	{
		struct net_pool one = {.size = 24};

		assert_int_equal(net_prefix_parse("10.1.1.0/24", &one.base, NULL), 0);
		taken[0].prefix = one.base;
		assert_int_equal(eng_net_choose_subnet(&one, 1, AF_INET, NULL, taken, 1, &subnet, &err), -1);
		assert_non_null(strstr(err->msg, "could not find an available, non-overlapping IPv4 address pool"));
		berth_error_free(&err);
	}
}

static void test_document_shape(void **state)
{
	static const char *const keys[] = {"Name",	 "Id",	       "Created",    "Scope",	   "Driver",
					   "EnableIPv6", "IPAM",       "Internal",   "Attachable", "Ingress",
					   "ConfigFrom", "ConfigOnly", "Containers", "Options",	   "Labels"};
	struct net_fixture *f = NET_FIXTURE(state);
	_cleanup_free_ char *id = NULL;
	json_t *body = json_pack("{s:s, s:{s:[{s:s}]}, s:{s:s}}", "Name", "shape", "IPAM", "Config", "Subnet",
				 "10.77.0.0/16", "Labels", "team", "a");
	json_t *doc = NULL, *v, *cfg;
	struct berth_error *err = NULL;
	const char *key;
	size_t i = 0;

	assert_int_equal(eng_network_create(f->e, body, &id, &err), 0);
	assert_int_equal(strlen(id), 64);
	assert_int_equal(eng_network_inspect(f->e, "shape", &doc, &err), 0);
	json_object_foreach(doc, key, v)
	{
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i++]);
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(json_string_value(json_object_get(doc, "Id")), id);
	assert_string_equal(json_string_value(json_object_get(doc, "Scope")), "local");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "IPAM"), "Driver")), "default");
	cfg = json_array_get(json_object_get(json_object_get(doc, "IPAM"), "Config"), 0);
	assert_string_equal(json_string_value(json_object_get(cfg, "Subnet")), "10.77.0.0/16");
	assert_string_equal(json_string_value(json_object_get(cfg, "Gateway")), "10.77.0.1");
	assert_null(json_object_get(cfg, "IPRange"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "ConfigFrom"), "Network")), "");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "Labels"), "team")), "a");
	assert_int_equal(json_object_size(json_object_get(doc, "Containers")), 0);
	json_decref(doc);
	/* a second network may not take an overlapping subnet, nor the same name */
	json_object_set_new(body, "Name", json_string("shape2"));
	json_array_set_new(json_object_get(json_object_get(body, "IPAM"), "Config"), 0,
			   json_pack("{s:s}", "Subnet", "10.77.8.0/24"));
	assert_int_equal(eng_network_create(f->e, body, &(char *){NULL}, &err), -1);
	assert_non_null(strstr(err->msg, "network 'shape'"));
	berth_error_free(&err);
	json_object_set_new(body, "Name", json_string("shape"));
	assert_int_equal(eng_network_create(f->e, body, &(char *){NULL}, &err), -1);
	assert_non_null(strstr(err->msg, "network with name shape already exists"));
	berth_error_free(&err);
	json_decref(body);
}

static void test_predefined(void **state)
{
	struct net_fixture *f = NET_FIXTURE(state);
	_cleanup_network_ struct eng_network *n = NULL;
	json_t *rows = NULL;
	struct berth_error *err = NULL;

	assert_int_equal(eng_networks_ensure_default(f->e, &err), 0);
	assert_int_equal(eng_networks_ensure_default(f->e, &err), 0);
	assert_int_equal(eng_network_ls_rows(f->e, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 3);
	json_decref(rows);
	assert_int_equal(eng_network_find(f->e, "bridge", &n, &err), 0);
	/* from the fixture's berth.json: bip 10.200.0.1/24, fixed-cidr 10.200.0.128/25, mtu 1400 */
	assert_string_equal(n->subnet, "10.200.0.0/24");
	assert_string_equal(n->gateway, "10.200.0.1");
	assert_string_equal(n->bridge_if, ENG_NET_DEFAULT_BRIDGE_IF);
	assert_int_equal(n->mtu, 1400);
	assert_true(n->is_default);
	assert_true(n->masquerade);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(n->doc, "Options"), ENG_NET_OPT_DEFAULT_BRIDGE)),
		"true");
	assert_int_equal(eng_network_remove(f->e, "bridge", &err), -1);
	assert_string_equal(err->msg, "bridge is a pre-defined network and cannot be removed");
	berth_error_free(&err);
	assert_int_equal(eng_network_remove(f->e, "none", &err), -1);
	berth_error_free(&err);
	assert_int_equal(eng_network_find(f->e, "nosuch", &n, &err), -1);
	assert_string_equal(err->msg, "network nosuch not found");
	berth_error_free(&err);
}

static void test_list_filters(void **state)
{
	struct net_fixture *f = NET_FIXTURE(state);
	char *const custom[] = {"type=custom", NULL}, *const builtin[] = {"type=builtin", "driver=null", NULL};
	char *const label[] = {"label=team=a", NULL}, *const bad[] = {"foo=bar", NULL};
	json_t *rows = NULL;
	struct berth_error *err = NULL;

	net_fixture_create(f, "lf1", "10.81.0.0/16", "team", "a");
	net_fixture_create(f, "lf2", "10.82.0.0/16", NULL, NULL);
	assert_int_equal(eng_network_list(f->e, custom, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 2);
	json_decref(rows);
	assert_int_equal(eng_network_list(f->e, builtin, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "Name")), "none");
	json_decref(rows);
	assert_int_equal(eng_network_list(f->e, label, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "Labels")), "team=a");
	json_decref(rows);
	assert_int_equal(eng_network_list(f->e, bad, &rows, &err), -1);
	assert_string_equal(err->msg, "invalid filter 'foo'");
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_bridge_name),
		cmocka_unit_test(test_subnet_pick),
		cmocka_unit_test_setup_teardown(test_document_shape, net_fixture_setup, net_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_predefined, net_fixture_setup, net_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, net_fixture_setup, net_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
