/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth export (container export): a container's filesystem as a tar archive on stdout or in a file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct export_opts {
	const char *output;
};

static const struct bcli_opt export_flags[] = {
	BCLI_FLAGX("output", 'o', BCLI_OPT_STRING, struct export_opts, output, "Write to a file, instead of STDOUT",
		   NULL, "string"),
	BCLI_OPT_END,
};

/* As the docker CLI: a temp file next to path, renamed into place when complete. */
static int export_to_file(struct eng *e, const char *name, const char *path)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_free_ char *tmp = xasprintf("%s/.berth_temp_XXXXXX", dirname(copy));
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0)
		return bcli_fail(1, "failed to export container: %s: %s", path, strerror(errno));
	if (eng_ctr_export(e, name, fd, &err) < 0) {
		unlink(tmp);
		return bcli_fail_error(1, &err, NULL);
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0 || rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		return bcli_fail(1, "failed to export container: %s: %s", path, strerror(saved));
	}
	return 0;
}

static int export_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct export_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	if ((!o->output || !*o->output) && isatty(STDOUT_FILENO))
		return bcli_fail(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (o->output && *o->output)
		return export_to_file(e, args->args[0], o->output);
	if (eng_ctr_export(e, args->args[0], STDOUT_FILENO, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_export = {
	.name = "export",
	.group = "container",
	.top = "export",
	.usage = "[OPTIONS] CONTAINER",
	.summary = "Export a container's filesystem as a tar archive",
	.opts = export_flags,
	.opts_size = sizeof(struct export_opts),
	.min_args = 1,
	.max_args = 1,
	.run = export_run,
};
