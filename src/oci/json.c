/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading JSON text with jansson, including integers beyond int64 (which Go's
 * encoding/json, and so runc, accepts for uint64 fields) through marker strings.
 */
#include <string.h>

#include "oci/internal.h"

/* An integer literal beyond int64 becomes the JSON string "\u0000#DIGITS". */
#define MARKER_OPEN "\"\\u0000#"
#define MARKER_OPEN_LEN (sizeof(MARKER_OPEN) - 1)
#define MARKER_ADDED (MARKER_OPEN_LEN + 1)

struct edit {
	size_t new_start, new_end; /* the marker in the rewritten text */
	size_t orig_start;	   /* the literal in the original text */
};

struct rewrite {
	struct buf text;
	struct edit *edits;
	size_t n_edits;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True when the valid JSON integer literal s[0..n) does not fit in int64. */
static bool integer_overflows(const char *s, size_t n)
{
	bool neg = s[0] == '-';
	const char *digits = neg ? s + 1 : s;
	size_t nd = neg ? n - 1 : n;
	const char *limit = neg ? "9223372036854775808" : "9223372036854775807";

	if (nd != 19)
		return nd > 19;
	return memcmp(digits, limit, 19) > 0;
}

static size_t skip_string(const char *data, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (data[i] == '\\')
			i++;
		else if (data[i] == '"')
			return i + 1;
	}
	return len;
}

/* Length of the number token at data[i], and whether it is a valid integer literal. */
static size_t scan_number(const char *data, size_t len, size_t i, bool *is_integer)
{
	size_t j = i, start;

	if (data[j] == '-')
		j++;
	start = j;
	while (j < len && is_digit(data[j]))
		j++;
	/* JSON forbids leading zeros: leave such text for jansson to reject */
	*is_integer = j > start && !(data[start] == '0' && j - start > 1);
	if (j < len && (data[j] == '.' || data[j] == 'e' || data[j] == 'E')) {
		*is_integer = false;
		while (j < len && (is_digit(data[j]) || strchr(".eE+-", data[j])))
			j++;
	}
	return j - i;
}

static void rewrite_literal(struct rewrite *rw, const char *lit, size_t n, size_t orig_start)
{
	struct edit *e;

	rw->edits = realloc(rw->edits, (rw->n_edits + 1) * sizeof(*rw->edits));
	if (!rw->edits)
		abort();
	e = &rw->edits[rw->n_edits++];
	e->orig_start = orig_start;
	e->new_start = rw->text.len;
	buf_puts(&rw->text, MARKER_OPEN);
	buf_append(&rw->text, lit, n);
	buf_puts(&rw->text, "\"");
	e->new_end = rw->text.len;
}

static void rewrite_big_integers(const char *data, size_t len, struct rewrite *rw)
{
	size_t i = 0, copied = 0;

	while (i < len) {
		size_t n;
		bool is_integer;

		if (data[i] == '"') {
			i = skip_string(data, len, i);
			continue;
		}
		if (data[i] != '-' && !is_digit(data[i])) {
			i++;
			continue;
		}
		n = scan_number(data, len, i, &is_integer);
		if (n == 0) {
			i++;
			continue;
		}
		if (is_integer && integer_overflows(data + i, n)) {
			buf_append(&rw->text, data + copied, i - copied);
			rewrite_literal(rw, data + i, n, i);
			copied = i + n;
		}
		i += n;
	}
	buf_append(&rw->text, data + copied, len - copied);
}

/* Map a byte offset in the rewritten text back to the original text. */
static size_t original_offset(const struct rewrite *rw, size_t pos)
{
	size_t removed = 0;

	for (size_t k = 0; k < rw->n_edits; k++) {
		const struct edit *e = &rw->edits[k];

		if (pos >= e->new_end)
			removed += MARKER_ADDED;
		else if (pos > e->new_start)
			return e->orig_start;
	}
	return pos - removed;
}

/* jansson's line and column (characters, not bytes) of byte offset pos. */
static void line_column(const char *data, size_t pos, int *line, int *column)
{
	*line = 1;
	*column = 0;
	for (size_t i = 0; i < pos; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*column = 0;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

static json_t *load_rewritten(const char *data, size_t len, const char *name, struct berth_error **err)
{
	struct rewrite rw = {0};
	json_error_t jerr;
	json_t *root;
	int line, column;

	rewrite_big_integers(data, len, &rw);
	root = json_loadb(rw.text.data, rw.text.len, JSON_ALLOW_NUL, &jerr);
	if (!root) {
		size_t pos = original_offset(&rw, (size_t)jerr.position);

		line_column(data, pos < len ? pos : len, &line, &column);
		berth_error_set(err, 0, "%s: line %d column %d: %s", name, line, column, jerr.text);
	}
	buf_done(&rw.text);
	free(rw.edits);
	return root;
}

json_t *oci_json_load(const char *data, size_t len, const char *name, bool *ret_bigints, struct berth_error **err)
{
	json_error_t jerr;
	json_t *root;

	*ret_bigints = false;
	root = json_loadb(data, len, 0, &jerr);
	if (root)
		return root;
	if (json_error_code(&jerr) != json_error_numeric_overflow) {
		berth_error_set(err, 0, "%s: line %d column %d: %s", name, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	root = load_rewritten(data, len, name, err);
	if (root)
		*ret_bigints = true;
	return root;
}

const char *oci_json_marker_digits(json_t *v)
{
	const char *s;

	if (!json_is_string(v) || json_string_length(v) < 3)
		return NULL;
	s = json_string_value(v);
	if (s[0] != '\0' || s[1] != '#')
		return NULL;
	return s + 2;
}

/* Turn the markers in dumped JSON text back into the integer literals they stand for. */
static char *unmark(const char *text)
{
	static const char open[] = "\"\\u0000#";
	struct buf b = {0};
	const char *p = text, *q;

	while ((q = strstr(p, open))) {
		const char *digits = q + strlen(open), *end = digits;

		while (*end == '-' || is_digit(*end))
			end++;
		buf_append(&b, p, (size_t)(q - p));
		if (*end == '"' && end > digits) {
			buf_append(&b, digits, (size_t)(end - digits));
			p = end + 1;
		} else {
			buf_append(&b, q, strlen(open));
			p = digits;
		}
	}
	buf_puts(&b, p);
	return buf_steal(&b);
}

int oci_dec_json_text(struct oci_dec *d, json_t *v, void *out)
{
	char **s = out;
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!text)
		abort();
	free(*s);
	if (d->bigints) {
		*s = unmark(text);
		free(text);
	} else {
		*s = text;
	}
	return 0;
}
