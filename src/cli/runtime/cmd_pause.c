/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime pause: freeze every process of a container (its cgroup freezer). */
#include "base/base.h"
#include "cli/runtime/commands.h"

static int pause_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (rt_pause(&ctx->g, args->args[0], &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_pause = {
	.name = "pause",
	.summary = "pause suspends all processes inside the container",
	.usage = "<container-id>",
	.description = "Where \"<container-id>\" is the name for the instance of the container to be\n"
		       "paused. \n\n"
		       "DESCRIPTION:\n"
		       "   The pause command suspends all processes in the instance of the container.\n\n"
		       "Use " CLI_PROG " list to identify instances of containers and their current status.",
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = pause_run,
};
