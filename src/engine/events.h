/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: docker events without a daemon: every command that changes a
 * container appends Docker's event JSON as one line to <runroot>/events.log
 * (rotated at 1 MiB, one old file kept); `berth events` reads and follows it.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct berth_error;
struct eng;
struct eng_ctr;

/* The log's size at which it is moved to events.log.1 (which it replaces). */
#define ENG_EVENTS_LOG_MAX (1024 * 1024)

/*
 * Docker's event message (status, id, from, Type, Action, Actor{ID,
 * Attributes}, scope "local", time, timeNano) as a new JSON object. attrs
 * (borrowed, may be NULL) holds string values; "from" is attrs' image for
 * container events, as dockerd writes it.
 */
json_t *eng_event_new(const char *type, const char *action, const char *id, json_t *attrs, int64_t time_nano);

/*
 * Append an event to the engine's log, now. Best effort: an event that
 * cannot be written is a warning, never the failure of the command that
 * caused it. attrs is borrowed and may be NULL.
 */
void eng_event_emit(struct eng *e, const char *type, const char *action, const char *id, json_t *attrs);

/*
 * A container event with Docker's attributes: the container's labels, image
 * (Config.Image as given) and name, then extra (borrowed, may be NULL, string
 * values, e.g. {"exitCode":"0"} for die or {"signal":"15"} for kill).
 */
void eng_event_container(struct eng *e, const struct eng_ctr *c, const char *action, json_t *extra);

/*
 * The docker CLI's default line for an event, in local time and without a
 * newline: "2024-01-02T03:04:05.123456789Z container start ID (image=busybox,
 * name=web)", attributes sorted by key. Caller frees.
 */
char *eng_event_line(json_t *ev);

/* The event as Go's events.Message for --format templates (Status, ID, From, Type, Action, Actor, Scope, Time,
 * TimeNano). */
json_t *eng_event_template_data(json_t *ev);

/*
 * Whether ev passes docker's --filter list ("type=container",
 * "event=die", "container=NAME|ID", "image=NAME", "label=k[=v]"): values of
 * one key OR, different keys AND. Unknown keys are the caller's to reject.
 */
bool eng_event_match(json_t *ev, char *const *filters);

struct eng_events_opts {
	bool has_since; /* without since: only events that come after the call */
	int64_t since_ns;
	bool has_until; /* without until: follow until fn stops it */
	int64_t until_ns;
	char *const *filters; /* NULL-terminated, may be NULL */
	/* Called per matching event (borrowed); a negative return stops with that error, 1 stops quietly. */
	int (*fn)(json_t *ev, void *data, struct berth_error **err);
	void *data;
};

/*
 * docker events: the logged events from since (when given), then new ones
 * as they are appended (inotify), until until passes (at once when until
 * is in the past) or fn returns non-zero. Returns 0 or -1 with *err set.
 */
int eng_events_read(struct eng *e, const struct eng_events_opts *o, struct berth_error **err);
