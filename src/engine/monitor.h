/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: what the monitor's files share: one run of the container's process. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berth_error;
struct eng;
struct eng_log_writer;

/* A client of the attach socket (see engine/attach.h). */
struct mon_client {
	int fd;
	bool hello;	 /* its HELLO arrived */
	uint8_t streams; /* ENG_ATTACH_STREAM_* */
};

/* One run of the process (a restart is a new run with the same struct). */
struct mon_run {
	struct eng *e;
	const char *id;
	bool attach_wait;
	int *ready_fd; /* the start's ready pipe (monitor.c's); attach_wait reports "ok" before waiting */
	unsigned long long monitor_start; /* the monitor's own start time, for liveness checks */
	/* the attach server (attach_server.c), open across runs until mon_io_close */
	int listen_fd;
	char *sock_path;
	struct mon_client *clients;
	size_t n_clients;
	/* set by mon_start */
	bool tty, open_stdin, stdin_once; /* Config.Tty, OpenStdin, StdinOnce */
	pid_t pid;
	int pidfd;
	bool mounted;
	bool net_up;  /* eng_netwire_up wired its namespace */
	bool created; /* the runtime has the container: delete it after the exit */
	bool oom_killed;
	int out_fd, err_fd; /* read ends of the container's stdout and stderr (with a tty: the pty master, -1), or -1 */
	int in_fd;	    /* write end of the container's stdin (with a tty: a dup of the master), or -1 */
	uint8_t *in_buf;    /* STDIN not yet written to in_fd (ENG_ATTACH_DATA_MAX bytes) */
	size_t in_off, in_len;
	struct eng_log_writer *log;
	char *log_path; /* and its rotation, for berth-shim */
	int64_t log_max_size;
	int log_max_file;
	char *shim; /* berth-shim's path, NULL when there is none */
	char *merged;
	char *shm; /* a shareable /dev/shm mounted on the host (--ipc shareable), or NULL */
};

/* The run's place in the restart policy, kept across a berth-shim handoff. */
struct mon_cycle {
	int restarts;
	long backoff_ms;
	long long started; /* time() when the current run started */
};

/* How long a process runs under berth's monitor before berth-shim takes over. */
#define MON_HANDOFF_MS 1000

/* CLOCK_MONOTONIC in milliseconds. */
long long mon_now_ms(void);

/*
 * Hand the running process over to berth-shim (monitor_shim.c): exec it
 * with the run's fds, which execs `berth container-monitor --resume` when
 * the process has exited. Returns only when it could not (the caller
 * serves on).
 */
void mon_shim_exec(struct mon_run *r, const struct mon_cycle *cy);

/* Clients as "--client=FD:STREAMS:HELLO" arguments appended to *argv, their fds made inheritable. */
void mon_clients_to_args(const struct mon_run *r, char ***argv);
/* Add the clients such arguments (their values) name. */
void mon_clients_parse(struct mon_run *r, char *const *specs);

/* Report to the start's ready pipe: "ok" (msg NULL) or "error: msg", then close it. No-op once closed. */
void mon_report(int *ready_fd, const char *msg);
/* Mount the rootfs, write config.json, create and start the process. On failure everything is undone. */
int mon_start(struct mon_run *r, struct berth_error **err);
/*
 * Pump output into the log and to attached clients, stdin from them, until
 * the process exits (true, *ret_status its wait status) or, when handoff_at
 * (CLOCK_MONOTONIC ms) is > 0, until then (false: it still runs, the state
 * is whole, berth-shim can take over).
 */
bool mon_wait(struct mon_run *r, long long handoff_at, int *ret_status);
/* Tell attached clients the exit code (after the State is recorded). */
void mon_io_send_exit(struct mon_run *r, int code);
/* Tell attached clients the process could not be started. */
void mon_io_send_error(struct mon_run *r, const char *msg);
/* Close every client and the attach socket (removing it). Idempotent. */
void mon_io_close(struct mon_run *r);
/* Delete the runtime's container, unmount the rootfs, close what the run held. Idempotent. */
void mon_cleanup(struct mon_run *r);

/* monitor_io.c, monitor_loop.c: the run's stdio. */
/* rt_create with the container's stdio: pipes, or a console socket receiving the pty master. */
int mon_io_create(struct mon_run *r, const char *bundle, struct berth_error **err);
/* Queue bytes for the container's stdin (dropped when it is closed). */
void mon_io_stdin(struct mon_run *r, const uint8_t *data, size_t len);
/* Close the container's stdin (StdinOnce). */
void mon_io_stdin_close(struct mon_run *r);
/* Apply a window size to the pty (no-op without one, or 0 0). */
void mon_io_resize(struct mon_run *r, unsigned rows, unsigned cols);

/* attach_server.c: the attach socket. */
/* Listen on <rundir>/attach.sock unless already listening. */
int mon_attach_listen(struct mon_run *r, struct berth_error **err);
/* Accept a pending connection (the listener is non-blocking). */
void mon_attach_accept(struct mon_run *r);
/* Wait up to timeout_ms for a client's HELLO (attach_wait); false on timeout. */
bool mon_attach_await(struct mon_run *r, int timeout_ms);
/* Read and act on one message of client i; the client is removed when it went away. */
void mon_attach_handle(struct mon_run *r, size_t i);
/* Send data of stream (ENG_ATTACH_STDOUT/STDERR) to each client that asked for it. */
void mon_attach_broadcast(struct mon_run *r, uint8_t type, const void *data, size_t len);
