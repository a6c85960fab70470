/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime exec: run a new process in a running container; the foreground form exits with its status. */
#include <stddef.h>
#include <string.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "cli/runtime/flags.h"

struct exec_opts {
	const char *console_socket;
	const char *cwd;
	char **env;
	bool tty;
	const char *user;
	char **additional_gids;
	const char *process;
	bool detach;
	const char *pid_file;
	const char *process_label;
	const char *apparmor;
	bool no_new_privs;
	char **caps;
	int preserve_fds;
	char **cgroup;
	bool ignore_paused;
};

#define O(field) offsetof(struct exec_opts, field)
static const struct cli_opt exec_options[] = {
	CLI_FLAG_CONSOLE_SOCKET(struct exec_opts, console_socket),
	{"cwd", 0, CLI_OPT_STRING, O(cwd), "current working directory in the container", NULL},
	{"env", 'e', CLI_OPT_STRV, O(env), "set environment variables", NULL},
	{"tty", 't', CLI_OPT_BOOL, O(tty), "allocate a pseudo-TTY", NULL},
	{"user", 'u', CLI_OPT_STRING, O(user), "UID (format: <uid>[:<gid>])", NULL},
	{"additional-gids", 'g', CLI_OPT_STRV, O(additional_gids), "additional gids", NULL},
	{"process", 'p', CLI_OPT_STRING, O(process), "path to the process.json", NULL},
	{"detach", 'd', CLI_OPT_BOOL, O(detach), "detach from the container's process", NULL},
	CLI_FLAG_PID_FILE(struct exec_opts, pid_file),
	{"process-label", 0, CLI_OPT_STRING, O(process_label),
	 "set the asm process label for the process commonly used with selinux (accepted, not applied)", NULL},
	{"apparmor", 0, CLI_OPT_STRING, O(apparmor), "set the apparmor profile for the process (accepted, not applied)",
	 NULL},
	{"no-new-privs", 0, CLI_OPT_BOOL, O(no_new_privs), "set the no new privileges value for the process", NULL},
	{"cap", 'c', CLI_OPT_STRV, O(caps), "add a capability to the bounding set for the process", NULL},
	CLI_FLAG_PRESERVE_FDS(struct exec_opts, preserve_fds),
	{"cgroup", 0, CLI_OPT_STRV, O(cgroup),
	 "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>. (accepted, not "
	 "applied)",
	 NULL},
	{"ignore-paused", 0, CLI_OPT_BOOL, O(ignore_paused), "allow exec in a paused container", NULL},
	CLI_OPT_END,
};

static int parse_id(const char *s, const char *what, unsigned *ret, struct berth_error **err)
{
	int n = 0;

	if (parse_int(s, &n) < 0 || n < 0)
		return berth_error_set(err, 0, "parsing '%s' as int for %s failed", s, what);
	*ret = (unsigned)n;
	return 0;
}

/*
 * "uid[:gid]" as runc reads it. Without a gid, gid is (gid_t)-1: the
 * library keeps the gid of the container's process.
 */
static int parse_user(const char *s, struct rt_exec_opts *eo, struct berth_error **err)
{
	_cleanup_free_ char *uid = xstrdup(s);
	char *colon = strchr(uid, ':');
	unsigned id = 0;

	eo->gid = (gid_t)-1;
	if (colon) {
		*colon = '\0';
		if (parse_id(colon + 1, "gid", &id, err) < 0)
			return -1;
		eo->gid = id;
	}
	if (parse_id(uid, "uid", &id, err) < 0)
		return -1;
	eo->uid = id;
	eo->has_user = true;
	return 0;
}

/* Turn the flags into rt_exec_opts, checking what runc checks before it touches the container. */
static int build_exec_opts(const struct exec_opts *o, const struct cli_args *args, struct rt_exec_opts *eo,
			   struct berth_error **err)
{
	unsigned gid = 0;

	*eo = (struct rt_exec_opts){
		.process_file = o->process,
		.args = args->n > 1 ? args->args + 1 : NULL,
		.tty = o->tty,
		.console_socket = o->console_socket,
		.env = o->env,
		.cwd = o->cwd,
		.caps = o->caps,
		.detach = o->detach,
		.pid_file = o->pid_file,
		.no_new_privs = o->no_new_privs,
		.preserve_fds = o->preserve_fds,
	};
	if (!o->process && args->n < 2)
		return berth_error_set(err, 0, "process args cannot be empty");
	if (o->preserve_fds < 0)
		return berth_error_set(err, 0, "invalid value '%d' for '--preserve-fds'", o->preserve_fds);
	if (o->user && *o->user && parse_user(o->user, eo, err) < 0)
		return -1;
	if (o->additional_gids)
		eo->additional_gids = xcalloc(strv_length(o->additional_gids), sizeof(gid_t));
	for (char **g = o->additional_gids; g && *g; g++) {
		if (parse_id(*g, "gid", &gid, err) < 0)
			return -1;
		eo->additional_gids[eo->n_additional_gids++] = gid;
	}
	return 0;
}

static int exec_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct exec_opts *o = opts;
	struct rt_exec_opts eo = {0};
	int status = 0, rc;

	rc = build_exec_opts(o, args, &eo, &err) < 0 || rt_exec(&ctx->g, args->args[0], &eo, &status, &err) < 0;
	free(eo.additional_gids);
	if (rc)
		return cli_fail_error(CLI_EXIT_EXEC_FAILED, &err, "exec failed");
	return o->detach ? 0 : status;
}

const struct cli_command cli_cmd_exec = {
	.name = "exec",
	.summary = "execute new process inside the container",
	.usage = "[command options] <container-id> <command> [command options]  || -p process.json <container-id>",
	.description = "Where \"<container-id>\" is the name for the instance of the container and\n"
		       "\"<command>\" is the command to be executed in the container.\n"
		       "\"<command>\" can't be empty unless a \"-p\" flag provided.\n\n"
		       "EXAMPLE:\n"
		       "For example, if the container is configured to run the linux ps command the\n"
		       "following will output a list of processes running in the container:\n\n"
		       "       # " CLI_PROG " exec <container-id> ps",
	.opts = exec_options,
	.opts_size = sizeof(struct exec_opts),
	/* everything after the id is the command and its arguments */
	.parse_flags = 0,
	.min_args = 1,
	.max_args = -1,
	.sealed = true,
	.run = exec_run,
};
