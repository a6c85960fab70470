/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth load (image load): an image archive from a file or stdin into the store. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct load_opts {
	const char *input;
	bool quiet;
};

static const struct bcli_opt load_flags[] = {
	BCLI_FLAGX("input", 'i', BCLI_OPT_STRING, struct load_opts, input,
		   "Read from tar archive file, instead of STDIN", NULL, "string"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct load_opts, quiet, "Suppress the load output"),
	BCLI_OPT_END,
};

static int load_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct load_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **lines = NULL;
	_cleanup_close_ int fd = -1;

	if (o->input && *o->input) {
		fd = open(o->input, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return bcli_fail(BCLI_EXIT_ENGINE, "open %s: %s", o->input, strerror(errno));
	} else if (isatty(STDIN_FILENO)) {
		return bcli_fail(BCLI_EXIT_ENGINE, "requested load from stdin, but stdin is empty");
	}
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_image_load(e, fd >= 0 ? fd : STDIN_FILENO, o->quiet, &lines, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	for (size_t i = 0; lines && lines[i]; i++)
		printf("%s\n", lines[i]);
	return 0;
}

const struct bcli_command bcli_cmd_load = {
	.name = "load",
	.group = "image",
	.top = "load",
	.usage = "[OPTIONS]",
	.summary = "Load an image from a tar archive or STDIN",
	.opts = load_flags,
	.opts_size = sizeof(struct load_opts),
	.max_args = 0,
	.run = load_run,
};
