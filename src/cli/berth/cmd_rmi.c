/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth rmi (image rm) and berth image prune. */
#include <stddef.h>
#include <stdio.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"
#include "engine/engine.h"

struct rmi_opts {
	bool force, no_prune;
};

static const struct bcli_opt rmi_flags[] = {
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct rmi_opts, force, "Force removal of the image"),
	BCLI_FLAG("no-prune", 0, BCLI_OPT_BOOL, struct rmi_opts, no_prune, "Do not delete untagged parents"),
	BCLI_OPT_END,
};

static void print_lines(const struct eng_removed *r)
{
	for (size_t i = 0; r->lines && r->lines[i]; i++)
		printf("%s\n", r->lines[i]);
}

static int rmi_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct rmi_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	int rc = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	/* As docker: every name is tried; the errors are printed and the exit code is 1 if any failed. */
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct eng_removed r = {0};

		if (eng_image_remove(e, args->args[i], o->force, &r, &err) < 0) {
			bcli_fail_error(1, &err, NULL);
			rc = 1;
		}
		print_lines(&r);
		eng_removed_done(&r);
	}
	return rc;
}

const struct bcli_command bcli_cmd_rmi = {
	.name = "rm",
	.aliases = (const char *const[]){"rmi", "remove", NULL},
	.group = "image",
	.top = "rmi",
	.usage = "[OPTIONS] IMAGE [IMAGE...]",
	.summary = "Remove one or more images",
	.opts = rmi_flags,
	.opts_size = sizeof(struct rmi_opts),
	.min_args = 1,
	.max_args = -1,
	.run = rmi_run,
};

struct prune_opts {
	bool all, force;
	char **filter;
};

static const struct bcli_opt prune_flags[] = {
	BCLI_FLAG("all", 'a', BCLI_OPT_BOOL, struct prune_opts, all,
		  "Remove all unused images, not just dangling ones"),
	BCLI_FLAGX("filter", 0, BCLI_OPT_LIST, struct prune_opts, filter,
		   "Provide filter values (e.g. \"until=<timestamp>\")", NULL, "filter"),
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct prune_opts, force, "Do not prompt for confirmation"),
	BCLI_OPT_END,
};

static int prune_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct prune_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *size = NULL;
	struct eng_removed r = {0};
	struct eng_prune_filter f = {0};
	int rc;

	if (eng_prune_filter_parse(o->filter, true, &f, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (!o->force && !bcli_confirm(o->all ? "WARNING! This will remove all images without at least one container "
						"associated to them."
					      : "WARNING! This will remove all dangling images.")) {
		eng_prune_filter_done(&f);
		return 0;
	}
	if (bcli_engine_open(ctx, &e) < 0) {
		eng_prune_filter_done(&f);
		return BCLI_EXIT_ENGINE;
	}
	rc = eng_image_prune(e, o->all, &f, &r, &err);
	eng_prune_filter_done(&f);
	if (rc < 0) {
		eng_removed_done(&r);
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	}
	if (r.lines) {
		puts("Deleted Images:");
		for (size_t i = 0; r.lines[i]; i++)
			/* docker prune lists lower case "untagged:" / "deleted:" */
			printf("%c%s\n", r.lines[i][0] | 0x20, r.lines[i] + 1);
		puts("");
	}
	size = eng_human_size((double)r.reclaimed);
	printf("Total reclaimed space: %s\n", size);
	eng_removed_done(&r);
	return 0;
}

const struct bcli_command bcli_cmd_image_prune = {
	.name = "prune",
	.group = "image",
	.usage = "[OPTIONS]",
	.summary = "Remove unused images",
	.opts = prune_flags,
	.opts_size = sizeof(struct prune_opts),
	.max_args = 0,
	.run = prune_run,
};
