/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Docker's config.json credentials in a temp dir: store, get, erase, Docker
 * Hub's key, keys other tools wrote, file mode and untouched other fields.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "image/image.h"

static int setup(void **state)
{
	char tmpl[] = "/tmp/berth-test-creds-XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	*state = xasprintf("%s/docker", tmpl);
	return 0;
}

static int teardown(void **state)
{
	char *dir = *state;
	char *top = strndup(dir, strlen(dir) - strlen("/docker"));

	fs_rm_rf_at(AT_FDCWD, top, NULL);
	free(top);
	free(dir);
	return 0;
}

static char *read_config(const char *dir)
{
	_cleanup_free_ char *path = fs_path_join(dir, "config.json");
	char *data = NULL;

	assert_int_equal(fs_read_file_at(AT_FDCWD, path, &data, NULL, NULL), 0);
	return data;
}

static void write_config(const char *dir, const char *json)
{
	_cleanup_free_ char *path = fs_path_join(dir, "config.json");

	assert_int_equal(fs_mkdir_p_at(AT_FDCWD, dir, 0700, NULL), 0);
	assert_int_equal(fs_write_file_atomic_at(AT_FDCWD, path, json, strlen(json), 0644, NULL), 0);
}

static void expect_creds(const char *dir, const char *host, const char *user, const char *pass)
{
	_cleanup_free_ char *u = NULL, *p = NULL;

	assert_int_equal(img_cred_get(dir, host, &u, &p, NULL), 0);
	if (!user) {
		assert_null(u);
		assert_null(p);
		return;
	}
	assert_non_null(u);
	assert_string_equal(u, user);
	assert_string_equal(p, pass);
}

static void test_keys(void **state)
{
	static const char *const cases[][2] = {
		{"docker.io", "https://index.docker.io/v1/"},
		{"index.docker.io", "https://index.docker.io/v1/"},
		{"registry-1.docker.io", "https://index.docker.io/v1/"},
		{"https://index.docker.io/v1/", "https://index.docker.io/v1/"},
		{"localhost:5000", "localhost:5000"},
		{"https://quay.io/v2/", "quay.io"},
		{"http://10.0.0.1:5000", "10.0.0.1:5000"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *k = img_cred_key(cases[i][0]);

		assert_string_equal(k, cases[i][1]);
	}
}

static void test_missing(void **state)
{
	const char *dir = *state;

	/* neither the directory nor the file exist */
	expect_creds(dir, "localhost:5000", NULL, NULL);
	assert_int_equal(img_cred_erase(dir, "localhost:5000", NULL), 0);
}

static void test_round_trip(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *path = fs_path_join(dir, "config.json");
	_cleanup_free_ char *data = NULL;
	struct stat st;

	umask(022);
	assert_int_equal(img_cred_store(dir, "localhost:5000", "alice", "s3cr:et", NULL), 0);
	assert_int_equal(img_cred_store(dir, "docker.io", "bob", "pw", NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	data = read_config(dir);
	assert_non_null(strstr(data, "\"https://index.docker.io/v1/\""));
	assert_non_null(strstr(data, "\"localhost:5000\""));
	/* base64("alice:s3cr:et") */
	assert_non_null(strstr(data, "\"YWxpY2U6czNjcjpldA==\""));

	expect_creds(dir, "localhost:5000", "alice", "s3cr:et");
	expect_creds(dir, "registry-1.docker.io", "bob", "pw");
	expect_creds(dir, "index.docker.io", "bob", "pw");
	expect_creds(dir, "quay.io", NULL, NULL);

	/* overwrite, then erase */
	assert_int_equal(img_cred_store(dir, "localhost:5000", "carol", "x", NULL), 0);
	expect_creds(dir, "localhost:5000", "carol", "x");
	assert_int_equal(img_cred_erase(dir, "localhost:5000", NULL), 1);
	assert_int_equal(img_cred_erase(dir, "localhost:5000", NULL), 0);
	expect_creds(dir, "localhost:5000", NULL, NULL);
	expect_creds(dir, "docker.io", "bob", "pw");
	assert_int_equal(img_cred_erase(dir, "docker.io", NULL), 1);
	expect_creds(dir, "docker.io", NULL, NULL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* Other fields survive, keys with a scheme match their host, erase removes every form of the host. */
static void test_foreign_file(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *data = NULL;

	write_config(dir, "{\"auths\": {\"https://quay.io/v2/\": {\"auth\": \"dTE6cDE=\"},"
			  " \"index.docker.io\": {\"auth\": \"aHViOmh1Yg==\"},"
			  " \"empty.io\": {}},"
			  " \"psFormat\": \"table {{.ID}}\", \"credHelpers\": {\"gcr.io\": \"gcr\"}}");
	expect_creds(dir, "quay.io", "u1", "p1");
	expect_creds(dir, "docker.io", "hub", "hub");
	expect_creds(dir, "empty.io", NULL, NULL);
	assert_int_equal(img_cred_store(dir, "quay.io", "u2", "p2", NULL), 0);
	expect_creds(dir, "quay.io", "u2", "p2");
	data = read_config(dir);
	assert_non_null(strstr(data, "\"psFormat\""));
	assert_non_null(strstr(data, "\"gcr.io\""));
	assert_int_equal(img_cred_erase(dir, "quay.io", NULL), 1);
	expect_creds(dir, "quay.io", NULL, NULL);
}

static void test_bad_files(void **state)
{
	const char *dir = *state;
	_cleanup_error_ struct berth_error *err = NULL, *err2 = NULL, *err3 = NULL;
	char *u = NULL, *p = NULL;

	write_config(dir, "{\"auths\": ");
	assert_int_equal(img_cred_get(dir, "x.io", &u, &p, &err), -1);
	assert_non_null(strstr(err->msg, "config.json': line 1"));
	write_config(dir, "{\"auths\": {\"x.io\": {\"auth\": \"bm9jb2xvbg==\"}}}");
	assert_int_equal(img_cred_get(dir, "x.io", &u, &p, &err2), -1);
	assert_non_null(strstr(err2->msg, "invalid auth for 'x.io'"));
	assert_null(u);
	assert_int_equal(img_cred_store(dir, "x.io", "a:b", "c", &err3), -1);
	assert_string_equal(err3->msg, "username 'a:b' may not contain ':': Invalid argument");
}

static void test_default_dir(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL;

	setenv("DOCKER_CONFIG", "/etc/dc", 1);
	a = img_cred_default_dir();
	unsetenv("DOCKER_CONFIG");
	setenv("HOME", "/home/u", 1);
	b = img_cred_default_dir();
	assert_string_equal(a, "/etc/dc");
	assert_string_equal(b, "/home/u/.docker");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test(test_default_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
