/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a json-file log back: its rotated files oldest first, the last N
 * entries found by reading backwards, since/until and stream filters, and
 * following the file across rotations (inotify, else polling).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/logs.h"
#include "engine/units.h"

#define CHUNK 65536
#define MAX_ROTATED 1000
#define FOLLOW_POLL_MS 200

struct reader {
	const struct eng_log_read_opts *o;
	const char *path; /* the current log file */
	struct buf carry; /* the start of a line not yet complete */
	bool done;	  /* emit asked to stop, or until_ns was passed */
	int ino, file_wd; /* inotify fd (-1: polling) and the watch on path */
	struct berth_error **err;
};

struct log_file {
	char *name;
	int fd;
	off_t start; /* where reading begins (tail) */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Decode one JSON line; false (debug logged, *ret_doc NULL) when it is no log entry. */
static bool decode_entry(const char *name, const char *line, size_t len, json_t **ret_doc, const char **ret_stream,
			 int64_t *ret_time)
{
	json_error_t jerr;
	json_t *doc = json_loadb(line, len, JSON_ALLOW_NUL, &jerr), *log, *stream, *time;
	int64_t sec;
	int32_t nsec;

	*ret_doc = NULL;
	if (!doc) {
		log_debug("log '%s': skipping a corrupt line: %s", name, jerr.text);
		return false;
	}
	log = json_object_get(doc, "log");
	stream = json_object_get(doc, "stream");
	time = json_object_get(doc, "time");
	if (!json_is_string(log) || !json_is_string(stream) || !json_is_string(time) ||
	    !eng_time_parse(json_string_value(time), &sec, &nsec)) {
		log_debug("log '%s': skipping a corrupt line: no valid log, stream and time", name);
		json_decref(doc);
		return false;
	}
	*ret_doc = doc;
	*ret_stream = json_string_value(stream);
	*ret_time = sec * 1000000000 + nsec;
	return true;
}

/* Filter and emit one line of the file; corrupt lines are skipped. */
static int handle_line(struct reader *r, const char *name, const char *line, size_t len)
{
	const struct eng_log_read_opts *o = r->o;
	json_t *doc;
	const char *stream;
	int64_t t;
	int ret = 0;

	if (len == 0 || r->done)
		return 0;
	if (!decode_entry(name, line, len, &doc, &stream, &t))
		return 0;
	if (o->until_ns && t > o->until_ns)
		r->done = true; /* entries are in time order: nothing later can match */
	else if ((o->since_ns && t < o->since_ns) || (strcmp(stream, "stdout") == 0 && !o->stdout) ||
		 (strcmp(stream, "stderr") == 0 && !o->stderr))
		ret = 0;
	else {
		json_t *log = json_object_get(doc, "log");

		ret = o->emit(o->data, stream, t, json_string_value(log), json_string_length(log));
		if (ret < 0)
			berth_error_set(r->err, errno, "write logs");
		else if (ret > 0)
			r->done = true;
	}
	json_decref(doc);
	return ret < 0 ? -1 : 0;
}

/* Hand the complete lines in r->carry to handle_line, keeping an incomplete last one. */
static int handle_lines(struct reader *r, const char *name)
{
	struct buf *c = &r->carry;
	size_t p = 0;
	char *nl;

	while (!r->done && p < c->len && (nl = memchr(c->data + p, '\n', c->len - p))) {
		if (handle_line(r, name, c->data + p, (size_t)(nl - (c->data + p))) < 0)
			return -1;
		p = (size_t)(nl - c->data) + 1;
	}
	if (r->done)
		p = c->len;
	memmove(c->data, c->data + p, c->len - p);
	c->len -= p;
	if (c->data)
		c->data[c->len] = '\0';
	return 0;
}

/*
 * Read fd from its offset to its end. With finish (a file nobody writes to
 * any more), a last line without its newline is handled too; otherwise it
 * waits in r->carry for the rest.
 */
static int read_to_end(struct reader *r, int fd, const char *name, bool finish)
{
	char chunk[CHUNK];

	while (!r->done) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(r->err, errno, "read log '%s'", name);
		if (n == 0)
			break;
		buf_append(&r->carry, chunk, (size_t)n);
		if (handle_lines(r, name) < 0)
			return -1;
	}
	if (finish && r->carry.len > 0 && handle_line(r, name, r->carry.data, r->carry.len) < 0)
		return -1;
	if (finish)
		r->carry.len = 0;
	return 0;
}

/*
 * Where the last *n lines of fd begin: reads backwards from the end in
 * chunks, counting newlines. *n is lowered by the lines found, so the rest
 * can be taken from the file before.
 */
static int tail_offset(int fd, const char *name, int64_t *n, off_t *ret, struct berth_error **err)
{
	char chunk[CHUNK];
	struct stat st;
	off_t end, pos;
	int64_t found = 0;

	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat log '%s'", name);
	*ret = st.st_size;
	if (*n == 0 || st.st_size == 0)
		return 0;
	/* The newline that ends the last line separates nothing. */
	end = st.st_size;
	if (pread(fd, chunk, 1, end - 1) == 1 && chunk[0] == '\n')
		end--;
	for (pos = end; pos > 0;) {
		size_t len = pos < CHUNK ? (size_t)pos : CHUNK;
		ssize_t got = pread(fd, chunk, len, pos - (off_t)len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got != (ssize_t)len)
			return berth_error_set(err, got < 0 ? errno : EIO, "read log '%s'", name);
		pos -= (off_t)len;
		for (size_t i = len; i-- > 0;) {
			if (chunk[i] == '\n' && ++found == *n) {
				*ret = pos + (off_t)i + 1;
				*n = 0;
				return 0;
			}
		}
	}
	*ret = 0;
	*n -= found + 1; /* the first line of the file */
	if (*n < 0)
		*n = 0;
	return 0;
}

static void log_files_free(struct log_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (files[i].fd >= 0)
			close(files[i].fd);
		free(files[i].name);
	}
	free(files);
}

/*
 * Open path, path.1, … newest first (a rotation while we open repeats
 * entries rather than losing them) and return them oldest first; a missing
 * path is left out (fd -1). Then place each start for the tail.
 */
static int log_files_open(const char *path, int64_t tail, struct log_file **ret, size_t *ret_n,
			  struct berth_error **err)
{
	struct log_file *files = xcalloc(MAX_ROTATED + 1, sizeof(*files));
	size_t n = 0;

	for (; n <= MAX_ROTATED; n++) {
		char *name = n == 0 ? xstrdup(path) : xasprintf("%s.%zu", path, n);
		int fd = open(name, O_RDONLY | O_CLOEXEC);

		if (fd < 0 && errno != ENOENT) {
			berth_error_set(err, errno, "open log '%s'", name);
			free(name);
			log_files_free(files, n);
			return -1;
		}
		if (fd < 0 && n > 0) {
			free(name);
			break;
		}
		files[n] = (struct log_file){.name = name, .fd = fd};
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct log_file t = files[i];

		files[i] = files[n - 1 - i];
		files[n - 1 - i] = t;
	}
	for (size_t i = n; tail >= 0 && i-- > 0;)
		if (files[i].fd >= 0 && tail_offset(files[i].fd, files[i].name, &tail, &files[i].start, err) < 0) {
			log_files_free(files, n);
			return -1;
		}
	*ret = files;
	*ret_n = n;
	return 0;
}

/* Watch path itself again (it is a new file after a rotation). */
static void watch_file(struct reader *r)
{
	if (r->ino < 0)
		return;
	if (r->file_wd >= 0)
		inotify_rm_watch(r->ino, r->file_wd);
	r->file_wd = inotify_add_watch(r->ino, r->path, IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB);
}

/* inotify on the file (writes) and its directory (a new file after rotation); -1: poll instead. */
static void watch_start(struct reader *r)
{
	_cleanup_free_ char *dir = xstrdup(r->path);
	char *slash = strrchr(dir, '/');

	r->file_wd = -1;
	r->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (r->ino < 0) {
		log_debug("log '%s': inotify: %s, polling", r->path, strerror(errno));
		return;
	}
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (inotify_add_watch(r->ino, slash ? dir : ".", IN_CREATE | IN_MOVED_TO) < 0)
		log_debug("log '%s': inotify on its directory: %s", r->path, strerror(errno));
	watch_file(r);
}

/* Sleep until the log changes, at most FOLLOW_POLL_MS; events are drained, not decoded. */
static void watch_wait(struct reader *r)
{
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (r->ino < 0) {
		poll(NULL, 0, FOLLOW_POLL_MS);
		return;
	}
	if (poll(&(struct pollfd){.fd = r->ino, .events = POLLIN}, 1, FOLLOW_POLL_MS) <= 0)
		return;
	while (read(r->ino, events, sizeof(events)) > 0)
		;
}

/*
 * After the current file was read to its end: when path is now another file
 * (rotated) read the old one to its true end and go on with the new one from
 * offset 0; when it shrank (truncated, max-file 1) start it again.
 */
static int check_replaced(struct reader *r, int *fd)
{
	struct stat now, cur;
	off_t pos;

	if (stat(r->path, &now) < 0)
		return errno == ENOENT ? 0 : berth_error_set(r->err, errno, "stat log '%s'", r->path);
	if (*fd >= 0 && fstat(*fd, &cur) < 0)
		return berth_error_set(r->err, errno, "stat log '%s'", r->path);
	if (*fd >= 0 && cur.st_ino == now.st_ino && cur.st_dev == now.st_dev) {
		pos = lseek(*fd, 0, SEEK_CUR);
		if (pos > cur.st_size) {
			lseek(*fd, 0, SEEK_SET);
			r->carry.len = 0;
		}
		return 0;
	}
	if (*fd >= 0) {
		if (read_to_end(r, *fd, r->path, true) < 0)
			return -1;
		close(*fd);
	}
	*fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT ? 0 : berth_error_set(r->err, errno, "open log '%s'", r->path);
	watch_file(r);
	return read_to_end(r, *fd, r->path, false);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether to stop after this round; keep_following (maybe costly) is asked at most every 100 ms. */
static bool follow_ends(struct reader *r, int64_t *last_ask)
{
	const struct eng_log_read_opts *o = r->o;
	int64_t now = mono_ms();

	if (o->until_ns && now_ns() > o->until_ns)
		return true;
	if (!o->keep_following || now - *last_ask < FOLLOW_POLL_MS / 2)
		return false;
	*last_ask = now;
	return !o->keep_following(o->data);
}

static int follow(struct reader *r, int *fd)
{
	int64_t last_ask = INT64_MIN / 2;
	int ret = 0;

	watch_start(r);
	while (ret == 0 && !r->done) {
		/* Decided before the last read, so that what was written before it is shown. */
		bool last = follow_ends(r, &last_ask);

		if (*fd >= 0)
			ret = read_to_end(r, *fd, r->path, false);
		if (ret == 0)
			ret = check_replaced(r, fd);
		if (last)
			break;
		if (ret == 0 && !r->done)
			watch_wait(r);
	}
	if (r->ino >= 0)
		close(r->ino);
	return ret;
}

int eng_logs_read(const char *path, const struct eng_log_read_opts *o, struct berth_error **err)
{
	struct reader r = {.o = o, .path = path, .ino = -1, .file_wd = -1, .err = err};
	struct log_file *files = NULL;
	size_t n = 0;
	int ret = 0, cur = -1;

	if (log_files_open(path, o->tail, &files, &n, err) < 0)
		return -1;
	for (size_t i = 0; ret == 0 && i < n && !r.done; i++) {
		bool current = i + 1 == n; /* path itself, newest */

		if (files[i].fd < 0)
			continue;
		if (lseek(files[i].fd, files[i].start, SEEK_SET) < 0)
			ret = berth_error_set(err, errno, "seek log '%s'", files[i].name);
		else
			ret = read_to_end(&r, files[i].fd, files[i].name, !(current && o->follow));
	}
	if (ret == 0 && o->follow && !r.done) {
		cur = TAKE_FD(files[n - 1].fd);
		ret = follow(&r, &cur);
	}
	if (cur >= 0)
		close(cur);
	log_files_free(files, n);
	buf_done(&r.carry);
	return ret;
}
