/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process-wide log sink: stderr or a file, text (logrus style) or JSON lines. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum berth_log_level { BERTH_LOG_DEBUG, BERTH_LOG_INFO, BERTH_LOG_WARN, BERTH_LOG_ERROR };
enum berth_log_format { BERTH_LOG_TEXT, BERTH_LOG_JSON };

struct berth_error;

/*
 * Direct log lines to path (appended, created 0644) or, when path is NULL, to
 * stderr. prog names the program in plain stderr lines ("prog: warning: …").
 * Lines go to a file as logrus text (time="…" level=… msg="…") or as runc's
 * JSON ({"level":"…","msg":"…","time":"…"}).
 */
int berth_log_open(const char *prog, const char *path, enum berth_log_format fmt, struct berth_error **err);
void berth_log_close(void);
void berth_log_set_level(enum berth_log_level lvl);
bool berth_log_is_stderr(void);
/* The fd lines are written to (stderr or the file); for passing to children. */
int berth_log_fd(void);

/* The current time as RFC 3339 in UTC with nanoseconds ("2026-01-02T03:04:05.123456789Z"); cap >= 40. */
void berth_time_rfc3339(char *buf, size_t cap);

void berth_logv(enum berth_log_level lvl, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void berth_log(enum berth_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) berth_log(BERTH_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) berth_log(BERTH_LOG_INFO, __VA_ARGS__)
#define log_warn(...) berth_log(BERTH_LOG_WARN, __VA_ARGS__)
#define log_error(...) berth_log(BERTH_LOG_ERROR, __VA_ARGS__)
