/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime resume: thaw the processes of a paused container. */
#include "base/base.h"
#include "cli/runtime/commands.h"

static int resume_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (rt_resume(&ctx->g, args->args[0], &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_resume = {
	.name = "resume",
	.summary = "resumes all processes that have been previously paused",
	.usage = "<container-id>",
	.description = "Where \"<container-id>\" is the name for the instance of the container to be\n"
		       "resumed. \n\n"
		       "DESCRIPTION:\n"
		       "   The resume command resumes all processes in the instance of the container.\n\n"
		       "Use " CLI_PROG " list to identify instances of containers and their current status.",
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = resume_run,
};
