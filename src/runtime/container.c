/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lifecycle: create, start, run. Validation first, then each step with its undo on failure. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"
#include "runtime/internal.h"

/* Everything create makes, for the success path and for the undo. */
struct create_ctx {
	char *root;
	char *bundle;
	char *rootfs;
	char *config_text;
	size_t config_len;
	struct oci_config *cfg;
	int dirfd;
	bool dir_made;
	struct cg_manager *cg;
	bool cg_made;
	struct oci_resources res; /* linux.resources with the device rules every container needs */
	struct rt_record rec;
	struct rt_spawn spawn;
};

static void create_ctx_done(struct create_ctx *c)
{
	free(c->root);
	free(c->bundle);
	free(c->rootfs);
	free(c->config_text);
	oci_config_free(c->cfg);
	if (c->dirfd >= 0)
		close(c->dirfd);
	cg_manager_free(c->cg);
	free(c->res.devices);
	free(c->rec.created);
	strv_free(c->rec.cgroup_paths);
	rt_spawn_done(&c->spawn);
}

/* Undo a create that failed midway, newest first. */
static void create_undo(struct create_ctx *c)
{
	struct berth_error *e = NULL;

	if (c->spawn.pid > 0) {
		kill(c->spawn.pid, SIGKILL);
		while (waitpid(c->spawn.pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->spawn.pid = 0;
	}
	if (c->cg_made && cg_destroy(c->cg, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
	if (c->dir_made && rt_state_dir_remove(c->root, c->rec.id, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
}

/* Everything that can be checked without touching the system. */
static int create_validate(const struct rt_global *g, const char *id, const struct rt_create_opts *o, bool detach,
			   struct create_ctx *c, struct berth_error **err)
{
	char buf[PATH_MAX];
	_cleanup_free_ char *cfg_path = NULL, *rootfs = NULL;
	struct stat st;

	if (rt_id_check(id, err) < 0)
		return -1;
	if (!realpath(o->bundle ? o->bundle : ".", buf))
		return berth_error_set(err, errno, "bundle '%s'", o->bundle ? o->bundle : ".");
	c->bundle = xstrdup(buf);
	cfg_path = fs_path_join(c->bundle, "config.json");
	if (fs_read_file_at(AT_FDCWD, cfg_path, &c->config_text, &c->config_len, err) < 0)
		return -1;
	if (oci_config_parse(c->config_text, c->config_len, cfg_path, &c->cfg, err) < 0 ||
	    oci_config_validate(c->cfg, cfg_path, err) < 0)
		return -1;
	if (c->cfg->process.terminal && detach && !o->console_socket)
		return berth_error_set(
			err, 0, "cannot allocate tty if berth-runtime will detach without setting console socket");
	if (!c->cfg->process.terminal && o->console_socket)
		return berth_error_set(err, 0,
				       "cannot use console socket if berth-runtime will not detach or allocate tty");
	rootfs = c->cfg->root_path[0] == '/' ? xstrdup(c->cfg->root_path) : fs_path_join(c->bundle, c->cfg->root_path);
	if (!realpath(rootfs, buf) || stat(buf, &st) < 0)
		return berth_error_set(err, errno, "rootfs '%s'", rootfs);
	if (!S_ISDIR(st.st_mode))
		return berth_error_set(err, ENOTDIR, "rootfs '%s'", rootfs);
	c->rootfs = xstrdup(buf);
	c->root = rt_root_path(g);
	return 0;
}

/*
 * The device rules runc applies: the config's, then the devices every
 * container needs. linux.devices are only created: as in runc, using one
 * takes a linux.resources.devices rule (so `--device X:Y:r` stays read-only).
 */
static struct oci_device_rule *device_rules(const struct oci_linux *l, size_t *ret_n)
{
	size_t n_def, n = 0;
	const struct oci_device_rule *def = cg_default_device_rules(&n_def);
	struct oci_device_rule *v = xcalloc(l->resources.n_devices + n_def + 1, sizeof(*v));

	for (size_t i = 0; i < l->resources.n_devices; i++)
		v[n++] = l->resources.devices[i];
	for (size_t i = 0; i < n_def; i++)
		v[n++] = def[i];
	*ret_n = n;
	return v;
}

/* The cgroup's paths and its resource plan, checked before anything is made. */
static int cgroup_validate(const struct rt_global *g, const char *id, struct create_ctx *c, struct berth_error **err)
{
	const struct oci_linux *l = &c->cfg->linux_;

	if (cg_manager_new(NULL, l->cgroups_path, id, g->systemd_cgroup, &c->cg, err) < 0)
		return -1;
	/* always: without device rules every host device would be open to the container */
	c->res = l->resources;
	c->res.devices = device_rules(l, &c->res.n_devices);
	return cg_check(c->cg, &c->res, err);
}

static int create_cgroup(struct create_ctx *c, struct berth_error **err)
{
	const struct oci_linux *l = &c->cfg->linux_;

	if (cg_create(c->cg, err) < 0) {
		int e = (*err)->code;
		/* rootless without delegated cgroups: run without, as runc does */
		if (geteuid() == 0 || (e != EACCES && e != EPERM && e != EROFS))
			return -1;
		log_debug("%s: running without a cgroup", (*err)->msg);
		berth_error_free(err);
		if (l->has_resources && (l->resources.has_memory_limit || l->resources.has_cpu_shares ||
					 l->resources.has_cpu_quota || l->resources.has_pids_limit))
			log_warn("cgroup resources need delegated cgroups when rootless, ignoring");
		cg_manager_free(TAKE_PTR(c->cg));
		return 0;
	}
	c->cg_made = true;
	return cg_apply(c->cg, &c->res, err);
}

static int write_pid_file(const char *path, pid_t pid, struct berth_error **err)
{
	char v[32];

	if (!path)
		return 0;
	snprintf(v, sizeof(v), "%d", pid);
	return fs_write_file_atomic_at(AT_FDCWD, path, v, strlen(v), 0644, err);
}

/* Socket activation (sd_listen_fds): how many fds systemd passed us, 0 when none. */
static int listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int p, n;

	if (!pid || !fds || parse_int(pid, &p) < 0 || p != getpid() || parse_int(fds, &n) < 0 || n <= 0)
		return 0;
	return n;
}

/* create and run share this: everything up to a READY container init. */
static int do_create(const struct rt_global *g, const char *id, const struct rt_create_opts *o, bool for_run,
		     struct create_ctx *c, struct berth_error **err)
{
	_cleanup_free_ char *fifo = NULL;
	int n_listen;

	c->dirfd = -1;
	c->spawn.sock = c->spawn.pidfd = c->spawn.pty_master = -1;
	log_debug("create '%s'", id);
	if (create_validate(g, id, o, for_run ? o->detach : true, c, err) < 0 || cgroup_validate(g, id, c, err) < 0)
		return -1;
	log_debug("create '%s': config valid", id);
	if (rt_state_dir_create(c->root, id, &c->dirfd, err) < 0)
		return -1;
	c->dir_made = true;
	c->rec.id = (char *)id;
	c->rec.bundle = c->bundle;
	c->rec.rootfs = c->rootfs;
	c->rec.created = rt_now_rfc3339();
	c->rec.owner = "";
	c->rec.creating = true;
	if (fs_write_file_atomic_at(c->dirfd, RT_CONFIG_COPY, c->config_text, c->config_len, 0600, err) < 0 ||
	    rt_record_write(c->dirfd, &c->rec, err) < 0)
		goto fail;
	if (create_cgroup(c, err) < 0)
		goto fail;
	c->rec.cgroup_paths = c->cg ? cg_manager_paths(c->cg) : NULL;
	log_debug("create '%s': cgroup ready", id);
	n_listen = listen_fds();
	if (n_listen) {
		strv_push_take(&c->cfg->process.env, xasprintf("LISTEN_FDS=%d", n_listen));
		strv_push(&c->cfg->process.env, "LISTEN_PID=1");
	}
	if (!for_run) {
		fifo = xasprintf("%s/%s/%s", c->root, id, RT_EXEC_FIFO);
		if (mkfifo(fifo, 0600) < 0) {
			berth_error_set(err, errno, "create '%s'", fifo);
			goto fail;
		}
	}
	c->spawn = (struct rt_spawn){
		.cfg = c->cfg,
		.proc = &c->cfg->process,
		.rootfs = c->rootfs,
		.bundle = c->bundle,
		.cg = c->cg,
		.fifo_path = fifo,
		.no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring,
		.id = id,
		.preserve_fds = n_listen + o->preserve_fds,
		.console_socket = o->console_socket,
		.record = &c->rec,
		.lock_fd = c->dirfd,
		.state_root = c->root,
	};
	if (rt_spawn_start(&c->spawn, err) < 0)
		goto fail;
	log_debug("create '%s': init %d ready", id, c->spawn.pid);
	c->rec.pid = c->spawn.pid;
	c->rec.creating = false;
	if (proc_start_time(c->spawn.pid, &c->rec.start_time, err) < 0 || rt_record_write(c->dirfd, &c->rec, err) < 0 ||
	    write_pid_file(o->pid_file, c->spawn.pid, err) < 0)
		goto fail;
	return 0;
fail:
	berth_error_wrap(err, "create container '%s'", id);
	create_undo(c);
	return -1;
}

int rt_create(const struct rt_global *g, const char *id, const struct rt_create_opts *o, struct berth_error **err)
{
	struct create_ctx c = {0};
	int rc = do_create(g, id, o, false, &c, err);

	create_ctx_done(&c);
	return rc;
}

static void run_poststart(int dirfd, const struct rt_record *r, const struct oci_config *cfg)
{
	_cleanup_free_ char *state = NULL;
	struct berth_error *e = NULL;

	if (!cfg->hooks.n[OCI_HOOK_POSTSTART])
		return;
	state = rt_record_state_json(r, "running", cfg);
	if (rt_hooks_run(&cfg->hooks, OCI_HOOK_POSTSTART, state, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
}

int rt_start(const struct rt_global *g, const char *id, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1, fifo = -1;
	struct rt_record *r = NULL;
	struct oci_config *cfg = NULL;
	const char *status;
	int rc = -1;

	if (rt_state_dir_open(root, id, true, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	status = rt_record_status(dirfd, r);
	if (strcmp(status, "created")) {
		berth_error_set(err, 0, "cannot start a container in the '%s' state", status);
		goto out;
	}
	fifo = openat(dirfd, RT_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0 || write(fifo, "0", 1) != 1) {
		berth_error_set(err, errno, "start container '%s'", id);
		goto out;
	}
	unlinkat(dirfd, RT_EXEC_FIFO, 0);
	if (rt_state_config_load(dirfd, &cfg, err) < 0)
		goto out;
	run_poststart(dirfd, r, cfg);
	rc = 0;
out:
	oci_config_free(cfg);
	rt_record_free(r);
	return rc;
}

/*
 * After a foreground run: what delete does, from what we hold in memory (the
 * init is reaped, config and cgroup are known). Only the lock is taken again:
 * a concurrent `delete -f` may have removed the container meanwhile.
 */
static int run_cleanup(struct create_ctx *c, struct berth_error **err)
{
	_cleanup_close_ int dirfd = -1;
	struct berth_error *e = NULL;

	if (rt_state_dir_open(c->root, c->rec.id, true, &dirfd, &e) < 0) {
		berth_error_free(&e);
		return 0;
	}
	/* whatever the init left behind in its cgroup dies with it */
	if (c->cg && cg_kill_all(c->cg, SIGKILL, &e) < 0)
		berth_error_free(&e);
	c->cg_made = false;
	return rt_container_remove(c->root, &c->rec, c->cfg, c->cg, err);
}

int rt_run(const struct rt_global *g, const char *id, const struct rt_create_opts *o, int *ret_status,
	   struct berth_error **err)
{
	struct create_ctx c = {0};
	struct berth_error *e = NULL;
	int rc = -1;

	if (do_create(g, id, o, true, &c, err) < 0)
		goto out;
	if (rt_spawn_go(&c.spawn, err) < 0) {
		create_undo(&c);
		goto out;
	}
	run_poststart(c.dirfd, &c.rec, c.cfg);
	if (o->detach) {
		*ret_status = 0;
		rc = 0;
		goto out;
	}
	/* unlock: other commands (state, kill, exec) must work while we wait */
	close(TAKE_FD(c.dirfd));
	rc = rt_spawn_wait(&c.spawn, ret_status, err);
	log_debug("run '%s': process exited", id);
	if (!o->keep && run_cleanup(&c, &e) < 0) {
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
	}
out:
	create_ctx_done(&c);
	return rc;
}
