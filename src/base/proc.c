/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Processes: run a program with stdin data and a timeout (hooks), pid
 * liveness from /proc/PID/stat, and flock-based lock files.
 */
#include "base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

int proc_status_to_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	if (WIFSTOPPED(wstatus))
		return 128 + WSTOPSIG(wstatus);
	return wstatus;
}

/* In the child, after fork: only async-signal-safe calls. Reports the exec errno on errfd. */
static _Noreturn void run_child(const char *path, char *const argv[], char *const envp[], int stdin_fd, int errfd)
{
	static char *const empty_env[] = {NULL};
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (stdin_fd < 0)
		stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (stdin_fd < 0)
		goto fail;
	/* dup2 onto itself keeps FD_CLOEXEC: clear it by hand then */
	if (stdin_fd == STDIN_FILENO ? fcntl(stdin_fd, F_SETFD, 0) < 0 : dup2(stdin_fd, STDIN_FILENO) < 0)
		goto fail;
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		goto fail;
	/* nothing of ours leaks into the program: every fd above stderr goes at exec */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		long max = sysconf(_SC_OPEN_MAX);
		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			if (fd != errfd)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	execve(path, argv, envp ? envp : empty_env);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* the parent sees a 127 exit without a reason */
	}
	_exit(127);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct run_io {
	pid_t pid;
	int pidfd;	  /* -1 when pidfd_open is unavailable: then poll in 10ms steps */
	int in_fd;	  /* write end of the child's stdin, -1 when done */
	const char *data; /* what is left to write */
	size_t len;
	long long deadline; /* CLOCK_MONOTONIC ms, 0 for none */
};

/* Write what the pipe takes now; a reader that went away just ends the input. */
static void run_feed_stdin(struct run_io *io)
{
	while (io->len > 0) {
		ssize_t n = write(io->in_fd, io->data, io->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			break;
		io->data += n;
		io->len -= (size_t)n;
	}
	close(io->in_fd);
	io->in_fd = -1;
}

/* Wait for the child while feeding its stdin. 0 with *status, or -1 with errno (ETIMEDOUT). */
static int run_wait(struct run_io *io, int *status)
{
	for (;;) {
		struct pollfd pfd[2] = {{.fd = io->pidfd, .events = POLLIN}, {.fd = io->in_fd, .events = POLLOUT}};
		int timeout = io->pidfd >= 0 ? -1 : 10;
		pid_t r;

		r = waitpid(io->pid, status, WNOHANG);
		if (r == io->pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (io->deadline) {
			long long left = io->deadline - now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			if (timeout < 0 || left < timeout)
				timeout = (int)(left > INT32_MAX ? INT32_MAX : left);
		}
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return -1;
		if (io->in_fd >= 0 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP)))
			run_feed_stdin(io);
	}
}

/* Fork and exec; fills io->pid and io->in_fd. The exec error, if any, comes back through *errfd. */
static int run_spawn(const char *path, char *const argv[], char *const envp[], bool with_stdin, struct run_io *io,
		     int *errfd)
{
	int in[2] = {-1, -1}, ep[2];

	if (pipe2(ep, O_CLOEXEC) < 0)
		return -1;
	if (with_stdin && pipe2(in, O_CLOEXEC) < 0)
		goto fail;
	io->pid = fork();
	if (io->pid < 0)
		goto fail;
	if (io->pid == 0)
		run_child(path, argv, envp, in[0], ep[1]);
	close(ep[1]);
	*errfd = ep[0];
	if (with_stdin) {
		close(in[0]);
		io->in_fd = in[1];
		fcntl(io->in_fd, F_SETFL, O_NONBLOCK);
	}
	return 0;
fail:
	cleanup_closep(&in[0]);
	cleanup_closep(&in[1]);
	cleanup_closep(&ep[0]);
	cleanup_closep(&ep[1]);
	return -1;
}

/* Read the child's exec errno: 0 when exec succeeded (the pipe closed on exec). */
static int run_exec_errno(int errfd)
{
	int e = 0;
	ssize_t n;

	do
		n = read(errfd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == sizeof(e) ? e : 0;
}

int proc_run(const char *path, char *const argv[], char *const envp[], const char *stdin_data, int timeout_sec,
	     int *ret_code, struct berth_error **err)
{
	struct run_io io = {.pidfd = -1, .in_fd = -1, .data = stdin_data, .len = stdin_data ? strlen(stdin_data) : 0};
	_cleanup_close_ int errfd = -1;
	sigset_t pipe_set, old_set, pending;
	bool pipe_was_pending;
	int status = 0, r, e;

	if (timeout_sec > 0)
		io.deadline = now_ms() + (long long)timeout_sec * 1000;
	if (run_spawn(path, argv, envp, stdin_data != NULL, &io, &errfd) < 0)
		return berth_error_set(err, errno, "run '%s'", path);
	e = run_exec_errno(errfd);
	io.pidfd = pidfd_open(io.pid, 0);
	/* writing to a reader that exited raises SIGPIPE: take EPIPE instead, and drop our own SIGPIPE */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	pipe_was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
	r = e ? 0 : run_wait(&io, &status);
	if (r < 0) {
		e = errno;
		kill(io.pid, SIGKILL);
	}
	if (r < 0 || e) {
		while (waitpid(io.pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (!pipe_was_pending) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	cleanup_closep(&io.in_fd);
	cleanup_closep(&io.pidfd);
	if (e == ETIMEDOUT && r < 0) {
		berth_error_set(err, 0, "run '%s': timed out after %d seconds", path, timeout_sec);
		if (err && *err)
			(*err)->code = ETIMEDOUT;
		return -1;
	}
	if (e)
		return berth_error_set(err, e, "run '%s'", path);
	if (ret_code)
		*ret_code = proc_status_to_code(status);
	return 0;
}

/* State (field 3) and start time (field 22) of pid. 0 with *found = false when it does not exist. */
static int read_stat(pid_t pid, char *ret_state, unsigned long long *ret_start, bool *found, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	char path[64];
	const char *p;
	unsigned long long start;
	char *end;
	struct berth_error *e = NULL;

	*found = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0)
		return 0;
	if (fs_read_file_at(AT_FDCWD, path, &data, NULL, &e) < 0) {
		if (e->code != ENOENT && e->code != ESRCH)
			return berth_error_move(err, &e);
		berth_error_free(&e);
		return 0;
	}
	/* comm (field 2) is in parentheses and may hold spaces and ')': the last ')' ends it */
	p = strrchr(data, ')');
	if (!p || p[1] != ' ' || !p[2])
		return berth_error_set(err, EINVAL, "parse '%s'", path);
	*ret_state = p[2];
	p += 3;
	/* p is on the blank before field 4; step onto fields 4..22 */
	for (int field = 4; field <= 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return berth_error_set(err, EINVAL, "parse '%s'", path);
		p++;
	}
	errno = 0;
	start = strtoull(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
		return berth_error_set(err, EINVAL, "parse '%s'", path);
	*ret_start = start;
	*found = true;
	return 0;
}

int proc_start_time(pid_t pid, unsigned long long *ret, struct berth_error **err)
{
	unsigned long long start = 0;
	char state;
	bool found;

	if (read_stat(pid, &state, &start, &found, err) < 0)
		return -1;
	*ret = found ? start : 0;
	return 0;
}

bool proc_is_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long start = 0;
	char state = 0;
	bool found;

	if (read_stat(pid, &state, &start, &found, NULL) < 0 || !found)
		return false;
	/* a zombie has exited: only its exit status is left for the parent */
	if (state == 'Z' || state == 'X' || state == 'x')
		return false;
	return start_time == 0 || start == start_time;
}

static int lock_fd(int fd, const char *path, struct berth_error **err)
{
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return berth_error_set(err, e, "lock '%s'", path);
		}
	}
	return fd;
}

int lock_path(const char *path, struct berth_error **err)
{
	return lock_fd_at(AT_FDCWD, path, err);
}

int lock_fd_at(int dirfd, const char *name, struct berth_error **err)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);

	if (fd < 0)
		return berth_error_set(err, errno, "open lock '%s'", name);
	return lock_fd(fd, name, err);
}
