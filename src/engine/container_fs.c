/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's filesystem opened for cp and export: the root its process
 * sees while it runs (/proc/PID/root, with its volumes and tmpfs mounts), or
 * its overlay, mounted at <dir>/merged for the time of the copy when it is
 * not running.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"
#include "image/image.h"
#include "store/store.h"

static int mount_overlay(struct eng *e, const struct eng_ctr *c, struct eng_ctr_fs *fs, struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, c->id), *upper = NULL, *work = NULL, *merged = NULL;
	_cleanup_strv_ char **links = NULL;

	upper = xasprintf("%s/upper", dir);
	work = xasprintf("%s/work", dir);
	merged = xasprintf("%s/merged", dir);
	if (eng_image_layer_links(e, c->image_id, &links, err) < 0 ||
	    img_snapshot_mount(e->store, (const char *const *)links, upper, work, merged, err) < 0)
		return -1;
	fs->root_fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0) {
		berth_error_set(err, errno, "open '%s'", merged);
		umount2(merged, MNT_DETACH);
		return -1;
	}
	fs->mounted = TAKE_PTR(merged);
	return 0;
}

int eng_ctr_fs_open(struct eng *e, const struct eng_ctr *c, bool with_mounts, struct eng_ctr_fs *ret,
		    struct berth_error **err)
{
	struct eng_ctr_fs fs = {.root_fd = -1};
	int64_t pid = json_integer_value(json_object_get(c->state, "Pid"));

	if (eng_ctr_is_running(c) && with_mounts && pid > 0) {
		_cleanup_free_ char *proc = xasprintf("/proc/%lld/root", (long long)pid);

		fs.root_fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fs.root_fd < 0)
			return berth_error_set(err, errno, "open the root of container %.12s", c->id);
	} else if (eng_ctr_is_running(c)) {
		_cleanup_free_ char *dir = eng_ctr_dir(e, c->id), *merged = xasprintf("%s/merged", dir);

		fs.root_fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fs.root_fd < 0)
			return berth_error_set(err, errno, "open '%s'", merged);
	} else if (mount_overlay(e, c, &fs, err) < 0) {
		return berth_error_wrap(err, "mount the filesystem of container %.12s", c->id);
	}
	*ret = fs;
	return 0;
}

void eng_ctr_fs_close(struct eng_ctr_fs *fs)
{
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	fs->root_fd = -1;
	if (fs->mounted)
		umount2(fs->mounted, MNT_DETACH);
	free(fs->mounted);
	fs->mounted = NULL;
}
