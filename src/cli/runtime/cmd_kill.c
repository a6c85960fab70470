/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime kill: send a signal (default SIGTERM) to a container's init, or to all its processes. */
#include <ctype.h>
#include <signal.h>
#include <stddef.h>

#include "base/base.h"
#include "cli/runtime/commands.h"

struct kill_opts {
	bool all;
};

static const struct cli_opt kill_options[] = {
	{"all", 'a', CLI_OPT_BOOL, offsetof(struct kill_opts, all),
	 "send the specified signal to all processes inside the container", NULL},
	CLI_OPT_END,
};

/* As runc: a number is taken as is (the kernel judges it; negative ones are refused), a name in any case, with or
 * without "SIG". */
static int parse_kill_signal(const char *s, int *ret)
{
	_cleanup_free_ char *upper = xstrdup(s);
	int sig;

	if (parse_int(s, &sig) == 0) {
		if (sig < 0)
			return -1;
		*ret = sig;
		return 0;
	}
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	sig = parse_signal(upper);
	if (sig <= 0)
		return -1;
	*ret = sig;
	return 0;
}

static int kill_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct kill_opts *o = opts;
	int sig = SIGTERM;

	if (args->n > 1 && parse_kill_signal(args->args[1], &sig) < 0)
		return cli_fail(CLI_EXIT_FAILURE, "unknown signal '%s'", args->args[1]);
	if (rt_kill(&ctx->g, args->args[0], sig, o->all, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_kill = {
	.name = "kill",
	.summary = "kill sends the specified signal (default: SIGTERM) to the container's init process",
	.usage = "[command options] <container-id> [signal]",
	.description = "Where \"<container-id>\" is the name for the instance of the container and\n"
		       "\"[signal]\" is the signal to be sent to the init process.\n\n"
		       "EXAMPLE:\n"
		       "For example, if the container id is \"ubuntu01\" the following will send a \"KILL\"\n"
		       "signal to the init process of the \"ubuntu01\" container:\n\n"
		       "       # " CLI_PROG " kill ubuntu01 KILL",
	.opts = kill_options,
	.opts_size = sizeof(struct kill_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 2,
	.run = kill_run,
};
