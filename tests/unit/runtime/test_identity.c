/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/identity.c, run as root of a fresh user namespace in a child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <sys/stat.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "userns_helper.h"

#define BIT(c) (UINT64_C(1) << (c))

/* Value of a "CapXxx:" line of /proc/self/status, or UINT64_MAX. */
static uint64_t status_caps(const char *field)
{
	char line[256];
	uint64_t v = UINT64_MAX;
	size_t len = strlen(field);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			v = strtoull(line + len + 1, NULL, 16);
	fclose(f);
	return v;
}

static int child_apply_caps(void *arg)
{
	const uint64_t beyond = BIT(62); /* above any kernel's cap_last_cap: skipped */
	struct oci_user user = {.uid = 0, .gid = 0, .has_umask = true, .umask = 027};
	struct oci_capabilities caps = {
		.bounding = BIT(CAP_KILL) | BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE) | beyond,
		.effective = BIT(CAP_KILL) | BIT(CAP_CHOWN) | beyond,
		.permitted = BIT(CAP_KILL) | BIT(CAP_CHOWN) | beyond,
		.inheritable = BIT(CAP_KILL) | beyond,
		.ambient = BIT(CAP_KILL),
	};
	struct berth_error *err = NULL;

	if (rt_identity_apply(&user, &caps, false, &err) < 0) {
		fprintf(stderr, "apply: %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	if (status_caps("CapBnd") != (BIT(CAP_KILL) | BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE)))
		return 2;
	if (status_caps("CapEff") != (BIT(CAP_KILL) | BIT(CAP_CHOWN)) ||
	    status_caps("CapPrm") != (BIT(CAP_KILL) | BIT(CAP_CHOWN)))
		return 3;
	if (status_caps("CapInh") != BIT(CAP_KILL) || status_caps("CapAmb") != BIT(CAP_KILL))
		return 4;
	if (umask(0) != 027)
		return 5;
	if (getuid() != 0 || getgid() != 0)
		return 6;
	return 0;
}

static void test_apply_caps(void **state)
{
	int rc = helper_run_child(child_apply_caps, NULL, true, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

static int child_no_caps(void *arg)
{
	struct oci_user user = {.uid = 0, .gid = 0};
	struct berth_error *err = NULL;

	if (rt_identity_apply(&user, NULL, false, &err) < 0) {
		fprintf(stderr, "apply: %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	if (status_caps("CapBnd") != 0 || status_caps("CapEff") != 0 || status_caps("CapPrm") != 0 ||
	    status_caps("CapInh") != 0 || status_caps("CapAmb") != 0)
		return 2;
	if (umask(0) != 0022)
		return 3;
	return 0;
}

static void test_no_caps(void **state)
{
	int rc = helper_run_child(child_no_caps, NULL, true, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

/* Only uid 0 is mapped in the namespace: becoming 1000 fails and says so. */
static int child_bad_uid(void *arg)
{
	struct oci_user user = {.uid = 1000, .gid = 0};
	struct oci_capabilities caps = {0};
	struct berth_error *err = NULL;
	int rc = 0;

	if (rt_identity_apply(&user, &caps, false, &err) == 0)
		return 1;
	if (strcmp(err->msg, "setresuid to 1000: Invalid argument") != 0) {
		fprintf(stderr, "unexpected: %s\n", err->msg);
		rc = 2;
	}
	berth_error_free(&err);
	return rc;
}

static void test_bad_uid(void **state)
{
	int rc = helper_run_child(child_bad_uid, NULL, true, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

/* setgroups is denied in this namespace: asking for it is an error naming it. */
static int child_setgroups_denied(void *arg)
{
	gid_t gids[] = {0};
	struct oci_user user = {.uid = 0, .gid = 0, .additional_gids = gids, .n_additional_gids = 1};
	struct berth_error *err = NULL;
	int rc = 0;

	if (rt_identity_apply(&user, NULL, true, &err) == 0)
		return 1;
	if (strncmp(err->msg, "setgroups: ", strlen("setgroups: ")) != 0)
		rc = 2;
	berth_error_free(&err);
	return rc;
}

static void test_setgroups_denied(void **state)
{
	int rc = helper_run_child(child_setgroups_denied, NULL, true, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_caps),
		cmocka_unit_test(test_no_caps),
		cmocka_unit_test(test_bad_uid),
		cmocka_unit_test(test_setgroups_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
