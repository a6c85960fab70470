/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime delete: remove a stopped container (or, with --force, any). */
#include <errno.h>
#include <stddef.h>

#include "base/base.h"
#include "cli/runtime/commands.h"

struct delete_opts {
	bool force;
};

static const struct cli_opt delete_options[] = {
	{"force", 'f', CLI_OPT_BOOL, offsetof(struct delete_opts, force),
	 "Forcibly deletes the container if it is still running (uses SIGKILL)", NULL},
	CLI_OPT_END,
};

static int delete_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct delete_opts *o = opts;

	if (rt_delete(&ctx->g, args->args[0], o->force, &err) < 0) {
		/* as runc: forcing the deletion of a container that does not exist succeeds */
		if (o->force && err && err->code == ENOENT)
			return 0;
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	}
	return 0;
}

const struct cli_command cli_cmd_delete = {
	.name = "delete",
	.summary = "delete any resources held by the container often used with detached container",
	.usage = "[command options] <container-id>",
	.description = "Where \"<container-id>\" is the name for the instance of the container.\n\n"
		       "EXAMPLE:\n"
		       "For example, if the container id is \"ubuntu01\" and " CLI_PROG " list currently shows the\n"
		       "status of \"ubuntu01\" as \"stopped\" the following will delete resources held for\n"
		       "\"ubuntu01\" removing \"ubuntu01\" from the " CLI_PROG " list of containers:\n\n"
		       "       # " CLI_PROG " delete ubuntu01",
	.opts = delete_options,
	.opts_size = sizeof(struct delete_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = delete_run,
};
