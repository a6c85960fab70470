/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Content digests as the OCI image-spec writes them ("sha256:<64 hex>"):
 * streaming sha256 through OpenSSL's EVP and validation of digest strings.
 * Lives in its own static library (berth-base-digest) so that programs that
 * never hash, such as berth-runtime, do not load libcrypto.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct berth_error;

#define DIGEST_SHA256_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_SIZE (7 + DIGEST_SHA256_HEX_LEN + 1)

struct digest_ctx; /* opaque streaming sha256 */

/* A new streaming context; NULL only when OpenSSL is out of memory (err set). */
struct digest_ctx *digest_new(struct berth_error **err);
void digest_update(struct digest_ctx *ctx, const void *data, size_t len);
/* Finish into out as "sha256:<hex>"; the context may not be updated after. */
void digest_final(struct digest_ctx *ctx, char out[DIGEST_STR_SIZE]);
void digest_free(struct digest_ctx *ctx);
static inline void digest_freep(struct digest_ctx **p)
{
	if (*p) {
		digest_free(*p);
		*p = NULL;
	}
}
#define _cleanup_digest_ __attribute__((cleanup(digest_freep)))

/* One-shot sha256 of a buffer, as "sha256:<hex>". */
int digest_buffer(const void *data, size_t len, char out[DIGEST_STR_SIZE], struct berth_error **err);
/* sha256 of everything readable from fd (read from its current offset); *ret_size gets the byte count. */
int digest_fd(int fd, char out[DIGEST_STR_SIZE], off_t *ret_size, struct berth_error **err);

/*
 * Whether s is a digest this build can verify: "sha256:" and 64 lowercase hex.
 * Other well-formed algorithms (sha512:…) are refused with an error naming
 * them; anything else is "invalid digest 's'".
 */
int digest_validate(const char *s, struct berth_error **err);
/* The hex part of a valid digest ("sha256:abc…" → "abc…"); s itself when it has no algorithm. */
const char *digest_hex(const char *s);

/*
 * base64 through libcrypto (loaded on first use, as for the digests; a
 * missing libcrypto prints why and exits 125). encode writes
 * 4 * ceil(len / 3) characters and a NUL to out; decode writes len / 4 * 3
 * bytes (padding counted as zero bytes) and returns that count, or -1 for
 * input that is not base64.
 */
void digest_b64_encode(char *out, const void *data, size_t len);
int digest_b64_decode(unsigned char *out, const char *s, size_t len);
