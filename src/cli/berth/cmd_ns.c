/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth ns ls, ns enter and ns limits: the namespaces of running containers and
 * of the host, a host binary run inside a container's namespaces, and how many
 * namespaces of each type exist against the kernel's limits.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/internal.h"
#include "engine/engine.h"

#define FORMAT_HELP                                                                                                   \
	"Format output using a custom template:\n'table':            Print output in table format with column "       \
	"headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':   " \
	"          Print in JSON format\n'TEMPLATE':         Print output using the given Go template"

/* ---- ls ---- */

struct ls_opts {
	const char *format;
};

static const struct bcli_opt ls_flags[] = {
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct ls_opts, format, FORMAT_HELP, NULL, "string"),
	BCLI_OPT_END,
};

static int ls_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {
		{"Type", "TYPE"}, {"NS", "NS"}, {"Procs", "PROCS"}, {"Owner", "OWNER"}, {"Path", "PATH"}};
	struct ls_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL;
	int rc;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ns_list(e, args->n ? args->args[0] : NULL, &rows, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	rc = bcli_print_rows(rows, o->format, cols, sizeof(cols) / sizeof(cols[0]));
	json_decref(rows);
	return rc;
}

const struct bcli_command bcli_cmd_ns_ls = {
	.name = "ls",
	.aliases = (const char *const[]){"list", NULL},
	.group = "ns",
	.usage = "[OPTIONS] [CONTAINER]",
	.summary = "List the namespaces of running containers and of the host",
	.description = "List the namespaces of running containers and of the host, one row per namespace: its type, "
		       "its inode, how many host processes are in it, its owner (the containers whose init is in "
		       "it, or \"host\") and its path under /proc. With CONTAINER, only that container's.",
	.opts = ls_flags,
	.opts_size = sizeof(struct ls_opts),
	.max_args = 1,
	.run = ls_run,
};

/* ---- enter ---- */

struct enter_opts {
	const char *types;
};

static const struct bcli_opt enter_flags[] = {
	BCLI_FLAGX("type", 't', BCLI_OPT_STRING, struct enter_opts, types,
		   "Namespaces to enter: mnt, pid, uts, ipc, net, user, cgroup, time or all, comma-separated", "net",
		   "list"),
	BCLI_OPT_END,
};

static int enter_usage_error(const struct bcli_ctx *ctx, const char *msg)
{
	_cleanup_free_ char *usage = bcli_usage_line(&bcli_cmd_ns_enter, ctx->path);

	return bcli_usage_error(ctx->path, usage, false, "Run", msg);
}

/*
 * Flags end at CONTAINER (the command's own flags are not ours), but -t may
 * follow it as in "ns enter web -t net,mnt -- ip link": -t LIST, -tLIST,
 * -t=LIST, --type LIST, --type=LIST, then an optional "--". *ret_cmd gets the
 * index of COMMAND in args; -1 when a -t lacks its value.
 */
static int take_late_flags(const struct bcli_args *args, const char **types, int *ret_cmd)
{
	int i = 1;

	while (i < args->n) {
		const char *a = args->args[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-t") == 0 || strcmp(a, "--type") == 0) {
			if (i + 1 >= args->n)
				return -1;
			*types = args->args[i + 1];
			i += 2;
		} else if (strncmp(a, "--type=", 7) == 0) {
			*types = a + 7;
			i++;
		} else if (strncmp(a, "-t", 2) == 0 && a[2]) {
			*types = a + 2 + (a[2] == '=');
			i++;
		} else {
			break;
		}
	}
	*ret_cmd = i;
	return 0;
}

static int enter_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct enter_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	const char *list = o->types;
	unsigned types = 0;
	int code = 0, cmd;

	if (take_late_flags(args, &list, &cmd) < 0)
		return enter_usage_error(ctx, "flag needs an argument: 't' in -t");
	if (cmd >= args->n)
		return enter_usage_error(ctx, "no command given after the container");
	if (eng_ns_types_parse(list, &types, &err) < 0) {
		_cleanup_free_ char *msg =
			xasprintf("invalid argument \"%s\" for \"-t, --type\" flag: %s", list, err->msg);
		return enter_usage_error(ctx, msg);
	}
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ns_enter(e, args->args[0], types, args->args + cmd, &code, &err) < 0)
		return bcli_fail_error(eng_start_error_code(err->msg), &err, NULL);
	return code;
}

const struct bcli_command bcli_cmd_ns_enter = {
	.name = "enter",
	.group = "ns",
	.usage = "[OPTIONS] CONTAINER [--] COMMAND [ARG...]",
	.summary = "Run a host command inside a running container's namespaces",
	.description = "Run a command of the host (looked up on the host's PATH, so images without tools work) "
		       "inside namespaces of a running container's init, as nsenter does. -t names them "
		       "(default: net); \"all\" enters every one the container does not share with the caller. With "
		       "mnt the binary is opened before entering: a static one works, a dynamically linked one needs "
		       "its loader in the container. The exit code is the command's.",
	.opts = enter_flags,
	.opts_size = sizeof(struct enter_opts),
	.min_args = 2,
	.max_args = -1,
	.no_interspersed = true,
	.run = enter_run,
};

/* ---- limits ---- */

struct limits_opts {
	const char *format;
};

static const struct bcli_opt limits_flags[] = {
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct limits_opts, format, FORMAT_HELP, NULL, "string"),
	BCLI_OPT_END,
};

static int limits_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {{"Type", "TYPE"}, {"InUse", "IN USE"}, {"Limit", "LIMIT"}};
	struct limits_opts *o = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL;
	int rc;

	(void)ctx;
	(void)args;
	if (eng_ns_limits_build("/proc", &rows, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	rc = bcli_print_rows(rows, o->format, cols, sizeof(cols) / sizeof(cols[0]));
	json_decref(rows);
	return rc;
}

const struct bcli_command bcli_cmd_ns_limits = {
	.name = "limits",
	.group = "ns",
	.usage = "[OPTIONS]",
	.summary = "Show how many namespaces of each type exist against the kernel's limits",
	.description = "Show, per namespace type, how many distinct namespaces the host's processes are in and the "
		       "limit of /proc/sys/user/max_TYPE_namespaces.",
	.opts = limits_flags,
	.opts_size = sizeof(struct limits_opts),
	.max_args = 0,
	.run = limits_run,
};
