/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth history (image history): IMAGE CREATED CREATED BY SIZE COMMENT. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct history_opts {
	bool human, no_trunc, quiet;
	const char *format;
};

static const struct bcli_opt history_flags[] = {
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct history_opts, format,
		   "Format output using a custom template:\n'table':            Print output in table format with "
		   "column headers "
		   "(default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':   "
		   "          "
		   "Print in JSON format\n'TEMPLATE':         Print output using the given Go template",
		   NULL, "string"),
	BCLI_FLAGX("human", 'H', BCLI_OPT_BOOL, struct history_opts, human,
		   "Print sizes and dates in human readable format", "true", NULL),
	BCLI_FLAG("no-trunc", 0, BCLI_OPT_BOOL, struct history_opts, no_trunc, "Don't truncate output"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct history_opts, quiet, "Only show image IDs"),
	BCLI_OPT_END,
};

/* docker truncates CREATED BY to 45 characters with an ellipsis. */
static void shorten(json_t *row, const struct history_opts *o)
{
	const char *id = json_string_value(json_object_get(row, "ID"));
	const char *by = json_string_value(json_object_get(row, "CreatedBy"));

	if (!o->no_trunc && strncmp(id, "sha256:", 7) == 0)
		json_object_set_new(row, "ID", json_string(bcli_short_id(id)));
	if (!o->no_trunc && strlen(by) > 45) {
		_cleanup_free_ char *s = xasprintf("%.44s…", by);

		json_object_set_new(row, "CreatedBy", json_string(s));
	}
	if (!o->human) {
		json_object_set(row, "CreatedSince", json_object_get(row, "CreatedAt"));
		json_object_set_new(
			row, "Size",
			json_sprintf("%lld", (long long)json_integer_value(json_object_get(row, "SizeBytes"))));
	}
}

static int history_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {
		{"ID", "IMAGE"},  {"CreatedSince", "CREATED"}, {"CreatedBy", "CREATED BY"},
		{"Size", "SIZE"}, {"Comment", "COMMENT"},      {"CreatedAt", "CREATED AT"}};
	struct history_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL, *row;
	size_t i;
	int rc = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_image_history(e, args->args[0], &rows, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	json_array_foreach(rows, i, row) shorten(row, o);
	if (o->quiet)
		json_array_foreach(rows, i, row) printf("%s\n", json_string_value(json_object_get(row, "ID")));
	else
		rc = bcli_print_rows(rows, o->format, cols, o->format ? 6 : 5);
	json_decref(rows);
	return rc;
}

const struct bcli_command bcli_cmd_history = {
	.name = "history",
	.group = "image",
	.top = "history",
	.usage = "[OPTIONS] IMAGE",
	.summary = "Show the history of an image",
	.opts = history_flags,
	.opts_size = sizeof(struct history_opts),
	.min_args = 1,
	.max_args = 1,
	.run = history_run,
};
