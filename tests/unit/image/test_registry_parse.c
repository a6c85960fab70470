/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client's pure parts: WWW-Authenticate challenges, token
 * answers, error bodies, insecure hosts, request paths and URLs, base64.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "image/registry_internal.h"

struct challenge_case {
	const char *header;
	size_t n;
	/* the first challenge's fields (NULL: absent) */
	const char *scheme, *realm, *service, *scope;
	/* the second challenge's scheme, when n > 1 */
	const char *scheme2;
};

static void check_str(const char *what, const char *header, const char *want, const char *got)
{
	if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
		fail_msg("%s of [%s]: want '%s', got '%s'", what, header, want ? want : "(null)", got ? got : "(null)");
}

static void test_challenges(void **state)
{
	static const struct challenge_case cases[] = {
		{"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"", 1, "bearer",
		 "https://auth.docker.io/token", "registry.docker.io", NULL, NULL},
		{"Bearer realm=\"https://r/token\",service=\"reg\",scope=\"repository:a/b:pull,push\"", 1, "bearer",
		 "https://r/token", "reg", "repository:a/b:pull,push", NULL},
		{"Basic realm=\"basic-realm\"", 1, "basic", "basic-realm", NULL, NULL, NULL},
		{"basic realm=unquoted", 1, "basic", "unquoted", NULL, NULL, NULL},
		/* spaces around '=' and ',', upper-case names */
		{"BEARER  Realm = \"x\" ,  Service = \"y\"", 1, "bearer", "x", "y", NULL, NULL},
		/* escaped quotes and backslashes inside a quoted string */
		{"Bearer realm=\"a\\\"b\\\\c\",service=\"s,t\"", 1, "bearer", "a\"b\\c", "s,t", NULL, NULL},
		/* two challenges in one header */
		{"Basic realm=\"r1\", Bearer realm=\"r2\",service=\"s2\"", 2, "basic", "r1", NULL, NULL, "bearer"},
		{"Bearer realm=\"r\",error=\"insufficient_scope\",scope=\"repository:x:push\"", 1, "bearer", "r", NULL,
		 "repository:x:push", NULL},
		/* a scheme without parameters, then one with */
		{"Negotiate, Basic realm=\"z\"", 2, "negotiate", NULL, NULL, NULL, "basic"},
		/* token68 padding is skipped */
		{"Negotiate abc==, Basic realm=\"z\"", 2, "negotiate", NULL, NULL, NULL, "basic"},
		{"", 0, NULL, NULL, NULL, NULL, NULL},
		{"Bearer realm=\"\"", 1, "bearer", "", NULL, NULL, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct challenge_case *c = &cases[i];
		struct reg_challenge *cs = NULL;
		size_t n = 99;

		if (reg_challenges_parse(c->header, &cs, &n) < 0)
			fail_msg("parse [%s] failed", c->header);
		if (n != c->n)
			fail_msg("[%s]: %zu challenges, want %zu", c->header, n, c->n);
		if (n > 0) {
			check_str("scheme", c->header, c->scheme, cs[0].scheme);
			check_str("realm", c->header, c->realm, cs[0].realm);
			check_str("service", c->header, c->service, cs[0].service);
			check_str("scope", c->header, c->scope, cs[0].scope);
		}
		if (n > 1)
			check_str("second scheme", c->header, c->scheme2, cs[1].scheme);
		reg_challenges_free(cs, n);
	}
}

static void test_challenge_unterminated(void **state)
{
	struct reg_challenge *cs = NULL;
	size_t n = 0;

	assert_int_equal(reg_challenges_parse("Bearer realm=\"https://x", &cs, &n), -1);
}

/* Bearer wins over Basic; a header without either leaves the session as it was. */
static void test_auth_learn(void **state)
{
	struct img_registry r = {0};
	char *both[] = {"Basic realm=\"b\"", "Bearer realm=\"https://t/token\",service=\"svc\"", NULL};
	char *basic[] = {"Basic realm=\"b\"", NULL};
	char *other[] = {"Negotiate", NULL};

	reg_auth_learn_locked(&r, other);
	assert_int_equal(r.auth, REG_AUTH_NONE);
	reg_auth_learn_locked(&r, basic);
	assert_int_equal(r.auth, REG_AUTH_BASIC);
	reg_auth_learn_locked(&r, both);
	assert_int_equal(r.auth, REG_AUTH_BEARER);
	assert_string_equal(r.realm, "https://t/token");
	assert_string_equal(r.service, "svc");
	free(r.realm);
	free(r.service);
}

static void test_token_parse(void **state)
{
	static const struct {
		const char *json, *token;
		int64_t ttl;
	} ok[] = {
		{"{\"token\":\"abc\",\"expires_in\":300}", "abc", 300},
		{"{\"access_token\":\"def\"}", "def", 60},
		{"{\"token\":\"\",\"access_token\":\"ghi\",\"expires_in\":5}", "ghi", 60},
		{"{\"token\":\"t1\",\"access_token\":\"t2\"}", "t1", 60},
	};
	static const char *const bad[] = {"", "[]", "{}", "{\"token\":1}", "not json"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		_cleanup_free_ char *tok = NULL;
		int64_t ttl = 0;

		assert_int_equal(reg_token_parse(ok[i].json, strlen(ok[i].json), &tok, &ttl, NULL), 0);
		assert_string_equal(tok, ok[i].token);
		assert_int_equal(ttl, ok[i].ttl);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		char *tok = NULL;

		assert_int_equal(reg_token_parse(bad[i], strlen(bad[i]), &tok, NULL, &err), -1);
		assert_null(tok);
		assert_int_equal(err->code, EBADMSG);
	}
}

static void test_error_body(void **state)
{
	static const struct {
		const char *body, *msg;
	} cases[] = {
		{"{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}}]}",
		 "manifest unknown: manifest unknown"},
		{"{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}",
		 "unauthorized: authentication required"},
		{"{\"errors\":[{\"code\":\"DENIED\"},{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not "
		 "known to registry\"}]}",
		 "denied; name unknown: repository name not known to registry"},
		{"{\"errors\":[{\"message\":\"only a message\"}]}", "only a message"},
		{"{\"errors\":[]}", NULL},
		{"{\"details\":\"x\"}", NULL},
		{"<html>502 Bad Gateway</html>", NULL},
		{"", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *m = reg_error_body_message(cases[i].body, strlen(cases[i].body));

		check_str("message", cases[i].body, cases[i].msg, m);
	}
}

static void test_local_hosts(void **state)
{
	static const char *const local[] = {"localhost", "localhost:5000", "LOCALHOST:1",
					    "127.0.0.1", "127.0.0.1:5000", "127.9.8.7:80",
					    "::1",	 "[::1]:5000",	   "[::1]"};
	static const char *const remote[] = {
		"registry-1.docker.io", "quay.io:443",		 "10.0.0.1:5000",    "128.0.0.1",
		"[::2]:5000",		"localhost.example.com", "127.0.0.1.nip.io", ""};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (!reg_host_is_local(local[i]))
			fail_msg("'%s' should be local", local[i]);
	for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (reg_host_is_local(remote[i]))
			fail_msg("'%s' should not be local", remote[i]);
	assert_string_equal(reg_endpoint("docker.io"), "registry-1.docker.io");
	assert_string_equal(reg_endpoint("index.docker.io"), "registry-1.docker.io");
	assert_string_equal(reg_endpoint("quay.io"), "quay.io");
}

#define H "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define D "sha256:" H

static void test_paths(void **state)
{
	static const struct {
		const char *repo, *kind, *ref, *path;
	} ok[] = {
		{"library/alpine", "manifests", "latest", "/v2/library/alpine/manifests/latest"},
		{"a/b/c-d/e_f.g", "manifests", "v1.2_rc-3", "/v2/a/b/c-d/e_f.g/manifests/v1.2_rc-3"},
		{"busybox", "manifests", D, "/v2/busybox/manifests/" D},
		{"x/y", "blobs", D, "/v2/x/y/blobs/" D},
	};
	static const struct {
		const char *repo, *kind, *ref, *msg;
	} bad[] = {
		{"", "manifests", "latest", "invalid repository name ''"},
		{"a//b", "manifests", "latest", "invalid repository name 'a//b'"},
		{"a/../b", "manifests", "latest", "invalid repository name 'a/../b'"},
		{"/a", "manifests", "latest", "invalid repository name '/a'"},
		{"a/", "manifests", "latest", "invalid repository name 'a/'"},
		{"a?b", "manifests", "latest", "invalid repository name 'a?b'"},
		{"a", "manifests", "-x", "invalid tag '-x'"},
		{"a", "manifests", "x/y", "invalid tag 'x/y'"},
		{"a", "blobs", "latest", "invalid digest 'latest'"},
		{"a", "blobs", "sha256:abc", "invalid digest 'sha256:abc': sha256 needs 64 lowercase hex digits"},
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		_cleanup_free_ char *p = reg_path(ok[i].repo, ok[i].kind, ok[i].ref, NULL);

		check_str("path", ok[i].repo, ok[i].path, p);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		char *p = reg_path(bad[i].repo, bad[i].kind, bad[i].ref, &err);

		assert_null(p);
		assert_non_null(err);
		check_str("error", bad[i].repo, bad[i].msg, err->msg);
	}
}

static void test_urls(void **state)
{
	static const struct {
		const char *base, *loc, *want;
	} cases[] = {
		/* docker-registry answers absolute, others relative */
		{"http://127.0.0.1:5000/v2/a/b/blobs/uploads/",
		 "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?_state=x",
		 "http://127.0.0.1:5000/v2/a/b/blobs/uploads/u1?_state=x"},
		{"https://r.io/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/u2", "https://r.io/v2/a/blobs/uploads/u2"},
		{"https://r.io:8443/v2/a/blobs/uploads/", "u3?x=1", "https://r.io:8443/v2/a/blobs/uploads/u3?x=1"},
		{"https://r.io/v2/a/blobs/uploads/", "https://storage.example/up?sig=1",
		 "https://storage.example/up?sig=1"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *u = reg_url_resolve(cases[i].base, cases[i].loc);

		check_str("resolved", cases[i].loc, cases[i].want, u);
	}

	_cleanup_free_ char *q1 = reg_url_add_query("https://r.io/up/u1", "digest", D);
	_cleanup_free_ char *q2 = reg_url_add_query("https://r.io/up/u1?_state=a%2Bb", "digest", D);
	assert_string_equal(q1, "https://r.io/up/u1?digest=sha256%3a" H);
	assert_string_equal(q2, "https://r.io/up/u1?_state=a%2Bb&digest=sha256%3a" H);
}

static void test_base64(void **state)
{
	static const char *const plain[] = {"", "u", "us", "use", "user:pass", "üser:p@ss:with:colons"};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		_cleanup_free_ char *enc = reg_base64_encode(plain[i], strlen(plain[i]));
		size_t len = 99;
		_cleanup_free_ char *dec = reg_base64_decode(enc, &len);

		assert_non_null(dec);
		assert_int_equal(len, strlen(plain[i]));
		assert_string_equal(dec, plain[i]);
	}
	_cleanup_free_ char *e = reg_base64_encode("user:pass", 9);
	assert_string_equal(e, "dXNlcjpwYXNz");
	assert_null(reg_base64_decode("abc", NULL));
	assert_null(reg_base64_decode("a!c=", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenges), cmocka_unit_test(test_challenge_unterminated),
		cmocka_unit_test(test_auth_learn), cmocka_unit_test(test_token_parse),
		cmocka_unit_test(test_error_body), cmocka_unit_test(test_local_hosts),
		cmocka_unit_test(test_paths),	   cmocka_unit_test(test_urls),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
