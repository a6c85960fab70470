/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Processes: spawning helpers with stdin data and a timeout, waiting, pid liveness, fd passing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct berth_error;

/* Exit status as a shell reports it: the code, or 128+signal. */
int proc_status_to_code(int wstatus);

/*
 * Run path with argv/envp (envp NULL: empty environment), writing stdin_data
 * (may be NULL) to its stdin, waiting at most timeout_sec seconds (0: no
 * limit; on expiry the child is killed with SIGKILL and an error returned).
 * stdout and stderr go to the caller's stderr. *ret_code (may be NULL) gets
 * proc_status_to_code(). A non-zero exit is not an error here.
 */
int proc_run(const char *path, char *const argv[], char *const envp[], const char *stdin_data, int timeout_sec,
	     int *ret_code, struct berth_error **err);

/*
 * The start time of pid (field 22 of /proc/PID/stat), for telling a pid from
 * a later process that reused it. 0 with *ret = 0 when pid does not exist.
 */
int proc_start_time(pid_t pid, unsigned long long *ret, struct berth_error **err);
/* True when pid exists, is not a zombie and (if start_time != 0) started at start_time. */
bool proc_is_alive(pid_t pid, unsigned long long start_time);

/* Send fds over a unix socket with SCM_RIGHTS, with data (at least one byte). */
int fd_send(int sock, const void *data, size_t len, const int *fds, size_t nfds, struct berth_error **err);
/*
 * Receive a message and up to max_fds fds. Returns the byte count (0 at EOF),
 * *ret_nfds gets the number of fds received (all O_CLOEXEC).
 */
ssize_t fd_recv(int sock, void *data, size_t len, int *fds, size_t max_fds, size_t *ret_nfds, struct berth_error **err);

/* Exclusive flock on path (created 0600 if missing); returns the fd holding the lock. */
int lock_path(const char *path, struct berth_error **err);
int lock_fd_at(int dirfd, const char *name, struct berth_error **err);
