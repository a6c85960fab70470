/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth's command tree: one descriptor per command, the registry that places
 * it at the top level and/or in a management group (container, image, ...),
 * dispatch, Docker's help layout and Docker's usage-error messages.
 *
 * Adding a command: write src/cli/berth/cmd_<name>.c defining
 * `const struct bcli_command bcli_cmd_<name>`, add one extern below and one
 * line to the registry in commands.c, and the file to src/cli/meson.build.
 *
 * Errors: usage errors (bad flags, argument counts, unknown commands) take
 * Docker's shapes and exit 125. Errors of the work itself are one line on
 * stderr as CONVENTIONS.md wants it: "berth: <message>",
 * printed by bcli_fail / bcli_fail_error only, so the prefix lives in one place.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cli/berth/options.h"

#define BCLI_PROG "berth"
/* What Docker's API version fields report: the engine API berth's output follows. */
#define BCLI_API_VERSION "1.41"
#define BCLI_ERROR_PREFIX "berth: "

/* Docker's exit codes: 125 the engine failed (usage errors too), 126 cannot invoke, 127 not found. */
enum {
	BCLI_EXIT_ENGINE = 125,
	BCLI_EXIT_CANNOT_INVOKE = 126,
	BCLI_EXIT_NOT_FOUND = 127,
};

/* The global options, given before the command, for every handler. */
struct bcli_ctx {
	const char *root;	/* --root, BERTH_ROOT, /var/lib/berth */
	const char *runroot;	/* --runroot, BERTH_RUNROOT, /run/berth */
	const char *config_dir; /* --config, DOCKER_CONFIG, ~/.docker: registry credentials */
	int log_level;		/* enum berth_log_level from --log-level (and -D) */
	bool debug;		/* -D, --debug */
	int argc;		/* the whole command line, for re-executing this binary (the monitor) */
	char **argv;
	const char *path; /* the command as called: "berth container ls" */
	const struct bcli_opt *global_opts;
};

struct bcli_command {
	const char *name;	     /* "ls": its name in its group, or its top-level name */
	const char *const *aliases;  /* more names in the same place, NULL-terminated, or NULL */
	const char *group;	     /* "image": the management group it sits in, or NULL */
	const char *top;	     /* "images": its name at the top level too, or NULL */
	const char *usage;	     /* after the command path: "[OPTIONS] IMAGE [IMAGE...]" */
	const char *summary;	     /* one line for command lists: "List images" */
	const char *description;     /* the help's paragraph, or NULL for the summary */
	const struct bcli_opt *opts; /* NULL or BCLI_OPT_END-terminated */
	size_t opts_size;	     /* sizeof the options struct the table fills */
	int min_args, max_args;	     /* max -1: unlimited */
	bool no_interspersed;	     /* flags end at the first positional (run, create, exec) */
	bool hidden;		     /* callable, never listed (the monitor) */
	/* Returns the exit code; opts is the filled options struct (or NULL when opts_size is 0). */
	int (*run)(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args);
};

extern const struct bcli_command bcli_cmd_version;
extern const struct bcli_command bcli_cmd_info;
extern const struct bcli_command bcli_cmd_images;
extern const struct bcli_command bcli_cmd_image_inspect;
extern const struct bcli_command bcli_cmd_inspect;
extern const struct bcli_command bcli_cmd_tag;
extern const struct bcli_command bcli_cmd_rmi;
extern const struct bcli_command bcli_cmd_image_prune;
extern const struct bcli_command bcli_cmd_history;
extern const struct bcli_command bcli_cmd_load;
extern const struct bcli_command bcli_cmd_save;
extern const struct bcli_command bcli_cmd_import;
extern const struct bcli_command bcli_cmd_pull;
extern const struct bcli_command bcli_cmd_start;
extern const struct bcli_command bcli_cmd_stop;
extern const struct bcli_command bcli_cmd_restart;
extern const struct bcli_command bcli_cmd_kill;
extern const struct bcli_command bcli_cmd_rm;
extern const struct bcli_command bcli_cmd_wait;
extern const struct bcli_command bcli_cmd_monitor;
extern const struct bcli_command bcli_cmd_ps;
extern const struct bcli_command bcli_cmd_logs;
extern const struct bcli_command bcli_cmd_container_inspect;
extern const struct bcli_command bcli_cmd_create;
extern const struct bcli_command bcli_cmd_run;
extern const struct bcli_command bcli_cmd_push;
extern const struct bcli_command bcli_cmd_login;
extern const struct bcli_command bcli_cmd_logout;
extern const struct bcli_command bcli_cmd_manifest_inspect;
extern const struct bcli_command bcli_cmd_volume_create;
extern const struct bcli_command bcli_cmd_volume_ls;
extern const struct bcli_command bcli_cmd_volume_inspect;
extern const struct bcli_command bcli_cmd_volume_rm;
extern const struct bcli_command bcli_cmd_volume_prune;
extern const struct bcli_command bcli_cmd_cp;
extern const struct bcli_command bcli_cmd_export;
extern const struct bcli_command bcli_cmd_system_df;
extern const struct bcli_command bcli_cmd_system_boot;
extern const struct bcli_command bcli_cmd_top;
extern const struct bcli_command bcli_cmd_stats;
extern const struct bcli_command bcli_cmd_port;
extern const struct bcli_command bcli_cmd_rename;
extern const struct bcli_command bcli_cmd_pause;
extern const struct bcli_command bcli_cmd_unpause;
extern const struct bcli_command bcli_cmd_update;
extern const struct bcli_command bcli_cmd_container_prune;
extern const struct bcli_command bcli_cmd_system_prune;
extern const struct bcli_command bcli_cmd_events;
extern const struct bcli_command bcli_cmd_attach;
extern const struct bcli_command bcli_cmd_exec;
extern const struct bcli_command bcli_cmd_ns_ls;
extern const struct bcli_command bcli_cmd_ns_enter;
extern const struct bcli_command bcli_cmd_ns_limits;
extern const struct bcli_command bcli_cmd_network_create, bcli_cmd_network_ls, bcli_cmd_network_inspect,
	bcli_cmd_network_rm, bcli_cmd_network_prune, bcli_cmd_network_connect, bcli_cmd_network_disconnect;

/*
 * Run the command line after the global options: argv[0] names a command, a
 * group or "help". Prints help, usage errors or the command's output, and
 * returns the exit code.
 */
int bcli_dispatch(const struct bcli_ctx *ctx, int argc, char **argv);

/* The program's help (commands by section, global options) on stdout. */
void bcli_help_main(const struct bcli_opt *global_opts);

/*
 * A usage error in Docker's shape on stderr: message, the usage line of path,
 * and where to get help ("Run 'berth run --help' for more information").
 * prefix_prog puts "berth: " before message (argument-count errors). Returns 125.
 */
int bcli_usage_error(const char *path, const char *usage, bool prefix_prog, const char *see, const char *message);

/* "berth: <message>" on stderr; returns code. */
int bcli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* bcli_fail with the message of *err, prefixed "prefix: " unless prefix is NULL; frees *err. */
int bcli_fail_error(int code, struct berth_error **err, const char *prefix);

/* The width help text wraps at: the terminal's on stdin, else 80; minus one, as docker. */
int bcli_help_cols(void);
