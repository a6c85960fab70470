/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: a new process in a running container's namespaces and cgroup, described as runc's exec does. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"
#include "runtime/internal.h"
#include "runtime/proto.h"

/* Overlay the command-line fields on a copy of the container's process (runc's getProcess). */
static int exec_process(const struct rt_exec_opts *o, struct oci_process *base, struct oci_process **ret,
			struct berth_error **err)
{
	if (o->process_file) {
		_cleanup_free_ char *text = NULL;
		size_t len;
		if (fs_read_file_at(AT_FDCWD, o->process_file, &text, &len, err) < 0)
			return -1;
		return oci_process_parse(text, len, o->process_file, ret, err);
	}
	if (!o->args || !o->args[0])
		return berth_error_set(err, 0, "exec: no command given");
	strv_free(base->args);
	base->args = strv_copy(o->args);
	for (char **e = o->env; e && *e; e++)
		strv_push(&base->env, *e);
	if (o->cwd) {
		free(base->cwd);
		base->cwd = xstrdup(o->cwd);
	}
	if (o->has_user) {
		base->user.uid = o->uid;
		/* (gid_t)-1: "-u uid" alone keeps the config's gid */
		if (o->gid != (gid_t)-1)
			base->user.gid = o->gid;
	}
	if (o->n_additional_gids) {
		free(base->user.additional_gids);
		base->user.additional_gids = xcalloc(o->n_additional_gids, sizeof(gid_t));
		memcpy(base->user.additional_gids, o->additional_gids, o->n_additional_gids * sizeof(gid_t));
		base->user.n_additional_gids = o->n_additional_gids;
	}
	for (char **c = o->caps; c && *c; c++) {
		int cap = oci_cap_from_name(*c);
		if (cap < 0)
			return berth_error_set(err, 0, "unknown capability '%s'", *c);
		uint64_t bit = 1ULL << cap;
		base->caps.bounding |= bit;
		base->caps.effective |= bit;
		base->caps.permitted |= bit;
		base->caps.inheritable |= bit;
		base->caps.ambient |= bit;
		base->has_capabilities = true;
	}
	base->terminal = o->tty;
	if (o->no_new_privs)
		base->no_new_privileges = true;
	*ret = NULL;
	return 0;
}

void rt_exec_child(struct rt_spawn *s, int sock, int nsfds[OCI_NS_COUNT])
{
	struct berth_error *err = NULL;

	if (!s->orphaned)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (rt_msg_expect(sock, RT_MSG_GO, NULL, &err) < 0)
		_exit(1);
	/* the pid namespace was entered by the parent before clone3 */
	if (rt_ns_join(nsfds, true, &err) < 0)
		rt_msg_fail(sock, err);
	rt_process_exec(s, sock, -1);
}

struct exec_ctx {
	char *root;
	int dirfd;
	struct rt_record *rec;
	struct oci_config *cfg;
	struct oci_process *proc_file;
	struct cg_manager *cg;
	struct rt_spawn spawn;
};

static void exec_ctx_done(struct exec_ctx *x)
{
	rt_spawn_done(&x->spawn);
	cg_manager_free(x->cg);
	oci_process_free(x->proc_file);
	oci_config_free(x->cfg);
	rt_record_free(x->rec);
	if (x->dirfd >= 0)
		close(x->dirfd);
	free(x->root);
}

static int exec_prepare(const struct rt_global *g, const char *id, const struct rt_exec_opts *o, struct exec_ctx *x,
			struct berth_error **err)
{
	const char *status;
	struct berth_error *e = NULL;

	x->root = rt_root_path(g);
	if (rt_state_dir_open(x->root, id, false, &x->dirfd, err) < 0 || rt_record_read(x->dirfd, id, &x->rec, err) < 0)
		return -1;
	status = rt_record_status(x->dirfd, x->rec);
	if (strcmp(status, "running") && strcmp(status, "created"))
		return berth_error_set(err, 0, "cannot exec in a %s container", status);
	if (rt_state_config_load(x->dirfd, &x->cfg, err) < 0 ||
	    exec_process(o, &x->cfg->process, &x->proc_file, err) < 0)
		return -1;
	if (o->detach && (x->proc_file ? x->proc_file->terminal : o->tty) && !o->console_socket)
		return berth_error_set(
			err, 0, "cannot allocate tty if berth-runtime will detach without setting console socket");
	if (rt_record_cgroup(x->rec, &x->cg, &e) < 0) {
		log_debug("%s", e->msg);
		berth_error_free(&e);
	}
	return 0;
}

int rt_exec(const struct rt_global *g, const char *id, const struct rt_exec_opts *o, int *ret_status,
	    struct berth_error **err)
{
	struct exec_ctx x = {.dirfd = -1, .spawn = {.sock = -1, .pidfd = -1, .pty_master = -1}};
	int rc = -1;

	if (exec_prepare(g, id, o, &x, err) < 0)
		goto out;
	x.spawn = (struct rt_spawn){
		.cfg = x.cfg,
		.proc = x.proc_file ? x.proc_file : &x.cfg->process,
		.is_exec = true,
		.target_pid = x.rec->pid,
		.cg = x.cg,
		.preserve_fds = o->preserve_fds,
		.console_socket = o->console_socket,
		.record = x.rec,
		.lock_fd = -1,
		.state_root = x.root,
	};
	if (rt_spawn_start(&x.spawn, err) < 0 || rt_spawn_go(&x.spawn, err) < 0)
		goto out;
	if (o->pid_file) {
		char v[32];
		snprintf(v, sizeof(v), "%d", x.spawn.pid);
		if (fs_write_file_atomic_at(AT_FDCWD, o->pid_file, v, strlen(v), 0644, err) < 0)
			goto out;
	}
	if (o->detach) {
		*ret_status = 0;
		rc = 0;
		goto out;
	}
	close(TAKE_FD(x.dirfd));
	rc = rt_spawn_wait(&x.spawn, ret_status, err);
out:
	if (rc < 0)
		berth_error_wrap(err, "exec in container '%s'", id);
	exec_ctx_done(&x);
	return rc;
}
