/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/rlimit.c, each in a forked child so the test keeps its limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "userns_helper.h"

/* Without CAP_SYS_RESOURCE in the effective set, raising a hard limit is EPERM even for root. */
static int drop_sys_resource(void)
{
	cap_value_t v = CAP_SYS_RESOURCE;
	cap_t c = cap_get_proc();
	int r;

	if (!c)
		return -1;
	r = cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR) < 0 ? -1 : cap_set_proc(c);
	cap_free(c);
	return r;
}

static int apply_one(uint64_t soft, uint64_t hard, struct berth_error **err)
{
	struct oci_rlimit r = {.type = RLIMIT_NOFILE, .name = "RLIMIT_NOFILE", .soft = soft, .hard = hard};

	return rt_rlimits_apply(&r, 1, err);
}

/* arg: whether the soft limit asked for is above the current hard limit too. */
static int child_clamp(void *arg)
{
	bool soft_above = *(bool *)arg;
	struct berth_error *err = NULL;
	struct rlimit old, now;
	uint64_t soft;

	if (drop_sys_resource() < 0 || getrlimit(RLIMIT_NOFILE, &old) < 0)
		return 1;
	if (old.rlim_max == RLIM_INFINITY || old.rlim_max < 32)
		return CHILD_SKIP;
	soft = soft_above ? old.rlim_max + 500 : 16;
	if (apply_one(soft, old.rlim_max + 1000, &err) < 0) {
		fprintf(stderr, "apply: %s\n", err->msg);
		berth_error_free(&err);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &now) < 0 || now.rlim_max != old.rlim_max)
		return 3;
	/* The soft limit follows the clamped hard one down, and stays when it already fits. */
	if (now.rlim_cur != (soft_above ? old.rlim_max : 16))
		return 4;
	return 0;
}

static void test_clamp_hard(void **state)
{
	bool soft_above = false;
	int rc = helper_run_child(child_clamp, &soft_above, false, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

static void test_clamp_hard_and_soft(void **state)
{
	bool soft_above = true;
	int rc = helper_run_child(child_clamp, &soft_above, false, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

static int child_lower(void *arg)
{
	struct berth_error *err = NULL;
	struct rlimit old, now;

	if (getrlimit(RLIMIT_NOFILE, &old) < 0)
		return 1;
	if (apply_one(64, old.rlim_max, &err) < 0) {
		berth_error_free(&err);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &now) < 0 || now.rlim_cur != 64 || now.rlim_max != old.rlim_max)
		return 3;
	return 0;
}

static void test_lower_soft(void **state)
{
	assert_int_equal(helper_run_child(child_lower, NULL, false, 0), 0);
}

static int child_soft_above_hard(void *arg)
{
	struct berth_error *err = NULL;
	int rc = 0;

	if (apply_one(200, 100, &err) == 0)
		return 1;
	if (strcmp(err->msg, "setrlimit 'RLIMIT_NOFILE': Invalid argument") != 0)
		rc = 2;
	berth_error_free(&err);
	return rc;
}

static void test_soft_above_hard(void **state)
{
	assert_int_equal(helper_run_child(child_soft_above_hard, NULL, false, 0), 0);
}

static void test_empty(void **state)
{
	struct berth_error *err = NULL;

	assert_int_equal(rt_rlimits_apply(NULL, 0, &err), 0);
	assert_null(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clamp_hard), cmocka_unit_test(test_clamp_hard_and_soft),
		cmocka_unit_test(test_lower_soft), cmocka_unit_test(test_soft_above_hard),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
