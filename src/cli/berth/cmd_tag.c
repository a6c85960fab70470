/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth tag SOURCE TARGET. */
#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

static int tag_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_image_tag(e, args->args[0], args->args[1], &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_tag = {
	.name = "tag",
	.group = "image",
	.top = "tag",
	.usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
	.summary = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
	.min_args = 2,
	.max_args = 2,
	.run = tag_run,
};
