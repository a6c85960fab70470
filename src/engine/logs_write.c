/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The json-file log writer: container output cut into lines, one JSON object
 * per entry as Docker writes them, and Docker's size-based rotation.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/logs.h"

enum { STREAM_STDOUT, STREAM_STDERR, N_STREAMS };

static const char *const stream_names[N_STREAMS] = {"stdout", "stderr"};

struct eng_log_writer {
	char *path;
	int fd;
	int64_t max_size; /* 0: never rotate */
	int64_t size;	  /* of the current file */
	int max_file;
	struct buf pending[N_STREAMS]; /* bytes after the last newline, per stream */
	struct buf entry;	       /* the JSON line being built */
};

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static size_t utf8_seq_len(const uint8_t *p, size_t n)
{
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* Overlong forms, UTF-16 surrogates and code points above U+10FFFF are invalid. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * Append data as the inside of a JSON string the way Go's encoder (and so
 * Docker) writes it: <, > and & escaped, U+2028/U+2029 escaped, every byte
 * that is not valid UTF-8 replaced by U+FFFD.
 */
static void json_escape(struct buf *b, const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)data;
	size_t i = 0, run = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t seq = 1;
		const char *esc = NULL;
		char u[7];

		if (c >= 0x80) {
			seq = utf8_seq_len(p + i, len - i);
			if (seq == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
				esc = p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
			else if (seq == 0) {
				esc = "\\ufffd";
				seq = 1;
			}
		} else if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
			esc = u;
		}
		if (esc) {
			buf_append(b, data + i - run, run);
			buf_puts(b, esc);
			run = 0;
		} else
			run += seq;
		i += seq;
	}
	buf_append(b, data + len - run, run);
}

static int open_log(const char *path, bool truncate, struct berth_error **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0640);

	if (fd < 0)
		return berth_error_set(err, errno, "open log '%s'", path);
	return fd;
}

/*
 * Docker's rotation: path.(n-2) -> path.(n-1), …, path -> path.1, then a
 * fresh path. With max_file 1 there is nothing to keep: path is truncated.
 */
static int rotate(struct eng_log_writer *w, struct berth_error **err)
{
	close(w->fd);
	w->fd = -1;
	for (int i = w->max_file - 1; i >= 1; i--) {
		_cleanup_free_ char *from = i > 1 ? xasprintf("%s.%d", w->path, i - 1) : xstrdup(w->path);
		_cleanup_free_ char *to = xasprintf("%s.%d", w->path, i);

		if (rename(from, to) < 0 && errno != ENOENT)
			return berth_error_set(err, errno, "rotate log '%s' to '%s'", from, to);
	}
	w->fd = open_log(w->path, true, err);
	if (w->fd < 0)
		return -1;
	w->size = 0;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_entry(struct eng_log_writer *w, int stream, const char *text, size_t len, bool partial,
		       const char *time, struct berth_error **err)
{
	struct buf *e = &w->entry;

	e->len = 0;
	buf_puts(e, "{\"log\":\"");
	json_escape(e, text, len);
	buf_printf(e, "%s\",\"stream\":\"%s\",\"time\":\"%s\"}\n", partial ? "" : "\\n", stream_names[stream], time);
	/* As Docker: rotate before the write once the file has reached max_size. */
	if (w->max_size > 0 && w->size >= w->max_size && rotate(w, err) < 0)
		return -1;
	/* A failed rotation left no file open: try again with the current path. */
	if (w->fd < 0) {
		w->fd = open_log(w->path, false, err);
		if (w->fd < 0)
			return -1;
	}
	if (write_all(w->fd, e->data, e->len) < 0)
		return berth_error_set(err, errno, "write log '%s'", w->path);
	w->size += (int64_t)e->len;
	return 0;
}

static void now_rfc3339(char *buf, size_t cap)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	eng_log_time_format(buf, cap, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, false);
}

/*
 * Write the complete entries waiting in a stream's buffer: lines, and pieces
 * of ENG_LOG_LINE_MAX bytes of a longer line (Docker's 16 KiB read buffer);
 * with final, the rest too as a partial entry. Keeps what is left.
 */
static int drain(struct eng_log_writer *w, int stream, bool final, struct berth_error **err)
{
	struct buf *b = &w->pending[stream];
	char time[64];
	size_t p = 0;
	int r = 0;

	now_rfc3339(time, sizeof(time));
	while (r == 0 && p < b->len) {
		size_t avail = b->len - p;
		const char *nl = memchr(b->data + p, '\n', avail < ENG_LOG_LINE_MAX ? avail : ENG_LOG_LINE_MAX);

		if (nl) {
			r = write_entry(w, stream, b->data + p, (size_t)(nl - (b->data + p)), false, time, err);
			p = (size_t)(nl - b->data) + 1;
		} else if (avail >= ENG_LOG_LINE_MAX || final) {
			size_t n = avail < ENG_LOG_LINE_MAX ? avail : ENG_LOG_LINE_MAX;

			r = write_entry(w, stream, b->data + p, n, true, time, err);
			p += n;
		} else
			break;
	}
	/* Even after a failure: what was written must not be written again. */
	if (p > 0)
		memmove(b->data, b->data + p, b->len - p);
	b->len -= p;
	if (b->data)
		b->data[b->len] = '\0';
	return r;
}

struct eng_log_writer *eng_log_writer_open(const char *path, int64_t max_size, int max_file, struct berth_error **err)
{
	struct eng_log_writer *w;
	struct stat st;
	int fd;

	if (max_size < 0 || max_file < 1) {
		berth_error_set(err, 0, "log '%s': invalid max-size %lld or max-file %d", path, (long long)max_size,
				max_file);
		return NULL;
	}
	fd = open_log(path, false, err);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		berth_error_set(err, errno, "stat log '%s'", path);
		close(fd);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->path = xstrdup(path);
	w->fd = fd;
	w->max_size = max_size;
	w->size = st.st_size;
	w->max_file = max_file;
	return w;
}

int eng_log_write(struct eng_log_writer *w, const char *stream, const char *data, size_t len, struct berth_error **err)
{
	int s;

	if (strcmp(stream, "stdout") == 0)
		s = STREAM_STDOUT;
	else if (strcmp(stream, "stderr") == 0)
		s = STREAM_STDERR;
	else
		return berth_error_set(err, 0, "log '%s': unknown stream '%s'", w->path, stream);
	if (len == 0)
		return 0;
	buf_append(&w->pending[s], data, len);
	return drain(w, s, false, err);
}

int eng_log_flush(struct eng_log_writer *w, struct berth_error **err)
{
	for (int s = 0; s < N_STREAMS; s++)
		if (drain(w, s, true, err) < 0)
			return -1;
	return 0;
}

void eng_log_writer_close(struct eng_log_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		eng_log_flush(w, NULL);
		close(w->fd);
	}
	for (int s = 0; s < N_STREAMS; s++)
		buf_done(&w->pending[s]);
	buf_done(&w->entry);
	free(w->path);
	free(w);
}
