/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The overlay snapshotter: mount data from short layer links, and the mount itself. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"

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
	_cleanup_free_ char *empty = NULL, *opts = NULL;
	_cleanup_close_ int cwd = -1;
	const char *only_empty[2] = {NULL, NULL};
	int rc, saved;

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
	rc = mount("overlay", target, "overlay", 0, opts);
	saved = errno;
	if (fchdir(cwd) < 0)
		return berth_error_set(err, errno, "return to the working directory");
	if (rc < 0)
		return berth_error_set(err, saved, "mount overlay on '%s'", target);
	return 0;
}
