/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template literals as Go reads them: numbers (strconv with base prefixes and
 * underscores), interpreted and raw strings, character constants.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

size_t tpl_utf8_decode(const char *s, size_t n, uint32_t *ret)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t r;
	size_t len;

	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*ret = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		r = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		r = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		r = u[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		r = (r << 6) | (u[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are invalid */
	if ((len == 3 && r < 0x800) || (len == 4 && (r < 0x10000 || r > 0x10ffff)) || (r >= 0xd800 && r <= 0xdfff))
		return 0;
	*ret = r;
	return len;
}

void tpl_utf8_encode(struct buf *b, uint32_t r)
{
	char out[4];
	size_t n;

	if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		r = 0xfffd;
	if (r < 0x80) {
		out[0] = (char)r;
		n = 1;
	} else if (r < 0x800) {
		out[0] = (char)(0xc0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3f));
		n = 2;
	} else if (r < 0x10000) {
		out[0] = (char)(0xe0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		out[2] = (char)(0x80 | (r & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | (r >> 18));
		out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
		out[3] = (char)(0x80 | (r & 0x3f));
		n = 4;
	}
	buf_append(b, out, n);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Go's strconv.UnquoteChar: one (possibly escaped) character of s. Sets
 * *ret_rune and *ret_byte (true when it stands for a single byte, \x or
 * octal). Returns the bytes consumed, 0 on a syntax error.
 */
static size_t unquote_char(const char *s, size_t n, char quote, uint32_t *ret_rune, bool *ret_byte)
{
	size_t digits, used;
	uint32_t v = 0;
	char c;

	*ret_byte = false;
	if (n == 0 || s[0] == quote)
		return 0;
	if ((unsigned char)s[0] >= 0x80) {
		used = tpl_utf8_decode(s, n, ret_rune);
		if (used == 0) {
			*ret_rune = (unsigned char)s[0];
			*ret_byte = true; /* Go would read U+FFFD; keep the byte */
			used = 1;
		}
		return used;
	}
	if (s[0] != '\\') {
		*ret_rune = (unsigned char)s[0];
		return 1;
	}
	if (n < 2)
		return 0;
	c = s[1];
	switch (c) {
	case 'a':
		*ret_rune = '\a';
		return 2;
	case 'b':
		*ret_rune = '\b';
		return 2;
	case 'f':
		*ret_rune = '\f';
		return 2;
	case 'n':
		*ret_rune = '\n';
		return 2;
	case 'r':
		*ret_rune = '\r';
		return 2;
	case 't':
		*ret_rune = '\t';
		return 2;
	case 'v':
		*ret_rune = '\v';
		return 2;
	case '\\':
		*ret_rune = '\\';
		return 2;
	case '\'':
	case '"':
		if (c != quote)
			return 0;
		*ret_rune = (unsigned char)c;
		return 2;
	case 'x':
	case 'u':
	case 'U':
		digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		if (n < 2 + digits)
			return 0;
		for (size_t i = 0; i < digits; i++) {
			int h = hex_value(s[2 + i]);
			if (h < 0)
				return 0;
			v = (v << 4) | (uint32_t)h;
		}
		if (c != 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)))
			return 0;
		*ret_rune = v;
		*ret_byte = c == 'x';
		return 2 + digits;
	default:
		if (c < '0' || c > '7' || n < 4)
			return 0;
		for (size_t i = 1; i < 4; i++) {
			if (s[i] < '0' || s[i] > '7')
				return 0;
			v = (v << 3) | (uint32_t)(s[i] - '0');
		}
		if (v > 255)
			return 0;
		*ret_rune = v;
		*ret_byte = true;
		return 4;
	}
}

int tpl_lit_string(const char *s, size_t n, json_t **ret)
{
	struct buf b = {0};

	if (n >= 2 && s[0] == '`') {
		/* raw string: carriage returns are dropped, as Go does */
		buf_append(&b, "", 0);
		for (size_t i = 1; i + 1 < n; i++)
			if (s[i] != '\r')
				buf_append(&b, &s[i], 1);
	} else {
		buf_append(&b, "", 0);
		for (size_t i = 1; i + 1 < n;) {
			uint32_t r;
			bool byte;
			size_t used = unquote_char(s + i, n - 1 - i, '"', &r, &byte);
			if (used == 0) {
				buf_done(&b);
				return -1;
			}
			if (byte) {
				char c = (char)r;
				buf_append(&b, &c, 1);
			} else {
				tpl_utf8_encode(&b, r);
			}
			i += used;
		}
	}
	*ret = tpl_string_new(b.data, b.len);
	buf_done(&b);
	return 0;
}

int tpl_lit_char(const char *s, size_t n, json_t **ret)
{
	uint32_t r;
	bool byte;
	size_t used;

	if (n < 3)
		return -1;
	used = unquote_char(s + 1, n - 2, '\'', &r, &byte);
	if (used == 0 || used != n - 2)
		return -1;
	*ret = json_integer(r);
	return 0;
}

/* Copy s without underscores; false when one is misplaced (Go's underscoreOK, simplified). */
static bool strip_underscores(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '_') {
			out[o++] = s[i];
			continue;
		}
		/* an underscore must sit between digits, or follow a base prefix */
		if (i == 0 || i + 1 == n || s[i + 1] == '_' || !(hex_value(s[i + 1]) >= 0))
			return false;
	}
	out[o] = '\0';
	return true;
}

/* strconv.ParseInt(s, 0, 64); -1 when s is no integer, -2 when it overflows. */
static int lit_parse_int(const char *s, long long *ret)
{
	const char *p = s;
	int base = 10;
	char *end;

	if (*p == '+' || *p == '-')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p || *p == '+' || *p == '-' || *p == ' ')
		return -1;
	errno = 0;
	unsigned long long u = strtoull(p, &end, base);
	if (*end)
		return -1;
	if (errno == ERANGE)
		return -2;
	if (s[0] == '-') {
		if (u > (unsigned long long)LLONG_MAX + 1)
			return -2;
		*ret = u == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)u;
	} else {
		if (u > (unsigned long long)LLONG_MAX)
			return -2;
		*ret = (long long)u;
	}
	return 0;
}

int tpl_lit_number(const char *s, size_t n, json_t **ret, char **ret_msg)
{
	_cleanup_free_ char *clean = xmalloc(n + 1);
	long long i;
	double d;
	char *end;
	int r;

	if (n && s[n - 1] == 'i') {
		*ret_msg = xstrdup("complex numbers are not supported");
		return -1;
	}
	if (!strip_underscores(s, n, clean)) {
		*ret_msg = xasprintf("illegal number syntax: \"%.*s\"", (int)n, s);
		return -1;
	}
	r = lit_parse_int(clean, &i);
	if (r == 0) {
		*ret = json_integer(i);
		return 0;
	}
	errno = 0;
	d = strtod(clean, &end);
	if (*end || end == clean || !isfinite(d)) {
		*ret_msg = xasprintf("illegal number syntax: \"%.*s\"", (int)n, s);
		return -1;
	}
	if (r == -2 || !strpbrk(clean, ".eEpP") || (strpbrk(clean, "xX") && !strpbrk(clean, "pP"))) {
		*ret_msg = xasprintf("integer overflow: \"%.*s\"", (int)n, s);
		return -1;
	}
	*ret = json_real(d);
	return 0;
}
