/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registry manifests: GET with digest checks and a size cap, HEAD, PUT. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "base/base.h"
#include "image/registry_internal.h"

static const char *const default_accept[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	NULL,
};

/* One "Accept: a, b" line for the request's headers. */
static char **accept_headers(const char *const *accept)
{
	struct buf b = {0};
	char **v = NULL;

	buf_puts(&b, "Accept: ");
	for (const char *const *a = accept ? accept : default_accept; *a; a++)
		buf_printf(&b, "%s%s", a == (accept ? accept : default_accept) ? "" : ", ", *a);
	strv_push_take(&v, buf_steal(&b));
	return v;
}

/* "REPO:TAG" or "REPO@DIGEST", as Docker names a manifest in messages. */
static char *manifest_name(const char *repo, const char *ref)
{
	return xasprintf("%s%c%s", repo, strchr(ref, ':') ? '@' : ':', ref);
}

/* The media type: Content-Type without parameters, else the body's mediaType field. */
static char *media_type_of(const struct reg_response *resp)
{
	const char *ct = resp->content_type;
	json_t *root;
	char *mt = NULL;

	if (ct && *ct && strncmp(ct, "text/plain", 10) != 0 && strncmp(ct, "application/octet-stream", 24) != 0) {
		size_t n = strcspn(ct, "; \t");

		return strndup(ct, n);
	}
	root = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	if (json_is_string(json_object_get(root, "mediaType")))
		mt = xstrdup(json_string_value(json_object_get(root, "mediaType")));
	json_decref(root);
	return mt;
}

/* The body must be what ref and Docker-Content-Digest promise. */
static int verify_manifest(const char *name, const char *ref, const struct reg_response *resp,
			   char digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	if (digest_buffer(resp->body.data ? resp->body.data : "", resp->body.len, digest, err) < 0)
		return -1;
	if (strchr(ref, ':') && strcmp(ref, digest) != 0)
		return reg_error(err, EBADMSG, "manifest for %s: digest mismatch (got %s)", name, digest);
	/* only sha256 can be checked; a registry may announce another algorithm */
	if (resp->docker_digest && strncmp(resp->docker_digest, "sha256:", 7) == 0 &&
	    strcmp(resp->docker_digest, digest) != 0)
		return reg_error(err, EBADMSG, "manifest for %s: registry says %s, content is %s", name,
				 resp->docker_digest, digest);
	return 0;
}

int img_registry_manifest_get(struct img_registry *r, const char *repo, const char *ref, const char *const *accept,
			      char **ret_data, size_t *ret_len, char **ret_media_type, char ret_digest[DIGEST_STR_SIZE],
			      struct berth_error **err)
{
	_cleanup_free_ char *path = reg_path(repo, "manifests", ref, err);
	_cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);
	_cleanup_free_ char *name = manifest_name(repo, ref);
	_cleanup_strv_ char **hdrs = accept_headers(accept);
	_cleanup_free_ char *msg = NULL;
	struct reg_request req = {.method = "GET", .path = path, .scope = scope, .body_fd = -1, .out_fd = -1};
	struct reg_response resp;
	char digest[DIGEST_STR_SIZE];
	size_t len;

	if (!path)
		return -1;
	req.headers = (const char *const *)hdrs;
	req.max_body = IMG_REGISTRY_MANIFEST_MAX;
	if (reg_request_do(r, &req, &resp, err) < 0) {
		reg_response_done(&resp);
		if (err && *err && (*err)->code == EFBIG)
			return berth_error_wrap(err, "manifest for %s", name);
		return -1;
	}
	if (resp.status == 404) {
		msg = reg_error_body_message(resp.body.data, resp.body.len);
		reg_response_done(&resp);
		return reg_error(err, ENOENT, "manifest for %s not found: %s", name, msg ? msg : "manifest unknown");
	}
	if (resp.status != 200 || verify_manifest(name, ref, &resp, digest, err) < 0) {
		if (resp.status != 200)
			reg_response_error(r, &req, &resp, err);
		reg_response_done(&resp);
		return -1;
	}
	if (ret_media_type)
		*ret_media_type = media_type_of(&resp);
	memcpy(ret_digest, digest, DIGEST_STR_SIZE);
	len = resp.body.len;
	*ret_data = resp.body.data ? buf_steal(&resp.body) : xstrdup("");
	*ret_len = len;
	reg_response_done(&resp);
	return 0;
}

int img_registry_manifest_head(struct img_registry *r, const char *repo, const char *ref, const char *const *accept,
			       bool *ret_exists, char ret_digest[DIGEST_STR_SIZE], int64_t *ret_size,
			       char **ret_media_type, struct berth_error **err)
{
	_cleanup_free_ char *path = reg_path(repo, "manifests", ref, err);
	_cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);
	_cleanup_strv_ char **hdrs = accept_headers(accept);
	struct reg_request req = {.method = "HEAD", .path = path, .scope = scope, .body_fd = -1, .out_fd = -1};
	struct reg_response resp;

	if (!path)
		return -1;
	req.headers = (const char *const *)hdrs;
	if (reg_request_do(r, &req, &resp, err) < 0)
		goto fail;
	if (resp.status == 404) {
		*ret_exists = false;
		reg_response_done(&resp);
		return 0;
	}
	if (resp.status != 200) {
		reg_response_error(r, &req, &resp, err);
		goto fail;
	}
	if (ret_digest && (!resp.docker_digest || digest_validate(resp.docker_digest, NULL) < 0)) {
		/* no usable Docker-Content-Digest: only the body tells */
		_cleanup_free_ char *data = NULL, *mt = NULL;
		size_t len;

		reg_response_done(&resp);
		if (img_registry_manifest_get(r, repo, ref, accept, &data, &len, &mt, ret_digest, err) < 0)
			return -1;
		*ret_exists = true;
		if (ret_size)
			*ret_size = (int64_t)len;
		if (ret_media_type)
			*ret_media_type = TAKE_PTR(mt);
		return 0;
	}
	*ret_exists = true;
	if (ret_digest)
		snprintf(ret_digest, DIGEST_STR_SIZE, "%s", resp.docker_digest);
	if (ret_size)
		*ret_size = resp.content_length;
	if (ret_media_type)
		*ret_media_type = media_type_of(&resp);
	reg_response_done(&resp);
	return 0;
fail:
	reg_response_done(&resp);
	return -1;
}

int img_registry_manifest_put(struct img_registry *r, const char *repo, const char *ref, const char *media_type,
			      const void *data, size_t len, char ret_digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	_cleanup_free_ char *path = reg_path(repo, "manifests", ref, err);
	_cleanup_free_ char *scope = xasprintf("repository:%s:pull,push", repo);
	_cleanup_free_ char *ct = xasprintf("Content-Type: %s", media_type);
	const char *hdrs[] = {ct, NULL};
	struct reg_request req = {.method = "PUT",
				  .path = path,
				  .scope = scope,
				  .headers = hdrs,
				  .body = data,
				  .body_len = len,
				  .body_fd = -1,
				  .out_fd = -1};
	struct reg_response resp;
	char digest[DIGEST_STR_SIZE];
	int ret_code = 0;

	if (!path || digest_buffer(data, len, digest, err) < 0)
		return -1;
	if (strchr(ref, ':') && strcmp(ref, digest) != 0)
		return reg_error(err, EINVAL, "manifest for %s@%s: content has digest %s", repo, ref, digest);
	if (strpbrk(media_type, "\r\n"))
		return reg_error(err, EINVAL, "invalid media type '%s'", media_type);
	if (reg_request_do(r, &req, &resp, err) < 0)
		ret_code = -1;
	else if (resp.status < 200 || resp.status >= 300) {
		ret_code = reg_response_error(r, &req, &resp, err);
		/* 401 and 403 name the registry; the others need the manifest */
		if (resp.status != 401 && resp.status != 403)
			berth_error_wrap(err, "manifest for %s%c%s", repo, strchr(ref, ':') ? '@' : ':', ref);
	}
	reg_response_done(&resp);
	if (ret_code == 0 && ret_digest)
		memcpy(ret_digest, digest, DIGEST_STR_SIZE);
	return ret_code;
}
