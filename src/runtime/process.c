/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The last steps of every container process (init and exec): terminal, cwd,
 * executable lookup, READY, the wait for start, rlimits, identity, no_new_privs,
 * closing every inherited fd, seccomp, execve.
 *
 * The seccomp filter is compiled before READY and installed as late as it can
 * be: with no_new_privs right before execve, so that only execve itself must
 * get through it; without, it needs CAP_SYS_ADMIN and so goes in before the
 * identity change (as runc), and what follows must get through it too:
 * prctl, setgroups, setresgid, setresuid, capset, umask, close_range (or
 * fcntl), execve, and sendmsg for an error report. Docker's profile allows them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/core.h"
#include "runtime/internal.h"
#include "runtime/proto.h"
#include "sys/sys.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Whether path is a regular file we may execute; errno says why not (EISDIR for a directory, as runc). */
static bool is_executable_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return false;
	}
	return access(path, X_OK) == 0;
}

int rt_find_executable(const char *file, char *const *env, char **ret, struct berth_error **err)
{
	const char *path = strv_env_get(env, "PATH");
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;

	if (strchr(file, '/')) {
		errno = 0;
		if (!is_executable_file(file))
			return berth_error_set(err, errno ? errno : EACCES, "exec: '%s'", file);
		*ret = xstrdup(file);
		return 0;
	}
	dirs = xstrdup(path ? path : DEFAULT_PATH);
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = fs_path_join(*d ? d : ".", file);
		if (is_executable_file(cand)) {
			*ret = TAKE_PTR(cand);
			return 0;
		}
	}
	return berth_error_set(err, 0, "exec: '%s': executable file not found in $PATH", file);
}

static int setup_terminal(struct rt_spawn *s, int sock, struct berth_error **err)
{
	const struct oci_process *p = s->proc;
	_cleanup_close_ int master = -1, slave = -1;

	if (!p->terminal)
		return 0;
	if (setsid() < 0 && errno != EPERM)
		return berth_error_set(err, errno, "setsid");
	if (rt_terminal_open(p->has_console_size ? p->console_height : 0, p->has_console_size ? p->console_width : 0,
			     &master, &slave, err) < 0)
		return -1;
	if (rt_msg_send(sock, RT_MSG_PTY, 0, NULL, master, err) < 0)
		return -1;
	return rt_terminal_make_controlling(slave, err);
}

/* Block until `start` writes to the exec fifo (create), or the parent sends START (run, exec). */
static int wait_for_start(int sock, int start_fd, struct berth_error **err)
{
	char c;

	if (start_fd < 0)
		return rt_msg_expect(sock, RT_MSG_START, NULL, err);
	for (;;) {
		struct pollfd pfd = {.fd = start_fd, .events = POLLIN};
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return berth_error_set(err, errno, "wait for start");
		if (read(start_fd, &c, 1) == 1)
			break;
	}
	close(start_fd);
	return 0;
}

static int keep_fds(int preserve_fds, struct berth_error **err)
{
	/* CVE-2024-21626: nothing of the runtime's may reach the container */
	if (sys_cloexec_from(3 + preserve_fds) < 0)
		return berth_error_set(err, errno, "mark fds close-on-exec");
	for (int fd = 3; fd < 3 + preserve_fds; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	return 0;
}

/* Write to the first /proc/self/attr file that exists: the LSM-specific one, then the shared one. */
static int write_attr(const char *specific, const char *value, struct berth_error **err)
{
	if (fs_write_string_at(AT_FDCWD, specific, value, NULL) == 0)
		return 0;
	return fs_write_string_at(AT_FDCWD, "/proc/self/attr/exec", value, err);
}

/* AppArmor profile and SELinux label for the next execve; a warning where the LSM is missing. */
static int apply_lsm(const struct oci_process *p, struct berth_error **err)
{
	_cleanup_free_ char *enabled = NULL, *exec = NULL;

	if (p->apparmor_profile && *p->apparmor_profile) {
		if (fs_read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", &enabled, NULL, NULL) < 0 ||
		    enabled[0] != 'Y') {
			log_warn("apparmor profile '%s' requested but AppArmor is not enabled, ignoring",
				 p->apparmor_profile);
		} else {
			exec = xasprintf("exec %s", p->apparmor_profile);
			if (write_attr("/proc/self/attr/apparmor/exec", exec, err) < 0)
				return berth_error_wrap(err, "apparmor profile '%s'", p->apparmor_profile);
		}
	}
	if (p->selinux_label && *p->selinux_label) {
		if (access("/sys/fs/selinux/enforce", F_OK) < 0)
			log_warn("selinux label '%s' requested but SELinux is not enabled, ignoring", p->selinux_label);
		else if (write_attr("/proc/self/attr/selinux/exec", p->selinux_label, err) < 0)
			return berth_error_wrap(err, "selinux label '%s'", p->selinux_label);
	}
	return 0;
}

/* Load the filter; a SCMP_ACT_NOTIFY one's listener fd goes to the parent (SECCOMP message). */
static int load_seccomp(int sock, const struct rt_seccomp *filter, struct berth_error **err)
{
	int listener = -1, rc;

	if (rt_seccomp_load(filter, &listener, err) < 0)
		return -1;
	if (listener < 0)
		return 0;
	rc = rt_msg_send(sock, RT_MSG_SECCOMP, 0, NULL, listener, err);
	close(listener);
	return rc;
}

int rt_child_wait_cgroup(struct rt_spawn *s, int sock, struct berth_error **err)
{
	if (s->in_cgroup)
		return 0;
	if (rt_msg_expect(sock, RT_MSG_CGROUP, NULL, err) < 0)
		return -1;
	s->in_cgroup = true;
	return 0;
}

void rt_process_exec(struct rt_spawn *s, int sock, int start_fd)
{
	const struct oci_process *p = s->proc;
	struct berth_error *err = NULL;
	const struct oci_seccomp *sc = s->cfg->linux_.seccomp;
	_cleanup_free_ char *exe = NULL;
	const struct rt_seccomp *filter = &s->filter;
	bool setgroups = true;

	if (setup_terminal(s, sock, &err) < 0)
		rt_msg_fail(sock, err);
	/* as runc: a missing cwd is created (Docker's -w /new/dir relies on it) */
	if (chdir(p->cwd ? p->cwd : "/") < 0 &&
	    (errno != ENOENT || fs_mkdir_p_at(AT_FDCWD, p->cwd, 0755, NULL) < 0 || chdir(p->cwd) < 0))
		rt_msg_fail(sock, (berth_error_set(&err, errno, "chdir to cwd '%s'", p->cwd), err));
	if (rt_find_executable(p->args[0], p->env, &exe, &err) < 0)
		rt_msg_fail(sock, err);
	if (rt_child_wait_cgroup(s, sock, &err) < 0)
		rt_msg_fail(sock, err);
	if (s->cfg->linux_.namespaces[OCI_NS_USER].present) {
		_cleanup_free_ char *sg = NULL;
		setgroups = fs_read_file_at(AT_FDCWD, "/proc/self/setgroups", &sg, NULL, NULL) < 0 ||
			    strncmp(sg, "deny", 4) != 0;
	}
	/* before the uid change: /proc/self/attr must still be ours to write */
	if (apply_lsm(p, &err) < 0 || rt_rlimits_apply(p->rlimits, p->n_rlimits, &err) < 0)
		rt_msg_fail(sock, err);
	if (sc && !p->no_new_privileges && load_seccomp(sock, filter, &err) < 0)
		rt_msg_fail(sock, err);
	if (rt_identity_apply(&p->user, p->has_capabilities ? &p->caps : NULL, setgroups, &err) < 0)
		rt_msg_fail(sock, err);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rt_msg_fail(sock, (berth_error_set(&err, errno, "set no_new_privs"), err));
	/* a notify filter hands its listener to the parent, which is gone after READY */
	if (sc && p->no_new_privileges && filter->notify && load_seccomp(sock, filter, &err) < 0)
		rt_msg_fail(sock, err);
	/*
	 * Everything that can fail is done before READY (as runc does before its
	 * exec fifo): after it, `create` has returned and nobody reads our errors.
	 * From here on the parent may exit: we must outlive it.
	 */
	prctl(PR_SET_PDEATHSIG, 0);
	if (rt_msg_send(sock, RT_MSG_READY, 0, NULL, -1, &err) < 0 || wait_for_start(sock, start_fd, &err) < 0)
		_exit(1);
	if (!s->is_exec && s->cfg->hooks.n[OCI_HOOK_START_CONTAINER]) {
		/* runc reports "created": start has not finished yet */
		_cleanup_free_ char *state = rt_record_state_json(s->record, "created", s->cfg);
		if (rt_hooks_run(&s->cfg->hooks, OCI_HOOK_START_CONTAINER, state, &err) < 0)
			rt_msg_fail(sock, err);
	}
	if (keep_fds(s->preserve_fds, &err) < 0)
		rt_msg_fail(sock, err);
	if (sc && p->no_new_privileges && !filter->notify && rt_seccomp_load(filter, NULL, &err) < 0)
		rt_msg_fail(sock, err);
	execve(exe, p->args, p->env ? p->env : (char *[]){NULL});
	rt_msg_fail(sock, (berth_error_set(&err, errno, "exec '%s'", exe), err));
}
