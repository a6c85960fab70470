/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth exec (container exec): run a command in a running container, in this process (engine/attach.h). */
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_parse.h"
#include "engine/engine.h"

struct exec_flags {
	char **env, **env_file;
	const char *detach_keys, *user, *workdir;
	bool detach, interactive, privileged, tty;
};

static const struct bcli_opt exec_flags[] = {
	BCLI_FLAG("detach", 'd', BCLI_OPT_BOOL, struct exec_flags, detach,
		  "Detached mode: run command in the background"),
	BCLI_FLAGX("detach-keys", 0, BCLI_OPT_STRING, struct exec_flags, detach_keys,
		   "Override the key sequence for detaching a container", NULL, "string"),
	BCLI_FLAGX("env", 'e', BCLI_OPT_LIST, struct exec_flags, env, "Set environment variables", NULL, "list"),
	BCLI_FLAGX("env-file", 0, BCLI_OPT_LIST, struct exec_flags, env_file, "Read in a file of environment variables",
		   NULL, "list"),
	BCLI_FLAG("interactive", 'i', BCLI_OPT_BOOL, struct exec_flags, interactive,
		  "Keep STDIN open even if not attached"),
	BCLI_FLAG("privileged", 0, BCLI_OPT_BOOL, struct exec_flags, privileged,
		  "Give extended privileges to the command"),
	BCLI_FLAG("tty", 't', BCLI_OPT_BOOL, struct exec_flags, tty, "Allocate a pseudo-TTY"),
	BCLI_FLAGX("user", 'u', BCLI_OPT_STRING, struct exec_flags, user,
		   "Username or UID (format: \"<name|uid>[:<group|gid>]\")", NULL, "string"),
	BCLI_FLAGX("workdir", 'w', BCLI_OPT_STRING, struct exec_flags, workdir,
		   "Working directory inside the container", NULL, "string"),
	BCLI_OPT_END,
};

/* --env-file first, then -e, as docker's ReadKVEnvStrings. */
static int collect_env(const struct exec_flags *f, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **env = NULL;

	for (char **p = f->env_file; p && *p; p++)
		if (bcli_run_env_file_read(*p, true, &env, err) < 0)
			return -1;
	for (char **p = f->env; p && *p; p++)
		if (bcli_run_env_add(*p, &env, err) < 0)
			return -1;
	*ret = TAKE_PTR(env);
	return 0;
}

static int exec_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct exec_flags *f = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_strv_ char **env = NULL;
	struct eng_exec_opts o = {
		.args = args->args + 1,
		.user = f->user && *f->user ? f->user : NULL,
		.workdir = f->workdir && *f->workdir ? f->workdir : NULL,
		.interactive = f->interactive,
		.tty = f->tty,
		.detach = f->detach,
		.privileged = f->privileged,
	};
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n;
	int code = 0;

	if (collect_env(f, &env, &err) < 0 ||
	    (f->detach_keys && eng_detach_keys_parse(f->detach_keys, keys, &n, &err) < 0))
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (f->tty && f->interactive && !f->detach && !isatty(0))
		return bcli_fail(1, "the input device is not a TTY");
	o.env = env;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_exec(e, args->args[0], &o, &code, &err) < 0) {
		code = eng_exec_error_code(err->msg);
		return bcli_fail_error(code, &err, code == 1 ? "Error response from daemon" : NULL);
	}
	return code;
}

const struct bcli_command bcli_cmd_exec = {
	.name = "exec",
	.group = "container",
	.top = "exec",
	.usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
	.summary = "Execute a command in a running container",
	.opts = exec_flags,
	.opts_size = sizeof(struct exec_flags),
	.min_args = 2,
	.max_args = -1,
	.no_interspersed = true,
	.run = exec_run,
};
