/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: the engine handle: the roots, the database and the image store of one command. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct berth_error;
struct db;
struct img_store;

struct eng_opts {
	const char *root;	   /* persistent root, e.g. /var/lib/berth */
	const char *runroot;	   /* runtime root, e.g. /run/berth */
	const char *config_dir;	   /* Docker client config (credentials), e.g. ~/.docker; may be NULL */
	const char *builtin_image; /* docker-archive of the built-in busybox image; NULL: none */
};

struct eng {
	char *root, *runroot, *config_dir;
	char *builtin_image;
	struct db *db;
	struct img_store *store;
};

/* Open the engine: create the roots when missing, open berth.db and the image store. */
int eng_open(const struct eng_opts *opts, struct eng **ret, struct berth_error **err);
void eng_close(struct eng *e);
static inline void eng_closep(struct eng **p)
{
	if (*p) {
		eng_close(*p);
		*p = NULL;
	}
}
#define _cleanup_eng_ __attribute__((cleanup(eng_closep)))
