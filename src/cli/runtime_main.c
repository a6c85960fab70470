/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth-runtime: an OCI runtime with runc's command line, flag for flag.
 * Parses the global options, sets up logging and hands over to a command.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "berth-config.h"
#include "cli/runtime/commands.h"

struct global_opts {
	bool debug;
	const char *log;
	const char *log_format;
	const char *root;
	const char *criu;
	bool systemd_cgroup;
	const char *rootless;
	bool help;
	bool version;
};

#define G(field) offsetof(struct global_opts, field)
static const struct cli_opt global_options[] = {
	{"debug", 0, CLI_OPT_BOOL, G(debug), "enable debug logging", NULL},
	{"log", 0, CLI_OPT_STRING, G(log), "set the log file to write " CLI_PROG " logs to (default is '/dev/stderr')",
	 NULL},
	{"log-format", 0, CLI_OPT_STRING, G(log_format), "set the log format ('text' (default), or 'json')",
	 "\"text\""},
	{"root", 0, CLI_OPT_STRING, G(root),
	 "root directory for storage of container state (this should be located in tmpfs)", "\"/run/" CLI_PROG "\""},
	{"criu", 0, CLI_OPT_STRING, G(criu), "path to the criu binary (accepted; checkpoint is not supported)",
	 "\"criu\""},
	{"systemd-cgroup", 0, CLI_OPT_BOOL, G(systemd_cgroup),
	 "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\"", NULL},
	{"rootless", 0, CLI_OPT_STRING, G(rootless), "ignore cgroup permission errors ('true', 'false', or 'auto')",
	 "\"auto\""},
	{"help", 'h', CLI_OPT_BOOL, G(help), "show help", NULL},
	{"version", 'v', CLI_OPT_BOOL, G(version), "print the version", NULL},
	CLI_OPT_END,
};

static void print_version(void)
{
	printf("%s version %s\n", CLI_PROG, BERTH_VERSION);
	if (*BERTH_COMMIT)
		printf("commit: %s\n", BERTH_COMMIT);
	printf("spec: %s\n", CLI_OCI_SPEC_VERSION);
}

static int setup_logging(const struct global_opts *go, struct berth_error **err)
{
	enum berth_log_format fmt = BERTH_LOG_TEXT;
	const char *path = go->log;
	bool b;

	if (go->log_format && strcmp(go->log_format, "json") == 0)
		fmt = BERTH_LOG_JSON;
	else if (go->log_format && strcmp(go->log_format, "text") != 0)
		return berth_error_set(err, 0, "invalid log-format '%s'", go->log_format);
	/* runc's default; opening it as a file would print every error twice */
	if (path && strcmp(path, "/dev/stderr") == 0)
		path = NULL;
	if (berth_log_open(CLI_PROG, path, fmt, err) < 0)
		return -1;
	berth_log_set_level(go->debug ? BERTH_LOG_DEBUG : BERTH_LOG_INFO);
	if (go->rootless && strcmp(go->rootless, "auto") != 0 && cli_parse_bool(go->rootless, &b) < 0)
		return berth_error_set(err, 0, "invalid value '%s' for '--rootless': expected true, false or auto",
				       go->rootless);
	return 0;
}

/* runc makes --root absolute, so that state paths survive a chdir into the bundle. */
static char *absolute_root(const char *root)
{
	_cleanup_free_ char *cwd = NULL, *joined = NULL;

	if (!root)
		return NULL;
	if (root[0] == '/')
		return fs_path_clean(root);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return xstrdup(root);
	joined = fs_path_join(cwd, root);
	return fs_path_clean(joined);
}

static int help_command(const struct cli_args *a)
{
	const struct cli_command *cmd;

	if (a->n < 2) {
		cli_main_help(global_options);
		return 0;
	}
	cmd = cli_command_find(a->args[1]);
	if (!cmd)
		return cli_fail(CLI_EXIT_NO_COMMAND, "No help topic for '%s'", a->args[1]);
	cli_command_help(cmd);
	return 0;
}

static int dispatch(const struct global_opts *go, const struct cli_args *a, int argc, char **argv)
{
	_cleanup_free_ char *root = absolute_root(go->root);
	const struct cli_command *cmd;
	struct cli_ctx ctx = {
		.g = {.root = root, .debug = go->debug, .systemd_cgroup = go->systemd_cgroup},
		.argv = argv,
	};
	int k = 1;

	if (strcmp(a->args[0], "help") == 0 || strcmp(a->args[0], "h") == 0)
		return help_command(a);
	cmd = cli_command_find(a->args[0]);
	if (!cmd)
		return cli_fail(CLI_EXIT_NO_COMMAND, "No help topic for '%s'", a->args[0]);
	/* the positionals point into argv: the command's own arguments follow its name */
	while (k < argc && argv[k] != a->args[0])
		k++;
	return cli_command_run(&ctx, cmd, argc - k - 1, argv + k + 1);
}

int main(int argc, char **argv)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct global_opts go = {0};
	struct cli_args a = {0};
	int r;

	/* plain stderr until the options say otherwise, so that option errors name this program */
	berth_log_open(CLI_PROG, NULL, BERTH_LOG_TEXT, NULL);
	if (cli_parse(global_options, &go, argc - 1, argv + 1, 0, &a, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	if (go.version) {
		print_version();
		r = 0;
	} else if (go.help || a.help || a.n == 0) {
		cli_main_help(global_options);
		r = 0;
	} else if (setup_logging(&go, &err) < 0) {
		r = cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	} else {
		r = dispatch(&go, &a, argc, argv);
	}
	cli_args_done(&a);
	fflush(stdout);
	berth_log_close();
	return r;
}
