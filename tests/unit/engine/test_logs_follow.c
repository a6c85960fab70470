/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Following a json-file log: a writer thread appending and rotating while the
 * reader follows; appends, half-written lines, rotation, truncation and a
 * late file seen from keep_following; stopping; no busy loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "logs_fixture.h"

#define LINES 400
#define MAX_LAG 10

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct job {
	const char *path;
	struct logs_collect c;
	atomic_size_t received;
	atomic_bool done;
	bool writer_failed;
};

static int job_emit(void *data, const char *stream, int64_t time_ns, const char *text, size_t len)
{
	struct job *j = data;
	int r = logs_collect_emit(&j->c, stream, time_ns, text, len);

	atomic_store(&j->received, j->c.n);
	return r;
}

static bool job_keep_following(void *data)
{
	struct job *j = data;

	return !atomic_load(&j->done);
}

/*
 * Appends LINES lines through a rotating writer (about 20 entries a file, 3
 * files). It waits while the reader is more than MAX_LAG lines behind, so that
 * no file is rotated away unread, which would lose lines in Docker too.
 */
static void *writer_main(void *arg)
{
	struct job *j = arg;
	struct berth_error *err = NULL;
	struct eng_log_writer *w = eng_log_writer_open(j->path, 1500, 3, &err);

	for (int i = 0; w && i < LINES; i++) {
		char line[32];
		int64_t deadline = clock_ns(CLOCK_MONOTONIC) + INT64_C(20000000000);

		while ((size_t)i > atomic_load(&j->received) + MAX_LAG && clock_ns(CLOCK_MONOTONIC) < deadline)
			nanosleep(&(struct timespec){.tv_nsec = 500000}, NULL);
		snprintf(line, sizeof(line), "line %04d\n", i);
		if (eng_log_write(w, "stdout", line, strlen(line), &err) < 0)
			break;
		if (i % 7 == 0)
			nanosleep(&(struct timespec){.tv_nsec = 300000}, NULL);
	}
	j->writer_failed = !w || err;
	berth_error_free(&err);
	eng_log_writer_close(w);
	atomic_store(&j->done, true);
	return NULL;
}

static void test_follow_writer_thread(void **state)
{
	struct logs_fixture *f = *state;
	struct job j = {.path = f->path};
	struct eng_log_read_opts o = {.tail = -1, .stdout = true, .stderr = true, .follow = true};
	struct berth_error *err = NULL;
	_cleanup_free_ char *rotated = xasprintf("%s.2", f->path);
	pthread_t t;

	o.emit = job_emit;
	o.keep_following = job_keep_following;
	o.data = &j;
	assert_int_equal(pthread_create(&t, NULL, writer_main, &j), 0);
	if (eng_logs_read(f->path, &o, &err) < 0)
		fail_msg("follow: %s", err->msg);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_false(j.writer_failed);
	assert_int_equal(access(rotated, F_OK), 0);
	assert_int_equal(j.c.n, LINES);
	for (int i = 0; i < LINES; i++) {
		char want[32];

		snprintf(want, sizeof(want), "line %04d\n", i);
		assert_string_equal(j.c.texts[i], want);
	}
	logs_collect_done(&j.c);
}

static const char entry_a[] = "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:00Z\"}\n";
static const char entry_b[] = "{\"log\":\"b\\n\",\"stream\":\"stderr\",\"time\":\"2024-01-02T03:04:01Z\"}\n";
static const char entry_c[] = "{\"log\":\"c\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:02Z\"}\n";
static const char entry_d[] = "{\"log\":\"d\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:03Z\"}\n";
/* Shorter than entry_d, so that the truncation shows in the size. */
static const char entry_e[] = "{\"log\":\"e\",\"stream\":\"stdout\",\"time\":\"2024-01-02T03:04:04Z\"}\n";

static void append(const char *path, const char *data, size_t len, int extra_flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extra_flags, 0640);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* keep_following as a script: each call changes the log a little; false after the last step. */
struct script {
	struct logs_collect c; /* first: data is also logs_collect_emit's */
	const char *path;
	int calls;
};

static bool script_step(void *data)
{
	struct script *s = data;
	_cleanup_free_ char *old = xasprintf("%s.1", s->path);

	switch (s->calls++) {
	case 0: /* the file appears only now */
		append(s->path, entry_a, sizeof(entry_a) - 1, 0);
		break;
	case 1: /* half an entry: must wait for the rest */
		append(s->path, entry_b, 20, 0);
		break;
	case 2:
		assert_int_equal(s->c.n, 1);
		append(s->path, entry_b + 20, sizeof(entry_b) - 1 - 20, 0);
		break;
	case 3: /* rotation: one more entry in the old file, then a new one */
		append(s->path, entry_c, sizeof(entry_c) - 1, 0);
		assert_int_equal(rename(s->path, old), 0);
		append(s->path, entry_d, sizeof(entry_d) - 1, 0);
		break;
	case 4: /* truncation (max-file 1): read again from the start */
		assert_int_equal(s->c.n, 4);
		append(s->path, entry_e, sizeof(entry_e) - 1, O_TRUNC);
		break;
	default:
		break;
	}
	return s->calls < 7;
}

static void test_follow_scripted(void **state)
{
	struct logs_fixture *f = *state;
	struct script s = {.path = f->path};
	struct eng_log_read_opts o = {.tail = -1, .stdout = true, .stderr = true, .follow = true};
	struct berth_error *err = NULL;
	static const char *const want[] = {"a\n", "b\n", "c\n", "d\n", "e"};

	o.emit = logs_collect_emit;
	o.keep_following = script_step;
	o.data = &s;
	if (eng_logs_read(f->path, &o, &err) < 0)
		fail_msg("follow: %s", err->msg);
	assert_int_equal(s.calls, 7);
	assert_int_equal(s.c.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(s.c.texts[i], want[i]);
	assert_string_equal(s.c.streams[1], "stderr");
	logs_collect_done(&s.c);
}

struct idle {
	struct logs_collect c;
	int64_t stop_at;
	int calls;
};

static bool idle_keep_following(void *data)
{
	struct idle *d = data;

	d->calls++;
	return clock_ns(CLOCK_MONOTONIC) < d->stop_at;
}

/* Nothing is written for a second: the reader sleeps, yet polls keep_following every 200 ms. */
static void test_follow_idle_no_busy_loop(void **state)
{
	struct logs_fixture *f = *state;
	struct idle d = {0};
	struct eng_log_read_opts o = {.tail = 1, .stdout = true, .stderr = true, .follow = true};
	struct berth_error *err = NULL;
	int64_t cpu0, wall0, cpu, wall;

	append(f->path, entry_a, sizeof(entry_a) - 1, 0);
	append(f->path, entry_b, sizeof(entry_b) - 1, 0);
	o.emit = logs_collect_emit;
	o.keep_following = idle_keep_following;
	o.data = &d;
	wall0 = clock_ns(CLOCK_MONOTONIC);
	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	d.stop_at = wall0 + INT64_C(1000000000);
	if (eng_logs_read(f->path, &o, &err) < 0)
		fail_msg("follow: %s", err->msg);
	cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	wall = clock_ns(CLOCK_MONOTONIC) - wall0;
	assert_int_equal(d.c.n, 1);
	assert_string_equal(d.c.texts[0], "b\n");
	assert_true(wall >= INT64_C(1000000000) && wall < INT64_C(2000000000));
	assert_true(d.calls >= 5 && d.calls <= 12);
	assert_true(cpu < INT64_C(150000000));
	logs_collect_done(&d.c);
}

/* With until in the past, following ends as soon as the file is read. */
static void test_follow_until_past(void **state)
{
	struct logs_fixture *f = *state;
	struct eng_log_read_opts o = {.tail = -1, .stdout = true, .stderr = true, .follow = true};
	struct logs_collect c = {0};

	append(f->path, entry_a, sizeof(entry_a) - 1, 0);
	append(f->path, entry_b, sizeof(entry_b) - 1, 0);
	o.until_ns = INT64_C(1704164640) * 1000000000;
	logs_read_ok(f->path, &o, &c);
	assert_int_equal(c.n, 1);
	logs_collect_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_follow_writer_thread, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_follow_scripted, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_follow_idle_no_busy_loop, logs_setup, logs_teardown),
		cmocka_unit_test_setup_teardown(test_follow_until_past, logs_setup, logs_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
