/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth ns: -t lists, /proc/PID/ns links, and the census, rows and limits against a fake proc tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

#define M(t) ENG_NS_MASK(ENG_NS_##t)

static void test_types_parse(void **state)
{
	static const struct {
		const char *in;
		unsigned mask;
	} ok[] = {
		{"net", M(NET)},
		{"net,mnt", M(NET) | M(MNT)},
		{"mount,network", M(MNT) | M(NET)},
		{"user,pid,uts,ipc,cgroup,time", M(USER) | M(PID) | M(UTS) | M(IPC) | M(CGROUP) | M(TIME)},
		{"net,net", M(NET)},
		{"all", ENG_NS_MASK_ALL},
	};
	static const char *const bad[] = {"", ",", "net,", ",net", "net,,mnt", "bogus", "netx", "ne", "NET", "all "};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		unsigned mask = 0;

		assert_int_equal(eng_ns_types_parse(ok[i].in, &mask, &err), 0);
		assert_int_equal(mask, ok[i].mask);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		unsigned mask = 77;

		assert_int_equal(eng_ns_types_parse(bad[i], &mask, &err), -1);
		assert_non_null(err);
		assert_int_equal(mask, 77);
	}
	{
		_cleanup_error_ struct berth_error *err = NULL;
		unsigned mask;

		assert_int_equal(eng_ns_types_parse("net,bogus", &mask, &err), -1);
		assert_non_null(strstr(err->msg, "'bogus'"));
	}
}

static void test_link_parse(void **state)
{
	static const char *const bad[] = {"net:[]",    "net:[12a]",  "net:4026", "net:[123]x",
					  "mnt:[123]", "net[123]",   "net:[0]",	 "net:[99999999999999999999999]",
					  "",	       "network:[1]"};
	_cleanup_error_ struct berth_error *err = NULL;
	uint64_t ino = 0;

	(void)state;
	assert_int_equal(eng_ns_link_parse("net:[4026531840]", ENG_NS_NET, &ino, &err), 0);
	assert_true(ino == 4026531840ULL);
	assert_int_equal(eng_ns_link_parse("cgroup:[7]", ENG_NS_CGROUP, &ino, &err), 0);
	assert_true(ino == 7);
	assert_int_equal(eng_ns_link_parse("time:[4026531834]", ENG_NS_TIME, &ino, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ino = 5;
		assert_int_equal(eng_ns_link_parse(bad[i], ENG_NS_NET, &ino, &err), -1);
		assert_true(ino == 5);
		assert_non_null(strstr(err->msg, "net:[INODE]"));
		berth_error_free(&err);
	}
	assert_string_equal(eng_ns_type_name(ENG_NS_MNT), "mnt");
	assert_null(eng_ns_type_name(ENG_NS_COUNT));
}

/* ---- fake proc tree ---- */

struct fake {
	char *root;
};

/* pid's links: one inode per type, 0 for none. */
static void fake_pid(const char *root, int pid, const uint64_t ino[ENG_NS_COUNT])
{
	_cleanup_free_ char *dir = xasprintf("%s/%d/ns", root, pid);

	assert_int_equal(fs_mkdir_p_at(AT_FDCWD, dir, 0755, NULL), 0);
	for (unsigned t = 0; t < ENG_NS_COUNT; t++) {
		_cleanup_free_ char *link = NULL, *path = NULL;

		if (!ino[t])
			continue;
		link = xasprintf("%s:[%llu]", eng_ns_type_name(t), (unsigned long long)ino[t]);
		path = xasprintf("%s/%s", dir, eng_ns_type_name(t));
		assert_int_equal(symlink(link, path), 0);
	}
}

/* mnt pid uts ipc net user cgroup time */
static const uint64_t host_ns[ENG_NS_COUNT] = {10, 11, 12, 13, 14, 15, 16, 17};
static const uint64_t a_ns[ENG_NS_COUNT] = {20, 21, 22, 23, 24, 15, 16, 17};
/* b: --network container:a, --pid host, a time namespace, no cgroup link (an old kernel) */
static const uint64_t b_ns[ENG_NS_COUNT] = {30, 11, 32, 33, 24, 15, 0, 37};

static int fake_setup(void **state)
{
	struct fake *f = xcalloc(1, sizeof(*f));
	_cleanup_free_ char *self = NULL, *junk = NULL, *lim = NULL;

	f->root = xstrdup("/tmp/berth-test-ns-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	fake_pid(f->root, 1, host_ns);
	fake_pid(f->root, 2, host_ns);
	fake_pid(f->root, 7, host_ns);
	fake_pid(f->root, 100, a_ns);
	fake_pid(f->root, 101, a_ns); /* a second process in a */
	fake_pid(f->root, 200, b_ns);
	/* not processes: ignored */
	self = xasprintf("%s/self", f->root);
	assert_int_equal(symlink("100", self), 0);
	junk = xasprintf("%s/300", f->root); /* a process gone: no ns dir */
	assert_int_equal(fs_mkdir_p_at(AT_FDCWD, junk, 0755, NULL), 0);
	lim = xasprintf("%s/sys/user", f->root);
	assert_int_equal(fs_mkdir_p_at(AT_FDCWD, lim, 0755, NULL), 0);
	free(lim);
	lim = xasprintf("%s/sys/user/max_net_namespaces", f->root);
	assert_int_equal(fs_write_file_atomic_at(AT_FDCWD, lim, "1234\n", 5, 0644, NULL), 0);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	assert_int_equal(fs_rm_rf_at(AT_FDCWD, f->root, NULL), 0);
	free(f->root);
	free(f);
	return 0;
}

static void test_inode(void **state)
{
	struct fake *f = *state;

	assert_true(eng_ns_inode(f->root, 100, ENG_NS_NET) == 24);
	assert_true(eng_ns_inode(f->root, 200, ENG_NS_TIME) == 37);
	assert_true(eng_ns_inode(f->root, 200, ENG_NS_CGROUP) == 0);
	assert_true(eng_ns_inode(f->root, 300, ENG_NS_NET) == 0);
	assert_true(eng_ns_inode(f->root, 999, ENG_NS_NET) == 0);
}

static void test_census(void **state)
{
	struct fake *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	struct eng_ns_census c = {0};

	assert_int_equal(eng_ns_census_take(f->root, &c, &err), 0);
	assert_int_equal(eng_ns_census_procs(&c, ENG_NS_NET, 14), 3);
	assert_int_equal(eng_ns_census_procs(&c, ENG_NS_NET, 24), 3);
	assert_int_equal(eng_ns_census_procs(&c, ENG_NS_PID, 11), 4);
	assert_int_equal(eng_ns_census_procs(&c, ENG_NS_USER, 15), 6);
	assert_int_equal(eng_ns_census_procs(&c, ENG_NS_CGROUP, 16), 5);
	assert_int_equal(eng_ns_census_procs(&c, ENG_NS_NET, 99), 0);
	assert_int_equal(eng_ns_census_distinct(&c, ENG_NS_MNT), 3);
	assert_int_equal(eng_ns_census_distinct(&c, ENG_NS_NET), 2);
	assert_int_equal(eng_ns_census_distinct(&c, ENG_NS_USER), 1);
	assert_int_equal(eng_ns_census_distinct(&c, ENG_NS_TIME), 2);
	for (size_t i = 1; i < c.n; i++)
		assert_true(c.v[i - 1].type < c.v[i].type || c.v[i - 1].ino < c.v[i].ino);
	eng_ns_census_done(&c);
	assert_int_equal(eng_ns_census_take("/nonexistent-berth-proc", &c, &err), -1);
}

static json_t *find_row(json_t *rows, const char *type, uint64_t ino)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "Type")), type) == 0 &&
		    (uint64_t)json_integer_value(json_object_get(r, "NS")) == ino)
			return r;
	}
	return NULL;
}

static void check_row(json_t *rows, const char *type, uint64_t ino, int procs, const char *owner, const char *path)
{
	json_t *r = find_row(rows, type, ino);

	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "Procs")), procs);
	assert_string_equal(json_string_value(json_object_get(r, "Owner")), owner);
	assert_string_equal(json_string_value(json_object_get(r, "Path")), path);
}

static const struct eng_ns_member members[] = {{"a", 100}, {"b", 200}};

static void test_rows_all(void **state)
{
	struct fake *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *p = NULL;
	json_t *rows = NULL;

	assert_int_equal(eng_ns_rows_build(f->root, members, 2, -1, &rows, &err), 0);
	/* host 8, a 5 (mnt pid uts ipc net), b 4 (mnt uts ipc time) */
	assert_int_equal(json_array_size(rows), 17);
	p = xasprintf("%s/1/ns/net", f->root);
	check_row(rows, "net", 14, 3, "host", p);
	free(p);
	p = xasprintf("%s/100/ns/net", f->root);
	check_row(rows, "net", 24, 3, "a,b", p);
	free(p);
	p = xasprintf("%s/1/ns/pid", f->root);
	check_row(rows, "pid", 11, 4, "host", p);
	free(p);
	p = xasprintf("%s/200/ns/time", f->root);
	check_row(rows, "time", 37, 1, "b", p);
	/* ordered by type, the host's first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "Type")), "mnt");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "Owner")), "host");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 16), "Type")), "time");
	json_decref(rows);
}

static void test_rows_one(void **state)
{
	struct fake *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *p = NULL;
	json_t *rows = NULL;

	assert_int_equal(eng_ns_rows_build(f->root, members, 2, 1, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), 7); /* no cgroup link */
	p = xasprintf("%s/200/ns/net", f->root);
	check_row(rows, "net", 24, 3, "a,b", p);
	free(p);
	p = xasprintf("%s/200/ns/pid", f->root);
	check_row(rows, "pid", 11, 4, "host", p);
	free(p);
	p = xasprintf("%s/200/ns/mnt", f->root);
	check_row(rows, "mnt", 30, 1, "b", p);
	assert_null(find_row(rows, "mnt", 20));
	json_decref(rows);
	assert_int_equal(eng_ns_rows_build(f->root, members, 2, 2, &rows, &err), -1);
}

/* Without PID 1's links (beyond our ptrace rights) the host is kthreadd's. */
static void test_rows_host_fallback(void **state)
{
	struct fake *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *one = xasprintf("%s/1", f->root), *p = xasprintf("%s/2/ns/user", f->root);
	json_t *rows = NULL;

	assert_int_equal(fs_rm_rf_at(AT_FDCWD, one, NULL), 0);
	assert_int_equal(eng_ns_rows_build(f->root, members, 2, -1, &rows, &err), 0);
	check_row(rows, "user", 15, 5, "host", p);
	json_decref(rows);
}

static void test_limits(void **state)
{
	struct fake *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL, *net, *mnt;

	assert_int_equal(eng_ns_limits_build(f->root, &rows, &err), 0);
	assert_int_equal(json_array_size(rows), ENG_NS_COUNT);
	mnt = json_array_get(rows, ENG_NS_MNT);
	net = json_array_get(rows, ENG_NS_NET);
	assert_string_equal(json_string_value(json_object_get(net, "Type")), "net");
	assert_int_equal(json_integer_value(json_object_get(net, "InUse")), 2);
	assert_int_equal(json_integer_value(json_object_get(net, "Limit")), 1234);
	assert_int_equal(json_integer_value(json_object_get(mnt, "InUse")), 3);
	assert_string_equal(json_string_value(json_object_get(mnt, "Limit")), "-");
	json_decref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_parse),
		cmocka_unit_test(test_link_parse),
		cmocka_unit_test_setup_teardown(test_inode, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_census, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_rows_all, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_rows_one, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_rows_host_fallback, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_limits, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
