/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime ps: a container's processes, as pids in JSON or as the matching lines of ps(1). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "cli/runtime/table.h"

struct ps_opts {
	const char *format;
};

static const struct cli_opt ps_options[] = {
	{"format", 'f', CLI_OPT_STRING, offsetof(struct ps_opts, format), "select one of: table or json", "\"table\""},
	CLI_OPT_END,
};

static void ps_child(int out, char **argv)
{
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "exec 'ps': %s\n", strerror(errno));
	_exit(127);
}

/* Run ps with args (none: "-ef"), collecting its stdout and stderr as runc's CombinedOutput. */
static int run_ps(char **args, int n_args, char **ret_output, struct berth_error **err)
{
	_cleanup_(buf_done) struct buf out = {0};
	_cleanup_free_ char **argv = xcalloc((size_t)n_args + 3, sizeof(char *));
	_cleanup_close_ int rd = -1, wr = -1;
	int fds[2], status;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	argv[0] = (char *)"ps";
	for (int i = 0; i < n_args; i++)
		argv[i + 1] = args[i];
	if (n_args == 0)
		argv[1] = (char *)"-ef";
	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "create pipe for 'ps'");
	rd = fds[0];
	wr = fds[1];
	pid = fork();
	if (pid < 0)
		return berth_error_set(err, errno, "fork 'ps'");
	if (pid == 0)
		ps_child(wr, argv);
	close(TAKE_FD(wr));
	buf_puts(&out, "");
	while ((n = read(rd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_append(&out, chunk, (size_t)n);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* one line: ps(1) puts its complaint first, then its usage */
		out.data[strcspn(out.data, "\n")] = '\0';
		return berth_error_set(err, 0, "'ps' exit status %d: %s", proc_status_to_code(status), out.data);
	}
	*ret_output = buf_steal(&out);
	return 0;
}

static void print_pids_json(const pid_t *pids, size_t n)
{
	/* json.Encoder: [1,2,3] and a newline; a nil list is null */
	if (n == 0) {
		puts("null");
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("%c%d", i == 0 ? '[' : ',', (int)pids[i]);
	puts("]");
}

static int ps_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_(buf_done) struct buf b = {0};
	_cleanup_free_ char *output = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	const struct ps_opts *o = opts;
	bool json;
	size_t n = 0;

	json = o->format && strcmp(o->format, "json") == 0;
	if (rt_ps(&ctx->g, args->args[0], &pids, &n, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	if (json) {
		print_pids_json(pids, n);
		return 0;
	}
	if (o->format && strcmp(o->format, "table") != 0)
		return cli_fail(CLI_EXIT_FAILURE, "invalid format option");
	if (run_ps(args->args + 1, args->n - 1, &output, &err) < 0 || cli_ps_filter(output, pids, n, &b, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	fputs(b.data, stdout);
	return 0;
}

const struct cli_command cli_cmd_ps = {
	.name = "ps",
	.summary = "ps displays the processes running inside a container",
	.usage = "[command options] <container-id> [ps options]",
	.opts = ps_options,
	.opts_size = sizeof(struct ps_opts),
	/* everything after the id goes to ps(1) */
	.parse_flags = 0,
	.min_args = 1,
	.max_args = -1,
	.run = ps_run,
};
