/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth top (container top): the container's processes as ps shows them, aligned as the docker CLI does. */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

/* Display width of a UTF-8 string: one column per code point, as Go's tabwriter counts. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* text/tabwriter(minwidth 20, tabwidth 1, padding 3): every cell but the last padded to its column's width. */
static void print_table(json_t *titles, json_t *procs)
{
	size_t cols = json_array_size(titles), *w = xcalloc(cols ? cols : 1, sizeof(*w)), i, j;
	json_t *row, *cell;

	json_array_foreach(titles, j, cell) w[j] = text_width(json_string_value(cell));
	json_array_foreach(procs, i, row)
		json_array_foreach(row, j, cell) if (j < cols && text_width(json_string_value(cell)) > w[j]) w[j] =
			text_width(json_string_value(cell));
	for (i = 0; i <= json_array_size(procs); i++) {
		json_t *r = i == 0 ? titles : json_array_get(procs, i - 1);
		size_t n = json_array_size(r);

		json_array_foreach(r, j, cell)
		{
			const char *s = json_string_value(cell);
			size_t width = j < cols && w[j] + 3 > 20 ? w[j] + 3 : 20;

			if (j + 1 < n)
				printf("%s%*s", s, (int)(width - text_width(s)), "");
			else
				printf("%s", s);
		}
		printf("\n");
	}
	free(w);
}

static int top_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *top = NULL;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_top(e, args->args[0], args->args + 1, &top, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	print_table(json_object_get(top, "Titles"), json_object_get(top, "Processes"));
	json_decref(top);
	return 0;
}

const struct bcli_command bcli_cmd_top = {
	.name = "top",
	.group = "container",
	.top = "top",
	.usage = "CONTAINER [ps OPTIONS]",
	.summary = "Display the running processes of a container",
	.min_args = 1,
	.max_args = -1,
	.no_interspersed = true,
	.run = top_run,
};
