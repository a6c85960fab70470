/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fixtures of the log tests: a temporary log directory, and an emit that collects entries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "logs_fixture.h"

int logs_setup(void **state)
{
	struct logs_fixture *f = xcalloc(1, sizeof(*f));
	char tmpl[] = "/tmp/berth-test-logs-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	f->dir = xstrdup(tmpl);
	f->path = xasprintf("%s/ctr-json.log", f->dir);
	umask(022);
	*state = f;
	return 0;
}

int logs_teardown(void **state)
{
	struct logs_fixture *f = *state;
	struct berth_error *err = NULL;

	if (fs_rm_rf_at(AT_FDCWD, f->dir, &err) < 0)
		fail_msg("remove '%s': %s", f->dir, err->msg);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

char *logs_slurp(const char *path)
{
	struct buf b = {0};
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	return b.data ? buf_steal(&b) : xstrdup("");
}

int logs_collect_emit(void *data, const char *stream, int64_t time_ns, const char *text, size_t len)
{
	struct logs_collect *c = data;

	c->streams = realloc(c->streams, (c->n + 2) * sizeof(char *));
	c->texts = realloc(c->texts, (c->n + 2) * sizeof(char *));
	c->times = realloc(c->times, (c->n + 1) * sizeof(int64_t));
	c->streams[c->n] = xstrdup(stream);
	c->texts[c->n] = xasprintf("%.*s", (int)len, text);
	c->times[c->n] = time_ns;
	c->n++;
	c->streams[c->n] = c->texts[c->n] = NULL;
	return c->stop_after && c->n >= c->stop_after ? 1 : 0;
}

void logs_collect_done(struct logs_collect *c)
{
	strv_free(c->streams);
	strv_free(c->texts);
	free(c->times);
	memset(c, 0, sizeof(*c));
}

void logs_read_ok(const char *path, struct eng_log_read_opts *o, struct logs_collect *c)
{
	struct berth_error *err = NULL;

	o->emit = logs_collect_emit;
	o->data = c;
	if (eng_logs_read(path, o, &err) < 0)
		fail_msg("read '%s': %s", path, err->msg);
}
