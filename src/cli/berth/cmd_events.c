/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth events (system events): past events from --since, then new ones until --until or an interrupt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_parse.h"
#include "engine/engine.h"

struct events_opts {
	char **filter;
	const char *format, *since, *until;
};

static const struct bcli_opt events_flags[] = {
	BCLI_FLAGX("filter", 'f', BCLI_OPT_LIST, struct events_opts, filter,
		   "Filter output based on conditions provided", NULL, "filter"),
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct events_opts, format,
		   "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':"
		   "         Print output using the given Go template",
		   NULL, "string"),
	BCLI_FLAGX("since", 0, BCLI_OPT_STRING, struct events_opts, since, "Show all events created since timestamp",
		   NULL, "string"),
	BCLI_FLAGX("until", 0, BCLI_OPT_STRING, struct events_opts, until, "Stream events until this timestamp", NULL,
		   "string"),
	BCLI_OPT_END,
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "2006-01-02[T15[:04[:05[.999]]]]" in local time. */
static bool parse_local(const char *s, int64_t *ret)
{
	static const char *const formats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H", "%Y-%m-%d"};
	long frac = 0;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct tm tm = {0};
		const char *end = strptime(s, formats[i], &tm);

		if (!end)
			continue;
		if (*end == '.') {
			char digits[10] = "000000000";
			size_t n = strspn(end + 1, "0123456789");

			memcpy(digits, end + 1, n < 9 ? n : 9);
			frac = strtol(digits, NULL, 10);
			end += 1 + n;
		}
		if (*end)
			continue;
		tm.tm_isdst = -1;
		*ret = (int64_t)mktime(&tm) * 1000000000 + frac;
		return true;
	}
	return false;
}

/* docker's timetypes.GetTimestamp: a Go duration before now, an RFC 3339 time or date, or unix seconds[.nanos]. */
static int parse_when(const char *s, int64_t *ret)
{
	int64_t d = 0, sec = 0;
	int32_t nsec = 0;
	char *end = NULL;
	double v;

	if (strcmp(s, "0") != 0 && bcli_run_parse_duration(s, &d, NULL) == 0) {
		*ret = now_ns() - d;
		return 0;
	}
	if (eng_time_parse(s, &sec, &nsec)) {
		*ret = sec * 1000000000 + nsec;
		return 0;
	}
	if (parse_local(s, ret))
		return 0;
	if (!strchr(s, '-')) {
		v = strtod(s, &end);
		if (end != s && !*end) {
			*ret = (int64_t)(v * 1e9);
			return 0;
		}
	}
	return bcli_fail(BCLI_EXIT_ENGINE, "failed to parse value as time or duration: \"%s\"", s);
}

static int check_filters(char **filter)
{
	static const char *const keys[] = {"container", "event", "image", "label", "type"};

	for (size_t i = 0; filter && filter[i]; i++) {
		const char *eq = strchr(filter[i], '=');
		bool known = false;

		if (!eq)
			return bcli_fail(BCLI_EXIT_ENGINE, "bad format of filter (expected name=value)");
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			known |= strlen(keys[k]) == (size_t)(eq - filter[i]) &&
				 !strncmp(keys[k], filter[i], eq - filter[i]);
		if (!known)
			return bcli_fail(BCLI_EXIT_ENGINE, "invalid filter '%.*s'", (int)(eq - filter[i]), filter[i]);
	}
	return 0;
}

struct printer {
	const char *format;
	struct eng_template *t;
};

static int print_event(json_t *ev, void *data, struct berth_error **err)
{
	struct printer *p = data;
	_cleanup_free_ char *line = NULL;

	if (p->t) {
		json_t *d = eng_event_template_data(ev);
		struct buf out = {0};
		int rc = eng_template_exec(p->t, d, &out, err);

		json_decref(d);
		if (rc == 0)
			printf("%s\n", out.data ? out.data : "");
		buf_done(&out);
		if (rc < 0)
			return -1;
	} else if (p->format) {
		line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", line);
	} else {
		line = eng_event_line(ev);
		printf("%s\n", line);
	}
	/* a reader of a pipe sees each event as it comes */
	fflush(stdout);
	return 0;
}

static int events_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct events_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_template_ struct eng_template *t = NULL;
	_cleanup_free_ char *text = NULL;
	struct printer p = {.format = o->format};
	struct eng_events_opts eo = {.filters = o->filter, .fn = print_event, .data = &p};

	if (check_filters(o->filter) != 0)
		return BCLI_EXIT_ENGINE;
	if ((o->since && parse_when(o->since, &eo.since_ns) != 0) ||
	    (o->until && parse_when(o->until, &eo.until_ns) != 0))
		return BCLI_EXIT_ENGINE;
	eo.has_since = o->since != NULL;
	eo.has_until = o->until != NULL;
	if (o->format && *o->format && strcmp(o->format, "json") != 0) {
		text = eng_template_unescape(o->format);
		if (eng_template_parse(text, &t, &err) < 0)
			return bcli_fail_error(BCLI_EXIT_ENGINE, &err, "template parsing error");
		p.t = t;
	}
	if (o->format && !*o->format)
		p.format = NULL;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_events_read(e, &eo, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_events = {
	.name = "events",
	.group = "system",
	.top = "events",
	.usage = "[OPTIONS]",
	.summary = "Get real time events from the server",
	.opts = events_flags,
	.opts_size = sizeof(struct events_opts),
	.max_args = 0,
	.run = events_run,
};
