/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Log sink implementation: formats a line and writes it in one write(2). */
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

static struct {
	const char *prog;
	int fd;
	bool is_file;
	enum berth_log_format fmt;
	enum berth_log_level level;
} sink = {"berth", STDERR_FILENO, false, BERTH_LOG_TEXT, BERTH_LOG_INFO};

static const char *const level_names[] = {"debug", "info", "warning", "error"};

int berth_log_open(const char *prog, const char *path, enum berth_log_format fmt, struct berth_error **err)
{
	int fd;

	berth_log_close();
	sink.prog = prog;
	sink.fmt = fmt;
	if (!path || !*path)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return berth_error_set(err, errno, "open log file '%s'", path);
	sink.fd = fd;
	sink.is_file = true;
	return 0;
}

void berth_log_close(void)
{
	if (sink.is_file)
		close(sink.fd);
	sink.fd = STDERR_FILENO;
	sink.is_file = false;
}

void berth_log_set_level(enum berth_log_level lvl)
{
	sink.level = lvl;
}

bool berth_log_is_stderr(void)
{
	return !sink.is_file;
}

int berth_log_fd(void)
{
	return sink.fd;
}

/* Append s to out with JSON (and logrus text) escaping of quotes, backslashes and controls. */
static size_t escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return n;
}

void berth_time_rfc3339(char *buf, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%09ldZ", base, ts.tv_nsec);
}

void berth_logv(enum berth_log_level lvl, const char *fmt, va_list ap)
{
	char msg[4096], esc[8192], line[8400], ts[64];
	int saved = errno, n;

	if (lvl < sink.level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!sink.is_file && sink.fmt == BERTH_LOG_TEXT) {
		n = snprintf(line, sizeof(line), "%s: %s%s%s\n", sink.prog,
			     lvl == BERTH_LOG_ERROR ? "" : level_names[lvl], lvl == BERTH_LOG_ERROR ? "" : ": ", msg);
	} else {
		escape(esc, sizeof(esc), msg);
		berth_time_rfc3339(ts, sizeof(ts));
		if (sink.fmt == BERTH_LOG_JSON)
			n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
				     level_names[lvl], esc, ts);
		else
			n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", ts, level_names[lvl],
				     esc);
	}
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (write(sink.fd, line, (size_t)n) < 0) {
		/* nowhere left to report a failing log sink */
	}
	errno = saved;
}

void berth_log(enum berth_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_logv(lvl, fmt, ap);
	va_end(ap);
}
