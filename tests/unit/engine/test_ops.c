/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure parts of the container commands: CPU %, stats rows, ps -ef rows, ps output, event lines and filters, update
 * merges, prune filters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

#define ID "7b621f73ca41be272145d69bab6b7783b0e19310c9091b87fba0c038c272cc9f"

static void test_cpu_percent(void **state)
{
	struct eng_stats a = {.cpu_ns = 1000000000, .system_ns = 10000000000ULL, .online_cpus = 2};
	struct eng_stats b = {.cpu_ns = 1500000000, .system_ns = 12000000000ULL, .online_cpus = 2};

	(void)state;
	/* 0.5 s of the container over 2 s of all cpus, times 2 cpus */
	assert_true(eng_stats_cpu_percent(&a, &b) > 49.999 && eng_stats_cpu_percent(&a, &b) < 50.001);
	assert_true(eng_stats_cpu_percent(NULL, &b) == 0.0);
	assert_true(eng_stats_cpu_percent(&b, &b) == 0.0);
	/* a counter that went back (a restarted container) is no negative percentage */
	assert_true(eng_stats_cpu_percent(&b, &a) == 0.0);
}

static void test_stats_from_json_v1(void **state)
{
	const char *text =
		"{\"type\":\"stats\",\"data\":{\"cpu\":{\"usage\":{\"total\":3817001}},"
		"\"memory\":{\"usage\":{\"limit\":67108864,\"usage\":208896},"
		"\"raw\":{\"total_inactive_file\":4096,\"inactive_file\":1}},\"pids\":{\"current\":3},"
		"\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":1000},"
		"{\"op\":\"Write\",\"value\":20},{\"op\":\"Read\",\"value\":24},{\"op\":\"Total\",\"value\":9}]}}}";
	json_t *line = json_loads(text, 0, NULL);
	struct eng_stats s = {0};

	(void)state;
	assert_int_equal(eng_stats_from_json(line, 1ULL << 34, &s), 0);
	assert_int_equal(s.cpu_ns, 3817001);
	assert_int_equal(s.mem_usage, 208896 - 4096);
	assert_int_equal(s.mem_limit, 67108864);
	assert_int_equal(s.pids, 3);
	assert_int_equal(s.blk_read, 1024);
	assert_int_equal(s.blk_write, 20);
	json_decref(line);
}

static void test_stats_from_json_unlimited(void **state)
{
	/* v2: inactive_file; no limit (or v1's huge one) shows the host's memory */
	json_t *line = json_loads("{\"data\":{\"memory\":{\"usage\":{\"limit\":9223372036854771712,\"usage\":5000},"
				  "\"raw\":{\"inactive_file\":1000}}}}",
				  0, NULL);
	struct eng_stats s = {0};

	(void)state;
	assert_int_equal(eng_stats_from_json(line, 1ULL << 30, &s), 0);
	assert_int_equal(s.mem_usage, 4000);
	assert_int_equal(s.mem_limit, 1ULL << 30);
	json_decref(line);
	line = json_loads("[]", 0, NULL);
	assert_int_equal(eng_stats_from_json(line, 0, &s), -1);
	json_decref(line);
}

static void test_stats_row(void **state)
{
	struct eng_stats cur = {
		.mem_usage = 204800, .mem_limit = 64 << 20, .net_rx = 1500, .blk_read = 4300000, .pids = 1};
	json_t *row = eng_stats_row("web", ID, "/web", NULL, &cur);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(row, "Container")), "web");
	assert_string_equal(json_string_value(json_object_get(row, "Name")), "web");
	assert_string_equal(json_string_value(json_object_get(row, "ID")), "7b621f73ca41");
	assert_string_equal(json_string_value(json_object_get(row, "CPUPerc")), "0.00%");
	assert_string_equal(json_string_value(json_object_get(row, "MemUsage")), "200KiB / 64MiB");
	assert_string_equal(json_string_value(json_object_get(row, "MemPerc")), "0.31%");
	assert_string_equal(json_string_value(json_object_get(row, "NetIO")), "1.5kB / 0B");
	assert_string_equal(json_string_value(json_object_get(row, "BlockIO")), "4.3MB / 0B");
	assert_string_equal(json_string_value(json_object_get(row, "PIDs")), "1");
	json_decref(row);
}

static const char *names(uid_t uid, void *data)
{
	(void)data;
	return uid == 0 ? "root" : uid == 101 ? "systemd-resolve" : NULL;
}

static void assert_row(json_t *row, const char *const want[8])
{
	assert_int_equal(json_array_size(row), 8);
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(json_string_value(json_array_get(row, i)), want[i]);
}

static void test_top_row(void **state)
{
	struct eng_top_clock clk = {.hz = 100, .boot = 1700000000, .now = 1700000000 + 1000, .user_name = names};
	struct eng_proc p = {.pid = 42,
			     .ppid = 1,
			     .uid = 0,
			     .utime = 200,
			     .stime = 300,
			     .start = 100 * 500,
			     .cmd = (char *)"sleep 1000"};
	static const char *const want[8] = {"root", "42", "1", "1", "22:21", "?", "00:00:05", "sleep 1000"};
	static const char *const want2[8] = {"systemd+", "43", "42", "99", "Nov14", "pts/3", "4-00:00:20", "[kworker]"};
	static const char *const want3[8] = {"1000", "44", "42", "0", "2023", "tty2", "00:00:00", "x"};
	json_t *row;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	row = eng_top_row(&p, &clk);
	assert_row(row, want);
	json_decref(row);
	/* started two days ago, busier than one cpu (capped at 99), on a pty */
	clk.now = clk.boot + 2 * 86400 + 10;
	p = (struct eng_proc){.pid = 43,
			      .ppid = 42,
			      .uid = 101,
			      .utime = 34562000,
			      .start = 0,
			      .tty_nr = (136 << 8) | 3,
			      .cmd = (char *)"[kworker]"};
	row = eng_top_row(&p, &clk);
	assert_row(row, want2);
	json_decref(row);
	/* another year; a uid without a name */
	clk.now = clk.boot + 90 * 86400;
	p = (struct eng_proc){.pid = 44, .ppid = 42, .uid = 1000, .tty_nr = (4 << 8) | 2, .cmd = (char *)"x"};
	row = eng_top_row(&p, &clk);
	assert_row(row, want3);
	json_decref(row);
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void test_proc_read(void **state)
{
	char root[] = "/tmp/berth-test-proc-XXXXXX";
	_cleanup_free_ char *dir = NULL;
	static const char stat[] = "77 (we(i)rd name) S 5 77 77 34816 77 4194560 100 0 0 0 12 34 0 0 20 0 1 0 "
				   "4242 1000 100 18446744073709551615\n";
	struct eng_proc p;

	(void)state;
	assert_non_null(mkdtemp(root));
	dir = xasprintf("%s/77", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file(dir, "stat", stat, sizeof(stat) - 1);
	write_file(dir, "status", "Name:\tx\nUid:\t0\t1000\t1000\t1000\n",
		   strlen("Name:\tx\nUid:\t0\t1000\t1000\t1000\n"));
	write_file(dir, "cmdline", "sh\0-c\0echo hi\0", 14);
	assert_int_equal(eng_proc_read(root, 77, &p, NULL), 0);
	assert_int_equal(p.pid, 77);
	assert_int_equal(p.ppid, 5);
	assert_int_equal(p.uid, 1000);
	assert_int_equal(p.tty_nr, 34816);
	assert_int_equal(p.utime, 12);
	assert_int_equal(p.stime, 34);
	assert_int_equal(p.start, 4242);
	assert_string_equal(p.cmd, "sh -c echo hi");
	eng_proc_done(&p);
	/* an empty cmdline: a kernel thread or a zombie, shown as [comm] */
	write_file(dir, "cmdline", "", 0);
	assert_int_equal(eng_proc_read(root, 77, &p, NULL), 0);
	assert_string_equal(p.cmd, "[we(i)rd name]");
	eng_proc_done(&p);
	assert_int_equal(eng_proc_read(root, 78, &p, NULL), -1);
	fs_rm_rf_at(AT_FDCWD, root, NULL);
}

static void test_parse_ps(void **state)
{
	const char *out = "USER PID %CPU COMMAND\n"
			  "root 1 0.0 /sbin/init splash\n"
			  "root 10 0.5 sleep 1000\n"
			  "root - 0.0 -\n"
			  "root 11 0.0 other\n"
			  "root - 0.0 -\n"
			  "root 12 1.0 sh -c  x\n";
	pid_t pids[] = {10, 12};
	json_t *top = NULL, *procs;
	_cleanup_error_ struct berth_error *err = NULL;

	(void)state;
	assert_int_equal(eng_top_parse_ps(out, pids, 2, &top, NULL), 0);
	assert_int_equal(json_array_size(json_object_get(top, "Titles")), 4);
	procs = json_object_get(top, "Processes");
	assert_int_equal(json_array_size(procs), 3);
	assert_string_equal(json_string_value(json_array_get(json_array_get(procs, 0), 3)), "sleep 1000");
	/* the thread line after a container process stays, the one after another process goes */
	assert_string_equal(json_string_value(json_array_get(json_array_get(procs, 1), 1)), "-");
	assert_string_equal(json_string_value(json_array_get(json_array_get(procs, 2), 3)), "sh -c x");
	json_decref(top);
	assert_int_equal(eng_top_parse_ps("USER COMMAND\nroot x\n", pids, 2, &top, &err), -1);
	assert_string_equal(err->msg, "Couldn't find PID field in ps output");
}

static void test_event_json_and_line(void **state)
{
	json_t *attrs = json_pack("{s:s, s:s, s:s}", "name", "web", "image", "busybox", "exitCode", "0");
	json_t *ev = eng_event_new("container", "die", ID, attrs, 1704164645123456789LL), *d;
	_cleanup_free_ char *line = NULL, *text = NULL;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"status\":\"die\",\"id\":\"" ID "\",\"from\":\"busybox\",\"Type\":\"container\","
				  "\"Action\":\"die\",\"Actor\":{\"ID\":\"" ID "\",\"Attributes\":{\"name\":\"web\","
				  "\"image\":\"busybox\",\"exitCode\":\"0\"}},\"scope\":\"local\",\"time\":1704164645,"
				  "\"timeNano\":1704164645123456789}");
	line = eng_event_line(ev);
	assert_string_equal(line, "2024-01-02T03:04:05.123456789Z container die " ID
				  " (exitCode=0, image=busybox, name=web)");
	d = eng_event_template_data(ev);
	assert_string_equal(json_string_value(json_object_get(d, "Status")), "die");
	assert_string_equal(json_string_value(json_object_get(d, "From")), "busybox");
	assert_int_equal(json_integer_value(json_object_get(d, "TimeNano")), 1704164645123456789LL);
	json_decref(d);
	free(line);
	/* another zone: Go's numeric offset */
	setenv("TZ", "CET-1", 1);
	tzset();
	line = eng_event_line(ev);
	assert_true(!strncmp(line, "2024-01-02T04:04:05.123456789+01:00 container die", 49));
	json_decref(ev);
	json_decref(attrs);
	/* no attributes: no parentheses; not a container: no status/id/from */
	ev = eng_event_new("image", "pull", "busybox:latest", NULL, 1704164645000000000LL);
	free(line);
	setenv("TZ", "UTC", 1);
	tzset();
	line = eng_event_line(ev);
	assert_string_equal(line, "2024-01-02T03:04:05.000000000Z image pull busybox:latest");
	assert_null(json_object_get(ev, "status"));
	json_decref(ev);
}

static void test_event_match(void **state)
{
	json_t *attrs = json_pack("{s:s, s:s, s:s}", "name", "web", "image", "busybox", "com.x", "1");
	json_t *ev = eng_event_new("container", "start", ID, attrs, 1);
	char *f1[] = {"type=container", "event=die", "event=start", NULL};
	char *f2[] = {"container=web", NULL}, *f3[] = {"container=7b621f", NULL}, *f4[] = {"container=db", NULL};
	char *f5[] = {"label=com.x", "image=busybox", NULL}, *f6[] = {"label=com.x=2", NULL};
	char *f7[] = {"type=image", NULL}, *f8[] = {"event=die", NULL};

	(void)state;
	assert_true(eng_event_match(ev, NULL));
	assert_true(eng_event_match(ev, f1));
	assert_true(eng_event_match(ev, f2));
	assert_true(eng_event_match(ev, f3));
	assert_false(eng_event_match(ev, f4));
	assert_true(eng_event_match(ev, f5));
	assert_false(eng_event_match(ev, f6));
	assert_false(eng_event_match(ev, f7));
	assert_false(eng_event_match(ev, f8));
	json_decref(ev);
	json_decref(attrs);
}

static void test_update_merge(void **state)
{
	json_t *hc =
		json_pack("{s:I, s:I, s:I, s:{s:s, s:i}}", "Memory", (json_int_t)64 << 20, "MemorySwap", (json_int_t)0,
			  "NanoCpus", (json_int_t)0, "RestartPolicy", "Name", "no", "MaximumRetryCount", 0);
	json_t *ch = json_pack("{s:I, s:i, s:{s:s, s:i}}", "Memory", (json_int_t)100 << 20, "PidsLimit", 50,
			       "RestartPolicy", "Name", "always", "MaximumRetryCount", 0);
	_cleanup_error_ struct berth_error *err = NULL;

	(void)state;
	assert_int_equal(eng_update_merge(hc, ch, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(hc, "Memory")), 100 << 20);
	/* the swap a Memory limit got at create (as much again) is kept */
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")), 128 << 20);
	assert_int_equal(json_integer_value(json_object_get(hc, "PidsLimit")), 50);
	assert_string_equal(json_string_value(json_object_get(json_object_get(hc, "RestartPolicy"), "Name")), "always");
	json_decref(ch);
	/* above the swap limit without a new one */
	ch = json_pack("{s:I}", "Memory", (json_int_t)200 << 20);
	assert_int_equal(eng_update_merge(hc, ch, &err), -1);
	assert_non_null(strstr(err->msg, "Memory limit should be smaller than already set memoryswap limit"));
	berth_error_free(&err);
	json_decref(ch);
	ch = json_pack("{s:I, s:I}", "Memory", (json_int_t)200 << 20, "MemorySwap", (json_int_t)-1);
	assert_int_equal(eng_update_merge(hc, ch, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")), -1);
	json_decref(ch);
	/* NanoCpus set: no CpuPeriod */
	ch = json_pack("{s:I}", "NanoCpus", (json_int_t)500000000);
	assert_int_equal(eng_update_merge(hc, ch, NULL), 0);
	json_decref(ch);
	ch = json_pack("{s:I}", "CpuPeriod", (json_int_t)100000);
	assert_int_equal(eng_update_merge(hc, ch, &err), -1);
	assert_string_equal(err->msg,
			    "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
	json_decref(ch);
	json_decref(hc);
}

static void test_prune_filter(void **state)
{
	char *ok[] = {"label=team", "label=env=prod", "label!=keep", "until=2024-01-02T00:00:00Z", NULL};
	char *two_until[] = {"until=1h", "until=2h", NULL}, *bogus[] = {"bogus=1", NULL}, *bare[] = {"label", NULL};
	char *until_only[] = {"until=1h", NULL};
	struct eng_prune_filter f = {0};
	struct berth_error *err = NULL;
	json_t *prod = json_pack("{s:s, s:s}", "team", "a", "env", "prod");
	json_t *kept = json_pack("{s:s, s:s, s:s}", "team", "a", "env", "prod", "keep", "");

	(void)state;
	assert_int_equal(eng_prune_filter_parse(ok, true, &f, &err), 0);
	assert_true(f.has_until);
	assert_true(eng_prune_filter_match(&f, prod, "2024-01-01T10:00:00.5Z"));
	assert_true(eng_prune_filter_match(&f, prod, "2024-01-02T00:00:00Z"));
	assert_false(eng_prune_filter_match(&f, prod, "2024-01-02T00:00:01Z"));
	assert_false(eng_prune_filter_match(&f, prod, NULL));
	assert_false(eng_prune_filter_match(&f, kept, "2024-01-01T00:00:00Z"));
	assert_false(eng_prune_filter_match(&f, NULL, "2024-01-01T00:00:00Z"));
	assert_true(eng_prune_filter_match(NULL, NULL, NULL));
	eng_prune_filter_done(&f);

	assert_int_equal(eng_prune_filter_parse(two_until, true, &f, &err), -1);
	assert_string_equal(err->msg, "more than one until filter specified");
	berth_error_free(&err);
	assert_int_equal(eng_prune_filter_parse(until_only, false, &f, &err), -1);
	assert_string_equal(err->msg, "invalid filter 'until'");
	berth_error_free(&err);
	assert_int_equal(eng_prune_filter_parse(bogus, true, &f, &err), -1);
	assert_string_equal(err->msg, "invalid filter 'bogus'");
	berth_error_free(&err);
	assert_int_equal(eng_prune_filter_parse(bare, true, &f, &err), -1);
	assert_string_equal(err->msg, "bad format of filter (expected name=value)");
	berth_error_free(&err);
	json_decref(prod);
	json_decref(kept);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_percent),
		cmocka_unit_test(test_stats_from_json_v1),
		cmocka_unit_test(test_stats_from_json_unlimited),
		cmocka_unit_test(test_stats_row),
		cmocka_unit_test(test_top_row),
		cmocka_unit_test(test_proc_read),
		cmocka_unit_test(test_parse_ps),
		cmocka_unit_test(test_event_json_and_line),
		cmocka_unit_test(test_event_match),
		cmocka_unit_test(test_update_merge),
		cmocka_unit_test(test_prune_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
