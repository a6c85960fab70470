/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Healthchecks (Config.Healthcheck decoding, State.Health transitions, the
 * probe schedule, docker ps's suffix), berth-init's signal table and the
 * init binary lookup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/init/signals.h"
#include "engine/engine.h"

#define SEC 1000000000LL

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (!v)
		fail_msg("bad fixture: %s", e.text);
	return v;
}

static void assert_argv(char **argv, const char *const *want)
{
	size_t i = 0;

	for (; want[i]; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
}

static void test_config_cmd_and_defaults(void **state)
{
	json_t *hc = load("{\"Test\": [\"CMD\", \"curl\", \"-f\", \"http://x/\"]}");
	struct eng_health_config c;

	(void)state;
	assert_int_equal(eng_health_config_parse(hc, NULL, &c, NULL), 0);
	assert_argv(c.argv, (const char *const[]){"curl", "-f", "http://x/", NULL});
	assert_int_equal(c.interval_ns, 30 * SEC);
	assert_int_equal(c.timeout_ns, 30 * SEC);
	assert_int_equal(c.start_period_ns, 0);
	assert_int_equal(c.start_interval_ns, 5 * SEC);
	assert_int_equal(c.retries, 3);
	eng_health_config_done(&c);
	json_decref(hc);
}

static void test_config_shell(void **state)
{
	json_t *hc = load("{\"Test\": [\"CMD-SHELL\", \"test -f /ok\"], \"Interval\": 1000000000, \"Timeout\": "
			  "2000000000, \"StartPeriod\": 3000000000, \"StartInterval\": 4000000000, \"Retries\": 2}");
	json_t *shell = load("[\"/bin/bash\", \"-ec\"]");
	struct eng_health_config c;

	(void)state;
	assert_int_equal(eng_health_config_parse(hc, NULL, &c, NULL), 0);
	assert_argv(c.argv, (const char *const[]){"/bin/sh", "-c", "test -f /ok", NULL});
	assert_int_equal(c.interval_ns, 1 * SEC);
	assert_int_equal(c.timeout_ns, 2 * SEC);
	assert_int_equal(c.start_period_ns, 3 * SEC);
	assert_int_equal(c.start_interval_ns, 4 * SEC);
	assert_int_equal(c.retries, 2);
	eng_health_config_done(&c);
	/* Config.Shell (SHELL in a Dockerfile) runs CMD-SHELL */
	assert_int_equal(eng_health_config_parse(hc, shell, &c, NULL), 0);
	assert_argv(c.argv, (const char *const[]){"/bin/bash", "-ec", "test -f /ok", NULL});
	eng_health_config_done(&c);
	json_decref(hc);
	json_decref(shell);
}

static void test_config_none_and_errors(void **state)
{
	static const char *const none[] = {"null", "{}", "{\"Test\": []}", "{\"Test\": [\"NONE\"]}",
					   "{\"Interval\": 5}"};
	static const char *const bad[] = {"{\"Test\": [\"CMD\"]}", "{\"Test\": [\"CMD-SHELL\"]}",
					  "{\"Test\": [\"SHELL\", \"x\"]}", "{\"Test\": [\"CMD\", 5]}"};
	struct eng_health_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		json_t *hc = load(none[i]);

		assert_int_equal(eng_health_config_parse(hc, NULL, &c, NULL), 0);
		assert_null(c.argv);
		json_decref(hc);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *hc = load(bad[i]);
		_cleanup_error_ struct berth_error *err = NULL;

		assert_int_equal(eng_health_config_parse(hc, NULL, &c, &err), -1);
		assert_non_null(err);
		assert_null(c.argv);
		json_decref(hc);
	}
}

static void apply(json_t *h, int code, const char *output, int retries, bool in_start_period)
{
	static int64_t t = 1700000000;
	struct eng_health_result r = {.start_sec = t, .end_sec = t, .end_nsec = 5, .exit_code = code, .output = output};

	t++;
	eng_health_record(h, &r, retries, in_start_period);
}

static void assert_health(json_t *h, const char *status, int streak)
{
	assert_string_equal(json_string_value(json_object_get(h, "Status")), status);
	assert_int_equal(json_integer_value(json_object_get(h, "FailingStreak")), streak);
}

static void test_record_transitions(void **state)
{
	json_t *h = load("{\"Status\": \"starting\", \"FailingStreak\": 0, \"Log\": []}");

	(void)state;
	/* failures in the start period do not count while starting */
	apply(h, 1, "no", 2, true);
	apply(h, 1, "no", 2, true);
	assert_health(h, "starting", 0);
	/* after it they do: unhealthy at the retries-th */
	apply(h, 1, "no", 2, false);
	assert_health(h, "starting", 1);
	apply(h, 1, "no", 2, false);
	assert_health(h, "unhealthy", 2);
	apply(h, 1, "no", 2, false);
	assert_health(h, "unhealthy", 3);
	/* one success: healthy, streak reset */
	apply(h, 0, "ok", 2, false);
	assert_health(h, "healthy", 0);
	/* once healthy, the start period no longer shields failures */
	apply(h, 1, "no", 2, true);
	assert_health(h, "healthy", 1);
	apply(h, -1, "Health check exceeded timeout (1s)", 2, true);
	assert_health(h, "unhealthy", 2);
	/* any code but 0 fails, and retries <= 0 means 3 */
	apply(h, 0, "", 0, false);
	apply(h, 2, "", 0, false);
	apply(h, 2, "", 0, false);
	assert_health(h, "healthy", 2);
	apply(h, 2, "", 0, false);
	assert_health(h, "unhealthy", 3);
	json_decref(h);
}

static void test_record_log(void **state)
{
	json_t *h = json_object(), *log, *e;
	char name[8];

	(void)state;
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "run%d", i);
		apply(h, i % 2, name, 3, false);
	}
	/* created on the way, Docker's member order */
	assert_string_equal(json_object_iter_key(json_object_iter(h)), "Status");
	log = json_object_get(h, "Log");
	assert_int_equal(json_array_size(log), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(log, 0), "Output")), "run2");
	e = json_array_get(log, 4);
	assert_string_equal(json_string_value(json_object_get(e, "Output")), "run6");
	assert_int_equal(json_integer_value(json_object_get(e, "ExitCode")), 0);
	assert_non_null(strstr(json_string_value(json_object_get(e, "Start")), "Z"));
	assert_string_equal(json_string_value(json_object_get(e, "End")) + 19, ".000000005Z");
	/* output that is not UTF-8 still makes a JSON string */
	apply(h, 1,
	      "a\xff"
	      "b\xc3",
	      3, false);
	e = json_array_get(log, 4);
	assert_string_equal(json_string_value(json_object_get(e, "Output")), "a\xef\xbf\xbd"
									     "b\xef\xbf\xbd");
	apply(h, 1, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac", 3, false);
	e = json_array_get(log, 4);
	assert_string_equal(json_string_value(json_object_get(e, "Output")), "\xc3\xa9t\xc3\xa9 \xe2\x82\xac");
	json_decref(h);
}

static void test_next_delay(void **state)
{
	struct eng_health_config c = {
		.interval_ns = 30 * SEC, .start_interval_ns = 5 * SEC, .start_period_ns = 60 * SEC};

	(void)state;
	assert_int_equal(eng_health_next_delay(&c, "starting", 0), 5 * SEC);
	assert_int_equal(eng_health_next_delay(&c, "starting", 59 * SEC), 5 * SEC);
	assert_int_equal(eng_health_next_delay(&c, "starting", 60 * SEC), 30 * SEC);
	assert_int_equal(eng_health_next_delay(&c, "healthy", 1 * SEC), 30 * SEC);
	assert_int_equal(eng_health_next_delay(&c, "unhealthy", 1 * SEC), 30 * SEC);
	c.start_period_ns = 0;
	assert_int_equal(eng_health_next_delay(&c, "starting", 0), 30 * SEC);
}

static void assert_suffix(const char *state_text, const char *want)
{
	json_t *st = load(state_text);
	_cleanup_free_ char *s = eng_health_suffix(st);

	assert_string_equal(s, want);
	json_decref(st);
}

static void test_suffix(void **state)
{
	(void)state;
	assert_suffix("{\"Running\": true, \"Health\": {\"Status\": \"healthy\"}}", " (healthy)");
	assert_suffix("{\"Running\": true, \"Health\": {\"Status\": \"unhealthy\"}}", " (unhealthy)");
	assert_suffix("{\"Running\": true, \"Health\": {\"Status\": \"starting\"}}", " (health: starting)");
	assert_suffix("{\"Running\": true}", "");
	assert_suffix("{\"Running\": false, \"Health\": {\"Status\": \"healthy\"}}", "");
	assert_suffix("{\"Running\": true, \"Paused\": true, \"Health\": {\"Status\": \"healthy\"}}", "");
	assert_suffix("{\"Running\": true, \"Restarting\": true, \"Health\": {\"Status\": \"healthy\"}}", "");
	assert_suffix("{}", "");
}

static void test_signal_table(void **state)
{
	static const int forwarded[] = {SIGHUP,	 SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2,  SIGTERM, SIGPIPE, SIGALRM,
					SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGURG,  SIGIO,	SIGPWR};
	static const int kept[] = {0,	    SIGKILL, SIGSTOP, SIGCHLD, SIGSEGV, SIGBUS, SIGILL, SIGFPE,
				   SIGTRAP, SIGSYS,  SIGABRT, 32,      33,	65,	-1};
	sigset_t set;

	(void)state;
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		assert_true(init_signal_forwarded(forwarded[i]));
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_false(init_signal_forwarded(kept[i]));
	assert_true(init_signal_forwarded(SIGRTMIN));
	assert_true(init_signal_forwarded(SIGRTMAX));
	init_signal_set(&set);
	assert_true(sigismember(&set, SIGTERM));
	assert_true(sigismember(&set, SIGCHLD)); /* waited for, never forwarded */
	assert_true(sigismember(&set, SIGRTMAX));
	assert_false(sigismember(&set, SIGSEGV));
	assert_false(sigismember(&set, SIGKILL));
}

static void test_init_path_env(void **state)
{
	char *p;

	(void)state;
	setenv("BERTH_INIT_PATH", "/bin/sh", 1);
	p = eng_init_path();
	assert_non_null(p);
	assert_string_equal(p, "/bin/sh");
	free(p);
	/* named but missing: none, rather than a path the bind mount fails on */
	setenv("BERTH_INIT_PATH", "/nonexistent/berth-init", 1);
	assert_null(eng_init_path());
	setenv("BERTH_INIT_PATH", "/etc", 1);
	assert_null(eng_init_path());
	unsetenv("BERTH_INIT_PATH");
	p = eng_init_path();
	/* found (build tree or install) or not, it is an absolute executable path */
	if (p)
		assert_true(p[0] == '/' && strstr(p, "berth-init"));
	free(p);
}

static void test_oom_unknown_container(void **state)
{
	struct eng e = {.root = "/nonexistent", .runroot = "/nonexistent/run"};

	(void)state;
	assert_false(eng_oom_killed(&e, "0123456789abcdef"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_cmd_and_defaults),
		cmocka_unit_test(test_config_shell),
		cmocka_unit_test(test_config_none_and_errors),
		cmocka_unit_test(test_record_transitions),
		cmocka_unit_test(test_record_log),
		cmocka_unit_test(test_next_delay),
		cmocka_unit_test(test_suffix),
		cmocka_unit_test(test_signal_table),
		cmocka_unit_test(test_init_path_env),
		cmocka_unit_test(test_oom_unknown_container),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
