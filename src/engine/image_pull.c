/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker pull: the built-in busybox image when it applies, else the registry. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"

#define BUILTIN_NAME "docker.io/library/busybox:latest"

static void say(const struct eng_progress *p, const char *id, const char *status)
{
	if (p && p->line)
		p->line(p->data, id, status);
}

/* Load the built-in archive: it holds busybox:latest and nothing else. */
static int pull_builtin(struct eng *e, const struct eng_progress *p, char **ret_id, struct berth_error **err)
{
	_cleanup_close_ int fd = open(e->builtin_image, O_RDONLY | O_CLOEXEC);
	_cleanup_strv_ char **lines = NULL;

	if (fd < 0)
		return berth_error_set(err, errno, "built-in image '%s'", e->builtin_image);
	say(p, NULL, "Using berth's built-in busybox image (no registry needed)");
	if (eng_image_load(e, fd, true, &lines, err) < 0)
		return berth_error_wrap(err, "load built-in image '%s'", e->builtin_image);
	return eng_image_find(e, BUILTIN_NAME, ret_id, err);
}

int eng_image_pull(struct eng *e, const char *name, const struct eng_pull_opts *opts, const struct eng_progress *p,
		   char **ret_id, char **ret_name, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *full = NULL;

	if (img_ref_parse_normalized_default(name, &ref, err) < 0)
		return -1;
	full = img_ref_string(ref);
	if (e->builtin_image && strcmp(full, BUILTIN_NAME) == 0 && access(e->builtin_image, R_OK) == 0 &&
	    (!opts->platform || !*opts->platform)) {
		if (pull_builtin(e, p, ret_id, err) < 0)
			return -1;
	} else if (eng_image_pull_registry(e, ref, opts, p, ret_id, err) < 0)
		return -1;
	if (ret_name)
		*ret_name = TAKE_PTR(full);
	return 0;
}
