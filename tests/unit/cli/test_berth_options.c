/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/berth/options.c: pflag's syntax, ordering rules, messages and help layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "cli/berth/options.h"

struct run_opts {
	bool interactive, tty, detach, rm;
	const char *name, *hostname, *memory;
	int last;
	char **env, **publish;
};

#define O(field) offsetof(struct run_opts, field)
static const struct bcli_opt run_options[] = {
	{"interactive", 'i', BCLI_OPT_BOOL, O(interactive), "Keep STDIN open even if not attached", NULL, NULL, false},
	{"tty", 't', BCLI_OPT_BOOL, O(tty), "Allocate a pseudo-TTY", NULL, NULL, false},
	{"detach", 'd', BCLI_OPT_BOOL, O(detach), "Run container in background", NULL, NULL, false},
	{"rm", 0, BCLI_OPT_BOOL, O(rm), "Automatically remove the container", NULL, NULL, false},
	{"name", 0, BCLI_OPT_STRING, O(name), "Assign a name to the container", NULL, NULL, false},
	{"hostname", 'h', BCLI_OPT_STRING, O(hostname), "Container host name", NULL, NULL, false},
	{"memory", 'm', BCLI_OPT_STRING, O(memory), "Memory limit", NULL, "bytes", false},
	{"last", 'n', BCLI_OPT_INT, O(last), "Show n last created containers", "-1", NULL, false},
	{"env", 'e', BCLI_OPT_LIST, O(env), "Set environment variables", NULL, NULL, false},
	{"publish", 'p', BCLI_OPT_LIST, O(publish), "Publish a container's port(s) to the host", NULL, NULL, false},
	BCLI_OPT_END,
};

/* A table without 'h', so that -h asks for help. */
static const struct bcli_opt rm_options[] = {
	{"force", 'f', BCLI_OPT_BOOL, O(detach), "Force the removal", NULL, NULL, false},
	BCLI_OPT_END,
};

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static int parse_with(const struct bcli_opt *opts, struct run_opts *o, struct bcli_args *a, unsigned flags,
		      struct berth_error **err, char **argv)
{
	memset(o, 0, sizeof(*o));
	return bcli_parse(opts, o, (int)strv_length(argv), argv, flags, a, err);
}

static int parse(struct run_opts *o, struct bcli_args *a, unsigned flags, char **argv)
{
	return parse_with(run_options, o, a, flags, NULL, argv);
}

static void done(struct run_opts *o, struct bcli_args *a)
{
	bcli_args_done(a);
	bcli_opts_done(run_options, o);
}

/* The message of a failed parse, which must fail. */
static void assert_parse_error(unsigned flags, char **argv, const char *msg)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct run_opts o;
	struct bcli_args a = {0};

	assert_int_equal(parse_with(run_options, &o, &a, flags, &err, argv), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
	assert_null(a.args);
	bcli_opts_done(run_options, &o);
}

static void test_long_forms(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("--name", "web", "img")), 0);
	assert_string_equal(o.name, "web");
	assert_int_equal(a.n, 1);
	assert_string_equal(a.args[0], "img");
	assert_null(a.args[1]);
	assert_int_equal(a.dash_at, -1);
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("--name=web=1", "--hostname=")), 0);
	assert_string_equal(o.name, "web=1");
	assert_string_equal(o.hostname, "");
	assert_int_equal(a.n, 0);
	done(&o, &a);

	/* a value is taken even when it looks like a flag */
	assert_int_equal(parse(&o, &a, 0, ARGV("--name", "--rm", "--name", "-x")), 0);
	assert_string_equal(o.name, "-x");
	assert_false(o.rm);
	done(&o, &a);
}

static void test_shorthand_forms(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("-m", "1g", "-n5", "-h=box")), 0);
	assert_string_equal(o.memory, "1g");
	assert_int_equal(o.last, 5);
	assert_string_equal(o.hostname, "box");
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("-it", "img")), 0);
	assert_true(o.interactive);
	assert_true(o.tty);
	assert_false(o.detach);
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("-itd", "-p8080:80", "-itdp", "9090:90", "-dp=1:2")), 0);
	assert_true(o.interactive && o.tty && o.detach);
	assert_int_equal(strv_length(o.publish), 3);
	assert_string_equal(o.publish[0], "8080:80");
	assert_string_equal(o.publish[1], "9090:90");
	assert_string_equal(o.publish[2], "1:2");
	done(&o, &a);

	/* the rest of a group is the value of the first flag that takes one */
	assert_int_equal(parse(&o, &a, 0, ARGV("-ie", "A=itd")), 0);
	assert_true(o.interactive);
	assert_false(o.detach);
	assert_string_equal(o.env[0], "A=itd");
	done(&o, &a);
}

static void test_bool_values(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("--rm", "-d", "--rm=false", "-d=0")), 0);
	assert_false(o.rm);
	assert_false(o.detach);
	done(&o, &a);

	/* a bool never takes the next argument */
	assert_int_equal(parse(&o, &a, 0, ARGV("--rm", "false")), 0);
	assert_true(o.rm);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.args[0], "false");
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("--tty=T", "--detach=True", "--interactive=1")), 0);
	assert_true(o.tty && o.detach && o.interactive);
	done(&o, &a);

	assert_parse_error(
		0, ARGV("--rm=yes"),
		"invalid argument \"yes\" for \"--rm\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax");
	assert_parse_error(0, ARGV("-d=abc"),
			   "invalid argument \"abc\" for \"-d, --detach\" flag: strconv.ParseBool: parsing \"abc\": "
			   "invalid syntax");
}

static void test_int_values(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("img")), 0);
	assert_int_equal(o.last, -1); /* the default */
	assert_false(bcli_args_changed(&a, run_options, "last"));
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("--last=0x10")), 0);
	assert_int_equal(o.last, 16);
	assert_true(bcli_args_changed(&a, run_options, "last"));
	assert_false(bcli_args_changed(&a, run_options, "name"));
	assert_false(bcli_args_changed(&a, run_options, "nope"));
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("-n", "+3")), 0);
	assert_int_equal(o.last, 3);
	done(&o, &a);

	assert_parse_error(0, ARGV("-n", "abc"),
			   "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": "
			   "invalid syntax");
	assert_parse_error(0, ARGV("--last= 1"),
			   "invalid argument \" 1\" for \"-n, --last\" flag: strconv.ParseInt: parsing \" 1\": "
			   "invalid syntax");
	assert_parse_error(
		0, ARGV("--last="),
		"invalid argument \"\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"\": invalid syntax");
	assert_parse_error(0, ARGV("-n99999999999"),
			   "invalid argument \"99999999999\" for \"-n, --last\" flag: strconv.ParseInt: parsing "
			   "\"99999999999\": value out of range");
}

static void test_lists_append(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("-e", "A=1", "--env", "B=2", "--env=C=3", "-eD", "img")), 0);
	assert_int_equal(strv_length(o.env), 4);
	assert_string_equal(o.env[0], "A=1");
	assert_string_equal(o.env[1], "B=2");
	assert_string_equal(o.env[2], "C=3");
	assert_string_equal(o.env[3], "D");
	done(&o, &a);
}

static void test_double_dash(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("a", "--rm", "--", "-d", "--", "b")), 0);
	assert_true(o.rm);
	assert_false(o.detach);
	assert_int_equal(a.n, 4);
	assert_int_equal(a.dash_at, 1);
	assert_string_equal(a.args[1], "-d");
	assert_string_equal(a.args[2], "--");
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("--")), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(a.dash_at, 0);
	done(&o, &a);

	/* "-" alone is a positional (stdin) */
	assert_int_equal(parse(&o, &a, 0, ARGV("-", "-d")), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.args[0], "-");
	assert_true(o.detach);
	done(&o, &a);
}

static void test_interspersed(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("c1", "-d", "c2", "--name", "x")), 0);
	assert_true(o.detach);
	assert_string_equal(o.name, "x");
	assert_int_equal(a.n, 2);
	assert_string_equal(a.args[1], "c2");
	done(&o, &a);

	/* run/exec/create: the container's command is not ours */
	assert_int_equal(parse(&o, &a, BCLI_PARSE_NO_INTERSPERSED, ARGV("-it", "img", "sh", "-c", "--rm", "--")), 0);
	assert_true(o.interactive && o.tty);
	assert_false(o.rm);
	assert_int_equal(a.n, 5);
	assert_string_equal(a.args[0], "img");
	assert_string_equal(a.args[3], "--rm");
	assert_string_equal(a.args[4], "--");
	assert_int_equal(a.dash_at, -1);
	done(&o, &a);

	/* nor are unknown flags after the image errors */
	assert_int_equal(parse(&o, &a, BCLI_PARSE_NO_INTERSPERSED, ARGV("img", "--foo")), 0);
	assert_int_equal(a.n, 2);
	done(&o, &a);
	assert_parse_error(0, ARGV("img", "--foo"), "unknown flag: --foo");
}

static void test_errors(void **state)
{
	assert_parse_error(0, ARGV("--foo"), "unknown flag: --foo");
	assert_parse_error(0, ARGV("--foo=bar"), "unknown flag: --foo");
	assert_parse_error(0, ARGV("-x"), "unknown shorthand flag: 'x' in -x");
	assert_parse_error(0, ARGV("-itx"), "unknown shorthand flag: 'x' in -x");
	assert_parse_error(0, ARGV("-ixd"), "unknown shorthand flag: 'x' in -xd");
	assert_parse_error(0, ARGV("--name"), "flag needs an argument: --name");
	assert_parse_error(0, ARGV("img", "--last"), "flag needs an argument: --last");
	assert_parse_error(0, ARGV("-n"), "flag needs an argument: 'n' in -n");
	assert_parse_error(0, ARGV("-dn"), "flag needs an argument: 'n' in -n");
	assert_parse_error(0, ARGV("---x"), "bad flag syntax: ---x");
	assert_parse_error(0, ARGV("--=x"), "bad flag syntax: --=x");
	/* LIST values parsed before the error still belong to the struct (no leak under ASan) */
	assert_parse_error(0, ARGV("-e", "A", "-e", "B", "--nope"), "unknown flag: --nope");
}

static void test_help(void **state)
{
	struct run_opts o;
	struct bcli_args a;

	assert_int_equal(parse(&o, &a, 0, ARGV("img", "--help")), 0);
	assert_true(a.help);
	done(&o, &a);

	assert_int_equal(parse(&o, &a, 0, ARGV("--help=false")), 0);
	assert_false(a.help);
	done(&o, &a);

	/* run's -h is --hostname */
	assert_int_equal(parse(&o, &a, 0, ARGV("-h", "box")), 0);
	assert_false(a.help);
	assert_string_equal(o.hostname, "box");
	done(&o, &a);

	/* rm has no -h: it asks for help */
	assert_int_equal(parse_with(rm_options, &o, &a, 0, NULL, ARGV("-fh")), 0);
	assert_true(a.help);
	assert_true(o.detach);
	bcli_args_done(&a);

	/* a group: no flags of its own, the rest is the subcommand's */
	assert_int_equal(bcli_parse(NULL, NULL, 2, ARGV("ls", "--help"), BCLI_PARSE_NO_INTERSPERSED, &a, NULL), 0);
	assert_false(a.help);
	assert_int_equal(a.n, 2);
	bcli_args_done(&a);
}

struct ps_opts {
	bool all, latest, no_trunc, quiet, size;
	char **filter;
	const char *format;
	int last;
	const char *hidden;
};

#define P(field) offsetof(struct ps_opts, field)
static const struct bcli_opt ps_options[] = {
	{"quiet", 'q', BCLI_OPT_BOOL, P(quiet), "Only display container IDs", NULL, NULL, false},
	{"all", 'a', BCLI_OPT_BOOL, P(all), "Show all containers (default shows just running)", NULL, NULL, false},
	{"filter", 'f', BCLI_OPT_LIST, P(filter), "Filter output based on conditions provided", NULL, "filter", false},
	{"format", 0, BCLI_OPT_STRING, P(format),
	 "Format output using a custom template:\n"
	 "'table':            Print output in table format with column headers (default)\n"
	 "'table TEMPLATE':   Print output in table format using the given Go template\n"
	 "'json':             Print in JSON format\n"
	 "'TEMPLATE':         Print output using the given Go template.\n"
	 "Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with "
	 "templates",
	 NULL, NULL, false},
	{"last", 'n', BCLI_OPT_INT, P(last), "Show n last created containers (includes all states)", "-1", NULL, false},
	{"latest", 'l', BCLI_OPT_BOOL, P(latest), "Show the latest created container (includes all states)", NULL, NULL,
	 false},
	{"no-trunc", 0, BCLI_OPT_BOOL, P(no_trunc), "Don't truncate output", NULL, NULL, false},
	{"size", 's', BCLI_OPT_BOOL, P(size), "Display total file sizes", NULL, NULL, false},
	{"secret", 0, BCLI_OPT_STRING, P(hidden), "not shown", "x", NULL, true},
	BCLI_OPT_END,
};

/* What `docker ps --help` prints under "Options:" on an 80-column terminal, byte for byte. */
static const char ps_usage_docker[] = "  -a, --all             Show all containers (default shows just running)\n"
				      "  -f, --filter filter   Filter output based on conditions provided\n"
				      "      --format string   Format output using a custom template:\n"
				      "                        'table':            Print output in table format\n"
				      "                        with column headers (default)\n"
				      "                        'table TEMPLATE':   Print output in table format\n"
				      "                        using the given Go template\n"
				      "                        'json':             Print in JSON format\n"
				      "                        'TEMPLATE':         Print output using the given\n"
				      "                        Go template.\n"
				      "                        Refer to https://docs.docker.com/go/formatting/\n"
				      "                        for more information about formatting output with\n"
				      "                        templates\n"
				      "  -n, --last int        Show n last created containers (includes all\n"
				      "                        states) (default -1)\n"
				      "  -l, --latest          Show the latest created container (includes all\n"
				      "                        states)\n"
				      "      --no-trunc        Don't truncate output\n"
				      "  -q, --quiet           Only display container IDs\n"
				      "  -s, --size            Display total file sizes\n";

static void test_usage_like_docker(void **state)
{
	_cleanup_(buf_done) struct buf b = {0};

	bcli_opts_usage(ps_options, 79, &b);
	assert_string_equal(b.data, ps_usage_docker);
}

static void test_usage_unwrapped_and_defaults(void **state)
{
	static const struct bcli_opt opts[] = {
		{"root", 0, BCLI_OPT_STRING, 0, "Root directory", "/var/lib/berth", NULL, false},
		{"debug", 'D', BCLI_OPT_BOOL, 0, "Enable debug mode", "false", NULL, false},
		{"memory", 'm', BCLI_OPT_STRING, 0, "Memory limit\nin bytes", NULL, "bytes", false},
		BCLI_OPT_END,
	};
	_cleanup_(buf_done) struct buf b = {0};

	bcli_opts_usage(opts, 0, &b);
	assert_string_equal(b.data, "  -D, --debug          Enable debug mode\n"
				    "  -m, --memory bytes   Memory limit\n"
				    "                       in bytes\n"
				    "      --root string    Root directory (default \"/var/lib/berth\")\n");

	/* too narrow beside the flags: the text goes below, from column 16 */
	buf_done(&b);
	bcli_opts_usage(opts + 1, 45, &b);
	assert_string_equal(b.data, "  -D, --debug          \n"
				    "                Enable debug mode\n"
				    "  -m, --memory bytes   \n"
				    "                Memory limit\n"
				    "                in bytes\n");
}

static void test_parse_bool(void **state)
{
	bool b = false;

	assert_int_equal(bcli_parse_bool("t", &b), 0);
	assert_true(b);
	assert_int_equal(bcli_parse_bool("FALSE", &b), 0);
	assert_false(b);
	assert_int_equal(bcli_parse_bool("yes", &b), -1);
	assert_int_equal(bcli_parse_bool("", &b), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_forms),
		cmocka_unit_test(test_shorthand_forms),
		cmocka_unit_test(test_bool_values),
		cmocka_unit_test(test_int_values),
		cmocka_unit_test(test_lists_append),
		cmocka_unit_test(test_double_dash),
		cmocka_unit_test(test_interspersed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_like_docker),
		cmocka_unit_test(test_usage_unwrapped_and_defaults),
		cmocka_unit_test(test_parse_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
