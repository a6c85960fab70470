/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go's fmt.Sprintf over template values: flags, width, precision, '*', the
 * verbs of strings, integers, floats and booleans applied element-wise to
 * arrays and objects, and fmt's "%!d(string=x)", MISSING and EXTRA notes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

/* Go's fmt refuses widths and precisions from 1e6 up. */
#define MAX_WIDTH 1000000

struct spec {
	bool minus, plus, sharp, space, zero;
	bool has_width, has_prec;
	int width, prec;
	uint32_t verb;
};

struct pf {
	struct buf *b;
	size_t limit;
	bool over;
	bool reordered;	  /* an explicit [n] index was used: no EXTRA note */
	bool good_argnum; /* false after a bad [n]: BADINDEX */
	struct spec sp;
};

static void fmt_value(struct pf *p, const json_t *v, int depth);

static size_t rune_count(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static void write_padding(struct pf *p, size_t n, bool zero)
{
	char chunk[64];

	if (p->b->len + n > p->limit) {
		p->over = true;
		return;
	}
	memset(chunk, zero ? '0' : ' ', sizeof(chunk));
	while (n > 0) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
		buf_append(p->b, chunk, k);
		n -= k;
	}
}

/* Append s padded to the width (in characters) on the side the flags ask. */
static void pad(struct pf *p, const char *s, size_t n)
{
	size_t runes = rune_count(s, n), fill;

	if (!p->sp.has_width || (size_t)p->sp.width <= runes) {
		buf_append(p->b, s, n);
		return;
	}
	fill = (size_t)p->sp.width - runes;
	if (p->sp.minus) {
		buf_append(p->b, s, n);
		write_padding(p, fill, false);
	} else {
		write_padding(p, fill, p->sp.zero);
		buf_append(p->b, s, n);
	}
}

static void pad_str(struct pf *p, const char *s)
{
	pad(p, s, strlen(s));
}

static void put_verb(struct buf *b, uint32_t verb)
{
	tpl_utf8_encode(b, verb);
}

static void bad_verb(struct pf *p, const json_t *v)
{
	buf_puts(p->b, "%!");
	put_verb(p->b, p->sp.verb);
	buf_puts(p->b, "(");
	if (!v || json_is_null(v)) {
		buf_puts(p->b, "<nil>");
	} else {
		uint32_t verb = p->sp.verb;
		buf_printf(p->b, "%s=", tpl_type_name(v));
		p->sp.verb = 'v';
		fmt_value(p, v, 0);
		p->sp.verb = verb;
	}
	buf_puts(p->b, ")");
}

/* ---- quoting (strconv.Quote) ---- */

static bool is_print(uint32_t r)
{
	return r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) && r != 0xad && r != 0xfeff;
}

static void quote_rune(struct buf *b, uint32_t r, char quote, bool ascii)
{
	static const char esc[] = "\a\b\f\n\r\t\v";
	static const char letters[] = "abfnrtv";
	const char *e;

	if (r == (uint32_t)quote || r == '\\') {
		char s[2] = {'\\', (char)r};
		buf_append(b, s, 2);
	} else if (ascii ? (r < 0x80 && is_print(r)) : is_print(r)) {
		tpl_utf8_encode(b, r);
	} else if (r != 0 && r < 0x80 && (e = strchr(esc, (int)r))) {
		buf_printf(b, "\\%c", letters[e - esc]);
	} else if (r < 0x20 || r == 0x7f) {
		buf_printf(b, "\\x%02x", r);
	} else if (r < 0x10000) {
		buf_printf(b, "\\u%04x", r);
	} else {
		buf_printf(b, "\\U%08x", r);
	}
}

static bool can_backquote(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t len = tpl_utf8_decode(s + i, n - i, &r);
		if (len == 0 || r == '`' || r == 0xfeff || (r < 0x20 && r != '\t') || r == 0x7f)
			return false;
		i += len;
	}
	return true;
}

static void quote_string(struct buf *b, const char *s, size_t n, bool ascii)
{
	buf_puts(b, "\"");
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t len = tpl_utf8_decode(s + i, n - i, &r);
		if (len == 0) {
			buf_printf(b, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		quote_rune(b, r, '"', ascii);
		i += len;
	}
	buf_puts(b, "\"");
}

/* ---- strings ---- */

static void fmt_string(struct pf *p, const char *s, size_t n, const json_t *v)
{
	struct buf tmp = {0};
	const char *digits = p->sp.verb == 'X' ? "0123456789ABCDEFX" : "0123456789abcdefx";

	/* a precision counts characters for %s and %q, bytes for %x */
	if (p->sp.has_prec && p->sp.verb != 'x' && p->sp.verb != 'X') {
		size_t i = 0;
		for (int r = 0; i < n && r < p->sp.prec; r++)
			for (i++; i < n && ((unsigned char)s[i] & 0xc0) == 0x80; i++)
				;
		n = i;
	}
	switch (p->sp.verb) {
	case 'v':
	case 's':
		pad(p, s, n);
		return;
	case 'q':
		if (p->sp.sharp && can_backquote(s, n)) {
			buf_puts(&tmp, "`");
			buf_append(&tmp, s, n);
			buf_puts(&tmp, "`");
		} else {
			quote_string(&tmp, s, n, p->sp.plus);
		}
		break;
	case 'x':
	case 'X':
		if (p->sp.has_prec && (size_t)p->sp.prec < n)
			n = (size_t)p->sp.prec;
		buf_append(&tmp, "", 0);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (p->sp.sharp && (i == 0 || p->sp.space))
				buf_printf(&tmp, "%s0%c", i ? " " : "", digits[16]);
			else if (i > 0 && p->sp.space)
				buf_puts(&tmp, " ");
			buf_printf(&tmp, "%c%c", digits[c >> 4], digits[c & 15]);
		}
		break;
	default:
		bad_verb(p, v);
		return;
	}
	pad(p, tmp.data, tmp.len);
	buf_done(&tmp);
}

/* ---- integers ---- */

/* Go's fmtInteger: precision as minimum digits, zero padding, base prefixes, sign. */
static void fmt_integer(struct pf *p, long long i, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	bool neg = i < 0;
	unsigned long long u = neg ? 0ULL - (unsigned long long)i : (unsigned long long)i;
	struct buf rev = {0}, out = {0};
	int prec = 0;
	bool zero = p->sp.zero;

	if (p->sp.has_prec) {
		prec = p->sp.prec;
		if (prec == 0 && u == 0) {
			write_padding(p, p->sp.has_width ? (size_t)p->sp.width : 0, false);
			return;
		}
	} else if (p->sp.zero && p->sp.has_width) {
		prec = p->sp.width;
		if (neg || p->sp.plus || p->sp.space)
			prec--;
	}
	do {
		buf_append(&rev, &digits[u % base], 1);
		u /= base;
	} while (u);
	while (rev.len < (size_t)(prec > 0 ? prec : 0))
		buf_append(&rev, "0", 1);
	if (p->sp.sharp && base == 8 && rev.data[rev.len - 1] != '0')
		buf_append(&rev, "0", 1);
	if (p->sp.verb == 'O')
		buf_append(&rev, "o0", 2);
	else if (p->sp.sharp && base == 16)
		buf_append(&rev, upper ? "X0" : "x0", 2);
	else if (p->sp.sharp && base == 2)
		buf_append(&rev, "b0", 2);
	if (neg || p->sp.plus || p->sp.space)
		buf_append(&rev, neg ? "-" : p->sp.plus ? "+" : " ", 1);
	for (size_t k = rev.len; k > 0; k--)
		buf_append(&out, &rev.data[k - 1], 1);
	p->sp.zero = false;
	pad(p, out.data, out.len);
	p->sp.zero = zero;
	buf_done(&rev);
	buf_done(&out);
}

static void fmt_int(struct pf *p, long long i, const json_t *v)
{
	struct buf tmp = {0};
	uint32_t r = i < 0 || i > 0x10ffff || (i >= 0xd800 && i <= 0xdfff) ? 0xfffd : (uint32_t)i;

	switch (p->sp.verb) {
	case 'v':
	case 'd':
		fmt_integer(p, i, 10, false);
		return;
	case 'b':
		fmt_integer(p, i, 2, false);
		return;
	case 'o':
	case 'O':
		fmt_integer(p, i, 8, false);
		return;
	case 'x':
	case 'X':
		fmt_integer(p, i, 16, p->sp.verb == 'X');
		return;
	case 'c':
		tpl_utf8_encode(&tmp, r);
		break;
	case 'q':
		buf_puts(&tmp, "'");
		quote_rune(&tmp, r, '\'', p->sp.plus);
		buf_puts(&tmp, "'");
		break;
	case 'U':
		buf_printf(&tmp, "U+%04llX", (unsigned long long)i);
		if (p->sp.sharp && is_print(r)) {
			buf_puts(&tmp, " '");
			tpl_utf8_encode(&tmp, r);
			buf_puts(&tmp, "'");
		}
		break;
	default:
		bad_verb(p, v);
		return;
	}
	pad(p, tmp.data, tmp.len);
	buf_done(&tmp);
}

/* ---- floats ---- */

/* "0x1.8p+1" as C writes it into Go's "0x1.8p+01". */
static void fix_hex_exponent(struct buf *b)
{
	char *pe = strpbrk(b->data, "pP");

	if (pe && pe[1] && pe[2] && !pe[3]) {
		char d = pe[2];
		b->len--;
		buf_printf(b, "0%c", d);
	}
}

static void fmt_float(struct pf *p, double d, const json_t *v)
{
	struct buf num = {0};
	uint32_t verb = p->sp.verb;
	char cfmt[8];
	char sign;
	const char *body;

	switch (verb) {
	case 'v':
	case 'g':
	case 'G':
		if (p->sp.has_prec) {
			snprintf(cfmt, sizeof(cfmt), "%%.*%c", verb == 'v' ? 'g' : (char)verb);
			buf_printf(&num, cfmt, p->sp.prec, d);
		} else {
			tpl_format_float(&num, d, false);
			if (verb == 'G')
				for (size_t i = 0; i < num.len; i++)
					num.data[i] = num.data[i] == 'e' ? 'E' : num.data[i];
		}
		break;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
		snprintf(cfmt, sizeof(cfmt), "%%.*%c", (char)verb);
		buf_printf(&num, cfmt, p->sp.has_prec ? p->sp.prec : 6, d);
		break;
	case 'x':
	case 'X':
		if (p->sp.has_prec)
			buf_printf(&num, verb == 'x' ? "%.*a" : "%.*A", p->sp.prec, d);
		else
			buf_printf(&num, verb == 'x' ? "%a" : "%A", d);
		fix_hex_exponent(&num);
		break;
	default:
		bad_verb(p, v);
		return;
	}
	sign = num.data[0] == '-' ? '-' : '+';
	body = num.data + (num.data[0] == '-');
	if (p->sp.space && sign == '+' && !p->sp.plus)
		sign = ' ';
	if (p->sp.plus || sign != '+') {
		size_t len = strlen(body) + 1;
		if (p->sp.zero && !p->sp.minus && p->sp.has_width && (size_t)p->sp.width > len) {
			/* the sign goes before the zeros */
			buf_append(p->b, &sign, 1);
			write_padding(p, (size_t)p->sp.width - len, true);
			buf_puts(p->b, body);
		} else {
			struct buf t = {0};
			buf_append(&t, &sign, 1);
			buf_puts(&t, body);
			pad(p, t.data, t.len);
			buf_done(&t);
		}
	} else {
		pad_str(p, body);
	}
	buf_done(&num);
}

/* ---- values ---- */

static void fmt_value(struct pf *p, const json_t *v, int depth)
{
	const char **keys;
	size_t n;

	if (p->over)
		return;
	if (!v || json_is_null(v)) {
		/* a nil element of a slice or map is written as is, unpadded */
		if (depth > 0)
			buf_puts(p->b, "<nil>");
		else if (p->sp.verb == 'v')
			pad_str(p, "<nil>");
		else
			bad_verb(p, v);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_TRUE:
	case JSON_FALSE:
		if (p->sp.verb == 't' || p->sp.verb == 'v')
			pad_str(p, json_is_true(v) ? "true" : "false");
		else
			bad_verb(p, v);
		return;
	case JSON_INTEGER:
		fmt_int(p, (long long)json_integer_value(v), v);
		return;
	case JSON_REAL:
		fmt_float(p, json_real_value(v), v);
		return;
	case JSON_STRING:
		fmt_string(p, json_string_value(v), json_string_length(v), v);
		return;
	case JSON_ARRAY:
		buf_puts(p->b, "[");
		for (size_t i = 0; i < json_array_size(v) && !p->over; i++) {
			if (i)
				buf_puts(p->b, " ");
			fmt_value(p, json_array_get(v, i), depth + 1);
		}
		buf_puts(p->b, "]");
		return;
	case JSON_OBJECT:
		keys = tpl_sorted_keys(v, &n);
		buf_puts(p->b, "map[");
		for (size_t i = 0; i < n && !p->over; i++) {
			json_t *key = tpl_string_new(keys[i], strlen(keys[i]));
			if (i)
				buf_puts(p->b, " ");
			fmt_value(p, key, depth + 1);
			buf_puts(p->b, ":");
			fmt_value(p, json_object_get(v, keys[i]), depth + 1);
			json_decref(key);
		}
		buf_puts(p->b, "]");
		free(keys);
		return;
	default:
		return;
	}
}

/* ---- the format string ---- */

/* An int argument for '*': false when missing, not an int or too large. */
static bool int_from_arg(json_t **args, size_t n, size_t *argi, int *ret)
{
	json_int_t v;

	if (*argi >= n)
		return false;
	if (!args[*argi] || !json_is_integer(args[*argi])) {
		(*argi)++;
		return false;
	}
	v = json_integer_value(args[(*argi)++]);
	if (v > MAX_WIDTH || v < -MAX_WIDTH)
		return false;
	*ret = (int)v;
	return true;
}

static bool parse_num(const char *f, size_t n, size_t *i, int *ret)
{
	long v = 0;
	bool any = false;

	while (*i < n && f[*i] >= '0' && f[*i] <= '9') {
		if (v <= MAX_WIDTH)
			v = v * 10 + (f[*i] - '0');
		(*i)++;
		any = true;
	}
	if (!any || v > MAX_WIDTH)
		return false;
	*ret = (int)v;
	return true;
}

/* An explicit argument index "[n]" at *i, as Go's argNumber; true when one was read. */
static bool arg_number(struct pf *p, const char *f, size_t n, size_t *i, size_t nargs, size_t *argi)
{
	size_t j = *i + 1;
	int v;

	if (*i >= n || f[*i] != '[')
		return false;
	p->reordered = true;
	while (j < n && f[j] != ']')
		j++;
	if (n - *i < 3 || j >= n) {
		p->good_argnum = false;
		(*i)++;
		return false;
	}
	size_t k = *i + 1;
	if (!parse_num(f, j, &k, &v) || k != j) {
		p->good_argnum = false;
		*i = j + 1;
		return false;
	}
	*i = j + 1;
	if (v < 1 || (size_t)v > nargs) {
		p->good_argnum = false;
		return true;
	}
	*argi = (size_t)v - 1;
	return true;
}

/* Flags, argument index, width and precision after '%'; BADWIDTH/BADPREC notes as Go writes them. */
static void parse_spec(struct pf *p, const char *f, size_t n, size_t *i, json_t **args, size_t nargs, size_t *argi)
{
	struct spec *sp = &p->sp;
	bool after_index;

	*sp = (struct spec){0};
	for (; *i < n; (*i)++) {
		char c = f[*i];
		if (c == '#')
			sp->sharp = true;
		else if (c == '0')
			sp->zero = !sp->minus;
		else if (c == '+')
			sp->plus = true;
		else if (c == '-')
			sp->minus = true, sp->zero = false;
		else if (c == ' ')
			sp->space = true;
		else
			break;
	}
	after_index = arg_number(p, f, n, i, nargs, argi);
	if (*i < n && f[*i] == '*') {
		(*i)++;
		after_index = false;
		sp->has_width = int_from_arg(args, nargs, argi, &sp->width);
		if (!sp->has_width)
			buf_puts(p->b, "%!(BADWIDTH)");
		else if (sp->width < 0)
			sp->width = -sp->width, sp->minus = true, sp->zero = false;
	} else {
		sp->has_width = parse_num(f, n, i, &sp->width);
		if (after_index && sp->has_width)
			p->good_argnum = false;
	}
	if (*i + 1 < n && f[*i] == '.') {
		(*i)++;
		if (after_index)
			p->good_argnum = false;
		after_index = arg_number(p, f, n, i, nargs, argi);
		if (*i < n && f[*i] == '*') {
			(*i)++;
			after_index = false;
			sp->has_prec = int_from_arg(args, nargs, argi, &sp->prec);
			if (sp->has_prec && sp->prec < 0)
				sp->has_prec = false, sp->prec = 0;
			else if (!sp->has_prec)
				buf_puts(p->b, "%!(BADPREC)");
		} else {
			sp->has_prec = true;
			if (!parse_num(f, n, i, &sp->prec))
				sp->prec = 0;
		}
	}
	if (!after_index)
		arg_number(p, f, n, i, nargs, argi);
}

static void extra_args(struct pf *p, json_t **args, size_t n, size_t argi)
{
	buf_puts(p->b, "%!(EXTRA ");
	p->sp = (struct spec){.verb = 'v'};
	for (size_t k = argi; k < n; k++) {
		if (k > argi)
			buf_puts(p->b, ", ");
		if (!args[k] || json_is_null(args[k])) {
			buf_puts(p->b, "<nil>");
			continue;
		}
		buf_printf(p->b, "%s=", tpl_type_name(args[k]));
		fmt_value(p, args[k], 0);
	}
	buf_puts(p->b, ")");
}

int tpl_sprintf(struct buf *b, size_t limit, const char *f, size_t n, json_t **args, size_t nargs)
{
	struct pf p = {.b = b, .limit = limit};
	size_t i = 0, argi = 0;

	buf_append(b, "", 0);
	while (i < n && !p.over) {
		const char *pct = memchr(f + i, '%', n - i);
		uint32_t verb;
		size_t len;

		if (!pct) {
			buf_append(b, f + i, n - i);
			break;
		}
		buf_append(b, f + i, (size_t)(pct - f) - i);
		i = (size_t)(pct - f) + 1;
		p.good_argnum = true;
		parse_spec(&p, f, n, &i, args, nargs, &argi);
		if (i >= n) {
			buf_puts(b, "%!(NOVERB)");
			break;
		}
		len = tpl_utf8_decode(f + i, n - i, &verb);
		if (len == 0)
			verb = 0xfffd, len = 1;
		i += len;
		p.sp.verb = verb;
		if (verb == '%') {
			buf_puts(b, "%");
		} else if (!p.good_argnum) {
			buf_puts(b, "%!");
			put_verb(b, verb);
			buf_puts(b, "(BADINDEX)");
		} else if (argi >= nargs) {
			buf_puts(b, "%!");
			put_verb(b, verb);
			buf_puts(b, "(MISSING)");
		} else if (verb == 'T') {
			pad_str(&p, tpl_type_name(args[argi++]));
		} else {
			fmt_value(&p, args[argi++], 0);
		}
		p.over = p.over || b->len > limit;
	}
	if (!p.over && !p.reordered && argi < nargs)
		extra_args(&p, args, nargs, argi);
	return p.over || b->len > limit ? -1 : 0;
}
