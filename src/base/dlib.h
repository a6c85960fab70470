/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared libraries loaded on first use (dlopen/dlsym), so that a program pays
 * for a heavy library, and everything it pulls in, only when it calls it.
 */
#pragma once

#include "base/error.h"

/* dlopen(soname) with RTLD_NOW | RTLD_LOCAL, or NULL with *err naming the library and dlerror(). */
void *dlib_open(const char *soname, struct berth_error **err);

/* dlsym(handle, name), or NULL with *err naming the symbol and the library. */
void *dlib_sym(void *handle, const char *soname, const char *name, struct berth_error **err);

/*
 * For a library that a loaded-on-use facade cannot do without: print
 * "berth: MSG" and exit with 125 (the engine's error code). Never returns.
 */
_Noreturn void dlib_fatal(const struct berth_error *err);

/*
 * Resolve one member of a table of function pointers named after the
 * library's symbols: `DLIB_RESOLVE(h, SONAME, api, curl_easy_init, err)`
 * stores dlsym(h, "curl_easy_init") into api.curl_easy_init and evaluates to
 * 0, or to -1 with *err set.
 */
#define DLIB_RESOLVE(handle, soname, table, name, err) \
	((*(void **)&(table).name = dlib_sym((handle), (soname), #name, (err))) ? 0 : -1)
