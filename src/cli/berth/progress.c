/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Docker-like pull and push progress: per-layer lines redrawn in place on a terminal, plain lines otherwise. */
#include "cli/berth/progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

#define BAR_WIDTH 50
/* Docker draws the bar only on terminals wider than this. */
#define BAR_MIN_COLS 110
/* Byte updates are redrawn at most this often (ns), the last one always. */
#define REDRAW_NS 100000000LL

struct bcli_progress {
	FILE *out;
	bool tty, quiet;
	int width;
	char **ids; /* the rows on screen, top first; a line without id starts over */
	int64_t last_ns;
};

struct bcli_progress *bcli_progress_new(FILE *out, bool tty, int width, bool quiet)
{
	struct bcli_progress *pr = xcalloc(1, sizeof(*pr));

	pr->out = out;
	pr->tty = tty;
	pr->width = width;
	pr->quiet = quiet;
	pr->ids = xcalloc(1, sizeof(char *));
	return pr;
}

struct bcli_progress *bcli_progress_stdout(bool quiet)
{
	struct winsize ws = {0};
	bool tty = isatty(STDOUT_FILENO);

	if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		ws.ws_col = 0;
	return bcli_progress_new(stdout, tty, ws.ws_col, quiet);
}

void bcli_progress_free(struct bcli_progress *pr)
{
	if (!pr)
		return;
	strv_free(pr->ids);
	free(pr);
}

char *bcli_progress_bar(int64_t done, int64_t total, bool bar)
{
	_cleanup_free_ char *d = NULL, *t = NULL;
	char box[BAR_WIDTH + 5] = ""; /* "[" 50 "=" or " ", ">" "] " NUL */
	int filled;

	if (done <= 0 && total <= 0)
		return xstrdup("");
	d = eng_human_size((double)(done > 0 ? done : 0));
	if (total <= 0)
		return xasprintf("%8s", d);
	t = eng_human_size((double)total);
	filled = (int)((double)done / (double)total * 100) / 2;
	if (filled > BAR_WIDTH)
		filled = BAR_WIDTH;
	if (filled < 0)
		filled = 0;
	if (bar) {
		box[0] = '[';
		memset(box + 1, '=', (size_t)filled);
		box[1 + filled] = '>';
		memset(box + 2 + filled, ' ', (size_t)(BAR_WIDTH - filled));
		memcpy(box + 2 + BAR_WIDTH, "] ", 3);
	}
	return xasprintf("%s%8s/%s", box, d, t);
}

static ssize_t row_of(struct bcli_progress *pr, const char *id)
{
	for (size_t i = 0; pr->ids[i]; i++)
		if (strcmp(pr->ids[i], id) == 0)
			return (ssize_t)i;
	return -1;
}

/* Write "id: text" on the row of id: a new row at the bottom, or the old one redrawn. */
static void draw(struct bcli_progress *pr, const char *id, const char *text)
{
	_cleanup_free_ char *line = xasprintf("%s: %s", id, text);
	size_t n = strv_length(pr->ids), up;
	ssize_t row = row_of(pr, id);

	/* a wrapped line would throw the cursor arithmetic off */
	if (pr->width > 1 && strlen(line) >= (size_t)pr->width)
		line[pr->width - 1] = '\0';
	if (row < 0) {
		strv_push(&pr->ids, id);
		fprintf(pr->out, "\033[2K\r%s\n", line);
		return;
	}
	up = n - (size_t)row;
	fprintf(pr->out, "\033[%zuA\033[2K\r%s\n", up, line);
	if (up > 1)
		fprintf(pr->out, "\033[%zuB", up - 1);
}

static void on_line(void *data, const char *id, const char *status)
{
	struct bcli_progress *pr = data;

	if (pr->quiet)
		return;
	if (!id) {
		/* what follows is a new block: earlier rows are no longer redrawn */
		strv_free(pr->ids);
		pr->ids = xcalloc(1, sizeof(char *));
		fprintf(pr->out, "%s\n", status);
	} else if (pr->tty) {
		draw(pr, id, status);
	} else {
		fprintf(pr->out, "%s: %s\n", id, status);
	}
	fflush(pr->out);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_bytes(void *data, const char *id, const char *action, int64_t done, int64_t total)
{
	struct bcli_progress *pr = data;
	_cleanup_free_ char *bar = NULL, *text = NULL;
	int64_t now;

	if (pr->quiet || !pr->tty || !id)
		return;
	now = now_ns();
	if (done != total && now - pr->last_ns < REDRAW_NS)
		return;
	pr->last_ns = now;
	bar = bcli_progress_bar(done, total, pr->width == 0 || pr->width > BAR_MIN_COLS);
	text = xasprintf("%s %s", action, bar);
	draw(pr, id, text);
	fflush(pr->out);
}

void bcli_progress_bind(struct bcli_progress *pr, struct eng_progress *p)
{
	p->line = on_line;
	p->bytes = on_bytes;
	p->data = pr;
}
