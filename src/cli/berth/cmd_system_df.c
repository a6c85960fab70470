/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth system df: disk usage of images, containers, local volumes and the build cache, as docker shows it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct df_opts {
	const char *format;
	bool verbose;
};

static const struct bcli_opt df_flags[] = {
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct df_opts, format, "Pretty-print images using a Go template",
		   NULL, "string"),
	BCLI_FLAG("verbose", 'v', BCLI_OPT_BOOL, struct df_opts, verbose, "Show detailed information on space usage"),
	BCLI_OPT_END,
};

/* ids cut to 12 hex digits, commands quoted and cut at 20 characters, as docker's tables. */
static void shorten(json_t *rows, bool quote_cmd)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "ID"));
		const char *cmd = json_string_value(json_object_get(row, "Command"));

		if (id)
			json_object_set_new(row, "ID", json_string(bcli_short_id(id)));
		if (quote_cmd && cmd) {
			_cleanup_free_ char *shown = strlen(cmd) > 20 ? xasprintf("%.19s…", cmd) : xstrdup(cmd);

			json_object_set_new(row, "Command", json_sprintf("\"%s\"", shown));
		}
	}
}

static int verbose(json_t *df)
{
	static const struct bcli_column images[] = {{"Repository", "REPOSITORY"},
						    {"Tag", "TAG"},
						    {"ID", "IMAGE ID"},
						    {"CreatedSince", "CREATED"},
						    {"Size", "SIZE"},
						    {"SharedSize", "SHARED SIZE"},
						    {"UniqueSize", "UNIQUE SIZE"},
						    {"Containers", "CONTAINERS"}};
	static const struct bcli_column ctrs[] = {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"},
						  {"Command", "COMMAND"}, {"LocalVolumes", "LOCAL VOLUMES"},
						  {"Size", "SIZE"},	  {"RunningFor", "CREATED"},
						  {"Status", "STATUS"},	  {"Names", "NAMES"}};
	static const struct bcli_column vols[] = {{"Name", "VOLUME NAME"}, {"Links", "LINKS"}, {"Size", "SIZE"}};
	static const struct bcli_column cache[] = {
		{"ID", "CACHE ID"},	     {"CacheType", "CACHE TYPE"},    {"Size", "SIZE"},
		{"CreatedSince", "CREATED"}, {"LastUsedSince", "LAST USED"}, {"UsageCount", "USAGE"},
		{"Shared", "SHARED"}};
	int rc;

	shorten(json_object_get(df, "Images"), false);
	shorten(json_object_get(df, "Containers"), true);
	puts("Images space usage:\n");
	if ((rc = bcli_print_rows(json_object_get(df, "Images"), NULL, images, 8)) != 0)
		return rc;
	puts("\nContainers space usage:\n");
	if ((rc = bcli_print_rows(json_object_get(df, "Containers"), NULL, ctrs, 8)) != 0)
		return rc;
	puts("\nLocal Volumes space usage:\n");
	if ((rc = bcli_print_rows(json_object_get(df, "Volumes"), NULL, vols, 3)) != 0)
		return rc;
	puts("\nBuild cache usage: 0B\n");
	return bcli_print_rows(json_object_get(df, "BuildCache"), NULL, cache, 7);
}

static int df_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {{"Type", "TYPE"},
						  {"TotalCount", "TOTAL"},
						  {"Active", "ACTIVE"},
						  {"Size", "SIZE"},
						  {"Reclaimable", "RECLAIMABLE"}};
	struct df_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *df = NULL;
	int rc;

	(void)args;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_system_df(e, &df, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (o->verbose && (!o->format || !strcmp(o->format, "table")))
		rc = verbose(df);
	else
		rc = bcli_print_rows(json_object_get(df, "Summary"), o->format, cols, 5);
	json_decref(df);
	return rc;
}

const struct bcli_command bcli_cmd_system_df = {
	.name = "df",
	.group = "system",
	.usage = "[OPTIONS]",
	.summary = "Show docker disk usage",
	.opts = df_flags,
	.opts_size = sizeof(struct df_opts),
	.max_args = 0,
	.run = df_run,
};
