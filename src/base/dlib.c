/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared libraries loaded on first use: dlopen/dlsym with berth's errors. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/dlib.h"

void *dlib_open(const char *soname, struct berth_error **err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		berth_error_set(err, 0, "cannot load '%s': %s", soname, dlerror());
	return h;
}

void *dlib_sym(void *handle, const char *soname, const char *name, struct berth_error **err)
{
	void *p;

	dlerror();
	p = dlsym(handle, name);
	if (!p)
		berth_error_set(err, 0, "'%s' has no symbol '%s'", soname, name);
	return p;
}

_Noreturn void dlib_fatal(const struct berth_error *err)
{
	fprintf(stderr, "berth: %s\n", err && err->msg ? err->msg : "cannot load a shared library");
	fflush(stderr);
	exit(125);
}
