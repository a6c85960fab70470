/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine handle: roots, database and image store. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "store/store.h"

/* mkdir -p path with its missing parents 0755 and itself mode. */
static int make_root(const char *path, mode_t mode, struct berth_error **err)
{
	_cleanup_free_ char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');

	if (fs_exists_at(AT_FDCWD, path))
		return 0;
	if (slash && slash != parent) {
		*slash = '\0';
		if (fs_mkdir_p_at(AT_FDCWD, parent, 0755, err) < 0)
			return -1;
	}
	return fs_mkdir_p_at(AT_FDCWD, path, mode, err);
}

int eng_open(const struct eng_opts *opts, struct eng **ret, struct berth_error **err)
{
	struct eng *e = xcalloc(1, sizeof(*e));
	_cleanup_free_ char *db_path = NULL;

	e->root = xstrdup(opts->root);
	e->runroot = xstrdup(opts->runroot);
	e->config_dir = opts->config_dir ? xstrdup(opts->config_dir) : NULL;
	e->builtin_image = opts->builtin_image ? xstrdup(opts->builtin_image) : NULL;
	/* 0710 as Docker's data root (0711 once a user namespace needs to traverse it); parents 0755 */
	if (make_root(e->root, 0710, err) < 0 || make_root(e->runroot, 0700, err) < 0)
		goto fail;
	db_path = fs_path_join(e->root, "berth.db");
	if (db_open(db_path, &e->db, err) < 0 || img_store_open(e->root, &e->store, err) < 0)
		goto fail;
	*ret = e;
	return 0;
fail:
	eng_close(e);
	return -1;
}

void eng_close(struct eng *e)
{
	if (!e)
		return;
	db_close(e->db);
	img_store_free(e->store);
	free(e->root);
	free(e->runroot);
	free(e->config_dir);
	free(e->builtin_image);
	free(e);
}
