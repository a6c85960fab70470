/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth pull (image pull): docker's output lines, progress drawn by cli/berth/progress. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/progress.h"
#include "engine/engine.h"
#include "image/image.h"

struct pull_opts {
	bool all_tags, quiet, disable_content_trust;
	const char *platform;
	const char *tls_verify;
};

static const struct bcli_opt pull_flags[] = {
	BCLI_FLAG("all-tags", 'a', BCLI_OPT_BOOL, struct pull_opts, all_tags,
		  "Download all tagged images in the repository"),
	BCLI_FLAGX("disable-content-trust", 0, BCLI_OPT_BOOL, struct pull_opts, disable_content_trust,
		   "Skip image verification", "true", NULL),
	BCLI_FLAGX("platform", 0, BCLI_OPT_STRING, struct pull_opts, platform,
		   "Set platform if server is multi-platform capable", NULL, "string"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct pull_opts, quiet, "Suppress verbose output"),
	BCLI_FLAGX("tls-verify", 0, BCLI_OPT_STRING, struct pull_opts, tls_verify,
		   "Require HTTPS and verify certificates when contacting registries", "true", "bool"),
	BCLI_OPT_END,
};

static int pull_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct pull_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL, *name = NULL, *before = NULL;
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	bool verify = true;
	struct eng_pull_opts po = {.platform = o->platform, .quiet = o->quiet};
	_cleanup_progress_ struct bcli_progress *pr = bcli_progress_stdout(o->quiet);
	struct eng_progress p = {0};

	if (bcli_parse_bool(o->tls_verify, &verify) < 0)
		return bcli_fail(BCLI_EXIT_ENGINE, "invalid argument \"%s\" for \"--tls-verify\" flag", o->tls_verify);
	if (o->all_tags)
		return bcli_fail(BCLI_EXIT_ENGINE, "pull --all-tags is not supported yet");
	po.tls_verify = verify;
	bcli_progress_bind(pr, &p);
	if (img_ref_parse(args->args[0], &ref, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (!ref->tag && !ref->digest && !o->quiet)
		printf("Using default tag: latest\n");
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_image_resolve(e, args->args[0], &before, NULL) < 0)
		before = NULL;
	if (eng_image_pull(e, args->args[0], &po, &p, &id, &name, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	if (!o->quiet) {
		_cleanup_img_ref_ struct img_ref *got = NULL;
		_cleanup_free_ char *familiar = NULL;

		if (img_ref_parse(name, &got, NULL) == 0)
			familiar = img_ref_familiar_string(got);
		printf("Status: %s for %s\n",
		       before && strcmp(before, id) == 0 ? "Image is up to date" : "Downloaded newer image",
		       familiar ? familiar : name);
	}
	printf("%s\n", name);
	return 0;
}

const struct bcli_command bcli_cmd_pull = {
	.name = "pull",
	.group = "image",
	.top = "pull",
	.usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
	.summary = "Download an image from a registry",
	.opts = pull_flags,
	.opts_size = sizeof(struct pull_opts),
	.min_args = 1,
	.max_args = 1,
	.run = pull_run,
};
