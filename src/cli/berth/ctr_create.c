/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What run and create share: the image by the --pull policy (pulled with
 * docker's "Unable to find image" line on stderr), the container created
 * from the request body, the --cidfile written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "cli/berth/run_flags.h"
#include "engine/engine.h"
#include "image/image.h"
#include "oci/oci.h"

static void pull_line(void *data, const char *id, const char *status)
{
	if (*(const bool *)data)
		return;
	if (id)
		fprintf(stderr, "%s: %s\n", id, status);
	else
		fprintf(stderr, "%s\n", status);
}

/*
 * With --platform, a local image of another platform does not count (as
 * dockerd's lookup): *ret_why says why, NULL when the image fits. An image
 * that records no architecture fits anything.
 */
static int check_platform(struct eng *e, const char *id, const char *image, const char *platform, char **ret_why,
			  struct berth_error **err)
{
	struct oci_platform *want = NULL, have = {0};
	json_t *doc = NULL;

	*ret_why = NULL;
	if (!platform || !*platform)
		return 0;
	if (oci_platform_parse(platform, &want, err) < 0)
		return -1;
	if (eng_image_inspect(e, id, &doc, err) < 0) {
		oci_platform_free(want);
		return -1;
	}
	have.os = (char *)json_string_value(json_object_get(doc, "Os"));
	have.architecture = (char *)json_string_value(json_object_get(doc, "Architecture"));
	have.variant = (char *)json_string_value(json_object_get(doc, "Variant"));
	if (have.os && *have.os && have.architecture && *have.architecture && !oci_platform_match(want, &have)) {
		_cleanup_free_ char *w = oci_platform_format(want), *h = oci_platform_format(&have);

		*ret_why = xasprintf("image with reference %s was found but does not match the specified platform: "
				     "wanted %s, actual: %s",
				     image, w, h);
	}
	json_decref(doc);
	oci_platform_free(want);
	return 0;
}

static int ensure_image(struct eng *e, const struct bcli_run_request *req, const char *image, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL, *pulled = NULL, *name = NULL, *why = NULL;
	struct eng_pull_opts po = {.platform = req->platform, .tls_verify = true, .quiet = req->quiet};
	struct eng_progress p = {.line = pull_line, .data = (void *)&req->quiet};
	const char *policy = req->pull ? req->pull : "missing";

	if (strcmp(policy, "always") != 0) {
		_cleanup_img_ref_ struct img_ref *ref = NULL;
		_cleanup_free_ char *familiar = NULL;

		if (eng_image_resolve(e, image, &id, err) < 0)
			return -1;
		if (id && check_platform(e, id, image, req->platform, &why, err) < 0)
			return -1;
		if (id && !why)
			return 0;
		if (img_ref_parse_normalized_default(image, &ref, NULL) == 0)
			familiar = img_ref_familiar_string(ref);
		if (!strcmp(policy, "never"))
			return why ? berth_error_set(err, 0, "%s", why)
				   : berth_error_set(err, 0, "No such image: %s", familiar ? familiar : image);
		if (!req->quiet)
			fprintf(stderr, "Unable to find image '%s' locally\n", familiar ? familiar : image);
	}
	if (eng_image_pull(e, image, &po, &p, &pulled, &name, err) < 0)
		return -1;
	if (!req->quiet) {
		_cleanup_img_ref_ struct img_ref *ref = NULL;
		_cleanup_free_ char *familiar = NULL;

		if (img_ref_parse(name, &ref, NULL) == 0)
			familiar = img_ref_familiar_string(ref);
		fprintf(stderr, "Status: Downloaded newer image for %s\n", familiar ? familiar : name);
	}
	return 0;
}

static int write_cidfile(const char *path, const char *id, struct berth_error **err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EEXIST)
		return berth_error_set(
			err, 0, "container ID file found, make sure the other container isn't running or delete %s",
			path);
	if (fd < 0)
		return berth_error_set(err, errno, "failed to create the container ID file '%s'", path);
	if (write(fd, id, strlen(id)) < 0)
		return berth_error_set(err, errno, "write '%s'", path);
	return 0;
}

int bcli_create_container(struct eng *e, struct bcli_run_request *req, char **ret_id, struct berth_error **err)
{
	json_t *config = json_object_get(req->body, "Config");
	_cleanup_free_ char *image = xstrdup(json_string_value(json_object_get(config, "Image")));
	_cleanup_strv_ char **warnings = NULL;

	if (ensure_image(e, req, image, err) < 0)
		return -1;
	if (eng_ctr_create(e, req->body, req->name, ret_id, &warnings, err) < 0)
		return -1;
	for (size_t i = 0; warnings && warnings[i]; i++)
		fprintf(stderr, "WARNING: %s\n", warnings[i]);
	if (req->cidfile && write_cidfile(req->cidfile, *ret_id, err) < 0) {
		eng_ctr_remove(e, *ret_id, true, true, NULL);
		free(*ret_id);
		*ret_id = NULL;
		return -1;
	}
	return 0;
}
