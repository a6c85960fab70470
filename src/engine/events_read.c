/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker events: reading the event log from a time on, and following it (inotify, rotation) until a time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

/* One open log file: where reading got to, and the start of a line not yet complete. */
struct reader {
	int fd;
	ino_t ino;
	struct buf partial;
	bool done; /* until passed or fn stopped: no more events */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One complete line: in range and matching, it goes to fn. Lines that do not parse are skipped. */
static int handle_line(const struct eng_events_opts *o, struct reader *r, const char *line, struct berth_error **err)
{
	json_t *ev = json_loads(line, 0, NULL);
	int64_t t;
	int rc = 0;

	if (!ev)
		return 0;
	t = json_integer_value(json_object_get(ev, "timeNano"));
	if (o->has_until && t > o->until_ns)
		r->done = true;
	else if ((!o->has_since || t >= o->since_ns) && eng_event_match(ev, o->filters)) {
		rc = o->fn(ev, o->data, err);
		if (rc != 0)
			r->done = true;
	}
	json_decref(ev);
	return rc < 0 ? -1 : 0;
}

/* Read what the file has now; complete lines are handled, a tail waits for its newline. */
static int drain(const struct eng_events_opts *o, struct reader *r, struct berth_error **err)
{
	char chunk[65536];
	ssize_t n;

	while (!r->done && (n = read(r->fd, chunk, sizeof(chunk))) != 0) {
		char *start, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read the event log");
		buf_append(&r->partial, chunk, (size_t)n);
		start = r->partial.data;
		while (!r->done && (nl = memchr(start, '\n', r->partial.len - (size_t)(start - r->partial.data)))) {
			*nl = '\0';
			if (handle_line(o, r, start, err) < 0)
				return -1;
			start = nl + 1;
		}
		if (r->done)
			break;
		n = (ssize_t)(r->partial.len - (size_t)(start - r->partial.data));
		memmove(r->partial.data, start, (size_t)n);
		r->partial.len = (size_t)n;
		r->partial.data[n] = '\0';
	}
	return 0;
}

static void reader_close(struct reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->partial.len = 0;
	if (r->partial.data)
		r->partial.data[0] = '\0';
}

/* Open path (missing: fd stays -1); at_end: skip what it holds. */
static int reader_open(struct reader *r, const char *path, bool at_end, struct berth_error **err)
{
	struct stat st;

	reader_close(r);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "open '%s'", path);
	if (fstat(r->fd, &st) < 0)
		return berth_error_set(err, errno, "stat '%s'", path);
	r->ino = st.st_ino;
	if (at_end && lseek(r->fd, 0, SEEK_END) < 0)
		return berth_error_set(err, errno, "seek '%s'", path);
	return 0;
}

/* Read new lines; when the log was rotated, finish the old file and go on with the new one. */
static int pump(const struct eng_events_opts *o, struct reader *r, const char *path, struct berth_error **err)
{
	for (int round = 0; round < 2 && !r->done; round++) {
		struct stat st;

		if (r->fd < 0 && reader_open(r, path, false, err) < 0)
			return -1;
		if (r->fd < 0)
			return 0;
		if (drain(o, r, err) < 0)
			return -1;
		if (stat(path, &st) == 0 && st.st_ino == r->ino)
			return 0;
		reader_close(r);
	}
	return 0;
}

/* The old file (events.log.1) first, when reading from a time. */
static int read_old(const struct eng_events_opts *o, const char *path, struct reader *r, struct berth_error **err)
{
	_cleanup_free_ char *old = xasprintf("%s.1", path);
	int rc;

	if (reader_open(r, old, false, err) < 0)
		return -1;
	rc = r->fd >= 0 ? drain(o, r, err) : 0;
	reader_close(r);
	return rc;
}

static int follow(struct eng *e, const struct eng_events_opts *o, struct reader *r, const char *path,
		  struct berth_error **err)
{
	_cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (ino < 0 || inotify_add_watch(ino, e->runroot, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
		return berth_error_set(err, errno, "watch '%s'", e->runroot);
	/* lines written between the first read and the watch */
	if (pump(o, r, path, err) < 0)
		return -1;
	while (!r->done) {
		struct pollfd p = {.fd = ino, .events = POLLIN};
		int timeout = -1;

		if (o->has_until) {
			int64_t left = o->until_ns - now_ns();

			if (left <= 0)
				break;
			timeout = (int)(left / 1000000) + 1;
		}
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			return berth_error_set(err, errno, "poll");
		while (read(ino, ev, sizeof(ev)) > 0)
			;
		if (pump(o, r, path, err) < 0)
			return -1;
	}
	return 0;
}

int eng_events_read(struct eng *e, const struct eng_events_opts *o, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/events.log", e->runroot);
	struct reader r = {.fd = -1};
	int rc = 0;

	if (o->has_since && read_old(o, path, &r, err) < 0)
		rc = -1;
	if (rc == 0 && !r.done)
		rc = reader_open(&r, path, !o->has_since, err);
	if (rc == 0 && !r.done && r.fd >= 0)
		rc = drain(o, &r, err);
	if (rc == 0 && !r.done && !(o->has_until && o->until_ns <= now_ns()))
		rc = follow(e, o, &r, path, err);
	reader_close(&r);
	buf_done(&r.partial);
	return rc;
}
