/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container monitor: one per running container, like conmon. It mounts
 * the rootfs, writes config.json, runs the container through the runtime
 * library (the init is its child: it is subreaper), pumps the container's
 * output into the log, records the exit, and applies the restart policy
 * with Docker's growing back-off.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/monitor.h"
#include "runtime/runtime.h"

/* Docker's restart back-off: 100 ms doubling up to a minute, reset after 10 s of running. */
#define BACKOFF_START_MS 100
#define BACKOFF_MAX_MS 60000
#define RAN_LONG_ENOUGH_S 10

void mon_report(int *ready_fd, const char *msg)
{
	if (*ready_fd < 0)
		return;
	if (msg)
		dprintf(*ready_fd, "error: %s\n", msg);
	else
		dprintf(*ready_fd, "ok\n");
	close(*ready_fd);
	*ready_fd = -1;
}

struct exit_info {
	int code;
	const char *error;
	bool oom;
};

static void set_running(json_t *st, void *data)
{
	const struct mon_run *r = data;
	_cleanup_free_ char *now = eng_time_rfc3339_now();

	json_object_set_new(st, "Status", json_string(ENG_STATUS_RUNNING));
	json_object_set_new(st, "Running", json_true());
	json_object_set_new(st, "Paused", json_false());
	json_object_set_new(st, "Restarting", json_false());
	json_object_set_new(st, "OOMKilled", json_false());
	json_object_set_new(st, "Dead", json_false());
	json_object_set_new(st, "Pid", json_integer(r->pid));
	json_object_set_new(st, "ExitCode", json_integer(0));
	json_object_set_new(st, "Error", json_string(""));
	json_object_set_new(st, "StartedAt", json_string(now));
	json_object_set_new(st, "BerthMonitorPid", json_integer(getpid()));
	json_object_set_new(st, "BerthMonitorStart", json_integer((json_int_t)r->monitor_start));
	json_object_del(st, "BerthStopRequested");
}

static void set_exited(json_t *st, void *data)
{
	const struct exit_info *x = data;
	_cleanup_free_ char *now = eng_time_rfc3339_now();

	json_object_set_new(st, "Status", json_string(ENG_STATUS_EXITED));
	json_object_set_new(st, "Running", json_false());
	json_object_set_new(st, "Paused", json_false());
	json_object_set_new(st, "Restarting", json_false());
	json_object_set_new(st, "OOMKilled", json_boolean(x->oom));
	json_object_set_new(st, "Pid", json_integer(0));
	json_object_set_new(st, "ExitCode", json_integer(x->code));
	json_object_set_new(st, "Error", json_string(x->error ? x->error : ""));
	json_object_set_new(st, "FinishedAt", json_string(now));
	json_object_del(st, "BerthMonitorPid");
	json_object_del(st, "BerthMonitorStart");
}

static void set_restarting(json_t *st, void *data)
{
	json_object_set_new(st, "Status", json_string(ENG_STATUS_RESTARTING));
	json_object_set_new(st, "Restarting", json_true());
	json_object_set_new(st, "BerthMonitorPid", json_integer(getpid()));
	json_object_set_new(st, "BerthMonitorStart", json_integer((json_int_t)(uintptr_t)data));
}

/* The exit code Docker reports for a wait status: the code, or 128 + the signal. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Whether the policy restarts after this exit: "no", "always", "unless-stopped", "on-failure[:max]". */
static bool wants_restart(struct eng *e, const char *id, int code, int restart_count)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	json_t *policy;
	const char *name;
	int max;

	if (eng_ctr_lookup(e, id, &c, NULL) < 0 || !c)
		return false;
	if (json_is_true(json_object_get(c->state, "BerthStopRequested")))
		return false;
	policy = json_object_get(json_object_get(c->doc, "HostConfig"), "RestartPolicy");
	name = json_string_value(json_object_get(policy, "Name"));
	max = (int)json_integer_value(json_object_get(policy, "MaximumRetryCount"));
	if (!name || !strcmp(name, "no") || !*name)
		return false;
	if (!strcmp(name, "always") || !strcmp(name, "unless-stopped"))
		return true;
	if (!strcmp(name, "on-failure"))
		return code != 0 && (max <= 0 || restart_count < max);
	return false;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool auto_remove(struct eng *e, const char *id)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	if (eng_ctr_lookup(e, id, &c, NULL) < 0 || !c)
		return false;
	return json_is_true(json_object_get(json_object_get(c->doc, "HostConfig"), "AutoRemove"));
}

static void event(struct eng *e, const char *id, const char *action, json_t *extra)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	if (eng_ctr_lookup(e, id, &c, NULL) == 0 && c)
		eng_event_container(e, c, action, extra);
}

static void event_die(struct eng *e, const char *id, int code)
{
	json_t *a = json_pack("{s:o}", "exitCode", json_sprintf("%d", code));

	event(e, id, "die", a);
	json_decref(a);
}

/* The run's exit: the State, the event, the clients told; whether the policy restarts it (after the back-off). */
static bool after_exit(struct mon_run *r, int status, struct mon_cycle *cy)
{
	struct eng *e = r->e;
	const char *id = r->id;
	struct exit_info x = {.code = exit_code(status)};

	/* before mon_cleanup: the runtime's delete takes the cgroup with it */
	x.oom = eng_oom_killed(e, id);
	mon_cleanup(r);
	eng_ctr_update_state(e, id, set_exited, &x, NULL);
	event_die(e, id, x.code);
	/* after the State, before any AutoRemove: the clients' wait ends with the connection */
	mon_io_send_exit(r, x.code);
	if (!wants_restart(e, id, x.code, cy->restarts))
		return false;
	mon_io_close(r);
	if (time(NULL) - cy->started >= RAN_LONG_ENOUGH_S)
		cy->backoff_ms = BACKOFF_START_MS;
	eng_ctr_update_state(e, id, set_restarting, (void *)(uintptr_t)r->monitor_start, NULL);
	sleep_ms(cy->backoff_ms);
	cy->backoff_ms = cy->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : cy->backoff_ms * 2;
	/* docker stop during the back-off cancels the restart */
	if (!wants_restart(e, id, x.code, cy->restarts)) {
		eng_ctr_update_state(e, id, set_exited, &x, NULL);
		return false;
	}
	cy->restarts++;
	eng_ctr_count_restart(e, id, cy->restarts);
	return true;
}

/* A start that failed: recorded as an exit with the start error's code. */
static void start_failed(struct mon_run *r, int *ready_fd, const struct berth_error *err)
{
	const char *msg = err ? err->msg : "start failed";
	struct exit_info x = {.code = eng_start_error_code(msg), .error = msg};

	mon_report(ready_fd, msg);
	mon_cleanup(r);
	eng_ctr_update_state(r->e, r->id, set_exited, &x, NULL);
	event_die(r->e, r->id, x.code);
	mon_io_send_error(r, msg);
	mon_io_send_exit(r, x.code);
}

/*
 * Serve the running process until it exits. Without a health checker (a
 * thread of this process records its results), a process still running
 * after MON_HANDOFF_MS is handed to berth-shim: this process becomes that
 * small program, which execs berth again when the process exits.
 */
static int serve(struct mon_run *r, pid_t health, const struct mon_cycle *cy)
{
	int status = 0;

	if (health > 0 || !r->shim) {
		mon_wait(r, 0, &status);
		return status;
	}
	if (!mon_wait(r, mon_now_ms() + MON_HANDOFF_MS, &status)) {
		mon_shim_exec(r, cy);
		/* no shim after all: serve on */
		mon_wait(r, 0, &status);
	}
	return status;
}

static void finish(struct mon_run *r)
{
	if (auto_remove(r->e, r->id))
		eng_ctr_remove(r->e, r->id, true, true, NULL);
	mon_io_close(r);
	free(r->merged);
	free(r->shim);
}

/* Run (restart) the process until the policy says no more. */
static void cycle(struct mon_run *r, int *ready_fd, struct mon_cycle *cy)
{
	for (;;) {
		_cleanup_error_ struct berth_error *err = NULL;
		int status;
		pid_t health;

		cy->started = time(NULL);
		if (mon_start(r, &err) < 0) {
			start_failed(r, ready_fd, err);
			return;
		}
		eng_ctr_update_state(r->e, r->id, set_running, r, NULL);
		event(r->e, r->id, "start", NULL);
		/* the checker records only while the State names this process: after set_running */
		health = eng_health_start(r->e, r->id, r->pid, NULL);
		mon_report(ready_fd, NULL);
		/* the monitor lives as long as the container: give back the heap pages the start freed */
		malloc_trim(0);
		status = serve(r, health, cy);
		eng_health_stop(health > 0 ? health : 0);
		if (!after_exit(r, status, cy))
			return;
	}
}

int eng_monitor_run(struct eng *e, const char *id, int ready_fd, bool attach_wait)
{
	struct mon_run r = {.e = e, .id = id, .attach_wait = attach_wait, .ready_fd = &ready_fd, .listen_fd = -1};
	struct mon_cycle cy = {.backoff_ms = BACKOFF_START_MS};

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	proc_start_time(getpid(), &r.monitor_start, NULL);
	r.shim = eng_shim_path();
	cycle(&r, &ready_fd, &cy);
	finish(&r);
	return 0;
}

int eng_monitor_resume(struct eng *e, const char *id, const struct eng_monitor_resume *rs)
{
	int ready_fd = -1;
	struct mon_run r = {.e = e, .id = id, .ready_fd = &ready_fd, .listen_fd = rs->listen_fd};
	struct mon_cycle cy = {.restarts = rs->restarts, .backoff_ms = rs->backoff_ms, .started = rs->started};
	_cleanup_free_ char *dir = eng_ctr_dir(e, id), *rundir = eng_ctr_rundir(e, id);

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	proc_start_time(getpid(), &r.monitor_start, NULL);
	r.shim = eng_shim_path();
	/* what mon_start had set up and mon_cleanup undoes */
	r.pidfd = r.out_fd = r.err_fd = r.in_fd = -1;
	r.created = r.mounted = r.net_up = true;
	r.merged = xasprintf("%s/merged", dir);
	r.shm = xasprintf("%s/shm", dir);
	if (r.listen_fd >= 0)
		r.sock_path = xasprintf("%s/attach.sock", rundir);
	mon_clients_parse(&r, rs->clients);
	if (after_exit(&r, rs->status, &cy))
		cycle(&r, &ready_fd, &cy);
	finish(&r);
	return 0;
}
