/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime list: the containers under --root, as runc's table, JSON or bare ids. */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "cli/runtime/table.h"

struct list_opts {
	const char *format;
	bool quiet;
};

#define O(field) offsetof(struct list_opts, field)
static const struct cli_opt list_options[] = {
	{"format", 'f', CLI_OPT_STRING, O(format), "select one of: table or json", "\"table\""},
	{"quiet", 'q', CLI_OPT_BOOL, O(quiet), "display only container IDs", NULL},
	CLI_OPT_END,
};

static void print_table(struct rt_state **states, size_t n)
{
	static const char *const header[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	_cleanup_(cli_table_done) struct cli_table t = {0};
	_cleanup_(buf_done) struct buf b = {0};

	cli_table_add(&t, header, 6);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *pid = xasprintf("%d", (int)states[i]->pid);
		_cleanup_free_ char *created = cli_time_rfc3339nano(states[i]->created ? states[i]->created : "");
		const char *row[] = {states[i]->id,
				     pid,
				     states[i]->status ? states[i]->status : "",
				     states[i]->bundle ? states[i]->bundle : "",
				     created,
				     states[i]->owner ? states[i]->owner : ""};
		cli_table_add(&t, row, 6);
	}
	/* as runc: tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0) */
	cli_table_render(&t, 12, 3, &b);
	fputs(b.data, stdout);
}

static json_t *state_object(const struct rt_state *s)
{
	_cleanup_free_ char *created = cli_time_rfc3339nano(s->created ? s->created : "");
	json_t *o = json_object();

	json_object_set_new(o, "ociVersion", json_string(s->oci_version ? s->oci_version : ""));
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "status", json_string(s->status ? s->status : ""));
	json_object_set_new(o, "bundle", json_string(s->bundle ? s->bundle : ""));
	json_object_set_new(o, "rootfs", json_string(s->rootfs ? s->rootfs : ""));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "owner", json_string(s->owner ? s->owner : ""));
	if (s->annotations && s->annotations[0]) {
		json_t *a = json_object();
		for (char **p = s->annotations; p[0] && p[1]; p += 2)
			json_object_set_new(a, p[0], json_string(p[1]));
		json_object_set_new(o, "annotations", a);
	}
	return o;
}

static int print_json(struct rt_state **states, size_t n)
{
	_cleanup_free_ char *text = NULL;
	json_t *arr;

	/* Go encodes an empty list as null */
	if (n == 0) {
		puts("null");
		return 0;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, state_object(states[i]));
	text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!text)
		return cli_fail(CLI_EXIT_FAILURE, "encode the container list");
	puts(text);
	return 0;
}

static void free_states(struct rt_state **states, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rt_state_free(states[i]);
	free(states);
}

static int list_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct list_opts *o = opts;
	struct rt_state **states = NULL;
	size_t n = 0;
	int r = 0;

	if (rt_list(&ctx->g, &states, &n, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	if (o->quiet) {
		for (size_t i = 0; i < n; i++)
			puts(states[i]->id);
	} else if (!o->format || strcmp(o->format, "table") == 0) {
		print_table(states, n);
	} else if (strcmp(o->format, "json") == 0) {
		r = print_json(states, n);
	} else {
		r = cli_fail(CLI_EXIT_FAILURE, "invalid format option");
	}
	free_states(states, n);
	return r;
}

const struct cli_command cli_cmd_list = {
	.name = "list",
	.alias = "ls",
	.summary = "lists containers started by " CLI_PROG " with the given root",
	.usage = "[command options]",
	.description = "Where the given root is specified via the global option \"--root\"\n"
		       "(default: \"/run/" CLI_PROG "\").\n\n"
		       "EXAMPLE 1:\n"
		       "To list containers created via the default \"--root\":\n"
		       "       # " CLI_PROG " list\n\n"
		       "EXAMPLE 2:\n"
		       "To list containers created using a non-default value for \"--root\":\n"
		       "       # " CLI_PROG " --root value list",
	.opts = list_options,
	.opts_size = sizeof(struct list_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 0,
	.max_args = 0,
	.run = list_run,
};
