/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker stop, kill, restart and wait: signals through the runtime, waits on the recorded State. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "store/store.h"

#define POLL_MS 20

static void nap(void)
{
	struct timespec ts = {0, POLL_MS * 1000000L};

	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until the container is not running; timeout_ms < 0: forever. 1 when it still runs at the deadline. */
static int wait_not_running(struct eng *e, const char *id, int64_t timeout_ms, struct berth_error **err)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;

	for (;;) {
		_cleanup_ctr_ struct eng_ctr *c = NULL;

		if (eng_ctr_lookup(e, id, &c, err) < 0)
			return -1;
		if (!c || !eng_ctr_is_running(c))
			return 0;
		if (deadline >= 0 && now_ms() >= deadline)
			return 1;
		nap();
	}
}

static int signal_ctr(struct eng *e, const char *id, int sig, struct berth_error **err)
{
	_cleanup_free_ char *root = eng_runtime_root(e);
	struct rt_global g = {.root = root};

	return rt_kill(&g, id, sig, false, err);
}

/* A frozen container takes its SIGKILL once thawed: dockerd resumes it after the signal too. */
static void thaw_paused(struct eng *e, const struct eng_ctr *c)
{
	_cleanup_free_ char *root = NULL;
	struct rt_global g = {0};

	if (strcmp(eng_ctr_status(c), ENG_STATUS_PAUSED) != 0)
		return;
	root = eng_runtime_root(e);
	g.root = root;
	rt_resume(&g, c->id, NULL);
}

/* docker's "kill" event: the signal as a number. */
static void kill_event(struct eng *e, const struct eng_ctr *c, int sig)
{
	json_t *attrs = json_pack("{s:o}", "signal", json_sprintf("%d", sig));

	eng_event_container(e, c, "kill", attrs);
	json_decref(attrs);
}

static void mark_stop(json_t *st, void *data)
{
	json_object_set_new(st, "BerthStopRequested", json_true());
}

static int stop_signal(const struct eng_ctr *c)
{
	const char *s = json_string_value(json_object_get(json_object_get(c->doc, "Config"), "StopSignal"));
	int sig = s ? parse_signal(s) : -1;

	return sig > 0 ? sig : SIGTERM;
}

int eng_ctr_stop(struct eng *e, const char *name, int timeout, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	json_t *st;
	int rc;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (!eng_ctr_is_running(c))
		return 0;
	if (timeout < 0) {
		st = json_object_get(json_object_get(c->doc, "Config"), "StopTimeout");
		timeout = json_is_integer(st) ? (int)json_integer_value(st) : 10;
	}
	if (eng_ctr_update_state(e, c->id, mark_stop, NULL, err) < 0)
		return -1;
	/* a restarting container has no process: its monitor sees the request and ends */
	if (strcmp(eng_ctr_status(c), ENG_STATUS_RESTARTING) != 0 && signal_ctr(e, c->id, stop_signal(c), NULL) == 0)
		kill_event(e, c, stop_signal(c));
	rc = wait_not_running(e, c->id, timeout < 0 ? -1 : (int64_t)timeout * 1000, err);
	if (rc > 0) {
		if (signal_ctr(e, c->id, SIGKILL, NULL) == 0)
			kill_event(e, c, SIGKILL);
		thaw_paused(e, c);
		rc = wait_not_running(e, c->id, -1, err);
	}
	if (rc == 0)
		eng_event_container(e, c, "stop", NULL);
	return rc;
}

int eng_ctr_kill(struct eng *e, const char *name, const char *signal, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	int sig = signal ? parse_signal(signal) : SIGKILL;

	if (sig < 0)
		return berth_error_set(err, 0, "Invalid signal: %s", signal);
	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (!eng_ctr_is_running(c) || !strcmp(eng_ctr_status(c), ENG_STATUS_RESTARTING))
		return berth_error_set(err, 0, "Cannot kill container: %s: Container %s is not running", name, c->id);
	/* docker kill of a restart-policy container counts as a stop (no restart after SIGKILL) */
	if (sig == SIGKILL && eng_ctr_update_state(e, c->id, mark_stop, NULL, err) < 0)
		return -1;
	if (signal_ctr(e, c->id, sig, err) < 0)
		return -1;
	kill_event(e, c, sig);
	if (sig == SIGKILL)
		thaw_paused(e, c);
	return 0;
}

int eng_ctr_restart(struct eng *e, const char *name, int timeout, const struct eng_start_opts *o,
		    struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	if (eng_ctr_stop(e, name, timeout, err) < 0 || eng_ctr_start(e, name, o, err) < 0)
		return -1;
	if (eng_ctr_lookup(e, name, &c, NULL) == 0 && c)
		eng_event_container(e, c, "restart", NULL);
	return 0;
}

static char *finished_at(const struct eng_ctr *c)
{
	const char *s = json_string_value(json_object_get(c->state, "FinishedAt"));

	return xstrdup(s ? s : "");
}

int eng_ctr_wait(struct eng *e, const char *name, const char *condition, int *ret_code, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *id = NULL, *finished0 = NULL;
	bool removed = condition && !strcmp(condition, "removed");
	bool next = condition && !strcmp(condition, "next-exit");

	if (condition && !removed && !next && strcmp(condition, "not-running") != 0)
		return berth_error_set(err, EINVAL, "invalid condition: \"%s\"", condition);
	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	id = xstrdup(c->id);
	finished0 = finished_at(c);
	for (;;) {
		_cleanup_ctr_ struct eng_ctr *now = NULL;
		_cleanup_free_ char *finished = NULL;

		if (eng_ctr_lookup(e, id, &now, err) < 0)
			return -1;
		if (!now) {
			/* gone (docker rm, --rm): the last exit recorded */
			*ret_code = (int)json_integer_value(json_object_get(c->state, "ExitCode"));
			return 0;
		}
		eng_ctr_free(c);
		c = TAKE_PTR(now);
		finished = finished_at(c);
		if (!removed && !eng_ctr_is_running(c) && (!next || strcmp(finished, finished0) != 0)) {
			*ret_code = (int)json_integer_value(json_object_get(c->state, "ExitCode"));
			return 0;
		}
		nap();
	}
}
