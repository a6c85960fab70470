/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repair after crashes and reboots: what a dead monitor leaves behind is
 * released by the next command that touches its container, and
 * `berth system boot` brings every container back to where its restart
 * policy wants it, as dockerd does when it starts.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

void eng_ctr_release(struct eng *e, const char *id, json_t *doc)
{
	_cleanup_free_ char *rt_root = eng_runtime_root(e), *dir = eng_ctr_dir(e, id), *rundir = eng_ctr_rundir(e, id);
	_cleanup_free_ char *merged = fs_path_join(dir, "merged"), *shm = fs_path_join(dir, "shm");
	_cleanup_free_ char *attach = fs_path_join(rundir, "attach.sock");
	_cleanup_free_ char *console = fs_path_join(rundir, "console.sock");
	struct rt_global g = {.root = rt_root};

	/*
	 * An init that outlived its monitor is nobody's to reap: the forced
	 * delete kills everything in its cgroup, waits for the init, and
	 * removes the cgroup and the runtime's record. After a reboot the
	 * record is gone already ("does not exist"), which is fine.
	 */
	rt_delete(&g, id, true, NULL);
	/* lazily: a process of ours may still have a cwd in it */
	umount2(merged, MNT_DETACH);
	if (umount2(shm, MNT_DETACH) == 0)
		rmdir(shm);
	if (doc)
		eng_volumes_release(e, id, doc);
	unlink(attach);
	unlink(console);
}

/* Whether dockerd would start this stopped container when it starts: its restart policy, as Docker's. */
static bool boot_restarts(const struct eng_ctr *c)
{
	json_t *policy = json_object_get(json_object_get(c->doc, "HostConfig"), "RestartPolicy");
	const char *name = json_string_value(json_object_get(policy, "Name"));
	int max = (int)json_integer_value(json_object_get(policy, "MaximumRetryCount"));
	bool stopped = json_is_true(json_object_get(c->state, "BerthStopRequested"));
	int code = (int)json_integer_value(json_object_get(c->state, "ExitCode"));

	/* never started (created): nothing to bring back */
	if (!name || strcmp(eng_ctr_status(c), ENG_STATUS_EXITED) != 0)
		return false;
	if (!strcmp(name, "always"))
		return true;
	if (!strcmp(name, "unless-stopped"))
		return !stopped;
	if (!strcmp(name, "on-failure"))
		return !stopped && code != 0 && (max <= 0 || c->restart_count < max);
	return false;
}

static bool auto_removes(const struct eng_ctr *c)
{
	return json_is_true(json_object_get(json_object_get(c->doc, "HostConfig"), "AutoRemove"));
}

/* A stopped container a start may have been cut short for (a monitor killed before it ran the process). */
static int repair_stopped(struct eng *e, const struct eng_ctr *c, struct berth_error **err)
{
	_cleanup_close_ int lock = -1;

	if (eng_ctr_start_lock(e, c->id, &lock, err) < 0)
		return -1;
	/* lock < 0: started meanwhile, its monitor owns all of it */
	if (lock >= 0)
		eng_ctr_release(e, c->id, c->doc);
	return 0;
}

/* One container at boot; a failure is a warning about it. */
static void boot_one(struct eng *e, const struct eng_ctr *c, const struct eng_start_opts *o, char ***started)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (eng_ctr_is_running(c))
		return;
	if (auto_removes(c)) {
		if (eng_ctr_remove(e, c->id, false, true, &err) < 0)
			log_warn("remove container '%s': %s, ignoring", c->name, err->msg);
		return;
	}
	if (boot_restarts(c)) {
		if (eng_ctr_start(e, c->id, o, &err) < 0)
			log_warn("start container '%s': %s, ignoring", c->name, err->msg);
		else
			strv_push(started, c->name);
		return;
	}
	if (repair_stopped(e, c, &err) < 0)
		log_warn("repair container '%s': %s, ignoring", c->name, err->msg);
}

int eng_system_boot(struct eng *e, const struct eng_start_opts *o, char ***ret_started, struct berth_error **err)
{
	_cleanup_strv_ char **started = xcalloc(1, sizeof(char *));
	struct eng_ctr **v = NULL;
	size_t n = 0;

	/* loading brings every State up to date: running ones with a dead monitor become exited (255), released */
	if (eng_ctr_list_all(e, &v, &n, err) < 0)
		return berth_error_wrap(err, "system boot");
	/* berth's nftables table as the store says (after a reboot it is gone; after a crash it may be stale) */
	if (eng_netwire_rules_sync(e, err) < 0)
		log_warn("system boot: %s, ignoring", (*err)->msg);
	berth_error_free(err);
	/* oldest first, as they were created: a container joining another's namespaces comes after it */
	for (size_t i = n; i-- > 0;)
		boot_one(e, v[i], o, &started);
	eng_ctrs_free(v, n);
	if (ret_started)
		*ret_started = TAKE_PTR(started);
	return 0;
}
