/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of store/'s network rows: networks, lookups, addresses, and allocation by concurrent processes. */
#include "../base/fixture.h"

#include <errno.h>
#include <sys/wait.h>

#include "base/base.h"
#include "store/store.h"

#define NET_A "aaaa111111111111111111111111111111111111111111111111111111111111"
#define NET_B "aaab222222222222222222222222222222222222222222222222222222222222"
#define CTR_1 "c111111111111111111111111111111111111111111111111111111111111111"
#define CTR_2 "c222222222222222222222222222222222222222222222222222222222222222"

/* The database of the test, opened on a temp dir by setup. */
static struct db *the_db;

static int setup(void **state)
{
	_cleanup_free_ char *path = NULL;

	if (tmp_fixture_setup(state) < 0)
		return -1;
	path = xasprintf("%s/berth.db", ((struct tmp_fixture *)*state)->path);
	return db_open(path, &the_db, NULL);
}

static int teardown(void **state)
{
	db_close(the_db);
	the_db = NULL;
	return tmp_fixture_teardown(state);
}

static void add_network(const char *id, const char *name)
{
	struct db_network n = {.id = (char *)id,
			       .name = (char *)name,
			       .driver = "bridge",
			       .doc = "{\"Name\":\"x\"}",
			       .created = "2024-01-01T00:00:00Z"};

	assert_int_equal(db_network_insert(the_db, &n, NULL), 0);
	assert_true(n.seq > 0);
}

static void test_networks(void **state)
{
	struct berth_error *err = NULL;
	struct db_network got = {0}, *list = NULL;
	struct db_network dup = {.id = NET_B, .name = "web", .driver = "bridge", .doc = "{}", .created = "x"};
	size_t n = 0;

	assert_true(db_schema_version() >= 4);
	add_network(NET_A, "web");
	assert_int_equal(db_network_insert(the_db, &dup, &err), -1);
	assert_int_equal(err->code, EEXIST);
	assert_string_equal(err->msg, "network with name web already exists");
	berth_error_free(&err);
	dup.name = "other";
	dup.id = NET_A;
	assert_int_equal(db_network_insert(the_db, &dup, &err), -1);
	assert_int_equal(err->code, EEXIST);
	berth_error_free(&err);
	add_network(NET_B, "db");

	/* full id, name, unique prefix; an ambiguous prefix is an error; nothing found is not */
	assert_int_equal(db_network_find(the_db, NET_A, &got, NULL), 0);
	assert_string_equal(got.name, "web");
	db_network_done(&got);
	assert_int_equal(db_network_find(the_db, "db", &got, NULL), 0);
	assert_string_equal(got.id, NET_B);
	assert_string_equal(got.driver, "bridge");
	assert_string_equal(got.doc, "{\"Name\":\"x\"}");
	db_network_done(&got);
	assert_int_equal(db_network_find(the_db, "aaaa", &got, NULL), 0);
	assert_string_equal(got.id, NET_A);
	db_network_done(&got);
	assert_int_equal(db_network_find(the_db, "aaa", &got, &err), -1);
	assert_string_equal(err->msg, "network aaa is ambiguous (2 matches found based on ID prefix)");
	berth_error_free(&err);
	assert_int_equal(db_network_find(the_db, "nope", &got, NULL), 0);
	assert_null(got.id);
	assert_int_equal(db_network_find(the_db, "%", &got, NULL), 0);
	assert_null(got.id);

	assert_int_equal(db_network_set_doc(the_db, NET_A, "{\"Name\":\"web\"}", NULL), 0);
	assert_int_equal(db_network_get(the_db, NET_A, &got, NULL), 0);
	assert_string_equal(got.doc, "{\"Name\":\"web\"}");
	db_network_done(&got);

	/* by name */
	assert_int_equal(db_network_list(the_db, &list, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "db");
	assert_string_equal(list[1].name, "web");
	db_networks_free(list, n);

	assert_int_equal(db_network_delete(the_db, NET_B, NULL), 0);
	assert_int_equal(db_network_get(the_db, NET_B, &got, NULL), 0);
	assert_null(got.id);
}

static void test_addresses(void **state)
{
	struct berth_error *err = NULL;
	_cleanup_strv_ char **addrs = NULL;
	struct db_endpoint *eps = NULL;
	size_t n = 0;

	add_network(NET_A, "web");
	add_network(NET_B, "db");
	assert_int_equal(db_address_insert(the_db, NET_A, "172.18.0.2", CTR_1, "eth0", NULL), 0);
	assert_int_equal(db_address_insert(the_db, NET_A, "fd00::2", CTR_1, "eth0", NULL), 0);
	assert_int_equal(db_address_insert(the_db, NET_A, "172.18.0.3", CTR_2, "eth0", NULL), 0);
	assert_int_equal(db_address_insert(the_db, NET_B, "172.19.0.2", CTR_1, "eth1", NULL), 0);
	/* the same address on another network is fine, twice on one is not */
	assert_int_equal(db_address_insert(the_db, NET_B, "172.18.0.2", CTR_2, "eth1", NULL), 0);
	assert_int_equal(db_address_insert(the_db, NET_A, "172.18.0.3", CTR_1, "eth0", &err), -1);
	assert_int_equal(err->code, EADDRINUSE);
	assert_string_equal(err->msg, "address 172.18.0.3 is in use");
	berth_error_free(&err);
	assert_int_equal(db_address_insert(the_db, "f00", "10.0.0.2", CTR_1, "eth0", &err), -1);
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);

	assert_int_equal(db_address_list(the_db, NET_A, &addrs, NULL), 0);
	assert_int_equal(strv_length(addrs), 3);
	assert_true(strv_contains(addrs, "fd00::2"));

	assert_int_equal(db_endpoint_list(the_db, NULL, CTR_1, &eps, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(eps[0].network_id, NET_A);
	assert_string_equal(eps[0].address, "172.18.0.2");
	assert_string_equal(eps[0].endpoint, "eth0");
	assert_string_equal(eps[2].network_id, NET_B);
	db_endpoints_free(eps, n);
	assert_int_equal(db_endpoint_list(the_db, NET_A, NULL, &eps, &n, NULL), 0);
	assert_int_equal(n, 3);
	db_endpoints_free(eps, n);

	/* release on one network, then everywhere; deleting a network drops its rows */
	assert_int_equal(db_address_release(the_db, CTR_1, NET_B, NULL), 0);
	assert_int_equal(db_endpoint_list(the_db, NULL, CTR_1, &eps, &n, NULL), 0);
	assert_int_equal(n, 2);
	db_endpoints_free(eps, n);
	assert_int_equal(db_address_release(the_db, CTR_1, NULL, NULL), 0);
	assert_int_equal(db_endpoint_list(the_db, NULL, CTR_1, &eps, &n, NULL), 0);
	assert_int_equal(n, 0);
	db_endpoints_free(eps, n);
	assert_int_equal(db_network_delete(the_db, NET_A, NULL), 0);
	assert_int_equal(db_endpoint_list(the_db, NULL, NULL, &eps, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(eps[0].network_id, NET_B);
	db_endpoints_free(eps, n);
}

#define CHILDREN 25
#define PER_CHILD 2

/* The lowest 10.0.0.N (N >= 2) not in used: a stand-in for network/'s net_ipam_next. */
static char *lowest_free(char **used)
{
	for (int i = 2;; i++) {
		_cleanup_free_ char *a = xasprintf("10.0.0.%d", i);

		if (!strv_contains(used, a))
			return TAKE_PTR(a);
	}
}

/* One concurrent command: its own connection, read-pick-insert inside BEGIN IMMEDIATE. */
static int child_allocate(const char *path, int k)
{
	_cleanup_db_ struct db *db = NULL;
	_cleanup_free_ char *ctr = xasprintf("%064d", k);

	if (db_open(path, &db, NULL) < 0)
		return 1;
	for (int i = 0; i < PER_CHILD; i++) {
		_cleanup_strv_ char **used = NULL;
		_cleanup_free_ char *addr = NULL;

		if (db_begin(db, NULL) < 0)
			return 2;
		if (db_address_list(db, NET_A, &used, NULL) < 0)
			return 3;
		addr = lowest_free(used);
		if (db_address_insert(db, NET_A, addr, ctr, "eth0", NULL) < 0)
			return 4;
		if (db_commit(db, NULL) < 0)
			return 5;
	}
	return 0;
}

static void test_concurrent_allocation(void **state)
{
	struct tmp_fixture *f = *state;
	_cleanup_free_ char *path = xasprintf("%s/berth.db", f->path);
	_cleanup_strv_ char **addrs = NULL;
	pid_t pids[CHILDREN];

	add_network(NET_A, "web");
	for (int k = 0; k < CHILDREN; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		/* no cmocka in the child: its asserts longjmp into the parent's stack copy */
		if (pids[k] == 0)
			_exit(child_allocate(path, k));
	}
	for (int k = 0; k < CHILDREN; k++) {
		int status;

		assert_int_equal(waitpid(pids[k], &status, 0), pids[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* every insert succeeded and the UNIQUE key held: the addresses are exactly .2 .. .51 */
	assert_int_equal(db_address_list(the_db, NET_A, &addrs, NULL), 0);
	assert_int_equal(strv_length(addrs), CHILDREN * PER_CHILD);
	for (int i = 2; i < 2 + CHILDREN * PER_CHILD; i++) {
		_cleanup_free_ char *a = xasprintf("10.0.0.%d", i);

		assert_true(strv_contains(addrs, a));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_allocation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
