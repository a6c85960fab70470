/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth images (image ls): Docker's columns, -q, --digests, --no-trunc, --format, a REPOSITORY[:TAG] filter. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"
#include "image/image.h"

struct images_opts {
	bool all, quiet, digests, no_trunc;
	const char *format;
	char **filter;
};

static const struct bcli_opt images_flags[] = {
	BCLI_FLAG("all", 'a', BCLI_OPT_BOOL, struct images_opts, all,
		  "Show all images (default hides intermediate images)"),
	BCLI_FLAG("digests", 0, BCLI_OPT_BOOL, struct images_opts, digests, "Show digests"),
	BCLI_FLAGX("filter", 'f', BCLI_OPT_LIST, struct images_opts, filter,
		   "Filter output based on conditions provided", NULL, "filter"),
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct images_opts, format,
		   "Format output using a custom template:\n'table':            Print output in table format with "
		   "column headers "
		   "(default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':   "
		   "          "
		   "Print in JSON format\n'TEMPLATE':         Print output using the given Go template",
		   NULL, "string"),
	BCLI_FLAG("no-trunc", 0, BCLI_OPT_BOOL, struct images_opts, no_trunc, "Don't truncate output"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct images_opts, quiet, "Only show image IDs"),
	BCLI_OPT_END,
};

/* Whether row matches the REPOSITORY[:TAG] argument (familiar names, as docker compares them). */
static bool matches(json_t *row, const char *want)
{
	const char *repo = json_string_value(json_object_get(row, "Repository"));
	const char *tag = json_string_value(json_object_get(row, "Tag"));
	const char *colon = strrchr(want, ':');
	size_t repo_len = colon && !strchr(colon, '/') ? (size_t)(colon - want) : strlen(want);

	if (strlen(repo) != repo_len || strncmp(repo, want, repo_len) != 0)
		return false;
	return repo_len == strlen(want) || strcmp(tag, want + repo_len + 1) == 0;
}

static bool keep(json_t *row, const struct images_opts *o, const struct bcli_args *args)
{
	for (size_t i = 0; o->filter && o->filter[i]; i++) {
		const char *f = o->filter[i];

		if (strcmp(f, "dangling=true") == 0 && strcmp(json_string_value(json_object_get(row, "Tag")), "<none>"))
			return false;
		if (strcmp(f, "dangling=false") == 0 &&
		    !strcmp(json_string_value(json_object_get(row, "Tag")), "<none>"))
			return false;
		if (strncmp(f, "reference=", 10) == 0 && !matches(row, f + 10))
			return false;
	}
	return args->n == 0 || matches(row, args->args[0]);
}

static int check_filters(char **filter)
{
	for (size_t i = 0; filter && filter[i]; i++) {
		const char *f = filter[i];

		if (!strchr(f, '='))
			return bcli_fail(BCLI_EXIT_ENGINE, "bad format of filter (expected name=value)");
		if (strcmp(f, "dangling=true") && strcmp(f, "dangling=false") && strncmp(f, "reference=", 10))
			return bcli_fail(BCLI_EXIT_ENGINE, "invalid filter '%.*s'", (int)(strchr(f, '=') - f), f);
	}
	return 0;
}

static int images_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct images_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL, *shown = json_array(), *row;
	size_t i;
	int rc = 0;

	if (check_filters(o->filter) != 0 || bcli_engine_open(ctx, &e) < 0) {
		json_decref(shown);
		return BCLI_EXIT_ENGINE;
	}
	if (eng_image_list(e, o->all, &rows, &err) < 0) {
		json_decref(shown);
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	}
	json_array_foreach(rows, i, row)
	{
		if (!keep(row, o, args))
			continue;
		if (!o->no_trunc)
			json_object_set_new(row, "ID",
					    json_string(bcli_short_id(json_string_value(json_object_get(row, "ID")))));
		json_array_append(shown, row);
	}
	if (o->quiet) {
		_cleanup_strv_ char **seen = NULL;

		json_array_foreach(shown, i, row)
		{
			const char *id = json_string_value(json_object_get(row, "ID"));

			if (!strv_contains(seen, id)) {
				printf("%s\n", id);
				strv_push(&seen, id);
			}
		}
	} else {
		static const struct bcli_column cols[] = {{"Repository", "REPOSITORY"}, {"Tag", "TAG"},
							  {"Digest", "DIGEST"},		{"ID", "IMAGE ID"},
							  {"CreatedSince", "CREATED"},	{"Size", "SIZE"}};
		static const struct bcli_column all_cols[] = {{"Repository", "REPOSITORY"},
							      {"Tag", "TAG"},
							      {"Digest", "DIGEST"},
							      {"ID", "IMAGE ID"},
							      {"CreatedSince", "CREATED"},
							      {"CreatedAt", "CREATED AT"},
							      {"Size", "SIZE"},
							      {"Containers", "CONTAINERS"},
							      {"SharedSize", "SHARED SIZE"},
							      {"UniqueSize", "UNIQUE SIZE"},
							      {"VirtualSize", "VIRTUAL SIZE"}};
		struct bcli_column plain[5] = {cols[0], cols[1], cols[3], cols[4], cols[5]};

		if (o->format && strcmp(o->format, "table") != 0)
			rc = bcli_print_rows(shown, o->format, all_cols, sizeof(all_cols) / sizeof(all_cols[0]));
		else if (o->digests)
			rc = bcli_print_rows(shown, NULL, cols, 6);
		else
			rc = bcli_print_rows(shown, NULL, plain, 5);
	}
	json_decref(rows);
	json_decref(shown);
	return rc;
}

const struct bcli_command bcli_cmd_images = {
	.name = "ls",
	.aliases = (const char *const[]){"list", NULL},
	.group = "image",
	.top = "images",
	.usage = "[OPTIONS] [REPOSITORY[:TAG]]",
	.summary = "List images",
	.opts = images_flags,
	.opts_size = sizeof(struct images_opts),
	.max_args = 1,
	.run = images_run,
};
