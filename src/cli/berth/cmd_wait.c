/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth wait: block until containers stop, print their exit codes. */
#include <stdio.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

static int wait_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	int code = 0;

	if (eng_ctr_wait(e, name, NULL, &code, err) < 0)
		return -1;
	printf("%d\n", code);
	fflush(stdout);
	return 0;
}

static int wait_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	return bcli_each_container(ctx, args, false, wait_one, NULL);
}

const struct bcli_command bcli_cmd_wait = {
	.name = "wait",
	.group = "container",
	.top = "wait",
	.usage = "CONTAINER [CONTAINER...]",
	.summary = "Block until one or more containers stop, then print their exit codes",
	.min_args = 1,
	.max_args = -1,
	.run = wait_run,
};
