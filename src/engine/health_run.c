/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The healthcheck of a running container: a checker process forked by the
 * monitor probes every interval and sends each result up a pipe; a thread of
 * the monitor, with a database connection of its own, records it in
 * State.Health. The process never touches the database: SQLite's state must
 * not cross a fork (it reuses the parent's lock fds).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/health_internal.h"
#include "runtime/runtime.h"
#include "sys/sys.h"

/* One result on the pipe: this header, then output_len bytes of output. */
struct probe_msg {
	int64_t start_sec, end_sec;
	int32_t start_nsec, end_nsec;
	int32_t exit_code;
	uint32_t output_len;
	uint8_t in_start_period;
};

static bool io_full(int fd, void *buf, size_t len, bool writing)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = writing ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* ---- the checker process ------------------------------------------------ */

static bool is_paused(struct health_checker *k)
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

/*
 * Probe, send, sleep. The status that sets the pace is kept here by the same
 * rule the recorder applies. Once the container's init is gone, wait to be
 * killed: exiting would let the monitor reap us and eng_health_stop signal
 * a reused pid.
 */
static void __attribute__((noreturn)) checker_loop(struct health_checker *k, int fd)
{
	char *out = xmalloc(ENG_HEALTH_OUTPUT_MAX + 1);
	json_t *health = json_pack("{s:s, s:i, s:[]}", "Status", ENG_HEALTH_STARTING, "FailingStreak", 0, "Log");

	for (;;) {
		const char *status = json_string_value(json_object_get(health, "Status"));
		struct eng_health_result res = {0};
		struct probe_msg m = {0};
		int64_t began;

		if (!health_sleep(k,
				  eng_health_next_delay(k->cfg, status, health_now_ns(CLOCK_MONOTONIC) - k->started)))
			break;
		/* docker skips the probes of a paused container */
		if (is_paused(k))
			continue;
		began = health_now_ns(CLOCK_MONOTONIC);
		health_probe(k, &res, out);
		m = (struct probe_msg){res.start_sec,
				       res.end_sec,
				       res.start_nsec,
				       res.end_nsec,
				       res.exit_code,
				       (uint32_t)strlen(out),
				       began - k->started < k->cfg->start_period_ns};
		eng_health_record(health, &res, k->cfg->retries, m.in_start_period);
		if (!io_full(fd, &m, sizeof(m), true) || !io_full(fd, out, m.output_len, true))
			break;
	}
	close(fd);
	for (;;)
		pause();
}

/* In the forked child: a process of its own (fds, signals), then the loop. */
static void __attribute__((noreturn)) checker_main(struct health_checker *k, int fd, pid_t parent)
{
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	/* the monitor's fds (its ready pipe, the database) are not ours */
	if (dup3(fd, 3, O_CLOEXEC) < 0)
		_exit(1);
	sys_close_range(4, ~0U, 0);
	berth_log_set_level(BERTH_LOG_ERROR); /* our stderr is the probe's output during rt_exec */
	k->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	k->init_pidfd = sys_pidfd_open(k->init_pid, 0);
	checker_loop(k, 3);
}

/* ---- the recorder thread in the monitor ------------------------------------ */

struct recorder {
	char *root, *runroot, *id;
	pid_t init_pid;
	int retries;
	int fd; /* read end of the checker's pipe */
};

struct record_ctx {
	const struct eng_health_result *res;
	const struct recorder *r;
	bool in_start_period;
};

/* Record the result unless the container moved on (exited, or another run of it). */
static void record(json_t *state, void *data)
{
	struct record_ctx *x = data;
	json_t *h = json_object_get(state, "Health");

	if (!json_is_true(json_object_get(state, "Running")) ||
	    json_integer_value(json_object_get(state, "Pid")) != x->r->init_pid)
		return;
	if (!json_is_object(h)) {
		h = json_pack("{s:s, s:i, s:[]}", "Status", ENG_HEALTH_STARTING, "FailingStreak", 0, "Log");
		json_object_set_new(state, "Health", h);
	}
	eng_health_record(h, x->res, x->r->retries, x->in_start_period);
}

static void recorder_free(struct recorder *r)
{
	close(r->fd);
	free(r->root);
	free(r->runroot);
	free(r->id);
	free(r);
}

static void *recorder_main(void *arg)
{
	struct recorder *r = arg;
	struct eng_opts eo = {.root = r->root, .runroot = r->runroot};
	_cleanup_eng_ struct eng *e = NULL;
	char *out = xmalloc(ENG_HEALTH_OUTPUT_MAX + 1);
	struct probe_msg m;

	if (eng_open(&eo, &e, NULL) < 0)
		e = NULL;
	while (io_full(r->fd, &m, sizeof(m), false) && m.output_len <= ENG_HEALTH_OUTPUT_MAX &&
	       io_full(r->fd, out, m.output_len, false)) {
		struct eng_health_result res = {m.start_sec, m.end_sec, m.start_nsec, m.end_nsec, m.exit_code, out};
		struct record_ctx x = {.res = &res, .r = r, .in_start_period = m.in_start_period};

		out[m.output_len] = '\0';
		if (e)
			eng_ctr_update_state(e, r->id, record, &x, NULL);
	}
	free(out);
	recorder_free(r);
	return NULL;
}

/* The monitor runs one checker at a time; a few slots leave room. */
static struct {
	pid_t pid;
	pthread_t thread;
} recorders[4];
static pthread_mutex_t recorders_lock = PTHREAD_MUTEX_INITIALIZER;

/* Start the recorder thread with every signal blocked: the monitor's signals stay the main thread's. */
static int recorder_start(struct recorder *r, pid_t pid, struct berth_error **err)
{
	sigset_t all, old;
	pthread_t t;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, NULL, recorder_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return berth_error_set(err, rc, "start the healthcheck recorder");
	pthread_mutex_lock(&recorders_lock);
	for (size_t i = 0; i < sizeof(recorders) / sizeof(recorders[0]); i++)
		if (recorders[i].pid == 0) {
			recorders[i].pid = pid;
			recorders[i].thread = t;
			pthread_mutex_unlock(&recorders_lock);
			return 0;
		}
	pthread_mutex_unlock(&recorders_lock);
	pthread_detach(t);
	return 0;
}

/* ---- start and stop -------------------------------------------------------- */

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

/* Fork the checker with everything it needs computed here: it opens nothing of the engine. */
static pid_t fork_checker(struct eng *e, const char *id, const struct eng_health_config *cfg, pid_t init_pid, int fd)
{
	_cleanup_free_ char *rundir = eng_ctr_rundir(e, id);
	struct health_checker k = {
		.id = id,
		.cfg = cfg,
		.init_pid = init_pid,
		.started = health_now_ns(CLOCK_MONOTONIC),
		.rt_root = eng_runtime_root(e),
		.pid_file = fs_path_join(rundir, "health.pid"),
	};
	pid_t parent = getpid(), pid;

	fs_mkdir_p_at(AT_FDCWD, rundir, 0700, NULL);
	pid = fork();
	if (pid == 0)
		checker_main(&k, fd, parent);
	free(k.rt_root);
	free(k.pid_file);
	return pid;
}

pid_t eng_health_start(struct eng *e, const char *id, pid_t init_pid, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	struct eng_health_config cfg;
	struct recorder *r;
	json_t *config;
	int p[2];
	pid_t pid;

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
	if (pipe2(p, O_CLOEXEC) < 0) {
		eng_health_config_done(&cfg);
		return berth_error_set(err, errno, "pipe");
	}
	pid = fork_checker(e, c->id, &cfg, init_pid, p[1]);
	close(p[1]);
	eng_health_config_done(&cfg);
	if (pid < 0) {
		close(p[0]);
		return berth_error_set(err, errno, "fork the healthcheck of container '%s'", c->name);
	}
	r = xcalloc(1, sizeof(*r));
	*r = (struct recorder){xstrdup(e->root), xstrdup(e->runroot), xstrdup(c->id), init_pid, cfg.retries, p[0]};
	if (recorder_start(r, pid, err) < 0) {
		recorder_free(r);
		eng_health_stop(pid);
		return -1;
	}
	return pid;
}

void eng_health_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	/* the pipe is at EOF now: the recorder finishes its last write and ends */
	pthread_mutex_lock(&recorders_lock);
	for (size_t i = 0; i < sizeof(recorders) / sizeof(recorders[0]); i++)
		if (recorders[i].pid == pid) {
			pthread_t t = recorders[i].thread;

			recorders[i].pid = 0;
			pthread_mutex_unlock(&recorders_lock);
			pthread_join(t, NULL);
			return;
		}
	pthread_mutex_unlock(&recorders_lock);
}
