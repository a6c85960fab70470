/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker's template functions (its CLI's templates package): json, split,
 * join, title, lower, upper, pad and truncate.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

int tpl_fn_json(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf b = {0};

	buf_append(&b, "", 0);
	tpl_json_marshal(&b, a[0]);
	return tpl_ret_buf(c, &b, ret);
}

int tpl_fn_split(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	const char *s, *sep, *p;
	size_t sn, sepn;
	json_t *arr;

	if (tpl_arg_string(c, a, 0, &s, &sn) < 0 || tpl_arg_string(c, a, 1, &sep, &sepn) < 0)
		return -1;
	arr = json_array();
	if (sepn == 0) {
		/* strings.Split with an empty separator splits after each UTF-8 sequence */
		for (size_t i = 0; i < sn;) {
			uint32_t r;
			size_t len = tpl_utf8_decode(s + i, sn - i, &r);
			len = len ? len : 1;
			json_array_append_new(arr, tpl_string_new(s + i, len));
			i += len;
		}
		*ret = arr;
		return 0;
	}
	p = s;
	for (;;) {
		const char *hit = memmem(p, sn - (size_t)(p - s), sep, sepn);
		if (!hit) {
			json_array_append_new(arr, tpl_string_new(p, sn - (size_t)(p - s)));
			break;
		}
		json_array_append_new(arr, tpl_string_new(p, (size_t)(hit - p)));
		p = hit + sepn;
	}
	*ret = arr;
	return 0;
}

int tpl_fn_join(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf b = {0};
	const char *sep;
	size_t sepn;

	if (tpl_arg_string(c, a, 1, &sep, &sepn) < 0)
		return -1;
	/* a missing value is Go's nil slice */
	if (a[0] && !json_is_array(a[0]) && !json_is_null(a[0])) {
		c->bad_arg = 0;
		c->want_type = "[]string";
		return tpl_call_arg_fail(c, "wrong type for value; expected []string; got %s", tpl_type_name(a[0]));
	}
	buf_append(&b, "", 0);
	for (size_t i = 0; i < json_array_size(a[0]) && b.len <= c->lim->max_string; i++) {
		if (i)
			buf_append(&b, sep, sepn);
		tpl_print_value(&b, json_array_get(a[0], i));
	}
	return tpl_ret_buf(c, &b, ret);
}

enum case_op { CASE_LOWER, CASE_UPPER, CASE_TITLE };

/* Latin Extended-A (U+0100-U+017F): letters come in upper/lower pairs, on even or odd code points. */
static uint32_t latin_ext_a(uint32_t r, bool upper)
{
	bool even_upper = (r <= 0x137) || (r >= 0x14a && r <= 0x177);

	if (r == 0x130)
		return upper ? r : 'i';
	if (r == 0x131)
		return upper ? 'I' : r;
	if (r == 0x17f)
		return upper ? 'S' : r;
	if (r == 0x178)
		return upper ? r : 0xff;
	if (r == 0x138 || r == 0x149)
		return r;
	if ((r % 2 == 0) == even_upper) /* r is the capital */
		return upper ? r : r + 1;
	return upper ? r - 1 : r;
}

/*
 * Simple case mapping for Latin-1, Latin Extended-A, Greek and Cyrillic;
 * other characters are left as they are (Go maps all of Unicode).
 */
static uint32_t rune_case(uint32_t r, bool upper)
{
	if (upper) {
		if ((r >= 'a' && r <= 'z') || (r >= 0xe0 && r <= 0xfe && r != 0xf7) ||
		    (r >= 0x3b1 && r <= 0x3cb && r != 0x3c2) || (r >= 0x430 && r <= 0x44f))
			return r - 0x20;
		if (r >= 0x450 && r <= 0x45f)
			return r - 0x50;
		if (r == 0xff)
			return 0x178;
		if (r == 0xb5)
			return 0x39c;
		if (r == 0x3c2)
			return 0x3a3;
	} else {
		if ((r >= 'A' && r <= 'Z') || (r >= 0xc0 && r <= 0xde && r != 0xd7) ||
		    (r >= 0x391 && r <= 0x3ab && r != 0x3a2) || (r >= 0x410 && r <= 0x42f))
			return r + 0x20;
		if (r >= 0x400 && r <= 0x40f)
			return r + 0x50;
	}
	if (r >= 0x100 && r <= 0x17f)
		return latin_ext_a(r, upper);
	return r;
}

/* strings.Title: a word starts after anything but a letter, a digit or '_' (non-ASCII counts as a letter). */
static bool is_word_sep(uint32_t r)
{
	if (r >= 0x80)
		return false;
	return !((r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_');
}

static int change_case(struct tpl_call *c, json_t **a, enum case_op op, json_t **ret)
{
	struct buf b = {0};
	const char *s;
	size_t n;
	bool sep = true;

	if (tpl_arg_string(c, a, 0, &s, &n) < 0)
		return -1;
	buf_append(&b, "", 0);
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t len = tpl_utf8_decode(s + i, n - i, &r);

		if (len == 0) {
			/* an invalid byte is kept as it is */
			buf_append(&b, s + i, 1);
			i++;
			sep = false;
			continue;
		}
		if (op == CASE_UPPER || op == CASE_LOWER)
			tpl_utf8_encode(&b, rune_case(r, op == CASE_UPPER));
		else
			tpl_utf8_encode(&b, sep ? rune_case(r, true) : r);
		sep = is_word_sep(r);
		i += len;
	}
	return tpl_ret_buf(c, &b, ret);
}

int tpl_fn_lower(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return change_case(c, a, CASE_LOWER, ret);
}

int tpl_fn_upper(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return change_case(c, a, CASE_UPPER, ret);
}

int tpl_fn_title(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return change_case(c, a, CASE_TITLE, ret);
}

int tpl_fn_pad(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf b = {0};
	long long pre, post;
	const char *s;
	size_t sn;

	if (tpl_arg_string(c, a, 0, &s, &sn) < 0 || tpl_arg_int(c, a, 1, &pre) < 0 || tpl_arg_int(c, a, 2, &post) < 0)
		return -1;
	if (sn == 0) {
		*ret = tpl_string_new("", 0);
		return 0;
	}
	if (pre < 0 || post < 0)
		return tpl_call_fail(c, "strings: negative Repeat count");
	if ((unsigned long long)pre + (unsigned long long)post + sn > c->lim->max_string)
		return tpl_call_fail(c, "result exceeds %zu bytes", c->lim->max_string);
	for (long long i = 0; i < pre; i++)
		buf_append(&b, " ", 1);
	buf_append(&b, s, sn);
	for (long long i = 0; i < post; i++)
		buf_append(&b, " ", 1);
	return tpl_ret_buf(c, &b, ret);
}

int tpl_fn_truncate(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	long long len;
	const char *s;
	size_t sn;

	if (tpl_arg_string(c, a, 0, &s, &sn) < 0 || tpl_arg_int(c, a, 1, &len) < 0)
		return -1;
	if ((unsigned long long)len >= sn && len >= 0) {
		*ret = json_incref(a[0]);
		return 0;
	}
	if (len < 0)
		return tpl_call_fail(c, "runtime error: slice bounds out of range [:%lld]", len);
	*ret = tpl_string_new(s, (size_t)len);
	return 0;
}
