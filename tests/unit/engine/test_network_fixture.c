/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The network tests' fixture: an engine on a private temp root, berth.json through BERTH_CONFIG_FILE. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "test_network_fixture.h"

static const char berth_json[] = "{\"bip\": \"10.200.0.1/24\", \"fixed-cidr\": \"10.200.0.128/25\", \"mtu\": 1400}";

struct eng *net_fixture_open(const struct net_fixture *f)
{
	struct eng_opts o = {.root = f->root, .runroot = f->runroot};
	struct berth_error *err = NULL;
	struct eng *e = NULL;

	if (eng_open(&o, &e, &err) < 0)
		fail_msg("eng_open: %s", err->msg);
	return e;
}

static bool write_proc(const char *path, const char *text)
{
	return fs_write_string_at(AT_FDCWD, path, text, NULL) == 0;
}

/*
 * Move this process into a network namespace of its own, once: network rm
 * and prune call the wiring, which drops bridges and resyncs rules in the
 * current namespace, never to be the host's. Without root, in a new user
 * namespace mapping us to its root.
 */
static bool isolate(void)
{
	static int state;
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (state)
		return state > 0;
	state = -1;
	if (uid == 0) {
		if (unshare(CLONE_NEWNET) == 0)
			state = 1;
		return state > 0;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return false;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (!write_proc("/proc/self/setgroups", "deny") || !write_proc("/proc/self/uid_map", map))
		return false;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if (write_proc("/proc/self/gid_map", map))
		state = 1;
	return state > 0;
}

int net_fixture_setup(void **state)
{
	if (!isolate()) {
		*state = NULL;
		return 0;
	}
	return net_fixture_setup_shared(state);
}

int net_fixture_setup_shared(void **state)
{
	struct net_fixture *f = xcalloc(1, sizeof(*f));
	struct berth_error *err = NULL;

	strcpy(f->dir, "/tmp/berth-test-net-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->root = fs_path_join(f->dir, "root");
	f->runroot = fs_path_join(f->dir, "run");
	f->config = fs_path_join(f->dir, "berth.json");
	assert_int_equal(fs_write_file_atomic_at(AT_FDCWD, f->config, berth_json, strlen(berth_json), 0644, &err), 0);
	setenv("BERTH_CONFIG_FILE", f->config, 1);
	f->e = net_fixture_open(f);
	*state = f;
	return 0;
}

int net_fixture_teardown(void **state)
{
	struct net_fixture *f = *state;

	if (!f)
		return 0;
	eng_close(f->e);
	fs_rm_rf_at(AT_FDCWD, f->dir, NULL);
	rmdir(f->dir);
	unsetenv("BERTH_CONFIG_FILE");
	free(f->root);
	free(f->runroot);
	free(f->config);
	free(f);
	return 0;
}

void net_fixture_create(struct net_fixture *f, const char *name, const char *subnet, const char *label_key,
			const char *label_value)
{
	json_t *body =
		json_pack("{s:s, s:{s:[{s:s}]}, s:{}}", "Name", name, "IPAM", "Config", "Subnet", subnet, "Labels");
	struct berth_error *err = NULL;
	char *id = NULL;

	if (label_key)
		json_object_set_new(json_object_get(body, "Labels"), label_key, json_string(label_value));
	if (eng_network_create(f->e, body, &id, &err) < 0)
		fail_msg("create network '%s': %s", name, err->msg);
	free(id);
	json_decref(body);
}
