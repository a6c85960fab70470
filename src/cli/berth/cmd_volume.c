/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth volume create, ls, inspect, rm and prune: the local driver's volumes, with Docker's output. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

/* ---- create ---- */

struct create_opts {
	const char *driver, *name;
	char **label, **opt;
};

static const struct bcli_opt create_flags[] = {
	BCLI_FLAGX("driver", 'd', BCLI_OPT_STRING, struct create_opts, driver, "Specify volume driver name", "local",
		   "string"),
	BCLI_FLAGX("label", 0, BCLI_OPT_LIST, struct create_opts, label, "Set metadata for a volume", NULL, "list"),
	BCLI_FLAGX("name", 0, BCLI_OPT_STRING, struct create_opts, name, "Specify volume name", NULL, "string"),
	BCLI_FLAGX("opt", 'o', BCLI_OPT_LIST, struct create_opts, opt, "Set driver specific options", NULL, "map"),
	BCLI_OPT_END,
};

static int create_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct create_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *name = NULL;
	struct eng_volume_create_opts co = {.driver = o->driver, .labels = o->label, .options = o->opt};

	if (args->n == 1 && o->name && *o->name && strcmp(o->name, args->args[0]) != 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "conflicting options: either specify --name or provide positional "
						   "arg, not both");
	co.name = args->n == 1 ? args->args[0] : (o->name && *o->name ? o->name : NULL);
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_volume_create(e, &co, &name, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	printf("%s\n", name);
	return 0;
}

const struct bcli_command bcli_cmd_volume_create = {
	.name = "create",
	.group = "volume",
	.usage = "[OPTIONS] [VOLUME]",
	.summary = "Create a volume",
	.opts = create_flags,
	.opts_size = sizeof(struct create_opts),
	.max_args = 1,
	.run = create_run,
};

/* ---- ls ---- */

struct ls_opts {
	bool quiet;
	const char *format;
	char **filter;
};

static const struct bcli_opt ls_flags[] = {
	BCLI_FLAGX("filter", 'f', BCLI_OPT_LIST, struct ls_opts, filter, "Provide filter values (e.g. 'dangling=true')",
		   NULL, "filter"),
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct ls_opts, format, "Pretty-print volumes using a Go template",
		   NULL, "string"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct ls_opts, quiet, "Only display volume names"),
	BCLI_OPT_END,
};

static int ls_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}};
	static const struct bcli_column all_cols[] = {
		{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Scope", "SCOPE"}, {"Mountpoint", "MOUNTPOINT"},
		{"Labels", "LABELS"}, {"Links", "LINKS"},      {"Size", "SIZE"}};
	struct ls_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL, *row;
	size_t i;
	int rc = 0;

	(void)args;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_volume_list(e, o->filter, &rows, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (o->quiet)
		json_array_foreach(rows, i, row) printf("%s\n", json_string_value(json_object_get(row, "Name")));
	else if (o->format && strcmp(o->format, "table") != 0)
		rc = bcli_print_rows(rows, o->format, all_cols, sizeof(all_cols) / sizeof(all_cols[0]));
	else
		rc = bcli_print_rows(rows, NULL, cols, sizeof(cols) / sizeof(cols[0]));
	json_decref(rows);
	return rc;
}

const struct bcli_command bcli_cmd_volume_ls = {
	.name = "ls",
	.aliases = (const char *const[]){"list", NULL},
	.group = "volume",
	.usage = "[OPTIONS]",
	.summary = "List volumes",
	.opts = ls_flags,
	.opts_size = sizeof(struct ls_opts),
	.max_args = 0,
	.run = ls_run,
};

/* ---- inspect ---- */

struct inspect_opts {
	const char *format;
};

static const struct bcli_opt inspect_flags[] = {
	BCLI_FLAGX("format", 'f', BCLI_OPT_STRING, struct inspect_opts, format,
		   "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':  "
		   "       Print output using the given Go template",
		   NULL, "string"),
	BCLI_OPT_END,
};

static int inspect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct inspect_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_strv_ char **missing = NULL;
	json_t *docs = json_array();
	int rc;

	if (bcli_engine_open(ctx, &e) < 0) {
		json_decref(docs);
		return BCLI_EXIT_ENGINE;
	}
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		json_t *doc = NULL;

		if (eng_volume_inspect(e, args->args[i], &doc, &err) < 0) {
			strv_push(&missing, err->msg);
			continue;
		}
		json_array_append_new(docs, doc);
	}
	rc = bcli_print_documents(docs, o->format && strcmp(o->format, "json") != 0 ? o->format : NULL);
	json_decref(docs);
	for (size_t i = 0; missing && missing[i]; i++)
		fprintf(stderr, BCLI_ERROR_PREFIX "%s\n", missing[i]);
	return missing ? 1 : rc;
}

const struct bcli_command bcli_cmd_volume_inspect = {
	.name = "inspect",
	.group = "volume",
	.usage = "[OPTIONS] VOLUME [VOLUME...]",
	.summary = "Display detailed information on one or more volumes",
	.opts = inspect_flags,
	.opts_size = sizeof(struct inspect_opts),
	.min_args = 1,
	.max_args = -1,
	.run = inspect_run,
};

/* ---- rm ---- */

struct rm_opts {
	bool force;
};

static const struct bcli_opt rm_flags[] = {
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct rm_opts, force, "Force the removal of one or more volumes"),
	BCLI_OPT_END,
};

static int rm_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct rm_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	int rc = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;

		if (eng_volume_remove(e, args->args[i], o->force, &err) < 0) {
			fprintf(stderr, BCLI_ERROR_PREFIX "%s\n", err->msg);
			rc = 1;
			continue;
		}
		printf("%s\n", args->args[i]);
	}
	return rc;
}

const struct bcli_command bcli_cmd_volume_rm = {
	.name = "rm",
	.aliases = (const char *const[]){"remove", NULL},
	.group = "volume",
	.usage = "[OPTIONS] VOLUME [VOLUME...]",
	.summary = "Remove one or more volumes",
	.description = "Remove one or more volumes. You cannot remove a volume that is in use by a container.",
	.opts = rm_flags,
	.opts_size = sizeof(struct rm_opts),
	.min_args = 1,
	.max_args = -1,
	.run = rm_run,
};

/* ---- prune ---- */

struct prune_opts {
	bool all, force;
	char **filter;
};

static const struct bcli_opt prune_flags[] = {
	BCLI_FLAG("all", 'a', BCLI_OPT_BOOL, struct prune_opts, all,
		  "Remove all unused volumes, not just anonymous ones"),
	BCLI_FLAGX("filter", 0, BCLI_OPT_LIST, struct prune_opts, filter,
		   "Provide filter values (e.g. \"label=<label>\")", NULL, "filter"),
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct prune_opts, force, "Do not prompt for confirmation"),
	BCLI_OPT_END,
};

static int prune_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct prune_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *size = NULL;
	struct eng_prune_filter f = {0};
	int64_t reclaimed = 0;
	int rc;

	(void)args;
	/* docker: volumes have no until filter */
	if (eng_prune_filter_parse(o->filter, false, &f, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (!o->force && !bcli_confirm(o->all ? "WARNING! This will remove all local volumes not used by at least one "
						"container."
					      : "WARNING! This will remove anonymous local volumes not used by at "
						"least one container.")) {
		eng_prune_filter_done(&f);
		return 0;
	}
	if (bcli_engine_open(ctx, &e) < 0) {
		eng_prune_filter_done(&f);
		return BCLI_EXIT_ENGINE;
	}
	rc = eng_volume_prune(e, o->all, &f, &names, &reclaimed, &err);
	eng_prune_filter_done(&f);
	if (rc < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (names[0]) {
		puts("Deleted Volumes:");
		for (size_t i = 0; names[i]; i++)
			puts(names[i]);
		puts("");
	}
	size = eng_human_size((double)reclaimed);
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

const struct bcli_command bcli_cmd_volume_prune = {
	.name = "prune",
	.group = "volume",
	.usage = "[OPTIONS]",
	.summary = "Remove unused local volumes",
	.opts = prune_flags,
	.opts_size = sizeof(struct prune_opts),
	.max_args = 0,
	.run = prune_run,
};
