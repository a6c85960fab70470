/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image references: Docker's normalisation table, each error kind, full and familiar strings, id-likeness. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "image/image.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

struct norm_case {
	const char *in;
	const char *domain, *path, *tag, *digest;
	const char *full, *familiar;
};

static void assert_str_or_null(const char *want, const char *got, const char *in)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(want, got) != 0)
		fail_msg("for '%s': want '%s', got '%s'", in, want ? want : "(null)", got ? got : "(null)");
}

static void test_normalise(void **state)
{
	static const struct norm_case cases[] = {
		{"busybox", "docker.io", "library/busybox", NULL, NULL, "docker.io/library/busybox", "busybox"},
		{"library/busybox", "docker.io", "library/busybox", NULL, NULL, "docker.io/library/busybox", "busybox"},
		{"busybox:1.36", "docker.io", "library/busybox", "1.36", NULL, "docker.io/library/busybox:1.36",
		 "busybox:1.36"},
		{"user/app", "docker.io", "user/app", NULL, NULL, "docker.io/user/app", "user/app"},
		{"docker.io/user/app:1", "docker.io", "user/app", "1", NULL, "docker.io/user/app:1", "user/app:1"},
		{"index.docker.io/x", "docker.io", "library/x", NULL, NULL, "docker.io/library/x", "x"},
		{"docker.io/library/a/b", "docker.io", "library/a/b", NULL, NULL, "docker.io/library/a/b",
		 "library/a/b"},
		{"localhost/x", "localhost", "x", NULL, NULL, "localhost/x", "localhost/x"},
		{"localhost:5000/x:y", "localhost:5000", "x", "y", NULL, "localhost:5000/x:y", "localhost:5000/x:y"},
		{"host.tld/a/b/c:tag@" DIGEST, "host.tld", "a/b/c", "tag", DIGEST, "host.tld/a/b/c:tag@" DIGEST,
		 "host.tld/a/b/c:tag@" DIGEST},
		{"host:5000/a/b@" DIGEST, "host:5000", "a/b", NULL, DIGEST, "host:5000/a/b@" DIGEST,
		 "host:5000/a/b@" DIGEST},
		{"busybox@" DIGEST, "docker.io", "library/busybox", NULL, DIGEST, "docker.io/library/busybox@" DIGEST,
		 "busybox@" DIGEST},
		{"my-reg.example.com:443/x__y/z--w.v:T_a-g.1", "my-reg.example.com:443", "x__y/z--w.v", "T_a-g.1", NULL,
		 "my-reg.example.com:443/x__y/z--w.v:T_a-g.1", "my-reg.example.com:443/x__y/z--w.v:T_a-g.1"},
		/* without a '/', "localhost:5000" is a repository with a tag, as in Docker */
		{"localhost:5000", "docker.io", "library/localhost", "5000", NULL, "docker.io/library/localhost:5000",
		 "localhost:5000"},
		/* an upper-case first component is a domain (Docker's splitDockerDomain) */
		{"Foo/bar", "Foo", "bar", NULL, NULL, "Foo/bar", "Foo/bar"},
		{"[::1]:5000/x", "[::1]:5000", "x", NULL, NULL, "[::1]:5000/x", "[::1]:5000/x"},
		{"1.2.3.4:80/a.b/c_d", "1.2.3.4:80", "a.b/c_d", NULL, NULL, "1.2.3.4:80/a.b/c_d", "1.2.3.4:80/a.b/c_d"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct norm_case *c = &cases[i];
		_cleanup_error_ struct berth_error *err = NULL;
		_cleanup_img_ref_ struct img_ref *r = NULL, *again = NULL;
		_cleanup_free_ char *full = NULL, *familiar = NULL, *full2 = NULL;

		if (img_ref_parse(c->in, &r, &err) < 0)
			fail_msg("'%s': %s", c->in, err->msg);
		assert_str_or_null(c->domain, r->domain, c->in);
		assert_str_or_null(c->path, r->path, c->in);
		assert_str_or_null(c->tag, r->tag, c->in);
		assert_str_or_null(c->digest, r->digest, c->in);
		full = img_ref_string(r);
		familiar = img_ref_familiar_string(r);
		assert_str_or_null(c->full, full, c->in);
		assert_str_or_null(c->familiar, familiar, c->in);
		/* both spellings parse back to the same reference */
		assert_int_equal(img_ref_parse(familiar, &again, &err), 0);
		full2 = img_ref_string(again);
		assert_string_equal(full, full2);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{"", "invalid reference format: empty reference"},
		{HEX64, "invalid reference format: cannot use a 64-hex string as a repository name"},
		{"Busybox", "invalid reference format: repository name 'Busybox' must be lowercase"},
		{"user/App:1", "invalid reference format: repository name 'user/App' must be lowercase"},
		{"busybox:a b",
		 "invalid reference format: tag 'a b' must be letters, digits and '_', then also '.' or '-'"},
		{"busybox:.a",
		 "invalid reference format: tag '.a' must be letters, digits and '_', then also '.' or '-'"},
		{"busybox:", "invalid reference format: empty tag"},
		{"busybox@sha256:abc",
		 "invalid reference format: invalid digest 'sha256:abc': sha256 needs 64 lowercase hex digits"},
		{"busybox@", "invalid reference format: invalid digest ''"},
		{"busybox@sha512:" HEX64 HEX64, "invalid reference format: unsupported digest algorithm 'sha512' in "
						"'sha512:" HEX64 HEX64 "'"},
		{"a//b", "invalid reference format: empty path component in 'a//b'"},
		{"host:5000/", "invalid reference format: empty path component in 'host:5000/'"},
		{"a/b_-c",
		 "invalid reference format: path component 'b_-c' of 'a/b_-c' must be lowercase letters and digits "
		 "separated by '.', '_', '__' or '-'"},
		{"-a", "invalid reference format: path component '-a' of '-a' must be lowercase letters and digits "
		       "separated by '.', '_', '__' or '-'"},
		{"a___b", "invalid reference format: path component 'a___b' of 'a___b' must be lowercase letters and "
			  "digits separated by '.', '_', '__' or '-'"},
		{":tag", "invalid reference format: empty repository name in ':tag'"},
		{"@" DIGEST, "invalid reference format: empty repository name in '@" DIGEST "'"},
		{"-host.com/a", "invalid reference format: invalid domain '-host.com'"},
		{"host..com/a", "invalid reference format: invalid domain 'host..com'"},
		{"host:50a0/a", "invalid reference format: invalid domain 'host:50a0'"},
		{"host:/a", "invalid reference format: invalid domain 'host:'"},
		{"[::g]:5/a", "invalid reference format: invalid domain '[::g]:5'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct img_ref *r = NULL;

		if (img_ref_parse(cases[i].in, &r, &err) == 0) {
			img_ref_free(r);
			fail_msg("no error for '%s'", cases[i].in);
		}
		assert_null(r);
		if (strcmp(err->msg, cases[i].msg) != 0)
			fail_msg("for '%s'\n  want: %s\n  got:  %s", cases[i].in, cases[i].msg, err->msg);
	}
}

static void test_lengths(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_img_ref_ struct img_ref *r = NULL;
	char name[300], tag[200];

	/* "docker.io/" + 245 = 255: the limit counts the full name */
	memset(name, 'a', sizeof(name));
	memcpy(name, "u/", 2);
	name[245] = '\0';
	assert_int_equal(img_ref_parse(name, &r, &err), 0);
	img_ref_free(TAKE_PTR(r));
	name[245] = 'a';
	name[246] = '\0';
	assert_int_equal(img_ref_parse(name, &r, &err), -1);
	assert_string_equal(err->msg, "invalid reference format: repository name must not be more than 255 characters");
	berth_error_free(&err);

	memset(tag, 'T', sizeof(tag));
	memcpy(tag, "x:", 2);
	tag[2 + 128] = '\0';
	assert_int_equal(img_ref_parse(tag, &r, &err), 0);
	img_ref_free(TAKE_PTR(r));
	tag[2 + 128] = 'T';
	tag[2 + 129] = '\0';
	assert_int_equal(img_ref_parse(tag, &r, &err), -1);
	assert_non_null(strstr(err->msg, "is longer than 128 characters"));
}

static void test_default_tag(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_img_ref_ struct img_ref *a = NULL, *b = NULL, *c = NULL;
	_cleanup_free_ char *sa = NULL, *sb = NULL, *sc = NULL;

	assert_int_equal(img_ref_parse_normalized_default("busybox", &a, &err), 0);
	assert_int_equal(img_ref_parse_normalized_default("busybox@" DIGEST, &b, &err), 0);
	assert_int_equal(img_ref_parse_normalized_default("busybox:1", &c, &err), 0);
	sa = img_ref_string(a);
	sb = img_ref_string(b);
	sc = img_ref_familiar_string(c);
	assert_string_equal(sa, "docker.io/library/busybox:latest");
	assert_string_equal(sb, "docker.io/library/busybox@" DIGEST);
	assert_string_equal(sc, "busybox:1");
}

static void test_repository_and_host(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_img_ref_ struct img_ref *hub = NULL, *local = NULL, *copy = NULL;
	_cleanup_free_ char *repo = NULL, *familiar = NULL, *lrepo = NULL, *lfam = NULL, *s = NULL;

	assert_int_equal(img_ref_parse("busybox:1@" DIGEST, &hub, &err), 0);
	assert_int_equal(img_ref_parse("localhost:5000/x/y:z", &local, &err), 0);
	repo = img_ref_repository(hub);
	familiar = img_ref_familiar_repository(hub);
	lrepo = img_ref_repository(local);
	lfam = img_ref_familiar_repository(local);
	assert_string_equal(repo, "docker.io/library/busybox");
	assert_string_equal(familiar, "busybox");
	assert_string_equal(lrepo, "localhost:5000/x/y");
	assert_string_equal(lfam, "localhost:5000/x/y");
	assert_string_equal(img_ref_api_host(hub), "registry-1.docker.io");
	assert_string_equal(img_ref_api_host(local), "localhost:5000");

	copy = img_ref_dup(hub);
	assert_int_equal(img_ref_set_tag(copy, "v2", &err), 0);
	assert_int_equal(img_ref_set_tag(copy, "bad tag", &err), -1);
	assert_non_null(strstr(err->msg, "tag 'bad tag'"));
	s = img_ref_familiar_string(copy);
	assert_string_equal(s, "busybox:v2@" DIGEST);
	assert_int_equal(img_ref_set_tag(copy, NULL, &err), 0);
	assert_null(copy->tag);
}

static void test_id_like(void **state)
{
	assert_true(img_ref_is_id_like("abcd"));
	assert_true(img_ref_is_id_like("0123456789ab"));
	assert_true(img_ref_is_id_like(HEX64));
	assert_false(img_ref_is_id_like("abc"));
	assert_false(img_ref_is_id_like(HEX64 "0"));
	assert_false(img_ref_is_id_like("ABCD"));
	assert_false(img_ref_is_id_like("abcg"));
	assert_false(img_ref_is_id_like(""));
	assert_false(img_ref_is_id_like(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_default_tag),
		cmocka_unit_test(test_repository_and_host),
		cmocka_unit_test(test_id_like),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
