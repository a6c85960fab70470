/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's side of a run's stdio: pipes or a pty for rt_create (the
 * loop that serves them is monitor_loop.c's).
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
