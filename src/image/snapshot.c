/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The overlay snapshotter: mount data from short layer links, and the mount itself. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"
#include "sys/sys.h"

/* The kernel copies at most one page of mount data. */
#define MOUNT_DATA_MAX 4096

char *img_snapshot_options(const char *const *links, const char *upper, const char *work, struct berth_error **err)
{
	struct buf b = {0};
	size_t n = 0;

	buf_puts(&b, "lowerdir=");
	for (; links[n]; n++) {
		if (n)
			buf_puts(&b, ":");
		/* "l/..." for layer links, or an absolute path (the empty lower dir). */
		if (links[n][0] != '/')
			buf_puts(&b, "l/");
		buf_puts(&b, links[n]);
	}
	if (n == 0 || (!upper && n < 2)) {
		buf_done(&b);
		berth_error_set(err, EINVAL, "overlay needs %s",
				n == 0 ? "a lower layer" : "two layers without an upper");
		return NULL;
	}
	if (upper)
		buf_printf(&b, ",upperdir=%s,workdir=%s", upper, work);
	/* Short inode numbers stay stable across layers; no index: layers are shared read-only. */
	buf_puts(&b, ",index=off");
	if (b.len >= MOUNT_DATA_MAX) {
		buf_done(&b);
		berth_error_set(err, E2BIG, "overlay mount data for %zu layers exceeds one page", n);
		return NULL;
	}
	return buf_steal(&b);
}

int img_snapshot_mount(struct img_store *s, const char *const *links, const char *upper, const char *work,
		       const char *target, struct berth_error **err)
{
	return img_snapshot_mount_flags(s, links, upper, work, target, 0, err);
}

int img_snapshot_mount_flags(struct img_store *s, const char *const *links, const char *upper, const char *work,
			     const char *target, unsigned flags, struct berth_error **err)
{
	_cleanup_free_ char *empty = NULL, *opts = NULL;
	_cleanup_close_ int cwd = -1;
	const char *only_empty[2] = {NULL, NULL};
	int rc = -1, saved;

	if (!links[0]) {
		empty = xasprintf("%s/layers/empty", s->root);
		if (fs_mkdir_p_at(AT_FDCWD, empty, 0755, err) < 0)
			return -1;
		only_empty[0] = empty;
		links = only_empty;
	}
	opts = img_snapshot_options(links, upper, work, err);
	if (!opts)
		return -1;
	/* lowerdir paths are relative to the layers directory: the short form is what fits the page. */
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0)
		return berth_error_set(err, errno, "open the working directory");
	if (fchdir(s->layers_fd) < 0)
		return berth_error_set(err, errno, "enter '%s/layers'", s->root);
	if (flags & IMG_SNAPSHOT_VOLATILE) {
		_cleanup_free_ char *v = xasprintf("%s,volatile", opts);

		rc = mount("overlay", target, "overlay", 0, v);
	}
	/* no volatile without an upper, before Linux 5.10, or over a work dir that one left */
	if (!(flags & IMG_SNAPSHOT_VOLATILE) || rc < 0)
		rc = mount("overlay", target, "overlay", 0, opts);
	saved = errno;
	if (fchdir(cwd) < 0)
		return berth_error_set(err, errno, "return to the working directory");
	if (rc < 0)
		return berth_error_set(err, saved, "mount overlay on '%s'", target);
	return 0;
}

/* An idmapped clone of dir, attached at at. */
static int idmapped_at(const char *dir, int userns_fd, const char *at, struct berth_error **err)
{
	struct sys_mount_attr attr = {.attr_set = SYS_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
	_cleanup_close_ int fd = sys_open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return berth_error_set(err, errno, "clone mount of '%s'", dir);
	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0)
		return berth_error_set(err, errno, "idmap the layer '%s'", dir);
	if (mkdir(at, 0700) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create '%s'", at);
	if (sys_move_mount(fd, "", AT_FDCWD, at, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return berth_error_set(err, errno, "attach the idmapped layer at '%s'", at);
	return 0;
}

int img_snapshot_mount_idmapped(struct img_store *s, const char *const *links, const char *upper, const char *work,
				const char *target, int userns_fd, const char *scratch, struct berth_error **err)
{
	_cleanup_strv_ char **lowers = NULL;
	size_t n = 0;
	int rc = 0;

	for (; links[n] && rc == 0; n++) {
		_cleanup_free_ char *dir = xasprintf("%s/layers/l/%s", s->root, links[n]);
		_cleanup_free_ char *real = realpath(dir, NULL);
		char *at = xasprintf("%s/%zu", scratch, n);

		strv_push_take(&lowers, at);
		rc = real ? idmapped_at(real, userns_fd, at, err) : berth_error_set(err, errno, "layer link '%s'", dir);
	}
	if (rc == 0)
		rc = img_snapshot_mount(s, (const char *const *)lowers, upper, work, target, err);
	/* the overlay holds the layers now (or failed): the idmapped mounts are no longer needed */
	for (size_t i = 0; lowers && lowers[i]; i++) {
		umount2(lowers[i], MNT_DETACH);
		rmdir(lowers[i]);
	}
	return rc;
}
