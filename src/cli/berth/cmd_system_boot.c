/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth system boot: what dockerd does when it starts, for a daemonless
 * engine, run once at boot by contrib/systemd/berth-boot.service.
 */
#include <stddef.h>
#include <stdio.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct boot_opts {
	bool quiet;
};

static const struct bcli_opt boot_flags[] = {
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct boot_opts, quiet, "Do not print the names of started containers"),
	BCLI_OPT_END,
};

static int boot_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct boot_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **store = NULL, **started = NULL;
	struct eng_start_opts so;

	(void)args;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	bcli_start_opts(ctx, &so, &store);
	if (eng_system_boot(e, &so, &started, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	for (size_t i = 0; !o->quiet && started[i]; i++)
		printf("%s\n", started[i]);
	return 0;
}

const struct bcli_command bcli_cmd_system_boot = {
	.name = "boot",
	.group = "system",
	.usage = "[OPTIONS]",
	.summary = "Repair containers after a reboot and start those their restart policy keeps up",
	.description = "Repair every container after a reboot or a crash (States of containers whose monitor is "
		       "gone become exited, their mounts and runtime state are released), remove stopped "
		       "--rm containers, and start the containers whose restart policy is always, "
		       "unless-stopped (unless stopped by the user) or on-failure (after a failure), as dockerd "
		       "does when it starts. Run once at boot (berth-boot.service).",
	.opts = boot_flags,
	.opts_size = sizeof(struct boot_opts),
	.max_args = 0,
	.run = boot_run,
};
