/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table-driven JSON decoder: JSON path tracking for errors, dispatch of
 * object members through field tables, arrays, and the primitive decoders.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "oci/internal.h"

int oci_dec_fail(struct oci_dec *d, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	if (d->path.len > 0)
		return berth_error_set(d->err, 0, "%s: %s: %s", d->name, d->path.data, msg);
	return berth_error_set(d->err, 0, "%s: %s", d->name, msg);
}

size_t oci_dec_push_key(struct oci_dec *d, const char *key)
{
	size_t mark = d->path.len;

	if (mark > 0)
		buf_puts(&d->path, ".");
	buf_puts(&d->path, key);
	return mark;
}

size_t oci_dec_push_index(struct oci_dec *d, size_t i)
{
	size_t mark = d->path.len;

	buf_printf(&d->path, "[%zu]", i);
	return mark;
}

size_t oci_dec_push_map_key(struct oci_dec *d, const char *key)
{
	size_t mark = d->path.len;

	buf_printf(&d->path, "[\"%s\"]", key);
	return mark;
}

void oci_dec_pop(struct oci_dec *d, size_t len)
{
	if (d->path.data && len <= d->path.len) {
		d->path.len = len;
		d->path.data[len] = '\0';
	}
}

static const struct oci_field *find_field(const struct oci_field *fields, const char *key, size_t key_len)
{
	for (const struct oci_field *f = fields; f->name; f++)
		if (strlen(f->name) == key_len && memcmp(f->name, key, key_len) == 0)
			return f;
	return NULL;
}

static int decode_field(struct oci_dec *d, const struct oci_field *f, json_t *v, void *base)
{
	char *out = (char *)base + f->offset;
	char *aux = (char *)base + f->aux;

	if (f->flags & OCI_F_ARRAY)
		return oci_dec_array(d, v, f->elem_size, f->decode, (void **)out, (size_t *)aux);
	if (f->decode(d, v, out) < 0)
		return -1;
	if (f->flags & OCI_F_HAS)
		*(bool *)aux = true;
	return 0;
}

static int check_required(struct oci_dec *d, json_t *v, const struct oci_field *fields)
{
	for (const struct oci_field *f = fields; f->name; f++) {
		json_t *m;

		if (!(f->flags & OCI_F_REQUIRED))
			continue;
		m = json_object_get(v, f->name);
		if (!m || json_is_null(m)) {
			oci_dec_push_key(d, f->name);
			return oci_dec_fail(d, "required");
		}
	}
	return 0;
}

int oci_dec_object(struct oci_dec *d, json_t *v, const struct oci_field *fields, void *base)
{
	const char *key;
	size_t key_len;
	json_t *m;

	if (!json_is_object(v))
		return oci_dec_fail(d, "expected object");
	/* members in document order, so the first error in the file is the one reported */
	json_object_keylen_foreach(v, key, key_len, m)
	{
		const struct oci_field *f = find_field(fields, key, key_len);
		size_t mark;
		int r;

		/* unknown members are ignored, as runc does; null is absent, as in Go */
		if (!f || json_is_null(m))
			continue;
		mark = oci_dec_push_key(d, f->name);
		r = decode_field(d, f, m, base);
		oci_dec_pop(d, mark);
		if (r < 0)
			return -1;
	}
	return check_required(d, v, fields);
}

int oci_dec_array(struct oci_dec *d, json_t *v, size_t elem_size, oci_dec_fn decode, void **ret, size_t *ret_n)
{
	size_t n;
	char *elems;

	if (!json_is_array(v))
		return oci_dec_fail(d, "expected array");
	n = json_array_size(v);
	if (n == 0)
		return 0;
	/* owned by the caller's struct from here on, so that its free function cleans up after a failure */
	elems = xcalloc(n, elem_size);
	*ret = elems;
	*ret_n = n;
	for (size_t i = 0; i < n; i++) {
		size_t mark = oci_dec_push_index(d, i);
		int r = decode(d, json_array_get(v, i), elems + i * elem_size);

		oci_dec_pop(d, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int string_value(struct oci_dec *d, json_t *v, const char **ret)
{
	const char *s;

	if (!json_is_string(v))
		return oci_dec_fail(d, "expected string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		/* only possible after oci_json_load reparsed with JSON_ALLOW_NUL */
		if (oci_json_marker_digits(v))
			return oci_dec_fail(d, "expected string");
		return oci_dec_fail(d, "string contains a NUL byte");
	}
	*ret = s;
	return 0;
}

int oci_dec_string(struct oci_dec *d, json_t *v, void *out)
{
	char **p = out;
	const char *s;

	if (string_value(d, v, &s) < 0)
		return -1;
	free(*p);
	*p = xstrdup(s);
	return 0;
}

int oci_dec_string_or_null(struct oci_dec *d, json_t *v, void *out)
{
	char **p = out;
	const char *s;

	if (string_value(d, v, &s) < 0)
		return -1;
	free(*p);
	*p = *s ? xstrdup(s) : NULL;
	return 0;
}

int oci_dec_strv(struct oci_dec *d, json_t *v, void *out)
{
	char ***p = out;
	char **strv;
	size_t n;

	if (!json_is_array(v))
		return oci_dec_fail(d, "expected array");
	n = json_array_size(v);
	strv_free(*p);
	*p = NULL;
	if (n == 0)
		return 0;
	/* NULL-terminated at every step, so a partial vector is freed by the owner */
	strv = xcalloc(n + 1, sizeof(char *));
	*p = strv;
	for (size_t i = 0; i < n; i++) {
		size_t mark = oci_dec_push_index(d, i);
		const char *s;
		int r = string_value(d, json_array_get(v, i), &s);

		oci_dec_pop(d, mark);
		if (r < 0)
			return -1;
		strv[i] = xstrdup(s);
	}
	return 0;
}

int oci_dec_string_map(struct oci_dec *d, json_t *v, char ***ret)
{
	const char *key;
	size_t key_len;
	json_t *m;

	if (!json_is_object(v))
		return oci_dec_fail(d, "expected object");
	json_object_keylen_foreach(v, key, key_len, m)
	{
		size_t mark = oci_dec_push_map_key(d, key);
		const char *s;
		int r = string_value(d, m, &s);

		if (r == 0 && strlen(key) != key_len)
			r = oci_dec_fail(d, "key contains a NUL byte");
		oci_dec_pop(d, mark);
		if (r < 0)
			return -1;
		strv_push(ret, key);
		strv_push(ret, s);
	}
	return 0;
}

int oci_dec_kv_map(struct oci_dec *d, json_t *v, struct oci_kv **ret, size_t *ret_n)
{
	_cleanup_strv_ char **pairs = NULL;
	size_t n;

	if (oci_dec_string_map(d, v, &pairs) < 0)
		return -1;
	n = strv_length(pairs) / 2;
	if (n == 0)
		return 0;
	*ret = xcalloc(n, sizeof(**ret));
	*ret_n = n;
	for (size_t i = 0; i < n; i++) {
		(*ret)[i].key = TAKE_PTR(pairs[2 * i]);
		(*ret)[i].value = TAKE_PTR(pairs[2 * i + 1]);
	}
	/* the vector's entries moved out: only its array is left to free */
	free(TAKE_PTR(pairs));
	return 0;
}

void oci_kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int oci_dec_bool(struct oci_dec *d, json_t *v, void *out)
{
	if (!json_is_boolean(v))
		return oci_dec_fail(d, "expected boolean");
	*(bool *)out = json_is_true(v);
	return 0;
}

int oci_dec_integer(struct oci_dec *d, json_t *v, int64_t min, int64_t max, int64_t *ret)
{
	const char *digits = d->bigints ? oci_json_marker_digits(v) : NULL;
	json_int_t x;

	if (digits)
		return oci_dec_fail(d, "value %s out of range [%" PRId64 ", %" PRId64 "]", digits, min, max);
	if (!json_is_integer(v))
		return oci_dec_fail(d, "expected integer");
	x = json_integer_value(v);
	if (x < min || x > max)
		return oci_dec_fail(d, "value %lld out of range [%" PRId64 ", %" PRId64 "]", (long long)x, min, max);
	*ret = x;
	return 0;
}

int oci_dec_int(struct oci_dec *d, json_t *v, void *out)
{
	int64_t x;

	if (oci_dec_integer(d, v, INT_MIN, INT_MAX, &x) < 0)
		return -1;
	*(int *)out = (int)x;
	return 0;
}

int oci_dec_uint(struct oci_dec *d, json_t *v, void *out)
{
	int64_t x;

	if (oci_dec_integer(d, v, 0, UINT_MAX, &x) < 0)
		return -1;
	*(unsigned *)out = (unsigned)x;
	return 0;
}

int oci_dec_uint32(struct oci_dec *d, json_t *v, void *out)
{
	int64_t x;

	if (oci_dec_integer(d, v, 0, UINT32_MAX, &x) < 0)
		return -1;
	*(uint32_t *)out = (uint32_t)x;
	return 0;
}

int oci_dec_int64(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_integer(d, v, INT64_MIN, INT64_MAX, out);
}

int oci_dec_uint64(struct oci_dec *d, json_t *v, void *out)
{
	const char *digits = d->bigints ? oci_json_marker_digits(v) : NULL;
	int64_t x;

	if (digits) {
		char *end;
		unsigned long long u;

		errno = 0;
		u = strtoull(digits, &end, 10);
		if (digits[0] == '-' || errno == ERANGE || *end)
			return oci_dec_fail(d, "value %s out of range [0, %" PRIu64 "]", digits, UINT64_MAX);
		*(uint64_t *)out = u;
		return 0;
	}
	if (!json_is_integer(v))
		return oci_dec_fail(d, "expected integer");
	x = json_integer_value(v);
	if (x < 0)
		return oci_dec_fail(d, "value %" PRId64 " out of range [0, %" PRIu64 "]", x, UINT64_MAX);
	*(uint64_t *)out = (uint64_t)x;
	return 0;
}
