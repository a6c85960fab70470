/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the --format template engine, the subset of Go's text/template that
 * docker's CLI offers (with docker's json, split, join, title, lower, upper, pad
 * and truncate functions), evaluated over jansson documents.
 */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "base/base.h"

struct eng_template;

/*
 * Parse a template. On success *ret owns a new template (free with
 * eng_template_free). On failure returns -1 with *err set to one line in Go's
 * shape, "template: :LINE: message" (e.g. "template: :1: unclosed action",
 * "template: :1: function \"foo\" not defined"); *ret is left untouched.
 * define, template and block actions are not supported (parse error).
 */
int eng_template_parse(const char *text, struct eng_template **ret, struct berth_error **err);

/*
 * Execute t with dot (and $) bound to data, appending the output to out. Data
 * is borrowed. Semantics follow Go's text/template over docker's documents:
 *  - a key missing from an object prints "<no value>", as a Go map does (Go
 *    structs would fail instead); a JSON null prints "<nil>";
 *  - numbers: JSON integers print as integers, reals as Go's %v prints a
 *    float64 (1.5, 1e+06); arrays print as [a b], objects as map[k:v] with
 *    sorted keys; ranging over an object visits its keys in sorted order;
 *  - truth: false, 0, "", null, missing, empty array and empty object are false;
 *  - eq/ne/lt/le/gt/ge compare integers and reals with each other (Go would
 *    refuse to mix int and float64);
 *  - where docker's typed documents hold nil slices and maps, null reads as
 *    they do: len null is 0, join of null is "", index of null or a missing
 *    key of an all-string object (labels) is "";
 *  - range also counts over an integer (Go 1.22) and {{else with}} (Go 1.23);
 *  - json marshals as docker's json function does (compact, object keys in
 *    document order, no HTML escaping, no trailing newline).
 * On failure returns -1 with *err set to one line, "template: :1:2: executing
 * \"\" at <.Foo.Bar>: message", and out is restored to its length on entry.
 * Output is bounded (64 MiB, strings 16 MiB, 10 million evaluation steps).
 */
int eng_template_exec(const struct eng_template *t, json_t *data, struct buf *out, struct berth_error **err);

/* Free a template; NULL is accepted. */
void eng_template_free(struct eng_template *t);
DEFINE_CLEANUP_FUNC(struct eng_template, eng_template_free)
#define _cleanup_template_ _cleanup_(eng_template_freep)

/*
 * Docker's "table" prefix: true when format starts with "table"; *ret_rest
 * (may be NULL) then points after it and after any spaces that follow.
 * When false, *ret_rest is set to format.
 */
bool eng_template_is_table(const char *format, const char **ret_rest);

/*
 * Docker's CLI replaces the two-character sequences backslash-t and
 * backslash-n of a --format string by a tab and a newline. Returns a new
 * string (caller frees).
 */
char *eng_template_unescape(const char *format);

/*
 * All of docker's preparation of a list command's --format (ps, images, ...):
 * drop a "table" prefix (reported in *ret_table, may be NULL), trim spaces at
 * both ends, then unescape. Returns a new string (caller frees). The whole
 * format "json" is the CLI's business and is not recognised here.
 */
char *eng_template_preformat(const char *format, bool *ret_table);
