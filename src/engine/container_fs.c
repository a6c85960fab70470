/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's filesystem opened for cp and export: the root its process
 * sees while it runs (/proc/PID/root, with its volumes and tmpfs mounts), or
 * its overlay, mounted at <dir>/merged for the time of the copy when it is
 * not running (for cp with its binds and volumes on it, as dockerd does).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"
#include "image/image.h"
#include "store/store.h"

static const char *mount_dest(json_t *m)
{
	return json_string_value(json_object_get(m, "Destination"));
}

static size_t depth(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* dockerd's order: fewer path components first, so a parent is mounted before what lies below it. */
static int by_depth(const void *a, const void *b)
{
	size_t da = depth(mount_dest(*(json_t *const *)a)), db = depth(mount_dest(*(json_t *const *)b));

	return da < db ? -1 : da > db;
}

/* Bind m's Source at its Destination inside root_fd (made when missing), read-only unless RW. */
static int bind_one(int root_fd, json_t *m, struct berth_error **err)
{
	const char *src = json_string_value(json_object_get(m, "Source")), *dest = mount_dest(m);
	_cleanup_close_ int fd = -1, top = -1;
	struct stat st;
	char p[64];

	if (stat(src, &st) < 0)
		return berth_error_set(err, errno, "mount source '%s'", src);
	fd = fs_open_in_root(root_fd, dest, O_PATH,
			     S_ISDIR(st.st_mode) ? FS_IN_ROOT_MKDIR : FS_IN_ROOT_MKDIR | FS_IN_ROOT_MKFILE, err);
	if (fd < 0)
		return berth_error_wrap(err, "mount destination '%s'", dest);
	if (mount(src, fs_fd_path(fd, p, sizeof(p)), NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_set(err, errno, "bind '%s' on '%s'", src, dest);
	if (json_is_true(json_object_get(m, "RW")))
		return 0;
	/* reopen: the fd taken before the mount points below it */
	top = fs_open_in_root(root_fd, dest, O_PATH, 0, err);
	if (top < 0)
		return -1;
	if (mount(NULL, fs_fd_path(top, p, sizeof(p)), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return berth_error_set(err, errno, "remount '%s' read-only", dest);
	return 0;
}

/*
 * The binds and volumes of Docker's Mounts (those with a host Source; tmpfs
 * are not kept when stopped) on the mounted overlay, as dockerd mounts them
 * for an archive of a stopped container. Unmounted with the overlay.
 */
static int bind_volumes(int root_fd, json_t *mounts, struct berth_error **err)
{
	_cleanup_free_ json_t **v = xcalloc(json_array_size(mounts) + 1, sizeof(*v));
	size_t n = 0, i;
	json_t *m;

	json_array_foreach(mounts, i, m)
	{
		const char *type = json_string_value(json_object_get(m, "Type"));
		const char *src = json_string_value(json_object_get(m, "Source"));

		if (type && (!strcmp(type, "bind") || !strcmp(type, "volume")) && src && src[0] == '/' &&
		    mount_dest(m) && mount_dest(m)[0] == '/')
			v[n++] = m;
	}
	qsort(v, n, sizeof(*v), by_depth);
	for (i = 0; i < n; i++)
		if (bind_one(root_fd, v[i], err) < 0)
			return -1;
	return 0;
}

static int mount_overlay(struct eng *e, const struct eng_ctr *c, bool with_mounts, struct eng_ctr_fs *fs,
			 struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, c->id), *upper = NULL, *work = NULL, *merged = NULL;
	_cleanup_strv_ char **links = NULL;

	upper = xasprintf("%s/upper", dir);
	work = xasprintf("%s/work", dir);
	merged = xasprintf("%s/merged", dir);
	if (eng_image_layer_links(e, c->image_id, &links, err) < 0 ||
	    img_snapshot_mount(e->store, (const char *const *)links, upper, work, merged, err) < 0)
		return -1;
	fs->mounted = TAKE_PTR(merged);
	fs->root_fd = open(fs->mounted, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0)
		berth_error_set(err, errno, "open '%s'", fs->mounted);
	if (fs->root_fd < 0 || (with_mounts && bind_volumes(fs->root_fd, json_object_get(c->doc, "Mounts"), err) < 0)) {
		/* the overlay goes with everything bound below it */
		eng_ctr_fs_close(fs);
		return -1;
	}
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
	} else if (mount_overlay(e, c, with_mounts, &fs, err) < 0) {
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
