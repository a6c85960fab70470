/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --since/--until values as Docker reads them: a table of inputs, results and errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"

#define S INT64_C(1000000000)
/* 2023-11-14T22:13:20.25Z */
#define NOW (INT64_C(1700000000) * S + 250000000)
/* 2024-01-02T03:04:05Z */
#define T (INT64_C(1704164645) * S)
/* 2024-01-02T00:00:00Z */
#define DAY (INT64_C(1704153600) * S)

struct ok_case {
	const char *in;
	int64_t want;
};

static const struct ok_case ok_utc[] = {
	{"2024-01-02T03:04:05Z", T},
	{"2024-01-02T03:04:05.123456789Z", T + 123456789},
	{"2024-01-02T03:04:05.5Z", T + 500000000},
	{"2024-01-02T03:04:05.1234567891Z", T + 123456789},
	{"2024-01-02T03:04:05+01:00", T - 3600 * S},
	{"2024-01-02T03:04:05.25-05:30", T + (5 * 3600 + 1800) * S + 250000000},
	{"2024-01-02T03:04Z", T - 5 * S},
	{"2024-01-02T03:04+02:00", T - 5 * S - 7200 * S},
	{"2024-01-02T03Z", DAY + 3 * 3600 * S},
	{"2024-01-02Z", DAY},
	{"2024-01-02+01:00", DAY - 3600 * S},
	/* no zone: local time (UTC here) */
	{"2024-01-02", DAY},
	{"2024-01-02T03", DAY + 3 * 3600 * S},
	{"2024-01-02T03:04", T - 5 * S},
	{"2024-01-02T03:04:05", T},
	{"2024-01-02T03:04:05.000000007", T + 7},
	{"2024-02-29", DAY + 58 * 86400 * S},
	/* unix times */
	{"1700000000", INT64_C(1700000000) * S},
	{"1700000000.5", INT64_C(1700000000) * S + 500000000},
	{"1700000000.123456789", INT64_C(1700000000) * S + 123456789},
	{"1700000000.000001", INT64_C(1700000000) * S + 1000},
	{"0", 0},
	/* Go durations before now, in whole seconds as Docker sends them */
	{"10m", NOW - 250000000 - 600 * S},
	{"1h30m", NOW - 250000000 - 5400 * S},
	{"1.5h", NOW - 250000000 - 5400 * S},
	{"90s", NOW - 250000000 - 90 * S},
	{"300ms", NOW - 250000000 - 1 * S},
	{"-10m", NOW - 250000000 + 600 * S},
	{"2h45m30.5s", NOW - 250000000 - (2 * 3600 + 45 * 60 + 31) * S},
	{"1000us", NOW - 250000000},
	{"0s", NOW - 250000000},
};

static void check_ok(const struct ok_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct berth_error *err = NULL;
		int64_t got = -1;

		if (eng_log_time_parse(cases[i].in, NOW, &got, &err) < 0)
			fail_msg("'%s': %s", cases[i].in, err->msg);
		if (got != cases[i].want)
			fail_msg("'%s': got %lld, want %lld", cases[i].in, (long long)got, (long long)cases[i].want);
	}
}

static void test_time_parse_ok(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	check_ok(ok_utc, sizeof(ok_utc) / sizeof(ok_utc[0]));
}

/* Without a zone the time is local: here five hours west of UTC. */
static void test_time_parse_local(void **state)
{
	static const struct ok_case cases[] = {
		{"2024-01-02", DAY + 5 * 3600 * S},
		{"2024-01-02T03:04:05", T + 5 * 3600 * S},
		{"2024-01-02T03:04:05.5", T + 5 * 3600 * S + 500000000},
		{"2024-01-02T03:04:05Z", T},
		{"2024-01-02T03:04:05-05:00", T + 5 * 3600 * S},
	};

	(void)state;
	setenv("TZ", "EST5", 1);
	tzset();
	check_ok(cases, sizeof(cases) / sizeof(cases[0]));
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_time_parse_errors(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{"garbage", "failed to parse value as time or duration: \"garbage\""},
		{"", "failed to parse value as time or duration: \"\""},
		{"10x", "failed to parse value as time or duration: \"10x\""},
		{"1700000000.", "failed to parse value as time or duration: \"1700000000.\""},
		{"1.2.3", "failed to parse value as time or duration: \"1.2.3\""},
		{"h", "failed to parse value as time or duration: \"h\""},
		{"2024-13-01", "parsing time \"2024-13-01\": month out of range"},
		{"2024-02-30", "parsing time \"2024-02-30\": day out of range"},
		{"2024-01-02T24:00", "parsing time \"2024-01-02T24:00\": hour out of range"},
		{"2024-01-0x", "parsing time \"2024-01-0x\" as \"2006-01-02\": cannot parse \"0x\" as \"02\""},
		{"2024-01-02T03:04:05Zjunk", "parsing time \"2024-01-02T03:04:05Zjunk\": extra text: \"junk\""},
		{"2024-01-02 03:04:05", "parsing time \"2024-01-02 03:04:05\": extra text: \" 03:04:05\""},
		{"24-01-02", "parsing time \"24-01-02\" as \"2006-01-02\": cannot parse \"24-01-02\" as \"2006\""},
	};

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct berth_error *err = NULL;
		int64_t got = 42;

		if (eng_log_time_parse(cases[i].in, NOW, &got, &err) == 0)
			fail_msg("'%s' accepted as %lld", cases[i].in, (long long)got);
		assert_int_equal(got, 42);
		if (strcmp(err->msg, cases[i].msg) != 0)
			fail_msg("'%s': got '%s', want '%s'", cases[i].in, err->msg, cases[i].msg);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse_ok),
		cmocka_unit_test(test_time_parse_local),
		cmocka_unit_test(test_time_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
