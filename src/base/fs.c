/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fd-relative filesystem helpers: whole-file read, atomic write, mkdir -p,
 * rm -rf that stays on one mount, and lexical path helpers.
 */
#include "base/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

int fs_read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct buf b = {0};
	char chunk[8192];

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	/* no fstat size: /proc and sysfs files report 0 */
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_done(&b);
			return berth_error_set(err, errno, "read '%s'", path);
		}
		if (n == 0)
			break;
		buf_append(&b, chunk, (size_t)n);
	}
	if (ret_len)
		*ret_len = b.len;
	*ret = buf_steal(&b);
	return 0;
}

int fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Open a new temp file next to path: "DIR/.NAME.tmp-XXXXXX". */
static int open_temp_next_to(int dirfd, const char *path, mode_t mode, char **ret_name)
{
	static unsigned counter;
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	const char *base = slash ? slash + 1 : path;

	for (int attempt = 0; attempt < 100; attempt++) {
		struct timespec ts;
		char *name;
		int fd;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		name = xasprintf("%.*s.%s.tmp-%x%lx", dirlen, path, base, (unsigned)getpid() ^ ++counter,
				 (unsigned long)ts.tv_nsec & 0xfffff);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, mode);
		if (fd >= 0) {
			*ret_name = name;
			return fd;
		}
		free(name);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int fs_write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
			    struct berth_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	int fd, saved;

	if (!*path || path[strlen(path) - 1] == '/')
		return berth_error_set(err, EINVAL, "write '%s'", path);
	fd = open_temp_next_to(dirfd, path, mode, &tmp);
	if (fd < 0)
		return berth_error_set(err, errno, "write '%s'", path);
	/* the mode as given, not filtered by the umask */
	if (fchmod(fd, mode) < 0 || fs_write_all(fd, data, len) < 0)
		goto fail_close;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, path) < 0)
		goto fail;
	return 0;
fail_close:
	saved = errno;
	close(fd);
	errno = saved;
fail:
	saved = errno;
	unlinkat(dirfd, tmp, 0);
	return berth_error_set(err, saved, "write '%s'", path);
}

int fs_write_string_at(int dirfd, const char *path, const char *s, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(s);
	ssize_t n;

	fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	/* one write: kernel knobs parse each write(2) as a whole value */
	do
		n = write(fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berth_error_set(err, errno, "write '%s'", path);
	if ((size_t)n != len)
		return berth_error_set(err, EIO, "write '%s': short write", path);
	return 0;
}

static int is_dir_at(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

int fs_mkdir_p_at(int dirfd, const char *path, mode_t mode, struct berth_error **err)
{
	_cleanup_free_ char *p = xstrdup(path);
	char *s;

	if (!*p)
		return berth_error_set(err, ENOENT, "mkdir ''");
	/* walk each prefix: existing ones (or symlinks to directories) are fine */
	s = p;
	while (*s == '/')
		s++;
	for (;;) {
		char *end = strchr(s, '/');
		char saved = 0;

		if (end) {
			saved = *end;
			*end = '\0';
		}
		if (*s && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && mkdirat(dirfd, p, mode) < 0) {
			if (errno != EEXIST)
				return berth_error_set(err, errno, "mkdir '%s'", p);
			if (!is_dir_at(dirfd, p))
				return berth_error_set(err, ENOTDIR, "mkdir '%s'", p);
		}
		if (!end)
			break;
		*end = saved;
		s = end + 1;
	}
	return 0;
}

/*
 * True when the directory fd is the root of a mount: statx's mount-root
 * attribute (5.8+) sees bind mounts of the same filesystem, st_dev does not.
 */
static bool is_mount_root(int fd, const struct stat *st, const struct stat *parent)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
	    (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	return st->st_dev != parent->st_dev;
}

static int rm_rf_dir(int fd, const struct stat *st, const char *path, struct berth_error **err);

/* Remove one entry of the directory dfd (whose stat is dst). */
static int rm_rf_entry(int dfd, const struct stat *dst, const char *name, const char *path, struct berth_error **err)
{
	_cleanup_close_ int cfd = -1;
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			return berth_error_set(err, errno, "remove '%s'", path);
		return 0;
	}
	cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (cfd < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "open '%s'", path);
	if (fstat(cfd, &st) < 0)
		return berth_error_set(err, errno, "stat '%s'", path);
	/* another mount: neither descend nor unmount, leave it to the caller */
	if (is_mount_root(cfd, &st, dst))
		return berth_error_set(err, EBUSY, "remove '%s'", path);
	if (rm_rf_dir(TAKE_FD(cfd), &st, path, err) < 0)
		return -1;
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove '%s'", path);
	return 0;
}

/* Empty the directory fd (taken). Keeps going after a failure; reports the first one. */
static int rm_rf_dir(int fd, const struct stat *st, const char *path, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct berth_error *first = NULL;
	struct dirent *de;

	d = fdopendir(fd);
	if (!d) {
		int saved = errno;
		close(fd);
		return berth_error_set(err, saved, "open '%s'", path);
	}
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		struct berth_error *e = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = fs_path_join(path, de->d_name);
		if (rm_rf_entry(dirfd(d), st, de->d_name, sub, &e) < 0) {
			if (!first)
				first = e;
			else
				berth_error_free(&e);
		}
	}
	if (errno != 0 && !first)
		berth_error_set(&first, errno, "read directory '%s'", path);
	if (first)
		return berth_error_move(err, &first);
	return 0;
}

int fs_rm_rf_at(int dirfd, const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct stat st, parent;

	if (!*path)
		return berth_error_set(err, EINVAL, "remove ''");
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, path, 0) < 0 && errno != ENOENT)
			return berth_error_set(err, errno, "remove '%s'", path);
		return 0;
	}
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "open '%s'", path);
	if (fstat(fd, &st) < 0 || fstatat(fd, "..", &parent, 0) < 0)
		return berth_error_set(err, errno, "stat '%s'", path);
	if (is_mount_root(fd, &st, &parent))
		return berth_error_set(err, EBUSY, "remove '%s'", path);
	if (rm_rf_dir(TAKE_FD(fd), &st, path, err) < 0)
		return -1;
	if (unlinkat(dirfd, path, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove '%s'", path);
	return 0;
}

const char *fs_fd_path(int fd, char *buf, size_t cap)
{
	snprintf(buf, cap, "/proc/self/fd/%d", fd);
	return buf;
}

bool fs_exists_at(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

char *fs_path_join(const char *a, const char *b)
{
	size_t alen = strlen(a);

	while (alen > 0 && a[alen - 1] == '/')
		alen--;
	while (*b == '/')
		b++;
	return xasprintf("%.*s/%s", (int)alen, a, b);
}

char *fs_path_clean(const char *path)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t len = 0;
	const char *s = path;

	/* out holds "/a/b" segments; ".." drops the last one and never goes above "/" */
	while (*s) {
		const char *end = strchrnul(s, '/');
		size_t clen = (size_t)(end - s);

		if (clen == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 0 && out[--len] != '/')
				;
		} else if (clen > 0 && !(clen == 1 && s[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, s, clen);
			len += clen;
		}
		s = *end ? end + 1 : end;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}
