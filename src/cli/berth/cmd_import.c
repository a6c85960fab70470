/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth import (image import): a rootfs tarball from a file or stdin becomes an image. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct import_opts {
	char **change;
	const char *message;
	const char *platform;
	bool quiet;
};

static const struct bcli_opt import_flags[] = {
	BCLI_FLAGX("change", 'c', BCLI_OPT_LIST, struct import_opts, change,
		   "Apply Dockerfile instruction to the created image", NULL, "list"),
	BCLI_FLAGX("message", 'm', BCLI_OPT_STRING, struct import_opts, message,
		   "Set commit message for imported image", NULL, "string"),
	BCLI_FLAGX("platform", 0, BCLI_OPT_STRING, struct import_opts, platform,
		   "Set platform if server is multi-platform capable", NULL, "string"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct import_opts, quiet, "Suppress the output (as podman)"),
	BCLI_OPT_END,
};

/* SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the image's times; -1 when unset or invalid. */
static int64_t source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end = NULL;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end || v < 0 ? -1 : (int64_t)v;
}

static int import_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct import_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_close_ int fd = -1;
	const char *src = args->args[0];
	struct eng_import_opts io = {
		.changes = o->change,
		.message = o->message,
		.platform = o->platform,
		.tag = args->n > 1 ? args->args[1] : NULL,
		.created = source_date_epoch(),
	};

	if (strstr(src, "://"))
		return bcli_fail(BCLI_EXIT_ENGINE,
				 "importing from a URL is not supported: '%s' (download it and import the file)", src);
	if (strcmp(src, "-") != 0) {
		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return bcli_fail(BCLI_EXIT_ENGINE, "open %s: %s", src, strerror(errno));
	}
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_image_import(e, fd >= 0 ? fd : STDIN_FILENO, &io, &id, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (!o->quiet)
		printf("%s\n", id);
	return 0;
}

const struct bcli_command bcli_cmd_import = {
	.name = "import",
	.group = "image",
	.top = "import",
	.usage = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
	.summary = "Import the contents from a tarball to create a filesystem image",
	.opts = import_flags,
	.opts_size = sizeof(struct import_opts),
	.min_args = 1,
	.max_args = 2,
	.run = import_run,
};
