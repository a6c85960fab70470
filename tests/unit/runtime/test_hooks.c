/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/hooks.c with small shell scripts in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <time.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "userns_helper.h"

#define STATE_JSON "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42}"

static char *tmp;

static int setup(void **state)
{
	tmp = helper_mkdtemp();
	return tmp ? 0 : -1;
}

static int teardown(void **state)
{
	helper_rm_rf(tmp);
	free(tmp);
	tmp = NULL;
	return 0;
}

static char *at(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

/* Write an executable script; returns its path (caller frees). */
static char *script(const char *name, const char *body)
{
	char *path = at(name);
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static char *slurp(const char *rel)
{
	_cleanup_free_ char *path = at(rel);
	char *data = NULL;
	struct berth_error *err = NULL;

	if (fs_read_file_at(AT_FDCWD, path, &data, NULL, &err) < 0) {
		berth_error_free(&err);
		return NULL;
	}
	return data;
}

static void test_stdin_args_env(void **state)
{
	_cleanup_free_ char *path = script("hook", "cat > \"$1\"; echo \"$#|$2|$FOO|${HOME:-nohome}\" > \"$1.args\"");
	_cleanup_free_ char *out = at("state");
	_cleanup_free_ char *got = NULL, *args = NULL;
	char *argv[] = {"my-hook", out, "second", NULL};
	char *env[] = {"FOO=bar", NULL};
	struct oci_hook hook = {.path = path, .args = argv, .env = env};
	struct oci_hooks hooks = {0};
	struct berth_error *err = NULL;

	hooks.list[OCI_HOOK_CREATE_RUNTIME] = &hook;
	hooks.n[OCI_HOOK_CREATE_RUNTIME] = 1;
	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_CREATE_RUNTIME, STATE_JSON, &err), 0);
	assert_null(err);
	got = slurp("state");
	assert_non_null(got);
	assert_string_equal(got, STATE_JSON);
	args = slurp("state.args");
	assert_non_null(args);
	/* The args after argv[0] (which a script cannot see), exactly the env given (no HOME from ours). */
	assert_string_equal(args, "2|second|bar|nohome\n");
	/* Other kinds are not run. */
	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_POSTSTOP, STATE_JSON, &err), 0);
}

static void test_no_args_inherits_env(void **state)
{
	_cleanup_free_ char *out = at("out");
	_cleanup_free_ char *body = xasprintf("echo \"$0|$#|$BERTH_TEST_HOOK_VAR\" > '%s'", out);
	_cleanup_free_ char *path = script("hook", body);
	_cleanup_free_ char *got = NULL, *want = NULL;
	struct oci_hook hook = {.path = path};
	struct oci_hooks hooks = {0};
	struct berth_error *err = NULL;

	setenv("BERTH_TEST_HOOK_VAR", "inherited", 1);
	hooks.list[OCI_HOOK_PRESTART] = &hook;
	hooks.n[OCI_HOOK_PRESTART] = 1;
	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_PRESTART, STATE_JSON, &err), 0);
	unsetenv("BERTH_TEST_HOOK_VAR");
	got = slurp("out");
	want = xasprintf("%s|0|inherited\n", path);
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_failure_names_hook(void **state)
{
	_cleanup_free_ char *ok = script("ok", "exit 0");
	_cleanup_free_ char *bad = script("bad", "exit 3");
	_cleanup_free_ char *never_out = at("never.out");
	_cleanup_free_ char *never_body = xasprintf("touch '%s'", never_out);
	_cleanup_free_ char *never = script("never", never_body);
	_cleanup_free_ char *want = NULL;
	struct oci_hook list[] = {{.path = ok}, {.path = bad}, {.path = never}};
	struct oci_hooks hooks = {0};
	struct berth_error *err = NULL;

	hooks.list[OCI_HOOK_POSTSTART] = list;
	hooks.n[OCI_HOOK_POSTSTART] = 3;
	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_POSTSTART, STATE_JSON, &err), -1);
	want = xasprintf("poststart hook #1 '%s': exited with status 3", bad);
	assert_string_equal(err->msg, want);
	berth_error_free(&err);
	/* The hooks after the failing one do not run. */
	assert_int_equal(access(never_out, F_OK), -1);
}

static void test_missing_binary(void **state)
{
	_cleanup_free_ char *path = at("does-not-exist");
	_cleanup_free_ char *want = xasprintf("prestart hook #0 '%s': No such file or directory", path);
	struct oci_hook hook = {.path = path};
	struct oci_hooks hooks = {0};
	struct berth_error *err = NULL;

	hooks.list[OCI_HOOK_PRESTART] = &hook;
	hooks.n[OCI_HOOK_PRESTART] = 1;
	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_PRESTART, STATE_JSON, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, want);
	berth_error_free(&err);
}

static void test_timeout(void **state)
{
	_cleanup_free_ char *path = script("slow", "exec sleep 30");
	_cleanup_free_ char *want = NULL;
	struct oci_hook hook = {.path = path, .timeout = 1};
	struct oci_hooks hooks = {0};
	struct berth_error *err = NULL;
	struct timespec t0, t1;

	hooks.list[OCI_HOOK_START_CONTAINER] = &hook;
	hooks.n[OCI_HOOK_START_CONTAINER] = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_START_CONTAINER, STATE_JSON, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	want = xasprintf("startContainer hook #0 '%s': timed out after 1 seconds", path);
	assert_string_equal(err->msg, want);
	berth_error_free(&err);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
}

static void test_none(void **state)
{
	struct oci_hooks hooks = {0};
	struct berth_error *err = NULL;

	assert_int_equal(rt_hooks_run(&hooks, OCI_HOOK_PRESTART, STATE_JSON, &err), 0);
	assert_int_equal(rt_hooks_run(NULL, OCI_HOOK_PRESTART, STATE_JSON, &err), 0);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stdin_args_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_args_inherits_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_names_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
