/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Endpoints: addresses and MACs, --ip checks with Docker's words, detach,
 * rm/prune with endpoints, and parallel attaches from several processes
 * (distinct addresses). No root, no kernel objects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "test_network_fixture.h"

static const char ctr_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char ctr_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

static void attach_ok(struct eng *e, const char *net, const char *ctr, const char *ip, struct eng_endpoint *ep)
{
	struct berth_error *err = NULL;
	char *const aliases[] = {"web", NULL};

	if (eng_network_attach(e, net, ctr, "c", ip, NULL, aliases, ep, &err) < 0)
		fail_msg("attach %s to %s: %s", ctr, net, err->msg);
}

static void attach_fails(struct eng *e, const char *net, const char *ctr, const char *ip, const char *msg)
{
	struct eng_endpoint ep = {0};
	struct berth_error *err = NULL;

	assert_int_equal(eng_network_attach(e, net, ctr, "c", ip, NULL, NULL, &ep, &err), -1);
	if (!strstr(err->msg, msg))
		fail_msg("expected '%s', got '%s'", msg, err->msg);
	berth_error_free(&err);
}

static void test_attach(void **state)
{
	struct net_fixture *f = NET_FIXTURE(state);
	struct eng_endpoint ep = {0}, *v = NULL;
	struct berth_error *err = NULL;
	size_t n = 0;
	json_t *doc = NULL, *c;

	net_fixture_create(f, "front", "172.30.0.0/24", NULL, NULL);
	attach_ok(f->e, "front", ctr_a, NULL, &ep);
	assert_string_equal(ep.ip, "172.30.0.2");
	assert_int_equal(ep.prefixlen, 24);
	assert_string_equal(ep.gateway, "172.30.0.1");
	assert_string_equal(ep.mac, "02:42:ac:1e:00:02");
	assert_string_equal(ep.network_name, "front");
	assert_int_equal(strlen(ep.endpoint_id), 64);
	assert_string_equal(ep.aliases[0], "web");
	eng_endpoint_done(&ep);
	attach_fails(f->e, "front", ctr_a, NULL, "endpoint with name c already exists in network front");
	attach_fails(f->e, "front", ctr_b, "172.30.0.2", "Address already in use");
	attach_fails(f->e, "front", ctr_b, "10.0.0.9", "does not belong to any of this network's subnets");
	attach_fails(f->e, "bridge", ctr_b, "10.200.0.140",
		     "user specified IP address is supported on user "
		     "defined networks only");
	attach_ok(f->e, "front", ctr_b, "172.30.0.77", &ep);
	assert_string_equal(ep.ip, "172.30.0.77");
	eng_endpoint_done(&ep);
	/* the default bridge allocates from berth.json's fixed-cidr */
	attach_ok(f->e, "bridge", ctr_b, NULL, &ep);
	assert_string_equal(ep.mac, "02:42:0a:c8:00:80");
	eng_endpoint_done(&ep);
	attach_ok(f->e, "none", ctr_a, NULL, &ep);
	assert_null(ep.ip);
	assert_null(ep.mac);
	eng_endpoint_done(&ep);

	assert_int_equal(eng_network_endpoints(f->e, ctr_b, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].network_name, "front");
	assert_string_equal(v[1].network_name, "bridge");
	eng_endpoints_free(v, n);

	assert_int_equal(eng_network_inspect(f->e, "front", &doc, &err), 0);
	c = json_object_get(json_object_get(doc, "Containers"), ctr_b);
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "IPv4Address")), "172.30.0.77/24");
	assert_string_equal(json_string_value(json_object_get(c, "MacAddress")), "02:42:ac:1e:00:4d");
	assert_string_equal(json_string_value(json_object_get(c, "IPv6Address")), "");
	json_decref(doc);

	/* rm refuses a network in use; after detach it goes, and detach again is fine */
	assert_int_equal(eng_network_remove(f->e, "front", &err), -1);
	assert_non_null(strstr(err->msg, "has active endpoints"));
	berth_error_free(&err);
	assert_int_equal(eng_network_detach(f->e, "front", ctr_a, &err), 0);
	assert_int_equal(eng_network_detach(f->e, "front", ctr_a, &err), 0);
	assert_int_equal(eng_network_detach(f->e, NULL, ctr_b, &err), 0);
	assert_int_equal(eng_network_endpoints(f->e, ctr_b, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	eng_endpoints_free(v, n);
	/* the released address is free again */
	attach_ok(f->e, "front", ctr_b, "172.30.0.2", &ep);
	eng_endpoint_done(&ep);
	assert_int_equal(eng_network_detach(f->e, "front", ctr_b, &err), 0);
	assert_int_equal(eng_network_remove(f->e, "front", &err), 0);
	assert_int_equal(eng_network_detach(f->e, "front", ctr_b, &err), 0);
}

static void test_exhausted_and_prune(void **state)
{
	struct net_fixture *f = NET_FIXTURE(state);
	struct eng_endpoint ep = {0};
	struct berth_error *err = NULL;
	char **names = NULL;

	/* a /30: network, gateway, one address, broadcast */
	net_fixture_create(f, "tiny", "10.90.0.0/30", NULL, NULL);
	net_fixture_create(f, "idle", "10.91.0.0/24", NULL, NULL);
	attach_ok(f->e, "tiny", ctr_a, NULL, &ep);
	assert_string_equal(ep.ip, "10.90.0.2");
	eng_endpoint_done(&ep);
	attach_fails(f->e, "tiny", ctr_b, NULL, "no available IPv4 addresses on this network's address pools: tiny (");
	assert_int_equal(eng_network_prune(f->e, NULL, &names, &err), 0);
	assert_string_equal(names[0], "idle");
	assert_null(names[1]);
	strv_free(names);
}

#define N_PROCS 6
#define PER_PROC 5

/* Each child attaches PER_PROC containers through its own engine and database connection. */
static void child_attach(const struct net_fixture *f, int k)
{
	struct eng *e = net_fixture_open(f);
	struct berth_error *err = NULL;

	for (int i = 0; i < PER_PROC; i++) {
		char id[65];
		struct eng_endpoint ep = {0};

		snprintf(id, sizeof(id), "%064d", k * 100 + i);
		if (eng_network_attach(e, "par", id, id, NULL, NULL, NULL, &ep, &err) < 0) {
			fprintf(stderr, "attach: %s\n", err->msg);
			_exit(1);
		}
		eng_endpoint_done(&ep);
	}
	eng_close(e);
	_exit(0);
}

static void test_parallel_attach(void **state)
{
	struct net_fixture *f = NET_FIXTURE(state);
	pid_t pids[N_PROCS];
	json_t *doc = NULL, *c;
	struct berth_error *err = NULL;
	const char *key;
	_cleanup_strv_ char **seen = NULL;

	net_fixture_create(f, "par", "10.60.0.0/24", NULL, NULL);
	for (int k = 0; k < N_PROCS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0)
			child_attach(f, k);
	}
	for (int k = 0; k < N_PROCS; k++) {
		int status = 0;

		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(eng_network_inspect(f->e, "par", &doc, &err), 0);
	assert_int_equal(json_object_size(json_object_get(doc, "Containers")), N_PROCS * PER_PROC);
	json_object_foreach(json_object_get(doc, "Containers"), key, c)
	{
		const char *ip = json_string_value(json_object_get(c, "IPv4Address"));

		assert_false(strv_contains(seen, ip));
		strv_push(&seen, ip);
	}
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach, net_fixture_setup, net_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_exhausted_and_prune, net_fixture_setup, net_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parallel_attach, net_fixture_setup, net_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
