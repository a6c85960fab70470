/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: what the monitor's files share: one run of the container's process. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct berth_error;
struct eng;
struct eng_log_writer;

/* One run of the process (a restart is a new run with the same struct). */
struct mon_run {
	struct eng *e;
	const char *id;
	bool attach_wait;
	unsigned long long monitor_start; /* the monitor's own start time, for liveness checks */
	/* set by mon_start */
	pid_t pid;
	int pidfd;
	bool mounted;
	bool created; /* the runtime has the container: delete it after the exit */
	bool oom_killed;
	int out_fd, err_fd; /* read ends of the container's stdout and stderr, or -1 */
	int in_fd;	    /* write end of the container's stdin, or -1 */
	struct eng_log_writer *log;
	char *merged;
};

/* Mount the rootfs, write config.json, create and start the process. On failure everything is undone. */
int mon_start(struct mon_run *r, struct berth_error **err);
/* Pump output into the log until the process exits; returns its wait status. */
int mon_wait(struct mon_run *r);
/* Tell attached clients the exit code. */
void mon_io_send_exit(struct mon_run *r, int code);
/* Delete the runtime's container, unmount the rootfs, close what the run held. Idempotent. */
void mon_cleanup(struct mon_run *r);
