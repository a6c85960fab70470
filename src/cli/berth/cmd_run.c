/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth run (container run): create and start; detached, print the id;
 * in the foreground, attach (engine/attach.h) and exit with the container's code.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_flags.h"
#include "engine/engine.h"

/* Docker refuses -it when stdin is no terminal, before creating anything. */
static int check_request(const struct bcli_run_request *req, struct berth_error **err)
{
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n;

	if (req->detach_keys && eng_detach_keys_parse(req->detach_keys, keys, &n, err) < 0)
		return -1;
	if (!req->detach && req->tty && req->interactive && !isatty(0))
		return berth_error_set(err, 0, "the input device is not a TTY");
	return 0;
}

/*
 * Foreground: the monitor waits for us (attach_wait) before it starts the
 * process, so no output is lost; the exit code comes with the EXIT message,
 * which precedes an AutoRemove; the connection ends once that is done.
 */
static int foreground(struct eng *e, const char *id, const struct bcli_run_request *req)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct eng_attach_opts ao = {
		.in = strv_contains(req->attach, "stdin"),
		.out = strv_contains(req->attach, "stdout"),
		.err = strv_contains(req->attach, "stderr"),
		.sig_proxy = req->sig_proxy,
		.detach_keys = req->detach_keys,
		.starting = true,
	};
	int code = 0;

	if (eng_ctr_attach(e, id, &ao, &code, NULL, &err) < 0)
		return bcli_fail_error(eng_start_error_code(err->msg), &err, NULL);
	return code;
}

static int run_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **store = NULL;
	struct bcli_run_request req = {0};
	struct eng_start_opts so;
	int rc = 0;

	if (bcli_run_request_build(opts, args, &req, &err) < 0 || check_request(&req, &err) < 0) {
		bcli_run_request_done(&req);
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	}
	bcli_start_opts(ctx, &so, &store);
	so.attach_wait = !req.detach;
	if (bcli_engine_open(ctx, &e) < 0)
		rc = BCLI_EXIT_ENGINE;
	else if (bcli_create_container(e, &req, &id, &err) < 0)
		rc = bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	else if (eng_ctr_start(e, id, &so, &err) < 0) {
		rc = eng_start_error_code(err->msg);
		bcli_fail_error(rc, &err, NULL);
		/* the monitor removed it already unless it died first */
		if (req.rm)
			eng_ctr_remove(e, id, true, true, NULL);
	} else if (req.detach)
		printf("%s\n", id);
	else
		rc = foreground(e, id, &req);
	bcli_run_request_done(&req);
	return rc;
}

const struct bcli_command bcli_cmd_run = {
	.name = "run",
	.group = "container",
	.top = "run",
	.usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
	.summary = "Create and run a new container from an image",
	.opts = bcli_run_opts,
	.opts_size = sizeof(struct bcli_run_flags),
	.min_args = 1,
	.max_args = -1,
	.no_interspersed = true,
	.run = run_run,
};
