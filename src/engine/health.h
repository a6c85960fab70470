/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: Docker's HEALTHCHECK (a checker process per running container that
 * runs the test inside it and records State.Health), the init binary of
 * run --init, and whether the kernel's OOM killer ended a container.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berth_error;
struct eng;

/* Docker's defaults (daemon/health.go). */
#define ENG_HEALTH_INTERVAL_NS (30LL * 1000000000LL)
#define ENG_HEALTH_TIMEOUT_NS (30LL * 1000000000LL)
#define ENG_HEALTH_START_INTERVAL_NS (5LL * 1000000000LL)
#define ENG_HEALTH_RETRIES 3
#define ENG_HEALTH_LOG_ENTRIES 5
#define ENG_HEALTH_OUTPUT_MAX 4096

/* State.Health.Status values. */
#define ENG_HEALTH_STARTING "starting"
#define ENG_HEALTH_HEALTHY "healthy"
#define ENG_HEALTH_UNHEALTHY "unhealthy"

/* Config.Healthcheck decoded, with Docker's defaults filled in. */
struct eng_health_config {
	char **argv; /* the probe: CMD's arguments, or the shell with -c and CMD-SHELL's command */
	int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns;
	int retries;
};

/*
 * Decode Config.Healthcheck (shell: Config.Shell, NULL for /bin/sh -c). No
 * healthcheck, an empty Test or ["NONE"] give 0 with ret->argv NULL; an
 * unknown test type or a malformed Test is an error. ret is zeroed first;
 * eng_health_config_done frees it.
 */
int eng_health_config_parse(json_t *healthcheck, json_t *shell, struct eng_health_config *ret,
			    struct berth_error **err);
void eng_health_config_done(struct eng_health_config *c);

/* One probe's outcome. */
struct eng_health_result {
	int64_t start_sec, end_sec; /* wall clock */
	int32_t start_nsec, end_nsec;
	int exit_code;	    /* 0 healthy; -1: timed out or could not run */
	const char *output; /* up to ENG_HEALTH_OUTPUT_MAX bytes, not necessarily UTF-8 */
};

/*
 * Docker's handleProbeResult on State.Health (changed in place; missing
 * members are created): append a Log entry (keep the last 5); success:
 * FailingStreak 0, "healthy"; failure: FailingStreak + 1 and "unhealthy"
 * once it reaches retries (<= 0: 3), except while "starting" and
 * in_start_period (the probe began within StartPeriod), when it does not count.
 */
void eng_health_record(json_t *health, const struct eng_health_result *r, int retries, bool in_start_period);

/*
 * The delay before the next probe, as Docker's: StartInterval while the
 * status is "starting" and the container has run less than StartPeriod
 * (since_start_ns), else Interval.
 */
int64_t eng_health_next_delay(const struct eng_health_config *c, const char *status, int64_t since_start_ns);

/*
 * docker ps's STATUS suffix for the State: " (healthy)", " (unhealthy)",
 * " (health: starting)", or "" (no Health, or not running, or paused or
 * restarting, whose texts have none). Caller frees.
 */
char *eng_health_suffix(json_t *state);

/*
 * After the container started (its init is init_pid): set State.Health to
 * "starting" (FailingStreak 0, the Log kept) and fork the checker, which
 * probes until eng_health_stop and records each result. 0 without a
 * checker when the container has no healthcheck (or ["NONE"]); -1 on error.
 */
pid_t eng_health_start(struct eng *e, const char *id, pid_t init_pid, struct berth_error **err);
/* Kill and reap the checker (pid 0: nothing). Call when the container has exited. */
void eng_health_stop(pid_t pid);

/*
 * Whether the OOM killer killed a process of container id: the memory
 * controller's oom_kill count (v2 memory.events, v1 memory.oom_control) of
 * its cgroup, named by the runtime's state. Call after the exit and before
 * the runtime deletes the container; false when unknown.
 */
bool eng_oom_killed(struct eng *e, const char *id);

/*
 * Host path of berth-init for HostConfig.Init: $BERTH_INIT_PATH, else beside
 * the running berth binary (the build tree), else the installed one.
 * NULL when none is found. Caller frees.
 */
char *eng_init_path(void);
