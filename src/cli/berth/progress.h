/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pull and push progress as the docker CLI shows it: on a terminal one line
 * per layer, redrawn in place with a bar ("abc: Downloading [==>   ] 1.2MB/3.4MB");
 * otherwise plain lines, without the byte counts.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct eng_progress;

struct bcli_progress;

/*
 * A renderer writing to out: terminal mode when tty is true (redraws with
 * ANSI cursor moves), plain lines otherwise; nothing at all when quiet.
 * width is the terminal's columns (the bar is drawn only when wider than 110,
 * as docker does); 0 means unknown (then assume wide).
 */
struct bcli_progress *bcli_progress_new(FILE *out, bool tty, int width, bool quiet);
/* A renderer for stdout: terminal mode when stdout is a terminal. */
struct bcli_progress *bcli_progress_stdout(bool quiet);
void bcli_progress_free(struct bcli_progress *pr);
static inline void bcli_progress_freep(struct bcli_progress **p)
{
	bcli_progress_free(*p);
	*p = NULL;
}
#define _cleanup_progress_ __attribute__((cleanup(bcli_progress_freep)))

/* Fill *p with callbacks drawing through pr (which must outlive their use). */
void bcli_progress_bind(struct bcli_progress *pr, struct eng_progress *p);

/*
 * Docker's bar and numbers for done of total bytes: "[=====>     ]  1.2MB/3.4MB"
 * (the bar 50 wide, left out when bar is false), "  1.2MB" when total is
 * unknown, "" when nothing is known. Caller frees.
 */
char *bcli_progress_bar(int64_t done, int64_t total, bool bar);
