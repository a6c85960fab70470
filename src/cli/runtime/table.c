/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output formatting shared by list and ps: tabwriter columns, Go time form, ps filtering. */
#include "cli/runtime/table.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "base/base.h"

void cli_table_add(struct cli_table *t, const char *const *cells, size_t n)
{
	char **row = xcalloc(n + 1, sizeof(char *));
	char ***rows;

	for (size_t i = 0; i < n; i++)
		row[i] = xstrdup(cells[i]);
	rows = realloc(t->rows, (t->n + 1) * sizeof(*rows));
	if (!rows)
		abort();
	rows[t->n++] = row;
	t->rows = rows;
}

/* Width in characters (UTF-8 continuation bytes do not count), as tabwriter measures. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void cli_table_render(const struct cli_table *t, size_t minwidth, size_t padding, struct buf *out)
{
	_cleanup_free_ size_t *widths = NULL;
	size_t n_cols = 0;

	for (size_t r = 0; r < t->n; r++)
		if (strv_length(t->rows[r]) > n_cols)
			n_cols = strv_length(t->rows[r]);
	widths = xcalloc(n_cols + 1, sizeof(size_t));
	for (size_t c = 0; c < n_cols; c++)
		widths[c] = minwidth;
	for (size_t r = 0; r < t->n; r++) {
		size_t len = strv_length(t->rows[r]);
		for (size_t c = 0; c + 1 < len; c++)
			if (text_width(t->rows[r][c]) + padding > widths[c])
				widths[c] = text_width(t->rows[r][c]) + padding;
	}
	for (size_t r = 0; r < t->n; r++) {
		size_t len = strv_length(t->rows[r]);
		for (size_t c = 0; c < len; c++) {
			buf_puts(out, t->rows[r][c]);
			if (c + 1 < len)
				buf_printf(out, "%*s", (int)(widths[c] - text_width(t->rows[r][c])), "");
		}
		buf_puts(out, "\n");
	}
}

void cli_table_done(struct cli_table *t)
{
	for (size_t r = 0; r < t->n; r++)
		strv_free(t->rows[r]);
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

char *cli_time_rfc3339nano(const char *s)
{
	const char *t = strchr(s, 'T'), *dot, *end;
	size_t keep;

	dot = t ? strchr(t, '.') : NULL;
	if (!dot)
		return xstrdup(s);
	end = dot + 1;
	while (isdigit((unsigned char)*end))
		end++;
	keep = (size_t)(end - dot - 1);
	while (keep > 0 && dot[keep] == '0')
		keep--;
	if (keep == 0)
		return xasprintf("%.*s%s", (int)(dot - s), s, end);
	return xasprintf("%.*s%s", (int)(dot - s + 1 + (ptrdiff_t)keep), s, end);
}

/* The n-th whitespace-separated field of line (strings.Fields), copied into buf; false when missing. */
static bool line_field(const char *line, size_t len, size_t n, char *buf, size_t cap)
{
	size_t i = 0, field = 0;

	for (;;) {
		size_t start;
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i == len)
			return false;
		start = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		if (field++ == n) {
			snprintf(buf, cap, "%.*s", (int)(i - start), line + start);
			return true;
		}
	}
}

static int find_pid_column(const char *header, size_t len, size_t *ret, struct berth_error **err)
{
	char field[64];

	for (size_t n = 0; line_field(header, len, n, field, sizeof(field)); n++) {
		if (strcmp(field, "PID") == 0) {
			*ret = n;
			return 0;
		}
	}
	return berth_error_set(err, 0, "couldn't find PID field in ps output");
}

static bool pid_listed(const pid_t *pids, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

int cli_ps_filter(const char *ps_output, const pid_t *pids, size_t n_pids, struct buf *out, struct berth_error **err)
{
	const char *line = ps_output, *nl;
	size_t len, column = 0;
	char field[64];
	int pid;

	nl = strchr(line, '\n');
	len = nl ? (size_t)(nl - line) : strlen(line);
	if (find_pid_column(line, len, &column, err) < 0)
		return -1;
	buf_printf(out, "%.*s\n", (int)len, line);
	while (nl) {
		line = nl + 1;
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len == 0)
			continue;
		if (!line_field(line, len, column, field, sizeof(field)) || parse_int(field, &pid) < 0)
			return berth_error_set(err, 0, "unable to parse pid from '%.*s'", (int)len, line);
		if (pid_listed(pids, n_pids, pid))
			buf_printf(out, "%.*s\n", (int)len, line);
	}
	return 0;
}
