/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eng_spec_merge_image (Docker's create-time merge) and the user lookup against a fake rootfs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/spec_internal.h"
#include "spec_fixture.h"

struct merge_case {
	const char *user, *image; /* Config and image config JSON */
	const char *key;	  /* the field compared */
	const char *want;	  /* its compact JSON after the merge ("null": absent or null) */
};

static const struct merge_case merge_cases[] = {
	/* Env: by key, the container's value wins, the image's others appended */
	{"{}", "{\"Env\":[\"PATH=/img\",\"A=1\"]}", "Env", "[\"PATH=/img\",\"A=1\"]"},
	{"{\"Env\":[\"A=2\",\"B=3\"]}", "{\"Env\":[\"PATH=/img\",\"A=1\"]}", "Env", "[\"A=2\",\"B=3\",\"PATH=/img\"]"},
	{"{\"Env\":[\"A\"]}", "{\"Env\":[\"A=1\",\"C=4\"]}", "Env", "[\"A\",\"C=4\"]"},
	{"{\"Env\":[\"X=1\"]}", "{}", "Env", "[\"X=1\"]"},
	/* Cmd and Entrypoint */
	{"{}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Entrypoint", "[\"/ep\"]"},
	{"{}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Cmd", "[\"c\"]"},
	{"{\"Cmd\":[\"mine\"]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Cmd", "[\"mine\"]"},
	{"{\"Cmd\":[\"mine\"]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Entrypoint", "[\"/ep\"]"},
	{"{\"Entrypoint\":[\"/mine\"]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Cmd", "null"},
	{"{\"Entrypoint\":[\"/mine\"]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Entrypoint", "[\"/mine\"]"},
	{"{\"Entrypoint\":[\"\"]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Entrypoint", "null"},
	{"{\"Entrypoint\":[\"\"]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Cmd", "null"},
	{"{\"Entrypoint\":[\"\"],\"Cmd\":[\"sh\"]}", "{\"Entrypoint\":[\"/ep\"]}", "Cmd", "[\"sh\"]"},
	{"{\"Entrypoint\":[]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Entrypoint", "[]"},
	{"{\"Entrypoint\":[]}", "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"]}", "Cmd", "[\"c\"]"},
	{"{\"Cmd\":\"top\"}", "{}", "Cmd", "[\"top\"]"},
	/* strings: the container's when set */
	{"{}", "{\"WorkingDir\":\"/app\",\"User\":\"nobody\",\"StopSignal\":\"SIGINT\"}", "WorkingDir", "\"/app\""},
	{"{\"WorkingDir\":\"/w\"}", "{\"WorkingDir\":\"/app\"}", "WorkingDir", "\"/w\""},
	{"{\"User\":\"\"}", "{\"User\":\"nobody\"}", "User", "\"nobody\""},
	{"{}", "{\"StopSignal\":\"SIGINT\"}", "StopSignal", "\"SIGINT\""},
	/* sets and labels */
	{"{\"ExposedPorts\":{\"80/tcp\":{}}}", "{\"ExposedPorts\":{\"443/tcp\":{}}}", "ExposedPorts",
	 "{\"80/tcp\":{},\"443/tcp\":{}}"},
	{"{}", "{\"Volumes\":{\"/data\":{}}}", "Volumes", "{\"/data\":{}}"},
	{"{\"Volumes\":{\"/a\":{}}}", "{\"Volumes\":{\"/data\":{}}}", "Volumes", "{\"/a\":{},\"/data\":{}}"},
	{"{\"Labels\":{\"a\":\"mine\"}}", "{\"Labels\":{\"a\":\"img\",\"b\":\"img\"}}", "Labels",
	 "{\"a\":\"mine\",\"b\":\"img\"}"},
	{"{}", "{}", "Labels", "{}"},
	{"{}", "{\"OnBuild\":[\"RUN x\"]}", "OnBuild", "null"},
	/* Healthcheck: unset fields from the image */
	{"{}", "{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":5}}", "Healthcheck",
	 "{\"Test\":[\"CMD\",\"true\"],\"Interval\":5}"},
	{"{\"Healthcheck\":{\"Test\":[\"NONE\"]}}", "{\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":5}}",
	 "Healthcheck", "{\"Test\":[\"NONE\"],\"Interval\":5}"},
	{"{\"Healthcheck\":{\"Interval\":7}}", "{\"Healthcheck\":{\"Test\":[\"CMD\",\"x\"],\"Interval\":5}}",
	 "Healthcheck", "{\"Interval\":7,\"Test\":[\"CMD\",\"x\"]}"},
};

static void test_merge_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(merge_cases) / sizeof(merge_cases[0]); i++) {
		const struct merge_case *c = &merge_cases[i];
		json_t *user = json_loads(c->user, 0, NULL), *image = json_loads(c->image, 0, NULL);
		_cleanup_free_ char *got = NULL;
		struct berth_error *e = NULL;

		assert_int_equal(eng_spec_merge_image(user, image, &e), 0);
		got = json_object_get(user, c->key) ? fx_dump(json_object_get(user, c->key)) : xstrdup("null");
		if (strcmp(got, c->want) != 0)
			fail_msg("case %zu (%s + %s).%s: got %s, want %s", i, c->user, c->image, c->key, got, c->want);
		json_decref(user);
		json_decref(image);
	}
}

static void test_merge_errors(void **state)
{
	json_t *user = json_loads("{\"Env\":[1]}", 0, NULL), *image;
	struct berth_error *e = NULL;

	(void)state;
	assert_int_equal(eng_spec_merge_image(user, NULL, &e), -1);
	assert_string_equal(e->msg, "Config.Env[0]: expected string");
	berth_error_free(&e);
	json_decref(user);
	user = json_loads("{}", 0, NULL);
	image = json_string("x");
	assert_int_equal(eng_spec_merge_image(user, image, &e), -1);
	assert_string_equal(e->msg, "image config: expected object");
	berth_error_free(&e);
	json_decref(user);
	json_decref(image);
}

struct user_case {
	const char *user;
	const char *group_add; /* JSON or NULL */
	long uid, gid;
	const char *sgids; /* comma list */
	const char *home;
	const char *error; /* expected message, or NULL */
};

static const struct user_case user_cases[] = {
	/* the primary gid leads the supplementary ones, as docker's since CVE-2022-36109 */
	{"", NULL, 0, 0, "0,10", "/root", NULL},
	{"root", NULL, 0, 0, "0,10", "/root", NULL},
	{"alice", NULL, 1000, 1000, "1000,10,50", "/home/alice", NULL},
	{"1000", NULL, 1000, 1000, "1000,10,50", "/home/alice", NULL},
	{"alice:staff", NULL, 1000, 50, "50", "/home/alice", NULL},
	{"alice:29", NULL, 1000, 29, "29", "/home/alice", NULL},
	{"1000:1000", NULL, 1000, 1000, "1000", "/home/alice", NULL},
	{"bob", NULL, 1001, 100, "100,50,29", "/home/bob", NULL},
	{"5000", NULL, 5000, 0, "0", "/", NULL},
	{"5000:5000", NULL, 5000, 5000, "5000", "/", NULL},
	{"nohome", NULL, 1002, 1002, "1002", "/", NULL},
	{"daemon", "[\"audio\",\"7\",\"audio\"]", 1, 1, "1,29,7", "/usr/sbin", NULL},
	{"carol", NULL, 0, 0, "", NULL, "unable to find user carol: no matching entries in passwd file"},
	{"alice:nogroup", NULL, 0, 0, "", NULL, "unable to find group nogroup: no matching entries in group file"},
	{"alice", "[\"nogroup\"]", 0, 0, "", NULL, "unable to find group nogroup: no matching entries in group file"},
	{"99999999999", NULL, 0, 0, "", NULL, "uids and gids must be in range 0-2147483647"},
};

static void check_user(const struct user_case *c, int rootfs_fd, size_t i)
{
	json_t *ga = c->group_add ? json_loads(c->group_add, 0, NULL) : NULL;
	struct spec_user u = {0};
	struct berth_error *e = NULL;
	struct buf sg = {0};
	int r = spec_user_resolve(rootfs_fd, c->user, ga, &u, &e);

	json_decref(ga);
	if (c->error) {
		if (r == 0)
			fail_msg("case %zu '%s': no error", i, c->user);
		assert_string_equal(e->msg, c->error);
		berth_error_free(&e);
		return;
	}
	if (r < 0)
		fail_msg("case %zu '%s': %s", i, c->user, e->msg);
	for (size_t k = 0; k < u.n_sgids; k++)
		buf_printf(&sg, "%s%u", k ? "," : "", (unsigned)u.sgids[k]);
	if ((long)u.uid != c->uid || (long)u.gid != c->gid || strcmp(sg.data ? sg.data : "", c->sgids) != 0 ||
	    strcmp(u.home, c->home) != 0)
		fail_msg("case %zu '%s': got %u:%u [%s] %s", i, c->user, (unsigned)u.uid, (unsigned)u.gid,
			 sg.data ? sg.data : "", u.home);
	buf_done(&sg);
	spec_user_done(&u);
}

static void test_user_table(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, true);
	for (size_t i = 0; i < sizeof(user_cases) / sizeof(user_cases[0]); i++)
		check_user(&user_cases[i], f.rootfs_fd, i);
	fx_done(&f);
}

/* No /etc at all: root and numeric ids work, names do not. */
static void test_user_no_passwd(void **state)
{
	static const struct user_case cases[] = {
		{"", NULL, 0, 0, "0", "/root", NULL},
		{"123:45", NULL, 123, 45, "45", "/", NULL},
		{"alice", NULL, 0, 0, "", NULL, "unable to find user alice: no matching entries in passwd file"},
	};
	struct fx f;

	(void)state;
	fx_init(&f, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_user(&cases[i], f.rootfs_fd, i);
	check_user(&cases[0], -1, 99);
	fx_done(&f);
}

/* An absolute symlink /etc/passwd resolves inside the rootfs, never to the host's; a FIFO is refused. */
static void test_user_symlink_stays_inside(void **state)
{
	struct fx f;
	char path[128];
	struct spec_user u = {0};
	struct berth_error *e = NULL;
	FILE *fp;

	(void)state;
	fx_init(&f, false);
	snprintf(path, sizeof(path), "%s/etc", f.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/real", f.dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("zed:x:4242:4243::/z:/bin/sh\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/etc/passwd", f.dir);
	assert_int_equal(symlink("/../../../real", path), 0);
	assert_int_equal(spec_user_resolve(f.rootfs_fd, "zed", NULL, &u, &e), 0);
	assert_int_equal(u.uid, 4242);
	spec_user_done(&u);
	assert_int_equal(spec_user_resolve(f.rootfs_fd, "root", NULL, &u, &e), -1); /* host's root is not seen */
	berth_error_free(&e);
	snprintf(path, sizeof(path), "%s/etc/group", f.dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(spec_user_resolve(f.rootfs_fd, "zed", NULL, &u, &e), -1);
	assert_string_equal(e->msg, "'/etc/group' in the rootfs is not a regular file");
	berth_error_free(&e);
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_table),
		cmocka_unit_test(test_merge_errors),
		cmocka_unit_test(test_user_table),
		cmocka_unit_test(test_user_no_passwd),
		cmocka_unit_test(test_user_symlink_stays_inside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
