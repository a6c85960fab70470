/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One healthcheck probe: the test run inside the container through the
 * runtime library with its output captured, killed at the timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/health_internal.h"
#include "runtime/runtime.h"
#include "sys/sys.h"

#define NS_PER_SEC 1000000000LL

int64_t health_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* Go's time.Duration.String() for the timeout message: "30s", "1.5s", "500ms", "1m30s". */
static char *go_duration(int64_t ns)
{
	char frac[16] = "";
	int64_t h = ns / (3600 * NS_PER_SEC), m = ns / (60 * NS_PER_SEC) % 60, s = ns / NS_PER_SEC % 60;
	int64_t sub = ns % NS_PER_SEC;

	if (ns < NS_PER_SEC) {
		int64_t unit = ns >= 1000000 ? 1000000 : ns >= 1000 ? 1000 : 1;
		const char *name = unit == 1000000 ? "ms" : unit == 1000 ? "µs" : "ns";

		snprintf(frac, sizeof(frac), ".%0*" PRId64, unit == 1000000 ? 6 : 3, ns % unit);
		for (size_t n = strlen(frac); n > 0 && (frac[n - 1] == '0' || frac[n - 1] == '.'); n--)
			frac[n - 1] = '\0';
		return xasprintf("%" PRId64 "%s%s", ns / unit, unit == 1 ? "" : frac, name);
	}
	if (sub) {
		snprintf(frac, sizeof(frac), ".%09" PRId64, sub);
		for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	if (h)
		return xasprintf("%" PRId64 "h%" PRId64 "m%" PRId64 "%ss", h, m, s, frac);
	if (m)
		return xasprintf("%" PRId64 "m%" PRId64 "%ss", m, s, frac);
	return xasprintf("%" PRId64 "%ss", s, frac);
}

bool health_sleep(struct health_checker *k, int64_t ns)
{
	int64_t end = health_now_ns(CLOCK_MONOTONIC) + ns;

	for (;;) {
		int64_t left = end - health_now_ns(CLOCK_MONOTONIC);
		struct pollfd p = {k->init_pidfd, POLLIN, 0};
		int ms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);

		if (k->init_pidfd < 0 && kill(k->init_pid, 0) < 0 && errno == ESRCH)
			return false;
		if (left <= 0)
			return true;
		if (k->init_pidfd < 0 && ms > 200)
			ms = 200;
		if (poll(&p, 1, ms) > 0 && p.revents)
			return false;
	}
}

/*
 * Read once from fd, keeping up to ENG_HEALTH_OUTPUT_MAX bytes in out (the
 * rest is dropped). 1: read something, 0: EOF or error, -1: nothing yet.
 */
static int read_some(int fd, char *out, size_t *len)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n <= 0)
		return 0;
	if (*len < ENG_HEALTH_OUTPUT_MAX) {
		size_t take = (size_t)n < ENG_HEALTH_OUTPUT_MAX - *len ? (size_t)n : ENG_HEALTH_OUTPUT_MAX - *len;

		memcpy(out + *len, buf, take);
		*len += take;
	}
	return 1;
}

/*
 * Read the probe's output until it exits, killing it at the timeout
 * (*ret_timed_out). Its background children may hold the pipe: after the
 * exit only what is buffered is taken. Returns the exit code.
 */
static int collect(struct health_checker *k, pid_t pid, int fd, char *out, size_t *len, bool *ret_timed_out)
{
	int64_t deadline = health_now_ns(CLOCK_MONOTONIC) + k->cfg->timeout_ns;
	_cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
	bool exited = false;
	int status = 0;

	while (!exited) {
		int64_t left = deadline - health_now_ns(CLOCK_MONOTONIC);
		struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
		int ms = (int)(left / 1000000) + 1;

		if (left <= 0)
			break;
		if (pidfd < 0 && ms > 100)
			ms = 100; /* no pidfd (before Linux 5.3): look every 100 ms */
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			break;
		if (fd >= 0 && p[0].revents && read_some(fd, out, len) == 0)
			fd = -1; /* EOF: the caller closes it */
		exited = pidfd >= 0 ? p[1].revents != 0 : waitpid(pid, &status, WNOHANG) == pid;
	}
	*ret_timed_out = !exited;
	if (!exited)
		kill(pid, SIGKILL);
	else if (fd >= 0) {
		/* what is buffered, without waiting */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		while (read_some(fd, out, len) > 0)
			;
	}
	if (pidfd >= 0 || !exited)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return proc_status_to_code(status);
}

static pid_t read_pid_file(const char *path)
{
	_cleanup_free_ char *s = NULL;
	int v = 0;

	if (fs_read_file_at(AT_FDCWD, path, &s, NULL, NULL) < 0 || parse_int(s, &v) < 0)
		v = 0;
	unlink(path);
	return (pid_t)v;
}

void health_probe(struct health_checker *k, struct eng_health_result *res, char *out)
{
	struct rt_global g = {.root = k->rt_root};
	struct rt_exec_opts o = {.args = k->cfg->argv, .detach = true, .pid_file = k->pid_file};
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *limit = NULL;
	int p[2] = {-1, -1}, status = 0, rc;
	size_t len = 0;
	pid_t pid = 0;
	bool timed_out = false;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	res->start_sec = ts.tv_sec, res->start_nsec = (int32_t)ts.tv_nsec;
	/* rt_exec's process inherits our fds 0-2: the pipe is its stdout and stderr */
	rc = pipe2(p, O_CLOEXEC) < 0 ? berth_error_set(&err, errno, "pipe") : 0;
	if (rc == 0 && (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0))
		rc = berth_error_set(&err, errno, "dup2");
	if (rc == 0)
		rc = rt_exec(&g, k->id, &o, &status, &err);
	dup2(k->null_fd, 1);
	dup2(k->null_fd, 2);
	if (p[1] >= 0)
		close(p[1]);
	if (rc == 0 && (pid = read_pid_file(k->pid_file)) <= 0)
		rc = berth_error_set(&err, 0, "exec: no pid");
	if (rc < 0) {
		res->exit_code = -1;
		snprintf(out, ENG_HEALTH_OUTPUT_MAX + 1, "%s", err ? err->msg : "exec failed");
	} else {
		res->exit_code = collect(k, pid, p[0], out, &len, &timed_out);
		out[len] = '\0';
		if (timed_out) {
			/* Docker's result for a probe it killed */
			limit = go_duration(k->cfg->timeout_ns);
			res->exit_code = -1;
			snprintf(out, ENG_HEALTH_OUTPUT_MAX + 1, "Health check exceeded timeout (%s)", limit);
		}
	}
	if (p[0] >= 0)
		close(p[0]);
	res->output = out;
	clock_gettime(CLOCK_REALTIME, &ts);
	res->end_sec = ts.tv_sec, res->end_nsec = (int32_t)ts.tv_nsec;
}
