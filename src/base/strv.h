/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NULL-terminated string vectors and a growable byte buffer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *v);
/* Append a copy of s; *v may be NULL. Aborts on out of memory. */
void strv_push(char ***v, const char *s);
/* Append s itself (ownership taken). */
void strv_push_take(char ***v, char *s);
char **strv_copy(char *const *v);
bool strv_contains(char *const *v, const char *s);
void strv_free(char **v);
/* Value of NAME in an env vector of "NAME=value" entries, or NULL. */
const char *strv_env_get(char *const *env, const char *name);

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Return the data (caller frees) and reset the buffer. */
char *buf_steal(struct buf *b);
void buf_done(struct buf *b);

/* Allocation helpers that abort on out of memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
