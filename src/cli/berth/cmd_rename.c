/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth rename (container rename), pause and unpause (container pause/unpause). */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

static int rename_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	const char *old = args->args[0], *new = args->args[1];

	if (!*old || !*new)
		return bcli_fail(1, "Neither old nor new names may be empty");
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_rename(e, old, new, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_rename = {
	.name = "rename",
	.group = "container",
	.top = "rename",
	.usage = "CONTAINER NEW_NAME",
	.summary = "Rename a container",
	.min_args = 2,
	.max_args = 2,
	.run = rename_run,
};

static int pause_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	return data ? eng_ctr_pause(e, name, err) : eng_ctr_unpause(e, name, err);
}

static int pause_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	return bcli_each_container(ctx, args, true, pause_one, (void *)1);
}

static int unpause_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	return bcli_each_container(ctx, args, true, pause_one, NULL);
}

const struct bcli_command bcli_cmd_pause = {
	.name = "pause",
	.group = "container",
	.top = "pause",
	.usage = "CONTAINER [CONTAINER...]",
	.summary = "Pause all processes within one or more containers",
	.min_args = 1,
	.max_args = -1,
	.run = pause_run,
};

const struct bcli_command bcli_cmd_unpause = {
	.name = "unpause",
	.group = "container",
	.top = "unpause",
	.usage = "CONTAINER [CONTAINER...]",
	.summary = "Unpause all processes within one or more containers",
	.min_args = 1,
	.max_args = -1,
	.run = unpause_run,
};
