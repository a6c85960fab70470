/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime state: print a container's state as runc's JSON. */
#include <stdio.h>

#include "base/base.h"
#include "cli/runtime/commands.h"

static int state_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *json = NULL;
	struct rt_state *s = NULL;

	if (rt_state_get(&ctx->g, args->args[0], &s, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	json = rt_state_to_json(s);
	rt_state_free(s);
	if (!json)
		return cli_fail(CLI_EXIT_FAILURE, "encode the state of '%s'", args->args[0]);
	/* runc writes the document without a final newline */
	fputs(json, stdout);
	return 0;
}

const struct cli_command cli_cmd_state = {
	.name = "state",
	.summary = "output the state of a container",
	.usage = "<container-id>",
	.description = "Where \"<container-id>\" is your name for the instance of the container.\n\n"
		       "DESCRIPTION:\n"
		       "   The state command outputs current state information for the\n"
		       "instance of a container.",
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = state_run,
};
