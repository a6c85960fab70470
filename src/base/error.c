/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The error type: construction, wrapping, freeing. */
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

int berth_error_setv(struct berth_error **err, int code, const char *fmt, va_list ap)
{
	struct berth_error *e;
	char *msg, *full = NULL;

	if (!err)
		return -1;
	msg = xvasprintf(fmt, ap);
	if (msg && code > 0 && asprintf(&full, "%s: %s", msg, strerror(code)) >= 0) {
		free(msg);
		msg = full;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(msg);
		abort();
	}
	e->code = code;
	e->msg = msg ? msg : strdup("out of memory");
	berth_error_free(err);
	*err = e;
	return -1;
}

int berth_error_set(struct berth_error **err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_error_setv(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int berth_error_wrap(struct berth_error **err, const char *fmt, ...)
{
	va_list ap;
	char *prefix, *full = NULL;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	prefix = xvasprintf(fmt, ap);
	va_end(ap);
	if (prefix && asprintf(&full, "%s: %s", prefix, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = full;
	}
	free(prefix);
	return -1;
}

void berth_error_free(struct berth_error **err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int berth_error_move(struct berth_error **dst, struct berth_error **src)
{
	if (!dst) {
		berth_error_free(src);
		return -1;
	}
	berth_error_free(dst);
	*dst = *src;
	*src = NULL;
	return -1;
}
