/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Container ids, generated names (form, retry digit, Docker's exclusion) and the name rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"

static void test_id_format(void **state)
{
	char prev[65] = "";

	(void)state;
	for (int i = 0; i < 2000; i++) {
		char id[65];

		memset(id, 'Z', sizeof(id));
		eng_id_generate(id);
		assert_int_equal(strlen(id), 64);
		assert_int_equal(strspn(id, "0123456789abcdef"), 64);
		/* Docker's rule: a short id is never all digits. */
		assert_true(strspn(id, "0123456789") < 12);
		assert_string_not_equal(id, prev);
		memcpy(prev, id, sizeof(id));
	}
}

/* "adjective_surname": lowercase letters on both sides of one underscore. */
static bool name_shape(const char *name, size_t *ret_tail_digits)
{
	const char *us = strchr(name, '_');
	size_t n = strlen(name), digits = 0;

	if (!us || us == name || strchr(us + 1, '_') || !us[1])
		return false;
	while (digits < n && isdigit((unsigned char)name[n - 1 - digits]))
		digits++;
	for (const char *p = name; p < name + n - digits; p++)
		if (p != us && !(*p >= 'a' && *p <= 'z'))
			return false;
	*ret_tail_digits = digits;
	return true;
}

static void test_name_format(void **state)
{
	bool seen_boring = false, seen_wozniak = false;

	(void)state;
	/* About 1 in 23000 draws would be boring_wozniak without the exclusion. */
	for (int i = 0; i < 200000; i++) {
		_cleanup_free_ char *name = eng_name_generate(0);
		size_t digits = 99;

		assert_true(name_shape(name, &digits));
		assert_int_equal(digits, 0);
		assert_string_not_equal(name, "boring_wozniak");
		assert_int_equal(eng_name_validate(name, NULL), 0);
		seen_boring |= strncmp(name, "boring_", 7) == 0;
		seen_wozniak |= strlen(name) > 8 && strcmp(name + strlen(name) - 8, "_wozniak") == 0;
	}
	/* Both words are in the lists, so the exclusion is what keeps the pair out. */
	assert_true(seen_boring);
	assert_true(seen_wozniak);
}

static void test_name_retry(void **state)
{
	bool seen[10] = {false};

	(void)state;
	for (int i = 0; i < 2000; i++) {
		_cleanup_free_ char *name = eng_name_generate(1 + (unsigned)i % 3);
		size_t digits = 0;

		assert_true(name_shape(name, &digits));
		assert_int_equal(digits, 1);
		assert_int_equal(eng_name_validate(name, NULL), 0);
		seen[name[strlen(name) - 1] - '0'] = true;
	}
	for (int d = 0; d < 10; d++)
		assert_true(seen[d]);
}

static void test_name_validate(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"web", true},	      {"a1", true},    {"eager_lovelace", true},
		{"My.App-2_x", true}, {"0abc", true},  {"/web", true},
		{"a", false},	      {"", false},     {"/", false},
		{"/a", false},	      {"_web", false}, {".web", false},
		{"-web", false},      {"we b", false}, {"web/1", false},
		{"//web", false},     {"wéb", false},  {"web:1", false},
		{"web\n", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct berth_error *err = NULL;
		int r = eng_name_validate(cases[i].name, &err);

		if (cases[i].ok) {
			if (r != 0)
				fail_msg("'%s': %s", cases[i].name, err->msg);
			assert_null(err);
			continue;
		}
		if (r != -1)
			fail_msg("'%s' accepted", cases[i].name);
		assert_non_null(err);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
	}
}

static void test_name_validate_message(void **state)
{
	struct berth_error *err = NULL;

	(void)state;
	assert_int_equal(eng_name_validate("bad name", &err), -1);
	assert_string_equal(err->msg, "Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_format),
		cmocka_unit_test(test_name_format),
		cmocka_unit_test(test_name_retry),
		cmocka_unit_test(test_name_validate),
		cmocka_unit_test(test_name_validate_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
