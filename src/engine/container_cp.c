/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker cp and docker export: a tar of a path inside one root, streamed by a
 * writer thread into the extraction in another (or to a caller's fd), with
 * Docker's path rules (cp_plan.c) and messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"
#include "image/image.h"

struct writer {
	int root_fd;
	const char *path, *name;
	bool follow;
	int out_fd;
	struct berth_error *err;
	int rc;
};

static void *writer_main(void *p)
{
	struct writer *w = p;
	sigset_t set;

	/* the reader may stop early: EPIPE for this thread, not a signal for the process */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	w->rc = cp_tar_write(w->root_fd, w->path, w->name, w->follow, w->out_fd, &w->err);
	close(w->out_fd);
	return NULL;
}

/* Tar path (inside src_root, entries called name) and extract it into dst_dir_fd. */
static int copy_stream(int src_root, const char *path, const char *name, bool follow, int dst_dir_fd,
		       const struct cp_untar_opts *uo, struct berth_error **err)
{
	int p[2];
	pthread_t t;
	struct writer w = {.root_fd = src_root, .path = path, .name = name, .follow = follow};
	int r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "pipe");
	w.out_fd = p[1];
	if (pthread_create(&t, NULL, writer_main, &w) != 0) {
		close(p[0]);
		close(p[1]);
		return berth_error_set(err, EAGAIN, "start the copy");
	}
	r = cp_untar(p[0], dst_dir_fd, uo, err);
	close(p[0]);
	pthread_join(t, NULL);
	if (w.rc < 0) {
		/* the reader's own error is the cause, unless it only saw the stream end early */
		if (r == 0 || !err || !*err || !strncmp((*err)->msg, "read ", 5))
			berth_error_move(err, &w.err);
		berth_error_free(&w.err);
		return -1;
	}
	return r;
}

/* An absolute host path for p (relative to the working directory). */
static char *host_abs(const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

/* Stat path inside root (following a last symlink when follow): *exists and *is_dir. */
static int stat_in_root(int root, const char *path, bool follow, bool *exists, bool *is_dir, struct berth_error **err)
{
	_cleanup_close_ int fd = fs_open_in_root(root, path, O_PATH, follow ? 0 : FS_IN_ROOT_NOFOLLOW_LAST, err);
	struct stat st;

	*exists = *is_dir = false;
	if (fd < 0) {
		if (err && *err && (*err)->code == ENOENT) {
			berth_error_free(err);
			return 0;
		}
		return -1;
	}
	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat '%s'", path);
	*exists = true;
	*is_dir = S_ISDIR(st.st_mode);
	return 0;
}

/* The base name entries of a copy of src get ("/" has none: its contents). */
static char *src_name(const char *src)
{
	_cleanup_free_ char *dir = NULL;
	char *base = NULL;

	eng_cp_split(src, &dir, &base);
	if (!strcmp(base, "/")) {
		free(base);
		base = xstrdup(".");
	}
	return base;
}

/* Open the plan's directory inside root and extract a tar of src there. */
static int copy_planned(int src_root, const char *src, bool src_is_dir, bool follow, int dst_root,
			const struct eng_cp_dest *dst, bool keep_owner, const char *ctr, struct berth_error **err)
{
	_cleanup_free_ char *name = src_name(src);
	struct eng_cp_plan plan = {0};
	_cleanup_close_ int dfd = -1;
	struct cp_untar_opts uo = {.keep_owner = keep_owner};
	int r;

	if (eng_cp_plan_make(src, src_is_dir, dst, &plan, err) < 0)
		return -1;
	dfd = fs_open_in_root(dst_root, plan.dir, O_RDONLY | O_DIRECTORY, 0, err);
	if (dfd < 0) {
		if (err && *err && ((*err)->code == ENOENT || (*err)->code == ENOTDIR) && ctr)
			berth_error_set(err, 0, "Could not find the file %s in container %s", plan.dir, ctr);
		else if (err && *err && ((*err)->code == ENOENT || (*err)->code == ENOTDIR))
			berth_error_set(err, 0, "stat %s: no such file or directory", plan.dir);
		eng_cp_plan_done(&plan);
		return -1;
	}
	uo.rebase_from = plan.rebase_from;
	uo.rebase_to = plan.rebase_to;
	r = copy_stream(src_root, src, name, follow, dfd, &uo, err);
	eng_cp_plan_done(&plan);
	return r;
}

int eng_ctr_cp_from(struct eng *e, const char *ctr, const char *src, const char *dst, int out_fd,
		    const struct eng_cp_opts *o, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *abs_src = src[0] == '/' ? xstrdup(src) : xasprintf("/%s", src);
	_cleanup_free_ char *abs_dst = NULL, *name = NULL;
	_cleanup_close_ int host = -1;
	struct eng_ctr_fs fs = {.root_fd = -1};
	struct eng_cp_dest d = {0};
	bool exists, is_dir;
	int r = -1;

	if (eng_ctr_find(e, ctr, &c, err) < 0 || eng_ctr_fs_open(e, c, true, &fs, err) < 0)
		return -1;
	if (stat_in_root(fs.root_fd, abs_src, o->follow_link, &exists, &is_dir, err) < 0)
		goto out;
	if (!exists) {
		berth_error_set(err, 0, "No such container:path: %s:%s", ctr, src);
		goto out;
	}
	if (!strcmp(dst, "-")) {
		name = src_name(abs_src);
		r = cp_tar_write(fs.root_fd, abs_src, name, o->follow_link, out_fd, err);
		goto out;
	}
	abs_dst = host_abs(dst);
	host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	d.path = abs_dst;
	if (host < 0 || stat_in_root(host, abs_dst, true, &d.exists, &d.is_dir, err) < 0)
		goto out;
	r = copy_planned(fs.root_fd, abs_src, is_dir, o->follow_link, host, &d, o->archive, NULL, err);
out:
	eng_ctr_fs_close(&fs);
	return r;
}

/* docker cp - CONTAINER:DEST: a tar from in_fd into a directory of the container. */
static int cp_stdin(int root, const char *ctr, const char *dst, int in_fd, bool keep_owner, struct berth_error **err)
{
	_cleanup_close_ int dfd = fs_open_in_root(root, dst, O_RDONLY | O_DIRECTORY, 0, NULL);
	struct cp_untar_opts uo = {.keep_owner = keep_owner};

	if (dfd < 0)
		return berth_error_set(err, 0, "destination \"%s:%s\" must be a directory", ctr, dst);
	return cp_untar(in_fd, dfd, &uo, err);
}

int eng_ctr_cp_to(struct eng *e, const char *ctr, const char *src, int in_fd, const char *dst,
		  const struct eng_cp_opts *o, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *abs_dst = dst[0] == '/' ? xstrdup(dst) : xasprintf("/%s", dst), *abs_src = NULL;
	_cleanup_close_ int host = -1;
	struct eng_ctr_fs fs = {.root_fd = -1};
	struct eng_cp_dest d = {.path = abs_dst};
	bool exists, is_dir;
	int r = -1;

	if (strcmp(src, "-") != 0) {
		abs_src = host_abs(src);
		host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (host < 0 || stat_in_root(host, abs_src, o->follow_link, &exists, &is_dir, err) < 0)
			return -1;
		if (!exists)
			return berth_error_set(err, 0, "lstat %s: no such file or directory", abs_src);
	}
	if (eng_ctr_find(e, ctr, &c, err) < 0 || eng_ctr_fs_open(e, c, true, &fs, err) < 0)
		return -1;
	if (!abs_src) {
		r = cp_stdin(fs.root_fd, ctr, abs_dst, in_fd, o->archive, err);
		goto out;
	}
	if (stat_in_root(fs.root_fd, abs_dst, true, &d.exists, &d.is_dir, err) < 0)
		goto out;
	r = copy_planned(host, abs_src, is_dir, o->follow_link, fs.root_fd, &d, o->archive, ctr, err);
out:
	eng_ctr_fs_close(&fs);
	return r;
}

int eng_ctr_export(struct eng *e, const char *ctr, int out_fd, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	struct eng_ctr_fs fs = {.root_fd = -1};
	struct img_diff_opts dopts = {.whiteouts = false};
	int r;

	if (eng_ctr_find(e, ctr, &c, err) < 0 || eng_ctr_fs_open(e, c, false, &fs, err) < 0)
		return -1;
	r = img_layer_diff(fs.root_fd, out_fd, &dopts, NULL, err);
	eng_ctr_fs_close(&fs);
	return r < 0 ? berth_error_wrap(err, "export container %.12s", c->id) : 0;
}
