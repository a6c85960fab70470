/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime create: set up a container from a bundle; its process waits for start. */
#include <stddef.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "cli/runtime/flags.h"

/* The flags fill the library's options directly. */
static const struct cli_opt create_options[] = {
	CLI_FLAG_BUNDLE(struct rt_create_opts, bundle),
	CLI_FLAG_CONSOLE_SOCKET(struct rt_create_opts, console_socket),
	CLI_FLAG_PID_FILE(struct rt_create_opts, pid_file),
	CLI_FLAG_NO_PIVOT(struct rt_create_opts, no_pivot),
	CLI_FLAG_NO_NEW_KEYRING(struct rt_create_opts, no_new_keyring),
	CLI_FLAG_PRESERVE_FDS(struct rt_create_opts, preserve_fds),
	CLI_OPT_END,
};

static int create_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct rt_create_opts *o = opts;

	if (o->preserve_fds < 0)
		return cli_fail(CLI_EXIT_FAILURE, "invalid value '%d' for '--preserve-fds'", o->preserve_fds);
	if (rt_create(&ctx->g, args->args[0], o, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_create = {
	.name = "create",
	.summary = "create a container",
	.usage = "[command options] <container-id>",
	.description = "Where \"<container-id>\" is your name for the instance of the container that you\n"
		       "are starting. The name you provide for the container instance must be unique on\n"
		       "your host.\n\n"
		       "DESCRIPTION:\n"
		       "   The create command creates an instance of a container for a bundle. The bundle\n"
		       "is a directory with a specification file named \"config.json\" and a root\n"
		       "filesystem.\n\n"
		       "The specification file includes an args parameter. The args parameter is used\n"
		       "to specify command(s) that get run when the container is started. To change the\n"
		       "command(s) that get executed on start, edit the args parameter of the spec. See\n"
		       "\"" CLI_PROG " spec --help\" for more explanation.",
	.opts = create_options,
	.opts_size = sizeof(struct rt_create_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.sealed = true,
	.run = create_run,
};
