/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: image references ("busybox", "localhost:5000/a/b:tag@sha256:…")
 * parsed with the docker/distribution grammar and Docker's normalisation.
 */
#pragma once

#include <stdbool.h>

#include "base/base.h"

#define IMG_REF_DEFAULT_DOMAIN "docker.io"
#define IMG_REF_DEFAULT_TAG "latest"
#define IMG_REF_NAME_MAX 255 /* the full name "domain/path", as docker/distribution counts it */

/* A normalised reference. Every string is owned by the struct. */
struct img_ref {
	char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
	char *path;   /* "library/busybox", "myuser/app" */
	char *tag;    /* "latest", or NULL when none was given */
	char *digest; /* "sha256:<64 hex>", or NULL */
};

/*
 * Parse s as Docker does (ParseNormalizedNamed): the first component is the
 * domain when it contains '.' or ':', is "localhost" or has an upper-case
 * letter; otherwise the domain is docker.io and a one-component path gets
 * "library/". "index.docker.io" becomes "docker.io". Path components are
 * lower case [a-z0-9] joined by '.', '_', '__' or '-'s; the tag matches
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}; the digest must pass digest_validate; the
 * full name has at most 255 characters. A 64-hex string is refused (look
 * image ids up before parsing). No default tag is added.
 * On success *ret owns a new reference (free with img_ref_free). On failure
 * err is one line starting "invalid reference format: " that names the part
 * at fault, and *ret is untouched.
 */
int img_ref_parse(const char *s, struct img_ref **ret, struct berth_error **err);
/* img_ref_parse, then tag "latest" when neither a tag nor a digest was given (Docker's TagNameOnly). */
int img_ref_parse_normalized_default(const char *s, struct img_ref **ret, struct berth_error **err);

/* Give r the tag "latest" when it has neither tag nor digest. */
void img_ref_default_tag(struct img_ref *r);
/*
 * Replace r's tag with tag (NULL removes it); the digest is kept. Returns -1
 * with err set ("invalid reference format: tag '…' …") when tag is invalid.
 */
int img_ref_set_tag(struct img_ref *r, const char *tag, struct berth_error **err);
/* A deep copy of r (never NULL; aborts on out of memory). */
struct img_ref *img_ref_dup(const struct img_ref *r);

/* "docker.io/library/busybox:latest", "host:5000/a/b@sha256:…", both tag and digest when set. Caller frees. */
char *img_ref_string(const struct img_ref *r);
/* As the docker CLI prints it: "busybox:latest", "myuser/app:1", "localhost:5000/x:y". Caller frees. */
char *img_ref_familiar_string(const struct img_ref *r);
/* "docker.io/library/busybox" (no tag, no digest). Caller frees. */
char *img_ref_repository(const struct img_ref *r);
/* "busybox", "myuser/app", "localhost:5000/x" (no tag, no digest). Caller frees. */
char *img_ref_familiar_repository(const struct img_ref *r);
/* The host to talk to for r's registry API: "registry-1.docker.io" for docker.io, else the domain. */
const char *img_ref_api_host(const struct img_ref *r);

/* True for 4 to 64 lowercase hex digits: what may be an image id (prefix), to be looked up before parsing. */
bool img_ref_is_id_like(const char *s);

void img_ref_free(struct img_ref *r);
static inline void img_ref_freep(struct img_ref **p)
{
	if (*p) {
		img_ref_free(*p);
		*p = NULL;
	}
}
#define _cleanup_img_ref_ _cleanup_(img_ref_freep)
