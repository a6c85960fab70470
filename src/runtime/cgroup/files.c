/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cgroup file and directory primitives: read and write knobs, mkdir -p that
 * remembers what it made, rmdir of a cgroup tree, and cgroup.procs listing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

int cg_read_path(const char *path, char **ret, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	struct buf b = {0};
	char chunk[4096];
	ssize_t k;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	while ((k = read(fd, chunk, sizeof(chunk))) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			buf_done(&b);
			return berth_error_set(err, errno, "read '%s'", path);
		}
		buf_append(&b, chunk, (size_t)k);
	}
	if (!b.data)
		buf_puts(&b, "");
	*ret = buf_steal(&b);
	return 0;
}

int cg_read(const char *dir, const char *file, char **ret, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	char *s = NULL;
	size_t len;

	if (cg_read_path(path, &s, err) < 0)
		return -1;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '\n')
		s[len - 1] = '\0';
	*ret = s;
	return 0;
}

int cg_write(const char *dir, const char *file, const char *value, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t k;

	/* no O_CREAT: a missing knob means a missing controller, as on the real cgroupfs */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", path);
	/* cgroup knobs take one write(2); a short write is an error */
	k = write(fd, value, len);
	if (k < 0)
		return berth_error_set(err, errno, "write '%s' to '%s'", value, path);
	if ((size_t)k != len)
		return berth_error_set(err, EIO, "write '%s' to '%s'", value, path);
	return 0;
}

char *cg_path_clean(const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char **parts = NULL;
	struct buf b = {0};
	char *save = NULL;
	size_t n = 0;

	parts = xcalloc(strlen(path) / 2 + 2, sizeof(char *));
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		parts[n++] = c;
	}
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "/%s", parts[i]);
	if (n == 0)
		buf_puts(&b, "/");
	free(parts);
	return buf_steal(&b);
}

int cg_mkdir_p(const char *dir, char **ret_created_top, struct berth_error **err)
{
	_cleanup_free_ char *p = NULL;
	char *top = NULL;

	/* the common case first: only the leaf is missing (one syscall instead of one per level) */
	if (mkdir(dir, 0755) == 0) {
		*ret_created_top = xstrdup(dir);
		return 0;
	}
	if (errno == EEXIST) {
		*ret_created_top = NULL;
		return 0;
	}
	if (errno != ENOENT)
		return berth_error_set(err, errno, "create cgroup '%s'", dir);
	p = xstrdup(dir);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			if (!top)
				top = xstrdup(p);
		} else if (errno != EEXIST) {
			int e = errno;
			if (top)
				(void)cg_rmdir_tree(top, NULL);
			free(top);
			return berth_error_set(err, e, "create cgroup '%s'", p);
		}
		*s = c;
		if (c == '\0')
			break;
	}
	*ret_created_top = top;
	return 0;
}

/* rmdir, retrying for about 100 ms while the kernel still counts exiting tasks (EBUSY). */
static int rmdir_retry(const char *dir)
{
	const struct timespec nap = {0, 10 * 1000 * 1000};

	for (int i = 0;; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || i == 10)
			return -1;
		nanosleep(&nap, NULL);
	}
}

int cg_rmdir_tree(const char *dir, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return berth_error_set(err, errno, "open cgroup '%s'", dir);
	}
	/* sub-cgroups first: rmdir of a cgroup fails while it has children */
	while ((e = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", dir, e->d_name);
		if (cg_rmdir_tree(sub, err) < 0)
			return -1;
	}
	if (rmdir_retry(dir) < 0)
		return berth_error_set(err, errno, "remove cgroup '%s'", dir);
	return 0;
}

static void pids_push(pid_t **v, size_t *n, pid_t pid)
{
	if ((*n & (*n - 1)) == 0) {
		*v = realloc(*v, (*n ? *n * 2 : 1) * sizeof(pid_t));
		if (!*v)
			abort();
	}
	(*v)[(*n)++] = pid;
}

int cg_read_pids_tree(const char *dir, pid_t **v, size_t *n, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *procs = NULL;
	struct berth_error *e = NULL;
	struct dirent *de;
	char *save = NULL;

	if (cg_read(dir, "cgroup.procs", &procs, &e) < 0) {
		/* a cgroup removed meanwhile has no processes */
		if (e->code == ENOENT) {
			berth_error_free(&e);
			return 0;
		}
		return berth_error_move(err, &e);
	}
	for (char *l = strtok_r(procs, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *end = NULL;
		long pid = strtol(l, &end, 10);

		if (end != l && *end == '\0' && pid > 0)
			pids_push(v, n, (pid_t)pid);
	}
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "open cgroup '%s'", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (cg_read_pids_tree(sub, v, n, err) < 0)
			return -1;
	}
	return 0;
}
