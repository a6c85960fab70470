/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth cp (container cp): files between a container and the host, or a tar stream with "-". */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct cp_opts {
	bool archive, follow_link, quiet;
};

static const struct bcli_opt cp_flags[] = {
	BCLI_FLAG("archive", 'a', BCLI_OPT_BOOL, struct cp_opts, archive,
		  "Archive mode (copy all uid/gid information)"),
	BCLI_FLAG("follow-link", 'L', BCLI_OPT_BOOL, struct cp_opts, follow_link,
		  "Always follow symbol link in SRC_PATH"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct cp_opts, quiet,
		  "Suppress progress output during copy. Progress output is automatically suppressed if no terminal "
		  "is attached"),
	BCLI_OPT_END,
};

/* Docker's splitCpArg: "CONTAINER:PATH", or a local path (absolute ones never name a container). */
static char *split_arg(const char *arg, const char **ret_path)
{
	const char *colon = strchr(arg, ':');

	if (arg[0] == '/' || arg[0] == '.' || !colon) {
		*ret_path = arg;
		return NULL;
	}
	*ret_path = colon + 1;
	return strndup(arg, (size_t)(colon - arg));
}

static int cp_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct cp_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	const char *src_path, *dst_path;
	_cleanup_free_ char *src_ctr = split_arg(args->args[0], &src_path);
	_cleanup_free_ char *dst_ctr = split_arg(args->args[1], &dst_path);
	struct eng_cp_opts co = {.archive = o->archive, .follow_link = o->follow_link};
	int r;

	if (!src_ctr && !dst_ctr)
		return bcli_fail(1, "must specify at least one container source");
	if (src_ctr && dst_ctr)
		return bcli_fail(1, "copying between containers is not supported");
	if (!*src_path || !*dst_path)
		return bcli_fail(1, "%s can not be empty", !*src_path ? "source" : "destination");
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (src_ctr)
		r = eng_ctr_cp_from(e, src_ctr, src_path, dst_path, STDOUT_FILENO, &co, &err);
	else
		r = eng_ctr_cp_to(e, dst_ctr, src_path, STDIN_FILENO, dst_path, &co, &err);
	return r < 0 ? bcli_fail_error(1, &err, NULL) : 0;
}

const struct bcli_command bcli_cmd_cp = {
	.name = "cp",
	.group = "container",
	.top = "cp",
	.usage = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
	.summary = "Copy files/folders between a container and the local filesystem",
	.description = "Copy files/folders between a container and the local filesystem\n\nUse '-' as the source to "
		       "read a tar archive from stdin\nand extract it to a directory destination in a container.\nUse "
		       "'-' as the destination to stream a tar archive of a\ncontainer source to stdout.",
	.opts = cp_flags,
	.opts_size = sizeof(struct cp_opts),
	.min_args = 2,
	.max_args = 2,
	.run = cp_run,
};
