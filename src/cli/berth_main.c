/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth: a daemonless container engine with Docker's command line. Parses the
 * global options (given before the command), sets up logging and dispatches.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "berth-config.h"
#include "cli/berth/commands.h"

struct global_opts {
	const char *config;
	bool debug;
	const char *log_level;
	const char *root;
	const char *runroot;
	bool version;
};

#define G(field) offsetof(struct global_opts, field)
/* Not const: the defaults of --config, --root and --runroot come from the environment. */
static struct bcli_opt global_options[] = {
	{"config", 0, BCLI_OPT_STRING, G(config), "Location of client config files", NULL, NULL, false},
	{"debug", 'D', BCLI_OPT_BOOL, G(debug), "Enable debug mode", NULL, NULL, false},
	{"log-level", 'l', BCLI_OPT_STRING, G(log_level),
	 "Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")", "info", NULL, false},
	{"root", 0, BCLI_OPT_STRING, G(root), "Root directory of persistent berth state (images, containers, volumes)",
	 NULL, NULL, false},
	{"runroot", 0, BCLI_OPT_STRING, G(runroot), "Root directory of berth's runtime state", NULL, NULL, false},
	{"version", 'v', BCLI_OPT_BOOL, G(version), "Print version information and quit", NULL, NULL, false},
	BCLI_OPT_END,
};

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

/* Docker's: $DOCKER_CONFIG, else ~/.docker. */
static char *default_config_dir(void)
{
	const char *home = getenv("HOME");

	if (getenv("DOCKER_CONFIG") && *getenv("DOCKER_CONFIG"))
		return xstrdup(getenv("DOCKER_CONFIG"));
	return xasprintf("%s/.docker", home && *home ? home : "/root");
}

static int parse_log_level(const char *s, int *ret)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{"debug", BERTH_LOG_DEBUG}, {"info", BERTH_LOG_INFO},	{"warn", BERTH_LOG_WARN},
		{"error", BERTH_LOG_ERROR}, {"fatal", BERTH_LOG_ERROR},
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(levels[i].name, s) == 0) {
			*ret = levels[i].level;
			return 0;
		}
	}
	return -1;
}

/* "berth version 0.1.0, build 30128b7", as `docker -v`. */
static void print_short_version(void)
{
	printf(BCLI_PROG " version %s, build %s\n", BERTH_VERSION, *BERTH_COMMIT ? BERTH_COMMIT : "unknown");
}

static int run(const struct global_opts *go, const struct bcli_args *a, int argc, char **argv)
{
	struct bcli_ctx ctx = {
		.root = go->root,
		.runroot = go->runroot,
		.config_dir = go->config,
		.debug = go->debug,
		.argc = argc,
		.argv = argv,
		.path = BCLI_PROG,
		.global_opts = global_options,
	};

	if (parse_log_level(go->log_level, &ctx.log_level) < 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "unable to parse logging level: %s", go->log_level);
	if (go->debug)
		ctx.log_level = BERTH_LOG_DEBUG;
	berth_log_set_level(ctx.log_level);
	return bcli_dispatch(&ctx, a->n, a->args);
}

int main(int argc, char **argv)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *config_dir = default_config_dir();
	struct global_opts go = {0};
	struct bcli_args a = {0};
	int r;

	global_options[0].deflt = config_dir;
	global_options[3].deflt = env_or("BERTH_ROOT", "/var/lib/berth");
	global_options[4].deflt = env_or("BERTH_RUNROOT", "/run/berth");
	berth_log_open(BCLI_PROG, NULL, BERTH_LOG_TEXT, NULL);
	/* global options end at the command's name: what follows is the command's */
	if (bcli_parse(global_options, &go, argc - 1, argv + 1, BCLI_PARSE_NO_INTERSPERSED, &a, &err) < 0) {
		r = bcli_usage_error(BCLI_PROG, BCLI_PROG " [OPTIONS] COMMAND [ARG...]", false, "Run", err->msg);
	} else if (go.version) {
		print_short_version();
		r = 0;
	} else if (a.help || a.n == 0) {
		bcli_help_main(global_options);
		r = 0;
	} else {
		r = run(&go, &a, argc, argv);
	}
	bcli_args_done(&a);
	fflush(stdout);
	berth_log_close();
	return r;
}
