/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker start: spawn the container's monitor (berth's hidden
 * container-monitor command, double-forked and setsid, so it outlives the
 * CLI) and wait on a pipe until it says the process runs, or why not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

extern char **environ;

/* How long a start waits for another start of the container (a monitor reports within seconds). */
#define LOCK_WAIT_MS 60000
#define LOCK_POLL_MS 20

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Whether path is the binary this process runs (the overlay executes that one). */
static bool is_running_binary(const char *path)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	return strcmp(self, path) == 0;
}

/*
 * In the grandchild: stdio on /dev/null, the ready pipe as fd 3, then exec
 * the monitor, through the runtime's read-only overlay (CVE-2019-5736: the
 * container's init is a clone of the monitor), so that the monitor does not
 * re-execute itself; straight when that cannot be done (it then protects
 * itself with a sealed copy).
 */
static void exec_monitor(const struct eng_start_opts *o, const char *id, int ready_fd, const char *scratch)
{
	char **argv = NULL;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	if (ready_fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(ready_fd, 3) < 0)
		_exit(127);
	strv_push(&argv, o->self);
	for (size_t i = 0; o->global_args && o->global_args[i]; i++)
		strv_push(&argv, o->global_args[i]);
	strv_push(&argv, "container-monitor");
	strv_push(&argv, "--ready-fd=3");
	if (o->attach_wait)
		strv_push(&argv, "--attach-wait");
	strv_push(&argv, id);
	if (is_running_binary(o->self))
		rt_exec_from_overlay(argv, environ, scratch, NULL);
	execv(o->self, argv);
	_exit(127);
}

/* fork, setsid, fork: the monitor belongs to no terminal and is nobody's child but init's (or a subreaper's). */
static int spawn(const struct eng_start_opts *o, const char *id, int ready_wr, const char *scratch,
		 struct berth_error **err)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return berth_error_set(err, errno, "fork the monitor");
	if (pid == 0) {
		sigset_t all;

		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (setsid() < 0)
			_exit(127);
		pid = fork();
		if (pid < 0)
			_exit(127);
		if (pid == 0)
			exec_monitor(o, id, ready_wr, scratch);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* Read the monitor's one line: "ok" or "error: MESSAGE"; EOF first means it died. */
static int await_ready(int fd, const char *name, struct berth_error **err)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "read from the monitor of '%s'", name);
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "ok"))
		return 0;
	if (!strncmp(buf, "error: ", 7))
		return berth_error_set(err, 0, "%s", buf + 7);
	return berth_error_set(err, 0, "the monitor of container '%s' exited before starting it", name);
}

int eng_ctr_start_lock(struct eng *e, const char *id, int *ret_fd, struct berth_error **err)
{
	_cleanup_free_ char *rundir = eng_ctr_rundir(e, id), *path = NULL;
	_cleanup_close_ int fd = -1;

	if (fs_mkdir_p_at(AT_FDCWD, rundir, 0700, err) < 0)
		return -1;
	path = fs_path_join(rundir, "start.lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	if (fd < 0)
		return berth_error_set(err, errno, "open lock '%s'", path);
	for (int waited = 0;; waited += LOCK_POLL_MS) {
		_cleanup_ctr_ struct eng_ctr *c = NULL;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*ret_fd = TAKE_FD(fd);
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR)
			return berth_error_set(err, errno, "lock '%s'", path);
		/* another start is under way */
		if (eng_ctr_find(e, id, &c, err) < 0)
			return -1;
		if (eng_ctr_is_running(c)) {
			*ret_fd = -1;
			return 0;
		}
		if (waited >= LOCK_WAIT_MS)
			return berth_error_set(err, 0, "container %s: timed out waiting for another start of it",
					       c->name);
		sleep_ms(LOCK_POLL_MS);
	}
}

int eng_ctr_start(struct eng *e, const char *name, const struct eng_start_opts *o, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL, *now = NULL;
	_cleanup_close_ int lock = -1;
	int fds[2];
	int rc;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (eng_ctr_is_running(c))
		return 0;
	/* one start at a time: a second one finds the container running */
	if (eng_ctr_start_lock(e, c->id, &lock, err) < 0)
		return -1;
	if (lock < 0)
		return 0;
	if (eng_ctr_find(e, c->id, &now, err) < 0)
		return -1;
	if (!strcmp(eng_ctr_status(now), ENG_STATUS_REMOVING))
		return berth_error_set(err, 0, "container %s is marked for removal and cannot be started", name);
	/* a monitor killed while it started the container may have left its mounts and runtime state */
	eng_ctr_release(e, now->id, now->doc);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "pipe");
	rc = spawn(o, now->id, fds[1], e->runroot, err);
	close(fds[1]);
	if (rc == 0)
		rc = await_ready(fds[0], name, err);
	close(fds[0]);
	return rc;
}

int eng_start_error_code(const char *msg)
{
	if (strstr(msg, "not found") || strstr(msg, "No such file or directory"))
		return 127;
	if (strstr(msg, "ermission denied") || strstr(msg, "s a directory") || strstr(msg, "xec format error"))
		return 126;
	return 125;
}
