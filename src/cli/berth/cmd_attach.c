/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth attach (container attach): the local stdio joined to a running container's (engine/attach.h). */
#include <stddef.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct attach_opts {
	const char *detach_keys;
	bool no_stdin, sig_proxy;
};

static const struct bcli_opt attach_flags[] = {
	BCLI_FLAGX("detach-keys", 0, BCLI_OPT_STRING, struct attach_opts, detach_keys,
		   "Override the key sequence for detaching a container", NULL, "string"),
	BCLI_FLAG("no-stdin", 0, BCLI_OPT_BOOL, struct attach_opts, no_stdin, "Do not attach STDIN"),
	BCLI_FLAGX("sig-proxy", 0, BCLI_OPT_BOOL, struct attach_opts, sig_proxy,
		   "Proxy all received signals to the process", "true", NULL),
	BCLI_OPT_END,
};

static int attach_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct attach_opts *o = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	struct eng_attach_opts ao = {
		.in = !o->no_stdin, .out = true, .err = true, .sig_proxy = o->sig_proxy, .detach_keys = o->detach_keys};
	int code = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_attach(e, args->args[0], &ao, &code, NULL, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	return code;
}

const struct bcli_command bcli_cmd_attach = {
	.name = "attach",
	.group = "container",
	.top = "attach",
	.usage = "[OPTIONS] CONTAINER",
	.summary = "Attach local standard input, output, and error streams to a running container",
	.opts = attach_flags,
	.opts_size = sizeof(struct attach_opts),
	.min_args = 1,
	.max_args = 1,
	.run = attach_run,
};
