/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lifecycle of an existing container: kill, delete, ps. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"
#include "runtime/internal.h"
#include "sys/sys.h"

/* A pidfd for the record's init, or -1 when it is gone (checked against its start time). */
static int open_init(const struct rt_record *r)
{
	int fd;

	if (r->pid <= 0)
		return -1;
	fd = sys_pidfd_open(r->pid, 0);
	if (fd < 0)
		return -1;
	/* the pidfd pins the process: now the start time check cannot race with pid reuse */
	if (!proc_is_alive(r->pid, r->start_time)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int open_cgroup(const struct rt_record *r, struct cg_manager **ret, struct berth_error **err)
{
	if (rt_record_cgroup(r, ret, err) < 0)
		return -1;
	return *ret ? 0 : berth_error_set(err, 0, "container '%s' has no cgroup", r->id);
}

int rt_kill(const struct rt_global *g, const char *id, int sig, bool all, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	struct rt_record *r = NULL;
	struct cg_manager *cg = NULL;
	int rc = -1;

	if (rt_state_dir_open(root, id, false, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	pidfd = open_init(r);
	if (all) {
		if (open_cgroup(r, &cg, err) == 0)
			rc = cg_kill_all(cg, sig, err);
		cg_manager_free(cg);
	} else if (pidfd < 0) {
		berth_error_set(err, 0, "container '%s' is not running", id);
	} else if (sys_pidfd_send_signal(pidfd, sig, 0) < 0) {
		berth_error_set(err, errno, "kill container '%s'", id);
	} else {
		rc = 0;
		/* as runc: a frozen (v1) process dies only once thawed, so SIGKILL thaws a paused container */
		if (sig == SIGKILL && rt_record_cgroup(r, &cg, NULL) == 0 && cg)
			cg_freeze(cg, false, NULL);
		cg_manager_free(cg);
	}
	rt_record_free(r);
	return rc;
}

static void wait_gone(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	/* a pidfd turns readable when the process exits, child of ours or not */
	while (poll(&p, 1, 10000) < 0 && errno == EINTR)
		;
}

static void run_poststop(const struct rt_record *r, const struct oci_config *cfg)
{
	_cleanup_free_ char *state = NULL;
	struct berth_error *e = NULL;

	if (!cfg || !cfg->hooks.n[OCI_HOOK_POSTSTOP])
		return;
	state = rt_record_state_json(r, "stopped", cfg);
	if (rt_hooks_run(&cfg->hooks, OCI_HOOK_POSTSTOP, state, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
}

int rt_container_remove(const char *root, const struct rt_record *r, const struct oci_config *cfg,
			struct cg_manager *cg, struct berth_error **err)
{
	struct berth_error *e = NULL;
	int rc;

	run_poststop(r, cfg);
	if (cg && cg_destroy(cg, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
	log_debug("delete '%s': cgroup removed", r->id);
	rc = rt_state_dir_remove(root, r->id, err);
	log_debug("delete '%s': done", r->id);
	return rc;
}

int rt_delete(const struct rt_global *g, const char *id, bool force, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	struct rt_record *r = NULL;
	struct oci_config *cfg = NULL;
	struct cg_manager *cg = NULL;
	struct berth_error *e = NULL;
	const char *status;
	int rc = -1;

	if (rt_state_dir_open(root, id, true, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	status = rt_record_status(dirfd, r);
	if ((!strcmp(status, "running") || !strcmp(status, "paused")) && !force) {
		berth_error_set(err, 0, "cannot delete container '%s' that is not stopped: %s", id, status);
		goto out;
	}
	if (rt_state_config_load(dirfd, &cfg, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
	if (rt_record_cgroup(r, &cg, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
	pidfd = open_init(r);
	if (pidfd >= 0) {
		/* created or (forced) running: kill everything, init last, and wait for it */
		if (cg)
			cg_kill_all(cg, SIGKILL, &e), berth_error_free(&e);
		sys_pidfd_send_signal(pidfd, SIGKILL, 0);
		/* a paused container's processes die only once thawed (cgroup.kill does not thaw a v1 freezer) */
		if (cg)
			cg_freeze(cg, false, NULL);
		wait_gone(pidfd);
	}
	log_debug("delete '%s': stopped", id);
	rc = rt_container_remove(root, r, cfg, cg, err);
out:
	cg_manager_free(cg);
	oci_config_free(cfg);
	rt_record_free(r);
	return rc;
}

int rt_ps(const struct rt_global *g, const char *id, pid_t **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	struct rt_record *r = NULL;
	struct cg_manager *cg = NULL;
	int rc = 0;

	if (rt_state_dir_open(root, id, false, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	if (open_cgroup(r, &cg, err) < 0 || cg_pids(cg, ret, ret_n, err) < 0) {
		berth_error_free(err);
		pidfd = open_init(r);
		*ret = xcalloc(1, sizeof(pid_t));
		*ret_n = 0;
		if (pidfd >= 0)
			(*ret)[(*ret_n)++] = r->pid;
	}
	cg_manager_free(cg);
	rt_record_free(r);
	return rc;
}
