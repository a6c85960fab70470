/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime run: create and start a container, by default waiting for it and exiting with its status. */
#include <stddef.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "cli/runtime/flags.h"

/* The library's options, filled by the flags directly, and what only the CLI knows. */
struct run_opts {
	struct rt_create_opts co;
	bool no_subreaper; /* accepted: berth-runtime reaps its own child */
};

#define O(field) offsetof(struct run_opts, field)
static const struct cli_opt run_options[] = {
	CLI_FLAG_BUNDLE(struct run_opts, co.bundle),
	CLI_FLAG_CONSOLE_SOCKET(struct run_opts, co.console_socket),
	{"detach", 'd', CLI_OPT_BOOL, O(co.detach), "detach from the container's process", NULL},
	{"keep", 0, CLI_OPT_BOOL, O(co.keep), "do not delete the container after it exits", NULL},
	CLI_FLAG_PID_FILE(struct run_opts, co.pid_file),
	{"no-subreaper", 0, CLI_OPT_BOOL, O(no_subreaper),
	 "disable the use of the subreaper used to reap reparented processes", NULL},
	CLI_FLAG_NO_PIVOT(struct run_opts, co.no_pivot),
	CLI_FLAG_NO_NEW_KEYRING(struct run_opts, co.no_new_keyring),
	CLI_FLAG_PRESERVE_FDS(struct run_opts, co.preserve_fds),
	CLI_OPT_END,
};

static int run_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct run_opts *o = opts;
	int status = 0;

	if (o->co.preserve_fds < 0)
		return cli_fail(CLI_EXIT_FAILURE, "invalid value '%d' for '--preserve-fds'", o->co.preserve_fds);
	if (rt_run(&ctx->g, args->args[0], &o->co, &status, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	/* the container's status, so that a supervisor sees how it ended */
	return o->co.detach ? 0 : status;
}

const struct cli_command cli_cmd_run = {
	.name = "run",
	.summary = "create and run a container",
	.usage = "[command options] <container-id>",
	.description = "Where \"<container-id>\" is your name for the instance of the container that you\n"
		       "are starting. The name you provide for the container instance must be unique on\n"
		       "your host.\n\n"
		       "DESCRIPTION:\n"
		       "   The run command creates an instance of a container for a bundle. The bundle\n"
		       "is a directory with a specification file named \"config.json\" and a root\n"
		       "filesystem.\n\n"
		       "The specification file includes an args parameter. The args parameter is used\n"
		       "to specify command(s) that get run when the container is started. To change the\n"
		       "command(s) that get executed on start, edit the args parameter of the spec. See\n"
		       "\"" CLI_PROG " spec --help\" for more explanation.",
	.opts = run_options,
	.opts_size = sizeof(struct run_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.sealed = true,
	.run = run_run,
};
