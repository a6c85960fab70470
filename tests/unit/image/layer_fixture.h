/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared bits of the layer tests: cmocka includes, a sentinel temp dir around
 * each destination, a tar builder on libarchive's writer, and a tree compare.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"

/* A temp dir; tests put destinations in it and check that nothing else appears there. */
struct lfx {
	char dir[64];
	int fd;
};

/* Fixtures still alive, so that a teardown removes them after a failed assertion too. */
static struct lfx *lfx_live[4];

static inline struct lfx *lfx_new(void)
{
	struct lfx *f = xcalloc(1, sizeof(*f));

	for (size_t i = 0; i < sizeof(lfx_live) / sizeof(lfx_live[0]); i++)
		if (!lfx_live[i]) {
			lfx_live[i] = f;
			break;
		}

	strcpy(f->dir, "/tmp/berth-test-layer.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->fd >= 0);
	return f;
}

static inline void lfx_free(struct lfx *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < sizeof(lfx_live) / sizeof(lfx_live[0]); i++)
		if (lfx_live[i] == f)
			lfx_live[i] = NULL;
	fs_rm_rf_at(AT_FDCWD, f->dir, NULL);
	close(f->fd);
	free(f);
}

/* cmocka teardown: remove the fixtures a failed test left behind. */
static inline int lfx_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lfx_live) / sizeof(lfx_live[0]); i++)
		lfx_free(lfx_live[i]);
	return 0;
}

/* Make directory name in the fixture and return an fd on it. */
static inline int lfx_mkdir(struct lfx *f, const char *name)
{
	int fd;

	assert_int_equal(mkdirat(f->fd, name, 0755), 0);
	fd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static inline char *lfx_path(const struct lfx *f, const char *rel)
{
	return xasprintf("%s/%s", f->dir, rel);
}

/* lgetxattr of dir/rel in the fixture. */
static inline ssize_t lfx_getxattr(const struct lfx *f, const char *rel, const char *key, char *buf, size_t size)
{
	char *p = lfx_path(f, rel);
	ssize_t n = lgetxattr(p, key, buf, size);

	free(p);
	return n;
}

/* ---- tar builder ---- */

enum tb_filter { TB_NONE, TB_GZIP, TB_ZSTD };

struct tb_entry {
	const char *name;
	unsigned type; /* AE_IF*; 0 = regular file */
	mode_t perm;   /* 0 = 0644 (0755 for directories) */
	int64_t uid, gid;
	time_t mtime; /* 0 = 1700000000 */
	long mtime_nsec;
	const char *data;     /* regular file content */
	const char *link;     /* symlink target */
	const char *hardlink; /* hardlink target */
	unsigned major, minor;
	const char *xattr, *xattr_value;
	size_t xattr_size; /* 0 = strlen(xattr_value) */
};

static inline struct archive *tb_open(int dirfd, const char *name, enum tb_filter filter)
{
	struct archive *a = archive_write_new();
	char pbuf[32];
	char *path = xasprintf("%s/%s", fs_fd_path(dirfd, pbuf, sizeof(pbuf)), name);

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (filter == TB_GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	if (filter == TB_ZSTD)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	free(path);
	return a;
}

static inline void tb_add(struct archive *a, const struct tb_entry *t)
{
	struct archive_entry *e = archive_entry_new();
	unsigned type = t->type ? t->type : AE_IFREG;
	size_t len = t->data ? strlen(t->data) : 0;

	archive_entry_copy_pathname(e, t->name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, t->perm ? t->perm : type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_uid(e, t->uid);
	archive_entry_set_gid(e, t->gid);
	archive_entry_set_mtime(e, t->mtime ? t->mtime : 1700000000, t->mtime_nsec);
	if (t->link)
		archive_entry_copy_symlink(e, t->link);
	if (t->hardlink)
		archive_entry_copy_hardlink(e, t->hardlink);
	if (type == AE_IFCHR || type == AE_IFBLK) {
		archive_entry_set_rdevmajor(e, t->major);
		archive_entry_set_rdevminor(e, t->minor);
	}
	if (t->xattr)
		archive_entry_xattr_add_entry(e, t->xattr, t->xattr_value,
					      t->xattr_size ? t->xattr_size : strlen(t->xattr_value));
	archive_entry_set_size(e, type == AE_IFREG && !t->hardlink ? (la_int64_t)len : 0);
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	if (len && !t->hardlink)
		assert_int_equal(archive_write_data(a, t->data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/* Close the writer and its file. */
static inline void tb_close(struct archive *a)
{
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Write a whole tar of entries (n of them) to dirfd/name. */
static inline void tb_write(int dirfd, const char *name, enum tb_filter filter, const struct tb_entry *t, size_t n)
{
	struct archive *a = tb_open(dirfd, name, filter);

	for (size_t i = 0; i < n; i++)
		tb_add(a, &t[i]);
	tb_close(a);
}

/* Unpack dirfd/tar into dest (an fd); returns what img_layer_unpack returns. */
static inline int lfx_unpack(int dirfd, const char *tar, int dest, const struct img_unpack_opts *opts,
			     struct img_unpack_result *res, struct berth_error **err)
{
	int fd = openat(dirfd, tar, O_RDONLY | O_CLOEXEC), r;

	assert_true(fd >= 0);
	r = img_layer_unpack(fd, dest, opts, res, err);
	close(fd);
	return r;
}

static inline char *lfx_read(int dirfd, const char *path)
{
	char *s = NULL;

	if (fs_read_file_at(dirfd, path, &s, NULL, NULL) < 0)
		return NULL;
	return s;
}

/* ---- tree compare ---- */

static inline int lfx_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char **lfx_list(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(fd);
	char **names = xcalloc(1, sizeof(*names));
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	closedir(d);
	qsort(names, strv_length(names), sizeof(*names), lfx_cmp_names);
	return names;
}

/* Print the first difference and fail: names, types, modes, owners, sizes, contents, link targets. */
static inline void lfx_tree_equal(int a, int b, const char *where)
{
	char **na = lfx_list(a), **nb = lfx_list(b);

	for (size_t i = 0; na[i] || nb[i]; i++) {
		struct stat sa, sb;

		if (!na[i] || !nb[i] || strcmp(na[i], nb[i]) != 0)
			fail_msg("%s: '%s' vs '%s'", where, na[i] ? na[i] : "(end)", nb[i] ? nb[i] : "(end)");
		assert_int_equal(fstatat(a, na[i], &sa, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(fstatat(b, nb[i], &sb, AT_SYMLINK_NOFOLLOW), 0);
		if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)
			fail_msg("%s/%s: mode %o %u:%u vs %o %u:%u", where, na[i], sa.st_mode, sa.st_uid, sa.st_gid,
				 sb.st_mode, sb.st_uid, sb.st_gid);
		if (!S_ISDIR(sa.st_mode) && sa.st_mtim.tv_sec != sb.st_mtim.tv_sec)
			fail_msg("%s/%s: mtime %ld vs %ld", where, na[i], (long)sa.st_mtim.tv_sec,
				 (long)sb.st_mtim.tv_sec);
		if (S_ISREG(sa.st_mode)) {
			char *ca = lfx_read(a, na[i]), *cb = lfx_read(b, nb[i]);

			if (!ca || !cb || strcmp(ca, cb) != 0)
				fail_msg("%s/%s: content differs", where, na[i]);
			free(ca);
			free(cb);
		} else if (S_ISLNK(sa.st_mode)) {
			char la[256] = {0}, lb[256] = {0};

			assert_true(readlinkat(a, na[i], la, sizeof(la) - 1) > 0);
			assert_true(readlinkat(b, nb[i], lb, sizeof(lb) - 1) > 0);
			assert_string_equal(la, lb);
		} else if (S_ISCHR(sa.st_mode) || S_ISBLK(sa.st_mode)) {
			assert_int_equal(sa.st_rdev, sb.st_rdev);
		} else if (S_ISDIR(sa.st_mode)) {
			int da = openat(a, na[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int db = openat(b, nb[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char *sub = xasprintf("%s/%s", where, na[i]);

			assert_true(da >= 0 && db >= 0);
			lfx_tree_equal(da, db, sub);
			free(sub);
			close(da);
			close(db);
		}
	}
	strv_free(na);
	strv_free(nb);
}
