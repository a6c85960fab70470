/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth's command registry and dispatch: lookup by path, argument counts, usage errors, error lines. */
#include "cli/berth/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/internal.h"

/* Every command berth has, one line each, in any order: help sorts them. */
static const struct bcli_command *const registry[] = {
	&bcli_cmd_info,
	&bcli_cmd_version,
	&bcli_cmd_images,
	&bcli_cmd_image_inspect,
	&bcli_cmd_inspect,
	&bcli_cmd_tag,
	&bcli_cmd_rmi,
	&bcli_cmd_image_prune,
	&bcli_cmd_history,
	&bcli_cmd_load,
	&bcli_cmd_save,
	&bcli_cmd_import,
	&bcli_cmd_pull,
	&bcli_cmd_start,
	&bcli_cmd_stop,
	&bcli_cmd_restart,
	&bcli_cmd_kill,
	&bcli_cmd_rm,
	&bcli_cmd_wait,
	&bcli_cmd_monitor,
	&bcli_cmd_ps,
	&bcli_cmd_logs,
	&bcli_cmd_container_inspect,
	&bcli_cmd_create,
	&bcli_cmd_run,
	&bcli_cmd_push,
	&bcli_cmd_login,
	&bcli_cmd_logout,
	&bcli_cmd_manifest_inspect,
	&bcli_cmd_volume_create,
	&bcli_cmd_volume_ls,
	&bcli_cmd_volume_inspect,
	&bcli_cmd_volume_rm,
	&bcli_cmd_volume_prune,
	&bcli_cmd_cp,
	&bcli_cmd_export,
	&bcli_cmd_system_df,
	&bcli_cmd_system_boot,
	&bcli_cmd_top,
	&bcli_cmd_stats,
	&bcli_cmd_port,
	&bcli_cmd_rename,
	&bcli_cmd_pause,
	&bcli_cmd_unpause,
	&bcli_cmd_update,
	&bcli_cmd_container_prune,
	&bcli_cmd_system_prune,
	&bcli_cmd_events,
	&bcli_cmd_attach,
	&bcli_cmd_exec,
	&bcli_cmd_ns_ls,
	&bcli_cmd_ns_enter,
	&bcli_cmd_ns_limits,
	&bcli_cmd_network_create,
	&bcli_cmd_network_ls,
	&bcli_cmd_network_inspect,
	&bcli_cmd_network_rm,
	&bcli_cmd_network_prune,
	&bcli_cmd_network_connect,
	&bcli_cmd_network_disconnect,
};

/* Docker's management groups; one without a registered command is absent. */
static const struct bcli_group groups[] = {
	{"container", "Manage containers"},
	{"image", "Manage images"},
	{"manifest", "Manage image manifests and manifest lists"},
	{"network", "Manage networks"},
	{"ns", "Inspect and enter namespaces"},
	{"system", "Manage berth"},
	{"volume", "Manage volumes"},
};

const struct bcli_command *const *bcli_registry(size_t *ret_n)
{
	*ret_n = sizeof(registry) / sizeof(registry[0]);
	return registry;
}

const struct bcli_group *bcli_groups(size_t *ret_n)
{
	*ret_n = sizeof(groups) / sizeof(groups[0]);
	return groups;
}

const char *bcli_top_name(const struct bcli_command *c)
{
	return c->group ? c->top : c->name;
}

static bool has_alias(const struct bcli_command *c, const char *name)
{
	for (const char *const *a = c->aliases; a && *a; a++)
		if (strcmp(*a, name) == 0)
			return true;
	return false;
}

const struct bcli_command *bcli_find_top(const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		const struct bcli_command *c = registry[i];
		const char *top = bcli_top_name(c);
		if ((top && strcmp(top, name) == 0) || (!c->group && has_alias(c, name)))
			return c;
	}
	return NULL;
}

const struct bcli_command *bcli_find_sub(const struct bcli_group *g, const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		const struct bcli_command *c = registry[i];
		if (c->group && strcmp(c->group, g->name) == 0 && (strcmp(c->name, name) == 0 || has_alias(c, name)))
			return c;
	}
	return NULL;
}

bool bcli_group_has(const struct bcli_group *g, bool visible_only)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		const struct bcli_command *c = registry[i];
		if (c->group && strcmp(c->group, g->name) == 0 && (!visible_only || !c->hidden))
			return true;
	}
	return false;
}

const struct bcli_group *bcli_find_group(const char *name)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].name, name) == 0 && bcli_group_has(&groups[i], false))
			return &groups[i];
	return NULL;
}

int bcli_help_cols(void)
{
	struct winsize ws = {0};
	int width = 80;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	return width - 1;
}

int bcli_usage_error(const char *path, const char *usage, bool prefix_prog, const char *see, const char *message)
{
	_cleanup_(buf_done) struct buf b = {0};

	buf_printf(&b, "%s%s\n\n", prefix_prog ? BCLI_PROG ": " : "", message);
	if (usage)
		buf_printf(&b, "Usage:  %s\n\n", usage);
	buf_printf(&b, "%s '%s --help' for more information\n", see, path);
	fputs(b.data, stderr);
	return BCLI_EXIT_ENGINE;
}

int bcli_fail(int code, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s%s\n", BCLI_ERROR_PREFIX, msg ? msg : "out of memory");
	return code;
}

int bcli_fail_error(int code, struct berth_error **err, const char *prefix)
{
	const char *msg = *err && (*err)->msg ? (*err)->msg : "unknown error";

	if (prefix)
		bcli_fail(code, "%s: %s", prefix, msg);
	else
		bcli_fail(code, "%s", msg);
	berth_error_free(err);
	return code;
}

/* Docker's argument-count messages (cli/required.go); NULL when n fits. */
static char *check_arg_count(const struct bcli_command *c, int n, const char **ret_see)
{
	const char *plural = c->max_args == 1 ? "" : "s";

	*ret_see = "Run";
	if (n >= c->min_args && (c->max_args < 0 || n <= c->max_args))
		return NULL;
	if (c->max_args == 0)
		return xstrdup("accepts no arguments");
	if (c->min_args == c->max_args)
		return xasprintf("requires %d argument%s", c->min_args, plural);
	if (c->max_args < 0) {
		*ret_see = "See";
		return xasprintf("requires at least %d argument%s", c->min_args, c->min_args == 1 ? "" : "s");
	}
	if (c->min_args == 0)
		return xasprintf("requires at most %d argument%s", c->max_args, plural);
	return xasprintf("requires at least %d and at most %d argument%s", c->min_args, c->max_args, plural);
}

static int run_parsed(const struct bcli_ctx *ctx, const struct bcli_command *c, const char *path, void *opts,
		      const struct bcli_args *a)
{
	_cleanup_free_ char *why = NULL, *usage = NULL, *msg = NULL;
	struct bcli_ctx sub = *ctx;
	const char *see;

	if (a->help) {
		bcli_help_command(c, path);
		return 0;
	}
	why = check_arg_count(c, a->n, &see);
	if (why) {
		usage = bcli_usage_line(c, path);
		msg = xasprintf("'%s' %s", path, why);
		return bcli_usage_error(path, usage, true, see, msg);
	}
	sub.path = path;
	return c->run(&sub, c->opts_size ? opts : NULL, a);
}

int bcli_run_command(const struct bcli_ctx *ctx, const struct bcli_command *c, const char *path, int argc, char **argv)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ void *opts = xcalloc(1, c->opts_size ? c->opts_size : 1);
	struct bcli_args a = {0};
	int r;

	if (bcli_parse(c->opts, opts, argc, argv, c->no_interspersed ? BCLI_PARSE_NO_INTERSPERSED : 0, &a, &err) < 0) {
		_cleanup_free_ char *usage = bcli_usage_line(c, path);
		bcli_opts_done(c->opts, opts);
		return bcli_usage_error(path, usage, false, "Run", err->msg);
	}
	r = run_parsed(ctx, c, path, opts, &a);
	bcli_args_done(&a);
	bcli_opts_done(c->opts, opts);
	return r;
}

static int run_group(const struct bcli_ctx *ctx, const struct bcli_group *g, int argc, char **argv)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *path = xasprintf(BCLI_PROG " %s", g->name), *usage = xasprintf("%s COMMAND", path);
	_cleanup_free_ char *msg = NULL, *sub_path = NULL;
	const struct bcli_command *c;
	struct bcli_args a = {0};
	int k;

	if (bcli_parse(NULL, NULL, argc, argv, BCLI_PARSE_NO_INTERSPERSED, &a, &err) < 0)
		return bcli_usage_error(path, usage, false, "Run", err->msg);
	if (a.help || a.n == 0) {
		bcli_args_done(&a);
		bcli_help_group(g);
		return 0;
	}
	c = bcli_find_sub(g, a.args[0]);
	if (!c) {
		msg = xasprintf("unknown command: %s %s", path, a.args[0]);
		bcli_args_done(&a);
		return bcli_usage_error(path, usage, true, "Run", msg);
	}
	/* the subcommand's arguments follow its name in argv */
	for (k = 0; argv[k] != a.args[0]; k++)
		;
	bcli_args_done(&a);
	sub_path = xasprintf("%s %s", path, c->name);
	return bcli_run_command(ctx, c, sub_path, argc - k - 1, argv + k + 1);
}

static int unknown_help_topic(const char *topic)
{
	fprintf(stderr, "unknown help topic: %s\n", topic);
	return BCLI_EXIT_ENGINE;
}

/* "berth help", "berth help CMD", "berth help GROUP [CMD]". */
static int help_topic(const struct bcli_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL;
	const struct bcli_command *c;
	const struct bcli_group *g;

	if (argc == 0) {
		bcli_help_main(ctx->global_opts);
		return 0;
	}
	c = bcli_find_top(argv[0]);
	if (c) {
		path = xasprintf(BCLI_PROG " %s", bcli_top_name(c));
		bcli_help_command(c, path);
		return 0;
	}
	g = bcli_find_group(argv[0]);
	if (!g)
		return unknown_help_topic(argv[0]);
	if (argc == 1) {
		bcli_help_group(g);
		return 0;
	}
	c = bcli_find_sub(g, argv[1]);
	if (!c)
		return unknown_help_topic(argv[1]);
	path = xasprintf(BCLI_PROG " %s %s", g->name, c->name);
	bcli_help_command(c, path);
	return 0;
}

int bcli_dispatch(const struct bcli_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL, *msg = NULL;
	const struct bcli_command *c;
	const struct bcli_group *g;

	if (strcmp(argv[0], "help") == 0)
		return help_topic(ctx, argc - 1, argv + 1);
	c = bcli_find_top(argv[0]);
	if (c) {
		path = xasprintf(BCLI_PROG " %s", bcli_top_name(c));
		return bcli_run_command(ctx, c, path, argc - 1, argv + 1);
	}
	g = bcli_find_group(argv[0]);
	if (g)
		return run_group(ctx, g, argc - 1, argv + 1);
	msg = xasprintf("unknown command: " BCLI_PROG " %s", argv[0]);
	return bcli_usage_error(BCLI_PROG, NULL, true, "Run", msg);
}
