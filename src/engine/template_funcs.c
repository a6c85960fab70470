/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template functions: Go's builtins (and, or, not, len, index, slice, print,
 * printf, println, html, urlquery and the comparisons) and the table of all
 * functions (docker's are in template_docker.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

static int call_failv(struct tpl_call *c, bool arg_error, const char *fmt, va_list ap)
{
	free(c->msg);
	if (vasprintf(&c->msg, fmt, ap) < 0)
		abort();
	c->arg_error = arg_error;
	return -1;
}

int tpl_call_fail(struct tpl_call *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = call_failv(c, false, fmt, ap);
	va_end(ap);
	return r;
}

int tpl_call_arg_fail(struct tpl_call *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = call_failv(c, true, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- arguments and results ---- */

int tpl_arg_string(struct tpl_call *c, json_t **a, size_t i, const char **s, size_t *n)
{
	json_t *v = a[i];

	c->bad_arg = (int)i;
	c->want_type = "string";
	if (!v)
		return tpl_call_arg_fail(c, "invalid value; expected string");
	if (!json_is_string(v))
		return tpl_call_arg_fail(c, "wrong type for value; expected string; got %s", tpl_type_name(v));
	*s = json_string_value(v);
	*n = json_string_length(v);
	return 0;
}

/* An int parameter: a JSON integer, or a real with an integral value. */
int tpl_arg_int(struct tpl_call *c, json_t **a, size_t i, long long *ret)
{
	json_t *v = a[i];
	double d;

	c->bad_arg = (int)i;
	c->want_type = "int";
	if (!v)
		return tpl_call_arg_fail(c, "invalid value; expected int");
	if (json_is_integer(v)) {
		*ret = (long long)json_integer_value(v);
		return 0;
	}
	d = json_is_real(v) ? json_real_value(v) : 0.5;
	if (d != (double)(long long)d || d > 9e18 || d < -9e18)
		return tpl_call_arg_fail(c, "wrong type for value; expected int; got %s", tpl_type_name(v));
	*ret = (long long)d;
	return 0;
}

/* Hand b over as the string result (b is emptied); fails past the string limit. */
int tpl_ret_buf(struct tpl_call *c, struct buf *b, json_t **ret)
{
	if (b->len > c->lim->max_string) {
		buf_done(b);
		return tpl_call_fail(c, "result exceeds %zu bytes", c->lim->max_string);
	}
	*ret = tpl_string_new(b->data, b->len);
	buf_done(b);
	return 0;
}

/* ---- logic and comparison ---- */

static int fn_not(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	*ret = json_boolean(!tpl_truth(a[0]));
	return 0;
}

enum kind { K_NIL, K_BOOL, K_NUM, K_STRING, K_OTHER };

static enum kind kind_of(const json_t *v)
{
	if (!v || json_is_null(v))
		return K_NIL;
	if (json_is_boolean(v))
		return K_BOOL;
	if (json_is_number(v))
		return K_NUM;
	if (json_is_string(v))
		return K_STRING;
	return K_OTHER;
}

/* <0, 0, >0 for two numbers; integers compare exactly, mixed ones as doubles. */
static int num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b))
		return (json_integer_value(a) > json_integer_value(b)) -
		       (json_integer_value(a) < json_integer_value(b));
	return (json_number_value(a) > json_number_value(b)) - (json_number_value(a) < json_number_value(b));
}

static int str_cmp(const json_t *a, const json_t *b)
{
	size_t la = json_string_length(a), lb = json_string_length(b);
	int r = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

static int eq2(struct tpl_call *c, const json_t *a, const json_t *b, bool *ret)
{
	enum kind ka = kind_of(a), kb = kind_of(b);

	if (ka == K_OTHER && kb == K_OTHER)
		return tpl_call_fail(c, "invalid type for comparison");
	if (ka != kb) {
		if (ka != K_NIL && kb != K_NIL)
			return tpl_call_fail(c, "incompatible types for comparison");
		*ret = false;
		return 0;
	}
	switch (ka) {
	case K_NIL:
		*ret = true;
		return 0;
	case K_BOOL:
		*ret = json_is_true(a) == json_is_true(b);
		return 0;
	case K_NUM:
		*ret = num_cmp(a, b) == 0;
		return 0;
	default:
		*ret = str_cmp(a, b) == 0;
		return 0;
	}
}

static int fn_eq(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	bool any = false;

	if (n < 2)
		return tpl_call_fail(c, "missing argument for comparison");
	for (size_t i = 1; i < n; i++) {
		bool e;
		if (eq2(c, a[0], a[i], &e) < 0)
			return -1;
		any = any || e;
	}
	*ret = json_boolean(any);
	return 0;
}

static int fn_ne(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	bool e;

	if (eq2(c, a[0], a[1], &e) < 0)
		return -1;
	*ret = json_boolean(!e);
	return 0;
}

static int lt2(struct tpl_call *c, const json_t *a, const json_t *b, bool *ret)
{
	enum kind ka = kind_of(a), kb = kind_of(b);

	if (ka == K_NIL || ka == K_OTHER || ka == K_BOOL || kb == K_NIL || kb == K_OTHER)
		return tpl_call_fail(c, "invalid type for comparison");
	if (ka != kb)
		return tpl_call_fail(c, "incompatible types for comparison");
	*ret = ka == K_NUM ? num_cmp(a, b) < 0 : str_cmp(a, b) < 0;
	return 0;
}

static int fn_order(struct tpl_call *c, json_t **a, json_t **ret, bool swap, bool or_equal)
{
	bool lt, eq = false;

	if (lt2(c, swap ? a[1] : a[0], swap ? a[0] : a[1], &lt) < 0)
		return -1;
	if (or_equal && eq2(c, a[0], a[1], &eq) < 0)
		return -1;
	*ret = json_boolean(lt || eq);
	return 0;
}

static int fn_lt(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return fn_order(c, a, ret, false, false);
}

static int fn_le(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return fn_order(c, a, ret, false, true);
}

static int fn_gt(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return fn_order(c, a, ret, true, false);
}

static int fn_ge(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	return fn_order(c, a, ret, true, true);
}

/* ---- collections ---- */

static int fn_len(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	json_t *v = a[0];

	if (!v)
		return tpl_call_fail(c, "len of nil pointer");
	if (json_is_null(v))
		*ret = json_integer(0); /* docker's typed documents hold nil slices and maps here */
	else if (json_is_string(v))
		*ret = json_integer((json_int_t)json_string_length(v));
	else if (json_is_array(v))
		*ret = json_integer((json_int_t)json_array_size(v));
	else if (json_is_object(v))
		*ret = json_integer((json_int_t)json_object_size(v));
	else
		return tpl_call_fail(c, "len of type %s", tpl_type_name(v));
	return 0;
}

/* An index argument within [0, cap]; Go's indexArg. */
static int index_arg(struct tpl_call *c, json_t *v, size_t cap, long long *ret)
{
	if (!v || json_is_null(v))
		return tpl_call_fail(c, "cannot index slice/array with nil");
	if (!json_is_integer(v))
		return tpl_call_fail(c, "cannot index slice/array with type %s", tpl_type_name(v));
	*ret = (long long)json_integer_value(v);
	if (*ret < 0 || (unsigned long long)*ret > cap)
		return tpl_call_fail(c, "index out of range: %lld", *ret);
	return 0;
}

/* What a missing key of an object reads as: "" for a map of strings (labels), else no value. */
static json_t *missing_key_value(const json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) if (!json_is_string(v)) return NULL;
	return tpl_string_new("", 0);
}

/* One step of index; item is borrowed, *ret a new reference (or NULL). */
static int index_one(struct tpl_call *c, json_t *item, json_t *key, json_t **ret)
{
	long long x;
	size_t len;

	if (json_is_null(item) && key && json_is_string(key)) {
		*ret = tpl_string_new("", 0); /* a nil map of strings in docker's documents */
		return 0;
	}
	if (json_is_object(item)) {
		if (!key || !json_is_string(key))
			return tpl_call_fail(c, "value has type %s; should be string", tpl_type_name(key));
		*ret = json_object_get(item, json_string_value(key));
		*ret = *ret ? json_incref(*ret) : missing_key_value(item);
		return 0;
	}
	if (!json_is_array(item) && !json_is_string(item) && !json_is_null(item))
		return tpl_call_fail(c, "can't index item of type %s", tpl_type_name(item));
	len = json_is_array(item) ? json_array_size(item) : json_is_string(item) ? json_string_length(item) : 0;
	if (index_arg(c, key, len, &x) < 0)
		return -1;
	if ((size_t)x >= len)
		return tpl_call_fail(c, "index out of range: %lld", x);
	if (json_is_array(item))
		*ret = json_incref(json_array_get(item, (size_t)x));
	else
		*ret = json_integer((unsigned char)json_string_value(item)[x]);
	return 0;
}

static int fn_index(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	json_t *item = json_incref(a[0]);

	if (!item)
		return tpl_call_fail(c, "index of untyped nil");
	for (size_t i = 1; i < n; i++) {
		json_t *next = NULL;
		int r;
		if (!item) {
			return tpl_call_fail(c, "index of untyped nil");
		}
		r = index_one(c, item, a[i], &next);
		json_decref(item);
		if (r < 0)
			return -1;
		item = next;
	}
	*ret = item;
	return 0;
}

static int fn_slice(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	json_t *item = a[0];
	long long idx[3] = {0, 0, 0};
	size_t len;

	if (!item || json_is_null(item))
		return tpl_call_fail(c, "slice of untyped nil");
	if (n > 4)
		return tpl_call_fail(c, "too many slice indexes: %zu", n - 1);
	if (!json_is_string(item) && !json_is_array(item))
		return tpl_call_fail(c, "can't slice item of type %s", tpl_type_name(item));
	if (json_is_string(item) && n == 4)
		return tpl_call_fail(c, "cannot 3-index slice a string");
	len = json_is_string(item) ? json_string_length(item) : json_array_size(item);
	idx[1] = idx[2] = (long long)len;
	for (size_t i = 1; i < n; i++)
		if (index_arg(c, a[i], len, &idx[i - 1]) < 0)
			return -1;
	if (idx[0] > idx[1])
		return tpl_call_fail(c, "invalid slice index: %lld > %lld", idx[0], idx[1]);
	if (n == 4 && idx[1] > idx[2])
		return tpl_call_fail(c, "invalid slice index: %lld > %lld", idx[1], idx[2]);
	if (json_is_string(item)) {
		*ret = tpl_string_new(json_string_value(item) + idx[0], (size_t)(idx[1] - idx[0]));
		return 0;
	}
	*ret = json_array();
	for (long long i = idx[0]; i < idx[1]; i++)
		json_array_append(*ret, json_array_get(item, (size_t)i));
	return 0;
}

/* ---- printing ---- */

/* fmt.Sprint: a space between operands when neither is a string. */
static void sprint(struct buf *b, json_t **a, size_t n, bool ln)
{
	buf_append(b, "", 0);
	for (size_t i = 0; i < n; i++) {
		bool is_str = a[i] && json_is_string(a[i]), prev_str = i > 0 && a[i - 1] && json_is_string(a[i - 1]);
		if (i > 0 && (ln || (!is_str && !prev_str)))
			buf_puts(b, " ");
		tpl_print_value(b, a[i]);
	}
	if (ln)
		buf_puts(b, "\n");
}

static int fn_print(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf b = {0};

	sprint(&b, a, n, false);
	return tpl_ret_buf(c, &b, ret);
}

static int fn_println(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf b = {0};

	sprint(&b, a, n, true);
	return tpl_ret_buf(c, &b, ret);
}

static int fn_printf(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf b = {0};
	const char *f;
	size_t fn;

	if (tpl_arg_string(c, a, 0, &f, &fn) < 0)
		return -1;
	if (tpl_sprintf(&b, c->lim->max_string, f, fn, a + 1, n - 1) < 0) {
		buf_done(&b);
		return tpl_call_fail(c, "result exceeds %zu bytes", c->lim->max_string);
	}
	return tpl_ret_buf(c, &b, ret);
}

/* Go's evalArgs for html and urlquery: one string as is, else Sprint. */
static void eval_args(struct buf *b, json_t **a, size_t n)
{
	if (n == 1 && a[0] && json_is_string(a[0]))
		buf_append(b, json_string_value(a[0]), json_string_length(a[0]));
	else
		sprint(b, a, n, false);
}

static int fn_html(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf s = {0}, b = {0};

	eval_args(&s, a, n);
	buf_append(&b, "", 0);
	for (size_t i = 0; i < s.len; i++) {
		switch (s.data[i]) {
		case '\0':
			buf_puts(&b, "\xef\xbf\xbd");
			break;
		case '"':
			buf_puts(&b, "&#34;");
			break;
		case '\'':
			buf_puts(&b, "&#39;");
			break;
		case '&':
			buf_puts(&b, "&amp;");
			break;
		case '<':
			buf_puts(&b, "&lt;");
			break;
		case '>':
			buf_puts(&b, "&gt;");
			break;
		default:
			buf_append(&b, &s.data[i], 1);
		}
	}
	buf_done(&s);
	return tpl_ret_buf(c, &b, ret);
}

static int fn_urlquery(struct tpl_call *c, json_t **a, size_t n, json_t **ret)
{
	struct buf s = {0}, b = {0};

	eval_args(&s, a, n);
	buf_append(&b, "", 0);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.data[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-_.~", ch))
			buf_append(&b, &s.data[i], 1);
		else if (ch == ' ')
			buf_puts(&b, "+");
		else
			buf_printf(&b, "%%%02X", ch);
	}
	buf_done(&s);
	return tpl_ret_buf(c, &b, ret);
}

static const struct tpl_func funcs[] = {
	{"and", 1, -1, NULL, TPL_FUNC_AND},
	{"eq", 1, -1, fn_eq, TPL_FUNC_PLAIN},
	{"ge", 2, 2, fn_ge, TPL_FUNC_PLAIN},
	{"gt", 2, 2, fn_gt, TPL_FUNC_PLAIN},
	{"html", 0, -1, fn_html, TPL_FUNC_PLAIN},
	{"index", 1, -1, fn_index, TPL_FUNC_PLAIN},
	{"join", 2, 2, tpl_fn_join, TPL_FUNC_PLAIN},
	{"json", 1, 1, tpl_fn_json, TPL_FUNC_PLAIN},
	{"le", 2, 2, fn_le, TPL_FUNC_PLAIN},
	{"len", 1, 1, fn_len, TPL_FUNC_PLAIN},
	{"lower", 1, 1, tpl_fn_lower, TPL_FUNC_PLAIN},
	{"lt", 2, 2, fn_lt, TPL_FUNC_PLAIN},
	{"ne", 2, 2, fn_ne, TPL_FUNC_PLAIN},
	{"not", 1, 1, fn_not, TPL_FUNC_PLAIN},
	{"or", 1, -1, NULL, TPL_FUNC_OR},
	{"pad", 3, 3, tpl_fn_pad, TPL_FUNC_PLAIN},
	{"print", 0, -1, fn_print, TPL_FUNC_PLAIN},
	{"printf", 1, -1, fn_printf, TPL_FUNC_PLAIN},
	{"println", 0, -1, fn_println, TPL_FUNC_PLAIN},
	{"slice", 1, -1, fn_slice, TPL_FUNC_PLAIN},
	{"split", 2, 2, tpl_fn_split, TPL_FUNC_PLAIN},
	{"title", 1, 1, tpl_fn_title, TPL_FUNC_PLAIN},
	{"truncate", 2, 2, tpl_fn_truncate, TPL_FUNC_PLAIN},
	{"upper", 1, 1, tpl_fn_upper, TPL_FUNC_PLAIN},
	{"urlquery", 0, -1, fn_urlquery, TPL_FUNC_PLAIN},
};

const struct tpl_func *tpl_func_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == len && memcmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}
