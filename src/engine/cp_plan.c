/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure core of docker cp: splitting a path into its directory and base
 * as Docker's archive package does (a trailing "/." means "the contents"),
 * and where a copy's tar is extracted and how its entries are renamed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"

/* Go's path.Clean: relative paths stay relative, "" becomes ".". */
static char *go_clean(const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_strv_ char **parts = xcalloc(1, sizeof(char *));
	bool rooted = path[0] == '/';
	struct buf b = {0};
	char *save = NULL;
	size_t n = 0;

	for (char *w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		if (!strcmp(w, "."))
			continue;
		if (!strcmp(w, "..") && n > 0 && strcmp(parts[n - 1], "..") != 0) {
			free(parts[--n]);
			parts[n] = NULL;
			continue;
		}
		if (!strcmp(w, "..") && rooted)
			continue;
		strv_push(&parts, w);
		n++;
	}
	buf_puts(&b, rooted ? "/" : "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "/" : "", parts[i]);
	if (b.len == 0)
		buf_puts(&b, ".");
	return buf_steal(&b);
}

/* Docker's specifiesCurrentDir: the last element is ".". */
static bool current_dir(const char *path)
{
	size_t n = strlen(path);

	return (n == 1 && path[0] == '.') || (n >= 2 && !strcmp(path + n - 2, "/."));
}

static bool asserts_directory(const char *path)
{
	size_t n = strlen(path);

	return (n > 0 && path[n - 1] == '/') || current_dir(path);
}

void eng_cp_split(const char *path, char **ret_dir, char **ret_base)
{
	_cleanup_free_ char *clean = go_clean(path);
	char *slash;

	if (current_dir(path) && strcmp(clean, ".") != 0) {
		char *with = xasprintf("%s%s.", clean, strcmp(clean, "/") ? "/" : "");

		free(clean);
		clean = with;
	}
	slash = strrchr(clean, '/');
	if (!slash) {
		*ret_dir = xstrdup(".");
		*ret_base = xstrdup(clean);
		return;
	}
	*ret_base = xstrdup(slash[1] ? slash + 1 : "/");
	*ret_dir = slash == clean ? xstrdup("/") : strndup(clean, (size_t)(slash - clean));
}

void eng_cp_plan_done(struct eng_cp_plan *p)
{
	free(p->dir);
	free(p->rebase_from);
	free(p->rebase_to);
	memset(p, 0, sizeof(*p));
}

int eng_cp_plan_make(const char *src, bool src_is_dir, const struct eng_cp_dest *dst, struct eng_cp_plan *ret,
		     struct berth_error **err)
{
	_cleanup_free_ char *src_dir = NULL, *src_base = NULL, *dst_dir = NULL, *dst_base = NULL;

	memset(ret, 0, sizeof(*ret));
	if (dst->exists && !dst->is_dir && asserts_directory(dst->path))
		return berth_error_set(err, 0, "not a directory");
	if (dst->exists && dst->is_dir) {
		ret->dir = xstrdup(dst->path);
		return 0;
	}
	if (dst->exists && src_is_dir)
		return berth_error_set(err, 0, "cannot copy directory");
	if (!dst->exists && !src_is_dir && asserts_directory(dst->path))
		return berth_error_set(err, 0, "no such directory");
	eng_cp_split(src, &src_dir, &src_base);
	eng_cp_split(dst->path, &dst_dir, &dst_base);
	ret->dir = TAKE_PTR(dst_dir);
	ret->rebase_from = TAKE_PTR(src_base);
	ret->rebase_to = TAKE_PTR(dst_base);
	return 0;
}
