/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parent side of container setup: clone3, id maps, cgroup placement, the protocol up to READY, waiting. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"
#include "runtime/internal.h"
#include "runtime/proto.h"
#include "sys/sys.h"

static void kill_and_reap(struct rt_spawn *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGKILL);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
}

void rt_spawn_done(struct rt_spawn *s)
{
	if (s->sock >= 0)
		close(s->sock);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->pty_master >= 0)
		close(s->pty_master);
	s->sock = s->pidfd = s->pty_master = -1;
	rt_seccomp_done(&s->filter);
	if (s->cg_self)
		cg_self_enter_done(&s->cg_fds);
}

static int run_runtime_hooks(struct rt_spawn *s, struct berth_error **err)
{
	_cleanup_free_ char *state = NULL;

	s->record->pid = s->pid;
	state = rt_record_state_json(s->record, "creating", s->cfg);
	if (rt_hooks_run(&s->cfg->hooks, OCI_HOOK_PRESTART, state, err) < 0 ||
	    rt_hooks_run(&s->cfg->hooks, OCI_HOOK_CREATE_RUNTIME, state, err) < 0)
		return -1;
	return rt_msg_send(s->sock, RT_MSG_HOOKS_DONE, 0, NULL, -1, err);
}

static int handle_pty(struct rt_spawn *s, int fd, struct berth_error **err)
{
	if (fd < 0)
		return berth_error_set(err, 0, "setup protocol: terminal message without a file descriptor");
	if (s->console_socket) {
		int rc = rt_console_socket_send(s->console_socket, fd, err);
		close(fd);
		return rc;
	}
	s->pty_master = fd;
	return 0;
}

/* The child's seccomp notification fd goes to the agent at listenerPath. */
static int handle_seccomp_listener(struct rt_spawn *s, int fd, struct berth_error **err)
{
	_cleanup_free_ char *state = NULL;
	int rc;

	if (fd < 0 || !s->cfg->linux_.seccomp)
		return berth_error_set(err, 0, "setup protocol: seccomp message without a listener");
	s->record->pid = s->is_exec ? s->target_pid : s->pid;
	state = rt_record_state_json(s->record, "creating", s->cfg);
	rc = rt_seccomp_send_listener(s->cfg->linux_.seccomp, fd, s->pid, state, err);
	close(fd);
	return rc;
}

/*
 * A step of ours failed (a send with EPIPE, a cgroup write with ESRCH): when
 * the child has died of its own error meanwhile, that error is the one to
 * report, so read it if it is there.
 */
static int child_error_first(struct rt_spawn *s, struct berth_error **err)
{
	struct berth_error *child = NULL;
	struct pollfd p = {.fd = s->sock, .events = POLLIN};
	struct rt_msg m;

	if (poll(&p, 1, 0) == 1 && rt_msg_recv(s->sock, &m, NULL, &child) < 0 &&
	    strcmp(child->msg, "container setup process exited unexpectedly")) {
		berth_error_move(err, &child);
		return -1;
	}
	berth_error_free(&child);
	return -1;
}

/* Drive the child from GO to READY. */
static int parent_protocol(struct rt_spawn *s, struct berth_error **err)
{
	const struct oci_linux *l = &s->cfg->linux_;

	if (!s->is_exec && l->namespaces[OCI_NS_USER].present && !l->namespaces[OCI_NS_USER].path &&
	    rt_ns_write_idmaps(s->pid, l, err) < 0)
		return -1;
	if (rt_msg_send(s->sock, RT_MSG_GO, s->pid, NULL, -1, err) < 0)
		return child_error_first(s, err);
	if (s->cg && !s->cg_self && cg_enter(s->cg, s->pid, err) < 0)
		return child_error_first(s, err);
	log_debug("process %d placed in its cgroup", s->pid);
	if (rt_msg_send(s->sock, RT_MSG_CGROUP, 0, NULL, -1, err) < 0)
		return child_error_first(s, err);
	for (;;) {
		struct rt_msg m;
		int fd = -1;

		if (rt_msg_recv(s->sock, &m, &fd, err) < 0)
			return -1;
		switch (m.type) {
		case RT_MSG_HOOKS:
			if (run_runtime_hooks(s, err) < 0)
				return -1;
			break;
		case RT_MSG_PTY:
			if (handle_pty(s, fd, err) < 0)
				return -1;
			break;
		case RT_MSG_SECCOMP:
			if (handle_seccomp_listener(s, fd, err) < 0)
				return -1;
			break;
		case RT_MSG_READY:
			return 0;
		default:
			if (fd >= 0)
				close(fd);
			return berth_error_set(err, 0, "setup protocol: unexpected message %u", m.type);
		}
	}
}

/* Enter the target pid namespace for our children only; returns the fd to restore ours, or -1. */
static int enter_pid_ns_for_children(int nsfd, struct berth_error **err)
{
	int self;

	if (nsfd < 0)
		return -1;
	self = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		self = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (setns(nsfd, CLONE_NEWPID) < 0) {
		berth_error_set(err, errno, "join pid namespace");
		if (self >= 0)
			close(self);
		return -2;
	}
	return self;
}

/*
 * A user namespace joined by path must own the namespaces created beside it,
 * so our own clone3 cannot make them: an intermediate process joins the user
 * namespace, clones the init, reports its pid and exits. We are subreaper, so
 * the init becomes our child. Returns 0 in the init.
 */
static pid_t clone_in_user_ns(struct rt_spawn *s, int nsfds[OCI_NS_COUNT], int sv[2], struct berth_error **err)
{
	struct sys_clone_args a = {.exit_signal = SIGCHLD};
	struct rt_msg m;
	pid_t mid, init;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return berth_error_set(err, errno, "become child subreaper");
	mid = sys_clone3(&a);
	if (mid < 0)
		return berth_error_set(err, errno, "clone3");
	if (mid == 0) {
		struct berth_error *e = NULL;
		if (setns(nsfds[OCI_NS_USER], CLONE_NEWUSER) < 0)
			rt_msg_fail(sv[1], (berth_error_set(&e, errno, "join user namespace"), e));
		close(nsfds[OCI_NS_USER]);
		nsfds[OCI_NS_USER] = -1;
		/* rootless: only inside the user namespace may we enter its pid namespace */
		if (nsfds[OCI_NS_PID] >= 0 && setns(nsfds[OCI_NS_PID], CLONE_NEWPID) < 0)
			rt_msg_fail(sv[1], (berth_error_set(&e, errno, "join pid namespace"), e));
		a.flags = s->is_exec ? 0 : rt_ns_clone_flags(&s->cfg->linux_);
		init = sys_clone3(&a);
		if (init == 0) {
			/* our parent is about to exit on purpose: no parent-death signal */
			s->orphaned = true;
			return 0;
		}
		if (init < 0)
			rt_msg_fail(sv[1], (berth_error_set(&e, errno, "clone3 in the user namespace"), e));
		rt_msg_send(sv[1], RT_MSG_PID, init, NULL, -1, NULL);
		_exit(0);
	}
	init = rt_msg_recv(sv[0], &m, NULL, err) < 0 ? -1 : (m.type == RT_MSG_PID ? m.code : 0);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	if (init <= 0)
		return init < 0 ? -1 : berth_error_set(err, 0, "setup protocol: expected PID");
	s->pidfd = sys_pidfd_open(init, 0);
	return init;
}

/*
 * A user namespace to join, where new namespaces must belong to it (config
 * path) or where only its members may enter the pid namespace (rootless exec).
 */
static bool needs_intermediate(const struct rt_spawn *s, int nsfds[OCI_NS_COUNT])
{
	if (!s->is_exec)
		return s->cfg->linux_.namespaces[OCI_NS_USER].path != NULL;
	return nsfds[OCI_NS_USER] >= 0 && geteuid() != 0;
}

/*
 * A new user namespace cannot join namespaces its creator's namespace owns
 * (setns needs CAP_SYS_ADMIN over their owner): network, IPC and UTS
 * namespaces given by path are joined here, before clone3 creates the user
 * namespace, so the child is born in them (runc joins before it unshares).
 * Their fds are consumed; restore[] gets ours back (-1 where untouched).
 */
static const enum oci_ns_type prejoin[] = {OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS};
#define N_PREJOIN (sizeof(prejoin) / sizeof(prejoin[0]))

static int prejoin_for_user_ns(struct rt_spawn *s, int nsfds[OCI_NS_COUNT], int restore[N_PREJOIN],
			       struct berth_error **err)
{
	static const char *const self[] = {"/proc/self/ns/net", "/proc/self/ns/ipc", "/proc/self/ns/uts"};

	for (size_t i = 0; i < N_PREJOIN; i++)
		restore[i] = -1;
	if (s->is_exec || !s->cfg->linux_.namespaces[OCI_NS_USER].present ||
	    s->cfg->linux_.namespaces[OCI_NS_USER].path)
		return 0;
	for (size_t i = 0; i < N_PREJOIN; i++) {
		enum oci_ns_type t = prejoin[i];

		if (nsfds[t] < 0)
			continue;
		restore[i] = open(self[i], O_RDONLY | O_CLOEXEC);
		if (restore[i] < 0 || setns(nsfds[t], oci_ns_clone_flag(t)) < 0)
			return berth_error_set(err, errno, "join %s namespace", oci_ns_type_name(t));
		close(nsfds[t]);
		nsfds[t] = -1;
	}
	return 0;
}

static void prejoin_restore(int restore[N_PREJOIN])
{
	for (size_t i = 0; i < N_PREJOIN; i++) {
		if (restore[i] < 0)
			continue;
		if (setns(restore[i], oci_ns_clone_flag(prejoin[i])) < 0)
			log_warn("restore %s namespace: %s, ignoring", oci_ns_type_name(prejoin[i]), strerror(errno));
		close(restore[i]);
		restore[i] = -1;
	}
}

static pid_t clone_child(struct rt_spawn *s, int nsfds[OCI_NS_COUNT], int sv[2], struct berth_error **err)
{
	struct sys_clone_args a = {0};
	int pidfd = -1, restore, back[N_PREJOIN];
	pid_t pid;

	if (needs_intermediate(s, nsfds))
		return clone_in_user_ns(s, nsfds, sv, err);
	if (prejoin_for_user_ns(s, nsfds, back, err) < 0) {
		prejoin_restore(back);
		return -1;
	}
	restore = enter_pid_ns_for_children(nsfds[OCI_NS_PID], err);
	if (restore == -2) {
		prejoin_restore(back);
		return -1;
	}
	a.flags = (s->is_exec ? 0 : rt_ns_clone_flags(&s->cfg->linux_)) | CLONE_PIDFD;
	a.pidfd = (uint64_t)(uintptr_t)&pidfd;
	a.exit_signal = SIGCHLD;
	if (s->cg_self && s->cg_fds.clone_fd >= 0) {
		a.flags |= CLONE_INTO_CGROUP;
		a.cgroup = (uint64_t)s->cg_fds.clone_fd;
	}
	pid = sys_clone3(&a);
	if (pid < 0 && (a.flags & CLONE_INTO_CGROUP) && errno != ENOMEM && errno != EAGAIN) {
		/* an older kernel, or a cgroup2 dir that cannot take processes: the parent writes */
		s->cg_self = false;
		a.flags &= ~CLONE_INTO_CGROUP;
		a.cgroup = 0;
		pid = sys_clone3(&a);
	}
	if (pid < 0)
		berth_error_set(err, errno, "clone3");
	else if (pid > 0)
		s->pidfd = pidfd >= 0 ? pidfd : sys_pidfd_open(pid, 0);
	if (pid == 0)
		return 0;
	prejoin_restore(back);
	if (restore >= 0) {
		if (setns(restore, CLONE_NEWPID) < 0)
			log_warn("restore pid namespace: %s, ignoring", strerror(errno));
		close(restore);
	}
	return pid;
}

/*
 * A new container's init places itself in its cgroups (cg_self_enter_*), as
 * root and without a user namespace (its writes then need no more than the
 * fds root opened); otherwise, and for exec, the parent writes cgroup.procs.
 */
static int prepare_self_enter(struct rt_spawn *s, struct berth_error **err)
{
	int rc;

	s->cg_self = false;
	s->cg_fds.clone_fd = -1;
	s->cg_fds.n = 0;
	if (s->is_exec || !s->cg || geteuid() != 0 || s->cfg->linux_.namespaces[OCI_NS_USER].present)
		return 0;
	rc = cg_self_enter_prepare(s->cg, &s->cg_fds, err);
	s->cg_self = rc == 1;
	return rc < 0 ? -1 : 0;
}

int rt_spawn_start(struct rt_spawn *s, struct berth_error **err)
{
	int sv[2], nsfds[OCI_NS_COUNT];
	pid_t pid;
	int rc;

	s->sock = s->pidfd = s->pty_master = -1;
	/* before clone3: the child must not run libseccomp, and a cache hit is one read */
	if (s->cfg->linux_.seccomp && !s->filter.insns &&
	    rt_seccomp_build_cached(s->cfg->linux_.seccomp, s->cfg->linux_.seccomp_json, s->state_root, &s->filter,
				    err) < 0)
		return -1;
	if (prepare_self_enter(s, err) < 0)
		return -1;
	rc = s->is_exec ? rt_ns_open_of_pid(s->target_pid, &s->cfg->linux_, nsfds, err)
			: rt_ns_open_paths(&s->cfg->linux_, nsfds, err);
	if (rc < 0) {
		cg_self_enter_done(&s->cg_fds);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rt_ns_close(nsfds);
		return berth_error_set(err, errno, "socketpair");
	}
	pid = clone_child(s, nsfds, sv, err);
	if (pid == 0) {
		close(sv[0]);
		if (s->is_exec)
			rt_exec_child(s, sv[1], nsfds);
		rt_init_child(s, sv[1], nsfds);
	}
	rt_ns_close(nsfds);
	close(sv[1]);
	cg_self_enter_done(&s->cg_fds);
	s->sock = sv[0];
	if (pid < 0) {
		rt_spawn_done(s);
		return -1;
	}
	s->pid = pid;
	if (parent_protocol(s, err) < 0) {
		kill_and_reap(s);
		rt_spawn_done(s);
		return -1;
	}
	return 0;
}

int rt_spawn_go(struct rt_spawn *s, struct berth_error **err)
{
	return rt_msg_send(s->sock, RT_MSG_START, 0, NULL, -1, err);
}

/* Forward the usual termination signals to the child until it exits. */
static int forward_signals(struct rt_spawn *s, struct berth_error **err)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
	sigset_t set, old;
	_cleanup_close_ int sfd = -1;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return berth_error_set(err, errno, "signalfd");
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = s->pidfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		if (p[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si))
			sys_pidfd_send_signal(s->pidfd, (int)si.ssi_signo, 0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int rt_spawn_wait(struct rt_spawn *s, int *ret_status, struct berth_error **err)
{
	int status;

	if (s->pty_master >= 0) {
		if (rt_terminal_proxy(s->pty_master, s->pidfd, err) < 0)
			log_warn("%s, ignoring", (*err)->msg), berth_error_free(err);
	} else if (s->pidfd >= 0) {
		forward_signals(s, err);
		berth_error_free(err);
	}
	while (waitpid(s->pid, &status, 0) < 0) {
		if (errno != EINTR)
			return berth_error_set(err, errno, "wait for process %d", s->pid);
	}
	s->pid = 0;
	*ret_status = proc_status_to_code(status);
	return 0;
}
