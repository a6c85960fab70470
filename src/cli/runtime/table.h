/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text output helpers of berth-runtime that must match runc byte for byte:
 * Go tabwriter column alignment, Go's RFC 3339 nanosecond time form, and
 * picking a container's lines out of ps(1) output.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct berth_error;
struct buf;

/* Rows of cells; every cell but a row's last is aligned into columns. */
struct cli_table {
	char ***rows; /* each a NULL-terminated strv, owned */
	size_t n;
};

/* Append a row of copies of the n cells. */
void cli_table_add(struct cli_table *t, const char *const *cells, size_t n);
/*
 * Render as Go's tabwriter.NewWriter(w, minwidth, 1, padding, ' ', 0) with
 * cells ended by '\t': a column is as wide as its widest cell plus padding,
 * at least minwidth; the last cell of a row is not padded.
 */
void cli_table_render(const struct cli_table *t, size_t minwidth, size_t padding, struct buf *out);
void cli_table_done(struct cli_table *t);

/*
 * Go's time.RFC3339Nano form of an RFC 3339 timestamp: the fraction of a
 * second loses its trailing zeros (and the dot when nothing is left).
 * "2023-01-02T03:04:05.120000000Z" -> "2023-01-02T03:04:05.12Z". Caller frees.
 */
char *cli_time_rfc3339nano(const char *s);

/*
 * Filter ps(1) output as runc ps does: the header line, then the lines whose
 * PID column is one of pids. Errors when the header has no PID column or a
 * PID field is not a number.
 */
int cli_ps_filter(const char *ps_output, const pid_t *pids, size_t n_pids, struct buf *out, struct berth_error **err);
