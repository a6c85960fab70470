/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth logout: forget a registry's credentials in the config directory's config.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "image/image.h"

/* "https://host:5000/v2/" → "host:5000", as for login. Caller frees. */
static char *server_host(const char *server)
{
	const char *s = server;
	char *host;

	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	host = strndup(s, strcspn(s, "/"));
	if (!host)
		abort();
	return host;
}

static int logout_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *host = server_host(args->n ? args->args[0] : "docker.io");
	_cleanup_free_ char *key = img_cred_key(host);
	int r;

	(void)opts;
	if (!ctx->config_dir) {
		printf("Not logged in to %s\n", key);
		return 0;
	}
	r = img_cred_erase(ctx->config_dir, host, &err);
	if (r < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (r == 0)
		printf("Not logged in to %s\n", key);
	else
		printf("Removing login credentials for %s\n", key);
	return 0;
}

const struct bcli_command bcli_cmd_logout = {
	.name = "logout",
	.usage = "[SERVER]",
	.summary = "Log out from a registry",
	.description = "Log out from a registry.\nIf no server is specified, the default is Docker Hub.",
	.min_args = 0,
	.max_args = 1,
	.run = logout_run,
};
