/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/runtime/table.c: runc's list table, Go's RFC 3339 time form, runc ps filtering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "cli/runtime/table.h"

static void add(struct cli_table *t, const char *a, const char *b, const char *c, const char *d, const char *e,
		const char *f)
{
	const char *cells[] = {a, b, c, d, e, f};

	cli_table_add(t, cells, 6);
}

/* Byte for byte what runc 1.1.5 printed for the same containers. */
static void test_table_runc_list(void **state)
{
	_cleanup_(cli_table_done) struct cli_table t = {0};
	_cleanup_(buf_done) struct buf b = {0};

	add(&t, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	add(&t, "t1", "6108", "created", "/tmp/rb.1SZG", "2026-11-26T08:13:58.677890072Z", "root");
	add(&t, "t2-longer-name-x", "6123", "created", "/tmp/rb.1SZG", "2026-11-26T08:13:58.702132685Z", "root");
	cli_table_render(&t, 12, 3, &b);
	assert_string_equal(
		b.data,
		"ID                 PID         STATUS      BUNDLE         CREATED                          OWNER\n"
		"t1                 6108        created     /tmp/rb.1SZG   2026-11-26T08:13:58.677890072Z   root\n"
		"t2-longer-name-x   6123        created     /tmp/rb.1SZG   2026-11-26T08:13:58.702132685Z   root\n");
}

static void test_table_header_only_and_utf8(void **state)
{
	_cleanup_(cli_table_done) struct cli_table t = {0}, u = {0};
	_cleanup_(buf_done) struct buf b = {0}, c = {0};
	const char *two[] = {"\xc3\xa9t\xc3\xa9-container-x", "1"};
	const char *two_b[] = {"a", "2"};

	add(&t, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	cli_table_render(&t, 12, 3, &b);
	assert_string_equal(b.data, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");

	/* widths count characters, not bytes: "été-container-x" is 15 wide */
	cli_table_add(&u, two, 2);
	cli_table_add(&u, two_b, 2);
	cli_table_render(&u, 12, 3, &c);
	assert_string_equal(c.data, "\xc3\xa9t\xc3\xa9-container-x   1\n"
				    "a                 2\n");
}

static void test_time_rfc3339nano(void **state)
{
	struct {
		const char *in, *out;
	} cases[] = {
		{"2026-11-26T08:13:58.677890072Z", "2026-11-26T08:13:58.677890072Z"},
		{"2026-11-26T08:13:58.702132000Z", "2026-11-26T08:13:58.702132Z"},
		{"2026-11-26T08:13:58.100000000+02:00", "2026-11-26T08:13:58.1+02:00"},
		{"2026-11-26T08:13:58.000000000Z", "2026-11-26T08:13:58Z"},
		{"2026-11-26T08:13:58Z", "2026-11-26T08:13:58Z"},
		{"", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *s = cli_time_rfc3339nano(cases[i].in);
		assert_string_equal(s, cases[i].out);
	}
}

static const char ps_ef[] = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
			    "root           1       0  0 08:03 ?        00:00:05 /sbin/init\n"
			    "root        6108       1  0 08:13 ?        00:00:00 sleep 100\n"
			    "root       61080       1  0 08:13 ?        00:00:00 sleep  6108\n"
			    "root        7000    6108  0 08:14 pts/0    00:00:00 sh -c x\n";

static void test_ps_filter(void **state)
{
	_cleanup_(buf_done) struct buf b = {0}, c = {0};
	const pid_t pids[] = {6108, 7000};

	assert_int_equal(cli_ps_filter(ps_ef, pids, 2, &b, NULL), 0);
	assert_string_equal(b.data, "UID          PID    PPID  C STIME TTY          TIME CMD\n"
				    "root        6108       1  0 08:13 ?        00:00:00 sleep 100\n"
				    "root        7000    6108  0 08:14 pts/0    00:00:00 sh -c x\n");

	/* ps -o pid,comm: PID first, right-aligned; no pids keeps the header */
	assert_int_equal(cli_ps_filter("  PID COMMAND\n    1 init\n 6108 sleep\n", pids, 0, &c, NULL), 0);
	assert_string_equal(c.data, "  PID COMMAND\n");
}

static void test_ps_filter_errors(void **state)
{
	_cleanup_error_ struct berth_error *e1 = NULL, *e2 = NULL;
	_cleanup_(buf_done) struct buf b = {0}, c = {0};
	const pid_t pids[] = {1};

	assert_int_equal(cli_ps_filter("USER COMMAND\nroot init\n", pids, 1, &b, &e1), -1);
	assert_string_equal(e1->msg, "couldn't find PID field in ps output");
	assert_int_equal(cli_ps_filter("PID CMD\nx init\n", pids, 1, &c, &e2), -1);
	assert_string_equal(e2->msg, "unable to parse pid from 'x init'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_runc_list),	 cmocka_unit_test(test_table_header_only_and_utf8),
		cmocka_unit_test(test_time_rfc3339nano), cmocka_unit_test(test_ps_filter),
		cmocka_unit_test(test_ps_filter_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
