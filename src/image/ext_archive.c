/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: the table of libarchive functions, filled on first use (ext_archive.h). */
#define IMG_ARCHIVE_IMPL
#include <pthread.h>
#include <stddef.h>

#include "base/base.h"
#include "image/ext_archive.h"

/* The soname of the ABI berth is built against. */
#define ARCHIVE_SONAME "libarchive.so.13"

static struct img_archive_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct berth_error *failure;

static void load(void)
{
	void *h = dlib_open(ARCHIVE_SONAME, &failure);

	if (!h)
		return;
#define RESOLVE(name)                                                 \
	if (DLIB_RESOLVE(h, ARCHIVE_SONAME, api, name, &failure) < 0) \
		return;
	IMG_ARCHIVE_SYMS(RESOLVE)
#undef RESOLVE
}

const struct img_archive_api *img_archive_api(void)
{
	pthread_once(&once, load);
	if (failure)
		dlib_fatal(failure);
	return &api;
}
