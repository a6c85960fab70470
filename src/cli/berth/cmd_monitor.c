/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth container-monitor: the hidden command a container's monitor runs as (see engine/monitor.c). */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

extern char **environ;

struct monitor_opts {
	int ready_fd;
	bool attach_wait;
};

static const struct bcli_opt monitor_flags[] = {
	BCLI_FLAGX("ready-fd", 0, BCLI_OPT_INT, struct monitor_opts, ready_fd, "Report readiness on this fd", "-1",
		   NULL),
	BCLI_FLAG("attach-wait", 0, BCLI_OPT_BOOL, struct monitor_opts, attach_wait,
		  "Wait for an attach client before starting the process"),
	BCLI_OPT_END,
};

static int monitor_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct monitor_opts *o = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	struct eng_opts eo = {.root = ctx->root, .runroot = ctx->runroot, .config_dir = ctx->config_dir};

	/* CVE-2019-5736: the container's init starts as a copy of this process; run from a sealed memfd */
	if (rt_ensure_sealed_binary(ctx->argv, environ, &err) < 0) {
		if (o->ready_fd >= 0)
			dprintf(o->ready_fd, "error: %s\n", err->msg);
		return BCLI_EXIT_ENGINE;
	}
	if (eng_open(&eo, &e, &err) < 0) {
		if (o->ready_fd >= 0)
			dprintf(o->ready_fd, "error: %s\n", err->msg);
		return BCLI_EXIT_ENGINE;
	}
	return eng_monitor_run(e, args->args[0], o->ready_fd, o->attach_wait);
}

const struct bcli_command bcli_cmd_monitor = {
	.name = "container-monitor",
	.usage = "[OPTIONS] CONTAINER",
	.summary = "Run a container's monitor (internal)",
	.opts = monitor_flags,
	.opts_size = sizeof(struct monitor_opts),
	.min_args = 1,
	.max_args = 1,
	.hidden = true,
	.run = monitor_run,
};
