/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layer tar entries onto a directory: paths cleaned and refused when they
 * leave the layer, parents opened one component at a time without ever
 * following a symlink (the last one kept open for the entries that follow in
 * it), whiteouts turned into OverlayFS's form.
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
	/*
	 * The last entry's parent directory and the ones above it, open: the
	 * next entry walks only from where its parent's path leaves this one.
	 */
	char *cache_path; /* cleaned, NULL when empty */
	int *cache_fds;	  /* O_PATH; [i]: the first i+1 components of cache_path */
	size_t n_cache, cap_cache;
	bool cache_stale; /* cache_path or one above it was changed: drop the cache after this entry */
	/*
	 * A node this unpack makes is owned by uid:gid and gets the mode it is
	 * created with less the umask: no setgid directory passes its group on,
	 * no default ACL changes the mode (until an entry sets one).
	 */
	bool exact_create;
	uid_t uid;
	gid_t gid;
	mode_t umask;
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

/* The umask, read without changing it (umask(2) would race with other threads' creates). */
static bool read_umask(mode_t *ret)
{
	_cleanup_free_ char *status = NULL;
	const char *line;
	char *end;
	unsigned long v;

	if (fs_read_file_at(AT_FDCWD, "/proc/self/status", &status, NULL, NULL) < 0)
		return false;
	line = strstr(status, "\nUmask:");
	if (!line)
		return false;
	v = strtoul(line + strlen("\nUmask:"), &end, 8);
	if (end == line + strlen("\nUmask:") || v > 0777)
		return false;
	*ret = (mode_t)v;
	return true;
}

/* Whether nodes made under dir are owned by our fsuid:fsgid with their mode less the umask. */
static bool creates_exactly(int dir, mode_t *ret_umask)
{
	struct stat st;
	char pbuf[32];

	if (fstat(dir, &st) < 0 || (st.st_mode & S_ISGID))
		return false;
	/* a default ACL replaces the umask and masks the mode */
	if (getxattr(fs_fd_path(dir, pbuf, sizeof(pbuf)), "system.posix_acl_default", NULL, 0) >= 0 ||
	    (errno != ENODATA && errno != ENOTSUP))
		return false;
	return read_umask(ret_umask);
}

struct layer_apply *layer_apply_new(int dest_dirfd, const struct img_unpack_opts *opts)
{
	struct layer_apply *la = xcalloc(1, sizeof(*la));

	la->root = dest_dirfd;
	la->opts = *opts;
	la->exact_create = creates_exactly(dest_dirfd, &la->umask);
	la->uid = geteuid();
	la->gid = getegid();
	return la;
}

/* Keep the first n directories of the cache (its path is set again by the caller). */
static void cache_truncate(struct layer_apply *la, size_t n)
{
	while (la->n_cache > n)
		close(la->cache_fds[--la->n_cache]);
}

static void cache_drop(struct layer_apply *la)
{
	cache_truncate(la, 0);
	free(la->cache_path);
	la->cache_path = NULL;
	la->cache_stale = false;
}

static void cache_push(struct layer_apply *la, int fd)
{
	if (la->n_cache == la->cap_cache) {
		la->cap_cache = la->cap_cache ? la->cap_cache * 2 : 16;
		la->cache_fds = realloc(la->cache_fds, la->cap_cache * sizeof(*la->cache_fds));
		if (!la->cache_fds)
			abort();
	}
	la->cache_fds[la->n_cache++] = fd;
}

/* After path was removed or replaced: the cache goes when path is its directory or above it. */
static void cache_changed(struct layer_apply *la, const char *path)
{
	size_t n = strlen(path);

	if (la->cache_path && (n == 0 || (strncmp(la->cache_path, path, n) == 0 &&
					  (la->cache_path[n] == '\0' || la->cache_path[n] == '/'))))
		la->cache_stale = true;
}

void layer_apply_free(struct layer_apply *la)
{
	if (!la)
		return;
	cache_drop(la);
	free(la->cache_fds);
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
 * Open component c (inside copy, a copy of dir) under the directory at,
 * with O_NOFOLLOW: a symlink is refused, never followed. With create, a
 * missing directory is made 0755. Returns an O_PATH fd.
 */
static int walk_step(const struct layer_apply *la, int at, const char *dir, const char *copy, const char *c,
		     bool create, const struct entry *en, const char *ctx, struct berth_error **err)
{
	int fd = openat(at, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), e;
	struct stat st;

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(at, c, 0755) < 0 && errno != EEXIST)
			return entry_fail(err, errno, en, "%screate directory '%s'", ctx, c);
		/* 0755 whatever the umask */
		if ((!la->exact_create || (0755 & la->umask)) && fchmodat(at, c, 0755, 0) < 0)
			return entry_fail(err, errno, en, "%schmod directory '%s'", ctx, c);
		fd = openat(at, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0)
		return fd;
	e = errno;
	if ((e == ENOTDIR || e == ELOOP) && fstatat(at, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return entry_fail(err, 0, en, "%spath crosses symlink '%.*s'", ctx,
				  (int)(c - copy + (ptrdiff_t)strlen(c)), dir);
	return entry_fail(err, e, en, "%sopen directory '%.*s'", ctx, (int)(c - copy + (ptrdiff_t)strlen(c)), dir);
}

/* Open the directory dir ("" for the root) from the root, one component at a time. Returns an O_PATH fd. */
static int open_dir(const struct layer_apply *la, const char *dir, bool create, const struct entry *en, const char *ctx,
		    struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(dir);
	_cleanup_close_ int cur = -1;
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int fd = walk_step(la, cur >= 0 ? cur : la->root, dir, copy, c, create, en, ctx, err);

		if (fd < 0)
			return -1;
		if (cur >= 0)
			close(cur);
		cur = fd;
	}
	if (cur < 0 && (cur = openat(la->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return entry_fail(err, errno, en, "open the layer root");
	return TAKE_FD(cur);
}

/* How many leading components the cleaned paths a and b share; *ret_len: their length in a. */
static size_t shared_components(const char *a, const char *b, size_t *ret_len)
{
	size_t k = 0;

	*ret_len = 0;
	if (!*a || !*b)
		return 0;
	for (size_t i = 0;; i++) {
		bool end_a = a[i] == '\0' || a[i] == '/', end_b = b[i] == '\0' || b[i] == '/';

		if (end_a && end_b) {
			k++;
			*ret_len = i;
			if (!a[i] || !b[i])
				return k;
		} else if (end_a || end_b || a[i] != b[i]) {
			return k;
		}
	}
}

/*
 * The directory dir, made as needed with create, walked from the deepest
 * directory of the cache on its path (or the root); it becomes the cache.
 * Borrowed: valid until the next entry.
 */
static int cache_walk(struct layer_apply *la, const char *dir, bool create, const struct entry *en,
		      struct berth_error **err)
{
	_cleanup_free_ char *copy = NULL;
	size_t len, k = shared_components(dir, la->cache_path ? la->cache_path : "", &len);
	char *save = NULL;

	if (!la->cache_path || k < la->n_cache || dir[len]) {
		cache_truncate(la, k);
		free(la->cache_path);
		la->cache_path = NULL;
		copy = xstrdup(dir);
		for (char *c = strtok_r(copy + len, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
			int at = la->n_cache ? la->cache_fds[la->n_cache - 1] : la->root;
			int fd = walk_step(la, at, dir, copy, c, create, en, "", err);

			if (fd < 0) {
				cache_drop(la);
				return -1;
			}
			cache_push(la, fd);
		}
		la->cache_path = xstrdup(dir);
	}
	return la->n_cache ? la->cache_fds[la->n_cache - 1] : la->root;
}

/* The entry's parent directory, made as needed; borrowed. */
static int parent_dir(struct layer_apply *la, const struct entry *en, struct berth_error **err)
{
	return cache_walk(la, en->parent, true, en, err);
}

/*
 * Make room for a new entry at name (path, from the root, for the cache):
 * remove what is there, except a directory when a directory comes.
 */
static int make_room(struct layer_apply *la, int dirfd, const char *name, const char *path, bool keep_dir,
		     bool *ret_kept, const struct entry *en, struct berth_error **err)
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
	cache_changed(la, path);
	if (fs_rm_rf_at(dirfd, name, &e) < 0)
		return entry_fail(err, e->code, en, "replace: %s", e->msg);
	return 0;
}

/* Whether a node this unpack has just made already has the entry's owner. */
static bool owned_as_made(const struct layer_apply *la, const struct entry *en)
{
	return la->exact_create && en->uid == la->uid && en->gid == la->gid;
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
static int set_xattrs(struct layer_apply *la, struct archive_entry *e, int fd, int dirfd, const char *name,
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
		/* nodes made below a directory with a default ACL get their modes from it */
		if (strcmp(key, "system.posix_acl_default") == 0)
			la->exact_create = false;
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

/*
 * Owner, mode (after the owner: chown clears setuid), xattrs and times of a
 * node this unpack has just made that is not a directory.
 */
static int set_meta_at(struct layer_apply *la, struct archive_entry *e, int dirfd, const char *name, bool is_link,
		       const struct entry *en, struct berth_error **err)
{
	if (!owned_as_made(la, en) && set_owner(la, dirfd, name, en, err) < 0)
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

/* A node to make: its type, the permission bits it is made with and what the type needs. */
struct node {
	mode_t type; /* S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR or S_IFBLK */
	mode_t mode;
	const char *target; /* S_IFLNK */
	dev_t dev;	    /* S_IFCHR, S_IFBLK */
};

/* Make n at name: an fd (write only) for a regular file, else 0; -1 with errno. */
static int node_make(int dirfd, const char *name, const struct node *n)
{
	switch (n->type) {
	case S_IFREG:
		/* O_EXCL: never writes into an inode that another name (a hardlink) shares */
		return openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, n->mode);
	case S_IFDIR:
		return mkdirat(dirfd, name, n->mode);
	case S_IFLNK:
		return symlinkat(n->target, dirfd, name);
	default:
		return mknodat(dirfd, name, n->type | n->mode, n->dev);
	}
}

/*
 * Make n at name (path from the root): tried first, so the common case
 * needs no stat; when something is there (EEXIST) it is removed, or kept
 * when both are directories (*ret_kept), and n made again. Returns what
 * node_make does; what names the node in errors ("create what").
 */
static int make_node(struct layer_apply *la, int dirfd, const char *name, const char *path, const struct node *n,
		     bool *ret_kept, const struct entry *en, const char *what, struct berth_error **err)
{
	int r = node_make(dirfd, name, n);

	*ret_kept = false;
	if (r < 0 && errno == EEXIST) {
		if (make_room(la, dirfd, name, path, n->type == S_IFDIR, ret_kept, en, err) < 0)
			return -1;
		if (*ret_kept)
			return 0;
		r = node_make(dirfd, name, n);
	}
	if (r < 0)
		return entry_fail(err, errno, en, "create%s%s", *what ? " " : "", what);
	return r;
}

static int apply_file(struct layer_apply *la, struct archive *a, struct archive_entry *e, int dirfd,
		      const struct entry *en, int64_t *unpacked, struct berth_error **err)
{
	/* made with its mode when no chown follows (it clears setuid) and the umask takes nothing off */
	bool owned = owned_as_made(la, en), exact = owned && !(en->perm & (S_ISUID | S_ISGID | la->umask));
	const struct node n = {.type = S_IFREG, .mode = exact ? en->perm : 0600};
	_cleanup_close_ int fd = -1;
	bool kept;

	fd = make_node(la, dirfd, en->name, en->path, &n, &kept, en, "", err);
	if (fd < 0)
		return -1;
	if (write_data(a, fd, en, archive_entry_size(e), unpacked, err) < 0)
		return -1;
	/* the owner before the mode (chown clears setuid), xattrs after both and after the data
	 * (chown and write drop security.capability) */
	if (!owned && fchown(fd, en->uid, en->gid) < 0 && !(errno == EPERM && la->opts.ignore_chown_errors))
		return entry_fail(err, errno, en, "chown %u:%u", (unsigned)en->uid, (unsigned)en->gid);
	if (!exact && fchmod(fd, en->perm) < 0)
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
		const struct node n = {.type = S_IFDIR, .mode = 0700};
		bool kept;

		if (make_node(la, dirfd, en->name, en->path, &n, &kept, en, "directory", err) < 0)
			return -1;
		/* a directory kept from an earlier entry may have another owner */
		if ((kept || !owned_as_made(la, en)) && set_owner(la, dirfd, en->name, en, err) < 0)
			return -1;
		if (set_xattrs(la, e, -1, dirfd, en->name, en, err) < 0)
			return -1;
	}
	add_fixup(la, en);
	return 0;
}

static int apply_symlink(struct layer_apply *la, struct archive_entry *e, int dirfd, const struct entry *en,
			 struct berth_error **err)
{
	const struct node n = {.type = S_IFLNK, .target = archive_entry_symlink(e)};
	bool kept;

	/* the target is only text: it may point anywhere, nothing is ever written through it */
	if (!n.target || !*n.target)
		return entry_fail(err, 0, en, "symlink without a target");
	if (make_node(la, dirfd, en->name, en->path, &n, &kept, en, "symlink", err) < 0)
		return -1;
	cache_changed(la, en->path);
	return set_meta_at(la, e, dirfd, en->name, true, en, err);
}

static int apply_node(struct layer_apply *la, struct archive_entry *e, int dirfd, mode_t type, const struct entry *en,
		      struct berth_error **err)
{
	const struct node n = {
		.type = type,
		.mode = 0600,
		.dev = type == S_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e)),
	};
	bool kept;

	if (make_node(la, dirfd, en->name, en->path, &n, &kept, en, type == S_IFIFO ? "fifo" : "device", err) < 0)
		return -1;
	return set_meta_at(la, e, dirfd, en->name, false, en, err);
}

/* A hardlink to an earlier entry: its target is cleaned and opened like any path, never through a symlink. */
static int apply_hardlink(struct layer_apply *la, const char *link, int dirfd, const struct entry *en,
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
static int apply_whiteout(struct layer_apply *la, const struct entry *en, struct berth_error **err)
{
	const struct node n = {.type = S_IFCHR, .mode = 0, .dev = makedev(0, 0)};
	const char *hidden = en->name + strlen(LAYER_WH_PREFIX);
	_cleanup_free_ char *path = NULL;
	bool kept;
	char pbuf[32];
	int dirfd;

	if (strncmp(en->name, LAYER_WH_META, strlen(LAYER_WH_META)) == 0 && strcmp(en->name, LAYER_WH_OPAQUE) != 0)
		return 0; /* other metadata in a subdirectory */
	if (strcmp(en->name, LAYER_WH_OPAQUE) != 0 &&
	    (!*hidden || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0))
		return entry_fail(err, 0, en, "invalid whiteout");
	dirfd = parent_dir(la, en, err);
	if (dirfd < 0)
		return -1;
	if (strcmp(en->name, LAYER_WH_OPAQUE) == 0) {
		/* through /proc/self/fd: the O_PATH fd is the directory itself, no name is resolved */
		if (setxattr(fs_fd_path(dirfd, pbuf, sizeof(pbuf)), LAYER_OPAQUE_XATTR, "y", 1, 0) < 0)
			return entry_fail(err, errno, en, "set '%s'", LAYER_OPAQUE_XATTR);
		return 0;
	}
	path = *en->parent ? xasprintf("%s/%s", en->parent, hidden) : xstrdup(hidden);
	if (make_node(la, dirfd, hidden, path, &n, &kept, en, "whiteout", err) < 0)
		return -1;
	if (!owned_as_made(la, en) && set_owner(la, dirfd, hidden, en, err) < 0)
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
	bool kept = false;

	if (link) {
		_cleanup_free_ char *target = clean_path(link, &(const char *){NULL});

		/* a link to itself (some writers repeat an entry so): the file is already there */
		if (target && strcmp(target, en->path) == 0)
			return 0;
		/* room first: the target is checked against the tree as the link will see it */
		if (*en->path && make_room(la, dirfd, en->name, en->path, false, &kept, en, err) < 0)
			return -1;
		return apply_hardlink(la, link, dirfd, en, err);
	}
	/* the others make room only when their create finds something there */
	switch (archive_entry_filetype(e)) {
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
	int dirfd, rc;

	if (entry_read(e, &en, la, err) < 0)
		return -1;
	/* AUFS metadata (.wh..wh.plnk/…, .wh..wh.aufs): nothing for overlay */
	if (strncmp(en.path, LAYER_WH_META, strlen(LAYER_WH_META)) == 0 && strcmp(en.path, LAYER_WH_OPAQUE) != 0)
		return 0;
	if (strncmp(en.name, LAYER_WH_PREFIX, strlen(LAYER_WH_PREFIX)) == 0) {
		rc = apply_whiteout(la, &en, err);
	} else {
		dirfd = parent_dir(la, &en, err);
		rc = dirfd < 0 ? -1 : apply_at(la, a, e, dirfd, &en, unpacked, err);
	}
	/*
	 * An entry changes names in its parent only, so the cache (that parent)
	 * stays good; should an entry ever change the cached path or one above
	 * it, the cache goes here, once the entry no longer uses its fd.
	 */
	if (la->cache_stale || rc < 0)
		cache_drop(la);
	return rc;
}

/* ---- the end ---- */

static int fixup_dir(struct layer_apply *la, const struct dir_fixup *d, struct berth_error **err)
{
	const struct entry en = {.raw = d->path};
	_cleanup_error_ struct berth_error *e = NULL;
	_cleanup_free_ char *proc = NULL;
	char pbuf[32];
	int fd;

	/* without following a symlink, as the entries were made; the fixups come in entry order, so the cache serves */
	fd = cache_walk(la, d->path, false, &en, &e);
	if (fd < 0)
		return 0; /* removed or replaced by a later entry */
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
