/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base/error.c and base/log.c: messages, wrapping, and the log line formats. */
#include "fixture.h"

#include <errno.h>
#include <regex.h>

#include "base/base.h"

static void test_error_set(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(berth_error_set(&err, ENOENT, "open '%s'", "/x"), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "open '/x': No such file or directory");
	/* replaced, not leaked */
	berth_error_set(&err, 0, "bad value %d", 3);
	assert_int_equal(err->code, 0);
	assert_string_equal(err->msg, "bad value 3");
	/* NULL err drops the error */
	assert_int_equal(berth_error_set(NULL, EPERM, "x"), -1);
}

static void test_error_wrap_move(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL, *other = NULL;

	assert_int_equal(berth_error_wrap(&err, "ignored"), -1);
	assert_null(err);
	berth_error_set(&err, EPERM, "mount 'proc' on '/proc'");
	assert_int_equal(berth_error_wrap(&err, "create container '%s'", "web"), -1);
	assert_string_equal(err->msg, "create container 'web': mount 'proc' on '/proc': Operation not permitted");
	assert_int_equal(err->code, EPERM);
	berth_error_set(&other, 0, "old");
	assert_int_equal(berth_error_move(&other, &err), -1);
	assert_null(err);
	assert_int_equal(other->code, EPERM);
	berth_error_free(&other);
	assert_null(other);
	berth_error_free(&other);
	berth_error_free(NULL);
}

static char *log_lines(struct tmp_fixture *t, enum berth_log_format fmt)
{
	_cleanup_error_ struct berth_error *err = NULL;
	char *data = NULL;
	char path[128];

	snprintf(path, sizeof(path), "%s/log", t->path);
	unlink(path);
	assert_int_equal(berth_log_open("berth-test", path, fmt, &err), 0);
	assert_false(berth_log_is_stderr());
	assert_true(berth_log_fd() > 2);
	berth_log_set_level(BERTH_LOG_INFO);
	log_debug("hidden");
	log_error("container \"%s\" failed:\n%s", "web", "tab\there\\");
	log_warn("cgroup missing, ignoring");
	berth_log_close();
	assert_true(berth_log_is_stderr());
	assert_int_equal(berth_log_fd(), 2);
	assert_int_equal(fs_read_file_at(t->fd, "log", &data, NULL, &err), 0);
	return data;
}

static void assert_matches(const char *s, const char *re)
{
	regex_t r;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE), 0);
	if (regexec(&r, s, 0, NULL, 0) != 0)
		fail_msg("'%s' does not match '%s'", s, re);
	regfree(&r);
}

#define TS "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z"

static void test_log_json(void **state)
{
	_cleanup_free_ char *data = log_lines(*state, BERTH_LOG_JSON);

	assert_null(strstr(data, "hidden"));
	assert_matches(
		data,
		"^\\{\"level\":\"error\",\"msg\":\"container \\\\\"web\\\\\" failed:\\\\ntab\\\\u0009here\\\\\\\\\","
		"\"time\":\"" TS "\"\\}\n"
		"\\{\"level\":\"warning\",\"msg\":\"cgroup missing, ignoring\",\"time\":\"" TS "\"\\}\n$");
}

static void test_log_text(void **state)
{
	_cleanup_free_ char *data = log_lines(*state, BERTH_LOG_TEXT);

	assert_matches(data, "^time=\"" TS "\" level=error msg=\"container \\\\\"web\\\\\" failed:\\\\ntab\\\\u0009here"
			     "\\\\\\\\\"\n"
			     "time=\"" TS "\" level=warning msg=\"cgroup missing, ignoring\"\n$");
}

static void test_log_open_fails(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(berth_log_open("berth-test", "/nonexistent/dir/log", BERTH_LOG_JSON, &err), -1);
	assert_string_equal(err->msg, "open log file '/nonexistent/dir/log': No such file or directory");
	assert_true(berth_log_is_stderr());
	berth_log_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_set), cmocka_unit_test(test_error_wrap_move), TMP_TEST(test_log_json),
		TMP_TEST(test_log_text),	  cmocka_unit_test(test_log_open_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
