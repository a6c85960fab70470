/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Template values as Go sees them: truth, type names, %v printing (floats in
 * their shortest form, [a b], map[k:v]) and docker's json marshalling.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/template_internal.h"

json_t *tpl_string_new(const char *s, size_t len)
{
	json_t *v = json_stringn_nocheck(s ? s : "", len);

	if (!v)
		abort();
	return v;
}

bool tpl_truth(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_TRUE:
		return true;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return false;
	}
}

const char *tpl_type_name(const json_t *v)
{
	if (!v)
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_ARRAY:
		return "[]interface {}";
	case JSON_OBJECT:
		return "map[string]interface {}";
	default:
		return "<nil>";
	}
}

/*
 * The shortest decimal digits that read back as d: digits into dig (no
 * point), returns their count; *ret_exp is the exponent of the first digit.
 */
static int shortest_digits(double d, char dig[32], int *ret_exp)
{
	char tmp[48];
	int n = 0;

	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is [-]D[.DDD]e[+-]XX */
	for (const char *p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			dig[n++] = *p;
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	*ret_exp = atoi(strchr(tmp, 'e') + 1);
	return n;
}

static void put_exp_form(struct buf *b, const char *dig, int n, int exp, bool json_style)
{
	buf_append(b, dig, 1);
	if (n > 1) {
		buf_puts(b, ".");
		buf_append(b, dig + 1, (size_t)n - 1);
	}
	/* Go prints at least two exponent digits; its json trims "e-07" to "e-7" */
	if (json_style && exp < 0)
		buf_printf(b, "e-%d", -exp);
	else
		buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

static void put_fixed_form(struct buf *b, const char *dig, int n, int exp)
{
	if (exp < 0) {
		buf_puts(b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			buf_puts(b, "0");
		buf_append(b, dig, (size_t)n);
		return;
	}
	for (int i = 0; i <= exp; i++)
		buf_append(b, i < n ? &dig[i] : "0", 1);
	if (n > exp + 1) {
		buf_puts(b, ".");
		buf_append(b, dig + exp + 1, (size_t)(n - exp - 1));
	}
}

void tpl_format_float(struct buf *b, double d, bool json_style)
{
	char dig[32];
	int exp, n;
	bool exp_form;

	if (isnan(d)) {
		buf_puts(b, "NaN");
		return;
	}
	if (isinf(d)) {
		buf_puts(b, d < 0 ? "-Inf" : "+Inf");
		return;
	}
	if (signbit(d))
		buf_puts(b, "-");
	d = fabs(d);
	if (d == 0) {
		buf_puts(b, "0");
		return;
	}
	n = shortest_digits(d, dig, &exp);
	/* strconv's shortest 'g' switches at 1e-4 and 1e6 (hence 1e+06); json at 1e-6 and 1e21 */
	exp_form = json_style ? (d < 1e-6 || d >= 1e21) : (exp < -4 || exp >= 6);
	if (exp_form)
		put_exp_form(b, dig, n, exp, json_style);
	else
		put_fixed_form(b, dig, n, exp);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Object keys sorted as Go sorts a map's; caller frees the array (not the keys). */
const char **tpl_sorted_keys(const json_t *obj, size_t *ret_n)
{
	const char **keys = xcalloc(json_object_size(obj) + 1, sizeof(*keys));
	size_t n = 0;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	*ret_n = n;
	return keys;
}

void tpl_print_value(struct buf *b, const json_t *v)
{
	size_t n;
	const char **keys;

	if (!v) {
		buf_puts(b, "<nil>");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		buf_append(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		return;
	case JSON_REAL:
		tpl_format_float(b, json_real_value(v), false);
		return;
	case JSON_TRUE:
		buf_puts(b, "true");
		return;
	case JSON_FALSE:
		buf_puts(b, "false");
		return;
	case JSON_NULL:
		buf_puts(b, "<nil>");
		return;
	case JSON_ARRAY:
		buf_puts(b, "[");
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_puts(b, " ");
			tpl_print_value(b, json_array_get(v, i));
		}
		buf_puts(b, "]");
		return;
	case JSON_OBJECT:
		keys = tpl_sorted_keys(v, &n);
		buf_puts(b, "map[");
		for (size_t i = 0; i < n; i++) {
			buf_printf(b, "%s%s:", i ? " " : "", keys[i]);
			tpl_print_value(b, json_object_get(v, keys[i]));
		}
		buf_puts(b, "]");
		free(keys);
		return;
	}
}

/* A JSON string as Go's encoding/json writes it with SetEscapeHTML(false). */
static void json_string_out(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	buf_puts(b, "\"");
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t r;
		size_t len;

		if (c < 0x80) {
			i++;
			if (c == '"' || c == '\\') {
				char e[2] = {'\\', (char)c};
				buf_append(b, e, 2);
			} else if (c >= 0x20) {
				buf_append(b, &s[i - 1], 1);
			} else {
				/* Go 1.22 writes \b and \f short too */
				const char *shorts = c == '\n'	 ? "\\n"
						     : c == '\r' ? "\\r"
						     : c == '\t' ? "\\t"
						     : c == '\b' ? "\\b"
						     : c == '\f' ? "\\f"
								 : NULL;
				if (shorts) {
					buf_puts(b, shorts);
				} else {
					char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
					buf_append(b, e, 6);
				}
			}
			continue;
		}
		len = tpl_utf8_decode(s + i, n - i, &r);
		if (len == 0) {
			buf_puts(b, "\\ufffd");
			i++;
		} else if (r == 0x2028 || r == 0x2029) {
			buf_printf(b, "\\u%04x", r);
			i += len;
		} else {
			buf_append(b, s + i, len);
			i += len;
		}
	}
	buf_puts(b, "\"");
}

void tpl_json_marshal(struct buf *b, const json_t *v)
{
	const char *k;
	json_t *e;
	bool first = true;

	if (!v) {
		buf_puts(b, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		json_string_out(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		return;
	case JSON_REAL:
		tpl_format_float(b, json_real_value(v), true);
		return;
	case JSON_TRUE:
		buf_puts(b, "true");
		return;
	case JSON_FALSE:
		buf_puts(b, "false");
		return;
	case JSON_NULL:
		buf_puts(b, "null");
		return;
	case JSON_ARRAY:
		buf_puts(b, "[");
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_puts(b, ",");
			tpl_json_marshal(b, json_array_get(v, i));
		}
		buf_puts(b, "]");
		return;
	case JSON_OBJECT:
		/* keys in document order: the engine builds objects in docker's field order */
		buf_puts(b, "{");
		json_object_foreach((json_t *)v, k, e)
		{
			if (!first)
				buf_puts(b, ",");
			first = false;
			json_string_out(b, k, strlen(k));
			buf_puts(b, ":");
			tpl_json_marshal(b, e);
		}
		buf_puts(b, "}");
		return;
	}
}
