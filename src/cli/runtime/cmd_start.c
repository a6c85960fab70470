/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime start: let a created container run its user process. */
#include "base/base.h"
#include "cli/runtime/commands.h"

static int start_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (rt_start(&ctx->g, args->args[0], &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_start = {
	.name = "start",
	.summary = "executes the user defined process in a created container",
	.usage = "<container-id>",
	.description = "Where \"<container-id>\" is your name for the instance of the container that you\n"
		       "are starting. The name you provide for the container instance must be unique on\n"
		       "your host.\n\n"
		       "DESCRIPTION:\n"
		       "   The start command executes the user defined process in a created container.",
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = start_run,
};
