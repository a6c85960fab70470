/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The healthcheck process: forked by the monitor once the container runs, it
 * runs the probe inside the container through the runtime library every
 * interval, with a timeout, and records each result in State.Health.
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
#include "runtime/runtime.h"
#include "sys/sys.h"

#define NS_PER_SEC 1000000000LL

struct checker {
	struct eng *e;
	const char *id;
	const struct eng_health_config *cfg;
	pid_t init_pid;
	int init_pidfd; /* readable once the container's init is gone; -1: poll by pid */
	int null_fd;
	int64_t started; /* CLOCK_MONOTONIC ns at the container's start */
	char *rt_root, *pid_file;
};

static int64_t now_ns(clockid_t clk)
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

/* Wait ns; false when the container's init went away meanwhile. */
static bool sleep_or_exit(struct checker *k, int64_t ns)
{
	int64_t end = now_ns(CLOCK_MONOTONIC) + ns;

	for (;;) {
		int64_t left = end - now_ns(CLOCK_MONOTONIC);
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

/* Append what fd has to out (up to ENG_HEALTH_OUTPUT_MAX, the rest is dropped); false at EOF or error. */
static bool read_some(int fd, char *out, size_t *len)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (*len < ENG_HEALTH_OUTPUT_MAX) {
		size_t take = (size_t)n < ENG_HEALTH_OUTPUT_MAX - *len ? (size_t)n : ENG_HEALTH_OUTPUT_MAX - *len;

		memcpy(out + *len, buf, take);
		*len += take;
	}
	return true;
}

/* Take what is buffered in fd without waiting. */
static void drain(int fd, char *out, size_t *len)
{
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (*len < ENG_HEALTH_OUTPUT_MAX) {
			size_t take = (size_t)n < ENG_HEALTH_OUTPUT_MAX - *len ? (size_t)n : ENG_HEALTH_OUTPUT_MAX - *len;

			memcpy(out + *len, buf, take);
			*len += take;
		}
	}
}

/*
 * Read the probe's output until it exits, killing it at the timeout
 * (*ret_timed_out). Its background children may hold the pipe: after the
 * exit only what is buffered is taken. Returns the exit code.
 */
static int collect(struct checker *k, pid_t pid, int fd, char *out, size_t *len, bool *ret_timed_out)
{
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + k->cfg->timeout_ns;
	_cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
	bool exited = false;
	int status = 0;

	while (!exited) {
		int64_t left = deadline - now_ns(CLOCK_MONOTONIC);
		struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
		int ms = (int)(left / 1000000) + 1;

		if (left <= 0)
			break;
		if (pidfd < 0 && ms > 100)
			ms = 100; /* no pidfd (before Linux 5.3): look every 100 ms */
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			break;
		if (fd >= 0 && p[0].revents && !read_some(fd, out, len))
			fd = -1; /* EOF: the caller closes it */
		exited = pidfd >= 0 ? p[1].revents != 0 : waitpid(pid, &status, WNOHANG) == pid;
	}
	*ret_timed_out = !exited;
	if (!exited)
		kill(pid, SIGKILL);
	else if (fd >= 0)
		drain(fd, out, len);
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

/* Run the test once; res->output points into out (ENG_HEALTH_OUTPUT_MAX + 1 bytes). */
static void probe(struct checker *k, struct eng_health_result *res, char *out)
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

struct record_ctx {
	const struct eng_health_result *res;
	int retries;
	bool in_start_period;
	pid_t init_pid;
	char status[16]; /* out: the status after the result, "" when not recorded */
};

/* Record the result unless the container moved on (exited, or another run of it). */
static void record(json_t *state, void *data)
{
	struct record_ctx *x = data;
	json_t *h = json_object_get(state, "Health");

	if (!json_is_true(json_object_get(state, "Running")) ||
	    json_integer_value(json_object_get(state, "Pid")) != x->init_pid)
		return;
	if (!json_is_object(h)) {
		h = json_pack("{s:s, s:i, s:[]}", "Status", ENG_HEALTH_STARTING, "FailingStreak", 0, "Log");
		json_object_set_new(state, "Health", h);
	}
	eng_health_record(h, x->res, x->retries, x->in_start_period);
	snprintf(x->status, sizeof(x->status), "%s", json_string_value(json_object_get(h, "Status")));
}

static bool is_paused(struct checker *k)
{
	struct rt_global g = {.root = k->rt_root};
	struct rt_state *st = NULL;
	bool paused;

	if (rt_state_get(&g, k->id, &st, NULL) < 0)
		return false;
	paused = st->status && !strcmp(st->status, "paused");
	rt_state_free(st);
	return paused;
}

/* The checker's loop: probe, record, sleep; once the container's init is gone, wait to be killed. */
static void __attribute__((noreturn)) checker_loop(struct checker *k)
{
	char *out = xmalloc(ENG_HEALTH_OUTPUT_MAX + 1);
	char status[16] = ENG_HEALTH_STARTING;

	for (;;) {
		struct eng_health_result res = {0};
		struct record_ctx x = {.res = &res, .retries = k->cfg->retries, .init_pid = k->init_pid};
		int64_t began;

		if (!sleep_or_exit(k, eng_health_next_delay(k->cfg, status, now_ns(CLOCK_MONOTONIC) - k->started)))
			break;
		/* docker skips probes of a paused container */
		if (is_paused(k))
			continue;
		began = now_ns(CLOCK_MONOTONIC);
		probe(k, &res, out);
		x.in_start_period = began - k->started < k->cfg->start_period_ns;
		if (eng_ctr_update_state(k->e, k->id, record, &x, NULL) == 0 && x.status[0])
			memcpy(status, x.status, sizeof(status));
	}
	/* exiting would let the monitor reap us and eng_health_stop signal a reused pid */
	for (;;)
		pause();
}

/* In the forked checker: a process of its own (fds, signals, database connection), then the loop. */
static void __attribute__((noreturn)) checker_main(struct eng *parent_e, const char *id,
						   const struct eng_health_config *cfg, pid_t init_pid, pid_t parent,
						   int64_t started)
{
	struct eng_opts eo = {.root = parent_e->root, .runroot = parent_e->runroot};
	struct checker k = {.id = id, .cfg = cfg, .init_pid = init_pid, .started = started};
	char *rundir;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	/* the monitor's fds (its ready pipe, the database) are not ours; SQLite must not cross a fork */
	sys_close_range(3, ~0U, 0);
	berth_log_set_level(BERTH_LOG_ERROR); /* our stderr is the probe's output during rt_exec */
	k.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	k.init_pidfd = sys_pidfd_open(init_pid, 0);
	if (eng_open(&eo, &k.e, NULL) < 0)
		for (;;)
			pause();
	k.rt_root = eng_runtime_root(k.e);
	rundir = eng_ctr_rundir(k.e, id);
	fs_mkdir_p_at(AT_FDCWD, rundir, 0700, NULL);
	k.pid_file = fs_path_join(rundir, "health.pid");
	checker_loop(&k);
}

static void set_starting(json_t *state, void *data)
{
	json_t *h = json_object_get(state, "Health");

	(void)data;
	if (!json_is_object(h)) {
		h = json_object();
		json_object_set_new(state, "Health", h);
	}
	json_object_set_new(h, "Status", json_string(ENG_HEALTH_STARTING));
	json_object_set_new(h, "FailingStreak", json_integer(0));
	if (!json_is_array(json_object_get(h, "Log")))
		json_object_set_new(h, "Log", json_array());
}

pid_t eng_health_start(struct eng *e, const char *id, pid_t init_pid, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	struct eng_health_config cfg;
	int64_t started = now_ns(CLOCK_MONOTONIC);
	pid_t parent = getpid(), pid;
	json_t *config;

	if (eng_ctr_find(e, id, &c, err) < 0)
		return -1;
	config = json_object_get(c->doc, "Config");
	if (eng_health_config_parse(json_object_get(config, "Healthcheck"), json_object_get(config, "Shell"), &cfg,
				    err) < 0)
		return berth_error_wrap(err, "healthcheck of container '%s'", c->name);
	if (!cfg.argv)
		return 0;
	if (eng_ctr_update_state(e, c->id, set_starting, NULL, err) < 0) {
		eng_health_config_done(&cfg);
		return -1;
	}
	pid = fork();
	if (pid == 0)
		checker_main(e, c->id, &cfg, init_pid, parent, started);
	eng_health_config_done(&cfg);
	if (pid < 0)
		return berth_error_set(err, errno, "fork the healthcheck of container '%s'", c->name);
	return pid;
}

void eng_health_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
