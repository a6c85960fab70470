/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fs_open_in_root: open a path inside a root directory without ever leaving it
 * (CVE-2019-16884, CVE-2021-30465 class: mount targets redirected by symlinks).
 * openat2(RESOLVE_IN_ROOT) where the kernel has it, else a component walk.
 */
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/strv.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define MAX_SYMLINKS 40 /* as the kernel's MAXSYMLINKS */
#define MAX_EAGAIN 64

/* ---- openat2 ---- */

/* Through syscall(3), so that the test shim's ENOSYS override reaches it. */
static int openat2_in_root(int rootfd, const char *path, int open_flags)
{
	/* openat2 refuses a mode without O_CREAT; O_TMPFILE includes the O_DIRECTORY bit */
	struct open_how how = {
		.flags = (uint64_t)(unsigned)(open_flags | O_CLOEXEC),
		.mode = (open_flags & O_CREAT) || (open_flags & O_TMPFILE) == O_TMPFILE ? 0644 : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!*path)
		path = ".";
	/* EAGAIN: a concurrent rename or mount while resolving ".."; the kernel asks for a retry */
	for (int i = 0; i < MAX_EAGAIN; i++) {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

/* openat2 missing (ENOSYS), or too old for these resolve flags or open flags (EINVAL, E2BIG). */
static bool openat2_unusable(int e)
{
	return e == ENOSYS || e == EINVAL || e == E2BIG;
}

/* Split path into a parent part (kept verbatim, "" for the root) and its last component. */
static void split_last(const char *path, char **ret_parent, char **ret_last)
{
	size_t end = strlen(path), start;

	while (end > 0 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*ret_parent = xasprintf("%.*s", (int)start, path);
	*ret_last = xasprintf("%.*s", (int)(end - start), path + start);
}

/* Create name in dirfd: an empty file with MKFILE, else a directory. An existing entry is fine. */
static int create_at(int dirfd, const char *name, int flags)
{
	int fd;

	if (!(flags & FS_IN_ROOT_MKFILE))
		return mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST ? -1 : 0;
	/* O_EXCL|O_NOFOLLOW: an existing entry, symlink or not, is left alone and resolved later */
	fd = openat(dirfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno != EEXIST ? -1 : 0;
}

static bool is_dot_or_dotdot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/*
 * Open with openat2, creating what is missing: the parent is resolved (and
 * created, with MKDIR) in the root, the last component is created relative to
 * the parent's fd, then the whole path is resolved in the root again. A
 * dangling symlink as last component is followed by hand, within the root.
 * Returns -1 with errno; openat2_unusable(errno) means: use the walk.
 */
static int openat2_create(int rootfd, const char *path, int open_flags, int flags, int *links)
{
	_cleanup_free_ char *parent = NULL, *last = NULL, *next = NULL;
	_cleanup_close_ int pfd = -1;
	char target[PATH_MAX];
	int fd, pflags = flags & FS_IN_ROOT_MKDIR;
	ssize_t n;

	fd = openat2_in_root(rootfd, path, open_flags);
	if (fd >= 0 || errno != ENOENT || !(flags & (FS_IN_ROOT_MKDIR | FS_IN_ROOT_MKFILE)))
		return fd;
	split_last(path, &parent, &last);
	if (pflags && *parent)
		pfd = openat2_create(rootfd, parent, O_PATH | O_DIRECTORY, pflags, links);
	else
		pfd = openat2_in_root(rootfd, parent, O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return -1;
	if (*last && !is_dot_or_dotdot(last) && create_at(pfd, last, flags) < 0)
		return -1;
	fd = openat2_in_root(rootfd, path, open_flags);
	if (fd >= 0 || errno != ENOENT || !*last || is_dot_or_dotdot(last))
		return fd;
	/* still missing: the last component is a dangling symlink; create its target in the root */
	n = readlinkat(pfd, last, target, sizeof(target) - 1);
	if (n <= 0) {
		errno = ENOENT;
		return -1;
	}
	if (++*links > MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	target[n] = '\0';
	next = target[0] == '/' ? xstrdup(target) : xasprintf("%s%s", parent, target);
	return openat2_create(rootfd, next, open_flags, flags, links);
}

/* ---- component walk, for kernels without openat2 ---- */

struct walk {
	int root;	 /* the root, not owned */
	int cur;	 /* owned fd of the current directory; -1 means the root */
	struct buf done; /* components walked from the root, "/a/b", to redo ".." without the kernel */
	char *rest;	 /* what is left to resolve */
	size_t pos;	 /* read position in rest */
	int links;	 /* symlinks followed */
	int open_flags;	 /* for the last component */
	int flags;	 /* FS_IN_ROOT_* */
};

static int walk_fd(const struct walk *w)
{
	return w->cur >= 0 ? w->cur : w->root;
}

static void walk_set_cur(struct walk *w, int fd)
{
	if (w->cur >= 0)
		close(w->cur);
	w->cur = fd;
}

/* Copy the component starting at s (up to '/' or the end) into name. NULL when too long. */
static const char *copy_name(const char *s, char name[NAME_MAX + 1])
{
	const char *end = strchrnul(s, '/');
	size_t len = (size_t)(end - s);

	if (len > NAME_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(name, s, len);
	name[len] = '\0';
	return end;
}

/* ".." at the root stays there; elsewhere reopen the parent by name from the root, never the kernel's "..". */
static int walk_dotdot(struct walk *w)
{
	char name[NAME_MAX + 1];
	const char *s;

	if (w->done.len == 0)
		return 0;
	w->done.len = (size_t)(strrchr(w->done.data, '/') - w->done.data);
	w->done.data[w->done.len] = '\0';
	walk_set_cur(w, -1);
	for (s = w->done.data; *s;) {
		int fd;

		s = copy_name(s + 1, name);
		if (!s)
			return -1;
		/* each was a directory a moment ago; a symlink now means a race: ELOOP/ENOTDIR */
		fd = openat(walk_fd(w), name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		walk_set_cur(w, fd);
	}
	return 0;
}

/* Replace the component just read with the target of the symlink linkfd. */
static int walk_splice(struct walk *w, int linkfd)
{
	char target[PATH_MAX];
	char *rest;
	ssize_t n;

	if (++w->links > MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	n = readlinkat(linkfd, "", target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = ENOENT;
		return -1;
	}
	target[n] = '\0';
	rest = xasprintf("%s%s", target, w->rest + w->pos);
	free(w->rest);
	w->rest = rest;
	w->pos = 0;
	/* absolute targets restart at the root; magic links ("pipe:[1]", "/proc/...") are only text here */
	if (target[0] == '/') {
		walk_set_cur(w, -1);
		w->done.len = 0;
		if (w->done.data)
			w->done.data[0] = '\0';
	}
	return 0;
}

/* Open a component in the current directory with O_PATH|O_NOFOLLOW, creating it when asked. */
static int walk_open_component(struct walk *w, const char *name, bool last)
{
	int fd;

	if (last && (w->flags & (FS_IN_ROOT_MKDIR | FS_IN_ROOT_MKFILE)) && create_at(walk_fd(w), name, w->flags) < 0)
		return -1;
	fd = openat(walk_fd(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || last || !(w->flags & FS_IN_ROOT_MKDIR))
		return fd;
	if (mkdirat(walk_fd(w), name, 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(walk_fd(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* The last component, known not to be a symlink to follow: open it with the caller's flags. */
static int walk_open_last(struct walk *w, const char *name, bool trailing_slash)
{
	int oflags = w->open_flags | O_NOFOLLOW | O_CLOEXEC | (trailing_slash ? O_DIRECTORY : 0);
	struct stat st;
	int fd;

	fd = openat(walk_fd(w), name, oflags, 0644);
	if (fd < 0 || !(oflags & O_PATH) || (w->open_flags & O_NOFOLLOW))
		return fd;
	/* O_PATH|O_NOFOLLOW would open a symlink swapped in since the check: refuse it */
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

/* Handle a resolved non-dot component: follow a symlink, descend, or open the last one. */
static int walk_step(struct walk *w, const char *name, bool last, bool trailing, int *ret_fd)
{
	struct stat st;
	int fd, r;

	fd = walk_open_component(w, name, last);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISLNK(st.st_mode) && (!last || trailing || !(w->open_flags & O_NOFOLLOW))) {
		r = walk_splice(w, fd);
		close(fd);
		return r;
	}
	if (last) {
		close(fd);
		*ret_fd = walk_open_last(w, name, trailing);
		return *ret_fd < 0 ? -1 : 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	walk_set_cur(w, fd);
	buf_printf(&w->done, "/%s", name);
	return 0;
fail:
	r = errno;
	close(fd);
	errno = r;
	return -1;
}

static int walk_run(struct walk *w)
{
	char name[NAME_MAX + 1];
	int fd = -1;

	while (fd < 0) {
		const char *s = w->rest + w->pos, *end;
		bool last, trailing;

		s += strspn(s, "/");
		if (!*s)
			break;
		end = copy_name(s, name);
		if (!end)
			return -1;
		w->pos = (size_t)(end - w->rest);
		trailing = *end == '/';
		last = !end[strspn(end, "/")];
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			if (walk_dotdot(w) < 0)
				return -1;
			continue;
		}
		if (walk_step(w, name, last, trailing, &fd) < 0)
			return -1;
	}
	if (fd >= 0)
		return fd;
	/* nothing left: "", "/", or a path ending in "." or "..": the current directory itself */
	return openat(walk_fd(w), ".", (w->open_flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
}

static int walk_open(int rootfd, const char *path, int open_flags, int flags)
{
	struct walk w = {.root = rootfd, .cur = -1, .open_flags = open_flags, .flags = flags};
	int fd, saved;

	w.rest = xstrdup(path);
	fd = walk_run(&w);
	saved = errno;
	walk_set_cur(&w, -1);
	buf_done(&w.done);
	free(w.rest);
	errno = saved;
	return fd;
}

int fs_open_in_root(int rootfd, const char *path, int open_flags, int flags, struct berth_error **err)
{
	int fd, links = 0;

	if (flags & FS_IN_ROOT_NOFOLLOW_LAST)
		open_flags |= O_NOFOLLOW;
	fd = openat2_create(rootfd, path, open_flags, flags, &links);
	if (fd < 0 && openat2_unusable(errno))
		fd = walk_open(rootfd, path, open_flags, flags);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s' in root", path);
	return fd;
}
