/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth rm (container rm): -f kills a running container first, -v takes its anonymous volumes. */
#include <stddef.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct rm_opts {
	bool force, volumes, link;
};

static const struct bcli_opt rm_flags[] = {
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct rm_opts, force,
		  "Force the removal of a running container (uses SIGKILL)"),
	BCLI_FLAG("link", 'l', BCLI_OPT_BOOL, struct rm_opts, link, "Remove the specified link"),
	BCLI_FLAG("volumes", 'v', BCLI_OPT_BOOL, struct rm_opts, volumes,
		  "Remove anonymous volumes associated with the container"),
	BCLI_OPT_END,
};

static int rm_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	const struct rm_opts *o = data;

	return eng_ctr_remove(e, name, o->force, o->volumes, err);
}

static int rm_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	return bcli_each_container(ctx, args, true, rm_one, opts);
}

const struct bcli_command bcli_cmd_rm = {
	.name = "rm",
	.aliases = (const char *const[]){"remove", NULL},
	.group = "container",
	.top = "rm",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Remove one or more containers",
	.opts = rm_flags,
	.opts_size = sizeof(struct rm_opts),
	.min_args = 1,
	.max_args = -1,
	.run = rm_run,
};
