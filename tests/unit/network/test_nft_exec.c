/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftables executor, as root in a private network namespace (skipped otherwise):
 * apply, replace, failed replace, list, remove.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "network/nft.h"

#define TABLE "berthtest"

/* Set by main: true once the process runs in a network namespace of its own. */
static bool private_netns;

static const struct net_nft_network br0 = {
	.bridge = "bt0", .subnet4 = "172.30.0.0/24", .masquerade = true, .hairpin = true};

static void need_netns(void)
{
	if (!private_netns)
		skip();
}

static char *list(const char *table)
{
	_cleanup_error_ struct berth_error *err = NULL;
	char *text = NULL;

	if (net_nft_table_list(table, &text, &err) < 0)
		fail_msg("list: %s", err->msg);
	return text;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void apply_port(uint16_t host_port)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct net_nft_port p = {NET_NFT_TCP, NULL, host_port, 0, "172.30.0.2", 80, 0, "bt0"};
	struct net_nft_model m = {TABLE, &br0, 1, &p, 1};

	if (net_nft_rules_apply(&m, &err) < 0)
		fail_msg("apply: %s", err->msg);
}

static void test_apply_replace_remove(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *first = NULL, *second = NULL, *other = NULL, *gone = NULL;

	need_netns();
	/* someone else's table, which berth must leave alone */
	assert_int_equal(
		net_nft_script_run("add table ip other\nadd chain ip other c\nadd rule ip other c accept\n", &err), 0);
	apply_port(8080);
	first = list(TABLE);
	assert_non_null(first);
	assert_non_null(strstr(first, "tcp dport 8080 dnat ip to 172.30.0.2:80"));
	assert_non_null(strstr(first, "ip saddr 172.30.0.0/24 oifname != \"bt0\" masquerade"));
	assert_non_null(strstr(first, "fib daddr type local jump ports"));

	/* a second apply replaces the table: no rule of the first is left, none is doubled */
	apply_port(9090);
	second = list(TABLE);
	assert_null(strstr(second, "8080"));
	assert_non_null(strstr(second, "tcp dport 9090 dnat ip to 172.30.0.2:80"));
	assert_int_equal(count(second, "ip saddr 172.30.0.0/24 oifname != \"bt0\" masquerade"), 1);
	assert_int_equal(count(second, "chain forward"), 1);

	assert_int_equal(net_nft_table_remove(TABLE, &err), 0);
	gone = list(TABLE);
	assert_null(gone);
	/* removing what is not there is fine */
	assert_int_equal(net_nft_table_remove(TABLE, &err), 0);
	other = list(NULL);
	assert_null(other);
	assert_int_equal(net_nft_script_run("list table ip other", &err), 0);
	assert_int_equal(net_nft_script_run("delete table ip other", &err), 0);
}

static void test_failed_apply_keeps_table(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *before = NULL, *after = NULL, *after2 = NULL;
	/* parsed fine, refused by the kernel: the delete of the same transaction is undone */
	const char *bad = "add table inet " TABLE "\ndelete table inet " TABLE "\ntable inet " TABLE " {\n"
			  "\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
			  "\t\tjump nochain\n\t}\n}\n";

	need_netns();
	apply_port(8080);
	before = list(TABLE);
	assert_int_equal(net_nft_script_run(bad, &err), -1);
	assert_string_equal(err->msg, "nftables: Error: Could not process rule: No such file or directory");
	after = list(TABLE);
	assert_string_equal(before, after);

	berth_error_free(&err);
	assert_int_equal(net_nft_script_run("delete table inet " TABLE "\nthis is not nft\n", &err), -1);
	assert_true(!strncmp(err->msg, "nftables: Error: syntax error", 29));
	after2 = list(TABLE);
	assert_string_equal(before, after2);
	assert_int_equal(net_nft_table_remove(TABLE, &err), 0);
}

static void test_bad_names(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	char *text = NULL;

	/* checked before libnftables is touched: no root needed */
	assert_int_equal(net_nft_table_list("x; flush ruleset", &text, &err), -1);
	assert_string_equal(err->msg, "invalid nftables table name 'x; flush ruleset'");
	berth_error_free(&err);
	assert_int_equal(net_nft_table_remove("x y", &err), -1);
	assert_null(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_apply_replace_remove),
		cmocka_unit_test(test_failed_apply_keeps_table),
	};

	/* never in the host's namespace: rules and links go into one made for this process */
	private_netns = geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
