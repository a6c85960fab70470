/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth stats (container stats): live usage of containers, docker's columns
 * and --format; CPU % from two samples a second apart. Streaming redraws the
 * table every second (clearing a terminal as docker does); --no-stream prints once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct stats_opts {
	bool all, no_stream, no_trunc;
	const char *format;
};

static const struct bcli_opt stats_flags[] = {
	BCLI_FLAG("all", 'a', BCLI_OPT_BOOL, struct stats_opts, all,
		  "Show all containers (default shows just running)"),
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct stats_opts, format,
		   "Format output using a custom template:\n'table':            Print output in table format with "
		   "column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go "
		   "template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the "
		   "given Go template",
		   NULL, "string"),
	BCLI_FLAG("no-stream", 0, BCLI_OPT_BOOL, struct stats_opts, no_stream,
		  "Disable streaming stats and only pull the first result"),
	BCLI_FLAG("no-trunc", 0, BCLI_OPT_BOOL, struct stats_opts, no_trunc, "Do not truncate output"),
	BCLI_OPT_END,
};

static const struct bcli_column columns[] = {
	{"ID", "CONTAINER ID"},	    {"Name", "NAME"},	  {"CPUPerc", "CPU %"},	    {"MemUsage", "MEM USAGE / LIMIT"},
	{"MemPerc", "MEM %"},	    {"NetIO", "NET I/O"}, {"BlockIO", "BLOCK I/O"}, {"PIDs", "PIDS"},
	{"Container", "CONTAINER"},
};

/* One container followed: how the user named it, its last sample. */
struct followed {
	char *label, *id;
	bool has_prev;
	struct eng_stats prev;
};

struct session {
	struct followed *v;
	size_t n;
};

static struct followed *follow_get(struct session *s, const char *label, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].id, id))
			return &s->v[i];
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (!s->v)
		abort();
	s->v[s->n] = (struct followed){.label = xstrdup(label), .id = xstrdup(id)};
	return &s->v[s->n++];
}

static void session_done(struct session *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].label);
		free(s->v[i].id);
	}
	free(s->v);
}

/* The containers of this round: the named ones, else the running ones (all with -a). */
static int targets(struct eng *e, const struct stats_opts *o, const struct bcli_args *args, struct eng_ctr ***ret,
		   size_t *ret_n, struct berth_error **err)
{
	struct eng_ctr **v = NULL;
	size_t n = 0, k = 0;

	if (args->n == 0) {
		if (eng_ctr_list_all(e, &v, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (o->all || eng_ctr_is_running(v[i]))
				v[k++] = v[i];
			else
				eng_ctr_free(v[i]);
		*ret = v;
		*ret_n = k;
		return 0;
	}
	v = xcalloc((size_t)args->n, sizeof(*v));
	for (int i = 0; i < args->n; i++)
		if (eng_ctr_find(e, args->args[i], &v[i], err) < 0) {
			eng_ctrs_free(v, (size_t)i);
			return -1;
		}
	*ret = v;
	*ret_n = (size_t)args->n;
	return 0;
}

/* One round: a sample of each container and its row; CPU % against the container's previous sample. */
static json_t *round_rows(struct eng *e, struct session *s, struct eng_ctr **v, size_t n, const struct bcli_args *args,
			  const struct stats_opts *o)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < n; i++) {
		const char *label = args->n ? args->args[i] : bcli_short_id(v[i]->id);
		struct followed *f = follow_get(s, label, v[i]->id);
		struct eng_stats cur = {0};
		json_t *row;
		bool live = eng_ctr_is_running(v[i]) && eng_ctr_stats_sample(e, v[i], &cur, NULL) == 0;

		row = eng_stats_row(f->label, v[i]->id, live ? v[i]->name : "--", f->has_prev ? &f->prev : NULL, &cur);
		if (o->no_trunc)
			json_object_set_new(row, "ID", json_string(v[i]->id));
		json_array_append_new(rows, row);
		f->has_prev = live;
		f->prev = cur;
	}
	return rows;
}

static int sample_round(struct eng *e, struct session *s, const struct stats_opts *o, const struct bcli_args *args,
			json_t **ret, struct berth_error **err)
{
	struct eng_ctr **v = NULL;
	size_t n = 0;

	if (targets(e, o, args, &v, &n, err) < 0)
		return -1;
	*ret = round_rows(e, s, v, n, args, o);
	eng_ctrs_free(v, n);
	return 0;
}

static void nap_second(void)
{
	struct timespec ts = {1, 0};

	while (nanosleep(&ts, &ts) < 0)
		;
}

static int print(json_t *rows, const struct stats_opts *o, bool clear)
{
	if (clear)
		fputs("\033[2J\033[H", stdout);
	if (o->format && strcmp(o->format, "table") != 0)
		return bcli_print_rows(rows, o->format, columns, sizeof(columns) / sizeof(columns[0]));
	return bcli_print_rows(rows, NULL, columns, 8);
}

static int stats_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct stats_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	struct session s = {0};
	bool tty = isatty(STDOUT_FILENO);
	json_t *rows = NULL;
	int rc = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	/* the first round only primes the CPU counters */
	if (sample_round(e, &s, o, args, &rows, &err) < 0) {
		session_done(&s);
		return bcli_fail_error(1, &err, NULL);
	}
	for (;;) {
		json_decref(rows);
		rows = NULL;
		nap_second();
		if (sample_round(e, &s, o, args, &rows, &err) < 0) {
			rc = bcli_fail_error(1, &err, NULL);
			break;
		}
		rc = print(rows, o, tty && !o->no_stream);
		fflush(stdout);
		if (rc != 0 || o->no_stream)
			break;
	}
	json_decref(rows);
	session_done(&s);
	return rc;
}

const struct bcli_command bcli_cmd_stats = {
	.name = "stats",
	.group = "container",
	.top = "stats",
	.usage = "[OPTIONS] [CONTAINER...]",
	.summary = "Display a live stream of container(s) resource usage statistics",
	.opts = stats_flags,
	.opts_size = sizeof(struct stats_opts),
	.min_args = 0,
	.max_args = -1,
	.run = stats_run,
};
