/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: the OCI distribution API client over libcurl (ping, login, auth,
 * manifests and blobs as bytes and digests) and Docker's credential file.
 * Takes plain strings (host, repository path, tag or digest); composing a
 * pull or push out of these calls is the caller's job.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct berth_error;

/* Largest manifest or index accepted, as containerd. */
#define IMG_REGISTRY_MANIFEST_MAX (4u << 20)

struct img_registry_opts {
	/* Directory holding config.json ($DOCKER_CONFIG-like) for stored credentials; NULL: none. */
	const char *config_dir;
	/*
	 * true: https with verified certificates, except for localhost,
	 * 127.0.0.0/8 and ::1 (insecure by default as Docker: https without
	 * verification first, plain http when that fails). false: that
	 * insecure treatment for every host.
	 */
	bool tls_verify;
	/* Explicit credentials (login, --creds); override config.json. Both or neither. */
	const char *user;
	const char *password;
	/* certs.d-style directory with ca.crt, client.cert, client.key (each optional); NULL: none. */
	const char *certs_dir;
};

/*
 * A session with one registry. Thread safety: one session may be used by
 * several threads at once (the caller runs parallel blob downloads from its
 * own threads; there is no multi interface). Every call takes its own curl
 * handle from an idle pool that keeps connections alive, DNS and TLS
 * sessions are shared under locks, and the ping state and the token cache
 * are guarded by a mutex (a token is fetched once per scope, the other
 * threads wait for it). Progress callbacks run on the calling thread.
 */
struct img_registry;

/*
 * A session with host ("localhost:5000", "registry-1.docker.io"; "docker.io"
 * and "index.docker.io" mean Docker Hub's registry-1.docker.io). Nothing is
 * sent yet: the first request pings /v2/ and picks the scheme. opts may be
 * NULL (defaults: tls_verify true, no credentials); strings are copied.
 * Credentials are read from opts, else from config_dir's config.json.
 */
struct img_registry *img_registry_new(const char *host, const struct img_registry_opts *opts, struct berth_error **err);
void img_registry_free(struct img_registry *r);

/* The host as given to img_registry_new. */
const char *img_registry_host(const struct img_registry *r);
/* "https://HOST" or "http://HOST" once a request chose the scheme, NULL before. */
const char *img_registry_base_url(struct img_registry *r);

/*
 * GET /v2/: choose the scheme and learn the auth challenge. A 401 is not an
 * error here. Errors name the host and curl's message
 * ("connect to '127.0.0.1:5000': Couldn't connect to server").
 */
int img_registry_ping(struct img_registry *r, struct berth_error **err);

/*
 * Check the session's credentials (docker login): a token without scope for
 * Bearer registries, GET /v2/ with them for Basic ones. Wrong credentials
 * give "login to 'HOST': unauthorized: incorrect username or password"
 * (code EACCES). Nothing is stored: the caller calls img_cred_store after.
 */
int img_registry_login(struct img_registry *r, struct berth_error **err);

/*
 * Errors of the calls below carry a code the caller may test: ENOENT for a
 * manifest or blob the registry does not know, EACCES for authentication
 * and authorisation failures, EBADMSG for digest or size mismatches and
 * bodies that are not what was asked, EIO for network failures and other
 * registry errors. Registry error bodies read as Docker shows them,
 * "manifest unknown: manifest unknown".
 */

/*
 * GET a manifest or index. accept: NULL-terminated media types for the
 * Accept header (NULL: the OCI and Docker manifest and index types). ref is a
 * tag or a digest. The body's sha256 must equal ref when ref is a digest
 * and Docker-Content-Digest when sent. Bodies over IMG_REGISTRY_MANIFEST_MAX
 * are refused. On success *ret_data (NUL-terminated, caller frees),
 * *ret_len, *ret_media_type (Content-Type without parameters, caller frees,
 * may be NULL when not wanted) and ret_digest (the body's digest) are set.
 * Unknown: "manifest for REPO:REF not found: manifest unknown", ENOENT.
 */
int img_registry_manifest_get(struct img_registry *r, const char *repo, const char *ref, const char *const *accept,
			      char **ret_data, size_t *ret_len, char **ret_media_type, char ret_digest[DIGEST_STR_SIZE],
			      struct berth_error **err);

/*
 * HEAD a manifest: *ret_exists false (and 0 returned) when unknown. When it
 * exists, ret_digest gets Docker-Content-Digest (a GET computes it when the
 * registry does not send it), *ret_size its length, *ret_media_type
 * (caller frees) its type; each out-param may be NULL.
 */
int img_registry_manifest_head(struct img_registry *r, const char *repo, const char *ref, const char *const *accept,
			       bool *ret_exists, char ret_digest[DIGEST_STR_SIZE], int64_t *ret_size,
			       char **ret_media_type, struct berth_error **err);

/*
 * PUT a manifest under ref (a tag, or its own digest) with Content-Type
 * media_type. ret_digest (may be NULL) gets the digest of data.
 */
int img_registry_manifest_put(struct img_registry *r, const char *repo, const char *ref, const char *media_type,
			      const void *data, size_t len, char ret_digest[DIGEST_STR_SIZE], struct berth_error **err);

/* Progress of one transfer: bytes so far and the total (-1 when unknown). Called from the calling thread. */
typedef void (*img_registry_progress_fn)(int64_t done, int64_t total, void *data);

/*
 * Stream blob digest of repo into out_fd (written at its offset, as write(2)),
 * following redirects to storage (credentials are not sent to other hosts).
 * sha256 is computed on the fly: a mismatch fails with
 * "blob sha256:… : digest mismatch (got sha256:…)" (EBADMSG), as does a body
 * longer or shorter than expected_size (-1: not known). On failure out_fd
 * holds a partial or wrong body that the caller discards. cb may be NULL.
 */
int img_registry_blob_get(struct img_registry *r, const char *repo, const char *digest, int64_t expected_size,
			  int out_fd, img_registry_progress_fn cb, void *cb_data, struct berth_error **err);

/* HEAD a blob: *ret_exists, and *ret_size (may be NULL) when it exists. */
int img_registry_blob_exists(struct img_registry *r, const char *repo, const char *digest, bool *ret_exists,
			     int64_t *ret_size, struct berth_error **err);

/*
 * Upload size bytes of in_fd (a regular file, read with pread from its
 * current offset, which is left as it was) as blob digest of repo: HEAD
 * first, and when the registry has it already, nothing is sent and
 * *ret_existed (may be NULL) is true ("Layer already exists"). Else POST
 * /v2/REPO/blobs/uploads/ and one monolithic PUT ?digest= to the returned
 * Location (relative or absolute). The registry checks the digest.
 */
int img_registry_blob_put(struct img_registry *r, const char *repo, const char *digest, int in_fd, int64_t size,
			  img_registry_progress_fn cb, void *cb_data, bool *ret_existed, struct berth_error **err);

/*
 * Docker's credential file: DIR/config.json, {"auths": {"KEY": {"auth":
 * base64("user:pass")}}}, KEY "https://index.docker.io/v1/" for Docker Hub
 * (docker.io, index.docker.io, registry-1.docker.io) and "host[:port]"
 * otherwise; on reading, keys with a scheme or path ("https://host/v2/")
 * match their host too. Credential helpers (credsStore, credHelpers) are
 * not run. The file is written 0600 through a temp name and a rename; other
 * keys in it are kept.
 */

/* The key config.json uses for host. Caller frees. */
char *img_cred_key(const char *host);
/* $DOCKER_CONFIG, else $HOME/.docker; NULL when neither is set. Caller frees. */
char *img_cred_default_dir(void);
/* Credentials for host: 0 with *ret_user and *ret_pass NULL when none are stored. Caller frees both. */
int img_cred_get(const char *config_dir, const char *host, char **ret_user, char **ret_pass, struct berth_error **err);
/* Store user and password for host (creates config_dir 0700 and config.json 0600 when missing). */
int img_cred_store(const char *config_dir, const char *host, const char *user, const char *pass,
		   struct berth_error **err);
/* Forget host: 1 when an entry was removed, 0 when there was none ("Not logged in to HOST"). */
int img_cred_erase(const char *config_dir, const char *host, struct berth_error **err);
