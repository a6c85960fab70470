/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Child side of a new container: namespaces, hostname, rootfs and mounts, hooks, pivot_root, then the process. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <linux/keyctl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"
#include "runtime/internal.h"
#include "runtime/proto.h"

static bool ns_new(const struct oci_linux *l, enum oci_ns_type t)
{
	return l->namespaces[t].present && !l->namespaces[t].path;
}

static bool dev_is_bound(const struct oci_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (!strcmp(cfg->mounts[i].destination, "/dev"))
			return cfg->mounts[i].is_bind;
	return false;
}

/* A new network namespace starts with lo down; runc and crun bring it up. */
static int loopback_up(struct berth_error **err)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return berth_error_set(err, errno, "socket");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return berth_error_set(err, errno, "get flags of 'lo'");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return berth_error_set(err, errno, "bring 'lo' up");
	return 0;
}

/* Namespaces that are not created by clone3: joined ones, cgroup, time; then names. */
static int setup_namespaces(struct rt_spawn *s, int sock, int nsfds[OCI_NS_COUNT], struct berth_error **err)
{
	const struct oci_linux *l = &s->cfg->linux_;

	/* before the uid change: /proc/self files turn root-owned once we are not dumpable */
	if (ns_new(l, OCI_NS_TIME) && rt_ns_time_unshare(l, err) < 0)
		return -1;
	if (l->namespaces[OCI_NS_USER].present) {
		/* become the namespace's root (new: the parent has written the maps by now) */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return berth_error_set(err, errno, "become root in the user namespace");
	}
	if (rt_ns_join(nsfds, true, err) < 0)
		return -1;
	if (ns_new(l, OCI_NS_CGROUP) && rt_child_wait_cgroup(s, sock, err) < 0)
		return -1;
	if (ns_new(l, OCI_NS_CGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return berth_error_set(err, errno, "create cgroup namespace");
	if (ns_new(l, OCI_NS_NETWORK) && loopback_up(err) < 0)
		return -1;
	if (s->cfg->hostname && sethostname(s->cfg->hostname, strlen(s->cfg->hostname)) < 0)
		return berth_error_set(err, errno, "set hostname '%s'", s->cfg->hostname);
	if (s->cfg->domainname && setdomainname(s->cfg->domainname, strlen(s->cfg->domainname)) < 0)
		return berth_error_set(err, errno, "set domainname '%s'", s->cfg->domainname);
	return 0;
}

static int setup_rootfs(struct rt_spawn *s, int sock, int *ret_rootfd, struct berth_error **err)
{
	const struct oci_config *cfg = s->cfg;
	const struct oci_linux *l = &cfg->linux_;
	bool userns = l->namespaces[OCI_NS_USER].present;
	int rootfd = -1;

	if (!l->namespaces[OCI_NS_MOUNT].present) {
		*ret_rootfd = -1;
		return 0;
	}
	if (chdir(s->bundle) < 0)
		return berth_error_set(err, errno, "chdir to bundle '%s'", s->bundle);
	if (rt_rootfs_prepare(s->rootfs, &rootfd, err) < 0)
		return -1;
	*ret_rootfd = rootfd;
	if (rt_mounts_apply(rootfd, cfg, s->cg, userns, err) < 0)
		return -1;
	if (rt_devices_setup(rootfd, l->devices, l->n_devices, !dev_is_bound(cfg), userns, err) < 0)
		return -1;
	log_debug("mounts and devices ready");
	return 0;
}

static int run_hooks(struct rt_spawn *s, int sock, pid_t host_pid, struct berth_error **err)
{
	const struct oci_hooks *h = &s->cfg->hooks;
	_cleanup_free_ char *state = NULL;

	/* hooks may fork: they run inside the container's cgroup */
	if (rt_child_wait_cgroup(s, sock, err) < 0)
		return -1;
	if (h->n[OCI_HOOK_PRESTART] || h->n[OCI_HOOK_CREATE_RUNTIME]) {
		if (rt_msg_send(sock, RT_MSG_HOOKS, 0, NULL, -1, err) < 0 ||
		    rt_msg_expect(sock, RT_MSG_HOOKS_DONE, NULL, err) < 0)
			return -1;
	}
	if (!h->n[OCI_HOOK_CREATE_CONTAINER])
		return 0;
	s->record->pid = host_pid;
	state = rt_record_state_json(s->record, "creating", s->cfg);
	return rt_hooks_run(h, OCI_HOOK_CREATE_CONTAINER, state, err);
}

static int enter_root(struct rt_spawn *s, int rootfd, struct berth_error **err)
{
	const struct oci_linux *l = &s->cfg->linux_;

	if (rootfd < 0) {
		/* no mount namespace: the best we can do is chroot (after sysctl, through the host's /proc) */
		if (rt_sysctl_apply(l->sysctl, l->n_sysctl, err) < 0)
			return -1;
		if (chroot(s->rootfs) < 0 || chdir("/") < 0)
			return berth_error_set(err, errno, "chroot to '%s'", s->rootfs);
		return 0;
	}
	if (rt_rootfs_pivot(rootfd, s->no_pivot, l->rootfs_propagation_flags, err) < 0)
		return -1;
	/* sysctl before readonlyPaths: /proc/sys is usually one of them */
	if (rt_sysctl_apply(l->sysctl, l->n_sysctl, err) < 0)
		return -1;
	if (rt_paths_readonly(l->readonly_paths, err) < 0 || rt_paths_mask(l->masked_paths, err) < 0)
		return -1;
	return rt_rootfs_finish(s->cfg, err);
}

/* A session keyring of the container's own, so keys of the host session do not leak in (as runc). */
static void join_session_keyring(const struct rt_spawn *s)
{
	if (s->no_new_keyring)
		return;
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, s->id) < 0 && errno != ENOSYS)
		log_debug("join session keyring: %s", strerror(errno));
}

static int set_oom_score_adj(const struct oci_process *p, struct berth_error **err)
{
	char v[16];

	if (!p->has_oom_score_adj)
		return 0;
	snprintf(v, sizeof(v), "%d", p->oom_score_adj);
	return fs_write_string_at(AT_FDCWD, "/proc/self/oom_score_adj", v, err);
}

void rt_init_child(struct rt_spawn *s, int sock, int nsfds[OCI_NS_COUNT])
{
	struct berth_error *err = NULL;
	struct rt_msg go;
	int rootfd = -1, start_fd = -1;

	/* die with the parent while it still drives us; cleared before READY */
	if (!s->orphaned)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (rt_msg_recv(sock, &go, NULL, &err) < 0 || go.type != RT_MSG_GO)
		_exit(1);
	if (s->cg_self && cg_self_enter_child(&s->cg_fds) < 0)
		rt_msg_fail(sock, (berth_error_set(&err, errno, "enter the container's cgroups"), err));
	if (s->fifo_path) {
		/* opened before pivot_root, while the state directory is reachable */
		start_fd = open(s->fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (start_fd < 0)
			rt_msg_fail(sock, (berth_error_set(&err, errno, "open '%s'", s->fifo_path), err));
	}
	if (setup_namespaces(s, sock, nsfds, &err) < 0)
		rt_msg_fail(sock, err);
	log_debug("namespaces ready");
	join_session_keyring(s);
	if (setup_rootfs(s, sock, &rootfd, &err) < 0 || run_hooks(s, sock, (pid_t)go.code, &err) < 0 ||
	    enter_root(s, rootfd, &err) < 0 || set_oom_score_adj(s->proc, &err) < 0)
		rt_msg_fail(sock, err);
	log_debug("container root ready");
	if (rootfd >= 0)
		close(rootfd);
	if (setsid() < 0 && errno != EPERM)
		rt_msg_fail(sock, (berth_error_set(&err, errno, "setsid"), err));
	rt_process_exec(s, sock, start_fd);
}
