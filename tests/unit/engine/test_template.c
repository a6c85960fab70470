/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The --format template engine: a table of template + document -> output, parse and exec errors, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/template_internal.h"

static const char doc_json[] =
	"{\"Name\":\"/web\",\"Id\":\"abc123\",\"Image\":\"alpine:3.19\","
	"\"State\":{\"Pid\":1234,\"Running\":true,\"Status\":\"running\",\"ExitCode\":0,\"Health\":null},"
	"\"Config\":{\"Labels\":{\"com.x\":\"y\",\"a\":\"b\"},\"Env\":[\"A=1\",\"B=2\"]},"
	"\"Mounts\":[{\"Source\":\"/src\",\"Destination\":\"/dst\"},{\"Source\":\"/s2\",\"Destination\":\"/d2\"}],"
	"\"Args\":[\"-c\",\"echo\"],\"Port\":80,\"Ratio\":1.5,\"Big\":1000000.0,\"F\":0.1,\"Empty\":\"\","
	"\"Zero\":0,\"List\":[],\"Obj\":{},\"Html\":\"<a&b>\",\"Nested\":{\"A\":{\"B\":{\"C\":\"deep\"}}},"
	"\"Num\":[1,2,3],\"Mixed\":[1,\"a\",null,true,{\"k\":\"v\"}],\"Ctl\":\"a\\nb\\u0001\\u2028\"}";

static json_t *doc(void)
{
	json_error_t jerr;
	json_t *d = json_loads(doc_json, 0, &jerr);

	if (!d)
		fail_msg("fixture: %s", jerr.text);
	return d;
}

struct ok_case {
	const char *tmpl;
	const char *want;
};

static const struct ok_case ok_cases[] = {
	/* fields, docker's common formats */
	{"{{.Name}}", "/web"},
	{"{{.Name}}\t{{.State.Status}}", "/web\trunning"},
	{"{{.State.Pid}}", "1234"},
	{"{{.Nested.A.B.C}}", "deep"},
	{"{{.Config.Labels.a}}", "b"},
	{"{{.Nope}}", "<no value>"},
	{"{{.Nope.Deeper}}", "<no value>"},
	{"{{.State.Health}}", "<nil>"},
	{"{{.State.Running}}", "true"},
	{"{{.Config.Env}}", "[A=1 B=2]"},
	{"{{.Config.Labels}}", "map[a:b com.x:y]"},
	{"{{.Mixed}}", "[1 a <nil> true map[k:v]]"},
	{"{{.List}} {{.Obj}}", "[] map[]"},
	{"{{.Ratio}} {{.Big}} {{.F}}", "1.5 1e+06 0.1"},
	{"{{100000.0}} {{123456789.0}} {{0.00001}} {{0.0001}} {{1e21}} {{-2.5}}",
	 "100000 1.23456789e+08 1e-05 0.0001 1e+21 -2.5"},
	{"{{$.Name}}", "/web"},
	/* literals */
	{"{{\"s\"}}{{1}}{{1.5}}{{true}}{{0x10}}{{'a'}}{{1e3}}{{-3}}{{0b11}}{{0o17}}{{1_000}}",
	 "s11.5true16971000-33151000"},
	{"{{\"a\\tb\\x41\\u00e9\\101\"}}", "a\tbA\xc3\xa9"
					   "A"},
	{"{{`a\\nb`}}", "a\\nb"},
	{"{{print nil}}", "<nil>"},
	/* json */
	{"{{json .Config.Labels}}", "{\"com.x\":\"y\",\"a\":\"b\"}"},
	{"{{json .Html}}", "\"<a&b>\""},
	{"{{json .Mixed}}", "[1,\"a\",null,true,{\"k\":\"v\"}]"},
	{"{{json .Nope}} {{json .Big}} {{json .F}} {{json 1e21}} {{json 0.0000001}}", "null 1000000 0.1 1e+21 1e-7"},
	{"{{json .Ctl}}", "\"a\\nb\\u0001\\u2028\""},
	{"{{json .Mounts}}",
	 "[{\"Source\":\"/src\",\"Destination\":\"/dst\"},{\"Source\":\"/s2\",\"Destination\":\"/d2\"}]"},
	/* range, with, if */
	{"{{range .Mounts}}{{.Source}} {{end}}", "/src /s2 "},
	{"{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=b;com.x=y;"},
	{"{{range .Config.Labels}}{{.}},{{end}}", "b,y,"},
	{"{{range $i, $e := .Num}}{{$i}}:{{$e}} {{end}}", "0:1 1:2 2:3 "},
	{"{{range $e := .Num}}{{$e}}{{end}}", "123"},
	{"{{range .List}}x{{else}}empty{{end}}", "empty"},
	{"{{range .Nope}}x{{else}}none{{end}}", "none"},
	{"{{range .Mounts}}{{range $.Args}}{{.}}{{end}};{{end}}", "-cecho;-cecho;"},
	{"{{range .Mounts}}{{$.Name}}{{end}}", "/web/web"},
	{"{{range 3}}{{.}}{{end}}", "012"},
	{"{{range .Num}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", "13"},
	{"{{range .Num}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", "1"},
	{"{{if .State.Running}}up{{else}}down{{end}}", "up"},
	{"{{if .Empty}}a{{else if .Zero}}b{{else if .List}}c{{else}}d{{end}}", "d"},
	{"{{if eq .Port 1}}one{{else if eq .Port 80}}eighty{{else}}other{{end}}", "eighty"},
	{"{{with .State}}{{.Status}}{{end}}", "running"},
	{"{{with .Nope}}x{{else}}none{{end}}", "none"},
	{"{{with .Empty}}x{{else with .Port}}{{.}}{{end}}", "80"},
	{"{{if and .State.Running (eq .Port 80)}}ok{{end}}", "ok"},
	/* variables */
	{"{{$x := .Port}}{{$x}}", "80"},
	{"{{$x := 1}}{{$x = 2}}{{$x}}", "2"},
	{"{{if $x := .Port}}{{$x}}{{end}}", "80"},
	{"{{$n := 0}}{{range .Num}}{{$n = .}}{{end}}{{$n}}", "3"},
	{"{{$m := index .Mounts 1}}{{$m.Source}}", "/s2"},
	/* trim markers and comments */
	{"a  {{- .Port -}}  b", "a80b"},
	{"a \n {{- .Port}} b", "a80 b"},
	{"a {{- /* c */ -}} b", "ab"},
	{"{{/* comment */}}x", "x"},
	{"{{ .Port }}{{-3}}", "80-3"},
	{"a\n{{.Port}}\nb", "a\n80\nb"},
	/* functions */
	{"{{index .Config.Labels \"com.x\"}}", "y"},
	{"{{index .Config.Labels \"zz\"}}|{{index .State.Health \"k\"}}", "|"},
	{"{{index .Mixed 4 \"k\"}} {{index .Num 2}} {{index \"abc\" 1}}", "v 3 98"},
	{"{{(index .Mounts 1).Source}}", "/s2"},
	{"{{join .Args \" \"}}", "-c echo"},
	{"[{{join .Nope2 \",\"}}]", "[]"},
	{"{{.Port | }}", "80"},
	{"{{lower \"AbC\"}} {{upper .State.Status}} {{.Name | upper}}", "abc RUNNING /WEB"},
	{"{{title \"hello world-foo_bar\"}}", "Hello World-Foo_bar"},
	{"{{split \"a,b,c\" \",\"}} {{len (split \"\" \",\")}} {{split \"ab\" \"\"}}", "[a b c] 1 [a b]"},
	{"{{index (split .Image \":\") 1}}", "3.19"},
	{"{{truncate \"abcdef\" 3}} {{truncate \"ab\" 3}}", "abc ab"},
	{"[{{pad \"x\" 2 1}}][{{pad \"\" 2 1}}]", "[  x ][]"},
	{"{{len .Mounts}} {{len .Name}} {{len .Config.Labels}} {{len .State.Health}}", "2 4 2 0"},
	{"{{eq .Port 80}} {{ne .Port 80}} {{lt 1 2}} {{le 2 2}} {{gt 1.5 1}} {{ge \"b\" \"a\"}}",
	 "true false true true true true"},
	{"{{eq .Name \"/x\" \"/web\"}} {{eq .Nope \"x\"}} {{eq nil .State.Health}} {{eq .Ratio 1.5}}",
	 "true false true true"},
	{"{{and 1 0 2}}|{{and 1 2}}|{{or 0 \"\" \"x\"}}|{{or 0 \"\"}}|{{not .Empty}}|{{not .Nope}}",
	 "0|2|x||true|true"},
	{"{{or .Nope \"default\"}}", "default"},
	{"{{println \"a\" 1}}", "a 1\n"},
	{"{{print \"a\" 1 2 \"b\"}}", "a1 2b"},
	{"{{html \"<a href='x'>&\"}} {{urlquery \"a b&c/d\"}}", "&lt;a href=&#39;x&#39;&gt;&amp; a+b%26c%2Fd"},
	{"{{slice \"abcdef\" 1 3}} {{slice .Num 1}} {{slice .Num}}", "bc [2 3] [1 2 3]"},
	{"{{len (split \"a b\" \" \")}}", "2"},
	/* pipelines */
	{"{{.Name | printf \"%s-x\"}}", "/web-x"},
	{"{{\"x\" | printf \"%s%s\" \"y\"}}", "yx"},
	{"{{.Port | eq 80}}", "true"},
	{"{{.Empty | or \"fallback\"}}", "fallback"},
	/* printf */
	{"{{printf \"%s:%d\" .Name .Port}}", "/web:80"},
	{"{{printf \"%v|%d\" .Num .Num}}", "[1 2 3]|[1 2 3]"},
	{"{{printf \"%q\" \"a\\\"b\"}}", "\"a\\\"b\""},
	{"{{printf \"%x %X %x %#x\" 255 255 \"hi\" 255}}", "ff FF 6869 0xff"},
	{"{{printf \"%5s|%-5s|\" \"ab\" \"cd\"}}", "   ab|cd   |"},
	{"{{printf \"%.2f %8.3f| %6.2f|\" 3.14159 3.14159 1.0}}", "3.14    3.142|   1.00|"},
	{"{{printf \"%d\" \"x\"}}", "%!d(string=x)"},
	{"{{printf \"%d\"}}", "%!d(MISSING)"},
	{"{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)"},
	{"{{printf \"%05d %+d % d %o %b\" -42 5 5 8 5}}", "-0042 +5  5 10 101"},
	{"{{printf \"%t %v %s\" true false true}}", "true false %!s(bool=true)"},
	{"{{printf \"%e %g %g %G\" 123456.0 0.000001 1.5 1e-7}}", "1.234560e+05 1e-06 1.5 1E-07"},
	{"{{printf \"%T %T %T %T %T\" 1 \"a\" 1.5 .Num .Nope}}", "int string float64 []interface {} <nil>"},
	{"{{printf \"%c%c %q %U\" 65 233 97 65}}", "A\xc3\xa9 'a' U+0041"},
	{"{{printf \"%%\"}}", "%"},
	{"{{printf \"%5.1q|%.2s\" \"abc\" \"\xc3\xa9t\xc3\xa9\"}}", "  \"a\"|\xc3\xa9t"},
	{"{{printf \"%v %v %d\" .State.Health .Nope .Nope}}", "<nil> <nil> %!d(<nil>)"},
	{"{{printf \"%s\" .Num}}", "[%!s(int=1) %!s(int=2) %!s(int=3)]"},
	{"{{printf \"%03d\" .Num}}", "[001 002 003]"},
	{"{{printf \"%*d|%-*d|\" 4 7 3 1}}", "   7|1  |"},
	{"{{printf \"%v\" .Config.Labels}}", "map[a:b com.x:y]"},
	{"{{printf \"%6.2f|%-8v|\" 1.0 \"ab\"}}", "  1.00|ab      |"},
	{"{{printf \"%v %.3v %v\" 1.0 3.14159 1e6}}", "1 3.14 1e+06"},
	{"{{printf \"%x\" 1.0}}", "0x1p+00"},
	{"{{printf \"% x\" \"abc\"}}", "61 62 63"},
	{"{{printf \"%!\"}}", "%!!(MISSING)"},
	{"{{printf \"%\"}}", "%!(NOVERB)"},
	{"{{printf \"%*d\" \"x\" 1}}", "%!(BADWIDTH)1"},
	{"{{printf \"%z\" 1}}", "%!z(int=1)"},
	{"{{printf \"%.0d|%08.3f|%-05d|\" 0 -3.5 3}}", "|-003.500|3    |"},
	{"{{printf \"%[2]d %[1]d\" 1 2}}|{{printf \"%[3]d\" 1}}|{{printf \"%[1]*d\" 3 4}}|{{printf \"%d %[1]d %d\" 5 "
	 "6}}"
	 "|{{printf \"%[0]d\" 1}}|{{printf \".[2]*[1]f\" 3.14159 2}}",
	 "2 1|%!d(BADINDEX)|  4|5 5 6|%!d(BADINDEX)|.[2]*[1]f%!(EXTRA float64=3.14159, int=2)"},
	{"{{printf \"%.[2]*[1]f\" 3.14159 2}}", "3.14"},
	{"{{printf \"%5v|%-7v\" .Mixed .Config.Labels}}",
	 "[    1     a <nil>  true map[    k:    v]]|map[a      :b       com.x  :y      ]"},
	/* case mapping beyond ASCII: Latin-1, Latin Extended-A, Greek, Cyrillic */
	{"{{upper \"élan ÿ ß ı ω ж\"}}|{{lower \"ÉŸİΩЖĀĹ\"}}|{{title \"élan vital\"}}|{{title \"hello,world 3d_x\"}}",
	 "ÉLAN Ÿ ß I Ω Ж|éÿiωжāĺ|Élan Vital|Hello,World 3d_x"},
};

static void run_ok(const struct ok_case *c, json_t *d, int *failures)
{
	_cleanup_template_ struct eng_template *t = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	struct buf out = {0};

	if (eng_template_parse(c->tmpl, &t, &err) < 0) {
		print_error("parse %s: %s\n", c->tmpl, err->msg);
		(*failures)++;
		return;
	}
	if (eng_template_exec(t, d, &out, &err) < 0) {
		print_error("exec %s: %s\n", c->tmpl, err->msg);
		(*failures)++;
	} else if (strcmp(out.data, c->want) != 0) {
		print_error("%s: got '%s', want '%s'\n", c->tmpl, out.data, c->want);
		(*failures)++;
	}
	buf_done(&out);
}

static void test_outputs(void **state)
{
	json_t *d = doc();
	int failures = 0;

	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++)
		run_ok(&ok_cases[i], d, &failures);
	json_decref(d);
	assert_int_equal(failures, 0);
}

struct err_case {
	const char *tmpl;
	const char *want; /* the whole message */
};

static const struct err_case parse_errors[] = {
	{"{{.Name", "template: :1: unclosed action"},
	{"{{.Name}", "template: :1: bad character U+007D '}'"},
	{"{{.Name }", "template: :1: unexpected \"}\" in operand"},
	{"{{foo}}", "template: :1: function \"foo\" not defined"},
	{"{{range .Num}}x", "template: :1: unexpected EOF"},
	{"{{if .A}}x{{else}}y", "template: :1: unexpected EOF"},
	{"{{end}}", "template: :1: unexpected {{end}}"},
	{"{{else}}", "template: :1: unexpected {{else}}"},
	{"{{if}}{{end}}", "template: :1: missing value for if"},
	{"{{}}", "template: :1: missing value for command"},
	{"{{$x}}", "template: :1: undefined variable \"$x\""},
	{"{{if 1}}{{$x := 1}}{{end}}{{$x}}", "template: :1: undefined variable \"$x\""},
	{"{{break}}", "template: :1: {{break}} outside {{range}}"},
	{"{{/* x }}", "template: :1: unclosed comment"},
	{"{{/* x */ .A}}", "template: :1: comment ends before closing delimiter"},
	{"a\nb\n{{.X }", "template: :3: unexpected \"}\" in operand"},
	{"{{(1}}", "template: :1: unclosed left paren"},
	{"{{.A)}}", "template: :1: unexpected \")\" in command"},
	{"{{\"abc}}", "template: :1: unterminated quoted string"},
	{"{{`abc}}", "template: :1: unterminated raw quoted string"},
	{"{{3x}}", "template: :1: bad number syntax: \"3x\""},
	{"{{1 | 2}}", "template: :1: non executable command in pipeline stage 2"},
	{"{{define \"x\"}}{{end}}", "template: :1: 'define' actions are not supported"},
	{"{{\"a\".B}}", "template: :1: unexpected . after term \"\\\"a\\\"\""},
	{"{{$x, $y := .A}}", "template: :1: too many declarations in command"},
	{"{{\"\\q\"}}", "template: :1: invalid syntax"},
	{"{{.A\x01}}", "template: :1: bad character U+0001"},
	{"{{.A ; }}", "template: :1: unexpected \";\" in operand"},
	{"{{99999999999999999999}}", "template: :1: integer overflow: \"99999999999999999999\""},
	{"{{if .A}}{{else}}{{else}}{{end}}", "template: :1: expected end; found {{else}}"},
	{"{{range .A}}{{else if .B}}{{end}}", "template: :1: unexpected <if> in input"},
};

static void test_parse_errors(void **state)
{
	int failures = 0;

	for (size_t i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct eng_template *t = NULL;

		if (eng_template_parse(parse_errors[i].tmpl, &t, &err) == 0) {
			print_error("%s: parsed\n", parse_errors[i].tmpl);
			eng_template_free(t);
			failures++;
		} else if (strcmp(err->msg, parse_errors[i].want) != 0) {
			print_error("%s: got '%s', want '%s'\n", parse_errors[i].tmpl, err->msg, parse_errors[i].want);
			failures++;
		}
		assert_null(t);
	}
	assert_int_equal(failures, 0);
}

static const struct err_case exec_errors[] = {
	{"{{index .Num 5}}",
	 "template: :1:2: executing \"\" at <index .Num 5>: error calling index: index out of range: 5"},
	{"{{index .Num -1}}",
	 "template: :1:2: executing \"\" at <index .Num -1>: error calling index: index out of range: -1"},
	{"{{index .Name \"k\"}}", "template: :1:2: executing \"\" at <index .Name \"k\">: error calling index: cannot "
				  "index slice/array with type string"},
	{"{{index .Port 1}}",
	 "template: :1:2: executing \"\" at <index .Port 1>: error calling index: can't index item of type int"},
	{"{{len}}", "template: :1:2: executing \"\" at <len>: wrong number of args for len: want 1 got 0"},
	{"{{printf}}",
	 "template: :1:2: executing \"\" at <printf>: wrong number of args for printf: want at least 1 got 0"},
	{"{{pad \"a\" 1}}", "template: :1:2: executing \"\" at <pad>: wrong number of args for pad: want 3 got 2"},
	{"{{lower 1}}", "template: :1:8: executing \"\" at <1>: expected string; found 1"},
	{"{{lower .Nope}}", "template: :1:8: executing \"\" at <.Nope>: invalid value; expected string"},
	{"{{.Name.Foo}}", "template: :1:2: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type string"},
	{"{{.Num.Foo}}",
	 "template: :1:2: executing \"\" at <.Num.Foo>: can't evaluate field Foo in type []interface {}"},
	{"{{.State.Health.Status}}",
	 "template: :1:2: executing \"\" at <.State.Health.Status>: nil pointer evaluating interface {}.Status"},
	{"{{eq \"a\" 1}}",
	 "template: :1:2: executing \"\" at <eq \"a\" 1>: error calling eq: incompatible types for comparison"},
	{"{{eq .Num 1}}",
	 "template: :1:2: executing \"\" at <eq .Num 1>: error calling eq: incompatible types for comparison"},
	{"{{lt true false}}",
	 "template: :1:2: executing \"\" at <lt true false>: error calling lt: invalid type for comparison"},
	{"{{eq 1}}", "template: :1:2: executing \"\" at <eq 1>: error calling eq: missing argument for comparison"},
	{"{{range .Name}}{{end}}", "template: :1:8: executing \"\" at <.Name>: range can't iterate over /web"},
	{"{{.Name 1}}", "template: :1:2: executing \"\" at <.Name>: Name is not a method but has arguments"},
	{"{{\"x\" 1}}", "template: :1:2: executing \"\" at <\"x\">: can't give argument to non-function \"x\""},
	{"{{nil}}", "template: :1:2: executing \"\" at <nil>: nil is not a command"},
	{"{{$x := 1}}{{$y = 2}}", "template: :1:13: executing \"\" at <$y = 2>: undefined variable: $y"},
	{"a\n  {{.Name.Foo}}",
	 "template: :2:4: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type string"},
	{"{{truncate \"ab\" -1}}", "template: :1:2: executing \"\" at <truncate \"ab\" -1>: error calling truncate: "
				   "runtime error: slice bounds out of range [:-1]"},
	{"{{pad \"a\" -1 0}}",
	 "template: :1:2: executing \"\" at <pad \"a\" -1 0>: error calling pad: strings: negative Repeat count"},
	{"{{range $i, $e := 3}}{{end}}",
	 "template: :1:18: executing \"\" at <3>: can't use 3 to iterate over more than one variable"},
	{"{{len .Nope}}", "template: :1:2: executing \"\" at <len .Nope>: error calling len: len of nil pointer"},
	{"{{len 3}}", "template: :1:2: executing \"\" at <len 3>: error calling len: len of type int"},
	{"{{.Mounts.Source.Foo.Bar.Baz}}", "template: :1:2: executing \"\" at <.Mounts.Source.Foo.Bar.Baz>: can't "
					   "evaluate field Source in type []interface {}"},
	{"{{slice .Num 2 1}}",
	 "template: :1:2: executing \"\" at <slice .Num 2 1>: error calling slice: invalid slice index: 2 > 1"},
};

static void test_exec_errors(void **state)
{
	json_t *d = doc();
	int failures = 0;

	for (size_t i = 0; i < sizeof(exec_errors) / sizeof(exec_errors[0]); i++) {
		_cleanup_template_ struct eng_template *t = NULL;
		_cleanup_error_ struct berth_error *err = NULL;
		struct buf out = {0};

		buf_puts(&out, "pre");
		if (eng_template_parse(exec_errors[i].tmpl, &t, &err) < 0) {
			print_error("%s: parse: %s\n", exec_errors[i].tmpl, err->msg);
			failures++;
		} else if (eng_template_exec(t, d, &out, &err) == 0) {
			print_error("%s: executed to '%s'\n", exec_errors[i].tmpl, out.data);
			failures++;
		} else if (strcmp(err->msg, exec_errors[i].want) != 0) {
			print_error("%s: got '%s', want '%s'\n", exec_errors[i].tmpl, err->msg, exec_errors[i].want);
			failures++;
		} else if (strcmp(out.data, "pre") != 0) {
			print_error("%s: output not restored: '%s'\n", exec_errors[i].tmpl, out.data);
			failures++;
		}
		buf_done(&out);
	}
	json_decref(d);
	assert_int_equal(failures, 0);
}

static void expect_limit(const char *tmpl, const char *needle)
{
	static const struct tpl_limits lim = {.max_output = 1000, .max_string = 1000, .max_steps = 10000};
	_cleanup_template_ struct eng_template *t = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *d = doc();
	struct buf out = {0};

	if (eng_template_parse(tmpl, &t, &err) < 0)
		fail_msg("%s: %s", tmpl, err->msg);
	if (tpl_exec_limited(t, d, &out, &lim, &err) == 0)
		fail_msg("%s: no limit hit", tmpl);
	if (!strstr(err->msg, needle))
		fail_msg("%s: '%s' lacks '%s'", tmpl, err->msg, needle);
	buf_done(&out);
	json_decref(d);
}

static void test_limits(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct eng_template *t = NULL;
	struct buf deep = {0};

	expect_limit("{{range 100000}}{{end}}", "exceeds 10000 steps");
	expect_limit("{{range .Num}}{{range $.Num}}{{range $.Num}}{{range $.Num}}{{range $.Num}}{{range $.Num}}"
		     "{{range $.Num}}{{range $.Num}}{{range $.Num}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}"
		     "{{end}}{{end}}",
		     "steps");
	expect_limit("{{$x := \"ab\"}}{{range 100}}{{$x = printf \"%s%s\" $x $x}}{{end}}", "result exceeds 1000 bytes");
	expect_limit("{{range 100}}{{json $}}{{end}}", "output exceeds 1000 bytes");
	expect_limit("{{printf \"%999999d\" 1}}", "result exceeds");
	expect_limit("{{pad \"x\" 5000 0}}", "result exceeds");

	for (int i = 0; i < 200; i++)
		buf_puts(&deep, "{{if 1}}");
	assert_int_equal(eng_template_parse(deep.data, &t, &err), -1);
	assert_string_equal(err->msg, "template: :1: max expression depth exceeded");
	buf_done(&deep);
	berth_error_free(&err);
	buf_puts(&deep, "{{");
	for (int i = 0; i < 200; i++)
		buf_puts(&deep, "(");
	buf_puts(&deep, "1");
	for (int i = 0; i < 200; i++)
		buf_puts(&deep, ")");
	buf_puts(&deep, "}}");
	assert_int_equal(eng_template_parse(deep.data, &t, &err), -1);
	assert_string_equal(err->msg, "template: :1: max expression depth exceeded");
	buf_done(&deep);
}

static void test_docker_conventions(void **state)
{
	const char *rest = NULL;
	char *s;
	bool table = false;

	assert_true(eng_template_is_table("table {{.ID}}", &rest));
	assert_string_equal(rest, "{{.ID}}");
	assert_false(eng_template_is_table("{{.ID}}", &rest));
	assert_string_equal(rest, "{{.ID}}");

	s = eng_template_unescape("a\\tb\\nc\\\\t\\x");
	assert_string_equal(s, "a\tb\nc\\\t\\x");
	free(s);

	s = eng_template_preformat("table  {{.ID}}\\t{{.Names}}  ", &table);
	assert_true(table);
	assert_string_equal(s, "{{.ID}}\t{{.Names}}");
	free(s);
	s = eng_template_preformat("{{.ID}}", &table);
	assert_false(table);
	assert_string_equal(s, "{{.ID}}");
	free(s);
}

/* Text without actions, and a template executed twice, over data of other shapes. */
static void test_reuse_and_scalars(void **state)
{
	_cleanup_template_ struct eng_template *t = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	struct buf out = {0};
	json_t *n = json_integer(7), *s = json_string("x");

	assert_int_equal(eng_template_parse("v={{.}};", &t, &err), 0);
	assert_int_equal(eng_template_exec(t, n, &out, &err), 0);
	assert_int_equal(eng_template_exec(t, s, &out, &err), 0);
	assert_string_equal(out.data, "v=7;v=x;");
	buf_done(&out);
	json_decref(n);
	json_decref(s);
	eng_template_free(TAKE_PTR(t));

	assert_int_equal(eng_template_parse("", &t, &err), 0);
	assert_int_equal(eng_template_exec(t, NULL, &out, &err), 0);
	assert_string_equal(out.data, "");
	buf_done(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_exec_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_docker_conventions),
		cmocka_unit_test(test_reuse_and_scalars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
