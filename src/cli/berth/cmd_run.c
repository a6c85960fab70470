/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth run (container run): create and start; detached, print the id;
 * in the foreground, stream the output and exit with the container's code.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_flags.h"
#include "engine/engine.h"

struct follow {
	struct eng *e;
	const char *id;
};

static int emit(void *data, const char *stream, int64_t time_ns, const char *text, size_t len)
{
	FILE *out = !strcmp(stream, "stderr") ? stderr : stdout;

	fwrite(text, 1, len, out);
	fflush(out);
	return 0;
}

static bool running(void *data)
{
	const struct follow *f = data;
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	return eng_ctr_lookup(f->e, f->id, &c, NULL) == 0 && c && eng_ctr_is_running(c);
}

/* Foreground: the output as it comes, then the exit code. */
static int foreground(struct eng *e, const char *id, bool rm)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	struct follow f = {e, id};
	struct eng_log_read_opts r = {.tail = -1,
				      .follow = true,
				      .stdout = true,
				      .stderr = true,
				      .emit = emit,
				      .data = &f,
				      .keep_following = running};
	int code = 0;

	if (eng_ctr_find(e, id, &c, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (eng_logs_read(json_string_value(json_object_get(c->doc, "LogPath")), &r, &err) < 0)
		bcli_fail_error(0, &err, NULL);
	if (eng_ctr_wait(e, id, NULL, &code, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (rm && eng_ctr_remove(e, id, true, true, &err) < 0)
		bcli_fail_error(0, &err, NULL);
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
	bool rm_here;
	int rc = 0;

	if (bcli_run_request_build(opts, args, &req, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (req.tty || req.interactive) {
		bcli_run_request_done(&req);
		return bcli_fail(BCLI_EXIT_ENGINE, "run -i/-t is not supported yet");
	}
	/* In the foreground this process removes the container once it has read the exit code. */
	rm_here = req.rm && !req.detach;
	if (rm_here)
		json_object_set_new(json_object_get(req.body, "HostConfig"), "AutoRemove", json_false());
	bcli_start_opts(ctx, &so, &store);
	if (bcli_engine_open(ctx, &e) < 0)
		rc = BCLI_EXIT_ENGINE;
	else if (bcli_create_container(e, &req, &id, &err) < 0)
		rc = bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	else if (eng_ctr_start(e, id, &so, &err) < 0) {
		rc = eng_start_error_code(err->msg);
		bcli_fail_error(rc, &err, NULL);
		if (rm_here)
			eng_ctr_remove(e, id, true, true, NULL);
	} else if (req.detach)
		printf("%s\n", id);
	else
		rc = foreground(e, id, rm_here);
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
