/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OOM notifications of the container's memory cgroup: v1 registers an
 * eventfd for memory.oom_control through cgroup.event_control; v2 watches
 * memory.events (the oom_kill counter) and cgroup.events with inotify.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

struct cg_oom {
	bool is_v2;
	char *dir;
	int fd;		   /* v1 eventfd, v2 inotify */
	int control_fd;	   /* v1: memory.oom_control, open while registered */
	uint64_t oom_kill; /* v2: the counter seen last */
};

void cg_oom_free(struct cg_oom *o)
{
	if (!o)
		return;
	if (o->fd >= 0)
		close(o->fd);
	if (o->control_fd >= 0)
		close(o->control_fd);
	free(o->dir);
	free(o);
}

DEFINE_CLEANUP_FUNC(struct cg_oom, cg_oom_free)

int cg_oom_fd(const struct cg_oom *o)
{
	return o->fd;
}

static int v1_register(struct cg_oom *o, struct berth_error **err)
{
	_cleanup_free_ char *file = fs_path_join(o->dir, "memory.oom_control"), *line = NULL;

	o->control_fd = open(file, O_RDONLY | O_CLOEXEC);
	if (o->control_fd < 0)
		return berth_error_set(err, errno, "open '%s'", file);
	o->fd = eventfd(0, EFD_CLOEXEC);
	if (o->fd < 0)
		return berth_error_set(err, errno, "eventfd");
	line = xasprintf("%d %d", o->fd, o->control_fd);
	return cg_write(o->dir, "cgroup.event_control", line, err);
}

/* The oom_kill counter of memory.events; 0 when the file is gone. */
static uint64_t v2_oom_kills(const char *dir)
{
	_cleanup_free_ char *text = NULL;
	struct cg_kv *kv = NULL;
	size_t n = 0;
	uint64_t v;

	if (cg_read(dir, "memory.events", &text, NULL) < 0 || cg_parse_flat_keyed(text, &kv, &n, NULL) < 0)
		return 0;
	v = cg_kv_get(kv, n, "oom_kill");
	cg_kv_free(kv, n);
	return v;
}

static int v2_register(struct cg_oom *o, struct berth_error **err)
{
	static const char *const files[] = {"memory.events", "cgroup.events"};

	o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (o->fd < 0)
		return berth_error_set(err, errno, "inotify_init1");
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *file = fs_path_join(o->dir, files[i]);

		if (inotify_add_watch(o->fd, file, IN_MODIFY) < 0)
			return berth_error_set(err, errno, "watch '%s'", file);
	}
	o->oom_kill = v2_oom_kills(o->dir);
	return 0;
}

int cg_oom_new(struct cg_manager *m, struct cg_oom **ret, struct berth_error **err)
{
	_cleanup_(cg_oom_freep) struct cg_oom *o = xcalloc(1, sizeof(*o));
	struct cg_hier *h = m->layout == CG_LAYOUT_V2 ? m->unified : cg_find_v1(m, "memory");

	o->fd = o->control_fd = -1;
	if (!h)
		return berth_error_set(err, 0, "cgroup controller 'memory' is not available");
	o->is_v2 = h->is_v2;
	o->dir = xstrdup(h->dir);
	if ((o->is_v2 ? v2_register(o, err) : v1_register(o, err)) < 0)
		return berth_error_wrap(err, "oom notification of cgroup '%s'", h->dir);
	*ret = TAKE_PTR(o);
	return 0;
}

static int v1_read(struct cg_oom *o, bool *ret_oom, bool *ret_gone, struct berth_error **err)
{
	_cleanup_free_ char *control = fs_path_join(o->dir, "cgroup.event_control");
	uint64_t count;

	if (read(o->fd, &count, sizeof(count)) != sizeof(count)) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return berth_error_set(err, errno, "read oom eventfd");
	}
	/* the kernel signals the eventfd when the cgroup is removed, too */
	if (access(control, F_OK) < 0)
		*ret_gone = true;
	else
		*ret_oom = true;
	return 0;
}

static int v2_read(struct cg_oom *o, bool *ret_oom, bool *ret_gone, struct berth_error **err)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	_cleanup_free_ char *events = NULL;
	uint64_t kills;

	/* drain: what changed is read from the files below */
	while (read(o->fd, buf, sizeof(buf)) > 0)
		;
	kills = v2_oom_kills(o->dir);
	if (kills > o->oom_kill)
		*ret_oom = true;
	o->oom_kill = kills;
	if (cg_read(o->dir, "cgroup.events", &events, NULL) < 0 || strstr(events, "populated 0"))
		*ret_gone = true;
	(void)err;
	return 0;
}

int cg_oom_read(struct cg_oom *o, bool *ret_oom, bool *ret_gone, struct berth_error **err)
{
	*ret_oom = false;
	*ret_gone = false;
	return o->is_v2 ? v2_read(o, ret_oom, ret_gone, err) : v1_read(o, ret_oom, ret_gone, err);
}
