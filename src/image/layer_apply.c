/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer tar entries onto a directory: paths cleaned and refused when they
 * leave the layer, parents opened one component at a time without ever
 * following a symlink, whiteouts turned into OverlayFS's form.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/layer_internal.h"

/* A directory whose mode and times are set after the last entry. */
struct dir_fixup {
	char *path; /* cleaned, "" for the root */
	mode_t mode;
	struct timespec times[2];
};

struct layer_apply {
	int root;
	struct img_unpack_opts opts;
	struct dir_fixup *dirs;
	size_t n_dirs, cap_dirs;
};

/* What one entry asks for, read and checked before anything is created. */
struct entry {
	const char *raw;  /* the name as the tar has it, for messages */
	char *path;	  /* cleaned: "a/b", "" for the root */
	const char *name; /* last component of path */
	char *parent;	  /* path without name, "" for the root */
	uid_t uid;
	gid_t gid;
	mode_t perm;
	struct timespec times[2];
};

static int entry_fail(struct berth_error **err, int code, const struct entry *en, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int entry_fail(struct berth_error **err, int code, const struct entry *en, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	return berth_error_set(err, code, "layer entry '%s': %s", en->raw, msg ? msg : fmt);
}

struct layer_apply *layer_apply_new(int dest_dirfd, const struct img_unpack_opts *opts)
{
	struct layer_apply *la = xcalloc(1, sizeof(*la));

	la->root = dest_dirfd;
	la->opts = *opts;
	return la;
}

void layer_apply_free(struct layer_apply *la)
{
	if (!la)
		return;
	for (size_t i = 0; i < la->n_dirs; i++)
		free(la->dirs[i].path);
	free(la->dirs);
	free(la);
}

/* ---- paths ---- */

/* "./a//b/../c/" → "a/c"; NULL (with *why) for absolute paths and paths that leave the layer. */
static char *clean_path(const char *raw, const char **why)
{
	struct buf b = {0};
	const char *s = raw;

	if (*raw == '/') {
		*why = "absolute path";
		return NULL;
	}
	buf_puts(&b, "");
	while (*s) {
		size_t len = strcspn(s, "/");

		if (len == 2 && s[0] == '.' && s[1] == '.') {
			char *slash;

			if (b.len == 0) {
				*why = "path leaves the layer";
				buf_done(&b);
				return NULL;
			}
			slash = strrchr(b.data, '/');
			b.len = slash ? (size_t)(slash - b.data) : 0;
			b.data[b.len] = '\0';
		} else if (len > 0 && !(len == 1 && s[0] == '.')) {
			if (b.len > 0)
				buf_puts(&b, "/");
			buf_append(&b, s, len);
		}
		s += len;
		s += strspn(s, "/");
	}
	return buf_steal(&b);
}

/* Split a cleaned path into its parent (a new string, "" for the root) and its last component (inside path). */
static char *split_path(const char *path, const char **ret_name)
{
	const char *slash = strrchr(path, '/');

	*ret_name = slash ? slash + 1 : path;
	return slash ? xasprintf("%.*s", (int)(slash - path), path) : xstrdup("");
}

/*
 * Open the directory dir ("" for the root) below the root one component at a
 * time with O_NOFOLLOW: a symlink on the way is refused, never followed. With
 * create, missing directories are made 0755. Returns an O_PATH fd.
 */
static int open_dir(const struct layer_apply *la, const char *dir, bool create, const struct entry *en, const char *ctx,
		    struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(dir);
	_cleanup_close_ int cur = openat(la->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *save = NULL;

	if (cur < 0)
		return entry_fail(err, errno, en, "open the layer root");
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int fd = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;

		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
				return entry_fail(err, errno, en, "%screate directory '%s'", ctx, c);
			/* 0755 whatever the umask */
			if (fchmodat(cur, c, 0755, 0) < 0)
				return entry_fail(err, errno, en, "%schmod directory '%s'", ctx, c);
			fd = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			int e = errno;

			if ((e == ENOTDIR || e == ELOOP) && fstatat(cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return entry_fail(err, 0, en, "%spath crosses symlink '%.*s'", ctx,
						  (int)(c - copy + (ptrdiff_t)strlen(c)), dir);
			return entry_fail(err, e, en, "%sopen directory '%.*s'", ctx,
					  (int)(c - copy + (ptrdiff_t)strlen(c)), dir);
		}
		close(cur);
		cur = fd;
	}
	return TAKE_FD(cur);
}

/* Make room for a new entry at name: remove what is there, except a directory when a directory comes. */
static int make_room(int dirfd, const char *name, bool keep_dir, bool *ret_kept, const struct entry *en,
		     struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	struct stat st;

	*ret_kept = false;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : entry_fail(err, errno, en, "stat");
	if (S_ISDIR(st.st_mode) && keep_dir) {
		*ret_kept = true;
		return 0;
	}
	if (fs_rm_rf_at(dirfd, name, &e) < 0)
		return entry_fail(err, e->code, en, "replace: %s", e->msg);
	return 0;
}

/* ---- metadata ---- */

static int set_owner(const struct layer_apply *la, int dirfd, const char *name, const struct entry *en,
		     struct berth_error **err)
{
	if (fchownat(dirfd, name, en->uid, en->gid, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) == 0)
		return 0;
	if (errno == EPERM && la->opts.ignore_chown_errors)
		return 0;
	return entry_fail(err, errno, en, "chown %u:%u", (unsigned)en->uid, (unsigned)en->gid);
}

/* xattrs of the entry on fd, or on dirfd/name without following a symlink (fd -1). */
static int set_xattrs(const struct layer_apply *la, struct archive_entry *e, int fd, int dirfd, const char *name,
		      const struct entry *en, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	const char *key;
	const void *value;
	size_t size;
	char pbuf[32];

	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	if (fd < 0)
		path = xasprintf("%s/%s", fs_fd_path(dirfd, pbuf, sizeof(pbuf)), name);
	while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
		int r;

		/* overlay's own attributes (redirect, metacopy, opaque) come from whiteouts only */
		if (strncmp(key, "trusted.overlay.", 16) == 0)
			continue;
		r = fd >= 0 ? fsetxattr(fd, key, value, size, 0) : lsetxattr(path, key, value, size, 0);
		if (r == 0)
			continue;
		if (errno == ENOTSUP || (errno == EPERM && la->opts.ignore_chown_errors)) {
			log_warn("layer entry '%s': xattr '%s': %s, ignoring", en->raw, key, strerror(errno));
			continue;
		}
		return entry_fail(err, errno, en, "set xattr '%s'", key);
	}
	return 0;
}

/* Owner, mode (after the owner: chown clears setuid), xattrs and times of a node that is not a directory. */
static int set_meta_at(const struct layer_apply *la, struct archive_entry *e, int dirfd, const char *name, bool is_link,
		       const struct entry *en, struct berth_error **err)
{
	if (set_owner(la, dirfd, name, en, err) < 0)
		return -1;
	/* fchmodat follows symlinks, but name is a node this unpack has just made, and not a symlink */
	if (!is_link && fchmodat(dirfd, name, en->perm, 0) < 0)
		return entry_fail(err, errno, en, "chmod");
	if (set_xattrs(la, e, -1, dirfd, name, en, err) < 0)
		return -1;
	if (utimensat(dirfd, name, en->times, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_fail(err, errno, en, "set times");
	return 0;
}

/* ---- entry types ---- */

static int write_data(struct archive *a, int fd, const struct entry *en, int64_t size, int64_t *unpacked,
		      struct berth_error **err)
{
	int64_t end = 0;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(a, &buf, &len, &off)) != ARCHIVE_EOF) {
		const char *p = buf;

		if (r < ARCHIVE_WARN)
			return entry_fail(err, 0, en, "read: %s", archive_error_string(a));
		/* sparse files come as blocks at offsets, with holes between */
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, p + done, len - done, (off_t)(off + (la_int64_t)done));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return entry_fail(err, errno, en, "write");
			done += (size_t)n;
		}
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
	}
	if (size > end && ftruncate(fd, (off_t)size) < 0)
		return entry_fail(err, errno, en, "truncate");
	*unpacked += size > end ? size : end;
	return 0;
}

static int apply_file(const struct layer_apply *la, struct archive *a, struct archive_entry *e, int dirfd,
		      const struct entry *en, int64_t *unpacked, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;

	/* O_EXCL after make_room: never writes into an inode that another name (a hardlink) shares */
	fd = openat(dirfd, en->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return entry_fail(err, errno, en, "create");
	if (write_data(a, fd, en, archive_entry_size(e), unpacked, err) < 0)
		return -1;
	/* the owner before the mode (chown clears setuid), xattrs after both and after the data
	 * (chown and write drop security.capability) */
	if (fchown(fd, en->uid, en->gid) < 0 && !(errno == EPERM && la->opts.ignore_chown_errors))
		return entry_fail(err, errno, en, "chown %u:%u", (unsigned)en->uid, (unsigned)en->gid);
	if (fchmod(fd, en->perm) < 0)
		return entry_fail(err, errno, en, "chmod");
	if (set_xattrs(la, e, fd, -1, NULL, en, err) < 0)
		return -1;
	if (futimens(fd, en->times) < 0)
		return entry_fail(err, errno, en, "set times");
	return 0;
}

static void add_fixup(struct layer_apply *la, const struct entry *en)
{
	if (la->n_dirs == la->cap_dirs) {
		la->cap_dirs = la->cap_dirs ? la->cap_dirs * 2 : 64;
		la->dirs = realloc(la->dirs, la->cap_dirs * sizeof(*la->dirs));
		if (!la->dirs)
			abort();
	}
	la->dirs[la->n_dirs++] =
		(struct dir_fixup){.path = xstrdup(en->path), .mode = en->perm, .times = {en->times[0], en->times[1]}};
}

/* A directory: kept when one is there (tar semantics), else made; mode and times wait for the end. */
static int apply_dir(struct layer_apply *la, struct archive_entry *e, int dirfd, const struct entry *en,
		     struct berth_error **err)
{
	if (!*en->path) {
		/* "./": the layer root itself */
		if (set_owner(la, la->root, "", en, err) < 0 || set_xattrs(la, e, -1, la->root, ".", en, err) < 0)
			return -1;
	} else {
		if (mkdirat(dirfd, en->name, 0700) < 0 && errno != EEXIST)
			return entry_fail(err, errno, en, "create directory");
		if (set_owner(la, dirfd, en->name, en, err) < 0 || set_xattrs(la, e, -1, dirfd, en->name, en, err) < 0)
			return -1;
	}
	add_fixup(la, en);
	return 0;
}

static int apply_symlink(const struct layer_apply *la, struct archive_entry *e, int dirfd, const struct entry *en,
			 struct berth_error **err)
{
	const char *target = archive_entry_symlink(e);

	/* the target is only text: it may point anywhere, nothing is ever written through it */
	if (!target || !*target)
		return entry_fail(err, 0, en, "symlink without a target");
	if (symlinkat(target, dirfd, en->name) < 0)
		return entry_fail(err, errno, en, "create symlink");
	return set_meta_at(la, e, dirfd, en->name, true, en, err);
}

static int apply_node(const struct layer_apply *la, struct archive_entry *e, int dirfd, mode_t type,
		      const struct entry *en, struct berth_error **err)
{
	dev_t dev = type == S_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));

	if (mknodat(dirfd, en->name, type | 0600, dev) < 0)
		return entry_fail(err, errno, en, "create %s", type == S_IFIFO ? "fifo" : "device");
	return set_meta_at(la, e, dirfd, en->name, false, en, err);
}

/* A hardlink to an earlier entry: its target is cleaned and opened like any path, never through a symlink. */
static int apply_hardlink(const struct layer_apply *la, const char *link, int dirfd, const struct entry *en,
			  struct berth_error **err)
{
	_cleanup_free_ char *target = NULL, *tparent = NULL, *ctx = NULL;
	_cleanup_close_ int tfd = -1;
	const char *tname, *why = NULL;
	struct stat st;

	target = clean_path(link, &why);
	if (!target)
		return entry_fail(err, 0, en, "hardlink target '%s': %s", link, why);
	if (!*target)
		return entry_fail(err, 0, en, "hardlink to the layer root");
	tparent = split_path(target, &tname);
	ctx = xasprintf("hardlink target '%s': ", link);
	tfd = open_dir(la, tparent, false, en, ctx, err);
	if (tfd < 0)
		return -1;
	if (fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return entry_fail(err, errno, en, "hardlink target '%s'", link);
	if (S_ISDIR(st.st_mode))
		return entry_fail(err, 0, en, "hardlink target '%s' is a directory", link);
	/* flags 0: a symlink target is linked itself, never followed */
	if (linkat(tfd, tname, dirfd, en->name, 0) < 0)
		return entry_fail(err, errno, en, "hardlink to '%s'", link);
	return 0;
}

/* ".wh.NAME" hides NAME of lower layers: a 0/0 char device; ".wh..wh..opq" makes its directory opaque. */
static int apply_whiteout(const struct layer_apply *la, const struct entry *en, struct berth_error **err)
{
	_cleanup_close_ int dirfd = -1;
	const char *hidden = en->name + strlen(LAYER_WH_PREFIX);
	bool kept;
	char pbuf[32];

	if (strncmp(en->name, LAYER_WH_META, strlen(LAYER_WH_META)) == 0 && strcmp(en->name, LAYER_WH_OPAQUE) != 0)
		return 0; /* other metadata in a subdirectory */
	if (strcmp(en->name, LAYER_WH_OPAQUE) != 0 &&
	    (!*hidden || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0))
		return entry_fail(err, 0, en, "invalid whiteout");
	dirfd = open_dir(la, en->parent, true, en, "", err);
	if (dirfd < 0)
		return -1;
	if (strcmp(en->name, LAYER_WH_OPAQUE) == 0) {
		/* through /proc/self/fd: the O_PATH fd is the directory itself, no name is resolved */
		if (setxattr(fs_fd_path(dirfd, pbuf, sizeof(pbuf)), LAYER_OPAQUE_XATTR, "y", 1, 0) < 0)
			return entry_fail(err, errno, en, "set '%s'", LAYER_OPAQUE_XATTR);
		return 0;
	}
	if (make_room(dirfd, hidden, false, &kept, en, err) < 0)
		return -1;
	if (mknodat(dirfd, hidden, S_IFCHR | 0, makedev(0, 0)) < 0)
		return entry_fail(err, errno, en, "create whiteout");
	if (set_owner(la, dirfd, hidden, en, err) < 0)
		return -1;
	return 0;
}

/* ---- one entry ---- */

static void entry_done(struct entry *en)
{
	free(en->path);
	free(en->parent);
}

/* Read and check what the entry asks for, before any change. */
static int entry_read(struct archive_entry *e, struct entry *en, const struct layer_apply *la, struct berth_error **err)
{
	const char *why = NULL;
	int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	unsigned type = archive_entry_filetype(e);

	en->raw = archive_entry_pathname(e);
	if (!en->raw)
		return berth_error_set(err, 0, "layer entry without a name");
	en->path = clean_path(en->raw, &why);
	if (!en->path)
		return entry_fail(err, 0, en, "%s", why);
	en->parent = split_path(en->path, &en->name);
	/* (uid_t)-1 would mean "leave unchanged" to chown */
	if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
		return entry_fail(err, 0, en, "invalid owner %lld:%lld", (long long)uid, (long long)gid);
	en->uid = (uid_t)uid;
	en->gid = (gid_t)gid;
	en->perm = archive_entry_perm(e) & 07777;
	en->times[1] = (struct timespec){archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
	en->times[0] = archive_entry_atime_is_set(e)
			       ? (struct timespec){archive_entry_atime(e), archive_entry_atime_nsec(e)}
			       : en->times[1];
	for (int i = 0; i < 2; i++)
		if (en->times[i].tv_nsec < 0 || en->times[i].tv_nsec > 999999999)
			en->times[i].tv_nsec = 0;
	if (!archive_entry_hardlink(e) && (type == AE_IFCHR || type == AE_IFBLK) && !la->opts.allow_devices)
		return entry_fail(err, 0, en, "device nodes are not allowed");
	if (!archive_entry_hardlink(e) && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK &&
	    type != AE_IFCHR && type != AE_IFBLK && type != AE_IFIFO)
		return entry_fail(err, 0, en, "unsupported entry type 0%o", type);
	if (!*en->path && (archive_entry_hardlink(e) || type != AE_IFDIR))
		return entry_fail(err, 0, en, "only a directory may stand for the layer root");
	return 0;
}

static int apply_at(struct layer_apply *la, struct archive *a, struct archive_entry *e, int dirfd,
		    const struct entry *en, int64_t *unpacked, struct berth_error **err)
{
	const char *link = archive_entry_hardlink(e);
	unsigned type = archive_entry_filetype(e);
	bool kept = false;

	if (link) {
		_cleanup_free_ char *target = clean_path(link, &(const char *){NULL});

		/* a link to itself (some writers repeat an entry so): the file is already there */
		if (target && strcmp(target, en->path) == 0)
			return 0;
	}
	if (*en->path && make_room(dirfd, en->name, !link && type == AE_IFDIR, &kept, en, err) < 0)
		return -1;
	if (link)
		return apply_hardlink(la, link, dirfd, en, err);
	switch (type) {
	case AE_IFDIR:
		return apply_dir(la, e, dirfd, en, err);
	case AE_IFREG:
		return apply_file(la, a, e, dirfd, en, unpacked, err);
	case AE_IFLNK:
		return apply_symlink(la, e, dirfd, en, err);
	case AE_IFIFO:
		return apply_node(la, e, dirfd, S_IFIFO, en, err);
	case AE_IFCHR:
		return apply_node(la, e, dirfd, S_IFCHR, en, err);
	default:
		return apply_node(la, e, dirfd, S_IFBLK, en, err);
	}
}

int layer_apply_entry(struct layer_apply *la, struct archive *a, struct archive_entry *e, int64_t *unpacked,
		      struct berth_error **err)
{
	_cleanup_(entry_done) struct entry en = {0};
	_cleanup_close_ int dirfd = -1;

	if (entry_read(e, &en, la, err) < 0)
		return -1;
	/* AUFS metadata (.wh..wh.plnk/…, .wh..wh.aufs): nothing for overlay */
	if (strncmp(en.path, LAYER_WH_META, strlen(LAYER_WH_META)) == 0 && strcmp(en.path, LAYER_WH_OPAQUE) != 0)
		return 0;
	if (strncmp(en.name, LAYER_WH_PREFIX, strlen(LAYER_WH_PREFIX)) == 0)
		return apply_whiteout(la, &en, err);
	dirfd = open_dir(la, en.parent, true, &en, "", err);
	if (dirfd < 0)
		return -1;
	return apply_at(la, a, e, dirfd, &en, unpacked, err);
}

/* ---- the end ---- */

static int fixup_dir(const struct layer_apply *la, const struct dir_fixup *d, struct berth_error **err)
{
	const struct entry en = {.raw = d->path};
	_cleanup_free_ char *parent = NULL, *proc = NULL;
	_cleanup_error_ struct berth_error *e = NULL;
	_cleanup_close_ int dirfd = -1, fd = -1;
	const char *name;
	char pbuf[32];

	parent = split_path(d->path, &name);
	dirfd = open_dir(la, parent, false, &en, "", &e);
	if (dirfd < 0)
		return 0; /* removed or replaced by a later entry */
	fd = *name ? openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : TAKE_FD(dirfd);
	if (fd < 0)
		return 0;
	/* through the fd's /proc link: the directory itself, whatever its name now resolves to */
	proc = xstrdup(fs_fd_path(fd, pbuf, sizeof(pbuf)));
	if (chmod(proc, d->mode) < 0)
		return entry_fail(err, errno, &en, "chmod");
	if (utimensat(AT_FDCWD, proc, d->times, 0) < 0)
		return entry_fail(err, errno, &en, "set times");
	return 0;
}

int layer_apply_finish(struct layer_apply *la, struct berth_error **err)
{
	/* in entry order: a directory listed twice gets what its last entry says */
	for (size_t i = 0; i < la->n_dirs; i++)
		if (fixup_dir(la, &la->dirs[i], err) < 0)
			return -1;
	return 0;
}
