/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth container-monitor: the hidden command a container's monitor runs as
 * (see engine/monitor.c); the binary is protected (CVE-2019-5736) before
 * anything else, by runtime/exe_overlay.c or a sealed copy.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

extern char **environ;

struct monitor_opts {
	int ready_fd;
	bool attach_wait;
	/* --resume: berth-shim's exec when the process it served has exited */
	bool resume;
	int resume_status, listen_fd, restarts, backoff_ms;
	const char *started;
	char **clients;
};

static const struct bcli_opt monitor_flags[] = {
	BCLI_FLAGX("ready-fd", 0, BCLI_OPT_INT, struct monitor_opts, ready_fd, "Report readiness on this fd", "-1",
		   NULL),
	BCLI_FLAG("attach-wait", 0, BCLI_OPT_BOOL, struct monitor_opts, attach_wait,
		  "Wait for an attach client before starting the process"),
	BCLI_FLAG("resume", 0, BCLI_OPT_BOOL, struct monitor_opts, resume, "Resume after berth-shim"),
	BCLI_FLAG("resume-status", 0, BCLI_OPT_INT, struct monitor_opts, resume_status,
		  "The wait status of the process"),
	BCLI_FLAGX("listen-fd", 0, BCLI_OPT_INT, struct monitor_opts, listen_fd, "The attach socket", "-1", NULL),
	BCLI_FLAG("client", 0, BCLI_OPT_LIST, struct monitor_opts, clients, "An attached client (FD:STREAMS:HELLO)"),
	BCLI_FLAG("restarts", 0, BCLI_OPT_INT, struct monitor_opts, restarts, "Restarts so far"),
	BCLI_FLAG("backoff-ms", 0, BCLI_OPT_INT, struct monitor_opts, backoff_ms, "The next restart back-off"),
	BCLI_FLAG("started", 0, BCLI_OPT_STRING, struct monitor_opts, started, "When the run started (time_t)"),
	BCLI_OPT_END,
};

/* Run from a binary the container cannot write to: the overlay when it can, else a sealed memfd copy. */
static int protect_binary(const struct bcli_ctx *ctx, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *why = NULL;

	/* the engine executes monitors through the overlay already (container_start.c) */
	if (rt_exe_protected())
		return 0;
	/* no overlayfs or no mount API here (rootless, old kernels): the copy */
	rt_exec_from_overlay(ctx->argv, environ, ctx->runroot, &why);
	return rt_ensure_sealed_binary(ctx->argv, environ, err);
}

static int monitor_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct monitor_opts *o = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	struct eng_opts eo = {.root = ctx->root, .runroot = ctx->runroot, .config_dir = ctx->config_dir};

	/* CVE-2019-5736: the container's init starts as a copy of this process */
	if (protect_binary(ctx, &err) < 0) {
		if (o->ready_fd >= 0)
			dprintf(o->ready_fd, "error: %s\n", err->msg);
		return BCLI_EXIT_ENGINE;
	}
	if (eng_open(&eo, &e, &err) < 0) {
		if (o->ready_fd >= 0)
			dprintf(o->ready_fd, "error: %s\n", err->msg);
		return BCLI_EXIT_ENGINE;
	}
	if (o->resume) {
		struct eng_monitor_resume rs = {
			.status = o->resume_status,
			.listen_fd = o->listen_fd,
			.clients = o->clients,
			.restarts = o->restarts,
			.backoff_ms = o->backoff_ms,
			.started = o->started ? strtoll(o->started, NULL, 10) : 0,
		};

		return eng_monitor_resume(e, args->args[0], &rs);
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
