/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth logs: a container's json-file log, -f -t --tail --since --until, each stream to its own fd. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct logs_opts {
	bool follow, timestamps, details;
	const char *tail, *since, *until;
};

static const struct bcli_opt logs_flags[] = {
	BCLI_FLAG("details", 0, BCLI_OPT_BOOL, struct logs_opts, details, "Show extra details provided to logs"),
	BCLI_FLAG("follow", 'f', BCLI_OPT_BOOL, struct logs_opts, follow, "Follow log output"),
	BCLI_FLAGX(
		"since", 0, BCLI_OPT_STRING, struct logs_opts, since,
		"Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)",
		NULL, "string"),
	BCLI_FLAGX("tail", 'n', BCLI_OPT_STRING, struct logs_opts, tail,
		   "Number of lines to show from the end of the logs", "all", "string"),
	BCLI_FLAG("timestamps", 't', BCLI_OPT_BOOL, struct logs_opts, timestamps, "Show timestamps"),
	BCLI_FLAGX("until", 0, BCLI_OPT_STRING, struct logs_opts, until,
		   "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 "
		   "minutes)",
		   NULL, "string"),
	BCLI_OPT_END,
};

struct follow_ctx {
	struct eng *e;
	const char *id;
	bool timestamps;
};

static int emit(void *data, const char *stream, int64_t time_ns, const char *text, size_t len)
{
	const struct follow_ctx *f = data;
	struct buf b = {0};
	FILE *out = !strcmp(stream, "stderr") ? stderr : stdout;

	eng_log_format_line(&b, time_ns, f->timestamps, text, len);
	if (b.len)
		fwrite(b.data, 1, b.len, out);
	fflush(out);
	buf_done(&b);
	return 0;
}

/* Follow while the container runs (docker logs -f ends when it stops). */
static bool still_running(void *data)
{
	const struct follow_ctx *f = data;
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	return eng_ctr_lookup(f->e, f->id, &c, NULL) == 0 && c && eng_ctr_is_running(c);
}

static int parse_times(const struct logs_opts *o, struct eng_log_read_opts *r)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct timespec now;
	int64_t now_ns;

	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	if (o->since && eng_log_time_parse(o->since, now_ns, &r->since_ns, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (o->until && eng_log_time_parse(o->until, now_ns, &r->until_ns, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	r->tail = -1;
	if (o->tail && strcmp(o->tail, "all") != 0 && (parse_int64(o->tail, &r->tail) < 0 || r->tail < 0))
		r->tail = -1; /* docker shows everything for an unparsable --tail */
	return 0;
}

static int logs_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct logs_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	struct follow_ctx f = {.timestamps = o->timestamps};
	struct eng_log_read_opts r = {.stdout = true, .stderr = true, .emit = emit, .data = &f};
	const char *type, *path;
	int rc;

	if ((rc = parse_times(o, &r)) != 0)
		return rc;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_find(e, args->args[0], &c, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	type = json_string_value(
		json_object_get(json_object_get(json_object_get(c->doc, "HostConfig"), "LogConfig"), "Type"));
	if (type && strcmp(type, "json-file") != 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "configured logging driver does not support reading");
	path = json_string_value(json_object_get(c->doc, "LogPath"));
	f.e = e;
	f.id = c->id;
	r.follow = o->follow;
	r.timestamps = o->timestamps;
	r.keep_following = still_running;
	if (access(path, F_OK) < 0 && !o->follow)
		return 0;
	if (eng_logs_read(path, &r, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_logs = {
	.name = "logs",
	.group = "container",
	.top = "logs",
	.usage = "[OPTIONS] CONTAINER",
	.summary = "Fetch the logs of a container",
	.opts = logs_flags,
	.opts_size = sizeof(struct logs_opts),
	.min_args = 1,
	.max_args = 1,
	.run = logs_run,
};
