/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth manifest inspect: a manifest or index as the registry serves it, indented as docker prints it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "image/image.h"
#include "oci/oci.h"

struct manifest_inspect_opts {
	bool insecure, verbose;
};

static const struct bcli_opt manifest_inspect_flags[] = {
	BCLI_FLAG("insecure", 0, BCLI_OPT_BOOL, struct manifest_inspect_opts, insecure,
		  "Allow communication with an insecure registry"),
	BCLI_FLAG("verbose", 'v', BCLI_OPT_BOOL, struct manifest_inspect_opts, verbose,
		  "Output additional info including layers and platform"),
	BCLI_OPT_END,
};

/* docker's indentation: three spaces, fields in the document's order. */
static void print_json(json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(3) | JSON_PRESERVE_ORDER);

	if (text)
		printf("%s\n", text);
	free(text);
}

/* One manifest in docker's verbose form: Ref, Descriptor, and the manifest under its kind's key. */
static json_t *verbose_entry(const char *ref, const char *digest, size_t len, const char *media_type, json_t *body,
			     json_t *platform)
{
	json_t *desc = json_object(), *out = json_object();
	bool oci = media_type && strcmp(media_type, OCI_MEDIA_MANIFEST) == 0;

	json_object_set_new(desc, "mediaType", json_string(media_type ? media_type : OCI_MEDIA_MANIFEST));
	json_object_set_new(desc, "digest", json_string(digest));
	json_object_set_new(desc, "size", json_integer((json_int_t)len));
	if (platform)
		json_object_set(desc, "platform", platform);
	json_object_set_new(out, "Ref", json_string(ref));
	json_object_set_new(out, "Descriptor", desc);
	json_object_set(out, oci ? "OCIManifest" : "SchemaV2Manifest", body);
	return out;
}

/* GET and parse one manifest or index; ENOENT becomes docker's "no such manifest". */
static int fetch(struct img_registry *reg, const struct img_ref *ref, const char *what, json_t **ret_json,
		 char **ret_type, char digest[DIGEST_STR_SIZE], size_t *ret_len, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL, *name = NULL;
	json_error_t jerr;

	if (img_registry_manifest_get(reg, ref->path, what, NULL, &data, ret_len, ret_type, digest, err) < 0) {
		if (*err && (*err)->code == ENOENT) {
			_cleanup_free_ char *repo = img_ref_repository(ref);

			name = xasprintf("%s%c%s", repo, strchr(what, ':') ? '@' : ':', what);
			return berth_error_set(err, 0, "no such manifest: %s", name);
		}
		return -1;
	}
	*ret_json = json_loadb(data, *ret_len, 0, &jerr);
	if (!*ret_json)
		return berth_error_set(err, 0, "manifest %s: %s", digest, jerr.text);
	return 0;
}

/* -v of an index: every manifest it lists, fetched, in docker's verbose form. */
static int verbose_index(struct img_registry *reg, const struct img_ref *ref, json_t *index, json_t **ret,
			 struct berth_error **err)
{
	_cleanup_free_ char *repo = img_ref_repository(ref);
	json_t *list = json_array(), *m;
	size_t i;

	json_array_foreach(json_object_get(index, "manifests"), i, m)
	{
		const char *d = json_string_value(json_object_get(m, "digest"));
		_cleanup_free_ char *type = NULL, *name = NULL;
		char digest[DIGEST_STR_SIZE];
		json_t *body = NULL;
		size_t len = 0;

		if (!d || fetch(reg, ref, d, &body, &type, digest, &len, err) < 0) {
			json_decref(list);
			return d ? -1 : berth_error_set(err, 0, "index entry %zu has no digest", i);
		}
		name = xasprintf("%s@%s", repo, digest);
		json_array_append_new(list,
				      verbose_entry(name, digest, len, type, body, json_object_get(m, "platform")));
		json_decref(body);
	}
	*ret = list;
	return 0;
}

static int manifest_inspect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct manifest_inspect_opts *o = opts;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *type = NULL, *name = NULL;
	struct img_registry_opts ro = {.config_dir = ctx->config_dir, .tls_verify = !o->insecure};
	struct img_registry *reg = NULL;
	char digest[DIGEST_STR_SIZE];
	json_t *doc = NULL, *out = NULL;
	size_t len = 0;
	int rc = BCLI_EXIT_ENGINE;

	if (img_ref_parse_normalized_default(args->args[0], &ref, &err) < 0)
		return bcli_fail_error(BCLI_EXIT_ENGINE, &err, NULL);
	reg = img_registry_new(img_ref_api_host(ref), &ro, &err);
	if (!reg || fetch(reg, ref, ref->digest ? ref->digest : ref->tag, &doc, &type, digest, &len, &err) < 0)
		goto out;
	if (!o->verbose) {
		print_json(doc);
		rc = 0;
		goto out;
	}
	if (json_object_get(doc, "manifests")) {
		if (verbose_index(reg, ref, doc, &out, &err) < 0)
			goto out;
	} else {
		name = img_ref_string(ref);
		out = verbose_entry(name, digest, len, type, doc, NULL);
	}
	print_json(out);
	rc = 0;
out:
	json_decref(out);
	json_decref(doc);
	img_registry_free(reg);
	return rc == 0 ? 0 : bcli_fail_error(rc, &err, NULL);
}

const struct bcli_command bcli_cmd_manifest_inspect = {
	.name = "inspect",
	.group = "manifest",
	.usage = "[OPTIONS] MANIFEST",
	.summary = "Display an image manifest, or manifest list",
	.opts = manifest_inspect_flags,
	.opts_size = sizeof(struct manifest_inspect_opts),
	.min_args = 1,
	.max_args = 1,
	.run = manifest_inspect_run,
};
