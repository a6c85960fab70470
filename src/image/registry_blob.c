/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registry blobs: streaming GET with sha256 on the fly, HEAD, and monolithic upload. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "image/registry_internal.h"

int img_registry_blob_get(struct img_registry *r, const char *repo, const char *digest, int64_t expected_size,
			  int out_fd, img_registry_progress_fn cb, void *cb_data, struct berth_error **err)
{
	_cleanup_free_ char *path = reg_path(repo, "blobs", digest, err);
	_cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);
	_cleanup_free_ char *msg = NULL;
	_cleanup_digest_ struct digest_ctx *ctx = NULL;
	struct reg_request req = {.method = "GET", .path = path, .scope = scope, .body_fd = -1, .follow = true};
	struct reg_response resp;
	char got[DIGEST_STR_SIZE];
	int64_t received;

	if (!path || !(ctx = digest_new(err)))
		return -1;
	req.out_fd = out_fd;
	req.expected = expected_size;
	req.out_digest = ctx;
	req.cb = cb;
	req.cb_data = cb_data;
	if (reg_request_do(r, &req, &resp, err) < 0) {
		reg_response_done(&resp);
		/* network errors name the host already; the others need the blob */
		if (err && *err && (*err)->code != EIO)
			berth_error_wrap(err, "blob %s", digest);
		return -1;
	}
	if (resp.status == 404) {
		msg = reg_error_body_message(resp.body.data, resp.body.len);
		reg_response_done(&resp);
		return reg_error(err, ENOENT, "blob %s not found: %s", digest, msg ? msg : "blob unknown");
	}
	if (resp.status != 200) {
		reg_response_error(r, &req, &resp, err);
		reg_response_done(&resp);
		return -1;
	}
	received = resp.received;
	reg_response_done(&resp);
	if (expected_size >= 0 && received != expected_size)
		return reg_error(err, EBADMSG, "blob %s: size mismatch (got %" PRId64 " bytes, expected %" PRId64 ")",
				 digest, received, expected_size);
	digest_final(ctx, got);
	if (strcmp(got, digest) != 0)
		return reg_error(err, EBADMSG, "blob %s: digest mismatch (got %s)", digest, got);
	return 0;
}

static int blob_head(struct img_registry *r, const char *repo, const char *digest, const char *scope, bool *ret_exists,
		     int64_t *ret_size, struct berth_error **err)
{
	_cleanup_free_ char *path = reg_path(repo, "blobs", digest, err);
	struct reg_request req = {
		.method = "HEAD", .path = path, .scope = scope, .body_fd = -1, .out_fd = -1, .follow = true};
	struct reg_response resp;
	int ret_code = 0;

	if (!path)
		return -1;
	if (reg_request_do(r, &req, &resp, err) < 0) {
		ret_code = -1;
	} else if (resp.status == 200) {
		*ret_exists = true;
		if (ret_size)
			*ret_size = resp.content_length;
	} else if (resp.status == 404) {
		*ret_exists = false;
	} else {
		ret_code = reg_response_error(r, &req, &resp, err);
	}
	reg_response_done(&resp);
	return ret_code;
}

int img_registry_blob_exists(struct img_registry *r, const char *repo, const char *digest, bool *ret_exists,
			     int64_t *ret_size, struct berth_error **err)
{
	_cleanup_free_ char *scope = xasprintf("repository:%s:pull", repo);

	return blob_head(r, repo, digest, scope, ret_exists, ret_size, err);
}

/* POST an upload session; *ret_url is where its data goes (Location resolved against the POST). */
static int upload_start(struct img_registry *r, const char *repo, const char *scope, char **ret_url,
			struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/uploads/", repo);
	struct reg_request req = {.method = "POST", .path = path, .scope = scope, .body_fd = -1, .out_fd = -1};
	struct reg_response resp;
	_cleanup_free_ char *post_url = NULL;
	int ret_code = 0;

	if (reg_request_do(r, &req, &resp, err) < 0) {
		reg_response_done(&resp);
		return -1;
	}
	if (resp.status != 202) {
		ret_code = reg_response_error(r, &req, &resp, err);
	} else if (!resp.location || !*resp.location) {
		ret_code = reg_error(err, EBADMSG, "push to '%s': upload to '%s' answered without a Location", r->host,
				     repo);
	} else {
		post_url = xasprintf("%s%s", img_registry_base_url(r), path);
		*ret_url = reg_url_resolve(post_url, resp.location);
		if (!*ret_url)
			ret_code = reg_error(err, EBADMSG, "push to '%s': invalid upload location '%s'", r->host,
					     resp.location);
	}
	reg_response_done(&resp);
	return ret_code;
}

int img_registry_blob_put(struct img_registry *r, const char *repo, const char *digest, int in_fd, int64_t size,
			  img_registry_progress_fn cb, void *cb_data, bool *ret_existed, struct berth_error **err)
{
	_cleanup_free_ char *scope = xasprintf("repository:%s:pull,push", repo);
	_cleanup_free_ char *upload = NULL, *url = NULL;
	static const char *const hdrs[] = {"Content-Type: application/octet-stream", NULL};
	struct reg_request req = {.method = "PUT", .scope = scope, .headers = hdrs, .out_fd = -1};
	struct reg_response resp;
	bool exists = false;
	off_t off;
	int ret_code = 0;

	if (size < 0)
		return reg_error(err, EINVAL, "blob %s: invalid size %" PRId64, digest, size);
	off = lseek(in_fd, 0, SEEK_CUR);
	if (off < 0)
		return berth_error_set(err, errno, "blob %s: upload needs a seekable file", digest);
	/* the push scope from the start: one token serves HEAD, POST and PUT */
	if (blob_head(r, repo, digest, scope, &exists, NULL, err) < 0)
		return -1;
	if (ret_existed)
		*ret_existed = exists;
	if (exists)
		return 0;
	if (upload_start(r, repo, scope, &upload, err) < 0)
		return -1;
	url = reg_url_add_query(upload, "digest", digest);
	if (!url)
		return reg_error(err, EBADMSG, "push to '%s': invalid upload location '%s'", r->host, upload);
	req.url = url;
	req.body_fd = in_fd;
	req.body_off = off;
	req.body_size = size;
	req.cb = cb;
	req.cb_data = cb_data;
	if (reg_request_do(r, &req, &resp, err) < 0)
		ret_code = -1;
	else if (resp.status != 201 && resp.status != 204)
		ret_code = reg_response_error(r, &req, &resp, err);
	reg_response_done(&resp);
	if (ret_code < 0 && err && *err && (*err)->code != EIO && (*err)->code != EACCES)
		berth_error_wrap(err, "blob %s", digest);
	return ret_code;
}
