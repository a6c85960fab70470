/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sha256 digests through OpenSSL EVP, and validation of "sha256:<hex>"
 * strings. libcrypto is loaded on the first digest (base/dlib.h): most
 * commands never hash, and it takes a millisecond to load.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/dlib.h"
#include "base/error.h"

#define CRYPTO_SONAME "libcrypto.so.3"
#define CRYPTO_SYMS(X)        \
	X(EVP_MD_CTX_new)     \
	X(EVP_MD_CTX_free)    \
	X(EVP_DigestInit_ex)  \
	X(EVP_DigestUpdate)   \
	X(EVP_DigestFinal_ex) \
	X(EVP_sha256)         \
	X(EVP_EncodeBlock)    \
	X(EVP_DecodeBlock)

static struct {
#define SLOT(name) __typeof__(name) *name;
	CRYPTO_SYMS(SLOT)
#undef SLOT
} crypto;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static struct berth_error *crypto_failure;

static void crypto_load(void)
{
	void *h = dlib_open(CRYPTO_SONAME, &crypto_failure);

	if (!h)
		return;
#define RESOLVE(name)                                                          \
	if (DLIB_RESOLVE(h, CRYPTO_SONAME, crypto, name, &crypto_failure) < 0) \
		return;
	CRYPTO_SYMS(RESOLVE)
#undef RESOLVE
}

struct digest_ctx {
	EVP_MD_CTX *md;
};

/* The table, or NULL with *err set when libcrypto cannot be loaded. */
static int crypto_ready(struct berth_error **err)
{
	pthread_once(&crypto_once, crypto_load);
	if (crypto_failure)
		return berth_error_set(err, 0, "%s", crypto_failure->msg);
	return 0;
}

/* base64 is not fallible: without libcrypto berth cannot work, say so and exit */
static void crypto_require(void)
{
	struct berth_error *e = NULL;

	if (crypto_ready(&e) < 0)
		dlib_fatal(e);
}

void digest_b64_encode(char *out, const void *data, size_t len)
{
	crypto_require();
	crypto.EVP_EncodeBlock((unsigned char *)out, data, (int)len);
}

int digest_b64_decode(unsigned char *out, const char *s, size_t len)
{
	crypto_require();
	return crypto.EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
}

struct digest_ctx *digest_new(struct berth_error **err)
{
	struct digest_ctx *ctx;

	if (crypto_ready(err) < 0) {
		berth_error_wrap(err, "sha256");
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		berth_error_set(err, ENOMEM, "sha256");
		return NULL;
	}
	ctx->md = crypto.EVP_MD_CTX_new();
	if (!ctx->md || crypto.EVP_DigestInit_ex(ctx->md, crypto.EVP_sha256(), NULL) != 1) {
		digest_free(ctx);
		berth_error_set(err, ENOMEM, "sha256: cannot initialise OpenSSL digest");
		return NULL;
	}
	return ctx;
}

void digest_update(struct digest_ctx *ctx, const void *data, size_t len)
{
	if (len)
		crypto.EVP_DigestUpdate(ctx->md, data, len);
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void digest_final(struct digest_ctx *ctx, char out[DIGEST_STR_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	crypto.EVP_DigestFinal_ex(ctx->md, md, &n);
	memcpy(out, "sha256:", 7);
	hex_encode(md, n, out + 7);
}

void digest_free(struct digest_ctx *ctx)
{
	if (!ctx)
		return;
	crypto.EVP_MD_CTX_free(ctx->md);
	free(ctx);
}

int digest_buffer(const void *data, size_t len, char out[DIGEST_STR_SIZE], struct berth_error **err)
{
	_cleanup_digest_ struct digest_ctx *ctx = digest_new(err);

	if (!ctx)
		return -1;
	digest_update(ctx, data, len);
	digest_final(ctx, out);
	return 0;
}

int digest_fd(int fd, char out[DIGEST_STR_SIZE], off_t *ret_size, struct berth_error **err)
{
	_cleanup_digest_ struct digest_ctx *ctx = digest_new(err);
	char buf[65536];
	off_t total = 0;

	if (!ctx)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read for sha256");
		if (n == 0)
			break;
		digest_update(ctx, buf, (size_t)n);
		total += n;
	}
	digest_final(ctx, out);
	if (ret_size)
		*ret_size = total;
	return 0;
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

int digest_validate(const char *s, struct berth_error **err)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || colon == s)
		return berth_error_set(err, 0, "invalid digest '%s'", s ? s : "");
	if ((size_t)(colon - s) == 6 && strncmp(s, "sha256", 6) == 0) {
		if (strlen(colon + 1) == DIGEST_SHA256_HEX_LEN && is_lower_hex(colon + 1, DIGEST_SHA256_HEX_LEN))
			return 0;
		return berth_error_set(err, 0, "invalid digest '%s': sha256 needs 64 lowercase hex digits", s);
	}
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("+._-", *p)))
			return berth_error_set(err, 0, "invalid digest '%s'", s);
	return berth_error_set(err, 0, "unsupported digest algorithm '%.*s' in '%s'", (int)(colon - s), s, s);
}

const char *digest_hex(const char *s)
{
	const char *colon = strchr(s, ':');

	return colon ? colon + 1 : s;
}
