/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth image inspect and berth inspect: Docker's documents, -f/--format templates. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

struct inspect_opts {
	const char *format;
	const char *type;
	bool size;
};

static const struct bcli_opt image_inspect_flags[] = {
	BCLI_FLAGX(
		"format", 'f', BCLI_OPT_STRING, struct inspect_opts, format,
		"Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         "
		"Print output using the given Go template",
		NULL, "string"),
	BCLI_OPT_END,
};

static const struct bcli_opt inspect_flags[] = {
	BCLI_FLAGX(
		"format", 'f', BCLI_OPT_STRING, struct inspect_opts, format,
		"Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         "
		"Print output using the given Go template",
		NULL, "string"),
	BCLI_FLAG("size", 's', BCLI_OPT_BOOL, struct inspect_opts, size,
		  "Display total file sizes if the type is container"),
	BCLI_FLAGX("type", 0, BCLI_OPT_STRING, struct inspect_opts, type, "Return JSON for specified type", NULL,
		   "string"),
	BCLI_OPT_END,
};

/* Every name's document; docker prints the ones found, then errors for the rest, and exits 1 if any failed. */
/* One document of kind ("image", "container", or NULL: a container first, then an image, as docker). */
static int inspect_one(struct eng *e, const char *kind, const char *name, json_t **doc, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *id = NULL;

	if (kind && !strcmp(kind, "image"))
		return eng_image_inspect(e, name, doc, err);
	if (kind && !strcmp(kind, "container"))
		return eng_ctr_inspect(e, name, doc, err);
	if (kind && !strcmp(kind, "volume"))
		return eng_volume_inspect(e, name, doc, err);
	if (kind)
		return berth_error_set(err, 0, "No such object: %s", name);
	if (eng_ctr_lookup(e, name, &c, err) < 0)
		return -1;
	if (c)
		return eng_ctr_inspect(e, c->id, doc, err);
	if (eng_image_resolve(e, name, &id, NULL) == 0 && id)
		return eng_image_inspect(e, id, doc, err);
	if (eng_volume_inspect(e, name, doc, NULL) == 0)
		return 0;
	return berth_error_set(err, 0, "No such object: %s", name);
}

static int inspect_names(const struct bcli_ctx *ctx, const struct inspect_opts *o, const struct bcli_args *args,
			 const char *kind)
{
	_cleanup_eng_ struct eng *e = NULL;
	json_t *docs = json_array();
	_cleanup_strv_ char **missing = NULL;
	int rc;

	if (bcli_engine_open(ctx, &e) < 0) {
		json_decref(docs);
		return BCLI_EXIT_ENGINE;
	}
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		json_t *doc = NULL;

		if (inspect_one(e, kind, args->args[i], &doc, &err) < 0) {
			/* docker: "Error: No such object: NAME" for inspect, "No such image" for image inspect */
			strv_push(&missing, err->msg);
			continue;
		}
		json_array_append_new(docs, doc);
	}
	rc = bcli_print_documents(docs, o->format && strcmp(o->format, "json") != 0 ? o->format : NULL);
	json_decref(docs);
	for (size_t i = 0; missing && missing[i]; i++)
		fprintf(stderr, BCLI_ERROR_PREFIX "%s\n", missing[i]);
	return missing ? 1 : rc;
}

static int image_inspect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	return inspect_names(ctx, opts, args, "image");
}

static int container_inspect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	return inspect_names(ctx, opts, args, "container");
}

static int inspect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct inspect_opts *o = opts;

	if (o->type && strcmp(o->type, "image") != 0 && strcmp(o->type, "container") != 0 &&
	    strcmp(o->type, "volume") != 0 && strcmp(o->type, "network") != 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "\"%s\" is not a valid value for --type", o->type);
	return inspect_names(ctx, o, args, o->type);
}

const struct bcli_command bcli_cmd_image_inspect = {
	.name = "inspect",
	.group = "image",
	.usage = "[OPTIONS] IMAGE [IMAGE...]",
	.summary = "Display detailed information on one or more images",
	.opts = image_inspect_flags,
	.opts_size = sizeof(struct inspect_opts),
	.min_args = 1,
	.max_args = -1,
	.run = image_inspect_run,
};

const struct bcli_command bcli_cmd_inspect = {
	.name = "inspect",
	.usage = "[OPTIONS] NAME|ID [NAME|ID...]",
	.summary = "Return low-level information on Docker objects",
	.opts = inspect_flags,
	.opts_size = sizeof(struct inspect_opts),
	.min_args = 1,
	.max_args = -1,
	.run = inspect_run,
};

static const struct bcli_opt container_inspect_flags[] = {
	BCLI_FLAGX(
		"format", 'f', BCLI_OPT_STRING, struct inspect_opts, format,
		"Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         "
		"Print output using the given Go template",
		NULL, "string"),
	BCLI_FLAG("size", 's', BCLI_OPT_BOOL, struct inspect_opts, size, "Display total file sizes"),
	BCLI_OPT_END,
};

const struct bcli_command bcli_cmd_container_inspect = {
	.name = "inspect",
	.group = "container",
	.usage = "[OPTIONS] CONTAINER [CONTAINER...]",
	.summary = "Display detailed information on one or more containers",
	.opts = container_inspect_flags,
	.opts_size = sizeof(struct inspect_opts),
	.min_args = 1,
	.max_args = -1,
	.run = container_inspect_run,
};
