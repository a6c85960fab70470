/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fixtures of the log tests: a temporary log directory, and an emit that collects entries. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

struct logs_fixture {
	char *dir;  /* a fresh temporary directory */
	char *path; /* <dir>/ctr-json.log, not created */
};

/* cmocka group setup/teardown: *state is a struct logs_fixture; umask 022. */
int logs_setup(void **state);
int logs_teardown(void **state);

/* The whole file (caller frees), NULL when it cannot be opened. */
char *logs_slurp(const char *path);

/* What logs_collect_emit received; stop_after > 0 makes emit return 1 after that many. */
struct logs_collect {
	char **streams, **texts; /* NULL-terminated */
	int64_t *times;
	size_t n;
	size_t stop_after;
};

int logs_collect_emit(void *data, const char *stream, int64_t time_ns, const char *text, size_t len);
void logs_collect_done(struct logs_collect *c);

/* eng_logs_read into c (emit and data of o are set here); fails the test on error. */
void logs_read_ok(const char *path, struct eng_log_read_opts *o, struct logs_collect *c);
