/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker rm: the row, the directory (rootfs layers, logs, files) and the runtime directory. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "store/store.h"

static void mark_removing(json_t *st, void *data)
{
	json_object_set_new(st, "BerthStopRequested", json_true());
}

int eng_ctr_remove(struct eng *e, const char *name, bool force, bool volumes, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *dir = NULL, *rundir = NULL, *root = eng_runtime_root(e);
	struct rt_global g = {.root = root};
	int code;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (eng_ctr_is_running(c)) {
		if (!force)
			return berth_error_set(err, 0,
					       "cannot remove container \"/%s\": container is %s: stop the container "
					       "before removing or force remove",
					       c->name, eng_ctr_status(c));
		if (eng_ctr_update_state(e, c->id, mark_removing, NULL, err) < 0)
			return -1;
		/* as dockerd: SIGKILL and its "kill" event, then the exit; no stop signal, no "stop" event */
		if (rt_kill(&g, c->id, SIGKILL, true, NULL) == 0) {
			json_t *attrs = json_pack("{s:s}", "signal", "9");

			eng_event_container(e, c, "kill", attrs);
			json_decref(attrs);
		}
		/* a frozen container dies once thawed, as dockerd resumes it */
		if (!strcmp(eng_ctr_status(c), ENG_STATUS_PAUSED))
			rt_resume(&g, c->id, NULL);
		if (eng_ctr_wait(e, c->id, NULL, &code, err) < 0)
			return -1;
	}
	dir = eng_ctr_dir(e, c->id);
	rundir = eng_ctr_rundir(e, c->id);
	/* a monitor that died may have left its mounts and the runtime's state */
	eng_ctr_release(e, c->id, c->doc);
	eng_netwire_down(e, c->id);
	if (eng_network_detach(e, NULL, c->id, err) < 0)
		return -1;
	/* the files before the row: an rm cut short leaves a row the next rm finds and finishes */
	if (fs_exists_at(AT_FDCWD, rundir))
		fs_rm_rf_at(AT_FDCWD, rundir, NULL);
	if (fs_exists_at(AT_FDCWD, dir) && fs_rm_rf_at(AT_FDCWD, dir, err) < 0)
		return berth_error_wrap(err, "remove container %.12s", c->id);
	if (db_container_delete(e->db, c->id, err) < 0)
		return -1;
	eng_event_container(e, c, "destroy", NULL);
	if (volumes) /* once the row is gone, so that it no longer counts as a user */
		eng_volumes_remove_anonymous(e, c->doc);
	return 0;
}
