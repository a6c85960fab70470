/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What berth's commands share beyond parsing: opening the engine, and
 * Docker's output formats for lists and documents (--format table/json/
 * template, text/tabwriter alignment, 12-character ids).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "cli/berth/commands.h"

struct eng;

/* eng_open with the global options; on failure prints the error and returns -1. */
int bcli_engine_open(const struct bcli_ctx *ctx, struct eng **ret);

/* One column of a list's default table: its template field and its header. */
struct bcli_column {
	const char *field;  /* "Repository" */
	const char *header; /* "REPOSITORY" */
};

/*
 * Print rows (a JSON array of objects) as docker's list commands do:
 * format NULL or "table": the default table of columns; "table TEMPLATE": a
 * header made from the columns' headers, then one line per row, aligned as
 * text/tabwriter (minwidth 10, padding 3); "json": one compact JSON object
 * per line; any other TEMPLATE: one line per row, unaligned. Returns 0, or
 * 125 after printing a template error.
 */
int bcli_print_rows(json_t *rows, const char *format, const struct bcli_column *columns, size_t n_columns);

/*
 * Print documents (a JSON array) as docker inspect does: without format, the
 * array indented by 4 spaces; with one, the template once per document.
 */
int bcli_print_documents(json_t *docs, const char *format);

/* Align tab-separated cells the way Go's text/tabwriter(minwidth 10, tabwidth 1, padding 3) does; prints to stdout. */
void bcli_tabwrite(const char *text);

/* The first 12 hex digits of an id, without "sha256:" ("sha256:abc…" → "abc…"). Points into a static buffer. */
const char *bcli_short_id(const char *id);

struct eng_start_opts;
/*
 * Fill o to start monitors with this binary and the same global options;
 * *args_store receives the argument vector (free it with strv_free).
 */
void bcli_start_opts(const struct bcli_ctx *ctx, struct eng_start_opts *o, char ***args_store);
/*
 * Run fn on every positional name, as docker's container commands do: with
 * print, each name that worked is printed; errors are printed as they come
 * and the exit code is 1 when any failed.
 */
int bcli_each_container(const struct bcli_ctx *ctx, const struct bcli_args *args, bool print,
			int (*fn)(struct eng *e, const char *name, void *data, struct berth_error **err), void *data);

struct bcli_run_request;
/*
 * run and create: make sure the image is there (by req->pull: missing,
 * always, never), create the container, write --cidfile. *ret_id gets the id.
 */
int bcli_create_container(struct eng *e, struct bcli_run_request *req, char **ret_id, struct berth_error **err);

/* Docker's prune prompt: warning, then "Are you sure you want to continue? [y/N] "; true on y/Y. */
bool bcli_confirm(const char *warning);
