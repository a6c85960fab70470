/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The error type every fallible berth function reports through. */
#pragma once

#include <stdarg.h>

struct berth_error {
	int code; /* errno of the failure, 0 when none applies */
	char *msg;
};

/*
 * Set *err to a new error built from fmt; when code is non-zero, ": strerror(code)"
 * is appended. Returns -1 so that callers can write
 * `return berth_error_set(err, errno, "open '%s'", path);`.
 * When err is NULL the error is dropped. An error already in *err is replaced.
 */
int berth_error_set(struct berth_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int berth_error_setv(struct berth_error **err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prefix the message in *err with "fmt: ". Returns -1. Does nothing when *err is NULL. */
int berth_error_wrap(struct berth_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free an error (NULL accepted) and set the pointer to NULL. */
void berth_error_free(struct berth_error **err);

/* Move *src into *dst (freeing what dst held). Returns -1. */
int berth_error_move(struct berth_error **dst, struct berth_error **src);
