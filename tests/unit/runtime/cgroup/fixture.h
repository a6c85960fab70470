/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared bits of the cgroup unit tests: cmocka includes and a temp-dir cgroup
 * tree with a fake mountinfo and /proc/self/cgroup next to it.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"

/* This machine's hybrid layout, as /proc/self/mountinfo shows it. */
#define MI_HYBRID                                                                                          \
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"                              \
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"             \
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"                       \
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"                       \
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"                     \
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"                     \
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"                           \
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime shared:9 - cgroup cgroup rw,xattr,name=systemd\n" \
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"

#define SELF_HYBRID                   \
	"9:name=systemd:/\n"          \
	"8:pids:/\n"                  \
	"6:freezer:/\n"               \
	"5:devices:/\n"               \
	"4:memory:/process_api/abc\n" \
	"3:cpuset:/\n"                \
	"1:cpu,cpuacct:/user\n"       \
	"0::/\n"

struct cg_fixture {
	char dir[64];	    /* the temp dir */
	char root[96];	    /* dir/cgroup: the fake /sys/fs/cgroup */
	char mountinfo[96]; /* dir/mountinfo */
	char self[96];	    /* dir/self_cgroup */
	struct cg_env env;
};

/* Fixtures still alive, so that a teardown removes them after a failed assertion too. */
static struct cg_fixture *fx_live[16];

static inline int cg_fixture_unlink(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static inline void fx_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Write text to dir/rel, creating the parents. */
static inline void fx_put(const char *dir, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", dir, rel);
	char *slash = strrchr(p, '/');

	*slash = '\0';
	assert_int_equal(fs_mkdir_p_at(AT_FDCWD, p, 0755, NULL), 0);
	*slash = '/';
	fx_write(p, text);
	free(p);
}

/* Contents of dir/rel, or NULL when missing. Caller frees. */
static inline char *fx_get(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	char *s = NULL;

	(void)fs_read_file_at(AT_FDCWD, p, &s, NULL, NULL);
	free(p);
	return s;
}

static inline bool fx_exists(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	bool r = access(p, F_OK) == 0;

	free(p);
	return r;
}

/* A fixture with the given mountinfo and /proc/self/cgroup texts; the mount points exist as plain dirs. */
static inline struct cg_fixture *cg_fixture_new(const char *mountinfo, const char *self)
{
	struct cg_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/berth-test-cg.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->root, sizeof(f->root), "%s/cgroup", f->dir);
	snprintf(f->mountinfo, sizeof(f->mountinfo), "%s/mountinfo", f->dir);
	snprintf(f->self, sizeof(f->self), "%s/self_cgroup", f->dir);
	assert_int_equal(mkdir(f->root, 0755), 0);
	fx_write(f->mountinfo, mountinfo);
	fx_write(f->self, self);
	f->env.mountinfo = f->mountinfo;
	f->env.self_cgroup = f->self;
	f->env.root = f->root;
	for (size_t i = 0; i < sizeof(fx_live) / sizeof(fx_live[0]); i++)
		if (!fx_live[i]) {
			fx_live[i] = f;
			break;
		}
	return f;
}

static inline void cg_fixture_free(struct cg_fixture *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < sizeof(fx_live) / sizeof(fx_live[0]); i++)
		if (fx_live[i] == f)
			fx_live[i] = NULL;
	nftw(f->dir, cg_fixture_unlink, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
}

/* cmocka teardown: remove the fixtures a failed test left behind. */
static inline int cg_fixture_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fx_live) / sizeof(fx_live[0]); i++)
		cg_fixture_free(fx_live[i]);
	return 0;
}
