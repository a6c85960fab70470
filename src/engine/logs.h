/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the json-file log driver (Docker's on-disk format, rotation),
 * reading it back for `berth logs` (tail, since/until, follow) and its output.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berth_error;
struct buf;

/* Docker's limit of one log entry: longer lines are split into several entries. */
#define ENG_LOG_LINE_MAX 16384

/*
 * One container's log writer. Each entry is one JSON object on one line:
 * {"log":"text\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}.
 */
struct eng_log_writer;

/*
 * Open (create 0640, O_APPEND) the log file at path. max_size is the size in
 * bytes at which the file is rotated (0: never); max_file >= 1 how many files
 * are kept, path included (path.1 … path.<max_file-1>; 1: path is truncated
 * instead). NULL with *err set on failure. Free with eng_log_writer_close().
 */
struct eng_log_writer *eng_log_writer_open(const char *path, int64_t max_size, int max_file, struct berth_error **err);

/*
 * Log len bytes of data read from stream ("stdout" or "stderr"). Complete
 * lines are written at once, each stamped with the time of this call; the
 * rest waits in a per-stream buffer for its newline. A line longer than
 * ENG_LOG_LINE_MAX is written as several entries, only the last ending in
 * "\n". -1 with *err set on a write or rotation failure (or an unknown stream).
 */
int eng_log_write(struct eng_log_writer *w, const char *stream, const char *data, size_t len, struct berth_error **err);

/* Write the buffered partial lines of both streams as entries without "\n" (at EOF). */
int eng_log_flush(struct eng_log_writer *w, struct berth_error **err);

/* Flush (errors dropped), close and free; NULL accepted. */
void eng_log_writer_close(struct eng_log_writer *w);

struct eng_log_read_opts {
	int64_t tail;		    /* the last N entries only (counted before since/until); -1: all */
	int64_t since_ns, until_ns; /* entries at or after / at or before these times; 0: no bound */
	bool follow;		    /* keep reading what is appended, across rotations */
	bool stdout, stderr;	    /* the streams wanted */
	bool timestamps;	    /* for emit's use (eng_log_format_line); the reader ignores it */
	/*
	 * Called per entry, oldest first, with the stream name, its time and its
	 * text (len bytes, with the "\n" unless the entry is a partial line).
	 * Returns 0 to go on, 1 to stop reading (eng_logs_read returns 0), -1 with
	 * errno set to fail.
	 */
	int (*emit)(void *data, const char *stream, int64_t time_ns, const char *text, size_t len);
	void *data;
	/*
	 * When following: polled at least every 200 ms; once it returns false the
	 * file is read to its end a last time and eng_logs_read returns. NULL:
	 * follow until emit stops it or until_ns is passed.
	 */
	bool (*keep_following)(void *data);
};

/*
 * Read the log at path and its rotated files (path.N … path.1, path) oldest
 * first, calling o->emit per wanted entry. A missing log is an empty log.
 * Corrupt lines are skipped (debug log). -1 with *err set on an I/O failure
 * or when emit fails.
 */
int eng_logs_read(const char *path, const struct eng_log_read_opts *o, struct berth_error **err);

/*
 * Parse a --since/--until value as Docker does: RFC 3339 with or without
 * fraction and zone ("2024-01-02", "2024-01-02T15:04", "…T15:04:05.5Z",
 * "…+02:00"; no zone means local time), a unix time ("1700000000",
 * "1700000000.123456789") or a Go duration before now_ns ("10m", "1h30m";
 * whole seconds, as Docker). -1 with *err set (EINVAL, Docker's message) when
 * s is none of these.
 */
int eng_log_time_parse(const char *s, int64_t now_ns, int64_t *ret_ns, struct berth_error **err);

/*
 * Write time_ns as RFC 3339 in UTC into buf (cap >= 40): Go's RFC3339Nano
 * (trailing zeros of the fraction dropped, as json-file stores times) or,
 * when fixed, always nine digits (RFC3339NanoFixed, as `docker logs -t` prints).
 */
void eng_log_time_format(char *buf, size_t cap, int64_t time_ns, bool fixed);

/*
 * Append one entry's text to out as `docker logs` prints it: with timestamps,
 * prefixed by its time in RFC3339NanoFixed and a space
 * ("2024-01-02T03:04:05.120000000Z text\n").
 */
void eng_log_format_line(struct buf *out, int64_t time_ns, bool timestamps, const char *text, size_t len);
