/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the container commands share: how the monitor is started (this binary, the same global options). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

void bcli_start_opts(const struct bcli_ctx *ctx, struct eng_start_opts *o, char ***args_store)
{
	static char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char **a = NULL;

	self[n > 0 ? n : 0] = '\0';
	strv_push(&a, "--root");
	strv_push(&a, ctx->root);
	strv_push(&a, "--runroot");
	strv_push(&a, ctx->runroot);
	if (ctx->config_dir) {
		strv_push(&a, "--config");
		strv_push(&a, ctx->config_dir);
	}
	if (ctx->debug)
		strv_push(&a, "--debug");
	memset(o, 0, sizeof(*o));
	o->self = self;
	o->global_args = a;
	*args_store = a;
}

/* Run fn on every name, docker style: print each name that worked, errors as they come; 1 if any failed. */
int bcli_each_container(const struct bcli_ctx *ctx, const struct bcli_args *args, bool print,
			int (*fn)(struct eng *e, const char *name, void *data, struct berth_error **err), void *data)
{
	_cleanup_eng_ struct eng *e = NULL;
	int rc = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;

		if (fn(e, args->args[i], data, &err) < 0) {
			bcli_fail_error(1, &err, NULL);
			rc = 1;
		} else if (print) {
			printf("%s\n", args->args[i]);
		}
	}
	return rc;
}
