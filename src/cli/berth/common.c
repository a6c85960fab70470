/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening the engine for a command, and Docker's output formats for lists and documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "berth-config.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

/*
 * The built-in image: $BERTH_BUILTIN_IMAGE ("" turns it off), else next to the
 * binary in a build tree (build/src/cli/berth → build/data/busybox.tar), else
 * where the build installed it.
 */
static char *builtin_image(void)
{
	const char *env = getenv("BERTH_BUILTIN_IMAGE");
	char exe[4096];
	ssize_t n;

	if (env)
		return *env ? xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		_cleanup_free_ char *p = NULL;
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			p = xasprintf("%s/../../data/busybox.tar", exe);
			if (access(p, R_OK) == 0)
				return TAKE_PTR(p);
		}
	}
	return xstrdup(BERTH_DATADIR "/busybox.tar");
}

int bcli_engine_open(const struct bcli_ctx *ctx, struct eng **ret)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *builtin = builtin_image();
	struct eng_opts o = {
		.root = ctx->root, .runroot = ctx->runroot, .config_dir = ctx->config_dir, .builtin_image = builtin};

	if (eng_open(&o, ret, &err) < 0) {
		bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
		return -1;
	}
	return 0;
}

const char *bcli_short_id(const char *id)
{
	static char buf[13];
	const char *colon = strchr(id, ':');

	snprintf(buf, sizeof(buf), "%s", colon ? colon + 1 : id);
	return buf;
}

/* Characters in n bytes of UTF-8 (as Go's tabwriter counts them, so that "…" is one). */
static size_t text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* Widths of the tab-terminated cells of every line, per column. */
static size_t *cell_widths(char **lines, size_t *ret_cols)
{
	size_t cols = 0, *w = NULL;

	for (size_t i = 0; lines[i]; i++) {
		size_t col = 0, start = 0;
		const char *l = lines[i];

		for (size_t j = 0; l[j]; j++) {
			if (l[j] != '\t')
				continue;
			if (col >= cols) {
				w = realloc(w, (col + 1) * sizeof(*w));
				if (!w)
					abort();
				w[col] = 0;
				cols = col + 1;
			}
			if (text_width(l + start, j - start) > w[col])
				w[col] = text_width(l + start, j - start);
			col++;
			start = j + 1;
		}
	}
	*ret_cols = cols;
	return w;
}

void bcli_tabwrite(const char *text)
{
	_cleanup_strv_ char **lines = NULL;
	_cleanup_free_ size_t *w = NULL;
	_cleanup_free_ char *copy = xstrdup(text);
	size_t cols;
	char *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		strv_push(&lines, l);
	if (!lines)
		return;
	w = cell_widths(lines, &cols);
	for (size_t i = 0; lines[i]; i++) {
		size_t col = 0;
		char *cell = lines[i], *tab;

		while ((tab = strchr(cell, '\t'))) {
			size_t width = w[col] + 3 < 10 ? 10 : w[col] + 3;

			printf("%.*s%*s", (int)(tab - cell), cell,
			       (int)(width - text_width(cell, (size_t)(tab - cell))), "");
			cell = tab + 1;
			col++;
		}
		printf("%s\n", cell);
	}
}

static int run_template(struct eng_template *t, json_t *data, struct buf *out)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (eng_template_exec(t, data, out, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, "template");
	return 0;
}

static json_t *header_row(const struct bcli_column *columns, size_t n)
{
	json_t *h = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(h, columns[i].field, json_string(columns[i].header));
	return h;
}

static char *default_table(const struct bcli_column *columns, size_t n)
{
	struct buf b = {0};

	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s{{.%s}}", i ? "\t" : "", columns[i].field);
	return buf_steal(&b);
}

int bcli_print_rows(json_t *rows, const char *format, const struct bcli_column *columns, size_t n_columns)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_template_ struct eng_template *t = NULL;
	struct buf out = {0};
	bool table = true;
	size_t i;
	json_t *row;
	int rc = 0;

	if (format && strcmp(format, "json") == 0) {
		json_array_foreach(rows, i, row)
		{
			_cleanup_free_ char *s = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);

			printf("%s\n", s);
		}
		return 0;
	}
	text = format && strcmp(format, "table") != 0 ? eng_template_preformat(format, &table)
						      : default_table(columns, n_columns);
	if (eng_template_parse(text, &t, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, "template parsing error");
	if (table) {
		json_t *h = header_row(columns, n_columns);

		rc = run_template(t, h, &out);
		json_decref(h);
		buf_puts(&out, "\n");
	}
	json_array_foreach(rows, i, row)
	{
		if (rc == 0)
			rc = run_template(t, row, &out);
		buf_puts(&out, "\n");
	}
	if (rc == 0 && out.data) {
		if (table)
			bcli_tabwrite(out.data);
		else
			fputs(out.data, stdout);
	}
	buf_done(&out);
	return rc;
}

int bcli_print_documents(json_t *docs, const char *format)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_template_ struct eng_template *t = NULL;
	_cleanup_free_ char *text = NULL;
	struct buf out = {0};
	size_t i;
	json_t *doc;
	int rc = 0;

	if (!format || !*format) {
		_cleanup_free_ char *s = json_dumps(docs, JSON_INDENT(4) | JSON_PRESERVE_ORDER);

		printf("%s\n", s);
		return 0;
	}
	text = eng_template_unescape(format);
	if (eng_template_parse(text, &t, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, "template parsing error");
	json_array_foreach(docs, i, doc)
	{
		if (rc == 0)
			rc = run_template(t, doc, &out);
		buf_puts(&out, "\n");
	}
	if (rc == 0 && out.data)
		fputs(out.data, stdout);
	buf_done(&out);
	return rc;
}

bool bcli_confirm(const char *warning)
{
	char line[16];

	printf("%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}
