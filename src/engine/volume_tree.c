/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The filesystem side of volumes: a device mounted at _data (the local
 * driver's type/device/o options), the copy of an image's content into a new
 * volume (dockerd's copy-up), and the size of a tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"

bool vol_is_mounted(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
		return false;
	return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* mount(8)'s flag words; anything else goes to the filesystem as data. */
static const struct {
	const char *name;
	unsigned long set, clear;
} mount_flags[] = {
	{"ro", MS_RDONLY, 0},	      {"rw", 0, MS_RDONLY},
	{"nosuid", MS_NOSUID, 0},     {"suid", 0, MS_NOSUID},
	{"nodev", MS_NODEV, 0},	      {"dev", 0, MS_NODEV},
	{"noexec", MS_NOEXEC, 0},     {"exec", 0, MS_NOEXEC},
	{"sync", MS_SYNCHRONOUS, 0},  {"async", 0, MS_SYNCHRONOUS},
	{"dirsync", MS_DIRSYNC, 0},   {"noatime", MS_NOATIME, 0},
	{"atime", 0, MS_NOATIME},     {"nodiratime", MS_NODIRATIME, 0},
	{"relatime", MS_RELATIME, 0}, {"strictatime", MS_STRICTATIME, 0},
	{"bind", MS_BIND, 0},	      {"rbind", MS_BIND | MS_REC, 0},
};

static void parse_mount_options(const char *o, unsigned long *ret_flags, struct buf *data)
{
	_cleanup_free_ char *copy = xstrdup(o ? o : "");
	char *save = NULL;

	*ret_flags = 0;
	buf_puts(data, "");
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i = 0;

		for (; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++)
			if (strcmp(w, mount_flags[i].name) == 0) {
				*ret_flags = (*ret_flags & ~mount_flags[i].clear) | mount_flags[i].set;
				break;
			}
		if (i == sizeof(mount_flags) / sizeof(mount_flags[0]))
			buf_printf(data, "%s%s", data->len ? "," : "", w);
	}
}

int vol_mount_device(json_t *options, const char *data_path, struct berth_error **err)
{
	const char *type = json_string_value(json_object_get(options, "type"));
	const char *device = json_string_value(json_object_get(options, "device"));
	struct buf data = {0};
	unsigned long flags;
	int r = 0;

	if (!type || !*type || !device || !*device || vol_is_mounted(data_path))
		return 0;
	parse_mount_options(json_string_value(json_object_get(options, "o")), &flags, &data);
	if (mount(device, data_path, type, flags, data.len ? data.data : NULL) < 0)
		r = berth_error_set(err, errno, "mount '%s' (type '%s') on '%s'", device, type, data_path);
	buf_done(&data);
	return r;
}

bool vol_is_empty(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return errno == ENOENT;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return false;
	return true;
}

/* ---- copy ---- */

/* Copy the xattrs of src onto dst (both real fds); what the target refuses is skipped. */
static void copy_xattrs(int src, int dst)
{
	char names[4096], value[4096];
	ssize_t n = flistxattr(src, names, sizeof(names));

	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		ssize_t len = fgetxattr(src, names + off, value, sizeof(value));

		if (len >= 0)
			fsetxattr(dst, names + off, value, (size_t)len, 0);
	}
}

/* Owner, mode and times from st onto the entry name at dirfd (fd: an open fd of it, or -1). */
static int copy_meta(int dirfd, const char *name, int fd, const struct stat *st, struct berth_error **err)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "chown '%s'", name);
	if (!S_ISLNK(st->st_mode) &&
	    (fd >= 0 ? fchmod(fd, st->st_mode & 07777) : fchmodat(dirfd, name, st->st_mode & 07777, 0)) < 0)
		return berth_error_set(err, errno, "chmod '%s'", name);
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "set times of '%s'", name);
	return 0;
}

static int copy_data(int in, int out, const char *name, struct berth_error **err)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return berth_error_set(err, errno, "copy '%s'", name);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0)
				return berth_error_set(err, errno, "write '%s'", name);
			off += w;
		}
	return n < 0 ? berth_error_set(err, errno, "read '%s'", name) : 0;
}

static int copy_dir_contents(int sdir, int ddir, struct berth_error **err);

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st, struct berth_error **err)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;

	if (in < 0)
		return berth_error_set(err, errno, "open '%s'", name);
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return berth_error_set(err, errno, "create '%s'", name);
	if (copy_data(in, out, name, err) < 0)
		return -1;
	copy_xattrs(in, out);
	return copy_meta(ddir, name, out, st, err);
}

static int copy_dir(int sdir, int ddir, const char *name, const struct stat *st, struct berth_error **err)
{
	_cleanup_close_ int in = -1, out = -1;

	if (mkdirat(ddir, name, 0700) < 0)
		return berth_error_set(err, errno, "mkdir '%s'", name);
	in = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	out = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || out < 0)
		return berth_error_set(err, errno, "open '%s'", name);
	if (copy_dir_contents(in, out, err) < 0)
		return berth_error_wrap(err, "%s", name);
	copy_xattrs(in, out);
	return copy_meta(ddir, name, out, st, err);
}

static int copy_entry(int sdir, int ddir, const char *name, struct berth_error **err)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_set(err, errno, "stat '%s'", name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_dir(sdir, ddir, name, &st, err);
	case S_IFREG:
		return copy_file(sdir, ddir, name, &st, err);
	case S_IFLNK:
		n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return berth_error_set(err, errno, "readlink '%s'", name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return berth_error_set(err, errno, "symlink '%s'", name);
		return copy_meta(ddir, name, -1, &st, err);
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0)
			return berth_error_set(err, errno, "mknod '%s'", name);
		return copy_meta(ddir, name, -1, &st, err);
	default:
		return 0; /* sockets are not copied */
	}
}

static int copy_dir_contents(int sdir, int ddir, struct berth_error **err)
{
	int dup_fd = dup(sdir);
	_cleanup_closedir_ DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return berth_error_set(err, errno, "read directory");
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(sdir, ddir, de->d_name, err) < 0)
			return -1;
	}
	return errno ? berth_error_set(err, errno, "read directory") : 0;
}

int vol_copy_tree(int src_dirfd, int dst_dirfd, struct berth_error **err)
{
	struct stat st;

	if (fstat(src_dirfd, &st) < 0)
		return berth_error_set(err, errno, "stat");
	if (copy_dir_contents(src_dirfd, dst_dirfd, err) < 0)
		return -1;
	if (fchown(dst_dirfd, st.st_uid, st.st_gid) < 0 || fchmod(dst_dirfd, st.st_mode & 07777) < 0)
		return berth_error_set(err, errno, "set the owner of the volume");
	return 0;
}

/* ---- size ---- */

struct seen {
	struct {
		dev_t dev;
		ino_t ino;
	} * v;
	size_t n;
};

static bool seen_before(struct seen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return true;
	s->v = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (!s->v)
		abort();
	s->v[s->n].dev = st->st_dev;
	s->v[s->n++].ino = st->st_ino;
	return false;
}

static int64_t dir_size(int dfd, struct seen *s, int depth)
{
	int dup_fd = dup(dfd);
	_cleanup_closedir_ DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *de;
	int64_t total = 0;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 256) {
			_cleanup_close_ int sub =
				openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				total += dir_size(sub, s, depth + 1);
		} else if (!S_ISDIR(st.st_mode) && (st.st_nlink < 2 || !seen_before(s, &st))) {
			total += st.st_size;
		}
	}
	return total;
}

int64_t eng_tree_size(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct seen s = {0};
	int64_t n;

	if (fd < 0)
		return 0;
	n = dir_size(fd, &s, 0);
	free(s.v);
	return n;
}
