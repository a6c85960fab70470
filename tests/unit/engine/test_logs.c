/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The json-file log driver: the writer (lines, partial lines, 16 KiB pieces,
 * streams, escaping, rotation, mode), the reader (tail across rotated files,
 * since/until, streams, corrupt lines) and the -t line format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "logs_fixture.h"

static struct eng_log_read_opts all_opts(void)
{
	return (struct eng_log_read_opts){.tail = -1, .stdout = true, .stderr = true};
}

static struct eng_log_writer *open_ok(const char *path, int64_t max_size, int max_file)
{
	struct berth_error *err = NULL;
	struct eng_log_writer *w = eng_log_writer_open(path, max_size, max_file, &err);

	if (!w)
		fail_msg("open: %s", err->msg);
	return w;
}

static void write_ok(struct eng_log_writer *w, const char *stream, const char *s, size_t len)
{
	struct berth_error *err = NULL;

	if (eng_log_write(w, stream, s, len, &err) < 0)
		fail_msg("write: %s", err->msg);
}

static void write_str(struct eng_log_writer *w, const char *stream, const char *s)
{
	write_ok(w, stream, s, strlen(s));
}

static void write_numbered(struct eng_log_writer *w, int first, int count)
{
	for (int i = first; i < first + count; i++) {
		char line[64];

		snprintf(line, sizeof(line), "line %04d\n", i);
		write_str(w, i % 3 ? "stdout" : "stderr", line);
	}
}

/* The entries of one file, decoded. */
static json_t *file_entries(const char *path)
{
	_cleanup_free_ char *data = logs_slurp(path);
	json_t *arr = json_array();
	char *save = NULL;

	assert_non_null(data);
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *e = json_loads(line, JSON_ALLOW_NUL, &jerr);

		if (!e)
			fail_msg("'%s': %s", line, jerr.text);
		json_array_append_new(arr, e);
	}
	return arr;
}

static const char *entry_str(json_t *arr, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(arr, i), key));
}

/* --- writer --- */

static void test_write_lines(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 0, 1);
	struct berth_error *err = NULL;
	json_t *e;
	struct stat st;
	int64_t sec;
	int32_t nsec;

	write_str(w, "stdout", "hello\nwor");
	write_str(w, "stdout", "ld\n");
	write_str(w, "stdout", "tail");
	e = file_entries(f->path);
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(entry_str(e, 0, "log"), "hello\n");
	assert_string_equal(entry_str(e, 1, "log"), "world\n");
	assert_string_equal(entry_str(e, 0, "stream"), "stdout");
	assert_true(eng_time_parse(entry_str(e, 0, "time"), &sec, &nsec));
	assert_true(sec > 1600000000);
	json_decref(e);
	assert_int_equal(eng_log_flush(w, &err), 0);
	e = file_entries(f->path);
	assert_int_equal(json_array_size(e), 3);
	assert_string_equal(entry_str(e, 2, "log"), "tail");
	json_decref(e);
	assert_int_equal(eng_log_write(w, "stdin", "x\n", 2, &err), -1);
	assert_non_null(strstr(err->msg, "unknown stream 'stdin'"));
	berth_error_free(&err);
	eng_log_writer_close(w);
	/* Docker's file mode; the key order of Docker's writer. */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	_cleanup_free_ char *raw = logs_slurp(f->path);
	assert_memory_equal(raw, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"", 43);
}

static void test_write_close_flushes_and_reopen_appends(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 0, 1);
	json_t *e;

	write_str(w, "stderr", "no newline");
	eng_log_writer_close(w);
	w = open_ok(f->path, 0, 1);
	write_str(w, "stdout", "second\n");
	eng_log_writer_close(w);
	e = file_entries(f->path);
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(entry_str(e, 0, "log"), "no newline");
	assert_string_equal(entry_str(e, 0, "stream"), "stderr");
	assert_string_equal(entry_str(e, 1, "log"), "second\n");
	json_decref(e);
}

static void test_write_escaping(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 0, 1);
	_cleanup_free_ char *raw = NULL;
	static const char in[] = "<a&b>\"\\\t\r\x01 \xc3\xa9 \xff \xe2\x80\xa8\n";

	write_ok(w, "stdout", in, sizeof(in) - 1);
	eng_log_writer_close(w);
	raw = logs_slurp(f->path);
	assert_non_null(
		strstr(raw, "{\"log\":\"\\u003ca\\u0026b\\u003e\\\"\\\\\\t\\r\\u0001 \xc3\xa9 \\ufffd \\u2028\\n\","));
}

static void test_write_long_lines_split(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 0, 1);
	size_t big = 2 * ENG_LOG_LINE_MAX + 1000;
	_cleanup_free_ char *line = xmalloc(big + 1);
	json_t *e;

	memset(line, 'x', big);
	line[big] = '\n';
	/* Fed in odd pieces: the split must not depend on how the data arrives. */
	for (size_t off = 0; off < big + 1; off += 7001)
		write_ok(w, "stdout", line + off, big + 1 - off < 7001 ? big + 1 - off : 7001);
	/* Exactly 16 KiB before the newline: Docker's buffer is full first, so a piece and then "\n". */
	write_ok(w, "stderr", line, ENG_LOG_LINE_MAX);
	write_str(w, "stderr", "\n");
	/* One byte less fits in one entry. */
	write_ok(w, "stderr", line, ENG_LOG_LINE_MAX - 1);
	write_str(w, "stderr", "\n");
	eng_log_writer_close(w);
	e = file_entries(f->path);
	assert_int_equal(json_array_size(e), 6);
	assert_int_equal(strlen(entry_str(e, 0, "log")), ENG_LOG_LINE_MAX);
	assert_int_equal(strlen(entry_str(e, 1, "log")), ENG_LOG_LINE_MAX);
	assert_int_equal(strlen(entry_str(e, 2, "log")), 1001);
	assert_int_equal(entry_str(e, 2, "log")[1000], '\n');
	assert_null(strchr(entry_str(e, 0, "log"), '\n'));
	assert_int_equal(strlen(entry_str(e, 3, "log")), ENG_LOG_LINE_MAX);
	assert_string_equal(entry_str(e, 4, "log"), "\n");
	assert_int_equal(strlen(entry_str(e, 5, "log")), ENG_LOG_LINE_MAX);
	json_decref(e);
}

static void test_write_streams_interleaved(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 0, 1);
	json_t *e;

	write_str(w, "stdout", "out-a");
	write_str(w, "stderr", "err-a\nerr-b");
	write_str(w, "stdout", "\nout-b\n");
	write_str(w, "stderr", "\n");
	eng_log_writer_close(w);
	e = file_entries(f->path);
	assert_int_equal(json_array_size(e), 4);
	assert_string_equal(entry_str(e, 0, "log"), "err-a\n");
	assert_string_equal(entry_str(e, 0, "stream"), "stderr");
	assert_string_equal(entry_str(e, 1, "log"), "out-a\n");
	assert_string_equal(entry_str(e, 1, "stream"), "stdout");
	assert_string_equal(entry_str(e, 2, "log"), "out-b\n");
	assert_string_equal(entry_str(e, 3, "log"), "err-b\n");
	json_decref(e);
}

static void test_write_rotation(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 1000, 3);
	struct eng_log_read_opts o = all_opts();
	struct logs_collect c = {0};
	struct stat st;
	int first;

	write_numbered(w, 0, 100);
	eng_log_writer_close(w);
	for (int i = 0; i < 3; i++) {
		_cleanup_free_ char *name = i ? xasprintf("%s.%d", f->path, i) : xstrdup(f->path);

		assert_int_equal(stat(name, &st), 0);
		/* Rotated before a write once at max-size: at most one entry over it. */
		assert_true(st.st_size < 1000 + 100);
		assert_int_equal(st.st_mode & 07777, 0640);
		if (i)
			assert_true(st.st_size >= 1000);
	}
	_cleanup_free_ char *gone = xasprintf("%s.3", f->path);
	assert_int_equal(stat(gone, &st), -1);
	/* What is kept is the newest entries, in order, without a gap. */
	logs_read_ok(f->path, &o, &c);
	assert_true(c.n > 20 && c.n < 60);
	first = 100 - (int)c.n;
	for (size_t i = 0; i < c.n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "line %04d\n", first + (int)i);
		assert_string_equal(c.texts[i], want);
	}
	logs_collect_done(&c);
}

static void test_write_rotation_max_file_one(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 500, 1);
	_cleanup_free_ char *one = xasprintf("%s.1", f->path);
	struct stat st;
	json_t *e;

	write_numbered(w, 0, 50);
	eng_log_writer_close(w);
	assert_int_equal(stat(one, &st), -1);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(st.st_size < 600);
	e = file_entries(f->path);
	assert_string_equal(entry_str(e, json_array_size(e) - 1, "log"), "line 0049\n");
	json_decref(e);
}

static void test_write_open_errors(void **state)
{
	struct logs_fixture *f = *state;
	struct berth_error *err = NULL;
	_cleanup_free_ char *bad = xasprintf("%s/missing/dir/x.log", f->dir);

	assert_null(eng_log_writer_open(bad, 0, 1, &err));
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);
	assert_null(eng_log_writer_open(f->path, 100, 0, &err));
	assert_non_null(err);
	berth_error_free(&err);
}

/* --- reader --- */

static void write_fixture(const char *path, const char *text)
{
	FILE *fp = fopen(path, "we");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Five entries one second apart from 2024-01-02T03:04:00.5Z, stderr at odd seconds. */
static const char timed_log[] = "{\"log\":\"t0\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:00.5Z\"}\n"
				"{\"log\":\"t1\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-02T03:04:01.5Z\"}\n"
				"{\"log\":\"t2\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:02.5Z\"}\n"
				"{\"log\":\"t3\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-02T03:04:03.5Z\"}\n"
				"{\"log\":\"t4\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:04.500000001Z\"}\n";

#define T0_NS (INT64_C(1704164640) * 1000000000 + 500000000)

static void test_read_all_and_streams(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_read_opts o = all_opts();
	struct logs_collect c = {0};

	write_fixture(f->path, timed_log);
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.texts[0], "t0\n");
	assert_string_equal(c.streams[1], "stderr");
	assert_string_equal(c.texts[4], "t4");
	assert_true(c.times[0] == T0_NS);
	assert_true(c.times[4] == T0_NS + 4 * INT64_C(1000000000) + 1);
	logs_collect_done(&c);

	o.stderr = false;
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.texts[1], "t2\n");
	logs_collect_done(&c);

	o.stdout = false;
	o.stderr = true;
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.texts[1], "t3\n");
	logs_collect_done(&c);

	/* emit may stop the read early. */
	o = all_opts();
	c.stop_after = 2;
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 2);
	logs_collect_done(&c);
}

static void test_read_since_until(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_read_opts o = all_opts();
	struct logs_collect c = {0};

	write_fixture(f->path, timed_log);
	/* Both bounds inclusive. */
	o.since_ns = T0_NS + INT64_C(1000000000);
	o.until_ns = T0_NS + INT64_C(3000000000);
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.texts[0], "t1\n");
	assert_string_equal(c.texts[2], "t3\n");
	logs_collect_done(&c);

	o.until_ns = 0;
	o.since_ns = T0_NS + 1;
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 4);
	logs_collect_done(&c);

	/* tail counts entries before since filters them, as Docker. */
	o.tail = 2;
	o.since_ns = T0_NS + INT64_C(4000000000);
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.texts[0], "t4");
	logs_collect_done(&c);
}

static void test_read_corrupt_lines(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_read_opts o = all_opts();
	struct logs_collect c = {0};

	write_fixture(f->path, "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:00Z\"}\n"
			       "garbage\n"
			       "\n"
			       "{\"log\":1,\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:00Z\"}\n"
			       "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"yesterday\"}\n"
			       "{\"log\":\"b\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:01Z\"}\n"
			       "{\"log\":\"half");
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.texts[0], "a\n");
	assert_string_equal(c.texts[1], "b\n");
	logs_collect_done(&c);
}

static void test_read_missing_is_empty(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_read_opts o = all_opts();
	struct logs_collect c = {0};

	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 0);
	logs_collect_done(&c);
}

/* The texts of a full read, to compare tails against. */
static char **read_texts(const char *path, int64_t tail)
{
	struct eng_log_read_opts o = all_opts();
	struct logs_collect c = {0};
	char **texts;

	o.tail = tail;
	logs_read_ok(path, &o, &c);
	texts = TAKE_PTR(c.texts);
	if (!texts)
		texts = xcalloc(1, sizeof(char *));
	logs_collect_done(&c);
	return texts;
}

static void test_read_tail_across_rotated(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 2000, 4);
	_cleanup_strv_ char **all = NULL;
	size_t total;

	write_numbered(w, 0, 120);
	eng_log_writer_close(w);
	all = read_texts(f->path, -1);
	total = strv_length(all);
	assert_true(total > 60);
	/* 0, within the newest file, spanning two and three files, all, more than all. */
	for (int64_t tail = 0; tail <= (int64_t)total + 5; tail += tail < 30 ? 1 : 17) {
		_cleanup_strv_ char **got = read_texts(f->path, tail);
		size_t want = (size_t)tail < total ? (size_t)tail : total;

		assert_int_equal(strv_length(got), want);
		for (size_t i = 0; i < want; i++)
			assert_string_equal(got[i], all[total - want + i]);
	}
	_cleanup_strv_ char **huge = read_texts(f->path, INT64_C(1) << 40);
	assert_int_equal(strv_length(huge), total);
}

static void test_read_tail_big_file(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_writer *w = open_ok(f->path, 0, 1);
	_cleanup_strv_ char **got = NULL;

	write_numbered(w, 0, 9000);
	write_str(w, "stdout", "partial at the end");
	eng_log_writer_close(w);
	got = read_texts(f->path, 3);
	assert_int_equal(strv_length(got), 3);
	assert_string_equal(got[0], "line 8998\n");
	assert_string_equal(got[1], "line 8999\n");
	assert_string_equal(got[2], "partial at the end");
}

static void test_format_line(void **state)
{
	struct buf b = {0};
	char ts[64];

	(void)state;
	eng_log_format_line(&b, T0_NS, false, "text\n", 5);
	assert_string_equal(b.data, "text\n");
	b.len = 0;
	/* docker logs -t: RFC3339NanoFixed, nine digits always. */
	eng_log_format_line(&b, T0_NS, true, "text\n", 5);
	assert_string_equal(b.data, "2024-01-02T03:04:00.500000000Z text\n");
	b.len = 0;
	eng_log_format_line(&b, T0_NS - 500000000, true, "x", 1);
	assert_string_equal(b.data, "2024-01-02T03:04:00.000000000Z x");
	buf_done(&b);
	/* json-file's own times: RFC3339Nano, trailing zeros dropped. */
	eng_log_time_format(ts, sizeof(ts), T0_NS, false);
	assert_string_equal(ts, "2024-01-02T03:04:00.5Z");
	eng_log_time_format(ts, sizeof(ts), T0_NS - 500000000, false);
	assert_string_equal(ts, "2024-01-02T03:04:00Z");
	eng_log_time_format(ts, sizeof(ts), T0_NS + 123456789 - 500000000, false);
	assert_string_equal(ts, "2024-01-02T03:04:00.123456789Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_lines, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_close_flushes_and_reopen_appends, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_escaping, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_long_lines_split, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_streams_interleaved, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_rotation, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_rotation_max_file_one, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_write_open_errors, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_read_all_and_streams, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_read_since_until, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_read_corrupt_lines, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_read_missing_is_empty, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_read_tail_across_rotated, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_read_tail_big_file, logs_setup, logs_teardown),
		cmocka_unit_test(test_format_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
