/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth save (image save): images to a tar archive on stdout or in a file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct save_opts {
	const char *output;
};

static const struct bcli_opt save_flags[] = {
	BCLI_FLAGX("output", 'o', BCLI_OPT_STRING, struct save_opts, output, "Write to a file, instead of STDOUT", NULL,
		   "string"),
	BCLI_OPT_END,
};

/* As the docker CLI: the archive goes to a temp file next to path, renamed into place when complete. */
static int save_to_file(struct eng *e, const struct bcli_args *args, const char *path)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_free_ char *tmp = xasprintf("%s/.berth_temp_XXXXXX", dirname(copy));
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "failed to save image: %s: %s", path, strerror(errno));
	if (eng_image_save(e, args->args, (size_t)args->n, fd, &err) < 0) {
		unlink(tmp);
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		return bcli_fail(BCLI_EXIT_ENGINE, "failed to save image: %s: %s", path, strerror(saved));
	}
	return 0;
}

static int save_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct save_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	if ((!o->output || !*o->output) && isatty(STDOUT_FILENO))
		return bcli_fail(BCLI_EXIT_ENGINE,
				 "cowardly refusing to save to a terminal. Use the -o flag or redirect");
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (o->output && *o->output)
		return save_to_file(e, args, o->output);
	if (eng_image_save(e, args->args, (size_t)args->n, STDOUT_FILENO, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_save = {
	.name = "save",
	.group = "image",
	.top = "save",
	.usage = "[OPTIONS] IMAGE [IMAGE...]",
	.summary = "Save one or more images to a tar archive (streamed to STDOUT by default)",
	.opts = save_flags,
	.opts_size = sizeof(struct save_opts),
	.min_args = 1,
	.max_args = -1,
	.run = save_run,
};
