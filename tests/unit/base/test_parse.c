/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base/parse.c: numbers, sizes, modes, signals. */
#include "fixture.h"

#include <errno.h>
#include <signal.h>

#include "base/base.h"

static void test_parse_int(void **state)
{
	int v = 7;

	assert_int_equal(parse_int("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_int("-42", &v), 0);
	assert_int_equal(v, -42);
	assert_int_equal(parse_int("+5", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_int("2147483647", &v), 0);
	assert_int_equal(v, 2147483647);
	assert_int_equal(parse_int("-2147483648", &v), 0);
	assert_int_equal(v, -2147483647 - 1);
	v = 7;
	const char *bad[] = {"", " 1", "1 ", "1x", "0x10", "-", "+", "--1", "1.0", NULL};
	for (int i = 0; bad[i]; i++) {
		errno = 0;
		assert_int_equal(parse_int(bad[i], &v), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(parse_int(NULL, &v), -1);
	errno = 0;
	assert_int_equal(parse_int("2147483648", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_int("-99999999999999999999", &v), -1);
	assert_int_equal(errno, ERANGE);
	/* untouched on failure */
	assert_int_equal(v, 7);
}

static void test_parse_64(void **state)
{
	uint64_t u = 0;
	int64_t i = 0;

	assert_int_equal(parse_uint64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(parse_uint64("18446744073709551616", &u), -1);
	assert_int_equal(errno, ERANGE);
	/* strtoull would wrap "-1" around */
	assert_int_equal(parse_uint64("-1", &u), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_int64("-9223372036854775808", &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(parse_int64("9223372036854775808", &i), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_int64("12a", &i), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{"0", 0},
		{"123", 123},
		{"123b", 123},
		{"64k", 64 << 10},
		{"64K", 64 << 10},
		{"64kb", 64 << 10},
		{"64KiB", 64 << 10},
		{"10m", 10 << 20},
		{"10MB", 10 << 20},
		{"1g", 1ULL << 30},
		{"1 g", 1ULL << 30},
		{"1.5g", 3ULL << 29},
		{"0.5k", 512},
		{"2t", 2ULL << 40},
		{"1p", 1ULL << 50},
		{"16383p", 16383ULL << 50},
		{"18446744073709551615", UINT64_MAX},
	};
	const char *bad[] = {"", "k", "-1", "1x", "1kk", "1.k", ".5k", "1 ", "1  k", "1bb", " 1", "1gi b", NULL};
	uint64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 1;
		assert_int_equal(parse_size(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
	for (int i = 0; bad[i]; i++) {
		errno = 0;
		assert_int_equal(parse_size(bad[i], &v), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(parse_size("16384p", &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_size("99999999999999999999", &v), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_parse_mode(void **state)
{
	unsigned m = 0;

	assert_int_equal(parse_mode("0755", &m), 0);
	assert_int_equal(m, 0755);
	assert_int_equal(parse_mode("755", &m), 0);
	assert_int_equal(m, 0755);
	assert_int_equal(parse_mode("1777", &m), 0);
	assert_int_equal(m, 01777);
	assert_int_equal(parse_mode("0", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(parse_mode("00000644", &m), 0);
	assert_int_equal(m, 0644);
	assert_int_equal(parse_mode("0789", &m), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_mode("", &m), -1);
	assert_int_equal(parse_mode("-755", &m), -1);
	assert_int_equal(parse_mode("17777", &m), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_parse_signal(void **state)
{
	assert_int_equal(parse_signal("KILL"), SIGKILL);
	assert_int_equal(parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(parse_signal("kill"), SIGKILL);
	assert_int_equal(parse_signal("sigterm"), SIGTERM);
	assert_int_equal(parse_signal("SigHup"), SIGHUP);
	assert_int_equal(parse_signal("9"), 9);
	assert_int_equal(parse_signal("15"), 15);
	assert_int_equal(parse_signal("64"), 64);
	assert_int_equal(parse_signal("WINCH"), SIGWINCH);
	assert_int_equal(parse_signal("IOT"), SIGABRT);
	assert_int_equal(parse_signal("CLD"), SIGCHLD);
	assert_int_equal(parse_signal("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(parse_signal("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(parse_signal("rtmin+1"), SIGRTMIN + 1);
	assert_int_equal(parse_signal("RTMAX"), SIGRTMAX);
	assert_int_equal(parse_signal("SIGRTMAX-2"), SIGRTMAX - 2);
	assert_int_equal(parse_signal("RTMIN+30"), SIGRTMAX);
	const char *bad[] = {"",	"0",	  "65",		"-9",	    "9x",	"SIG",
			     "SIGFOO",	"KILLX",  "SIGSIGKILL", "RTMIN+31", "RTMAX-31", "RTMIN-1",
			     "RTMAX+1", "RTMIN+", "RTMIN++1",	"RTMIN+-1", " KILL",	NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(parse_signal(bad[i]), -1);
	assert_int_equal(parse_signal(NULL), -1);
}

static void test_signal_name(void **state)
{
	assert_string_equal(signal_name(SIGKILL), "KILL");
	assert_string_equal(signal_name(SIGABRT), "ABRT");
	assert_string_equal(signal_name(SIGCHLD), "CHLD");
	assert_string_equal(signal_name(SIGIO), "IO");
	assert_string_equal(signal_name(SIGRTMIN), "RTMIN");
	assert_string_equal(signal_name(SIGRTMIN + 15), "RTMIN+15");
	assert_string_equal(signal_name(SIGRTMAX - 14), "RTMAX-14");
	assert_string_equal(signal_name(SIGRTMAX), "RTMAX");
	assert_null(signal_name(0));
	assert_null(signal_name(65));
	assert_null(signal_name(-1));
	/* every name reads back to its number */
	for (int sig = 1; sig <= SIGRTMAX; sig++) {
		const char *n = signal_name(sig);
		if (n)
			assert_int_equal(parse_signal(n), sig);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int),    cmocka_unit_test(test_parse_64),
		cmocka_unit_test(test_parse_size),   cmocka_unit_test(test_parse_mode),
		cmocka_unit_test(test_parse_signal), cmocka_unit_test(test_signal_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
