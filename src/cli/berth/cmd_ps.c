/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth ps (container ls): Docker's columns, -a -q -n -l -s --no-trunc --filter --format. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct ps_opts {
	bool all, quiet, latest, size, no_trunc;
	int last;
	const char *format;
	char **filter;
};

static const struct bcli_opt ps_flags[] = {
	BCLI_FLAG("all", 'a', BCLI_OPT_BOOL, struct ps_opts, all, "Show all containers (default shows just running)"),
	BCLI_FLAGX("filter", 'f', BCLI_OPT_LIST, struct ps_opts, filter, "Filter output based on conditions provided",
		   NULL, "filter"),
	BCLI_FLAGX("format", 0, BCLI_OPT_STRING, struct ps_opts, format,
		   "Format output using a custom template:\n'table':            Print output in table format with "
		   "column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go "
		   "template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the "
		   "given Go template",
		   NULL, "string"),
	BCLI_FLAGX("last", 'n', BCLI_OPT_INT, struct ps_opts, last,
		   "Show n last created containers (includes all states)", "-1", NULL),
	BCLI_FLAG("latest", 'l', BCLI_OPT_BOOL, struct ps_opts, latest,
		  "Show the latest created container (includes all states)"),
	BCLI_FLAG("no-trunc", 0, BCLI_OPT_BOOL, struct ps_opts, no_trunc, "Don't truncate output"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct ps_opts, quiet, "Only display container IDs"),
	BCLI_FLAG("size", 's', BCLI_OPT_BOOL, struct ps_opts, size, "Display total file sizes"),
	BCLI_OPT_END,
};

static const char *field(json_t *row, const char *k)
{
	const char *s = json_string_value(json_object_get(row, k));

	return s ? s : "";
}

/* One --filter KEY=VALUE against a row; labels as "k" or "k=v". */
static bool match(json_t *row, const char *key, const char *value)
{
	if (!strcmp(key, "name"))
		return strstr(field(row, "Names"), value) != NULL;
	if (!strcmp(key, "id"))
		return !strncmp(field(row, "ID"), value, strlen(value));
	if (!strcmp(key, "status"))
		return !strcmp(field(row, "State"), value);
	if (!strcmp(key, "ancestor")) {
		const char *id = field(row, "BerthImageID"), *hex = strchr(id, ':');

		return !strcmp(field(row, "Image"), value) || (hex && !strncmp(hex + 1, value, strlen(value)));
	}
	if (!strcmp(key, "exited")) {
		char want[32];

		snprintf(want, sizeof(want), "Exited (%s)", value);
		return !strncmp(field(row, "Status"), want, strlen(want));
	}
	if (!strcmp(key, "label")) {
		const char *labels = field(row, "Labels");
		_cleanup_free_ char *copy = xstrdup(labels);
		char *save = NULL;

		for (char *l = strtok_r(copy, ",", &save); l; l = strtok_r(NULL, ",", &save))
			if (!strcmp(l, value) ||
			    (!strchr(value, '=') && !strncmp(l, value, strlen(value)) && l[strlen(value)] == '='))
				return true;
		return false;
	}
	return false;
}

static int check_filters(char **filter)
{
	static const char *const keys[] = {"name", "id", "status", "ancestor", "exited", "label", NULL};

	for (size_t i = 0; filter && filter[i]; i++) {
		const char *eq = strchr(filter[i], '=');
		bool known = false;

		if (!eq)
			return bcli_fail(BCLI_EXIT_ENGINE, "bad format of filter (expected name=value)");
		for (size_t k = 0; keys[k]; k++)
			known |= strlen(keys[k]) == (size_t)(eq - filter[i]) &&
				 !strncmp(keys[k], filter[i], eq - filter[i]);
		if (!known)
			return bcli_fail(BCLI_EXIT_ENGINE, "invalid filter '%.*s'", (int)(eq - filter[i]), filter[i]);
	}
	return 0;
}

/* Docker's filters: the same key ORs, different keys AND. */
static bool keep(json_t *row, char **filter)
{
	for (size_t i = 0; filter && filter[i]; i++) {
		size_t klen = (size_t)(strchr(filter[i], '=') - filter[i]);
		bool any = false;

		for (size_t j = 0; filter[j]; j++)
			if (!strncmp(filter[j], filter[i], klen + 1)) {
				_cleanup_free_ char *key = strndup(filter[j], klen);

				any |= match(row, key, filter[j] + klen + 1);
			}
		if (!any)
			return false;
	}
	return true;
}

/* Docker's display: 12-char id, the command quoted and cut at 20, unless --no-trunc. */
static void display(json_t *row, bool no_trunc)
{
	const char *cmd = field(row, "Command");
	_cleanup_free_ char *shown = NULL, *quoted = NULL;

	if (!no_trunc)
		json_object_set_new(row, "ID", json_sprintf("%.12s", field(row, "ID")));
	shown = !no_trunc && strlen(cmd) > 20 ? xasprintf("%.19s…", cmd) : xstrdup(cmd);
	quoted = xasprintf("\"%s\"", shown);
	json_object_set_new(row, "Command", json_string(quoted));
}

/*
 * ancestor=NAME compares image ids, as docker's: "busybox:latest" finds the
 * containers of "busybox". Names without a local image stay as they are.
 */
static char **resolve_ancestors(struct eng *e, char **filter)
{
	char **out = NULL;

	for (size_t i = 0; filter && filter[i]; i++) {
		_cleanup_free_ char *id = NULL;
		const char *hex;

		if (!strncmp(filter[i], "ancestor=", 9) && eng_image_resolve(e, filter[i] + 9, &id, NULL) == 0 && id) {
			hex = strchr(id, ':');
			strv_push_take(&out, xasprintf("ancestor=%s", hex ? hex + 1 : id));
		} else {
			strv_push(&out, filter[i]);
		}
	}
	return out;
}

/* docker ps -s: the bytes the container wrote, then with its image's ("5kB (virtual 4.27MB)"). */
static void add_size(struct eng *e, json_t *row)
{
	const char *image = field(row, "BerthImageID");
	_cleanup_free_ char *dir = eng_ctr_dir(e, field(row, "ID")), *upper = xasprintf("%s/upper", dir);
	_cleanup_free_ char *rw = NULL, *virt = NULL;
	int64_t bytes = eng_tree_size(upper), image_bytes = 0;
	json_t *doc = NULL;

	if (*image && eng_image_inspect(e, image, &doc, NULL) == 0)
		image_bytes = json_integer_value(json_object_get(doc, "Size"));
	json_decref(doc);
	rw = eng_human_size((double)bytes);
	if (bytes + image_bytes <= 0) {
		json_object_set_new(row, "Size", json_string(rw));
		return;
	}
	virt = eng_human_size((double)(bytes + image_bytes));
	json_object_set_new(row, "Size", json_sprintf("%s (virtual %s)", rw, virt));
}

/* Stopped containers too: -a, -n, -l, or a filter on status or exit code (as docker). */
static bool show_all(const struct ps_opts *o, int limit)
{
	if (o->all || limit >= 0)
		return true;
	for (size_t i = 0; o->filter && o->filter[i]; i++)
		if (!strncmp(o->filter[i], "status=", 7) || !strncmp(o->filter[i], "exited=", 7))
			return true;
	return false;
}

static int ps_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {
		{"ID", "CONTAINER ID"},	     {"Image", "IMAGE"},
		{"Command", "COMMAND"},	     {"RunningFor", "CREATED"},
		{"Status", "STATUS"},	     {"Ports", "PORTS"},
		{"Names", "NAMES"},	     {"Size", "SIZE"},
		{"CreatedAt", "CREATED AT"}, {"State", "STATE"},
		{"Labels", "LABELS"},	     {"Mounts", "MOUNTS"},
		{"Networks", "NETWORKS"},    {"LocalVolumes", "LOCAL VOLUMES"},
	};
	struct ps_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **filter = NULL;
	json_t *rows = NULL, *shown = json_array(), *row;
	int limit = o->latest ? 1 : o->last;
	size_t i;
	int rc = 0;

	if (check_filters(o->filter) != 0 || bcli_engine_open(ctx, &e) < 0) {
		json_decref(shown);
		return BCLI_EXIT_ENGINE;
	}
	if (eng_ctr_ps_rows(e, show_all(o, limit), &rows, &err) < 0) {
		json_decref(shown);
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	}
	filter = resolve_ancestors(e, o->filter);
	json_array_foreach(rows, i, row)
	{
		if (!keep(row, filter) || (limit >= 0 && json_array_size(shown) >= (size_t)limit))
			continue;
		/* as docker, sizes only when asked for: they walk every file the container wrote */
		if (!o->quiet && (o->size || (o->format && strstr(o->format, ".Size"))))
			add_size(e, row);
		display(row, o->no_trunc);
		json_object_del(row, "BerthImageID");
		json_array_append(shown, row);
	}
	if (o->quiet)
		json_array_foreach(shown, i, row) printf("%s\n", field(row, "ID"));
	else if (o->format && strcmp(o->format, "table") != 0)
		rc = bcli_print_rows(shown, o->format, cols, sizeof(cols) / sizeof(cols[0]));
	else
		rc = bcli_print_rows(shown, NULL, cols, o->size ? 8 : 7);
	json_decref(rows);
	json_decref(shown);
	return rc;
}

const struct bcli_command bcli_cmd_ps = {
	.name = "ls",
	.aliases = (const char *const[]){"ps", "list", NULL},
	.group = "container",
	.top = "ps",
	.usage = "[OPTIONS]",
	.summary = "List containers",
	.opts = ps_flags,
	.opts_size = sizeof(struct ps_opts),
	.max_args = 0,
	.run = ps_run,
};
