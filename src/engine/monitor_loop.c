/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loop a monitor serves a running container with, in berth's monitor
 * and in berth-shim alike (so it needs nothing but libc and base/): output
 * into the log and to attached clients, clients' input to the container's
 * stdin, window sizes, and the reaping of the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/engine.h"
#include "engine/monitor.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

long long mon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mon_io_stdin_close(struct mon_run *r)
{
	close_fd(&r->in_fd);
	r->in_off = r->in_len = 0;
}

void mon_io_stdin(struct mon_run *r, const uint8_t *data, size_t len)
{
	if (r->in_fd < 0 || !len || r->in_len)
		return;
	/* the loop stops reading clients while this waits: one message at most */
	memcpy(r->in_buf, data, len);
	r->in_off = 0;
	r->in_len = len;
}

/* Write what waits for stdin as far as the container takes it. */
static void stdin_flush(struct mon_run *r)
{
	while (r->in_fd >= 0 && r->in_off < r->in_len) {
		ssize_t n = write(r->in_fd, r->in_buf + r->in_off, r->in_len - r->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* the container closed its stdin */
			mon_io_stdin_close(r);
			return;
		}
		r->in_off += (size_t)n;
	}
	r->in_off = r->in_len = 0;
}

void mon_io_resize(struct mon_run *r, unsigned rows, unsigned cols)
{
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

	if (r->tty && r->out_fd >= 0 && rows && cols)
		(void)ioctl(r->out_fd, TIOCSWINSZ, &ws);
}

/* Copy what is readable from fd into the log and to the clients; false at EOF or error (EIO: pty closed). */
static bool pump(struct mon_run *r, int fd, bool is_err)
{
	char buf[ENG_ATTACH_DATA_MAX];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (r->log)
		eng_log_write(r->log, is_err ? "stderr" : "stdout", buf, (size_t)n, NULL);
	mon_attach_broadcast(r, is_err ? ENG_ATTACH_STDERR : ENG_ATTACH_STDOUT, buf, (size_t)n);
	return true;
}

/* Reap every exited child (orphans come to the subreaper); true once the init is among them. */
static bool reap(struct mon_run *r, int *status)
{
	bool done = false;
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == r->pid) {
			*status = st;
			done = true;
		}
	return done;
}

enum { PI_OUT, PI_ERR, PI_PID, PI_LISTEN, PI_IN, PI_CLIENTS, PI_MAX = PI_CLIENTS + 32 };

/* One poll round's set: output, the process, the socket, stdin when data waits, else the clients. */
static size_t poll_set(struct mon_run *r, bool exited, struct pollfd *p)
{
	size_t n = PI_CLIENTS;

	p[PI_OUT] = (struct pollfd){r->out_fd, POLLIN, 0};
	p[PI_ERR] = (struct pollfd){r->err_fd, POLLIN, 0};
	p[PI_PID] = (struct pollfd){exited ? -1 : r->pidfd, POLLIN, 0};
	p[PI_LISTEN] = (struct pollfd){r->listen_fd, POLLIN, 0};
	p[PI_IN] = (struct pollfd){r->in_len ? r->in_fd : -1, POLLOUT, 0};
	for (size_t i = 0; i < r->n_clients && n < PI_MAX; i++)
		p[n++] = (struct pollfd){r->in_len ? -1 : r->clients[i].fd, POLLIN, 0};
	return n;
}

bool mon_wait(struct mon_run *r, long long handoff_at, int *ret_status)
{
	bool exited = false;

	*ret_status = 0;
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	if (r->err_fd >= 0)
		fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	if (r->in_fd >= 0)
		fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
	while (!exited || r->out_fd >= 0 || r->err_fd >= 0) {
		struct pollfd p[PI_MAX];
		size_t np = poll_set(r, exited, p);
		int timeout = exited ? 100 : 1000, n;

		if (handoff_at > 0 && !exited) {
			long long left = handoff_at - mon_now_ms();

			/* hand over between messages only: nothing half-written to the container's stdin */
			if (left <= 0 && !r->in_len)
				break;
			timeout = left <= 0 ? 10 : (int)(left < timeout ? left : timeout);
		}
		n = poll(p, np, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && p[PI_OUT].revents && !pump(r, r->out_fd, false))
			close_fd(&r->out_fd);
		if (n > 0 && p[PI_ERR].revents && !pump(r, r->err_fd, true))
			close_fd(&r->err_fd);
		if (n > 0 && p[PI_IN].revents)
			stdin_flush(r);
		for (size_t i = np; n > 0 && i-- > PI_CLIENTS;)
			if (p[i].revents)
				mon_attach_handle(r, i - PI_CLIENTS);
		if (n > 0 && p[PI_LISTEN].revents)
			mon_attach_accept(r);
		if (!exited)
			exited = reap(r, ret_status);
		else if (n == 0)
			break; /* the process is gone and its output is quiet: something else holds it */
	}
	if (r->log)
		eng_log_flush(r->log, NULL);
	return exited || handoff_at <= 0;
}
