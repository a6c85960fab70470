/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime features: print what this runtime supports, as runc's features JSON. */
#include <stdio.h>

#include "base/base.h"
#include "cli/runtime/commands.h"

static int features_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_free_ char *json = rt_features_json();

	if (!json)
		return cli_fail(CLI_EXIT_FAILURE, "encode the features document");
	puts(json);
	return 0;
}

const struct cli_command cli_cmd_features = {
	.name = "features",
	.summary = "show the enabled features",
	.usage = "[arguments...]",
	.description = "DESCRIPTION:\n"
		       "   Show the enabled features.\n"
		       "   The result is parsable as a JSON.\n"
		       "   See https://pkg.go.dev/github.com/opencontainers/runc/types/features for the type "
		       "definition.\n"
		       "   The types are experimental and subject to change.",
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 0,
	.max_args = 0,
	.run = features_run,
};
