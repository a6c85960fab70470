/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth push (image push): an image or a repository's tags to its registry, with docker's output. */
#include <stddef.h>
#include <stdio.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/progress.h"
#include "engine/engine.h"
#include "image/image.h"

struct push_opts {
	bool all_tags, quiet, disable_content_trust;
	const char *tls_verify;
};

static const struct bcli_opt push_flags[] = {
	BCLI_FLAG("all-tags", 'a', BCLI_OPT_BOOL, struct push_opts, all_tags,
		  "Push all tags of an image to the repository"),
	BCLI_FLAGX("disable-content-trust", 0, BCLI_OPT_BOOL, struct push_opts, disable_content_trust,
		   "Skip image signing", "true", NULL),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct push_opts, quiet, "Suppress verbose output"),
	BCLI_FLAGX("tls-verify", 0, BCLI_OPT_STRING, struct push_opts, tls_verify,
		   "Require HTTPS and verify certificates when contacting registries", "true", "bool"),
	BCLI_OPT_END,
};

static int push_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct push_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *digest = NULL, *full = NULL;
	_cleanup_progress_ struct bcli_progress *pr = bcli_progress_stdout(o->quiet);
	struct eng_push_opts po = {.all_tags = o->all_tags, .tls_verify = true};
	struct eng_progress p = {0};

	if (bcli_parse_bool(o->tls_verify, &po.tls_verify) < 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "invalid argument \"%s\" for \"--tls-verify\" flag", o->tls_verify);
	if (img_ref_parse(args->args[0], &ref, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (o->all_tags && ref->tag)
		return bcli_fail(BCLI_EXIT_ENGINE, "tag can't be used with --all-tags/-a");
	if (!o->all_tags && !ref->tag && !ref->digest) {
		img_ref_default_tag(ref);
		if (!o->quiet)
			printf("Using default tag: latest\n");
	}
	full = img_ref_string(ref);
	bcli_progress_bind(pr, &p);
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_image_push(e, o->all_tags ? args->args[0] : full, &po, &p, &digest, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (o->quiet)
		printf("%s\n", full);
	return 0;
}

const struct bcli_command bcli_cmd_push = {
	.name = "push",
	.group = "image",
	.top = "push",
	.usage = "[OPTIONS] NAME[:TAG]",
	.summary = "Upload an image to a registry",
	.opts = push_flags,
	.opts_size = sizeof(struct push_opts),
	.min_args = 1,
	.max_args = 1,
	.run = push_run,
};
