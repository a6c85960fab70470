/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: the table of libcurl functions, filled on first use (ext_curl.h). */
#define IMG_CURL_IMPL
#include <pthread.h>
#include <stddef.h>

#include "base/base.h"
#include "image/ext_curl.h"

/* The soname of the ABI berth is built against. */
#define CURL_SONAME "libcurl.so.4"

static struct img_curl_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct berth_error *failure;

static void load(void)
{
	void *h = dlib_open(CURL_SONAME, &failure);

	if (!h)
		return;
#define RESOLVE(name)                                              \
	if (DLIB_RESOLVE(h, CURL_SONAME, api, name, &failure) < 0) \
		return;
	IMG_CURL_SYMS(RESOLVE)
#undef RESOLVE
}

const struct img_curl_api *img_curl_api(void)
{
	pthread_once(&once, load);
	if (failure)
		dlib_fatal(failure);
	return &api;
}
