/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth container prune and system prune: docker's prompts, listings and reclaimed space. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct prune_opts {
	bool all, force, volumes;
	char **filter;
};

/* Remove stopped containers and print "Deleted Containers:"; adds to *reclaimed. */
static int prune_containers(struct eng *e, const struct eng_prune_filter *f, int64_t *reclaimed)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **ids = NULL;
	int64_t n = 0;

	if (eng_ctr_prune(e, f, &ids, &n, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (ids) {
		puts("Deleted Containers:");
		for (size_t i = 0; ids[i]; i++)
			puts(ids[i]);
		puts("");
	}
	*reclaimed += n;
	return 0;
}

static void print_total(int64_t reclaimed)
{
	_cleanup_free_ char *size = eng_human_size((double)reclaimed);

	printf("Total reclaimed space: %s\n", size);
}

static int container_prune_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct prune_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	struct eng_prune_filter f = {0};
	int64_t reclaimed = 0;
	int rc = BCLI_EXIT_ENGINE;

	if (eng_prune_filter_parse(o->filter, true, &f, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (!o->force && !bcli_confirm("WARNING! This will remove all stopped containers.")) {
		rc = 0;
		goto out;
	}
	if (bcli_engine_open(ctx, &e) < 0 || prune_containers(e, &f, &reclaimed) != 0)
		goto out;
	print_total(reclaimed);
	rc = 0;
out:
	eng_prune_filter_done(&f);
	return rc;
}

static const struct bcli_opt container_prune_flags[] = {
	BCLI_FLAGX("filter", 0, BCLI_OPT_LIST, struct prune_opts, filter,
		   "Provide filter values (e.g. \"until=<timestamp>\")", NULL, "filter"),
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct prune_opts, force, "Do not prompt for confirmation"),
	BCLI_OPT_END,
};

const struct bcli_command bcli_cmd_container_prune = {
	.name = "prune",
	.group = "container",
	.usage = "[OPTIONS]",
	.summary = "Remove all stopped containers",
	.opts = container_prune_flags,
	.opts_size = sizeof(struct prune_opts),
	.max_args = 0,
	.run = container_prune_run,
};

static char *system_warning(const struct prune_opts *o)
{
	struct buf b = {0};

	buf_puts(&b, "WARNING! This will remove:\n  - all stopped containers\n"
		     "  - all networks not used by at least one container\n");
	if (o->volumes)
		buf_puts(&b, "  - all anonymous volumes not used by at least one container\n");
	buf_puts(&b, o->all ? "  - all images without at least one container associated to them\n  - all build cache\n"
			    : "  - all dangling images\n  - unused build cache\n");
	return buf_steal(&b);
}

static int prune_images(struct eng *e, bool all, const struct eng_prune_filter *f, int64_t *reclaimed)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct eng_removed r = {0};

	if (eng_image_prune(e, all, f, &r, &err) < 0) {
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
	*reclaimed += r.reclaimed;
	eng_removed_done(&r);
	return 0;
}

/* "Deleted Networks:" / "Deleted Volumes:" and the names, as docker system prune lists them. */
static void print_names(const char *title, char **names)
{
	if (!names || !names[0])
		return;
	printf("%s\n", title);
	for (size_t i = 0; names[i]; i++)
		puts(names[i]);
	puts("");
}

/* Unused custom networks, then (--volumes) unused anonymous volumes: docker's order. */
static int prune_networks_volumes(struct eng *e, const struct prune_opts *o, const struct eng_prune_filter *f,
				  int64_t *reclaimed)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **nets = NULL, **vols = NULL;
	int64_t bytes = 0;

	if (eng_network_prune(e, o->filter, &nets, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	print_names("Deleted Networks:", nets);
	if (!o->volumes)
		return 0;
	if (eng_volume_prune(e, false, f, &vols, &bytes, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	print_names("Deleted Volumes:", vols);
	*reclaimed += bytes;
	return 0;
}

static int system_prune_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct prune_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *warning = system_warning(o);
	struct eng_prune_filter f = {0};
	int64_t reclaimed = 0;
	int rc = BCLI_EXIT_ENGINE;

	if (eng_prune_filter_parse(o->filter, true, &f, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	/* the build cache has nothing to prune until berth builds */
	if (!o->force && !bcli_confirm(warning)) {
		rc = 0;
		goto out;
	}
	if (bcli_engine_open(ctx, &e) < 0 || prune_containers(e, &f, &reclaimed) != 0 ||
	    prune_networks_volumes(e, o, &f, &reclaimed) != 0 || prune_images(e, o->all, &f, &reclaimed) != 0)
		goto out;
	print_total(reclaimed);
	rc = 0;
out:
	eng_prune_filter_done(&f);
	return rc;
}

static const struct bcli_opt system_prune_flags[] = {
	BCLI_FLAG("all", 'a', BCLI_OPT_BOOL, struct prune_opts, all, "Remove all unused images not just dangling ones"),
	BCLI_FLAGX("filter", 0, BCLI_OPT_LIST, struct prune_opts, filter,
		   "Provide filter values (e.g. \"label=<key>=<value>\")", NULL, "filter"),
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct prune_opts, force, "Do not prompt for confirmation"),
	BCLI_FLAG("volumes", 0, BCLI_OPT_BOOL, struct prune_opts, volumes, "Prune anonymous volumes"),
	BCLI_OPT_END,
};

const struct bcli_command bcli_cmd_system_prune = {
	.name = "prune",
	.group = "system",
	.usage = "[OPTIONS]",
	.summary = "Remove unused data",
	.opts = system_prune_flags,
	.opts_size = sizeof(struct prune_opts),
	.max_args = 0,
	.run = system_prune_run,
};
