/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime's command table: lookup, help texts, the parse-check-run sequence, error reporting. */
#include "cli/runtime/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

/* Commands runc has that berth-runtime does not implement yet. */
static const struct cli_command cmd_checkpoint = {.name = "checkpoint", .summary = "checkpoint a running container"};
static const struct cli_command cmd_restore = {.name = "restore",
					       .summary = "restore a container from a previous checkpoint"};

/* In runc's order of its help text. */
static const struct cli_command *const commands[] = {
	&cmd_checkpoint, &cli_cmd_create, &cli_cmd_delete, &cli_cmd_events, &cli_cmd_exec,     &cli_cmd_kill,
	&cli_cmd_list,	 &cli_cmd_pause,  &cli_cmd_ps,	   &cmd_restore,    &cli_cmd_resume,   &cli_cmd_run,
	&cli_cmd_spec,	 &cli_cmd_start,  &cli_cmd_state,  &cli_cmd_update, &cli_cmd_features,
};

int cli_fail(int code, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	berth_log(BERTH_LOG_ERROR, "%s", msg ? msg : "out of memory");
	/* the log went to a file: the caller still gets the one line on stderr */
	if (!berth_log_is_stderr())
		fprintf(stderr, "%s: %s\n", CLI_PROG, msg ? msg : "out of memory");
	return code;
}

int cli_fail_error(int code, struct berth_error **err, const char *prefix)
{
	const char *msg = *err && (*err)->msg ? (*err)->msg : "unknown error";

	if (prefix)
		cli_fail(code, "%s: %s", prefix, msg);
	else
		cli_fail(code, "%s", msg);
	berth_error_free(err);
	return code;
}

const struct cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_command *c = commands[i];
		if (strcmp(c->name, name) == 0 || (c->alias && strcmp(c->alias, name) == 0))
			return c;
	}
	return NULL;
}

void cli_command_help(const struct cli_command *cmd)
{
	_cleanup_(buf_done) struct buf b = {0};

	buf_printf(&b, "NAME:\n   %s %s - %s\n\nUSAGE:\n   %s %s %s\n", CLI_PROG, cmd->name, cmd->summary, CLI_PROG,
		   cmd->name, cmd->usage ? cmd->usage : "[command options] [arguments...]");
	if (cmd->description)
		buf_printf(&b, "\n%s\n", cmd->description);
	if (cmd->opts && cmd->opts->name) {
		buf_puts(&b, "\nOPTIONS:\n");
		cli_opts_usage(cmd->opts, &b);
	}
	fputs(b.data, stdout);
}

void cli_main_help(const struct cli_opt *global_opts)
{
	_cleanup_(buf_done) struct buf b = {0};

	buf_printf(&b,
		   "NAME:\n   %s - Open Container Initiative runtime\n\n"
		   "%s runs containers from OCI bundles: a directory with a config.json and a\n"
		   "root filesystem. It is a drop-in replacement for runc.\n\n"
		   "To start a new instance of a container:\n\n    # %s run [ -b bundle ] <container-id>\n\n"
		   "USAGE:\n   %s [global options] command [command options] [arguments...]\n\nCOMMANDS:\n",
		   CLI_PROG, CLI_PROG, CLI_PROG, CLI_PROG);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_command *c = commands[i];
		_cleanup_free_ char *names = c->alias ? xasprintf("%s, %s", c->name, c->alias) : xstrdup(c->name);
		buf_printf(&b, "   %-11s %s\n", names, c->summary);
	}
	buf_printf(&b, "   %-11s %s\n\nGLOBAL OPTIONS:\n", "help, h",
		   "Shows a list of commands or help for one command");
	cli_opts_usage(global_opts, &b);
	fputs(b.data, stdout);
}

static int check_arg_count(const struct cli_command *cmd, int n)
{
	if (cmd->min_args == cmd->max_args && n != cmd->min_args)
		return cli_fail(CLI_EXIT_FAILURE, "'%s' requires exactly %d argument(s)", cmd->name, cmd->min_args);
	if (n < cmd->min_args)
		return cli_fail(CLI_EXIT_FAILURE, "'%s' requires a minimum of %d argument(s)", cmd->name,
				cmd->min_args);
	if (cmd->max_args >= 0 && n > cmd->max_args)
		return cli_fail(CLI_EXIT_FAILURE, "'%s' requires a maximum of %d argument(s)", cmd->name,
				cmd->max_args);
	return 0;
}

static int run_parsed(const struct cli_ctx *ctx, const struct cli_command *cmd, void *opts, const struct cli_args *a)
{
	_cleanup_error_ struct berth_error *err = NULL;
	int r;

	if (a->help) {
		cli_command_help(cmd);
		return 0;
	}
	r = check_arg_count(cmd, a->n);
	if (r != 0)
		return r;
	/* returns only when already running from a sealed copy, or on failure */
	if (cmd->sealed && rt_ensure_sealed_binary(ctx->argv, environ, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return cmd->run(ctx, opts, a);
}

int cli_command_run(const struct cli_ctx *ctx, const struct cli_command *cmd, int argc, char **argv)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ void *opts = NULL;
	struct cli_args a = {0};
	int r;

	if (!cmd->run) {
		if (argc > 0 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
			cli_command_help(cmd);
			return 0;
		}
		return cli_fail(CLI_EXIT_FAILURE, "'%s' is not supported yet", cmd->name);
	}
	opts = xcalloc(1, cmd->opts_size ? cmd->opts_size : 1);
	if (cli_parse(cmd->opts, opts, argc, argv, cmd->parse_flags, &a, &err) < 0) {
		cli_opts_done(cmd->opts, opts);
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	}
	r = run_parsed(ctx, cmd, opts, &a);
	cli_args_done(&a);
	cli_opts_done(cmd->opts, opts);
	return r;
}
