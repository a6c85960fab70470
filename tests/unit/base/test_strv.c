/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base/strv.c: string vectors, the byte buffer, x-allocators. */
#include "fixture.h"

#include "base/base.h"

static void test_strv_push_and_length(void **state)
{
	_cleanup_strv_ char **v = NULL;
	char *owned = xstrdup("c");

	assert_int_equal(strv_length(NULL), 0);
	strv_push(&v, "a");
	strv_push(&v, "b");
	strv_push_take(&v, owned);
	assert_int_equal(strv_length(v), 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_ptr_equal(v[2], owned);
	assert_null(v[3]);
}

static void test_strv_copy_contains(void **state)
{
	_cleanup_strv_ char **v = NULL, **c = NULL, **empty = NULL;

	strv_push(&v, "x");
	strv_push(&v, "y");
	c = strv_copy(v);
	assert_int_equal(strv_length(c), 2);
	assert_ptr_not_equal(c[0], v[0]);
	assert_true(strv_contains(c, "y"));
	assert_false(strv_contains(c, "z"));
	assert_false(strv_contains(NULL, "x"));
	empty = strv_copy(NULL);
	assert_non_null(empty);
	assert_null(empty[0]);
	strv_free(NULL);
}

static void test_strv_env_get(void **state)
{
	char *env[] = {"PATH=/bin", "HOME=/root", "PATHX=no", "EMPTY=", "HOME=/home/u", "NOEQ", NULL};

	assert_string_equal(strv_env_get(env, "PATH"), "/bin");
	assert_string_equal(strv_env_get(env, "EMPTY"), "");
	/* the last definition wins */
	assert_string_equal(strv_env_get(env, "HOME"), "/home/u");
	assert_null(strv_env_get(env, "PAT"));
	assert_null(strv_env_get(env, "NOEQ"));
	assert_null(strv_env_get(env, "MISSING"));
	assert_null(strv_env_get(NULL, "PATH"));
}

static void test_buf(void **state)
{
	struct buf b = {0};
	char *s;

	buf_puts(&b, "hello");
	buf_append(&b, ", ", 2);
	buf_printf(&b, "%s %d", "world", 42);
	assert_int_equal(b.len, strlen("hello, world 42"));
	assert_string_equal(b.data, "hello, world 42");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%04d", i);
	assert_int_equal(b.len, 15 + 4000);
	assert_int_equal(b.data[b.len], '\0');
	assert_true(b.cap > b.len);
	s = buf_steal(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_memory_equal(s + 15, "00000001", 8);
	free(s);
	/* stealing an empty buffer gives an empty string, not NULL */
	s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_append(&b, "\0x", 2);
	assert_int_equal(b.len, 2);
	buf_done(&b);
	assert_null(b.data);
	buf_done(&b);
}

static void test_x_allocators(void **state)
{
	_cleanup_free_ char *s = xasprintf("%s-%d", "a", 1);
	_cleanup_free_ int *z = xcalloc(4, sizeof(int));
	_cleanup_free_ void *m = xmalloc(0);

	assert_string_equal(s, "a-1");
	assert_int_equal(z[3], 0);
	assert_non_null(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strv_push_and_length), cmocka_unit_test(test_strv_copy_contains),
		cmocka_unit_test(test_strv_env_get),	     cmocka_unit_test(test_buf),
		cmocka_unit_test(test_x_allocators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
