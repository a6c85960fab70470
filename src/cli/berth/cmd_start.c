/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth start (with -a/-i: attached), stop, restart and kill: one engine call per container name. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct start_opts {
	bool attach, interactive;
	const char *detach_keys;
};

static const struct bcli_opt start_flags[] = {
	BCLI_FLAG("attach", 'a', BCLI_OPT_BOOL, struct start_opts, attach, "Attach STDOUT/STDERR and forward signals"),
	BCLI_FLAGX("detach-keys", 0, BCLI_OPT_STRING, struct start_opts, detach_keys,
		   "Override the key sequence for detaching a container", NULL, "string"),
	BCLI_FLAG("interactive", 'i', BCLI_OPT_BOOL, struct start_opts, interactive, "Attach container's STDIN"),
	BCLI_OPT_END,
};

static int start_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	return eng_ctr_start(e, name, data, err);
}

/*
 * start -a/-i: one container only (docker's rule); a stopped one is started
 * with attach_wait so nothing of its output is lost; the exit code is the
 * container's.
 */
static int start_attach(const struct bcli_ctx *ctx, struct start_opts *o, const char *name)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_strv_ char **store = NULL;
	struct eng_start_opts so;
	struct eng_attach_opts ao = {.in = o->interactive, .out = true, .err = true, .detach_keys = o->detach_keys};
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n;
	int code = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_find(e, name, &c, &err) < 0)
		return bcli_fail_error(1, &err, "Error response from daemon");
	/* docker: signals are proxied unless the container has a tty */
	ao.sig_proxy = !json_is_true(json_object_get(json_object_get(c->doc, "Config"), "Tty"));
	if (o->detach_keys && eng_detach_keys_parse(o->detach_keys, keys, &n, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	if (!eng_ctr_is_running(c)) {
		bcli_start_opts(ctx, &so, &store);
		so.attach_wait = true;
		if (eng_ctr_start(e, c->id, &so, &err) < 0)
			return bcli_fail_error(1, &err, "Error response from daemon");
		ao.starting = true;
	}
	if (eng_ctr_attach(e, c->id, &ao, &code, NULL, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	return code;
}

static int start_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct start_opts *o = opts;
	_cleanup_strv_ char **store = NULL;
	struct eng_start_opts so;

	if (o->attach || o->interactive) {
		if (args->n > 1)
			return bcli_fail(1, "you cannot start and attach multiple containers at once");
		return start_attach(ctx, o, args->args[0]);
	}
	bcli_start_opts(ctx, &so, &store);
	return bcli_each_container(ctx, args, true, start_one, &so);
}

const struct bcli_command bcli_cmd_start = {
	.name = "start",
	.group = "container",
	.top = "start",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Start one or more stopped containers",
	.opts = start_flags,
	.opts_size = sizeof(struct start_opts),
	.min_args = 1,
	.max_args = -1,
	.run = start_run,
};

struct stop_opts {
	int time;
	const char *signal;
};

static const struct bcli_opt stop_flags[] = {
	BCLI_FLAGX("signal", 's', BCLI_OPT_STRING, struct stop_opts, signal, "Signal to send to the container", NULL,
		   "string"),
	BCLI_FLAGX("time", 't', BCLI_OPT_INT, struct stop_opts, time, "Seconds to wait before killing the container",
		   "-1", NULL),
	BCLI_OPT_END,
};

static int stop_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	const struct stop_opts *o = data;

	return eng_ctr_stop(e, name, o->time, err);
}

static int stop_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct stop_opts *o = opts;

	if (o->signal && parse_signal(o->signal) < 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "invalid signal: %s", o->signal);
	if (o->signal)
		return bcli_fail(BCLI_EXIT_ENGINE, "stop --signal is not supported yet");
	return bcli_each_container(ctx, args, true, stop_one, o);
}

const struct bcli_command bcli_cmd_stop = {
	.name = "stop",
	.group = "container",
	.top = "stop",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Stop one or more running containers",
	.opts = stop_flags,
	.opts_size = sizeof(struct stop_opts),
	.min_args = 1,
	.max_args = -1,
	.run = stop_run,
};

struct restart_data {
	int time;
	struct eng_start_opts so;
};

static int restart_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	struct restart_data *d = data;

	return eng_ctr_restart(e, name, d->time, &d->so, err);
}

static int restart_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct stop_opts *o = opts;
	_cleanup_strv_ char **store = NULL;
	struct restart_data d = {.time = o->time};

	bcli_start_opts(ctx, &d.so, &store);
	return bcli_each_container(ctx, args, true, restart_one, &d);
}

const struct bcli_command bcli_cmd_restart = {
	.name = "restart",
	.group = "container",
	.top = "restart",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Restart one or more containers",
	.opts = stop_flags,
	.opts_size = sizeof(struct stop_opts),
	.min_args = 1,
	.max_args = -1,
	.run = restart_run,
};

struct kill_opts {
	const char *signal;
};

static const struct bcli_opt kill_flags[] = {
	BCLI_FLAGX("signal", 's', BCLI_OPT_STRING, struct kill_opts, signal, "Signal to send to the container", "KILL",
		   "string"),
	BCLI_OPT_END,
};

static int kill_one(struct eng *e, const char *name, void *data, struct berth_error **err)
{
	const struct kill_opts *o = data;

	return eng_ctr_kill(e, name, o->signal, err);
}

static int kill_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	/* docker: the daemon rejects a bad signal per container, "Invalid signal: X", exit 1 */
	return bcli_each_container(ctx, args, true, kill_one, opts);
}

const struct bcli_command bcli_cmd_kill = {
	.name = "kill",
	.group = "container",
	.top = "kill",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Kill one or more running containers",
	.opts = kill_flags,
	.opts_size = sizeof(struct kill_opts),
	.min_args = 1,
	.max_args = -1,
	.run = kill_run,
};
