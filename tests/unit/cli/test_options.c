/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/runtime/options.c: runc's flag syntax and ordering rules, and the usage text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "cli/runtime/options.h"

struct test_opts {
	const char *bundle;
	bool detach;
	bool tty;
	int fds;
	char **env;
};

#define O(field) offsetof(struct test_opts, field)
static const struct cli_opt test_options[] = {
	{"bundle", 'b', CLI_OPT_STRING, O(bundle), "path to the bundle", NULL},
	{"detach", 'd', CLI_OPT_BOOL, O(detach), "detach", NULL},
	{"tty", 't', CLI_OPT_BOOL, O(tty), "allocate a tty", NULL},
	{"preserve-fds", 0, CLI_OPT_INT, O(fds), "pass N fds", "0"},
	{"env", 'e', CLI_OPT_STRV, O(env), "set environment variables", NULL},
	CLI_OPT_END,
};

/* Parse a NULL-terminated argument list; the strings must outlive the result. */
static int parse(struct test_opts *o, struct cli_args *a, unsigned flags, struct berth_error **err, char **argv)
{
	int argc = (int)strv_length(argv);

	memset(o, 0, sizeof(*o));
	return cli_parse(test_options, o, argc, argv, flags, a, err);
}

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static void test_long_short_single_dash(void **state)
{
	struct test_opts o;
	struct cli_args a;

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("--bundle", "/b1", "id")), 0);
	assert_string_equal(o.bundle, "/b1");
	assert_int_equal(a.n, 1);
	assert_string_equal(a.args[0], "id");
	assert_null(a.args[1]);
	cli_args_done(&a);

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-b", "/b2", "-d", "id")), 0);
	assert_string_equal(o.bundle, "/b2");
	assert_true(o.detach);
	cli_args_done(&a);

	/* urfave/cli (Go's flag package) takes long names with one dash and short ones with two */
	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-bundle", "/b3", "--d", "-preserve-fds", "4", "id")), 0);
	assert_string_equal(o.bundle, "/b3");
	assert_true(o.detach);
	assert_int_equal(o.fds, 4);
	cli_args_done(&a);
}

static void test_equals_values(void **state)
{
	struct test_opts o;
	struct cli_args a;

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("--bundle=/x=y", "-preserve-fds=2", "-b=/z", "id")), 0);
	/* the last one wins */
	assert_string_equal(o.bundle, "/z");
	assert_int_equal(o.fds, 2);
	cli_args_done(&a);

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("--bundle=", "id")), 0);
	assert_string_equal(o.bundle, "");
	cli_args_done(&a);
}

static void test_bools(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct test_opts o;
	struct cli_args a;
	bool b;

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("--detach=true", "-t=1", "id")), 0);
	assert_true(o.detach);
	assert_true(o.tty);
	cli_args_done(&a);

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-d", "--detach=false", "--tty=F", "id")), 0);
	assert_false(o.detach);
	assert_false(o.tty);
	cli_args_done(&a);

	/* a bool never takes the next argument as its value */
	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-d", "false")), 0);
	assert_true(o.detach);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.args[0], "false");
	cli_args_done(&a);

	assert_int_equal(parse(&o, &a, 0, &err, ARGV("--detach=yes", "id")), -1);
	assert_string_equal(err->msg, "invalid value 'yes' for flag '--detach': expected true or false");

	assert_int_equal(cli_parse_bool("True", &b), 0);
	assert_true(b);
	assert_int_equal(cli_parse_bool("FALSE", &b), 0);
	assert_false(b);
	assert_int_equal(cli_parse_bool("tRUE", &b), -1);
	assert_int_equal(cli_parse_bool("", &b), -1);
}

static void test_repeated_list(void **state)
{
	struct test_opts o;
	struct cli_args a;

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-e", "A=1", "--env=B=2", "-env", "C=", "id")), 0);
	assert_int_equal(strv_length(o.env), 3);
	assert_string_equal(o.env[0], "A=1");
	assert_string_equal(o.env[1], "B=2");
	assert_string_equal(o.env[2], "C=");
	cli_args_done(&a);
	cli_opts_done(test_options, &o);
	assert_null(o.env);
}

static void test_double_dash(void **state)
{
	struct test_opts o;
	struct cli_args a;

	/* before the first positional "--" is consumed and ends the flags */
	assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, NULL, ARGV("-d", "--", "-b", "id")), 0);
	assert_true(o.detach);
	assert_null(o.bundle);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.args[0], "-b");
	assert_string_equal(a.args[1], "id");
	cli_args_done(&a);

	/* after it urfave/cli keeps it as an argument (runc exec ID -- cmd runs "--") */
	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("id", "--", "echo")), 0);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.args[1], "--");
	cli_args_done(&a);

	assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, NULL, ARGV("id", "--", "-d")), 0);
	assert_false(o.detach);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.args[1], "--");
	assert_string_equal(a.args[2], "-d");
	cli_args_done(&a);
}

static void test_permute(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct test_opts o;
	struct cli_args a;

	/* runc delete ID --force, runc create ID -b DIR */
	assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, NULL, ARGV("id", "-b", "/b", "sig", "--detach")), 0);
	assert_string_equal(o.bundle, "/b");
	assert_true(o.detach);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.args[0], "id");
	assert_string_equal(a.args[1], "sig");
	cli_args_done(&a);

	/* an unknown flag after a positional is an argument (runc kill ID -9), before it an error */
	assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, NULL, ARGV("id", "-9")), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.args[1], "-9");
	cli_args_done(&a);
	assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, &err, ARGV("--foo", "id")), -1);
	assert_string_equal(err->msg, "unknown flag '--foo'");
}

static void test_stop_at_positional(void **state)
{
	struct test_opts o;
	struct cli_args a;

	/* runc exec -t ID sh -c "…" -e X: everything after the id is the command */
	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-t", "id", "sh", "-c", "echo", "-e", "X", "--tty")), 0);
	assert_true(o.tty);
	assert_null(o.env);
	assert_int_equal(a.n, 7);
	assert_string_equal(a.args[0], "id");
	assert_string_equal(a.args[4], "-e");
	assert_string_equal(a.args[6], "--tty");
	assert_null(a.args[7]);
	cli_args_done(&a);

	/* "-" alone is a positional */
	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-", "-d")), 0);
	assert_false(o.detach);
	assert_int_equal(a.n, 2);
	cli_args_done(&a);
}

static void test_help(void **state)
{
	struct test_opts o;
	struct cli_args a;

	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("-h")), 0);
	assert_true(a.help);
	cli_args_done(&a);
	assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, NULL, ARGV("id", "--help")), 0);
	assert_true(a.help);
	assert_int_equal(a.n, 1);
	cli_args_done(&a);
	assert_int_equal(parse(&o, &a, 0, NULL, ARGV("id", "--help")), 0);
	assert_false(a.help);
	cli_args_done(&a);
}

static void test_errors(void **state)
{
	struct test_opts o;
	struct cli_args a;
	struct {
		char **argv;
		const char *msg;
	} cases[] = {
		{ARGV("--bundle"), "flag '--bundle' needs an argument"},
		{ARGV("-b"), "flag '-b' needs an argument"},
		{ARGV("--preserve-fds", "x", "id"), "invalid value 'x' for flag '--preserve-fds'"},
		{ARGV("--preserve-fds=", "id"), "invalid value '' for flag '--preserve-fds'"},
		{ARGV("---b", "x"), "bad flag syntax '---b'"},
		{ARGV("-=x"), "bad flag syntax '-=x'"},
		{ARGV("-dt", "id"), "unknown flag '-dt'"},
		{ARGV("--foo=1", "id"), "unknown flag '--foo'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		a.n = 42; /* left alone on failure */
		assert_int_equal(parse(&o, &a, CLI_PARSE_PERMUTE, &err, cases[i].argv), -1);
		assert_int_equal(a.n, 42);
		assert_non_null(err);
		assert_string_equal(err->msg, cases[i].msg);
		cli_opts_done(test_options, &o);
	}
}

static void test_list_freed_on_error(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct test_opts o;
	struct cli_args a;

	assert_int_equal(parse(&o, &a, 0, &err, ARGV("-e", "A=1", "--bogus")), -1);
	assert_int_equal(strv_length(o.env), 1);
	cli_opts_done(test_options, &o);
	assert_null(o.env);
}

static void test_usage(void **state)
{
	_cleanup_(buf_done) struct buf b = {0};

	cli_opts_usage(test_options, &b);
	assert_string_equal(b.data, "   --bundle value, -b value  path to the bundle\n"
				    "   --detach, -d              detach\n"
				    "   --tty, -t                 allocate a tty\n"
				    "   --preserve-fds value      pass N fds (default: 0)\n"
				    "   --env value, -e value     set environment variables\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_short_single_dash),
		cmocka_unit_test(test_equals_values),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_repeated_list),
		cmocka_unit_test(test_double_dash),
		cmocka_unit_test(test_permute),
		cmocka_unit_test(test_stop_at_positional),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_list_freed_on_error),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
