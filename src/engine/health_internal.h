/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: what health_run.c (the checker process) and health_probe.c (one probe) share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct eng_health_config;
struct eng_health_result;

/* The checker process's view of its container. It never touches the database: SQLite must not cross a fork. */
struct health_checker {
	const char *id;
	const struct eng_health_config *cfg;
	pid_t init_pid;
	int init_pidfd;	 /* readable once the container's init is gone; -1: look by pid */
	int null_fd;	 /* /dev/null, fds 1 and 2 between probes */
	int64_t started; /* CLOCK_MONOTONIC ns at the container's start */
	char *rt_root;	 /* the runtime's state root */
	char *pid_file;	 /* where rt_exec writes the probe's pid */
};

/* clock_gettime(clk) in nanoseconds. */
int64_t health_now_ns(clockid_t clk);
/* Wait ns; false as soon as the container's init is gone. */
bool health_sleep(struct health_checker *k, int64_t ns);
/*
 * Run the test once inside the container, its stdout and stderr captured,
 * killed at the timeout (exit code -1 and Docker's message). res->output
 * points into out (ENG_HEALTH_OUTPUT_MAX + 1 bytes).
 */
void health_probe(struct health_checker *k, struct eng_health_result *res, char *out);
