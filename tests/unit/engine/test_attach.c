/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The attach protocol's pure parts: message encoding, docker's detach keys and their matcher, the socket helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

static void roundtrip(const struct eng_attach_msg *m, size_t want_len, struct eng_attach_msg *ret)
{
	uint8_t buf[ENG_ATTACH_PACKET_MAX];
	int n = eng_attach_msg_encode(m, buf, sizeof(buf));

	assert_int_equal(n, (int)want_len);
	assert_int_equal(eng_attach_msg_decode(buf, (size_t)n, ret), 0);
	assert_int_equal(ret->type, m->type);
}

static void test_encode_control(void **state)
{
	struct eng_attach_msg r;
	uint8_t buf[16];

	(void)state;
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_HELLO, .streams = 7, .rows = 300, .cols = 1000}, 6, &r);
	assert_int_equal(r.streams, 7);
	assert_int_equal(r.rows, 300);
	assert_int_equal(r.cols, 1000);
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_RESIZE, .rows = 24, .cols = 80}, 5, &r);
	assert_int_equal(r.rows, 24);
	assert_int_equal(r.cols, 80);
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_EXIT, .code = 137}, 5, &r);
	assert_int_equal(r.code, 137);
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_EXIT, .code = -1}, 5, &r);
	assert_int_equal(r.code, -1);
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_STDIN_EOF}, 1, &r);
	/* big-endian on the wire */
	assert_int_equal(
		eng_attach_msg_encode(&(struct eng_attach_msg){.type = ENG_ATTACH_RESIZE, .rows = 0x102, .cols = 0x304},
				      buf, sizeof(buf)),
		5);
	assert_memory_equal(buf, "\x04\x01\x02\x03\x04", 5);
}

static void test_encode_data(void **state)
{
	static uint8_t big[ENG_ATTACH_DATA_MAX + 1];
	uint8_t small[4];
	struct eng_attach_msg r;

	(void)state;
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_STDOUT, .data = (const uint8_t *)"hello", .len = 5}, 6,
		  &r);
	assert_int_equal(r.len, 5);
	assert_memory_equal(r.data, "hello", 5);
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_STDERR, .data = big, .len = ENG_ATTACH_DATA_MAX},
		  ENG_ATTACH_PACKET_MAX, &r);
	assert_int_equal(r.len, ENG_ATTACH_DATA_MAX);
	roundtrip(&(struct eng_attach_msg){.type = ENG_ATTACH_STDIN, .len = 0}, 1, &r);
	assert_int_equal(r.len, 0);
	/* too much data, an unknown type, a buffer too small */
	assert_int_equal(eng_attach_msg_encode(
				 &(struct eng_attach_msg){.type = ENG_ATTACH_STDOUT, .data = big, .len = sizeof(big)},
				 big, sizeof(big)),
			 -1);
	assert_int_equal(eng_attach_msg_encode(&(struct eng_attach_msg){.type = 99}, small, sizeof(small)), -1);
	assert_int_equal(
		eng_attach_msg_encode(&(struct eng_attach_msg){.type = ENG_ATTACH_HELLO}, small, sizeof(small)), -1);
}

static void test_decode_malformed(void **state)
{
	struct eng_attach_msg r;

	(void)state;
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"", 0, &r), -1);
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"\x01\x07\x00", 3, &r), -1);
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"\x04\x00\x18\x00\x50\x00", 6, &r), -1);
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"\x08\x00", 2, &r), -1);
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"\x03x", 2, &r), -1);
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"\x00", 1, &r), -1);
	assert_int_equal(eng_attach_msg_decode((const uint8_t *)"\x09", 1, &r), -1);
}

static void keys_ok(const char *spec, const char *want, size_t want_n)
{
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n = 99;
	struct berth_error *err = NULL;

	assert_int_equal(eng_detach_keys_parse(spec, keys, &n, &err), 0);
	assert_null(err);
	assert_int_equal(n, want_n);
	assert_memory_equal(keys, want, want_n);
}

static void keys_bad(const char *spec)
{
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n = 99;
	struct berth_error *err = NULL;
	_cleanup_free_ char *want = xasprintf("invalid detach keys (%s) provided", spec);

	assert_int_equal(eng_detach_keys_parse(spec, keys, &n, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, want);
	assert_int_equal(n, 99);
	berth_error_free(&err);
}

static void test_detach_keys_parse(void **state)
{
	(void)state;
	keys_ok("ctrl-p,ctrl-q", "\x10\x11", 2);
	keys_ok("ctrl-a,a",
		"\x01"
		"a",
		2);
	keys_ok("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", "\x00\x1b\x1c\x1d\x1e\x1f", 6);
	keys_ok("ctrl-z", "\x1a", 1);
	keys_ok("DEL,x", "\x7fx", 2);
	keys_bad(",");
	keys_bad("a,,b");
	keys_ok("", "", 0);
	keys_bad("ctrl-P");
	keys_bad("ctrl-1");
	keys_bad("ab");
	keys_bad("ctrl-a,foo");
	keys_bad("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a");
}

/* Feed s in chunks of chunk bytes; returns what was forwarded and whether the sequence completed. */
static bool feed(const char *spec, const char *s, size_t len, size_t chunk, char *out, size_t *out_len)
{
	struct eng_detach_matcher m = {0};
	uint8_t buf[256 + ENG_DETACH_KEYS_MAX];
	size_t o = 0;

	assert_int_equal(eng_detach_keys_parse(spec, m.keys, &m.n, NULL), 0);
	for (size_t i = 0; i < len; i += chunk) {
		size_t n = len - i < chunk ? len - i : chunk, got;
		bool done = eng_detach_feed(&m, (const uint8_t *)s + i, n, buf, &got);

		memcpy(out + o, buf, got);
		o += got;
		if (done) {
			*out_len = o;
			return true;
		}
	}
	*out_len = o;
	return false;
}

static void test_detach_feed(void **state)
{
	char out[256];
	size_t n;

	(void)state;
	for (size_t chunk = 1; chunk <= 8; chunk++) {
		assert_true(feed("ctrl-p,ctrl-q",
				 "ab\x10\x11"
				 "cd",
				 6, chunk, out, &n));
		assert_int_equal(n, 2);
		assert_memory_equal(out, "ab", 2);
		/* a lone ctrl-p is released with what follows it */
		assert_false(feed("ctrl-p,ctrl-q",
				  "a\x10"
				  "b",
				  3, chunk, out, &n));
		assert_int_equal(n, 3);
		assert_memory_equal(out,
				    "a\x10"
				    "b",
				    3);
		/* ctrl-p ctrl-p ctrl-q: the first is released, the next two detach */
		assert_true(feed("ctrl-p,ctrl-q", "\x10\x10\x11", 3, chunk, out, &n));
		assert_int_equal(n, 1);
		assert_memory_equal(out, "\x10", 1);
		assert_true(feed("ctrl-a,a",
				 "xx\x01"
				 "a",
				 4, chunk, out, &n));
		assert_int_equal(n, 2);
		/* no keys: everything passes */
		assert_false(feed("", "\x10\x11", 2, chunk, out, &n));
		assert_int_equal(n, 2);
	}
	/* a partial match at the end is held back */
	assert_false(feed("ctrl-p,ctrl-q", "ab\x10", 3, 3, out, &n));
	assert_int_equal(n, 2);
}

static void test_unix_long_path(void **state)
{
	char tmpl[] = "/tmp/berth-attach-XXXXXX";
	_cleanup_free_ char *dir = NULL, *path = NULL;
	struct berth_error *err = NULL;
	struct stat st;
	int l, c, a;
	char buf[8];

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	/* longer than sun_path (108) */
	dir = xasprintf("%s/%0120d", tmpl, 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	path = xasprintf("%s/attach.sock", dir);
	l = eng_unix_listen(path, SOCK_SEQPACKET, &err);
	assert_true(l >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	c = eng_unix_connect(path, SOCK_SEQPACKET, &err);
	assert_true(c >= 0);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	assert_int_equal(eng_attach_msg_send(c, &(struct eng_attach_msg){.type = ENG_ATTACH_STDIN_EOF}, &err), 0);
	assert_int_equal(recv(a, buf, sizeof(buf), 0), 1);
	assert_int_equal(buf[0], ENG_ATTACH_STDIN_EOF);
	close(a);
	close(c);
	close(l);
	/* a missing socket is an error naming it */
	unlink(path);
	assert_int_equal(eng_unix_connect(path, SOCK_SEQPACKET, &err), -1);
	assert_non_null(strstr(err->msg, "attach.sock"));
	berth_error_free(&err);
	rmdir(dir);
	rmdir(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_control),	 cmocka_unit_test(test_encode_data),
		cmocka_unit_test(test_decode_malformed), cmocka_unit_test(test_detach_keys_parse),
		cmocka_unit_test(test_detach_feed),	 cmocka_unit_test(test_unix_long_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
