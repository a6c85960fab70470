/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker cp's archives, reading side: a tar stream extracted into a
 * directory fd-relative, every parent resolved inside that directory
 * (openat2 RESOLVE_IN_ROOT), names with ".." refused, the first path
 * component renamed as the copy's plan asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/storage_internal.h"
#include "image/image.h"

DEFINE_CLEANUP_FUNC(struct archive, archive_read_free)

struct dir_time {
	char *path;
	struct timespec mtime;
};

struct untar {
	int dir_fd;
	const struct cp_untar_opts *o;
	struct dir_time *dirs; /* directory mtimes, set once their contents are in */
	size_t n_dirs;
};

/*
 * The entry's path relative to the destination, cleaned and renamed: NULL
 * with *err for a hostile name, "" for the destination itself.
 */
static char *entry_path(const struct cp_untar_opts *o, const char *name, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(name);
	struct buf b = {0};
	char *save = NULL;
	bool first = true;

	buf_puts(&b, "");
	for (char *w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		if (first && o->rebase_from && !strcmp(w, o->rebase_from))
			w = (char *)o->rebase_to;
		first = false;
		if (!strcmp(w, "."))
			continue;
		if (!strcmp(w, "..")) {
			buf_done(&b);
			berth_error_set(err, 0, "invalid path in archive: '%s'", name);
			return NULL;
		}
		buf_printf(&b, "%s%s", b.len ? "/" : "", w);
	}
	return buf_steal(&b);
}

/* Open the parent of path inside the destination (created when missing) and give the last component. */
static int open_parent(struct untar *u, const char *path, const char **ret_last, struct berth_error **err)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *parent = slash ? strndup(path, (size_t)(slash - path)) : xstrdup("");

	*ret_last = slash ? slash + 1 : path;
	return fs_open_in_root(u->dir_fd, parent, O_RDONLY | O_DIRECTORY, *parent ? FS_IN_ROOT_MKDIR : 0, err);
}

/* Make room for the new entry: an existing directory stays for a directory, anything else is replaced. */
static int clear_target(int pfd, const char *last, const char *path, bool is_dir, bool *ret_exists,
			struct berth_error **err)
{
	struct stat st;

	*ret_exists = false;
	if (fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "stat '%s'", path);
	if (S_ISDIR(st.st_mode) && is_dir) {
		*ret_exists = true;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return berth_error_set(err, 0, "cannot overwrite directory \"%s\" with non-directory", path);
	if (is_dir)
		return berth_error_set(err, 0, "cannot overwrite non-directory \"%s\" with directory", path);
	if (unlinkat(pfd, last, 0) < 0)
		return berth_error_set(err, errno, "remove '%s'", path);
	return 0;
}

static int write_file(struct archive *a, struct archive_entry *ae, int pfd, const char *last, const char *path,
		      struct berth_error **err)
{
	_cleanup_close_ int fd = openat(pfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	const void *buf;
	size_t len;
	int64_t off;
	int r;

	if (fd < 0)
		return berth_error_set(err, errno, "create '%s'", path);
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + (int64_t)done));

			if (n < 0)
				return berth_error_set(err, errno, "write '%s'", path);
			done += (size_t)n;
		}
	}
	if (r != ARCHIVE_EOF)
		return berth_error_set(err, 0, "read '%s' from the archive: %s", path, archive_error_string(a));
	/* a sparse tail: the size the archive says */
	if (archive_entry_size_is_set(ae) && ftruncate(fd, (off_t)archive_entry_size(ae)) < 0)
		return berth_error_set(err, errno, "truncate '%s'", path);
	return 0;
}

static void set_xattrs(struct archive_entry *ae, int pfd, const char *last)
{
	const char *name;
	const void *value;
	size_t size;
	char pbuf[32];
	_cleanup_close_ int fd = openat(pfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || archive_entry_xattr_reset(ae) == 0)
		return;
	while (archive_entry_xattr_next(ae, &name, &value, &size) == ARCHIVE_OK)
		lsetxattr(fs_fd_path(fd, pbuf, sizeof(pbuf)), name, value, size, 0);
}

/* Owner (with keep_owner), mode and times of a new entry. */
static int set_meta(struct untar *u, struct archive_entry *ae, int pfd, const char *last, const char *path,
		    struct berth_error **err)
{
	mode_t mode = archive_entry_perm(ae);
	bool link = archive_entry_filetype(ae) == AE_IFLNK;
	struct timespec ts[2] = {{archive_entry_atime(ae), archive_entry_atime_nsec(ae)},
				 {archive_entry_mtime(ae), archive_entry_mtime_nsec(ae)}};

	if (!archive_entry_atime_is_set(ae))
		ts[0] = ts[1];
	if (u->o->keep_owner &&
	    fchownat(pfd, last, (uid_t)archive_entry_uid(ae), (gid_t)archive_entry_gid(ae), AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "chown '%s'", path);
	set_xattrs(ae, pfd, last);
	if (!link && fchmodat(pfd, last, mode, 0) < 0)
		return berth_error_set(err, errno, "chmod '%s'", path);
	if (archive_entry_filetype(ae) == AE_IFDIR) {
		u->dirs = realloc(u->dirs, (u->n_dirs + 1) * sizeof(*u->dirs));
		if (!u->dirs)
			abort();
		u->dirs[u->n_dirs++] = (struct dir_time){xstrdup(path), ts[1]};
		return 0;
	}
	utimensat(pfd, last, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int make_link(struct untar *u, struct archive_entry *ae, int pfd, const char *last, const char *path,
		     struct berth_error **err)
{
	_cleanup_free_ char *target = entry_path(u->o, archive_entry_hardlink(ae), err);
	_cleanup_close_ int tfd = -1;
	char pbuf[32];

	if (!target)
		return -1;
	tfd = fs_open_in_root(u->dir_fd, target, O_PATH, FS_IN_ROOT_NOFOLLOW_LAST, err);
	if (tfd < 0)
		return berth_error_wrap(err, "hard link '%s'", path);
	if (linkat(AT_FDCWD, fs_fd_path(tfd, pbuf, sizeof(pbuf)), pfd, last, AT_SYMLINK_FOLLOW) < 0)
		return berth_error_set(err, errno, "hard link '%s' to '%s'", path, target);
	return 0;
}

static int extract_one(struct untar *u, struct archive *a, struct archive_entry *ae, struct berth_error **err)
{
	_cleanup_free_ char *path = entry_path(u->o, archive_entry_pathname(ae), err);
	_cleanup_close_ int pfd = -1;
	const char *last;
	unsigned type = archive_entry_filetype(ae);
	bool exists;
	int r = 0;

	if (!path)
		return -1;
	if (!*path)
		return 0; /* the destination itself keeps its own metadata */
	pfd = open_parent(u, path, &last, err);
	if (pfd < 0 || clear_target(pfd, last, path, type == AE_IFDIR && !archive_entry_hardlink(ae), &exists, err) < 0)
		return -1;
	if (archive_entry_hardlink(ae))
		return make_link(u, ae, pfd, last, path, err);
	switch (type) {
	case AE_IFDIR:
		if (!exists && mkdirat(pfd, last, 0700) < 0)
			r = berth_error_set(err, errno, "mkdir '%s'", path);
		break;
	case AE_IFREG:
		r = write_file(a, ae, pfd, last, path, err);
		break;
	case AE_IFLNK:
		if (symlinkat(archive_entry_symlink(ae), pfd, last) < 0)
			r = berth_error_set(err, errno, "symlink '%s'", path);
		break;
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		if (mknodat(pfd, last, archive_entry_mode(ae), archive_entry_rdev(ae)) < 0)
			r = berth_error_set(err, errno, "mknod '%s'", path);
		break;
	default:
		return 0;
	}
	return r < 0 ? -1 : set_meta(u, ae, pfd, last, path, err);
}

/* Directory times last, deepest first, so that their own extraction does not move them. */
static void finish_dirs(struct untar *u)
{
	for (size_t i = u->n_dirs; i-- > 0;) {
		_cleanup_close_ int fd = fs_open_in_root(u->dir_fd, u->dirs[i].path, O_RDONLY | O_DIRECTORY, 0, NULL);
		struct timespec ts[2] = {u->dirs[i].mtime, u->dirs[i].mtime};

		if (fd >= 0)
			futimens(fd, ts);
		free(u->dirs[i].path);
	}
	free(u->dirs);
}

int cp_untar(int in_fd, int dir_fd, const struct cp_untar_opts *o, struct berth_error **err)
{
	_cleanup_(archive_read_freep) struct archive *a = archive_read_new();
	struct untar u = {.dir_fd = dir_fd, .o = o};
	struct archive_entry *ae;
	int r;

	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_fd(a, in_fd, 65536) != ARCHIVE_OK)
		return berth_error_set(err, 0, "read archive: %s", archive_error_string(a));
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (extract_one(&u, a, ae, err) < 0) {
			finish_dirs(&u);
			return -1;
		}
	finish_dirs(&u);
	if (r != ARCHIVE_EOF)
		return berth_error_set(err, 0, "read archive: %s", archive_error_string(a));
	return 0;
}
