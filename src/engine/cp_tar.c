/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker cp's archives, writing side: a file or a tree inside a root as a
 * tar stream (PAX where ustar cannot say it), walked fd-relative without
 * following symlinks, hard links written as links.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/storage_internal.h"
#include "image/image.h"

struct link_seen {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct tar_writer {
	struct archive *a;
	struct link_seen *links;
	size_t n_links;
};

static int fail(struct tar_writer *w, struct berth_error **err, const char *what, const char *name)
{
	return berth_error_set(err, 0, "%s '%s': %s", what, name, archive_error_string(w->a));
}

/* The name of an earlier entry with the same inode (a hard link), or NULL after remembering this one. */
static const char *link_of(struct tar_writer *w, const struct stat *st, const char *name)
{
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return NULL;
	for (size_t i = 0; i < w->n_links; i++)
		if (w->links[i].dev == st->st_dev && w->links[i].ino == st->st_ino)
			return w->links[i].name;
	w->links = realloc(w->links, (w->n_links + 1) * sizeof(*w->links));
	if (!w->links)
		abort();
	w->links[w->n_links++] = (struct link_seen){st->st_dev, st->st_ino, xstrdup(name)};
	return NULL;
}

static void add_xattrs(struct archive_entry *ae, int fd)
{
	char names[4096], value[4096];
	ssize_t n = flistxattr(fd, names, sizeof(names));

	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		ssize_t len;

		if (!strncmp(names + off, "trusted.overlay.", 16) || !strncmp(names + off, "user.overlay.", 13))
			continue;
		len = fgetxattr(fd, names + off, value, sizeof(value));
		if (len >= 0)
			archive_entry_xattr_add_entry(ae, names + off, value, (size_t)len);
	}
}

static int write_data(struct tar_writer *w, int fd, const char *name, struct berth_error **err)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(w->a, buf, (size_t)n) < 0)
			return fail(w, err, "write", name);
	return n < 0 ? berth_error_set(err, errno, "read '%s'", name) : 0;
}

static int write_tree(struct tar_writer *w, int fd, const char *name, struct berth_error **err);

static int write_children(struct tar_writer *w, int dfd, const char *name, struct berth_error **err)
{
	int dup_fd = dup(dfd);
	_cleanup_closedir_ DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return berth_error_set(err, errno, "read directory '%s'", name);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	for (size_t i = 0; names && names[i]; i++) {
		_cleanup_free_ char *child = xasprintf("%s/%s", name, names[i]);
		_cleanup_close_ int cfd = openat(dfd, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (cfd < 0)
			return berth_error_set(err, errno, "open '%s'", child);
		if (write_tree(w, cfd, child, err) < 0)
			return -1;
	}
	return 0;
}

/* One entry (fd: an O_PATH fd of it) and, for a directory, what is below. */
static int write_tree(struct tar_writer *w, int fd, const char *name, struct berth_error **err)
{
	struct archive_entry *ae = archive_entry_new();
	_cleanup_close_ int rfd = -1;
	struct stat st;
	const char *hard;
	char target[4096], pbuf[32];
	ssize_t n;
	int r = -1;

	if (fstat(fd, &st) < 0) {
		berth_error_set(err, errno, "stat '%s'", name);
		goto out;
	}
	if (S_ISSOCK(st.st_mode)) {
		r = 0;
		goto out;
	}
	archive_entry_copy_stat(ae, &st);
	if (S_ISDIR(st.st_mode)) {
		_cleanup_free_ char *dname = xasprintf("%s/", name);

		archive_entry_copy_pathname(ae, dname);
	} else {
		archive_entry_copy_pathname(ae, name);
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(fd, "", target, sizeof(target) - 1);
		if (n < 0) {
			berth_error_set(err, errno, "readlink '%s'", name);
			goto out;
		}
		target[n] = '\0';
		archive_entry_copy_symlink(ae, target);
	} else if ((hard = link_of(w, &st, name))) {
		archive_entry_copy_hardlink(ae, hard);
		archive_entry_set_size(ae, 0);
	} else if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		rfd = open(fs_fd_path(fd, pbuf, sizeof(pbuf)), O_RDONLY | O_CLOEXEC);
		if (rfd < 0) {
			berth_error_set(err, errno, "open '%s'", name);
			goto out;
		}
		add_xattrs(ae, rfd);
	}
	if (archive_write_header(w->a, ae) < ARCHIVE_WARN) {
		fail(w, err, "write header of", name);
		goto out;
	}
	if (rfd >= 0 && S_ISREG(st.st_mode) && !archive_entry_hardlink(ae) && write_data(w, rfd, name, err) < 0)
		goto out;
	if (S_ISDIR(st.st_mode) && write_children(w, rfd, name, err) < 0)
		goto out;
	r = 0;
out:
	archive_entry_free(ae);
	return r;
}

int cp_tar_write(int root_fd, const char *path, const char *name, bool follow, int out_fd, struct berth_error **err)
{
	struct tar_writer w = {.a = archive_write_new()};
	_cleanup_close_ int fd = fs_open_in_root(root_fd, path, O_PATH, follow ? 0 : FS_IN_ROOT_NOFOLLOW_LAST, err);
	int r = -1;

	if (fd < 0)
		goto out;
	archive_write_set_format_pax_restricted(w.a);
	archive_write_set_bytes_in_last_block(w.a, 1);
	if (archive_write_open_fd(w.a, out_fd) != ARCHIVE_OK) {
		fail(&w, err, "open archive for", name);
		goto out;
	}
	if (write_tree(&w, fd, name, err) < 0)
		goto out;
	if (archive_write_close(w.a) != ARCHIVE_OK) {
		fail(&w, err, "close archive of", name);
		goto out;
	}
	r = 0;
out:
	archive_write_free(w.a);
	for (size_t i = 0; i < w.n_links; i++)
		free(w.links[i].name);
	free(w.links);
	return r;
}
