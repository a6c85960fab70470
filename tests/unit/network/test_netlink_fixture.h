/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the netlink tests: cmocka includes, and a fixture that puts the
 * test process in a fresh private network namespace per test (root only), so
 * nothing they create reaches the host.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "network/network.h"

struct nl_fixture {
	struct net_nl *nl; /* NULL: not root or no namespaces here, the test skips */
};

/*
 * Once per process, before any test: a private mount namespace with private
 * propagation, so netns bind mounts never show on the host. False when the
 * tests needing root must skip.
 */
static inline bool nl_fixture_enter_private_mounts(void)
{
	if (geteuid() != 0)
		return false;
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0)
		return false;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

static bool nl_fixture_usable;

/* Each test: a new, empty network namespace for the calling thread, and a handle in it. */
static inline int nl_fixture_setup(void **state)
{
	struct nl_fixture *f = calloc(1, sizeof(*f));
	struct berth_error *err = NULL;

	if (!f)
		return -1;
	*state = f;
	if (!nl_fixture_usable)
		return 0;
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	if (net_nl_open(&f->nl, -1, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		berth_error_free(&err);
		return -1;
	}
	return 0;
}

static inline int nl_fixture_teardown(void **state)
{
	struct nl_fixture *f = *state;

	if (f)
		net_nl_close(f->nl);
	free(f);
	*state = NULL;
	return 0;
}

#define NL_FIXTURE_NEED_ROOT(f) \
	do {                    \
		if (!(f)->nl)   \
			skip(); \
	} while (0)

/* Assert that the call failed with err's message equal to expected (and free err). */
#define assert_error(call, err, expected)                    \
	do {                                                 \
		assert_int_equal((call), -1);                \
		assert_non_null(err);                        \
		assert_string_equal((err)->msg, (expected)); \
		berth_error_free(&(err));                    \
	} while (0)

/* As assert_error, for messages the kernel may extend with its own words in parentheses. */
#define assert_error_prefix(call, err, expected)                                           \
	do {                                                                               \
		assert_int_equal((call), -1);                                              \
		assert_non_null(err);                                                      \
		if (strncmp((err)->msg, (expected), strlen(expected)))                     \
			fail_msg("'%s' does not start with '%s'", (err)->msg, (expected)); \
		berth_error_free(&(err));                                                  \
	} while (0)

#define assert_ok(call, err)                                           \
	do {                                                           \
		if ((call) < 0)                                        \
			fail_msg("%s", (err) ? (err)->msg : "failed"); \
	} while (0)
