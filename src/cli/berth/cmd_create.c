/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth create (container create): the container, not started; prints its id. */
#include <stdio.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_flags.h"
#include "engine/engine.h"

static int create_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_free_ char *id = NULL;
	struct bcli_run_request req = {0};
	int rc = 0;

	if (bcli_run_request_build(opts, args, &req, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (bcli_engine_open(ctx, &e) < 0)
		rc = BCLI_EXIT_ENGINE;
	else if (bcli_create_container(e, &req, &id, &err) < 0)
		rc = bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	else
		printf("%s\n", id);
	bcli_run_request_done(&req);
	return rc;
}

const struct bcli_command bcli_cmd_create = {
	.name = "create",
	.group = "container",
	.top = "create",
	.usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
	.summary = "Create a new container",
	.opts = bcli_create_opts,
	.opts_size = sizeof(struct bcli_run_flags),
	.min_args = 1,
	.max_args = -1,
	.no_interspersed = true,
	.run = create_run,
};
