/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth ns enter: a host binary run inside a running container's namespaces,
 * as nsenter -t PID does: setns on fds of /proc/PID/ns, then exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

extern char **environ;

/* nsenter's order: user first (it grants the rights over the others), mount late. */
static const enum eng_ns_type enter_order[] = {ENG_NS_USER, ENG_NS_CGROUP, ENG_NS_IPC, ENG_NS_UTS,
					       ENG_NS_NET,  ENG_NS_PID,	   ENG_NS_MNT, ENG_NS_TIME};

static const int clone_flags[ENG_NS_COUNT] = {
	[ENG_NS_MNT] = CLONE_NEWNS,	   [ENG_NS_PID] = CLONE_NEWPID,	  [ENG_NS_UTS] = CLONE_NEWUTS,
	[ENG_NS_IPC] = CLONE_NEWIPC,	   [ENG_NS_NET] = CLONE_NEWNET,	  [ENG_NS_USER] = CLONE_NEWUSER,
	[ENG_NS_CGROUP] = CLONE_NEWCGROUP, [ENG_NS_TIME] = CLONE_NEWTIME,
};

struct enter_plan {
	int fds[ENG_NS_COUNT]; /* -1: not entered (not asked for, or already ours) */
	unsigned entered;      /* mask of the namespaces with an fd */
	char *path;	       /* the host binary */
	int exe_fd;	       /* O_PATH fd of it when the mount namespace is entered, else -1 */
};

/* What the child writes on the report pipe when a step fails; nothing when the exec worked. */
enum enter_step { STEP_SETNS, STEP_CREDS, STEP_FORK, STEP_EXEC };
struct enter_failure {
	int step;
	int type;
	int errnum;
};

static void plan_done(struct enter_plan *p)
{
	for (unsigned t = 0; t < ENG_NS_COUNT; t++)
		if (p->fds[t] >= 0)
			close(p->fds[t]);
	if (p->exe_fd >= 0)
		close(p->exe_fd);
	free(p->path);
}

/* The binary as execvp would find it, on the caller's PATH. */
static int resolve_binary(const char *name, char **ret, struct berth_error **err)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = NULL;
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			return berth_error_set(err, errno, "exec: '%s'", name);
		*ret = xstrdup(name);
		return 0;
	}
	copy = xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			*ret = TAKE_PTR(cand);
			return 0;
		}
	}
	return berth_error_set(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/* Open /proc/PID/ns/TYPE for each asked type that is not the caller's own already. */
static int open_namespaces(pid_t pid, unsigned types, const char *name, struct enter_plan *p, struct berth_error **err)
{
	for (unsigned t = 0; t < ENG_NS_COUNT; t++) {
		uint64_t ino = eng_ns_inode("/proc", pid, t);
		_cleanup_free_ char *path = xasprintf("/proc/%d/ns/%s", (int)pid, eng_ns_type_name(t));
		struct stat st;

		/* "all": the types this kernel has */
		if (!(types & ENG_NS_MASK(t)) || (!ino && types == ENG_NS_MASK_ALL))
			continue;
		if (!ino)
			return berth_error_set(err, 0, "the %s namespace of '%s': cannot read '%s'",
					       eng_ns_type_name(t), name, path);
		/* setns into the user namespace we are in fails (EINVAL); the others would be no-ops */
		if (ino == eng_ns_inode("/proc", getpid(), t))
			continue;
		p->fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (p->fds[t] < 0)
			return berth_error_set(err, errno, "open '%s'", path);
		/* the pid may have been reused since its link was read */
		if (fstat(p->fds[t], &st) < 0 || (uint64_t)st.st_ino != ino)
			return berth_error_set(err, 0, "the %s namespace of '%s' changed while opening it",
					       eng_ns_type_name(t), name);
		p->entered |= ENG_NS_MASK(t);
	}
	return 0;
}

static __attribute__((noreturn)) void child_fail(int report, enum enter_step step, int type, int errnum)
{
	struct enter_failure f = {.step = step, .type = type, .errnum = errnum};
	ssize_t n = write(report, &f, sizeof(f));

	(void)n;
	_exit(125);
}

/* uid and gid 0 in the user namespace just entered, as nsenter does without --preserve-credentials. */
static int become_root(void)
{
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return -1;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -1;
	return 0;
}

static __attribute__((noreturn)) void child_exec(const struct enter_plan *p, char *const *argv, int report)
{
	/* the path may not exist in the container's mount namespace: exec the fd opened before it */
	if (p->exe_fd >= 0)
		execveat(p->exe_fd, "", argv, environ, AT_EMPTY_PATH);
	else
		execve(p->path, argv, environ);
	child_fail(report, STEP_EXEC, -1, errno);
}

/* The first child: enter, then exec, or fork once more so that the command is in the pid/time namespaces. */
static __attribute__((noreturn)) void child_run(const struct enter_plan *p, char *const *argv, int report)
{
	pid_t pid;
	int status;

	for (size_t i = 0; i < sizeof(enter_order) / sizeof(enter_order[0]); i++) {
		enum eng_ns_type t = enter_order[i];

		if (p->fds[t] < 0)
			continue;
		if (setns(p->fds[t], clone_flags[t]) < 0)
			child_fail(report, STEP_SETNS, t, errno);
		if (t == ENG_NS_USER && become_root() < 0)
			child_fail(report, STEP_CREDS, t, errno);
	}
	if (!(p->entered & (ENG_NS_MASK(ENG_NS_PID) | ENG_NS_MASK(ENG_NS_TIME))))
		child_exec(p, argv, report);
	pid = fork();
	if (pid < 0)
		child_fail(report, STEP_FORK, -1, errno);
	if (pid == 0)
		child_exec(p, argv, report);
	close(report);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	_exit(proc_status_to_code(status));
}

static int failure_error(const struct enter_failure *f, const struct enter_plan *p, char *const *argv, const char *name,
			 struct berth_error **err)
{
	switch (f->step) {
	case STEP_SETNS:
		return berth_error_set(err, f->errnum, "enter the %s namespace of '%s'",
				       eng_ns_type_name((enum eng_ns_type)f->type), name);
	case STEP_CREDS:
		return berth_error_set(err, f->errnum, "become root in the user namespace of '%s'", name);
	case STEP_FORK:
		return berth_error_set(err, f->errnum, "fork into the pid namespace of '%s'", name);
	default:
		if (f->errnum == ENOENT && (p->entered & ENG_NS_MASK(ENG_NS_MNT)))
			return berth_error_set(err, 0,
					       "exec '%s' in the namespaces of '%s': No such file or directory (a "
					       "dynamically linked host binary needs its loader and libraries in the "
					       "container's mount namespace; a static one does not)",
					       argv[0], name);
		return berth_error_set(err, f->errnum, "exec '%s' in the namespaces of '%s'", argv[0], name);
	}
}

/* Fork the child, read its report, wait for it; SIGINT/SIGQUIT are the command's while it runs. */
static int run_plan(const struct enter_plan *p, char *const *argv, const char *name, int *ret_code,
		    struct berth_error **err)
{
	struct enter_failure f;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return berth_error_set(err, errno, "pipe");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return berth_error_set(err, errno, "fork");
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_run(p, argv, pipefd[1]);
	}
	close(pipefd[1]);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	do
		n = read(pipefd[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (n == (ssize_t)sizeof(f))
		return failure_error(&f, p, argv, name, err);
	*ret_code = proc_status_to_code(status);
	return 0;
}

int eng_ns_enter(struct eng *e, const char *name, unsigned types, char *const *argv, int *ret_code,
		 struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	struct enter_plan p = {.exe_fd = -1};
	pid_t pid;
	int rc = -1;

	for (unsigned t = 0; t < ENG_NS_COUNT; t++)
		p.fds[t] = -1;
	if (!argv || !argv[0])
		return berth_error_set(err, 0, "no command specified");
	if (!(types & ENG_NS_MASK_ALL))
		return berth_error_set(err, 0, "no namespace to enter");
	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	pid = (pid_t)json_integer_value(json_object_get(c->state, "Pid"));
	if (!eng_ctr_is_running(c) || pid <= 0)
		return berth_error_set(err, 0, "container %s is not running", c->name);
	if (open_namespaces(pid, types, c->name, &p, err) < 0 || resolve_binary(argv[0], &p.path, err) < 0)
		goto out;
	if (p.entered & ENG_NS_MASK(ENG_NS_MNT)) {
		p.exe_fd = open(p.path, O_PATH | O_CLOEXEC);
		if (p.exe_fd < 0) {
			berth_error_set(err, errno, "open '%s'", p.path);
			goto out;
		}
	}
	rc = run_plan(&p, argv, c->name, ret_code, err);
out:
	plan_done(&p);
	return rc;
}
