/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth-runtime's commands: one descriptor per command (flags table, argument
 * counts, help text, handler), the table that dispatches them, and error
 * reporting to stderr and the --log file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cli/runtime/options.h"
#include "runtime/runtime.h"

#define CLI_PROG "berth-runtime"
/* The newest runtime-spec version whose config.json berth-runtime reads. */
#define CLI_OCI_SPEC_VERSION "1.1.0"

/* Exit codes as runc's: 1 for errors and usage errors, 3 for an unknown command, 255 when exec fails. */
enum {
	CLI_EXIT_FAILURE = 1,
	CLI_EXIT_NO_COMMAND = 3,
	CLI_EXIT_EXEC_FAILED = 255,
};

struct cli_ctx {
	struct rt_global g;
	char **argv; /* the whole command line, for the sealed re-exec */
};

struct cli_command {
	const char *name;
	const char *alias;	 /* or NULL */
	const char *summary;	 /* one line in the command list */
	const char *usage;	 /* after "berth-runtime NAME " */
	const char *description; /* paragraph(s) of the help text, or NULL */
	const struct cli_opt *opts;
	size_t opts_size; /* sizeof the options struct the table fills */
	unsigned parse_flags;
	int min_args, max_args; /* max -1: unlimited */
	bool sealed;		/* re-exec from a sealed copy first (CVE-2019-5736) */
	/* Returns the exit code. NULL: not supported yet. */
	int (*run)(const struct cli_ctx *ctx, void *opts, const struct cli_args *args);
};

extern const struct cli_command cli_cmd_create;
extern const struct cli_command cli_cmd_start;
extern const struct cli_command cli_cmd_run;
extern const struct cli_command cli_cmd_state;
extern const struct cli_command cli_cmd_kill;
extern const struct cli_command cli_cmd_delete;
extern const struct cli_command cli_cmd_list;
extern const struct cli_command cli_cmd_ps;
extern const struct cli_command cli_cmd_exec;
extern const struct cli_command cli_cmd_spec;
extern const struct cli_command cli_cmd_features;
extern const struct cli_command cli_cmd_pause;
extern const struct cli_command cli_cmd_resume;
extern const struct cli_command cli_cmd_update;
extern const struct cli_command cli_cmd_events;

/* The command named name (or its alias), NULL when none. */
const struct cli_command *cli_command_find(const char *name);
/* Parse argv (after the command name), check the argument count, run. Returns the exit code. */
int cli_command_run(const struct cli_ctx *ctx, const struct cli_command *cmd, int argc, char **argv);
/* Print the command's help text to stdout. */
void cli_command_help(const struct cli_command *cmd);
/* Print the program's help text (global options opts and the command list) to stdout. */
void cli_main_help(const struct cli_opt *global_opts);

/*
 * Report one error line "berth-runtime: <message>" on stderr and, when --log
 * names a file, as an error entry there too (containerd reads it). Returns code.
 */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* cli_fail with the message of *err, prefixed with "prefix: " unless prefix is NULL; frees *err. */
int cli_fail_error(int code, struct berth_error **err, const char *prefix);
