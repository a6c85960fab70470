/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's side of a run's stdio: pipes or a pty for rt_create, the
 * loop that copies output to the log and to attached clients and clients'
 * input to the container's stdin, and the reaping of the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/attach_internal.h"
#include "engine/engine.h"
#include "engine/monitor.h"
#include "runtime/runtime.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* rt_create with a console socket: the pty master becomes out_fd, a dup of it in_fd when OpenStdin. */
static int create_tty(struct mon_run *r, const struct rt_global *g, struct rt_create_opts *o, struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_rundir(r->e, r->id);
	_cleanup_free_ char *path = xasprintf("%s/console.sock", dir);
	_cleanup_close_ int lfd = -1;
	int master;

	if (fs_mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
		return -1;
	lfd = eng_unix_listen(path, SOCK_STREAM, err);
	if (lfd < 0)
		return -1;
	o->console_socket = path;
	if (rt_create(g, r->id, o, err) < 0) {
		unlink(path);
		return -1;
	}
	r->created = true;
	master = attach_recv_master(lfd, err);
	unlink(path);
	if (master < 0)
		return -1;
	r->out_fd = master;
	if (r->open_stdin && (r->in_fd = fcntl(master, F_DUPFD_CLOEXEC, 3)) < 0)
		return berth_error_set(err, errno, "dup the terminal");
	return 0;
}

/*
 * rt_create's init inherits the monitor's fds 0-2: put the container's
 * stdio there for the call, then restore /dev/null.
 */
static int create_pipes(struct mon_run *r, const struct rt_global *g, const struct rt_create_opts *o,
			struct berth_error **err)
{
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, in[2] = {-1, -1};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), rc = -1;

	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (r->open_stdin && pipe2(in, O_CLOEXEC) < 0)) {
		berth_error_set(err, errno, "stdio pipes");
		goto out;
	}
	if (dup2(r->open_stdin ? in[0] : null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0) {
		berth_error_set(err, errno, "stdio");
		goto out;
	}
	rc = rt_create(g, r->id, o, err);
	if (rc == 0)
		r->created = true;
out:
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	r->out_fd = out[0];
	r->err_fd = errp[0];
	r->in_fd = in[1];
	close_fd(&out[1]);
	close_fd(&errp[1]);
	close_fd(&in[0]);
	close_fd(&null);
	return rc;
}

int mon_io_create(struct mon_run *r, const char *bundle, struct berth_error **err)
{
	_cleanup_free_ char *rt_root = eng_runtime_root(r->e);
	struct rt_global g = {.root = rt_root};
	struct rt_create_opts o = {.bundle = bundle};
	int rc;

	r->in_off = r->in_len = 0;
	if (!r->in_buf)
		r->in_buf = xmalloc(ENG_ATTACH_DATA_MAX);
	/* the init is cloned from us: it must get SIGPIPE's default action; we ignore it (writes to stdin) */
	signal(SIGPIPE, SIG_DFL);
	rc = r->tty ? create_tty(r, &g, &o, err) : create_pipes(r, &g, &o, err);
	signal(SIGPIPE, SIG_IGN);
	return rc;
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

int mon_wait(struct mon_run *r)
{
	int status = 0;
	bool exited = false;

	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	if (r->err_fd >= 0)
		fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	if (r->in_fd >= 0)
		fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
	while (!exited || r->out_fd >= 0 || r->err_fd >= 0) {
		struct pollfd p[PI_MAX];
		size_t np = poll_set(r, exited, p);
		int n = poll(p, np, exited ? 100 : 1000);

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
			exited = reap(r, &status);
		else if (n == 0)
			break; /* the process is gone and its output is quiet: something else holds it */
	}
	if (r->log)
		eng_log_flush(r->log, NULL);
	return status;
}
