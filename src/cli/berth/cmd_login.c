/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth login: check credentials against a registry and keep them in the config directory's config.json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "image/image.h"

#define DEFAULT_SERVER "docker.io"

struct login_opts {
	const char *username, *password;
	bool password_stdin;
};

static const struct bcli_opt login_flags[] = {
	BCLI_FLAGX("password", 'p', BCLI_OPT_STRING, struct login_opts, password, "Password", NULL, "string"),
	BCLI_FLAG("password-stdin", 0, BCLI_OPT_BOOL, struct login_opts, password_stdin,
		  "Take the password from stdin"),
	BCLI_FLAGX("username", 'u', BCLI_OPT_STRING, struct login_opts, username, "Username", NULL, "string"),
	BCLI_OPT_END,
};

/* "https://host:5000/v2/" → "host:5000": what docker accepts as a server. Caller frees. */
static char *server_host(const char *server)
{
	const char *s = server;
	char *host;

	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	host = strndup(s, strcspn(s, "/"));

	if (!host)
		abort();
	return host;
}

/* One line from f without its line end; NULL at end of file. */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);

	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* Prompt on stdout and read a line from the terminal on stdin, without echo when secret. */
static char *prompt(const char *what, bool secret)
{
	struct termios old, quiet;
	bool restore = false;
	char *line;

	printf("%s: ", what);
	fflush(stdout);
	if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	line = read_line(stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		printf("\n");
	}
	return line;
}

static int non_tty(void)
{
	fflush(stdout);
	fputs("Error: Cannot perform an interactive login from a non TTY device\n", stderr);
	return 1;
}

/* The credentials to try: flags, stdin, stored ones, or a terminal prompt. */
static int credentials(const struct bcli_ctx *ctx, const struct login_opts *o, const char *host, char **ret_user,
		       char **ret_pass)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (o->password && o->password_stdin)
		return bcli_fail(BCLI_EXIT_ENGINE, "--password and --password-stdin are mutually exclusive");
	if (o->password_stdin && !o->username)
		return bcli_fail(BCLI_EXIT_ENGINE, "Must provide --username with --password-stdin");
	if (o->password) {
		fflush(stdout);
		fputs("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n", stderr);
	}
	*ret_user = o->username ? xstrdup(o->username) : NULL;
	*ret_pass = o->password ? xstrdup(o->password) : NULL;
	if (o->password_stdin && !(*ret_pass = read_line(stdin)))
		return bcli_fail(BCLI_EXIT_ENGINE, "reading the password from stdin: no input");
	if (!*ret_user && !*ret_pass && ctx->config_dir &&
	    img_cred_get(ctx->config_dir, host, ret_user, ret_pass, &err) == 0 && *ret_user) {
		printf("Authenticating with existing credentials...\n");
		return 0;
	}
	if ((!*ret_user || !*ret_pass) && !isatty(STDIN_FILENO))
		return non_tty();
	if (!*ret_user && !(*ret_user = prompt("Username", false)))
		return non_tty();
	if (!**ret_user)
		return bcli_fail(BCLI_EXIT_ENGINE, "Username cannot be empty");
	if (!*ret_pass && !(*ret_pass = prompt("Password", true)))
		return bcli_fail(BCLI_EXIT_ENGINE, "Password Required");
	if (!**ret_pass)
		return bcli_fail(BCLI_EXIT_ENGINE, "Password Required");
	return 0;
}

static int login_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct login_opts *o = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *host = server_host(args->n ? args->args[0] : DEFAULT_SERVER);
	_cleanup_free_ char *user = NULL, *pass = NULL;
	struct img_registry_opts ro = {.tls_verify = true};
	struct img_registry *reg;
	int r;

	if (!ctx->config_dir)
		return bcli_fail(BCLI_EXIT_ENGINE, "no config directory: set --config, DOCKER_CONFIG or HOME");
	r = credentials(ctx, o, host, &user, &pass);
	if (r != 0)
		return r;
	ro.user = user;
	ro.password = pass;
	reg = img_registry_new(host, &ro, &err);
	if (!reg)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	r = img_registry_login(reg, &err);
	img_registry_free(reg);
	if (r < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (img_cred_store(ctx->config_dir, host, user, pass, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, "store credentials");
	printf("Login Succeeded\n");
	return 0;
}

const struct bcli_command bcli_cmd_login = {
	.name = "login",
	.usage = "[OPTIONS] [SERVER]",
	.summary = "Log in to a registry",
	.description = "Log in to a registry.\nIf no server is specified, the default is Docker Hub.",
	.opts = login_flags,
	.opts_size = sizeof(struct login_opts),
	.min_args = 0,
	.max_args = 1,
	.run = login_run,
};
