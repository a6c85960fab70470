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

int eng_monitor_run(struct eng *e, const char *id, int ready_fd, bool attach_wait)
{
	struct mon_run r = {.e = e, .id = id, .attach_wait = attach_wait, .ready_fd = &ready_fd, .listen_fd = -1};
	long backoff = BACKOFF_START_MS;
	int restarts = 0;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	proc_start_time(getpid(), &r.monitor_start, NULL);
	for (;;) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct exit_info x = {0};
		time_t started = time(NULL);
		int status = 0;
		pid_t health = 0;

		if (mon_start(&r, &err) < 0) {
			const char *msg = err ? err->msg : "start failed";

			mon_report(&ready_fd, msg);
			x.code = eng_start_error_code(msg);
			x.error = msg;
			mon_cleanup(&r);
			eng_ctr_update_state(e, id, set_exited, &x, NULL);
			event_die(e, id, x.code);
			mon_io_send_error(&r, msg);
			mon_io_send_exit(&r, x.code);
			break;
		}
		eng_ctr_update_state(e, id, set_running, &r, NULL);
		event(e, id, "start", NULL);
		/* the checker records only while the State names this process: after set_running */
		health = eng_health_start(e, id, r.pid, NULL);
		mon_report(&ready_fd, NULL);
		/* the monitor lives as long as the container: give back the heap pages the start freed */
		malloc_trim(0);
		status = mon_wait(&r);
		eng_health_stop(health > 0 ? health : 0);
		x.code = exit_code(status);
		/* before mon_cleanup: the runtime's delete takes the cgroup with it */
		x.oom = eng_oom_killed(e, id);
		mon_cleanup(&r);
		eng_ctr_update_state(e, id, set_exited, &x, NULL);
		event_die(e, id, x.code);
		/* after the State, before any AutoRemove: the clients' wait ends with the connection */
		mon_io_send_exit(&r, x.code);
		if (!wants_restart(e, id, x.code, restarts))
			break;
		mon_io_close(&r);
		if (time(NULL) - started >= RAN_LONG_ENOUGH_S)
			backoff = BACKOFF_START_MS;
		eng_ctr_update_state(e, id, set_restarting, (void *)(uintptr_t)r.monitor_start, NULL);
		sleep_ms(backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		/* docker stop during the back-off cancels the restart */
		if (!wants_restart(e, id, x.code, restarts)) {
			eng_ctr_update_state(e, id, set_exited, &x, NULL);
			break;
		}
		restarts++;
		eng_ctr_count_restart(e, id, restarts);
	}
	if (auto_remove(e, id))
		eng_ctr_remove(e, id, true, true, NULL);
	mon_io_close(&r);
	free(r.merged);
	return 0;
}
