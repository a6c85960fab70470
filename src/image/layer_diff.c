/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * img_layer_diff: a directory (an overlay upperdir, or a whole rootfs) to a
 * deterministic tar layer. The tar is hashed as libarchive writes it and, for
 * gzip, fed to a second writer (format "raw", gzip filter) hashed in turn.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/ext_archive.h"
#include "image/layer_internal.h"

#define COPY_CHUNK (128 * 1024)

DEFINE_CLEANUP_FUNC(struct archive, archive_write_free)
DEFINE_CLEANUP_FUNC(struct archive_entry, archive_entry_free)
#define _cleanup_archive_write_ _cleanup_(archive_write_freep)
#define _cleanup_archive_entry_ _cleanup_(archive_entry_freep)

/* Where the bytes go: the tar is hashed, then gzip'd (gz) or written as it is. */
struct diff_out {
	int fd;
	struct digest_ctx *tar_digest;
	struct digest_ctx *blob_digest; /* only with gz */
	struct archive *gz;
	int64_t size;
};

/* A file already written, for hardlinks: (dev, ino) → its name in the tar. */
struct link_seen {
	dev_t dev;
	ino_t ino;
	char *name;
};

struct diff_walk {
	struct archive *tar;
	const struct img_diff_opts *opts;
	void *links; /* tsearch tree of struct link_seen */
	struct buf path;
	char *copy_buf;
};

/* ---- output ---- */

static la_ssize_t gz_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct diff_out *o = data;

	if (fs_write_all(o->fd, buf, len) < 0) {
		archive_set_error(a, errno, "write layer: %s", strerror(errno));
		return -1;
	}
	digest_update(o->blob_digest, buf, len);
	o->size += (int64_t)len;
	return (la_ssize_t)len;
}

static la_ssize_t tar_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct diff_out *o = data;

	digest_update(o->tar_digest, buf, len);
	if (o->gz) {
		if (archive_write_data(o->gz, buf, len) < 0) {
			archive_set_error(a, archive_errno(o->gz), "%s", archive_error_string(o->gz));
			return -1;
		}
		return (la_ssize_t)len;
	}
	if (fs_write_all(o->fd, buf, len) < 0) {
		archive_set_error(a, errno, "write layer: %s", strerror(errno));
		return -1;
	}
	o->size += (int64_t)len;
	return (la_ssize_t)len;
}

static int archive_fail(struct archive *a, const char *what, struct berth_error **err)
{
	const char *msg = archive_error_string(a);

	return berth_error_set(err, 0, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

/* The gzip writer: one raw "file" whose bytes are the tar; no timestamp in the header, for stable digests. */
static struct archive *gz_open(struct diff_out *o, struct berth_error **err)
{
	_cleanup_archive_write_ struct archive *a = archive_write_new();
	_cleanup_archive_entry_ struct archive_entry *e = archive_entry_new();

	if (!a || !e)
		return berth_error_set(err, ENOMEM, "write layer"), NULL;
	if (archive_write_add_filter_gzip(a) != ARCHIVE_OK || archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, o, NULL, gz_write, NULL) != ARCHIVE_OK)
		return archive_fail(a, "write layer", err), NULL;
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_copy_pathname(e, "layer.tar");
	if (archive_write_header(a, e) != ARCHIVE_OK)
		return archive_fail(a, "write layer", err), NULL;
	return TAKE_PTR(a);
}

/* The tar writer: PAX only where ustar cannot say it (as Docker's), xattrs as SCHILY.xattr only. */
static struct archive *tar_open(struct diff_out *o, struct berth_error **err)
{
	_cleanup_archive_write_ struct archive *a = archive_write_new();

	if (!a)
		return berth_error_set(err, ENOMEM, "write layer"), NULL;
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, o, NULL, tar_write, NULL) != ARCHIVE_OK)
		return archive_fail(a, "write layer", err), NULL;
	return TAKE_PTR(a);
}

/* ---- entries ---- */

static int link_cmp(const void *a, const void *b)
{
	const struct link_seen *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void link_free(void *p)
{
	struct link_seen *l = p;

	free(l->name);
	free(l);
}

/* The name written first for this inode, or NULL after remembering the current one. */
static const char *link_lookup(struct diff_walk *w, const struct stat *st)
{
	struct link_seen key = {.dev = st->st_dev, .ino = st->st_ino}, *l, **found;

	found = tfind(&key, &w->links, link_cmp);
	if (found)
		return (*found)->name;
	l = xcalloc(1, sizeof(*l));
	*l = (struct link_seen){.dev = st->st_dev, .ino = st->st_ino, .name = xstrdup(w->path.data)};
	if (!tsearch(l, &w->links, link_cmp))
		abort();
	return NULL;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool skip_xattr(const char *key)
{
	/* overlay's bookkeeping (opaque, origin, redirect, …) is never layer content */
	return strncmp(key, "trusted.overlay.", 16) == 0 || strncmp(key, "user.overlay.", 13) == 0;
}

/* The xattrs of path (not following a symlink), sorted by name so that the bytes are stable. */
static int add_xattrs(struct archive_entry *e, const char *path, struct berth_error **err)
{
	_cleanup_free_ char *list = NULL;
	_cleanup_free_ char **keys = NULL;
	ssize_t len = llistxattr(path, NULL, 0);
	size_t n = 0;

	if (len < 0 && (errno == ENOTSUP || errno == ENODATA))
		return 0;
	if (len <= 0)
		return len < 0 ? berth_error_set(err, errno, "list xattrs") : 0;
	list = xmalloc((size_t)len);
	len = llistxattr(path, list, (size_t)len);
	if (len < 0)
		return berth_error_set(err, errno, "list xattrs");
	keys = xcalloc((size_t)len, sizeof(*keys));
	for (char *k = list; k < list + len; k += strlen(k) + 1)
		if (*k && !skip_xattr(k))
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), str_cmp);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *value = NULL;
		ssize_t vlen = lgetxattr(path, keys[i], NULL, 0);

		if (vlen >= 0) {
			value = xmalloc((size_t)vlen + 1);
			vlen = lgetxattr(path, keys[i], value, (size_t)vlen);
		}
		if (vlen < 0)
			return berth_error_set(err, errno, "read xattr '%s'", keys[i]);
		archive_entry_xattr_add_entry(e, keys[i], value, (size_t)vlen);
	}
	return 0;
}

/* Whether an upperdir directory is opaque: overlay's xattr, in the trusted or (unprivileged) user namespace. */
static bool is_opaque(int dirfd)
{
	static const char *const keys[] = {"trusted.overlay.opaque", "user.overlay.opaque"};
	char v[2];

	for (size_t i = 0; i < 2; i++)
		if (fgetxattr(dirfd, keys[i], v, sizeof(v)) == 1 && v[0] == 'y')
			return true;
	return false;
}

/*
 * Overlay's redirect_dir and metacopy leave upper entries whose content lives
 * in a lower layer under another name; a tar cannot say that: refuse.
 */
static int check_upper(int dirfd, const char *name, struct berth_error **err)
{
	static const char *const keys[] = {"trusted.overlay.redirect", "trusted.overlay.metacopy",
					   "user.overlay.redirect", "user.overlay.metacopy"};
	_cleanup_free_ char *path = NULL;
	char pbuf[32];

	path = xasprintf("%s/%s", fs_fd_path(dirfd, pbuf, sizeof(pbuf)), name);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (lgetxattr(path, keys[i], NULL, 0) >= 0)
			return berth_error_set(err, ENOTSUP, "'%s' set: redirect_dir and metacopy are not supported",
					       keys[i]);
	return 0;
}

static int write_header(struct diff_walk *w, struct archive_entry *e, struct berth_error **err)
{
	if (archive_write_header(w->tar, e) < ARCHIVE_WARN)
		return archive_fail(w->tar, "write layer", err);
	return 0;
}

/* An empty regular file entry named name in the directory of the current path (a whiteout). */
static int write_marker(struct diff_walk *w, const char *dir, const char *name, const struct stat *st,
			struct berth_error **err)
{
	_cleanup_archive_entry_ struct archive_entry *e = archive_entry_new();
	_cleanup_free_ char *path = *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);

	archive_entry_copy_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
	archive_entry_set_size(e, 0);
	return write_header(w, e, err);
}

/* The bytes of a regular file: exactly st_size of them, from the very inode that was stat'ed. */
static int copy_data(struct diff_walk *w, int dirfd, const char *name, const struct stat *st, struct berth_error **err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat now;
	off_t left = st->st_size;

	if (fd < 0)
		return berth_error_set(err, errno, "open");
	if (fstat(fd, &now) < 0)
		return berth_error_set(err, errno, "stat");
	if (now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return berth_error_set(err, EAGAIN, "file replaced while writing the layer");
	while (left > 0) {
		ssize_t n = read(fd, w->copy_buf, left < COPY_CHUNK ? (size_t)left : COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read");
		if (n == 0)
			return berth_error_set(err, EAGAIN, "file shrank while writing the layer");
		if (archive_write_data(w->tar, w->copy_buf, (size_t)n) < 0)
			return archive_fail(w->tar, "write layer", err);
		left -= n;
	}
	return 0;
}

/* Type, owner, mode, mtime, size or link target and xattrs of the node at dirfd/name. */
static int fill_entry(struct archive_entry *e, int dirfd, const char *name, const struct stat *st,
		      struct berth_error **err)
{
	_cleanup_free_ char *proc = NULL;
	char pbuf[32];

	archive_entry_set_mode(e, st->st_mode);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	/* whole seconds, as Docker writes them: no PAX header just for a time */
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
	if (S_ISREG(st->st_mode))
		archive_entry_set_size(e, st->st_size);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		archive_entry_set_rdevmajor(e, major(st->st_rdev));
		archive_entry_set_rdevminor(e, minor(st->st_rdev));
	}
	if (S_ISLNK(st->st_mode)) {
		_cleanup_free_ char *target = xmalloc((size_t)st->st_size + 2);
		ssize_t n = readlinkat(dirfd, name, target, (size_t)st->st_size + 1);

		if (n < 0 || n > st->st_size)
			return berth_error_set(err, n < 0 ? errno : EAGAIN, "read symlink");
		target[n] = '\0';
		archive_entry_copy_symlink(e, target);
	}
	proc = xasprintf("%s/%s", fs_fd_path(dirfd, pbuf, sizeof(pbuf)), name);
	return add_xattrs(e, proc, err);
}

static int walk_dir(struct diff_walk *w, int dirfd, struct berth_error **err);

/* The node at dirfd/name, whose tar name is w->path; a directory is followed by its contents. */
static int write_node(struct diff_walk *w, int dirfd, const char *name, const struct stat *st, struct berth_error **err)
{
	_cleanup_archive_entry_ struct archive_entry *e = archive_entry_new();
	_cleanup_close_ int sub = -1;
	const char *first = NULL;

	if (S_ISSOCK(st->st_mode))
		return 0; /* sockets cannot be in a tar; Docker skips them too */
	if (w->opts->whiteouts && check_upper(dirfd, name, err) < 0)
		return -1;
	if (S_ISDIR(st->st_mode)) {
		_cleanup_free_ char *slashed = xasprintf("%s/", w->path.data);

		archive_entry_copy_pathname(e, slashed);
	} else {
		archive_entry_copy_pathname(e, w->path.data);
		first = st->st_nlink > 1 ? link_lookup(w, st) : NULL;
	}
	if (first) {
		archive_entry_set_mode(e, st->st_mode);
		archive_entry_set_uid(e, st->st_uid);
		archive_entry_set_gid(e, st->st_gid);
		archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
		archive_entry_copy_hardlink(e, first);
		return write_header(w, e, err);
	}
	if (fill_entry(e, dirfd, name, st, err) < 0 || write_header(w, e, err) < 0)
		return -1;
	if (S_ISREG(st->st_mode) && st->st_size > 0)
		return copy_data(w, dirfd, name, st, err);
	if (!S_ISDIR(st->st_mode))
		return 0;
	sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return berth_error_set(err, errno, "open directory");
	/* right after the directory's own entry, as Docker's overlay driver writes it */
	if (w->opts->whiteouts && is_opaque(sub) && write_marker(w, w->path.data, LAYER_WH_OPAQUE, st, err) < 0)
		return -1;
	return walk_dir(w, sub, err);
}

/* The names in dirfd, sorted bytewise. */
static char **list_dir(int dirfd, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **names = NULL;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd)))
		return berth_error_set(err, errno, "open directory"), NULL;
	TAKE_FD(fd);
	names = xcalloc(1, sizeof(*names));
	errno = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	if (errno != 0) {
		strv_free(names);
		return berth_error_set(err, errno, "read directory"), NULL;
	}
	qsort(names, strv_length(names), sizeof(*names), str_cmp);
	return names;
}

static int walk_dir(struct diff_walk *w, int dirfd, struct berth_error **err)
{
	_cleanup_strv_ char **names = list_dir(dirfd, err);
	size_t mark = w->path.len;

	if (!names)
		return berth_error_wrap(err, "'%s'", mark ? w->path.data : ".");
	for (char **n = names; *n; n++) {
		struct stat st;
		int r;

		if (mark)
			buf_puts(&w->path, "/");
		buf_puts(&w->path, *n);
		if (fstatat(dirfd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = berth_error_set(err, errno, "stat");
		else if (w->opts->whiteouts && S_ISCHR(st.st_mode) && st.st_rdev == 0) {
			/* overlay's whiteout; never a hardlink, though overlay may share one inode for all */
			_cleanup_free_ char *wh = xasprintf("%s%s", LAYER_WH_PREFIX, *n);
			_cleanup_free_ char *dir = xasprintf("%.*s", (int)mark, w->path.data);

			r = write_marker(w, dir, wh, &st, err);
		} else
			r = write_node(w, dirfd, *n, &st, err);
		if (r < 0 && *err && !strstr((*err)->msg, "layer entry '"))
			berth_error_wrap(err, "layer entry '%s'", w->path.data);
		w->path.len = mark;
		w->path.data[mark] = '\0';
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Finish both writers (the tar's end blocks, then gzip's trailer) and report. */
static int diff_close(struct diff_out *o, struct archive *tar, struct img_diff_result *ret, struct berth_error **err)
{
	if (archive_write_close(tar) != ARCHIVE_OK)
		return archive_fail(tar, "write layer", err);
	if (o->gz && archive_write_close(o->gz) != ARCHIVE_OK)
		return archive_fail(o->gz, "write layer", err);
	if (!ret)
		return 0;
	digest_final(o->tar_digest, ret->diff_id);
	if (o->gz)
		digest_final(o->blob_digest, ret->blob_digest);
	else
		memcpy(ret->blob_digest, ret->diff_id, sizeof(ret->blob_digest));
	ret->size = o->size;
	return 0;
}

int img_layer_diff(int src_dirfd, int out_fd, const struct img_diff_opts *opts, struct img_diff_result *ret,
		   struct berth_error **err)
{
	static const struct img_diff_opts no_opts;
	_cleanup_digest_ struct digest_ctx *tar_digest = NULL, *blob_digest = NULL;
	_cleanup_archive_write_ struct archive *gz = NULL, *tar = NULL;
	_cleanup_free_ char *copy_buf = xmalloc(COPY_CHUNK);
	_cleanup_close_ int root = openat(src_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct diff_out o = {.fd = out_fd};
	struct diff_walk w = {.opts = opts ? opts : &no_opts, .copy_buf = copy_buf};
	int r;

	if (root < 0)
		return berth_error_set(err, errno, "open layer source directory");
	tar_digest = digest_new(err);
	if (!tar_digest || (w.opts->gzip && !(blob_digest = digest_new(err))))
		return -1;
	o.tar_digest = tar_digest;
	o.blob_digest = blob_digest;
	if (w.opts->gzip && !(gz = gz_open(&o, err)))
		return -1;
	o.gz = gz;
	tar = tar_open(&o, err);
	if (!tar)
		return -1;
	w.tar = tar;
	buf_puts(&w.path, "");
	r = walk_dir(&w, root, err);
	buf_done(&w.path);
	tdestroy(w.links, link_free);
	if (r < 0)
		return -1;
	return diff_close(&o, tar, ret, err);
}
