/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime events: print a container's stats and OOM events as JSON lines (runc's format). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/runtime/commands.h"

struct events_opts {
	const char *interval;
	bool stats;
};

static const struct cli_opt events_options[] = {
	{"interval", 0, CLI_OPT_STRING, offsetof(struct events_opts, interval), "set the stats collection interval",
	 "5s"},
	{"stats", 0, CLI_OPT_BOOL, offsetof(struct events_opts, stats), "display the container's stats then exit",
	 NULL},
	CLI_OPT_END,
};

/* Go's time.ParseDuration, to milliseconds: "5s", "1m30s", "250ms", "1.5h"; a bare "0" is 0. */
static int parse_duration_ms(const char *s, long double *ret)
{
	static const struct {
		const char *unit;
		long double ms;
	} units[] = {{"ns", 1e-6L}, {"us", 1e-3L}, {"\xc2\xb5s", 1e-3L}, {"ms", 1},
		     {"s", 1e3L},   {"m", 6e4L},   {"h", 3.6e6L}};
	long double total = 0;
	bool neg = *s == '-';

	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, "0") == 0) {
		*ret = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		char *end = NULL;
		long double v;
		size_t best = 0, best_i = 0;

		if (!(*s >= '0' && *s <= '9') && *s != '.')
			return -1;
		errno = 0;
		v = strtold(s, &end);
		if (errno || end == s)
			return -1;
		s = end;
		/* longest unit that matches: "ms" before "m" */
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (n > best && strncmp(s, units[i].unit, n) == 0) {
				best = n;
				best_i = i;
			}
		}
		if (!best)
			return -1;
		total += v * units[best_i].ms;
		s += best;
	}
	*ret = neg ? -total : total;
	return 0;
}

static int print_line(const char *json, void *userdata, struct berth_error **err)
{
	(void)userdata;
	/* flushed per line: callers (containerd's shim) read the stream as it comes */
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0)
		return berth_error_set(err, errno, "write event");
	return 0;
}

static int events_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct events_opts *o = opts;
	const char *iv = o->interval ? o->interval : "5s";
	struct rt_events_opts eo = {.stats_only = o->stats, .emit = print_line};
	long double ms;

	if (parse_duration_ms(iv, &ms) < 0)
		return cli_fail(CLI_EXIT_FAILURE, "invalid value \"%s\" for flag -interval: parse error", iv);
	if (ms <= 0)
		return cli_fail(CLI_EXIT_FAILURE, "duration interval must be greater than 0");
	/* below a millisecond the timer would spin: one millisecond is the shortest tick */
	eo.interval_ms = ms < 1 ? 1 : (unsigned long)ms;
	if (rt_events(&ctx->g, args->args[0], &eo, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_events = {
	.name = "events",
	.summary = "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
	.usage = "[command options] <container-id>",
	.description = "Where \"<container-id>\" is the name for the instance of the container.\n\n"
		       "DESCRIPTION:\n"
		       "   The events command displays information about the container. By default the\n"
		       "information is displayed once every 5 seconds.",
	.opts = events_options,
	.opts_size = sizeof(struct events_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 1,
	.max_args = 1,
	.run = events_run,
};
