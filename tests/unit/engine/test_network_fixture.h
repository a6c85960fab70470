/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network tests' fixture: an engine on a private temp root and a test berth.json. */
#pragma once

struct eng;

struct net_fixture {
	char dir[64];
	char *root, *runroot, *config;
	struct eng *e;
};

/*
 * cmocka setup/teardown: *state is a struct net_fixture, in a network
 * namespace of the test's own (unshare, in a user namespace without root);
 * NULL when that is impossible: tests start with NET_FIXTURE(state).
 */
int net_fixture_setup(void **state);
/* The same without the namespace, for tests that never reach the wiring. */
int net_fixture_setup_shared(void **state);
int net_fixture_teardown(void **state);
#define NET_FIXTURE(state)                                                   \
	({                                                                   \
		if (!*(state))                                               \
			skip(); /* no private network namespace to be had */ \
		(struct net_fixture *)*(state);                              \
	})

/* Open another engine on the fixture's roots (a child process after fork). */
struct eng *net_fixture_open(const struct net_fixture *f);
/* Create a bridge network with a given subnet and optionally one label; fails the test on error. */
void net_fixture_create(struct net_fixture *f, const char *name, const char *subnet, const char *label_key,
			const char *label_value);
