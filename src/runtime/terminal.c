/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process.terminal: opening the pty pair in the container, making it the
 * controlling terminal, runc's --console-socket hand-off and the foreground proxy.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The message runc sends along with the master fd: the name of the file it opened. */
#define CONSOLE_SOCKET_NAME "/dev/ptmx"

static int open_slave(int master, struct berth_error **err)
{
	char name[64];
	int fd;

	/* TIOCGPTPEER (4.13) opens the peer without a path lookup that could be redirected. */
	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		return berth_error_set(err, errno, "open pty slave");
	if (ptsname_r(master, name, sizeof(name)) != 0)
		return berth_error_set(err, errno, "ptsname");
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", name);
	return fd;
}

int rt_terminal_open(unsigned rows, unsigned cols, int *ret_master, int *ret_slave, struct berth_error **err)
{
	_cleanup_close_ int master = -1, slave = -1;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return berth_error_set(err, errno, "open '/dev/ptmx'");
	if (grantpt(master) < 0)
		return berth_error_set(err, errno, "grantpt");
	if (unlockpt(master) < 0)
		return berth_error_set(err, errno, "unlockpt");
	slave = open_slave(master, err);
	if (slave < 0)
		return -1;
	if (rows || cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return berth_error_set(err, errno, "set terminal size %ux%u", cols, rows);
	}
	*ret_master = TAKE_FD(master);
	*ret_slave = TAKE_FD(slave);
	return 0;
}

int rt_terminal_make_controlling(int slave, struct berth_error **err)
{
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return berth_error_set(err, errno, "make the terminal the controlling one");
	for (int fd = 0; fd <= 2; fd++) {
		if (fd == slave) {
			/* dup2 onto itself would keep O_CLOEXEC. */
			if (fcntl(fd, F_SETFD, 0) < 0)
				return berth_error_set(err, errno, "clear close-on-exec of fd %d", fd);
		} else if (dup2(slave, fd) < 0) {
			return berth_error_set(err, errno, "dup terminal to fd %d", fd);
		}
	}
	return 0;
}

/* Connect to path; one longer than sun_path is reached through its directory's /proc/self/fd entry. */
static int connect_unix(const char *path, struct berth_error **err)
{
	_cleanup_close_ int sock = -1, dirfd = -1;
	_cleanup_free_ char *dir = NULL, *target = NULL;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	const char *slash;

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return berth_error_set(err, errno, "socket");
	if (strlen(path) >= sizeof(addr.sun_path) && (slash = strrchr(path, '/'))) {
		dir = xstrdup(path);
		dir[slash == path ? 1 : slash - path] = '\0';
		dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return berth_error_set(err, errno, "open '%s'", dir);
		target = xasprintf("/proc/self/fd/%d/%s", dirfd, slash + 1);
	}
	if (strlen(target ? target : path) >= sizeof(addr.sun_path))
		return berth_error_set(err, ENAMETOOLONG, "console socket '%s'", path);
	strcpy(addr.sun_path, target ? target : path);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berth_error_set(err, errno, "connect to console socket '%s'", path);
	return TAKE_FD(sock);
}

int rt_console_socket_send(const char *path, int master, struct berth_error **err)
{
	_cleanup_close_ int sock = -1;

	sock = connect_unix(path, err);
	if (sock < 0)
		return -1;
	if (fd_send(sock, CONSOLE_SOCKET_NAME, strlen(CONSOLE_SOCKET_NAME), &master, 1, err) < 0)
		return berth_error_wrap(err, "send terminal to console socket '%s'", path);
	return 0;
}

/* State of the foreground proxy; proxy_done restores what proxy_init changed. */
struct proxy {
	int master, pidfd, sigfd;
	int master_flags;
	bool in_open;  /* still reading our stdin */
	bool raw;      /* our stdin terminal is in raw mode */
	bool mask_set; /* SIGWINCH blocked by us */
	bool exited;   /* the pidfd became readable */
	bool done;     /* master hung up, or the process exited and master went quiet */
	struct termios saved;
	sigset_t saved_mask;
	char pending[4096]; /* read from stdin, not yet written to master */
	size_t off, len;
};

static void copy_winsize(struct proxy *p)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(p->master, TIOCSWINSZ, &ws);
}

static int proxy_init(struct proxy *p, int master, int pidfd, struct berth_error **err)
{
	struct termios raw;
	sigset_t winch;

	*p = (struct proxy){.master = master, .pidfd = pidfd, .sigfd = -1, .in_open = true};
	p->master_flags = fcntl(master, F_GETFL);
	/* Non-blocking master: a container that does not read its stdin must not stall its output. */
	if (p->master_flags < 0 || fcntl(master, F_SETFL, p->master_flags | O_NONBLOCK) < 0)
		return berth_error_set(err, errno, "set terminal master non-blocking");
	if (!isatty(STDIN_FILENO))
		return 0;
	copy_winsize(p);
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &winch, &p->saved_mask) < 0)
		return berth_error_set(err, errno, "block SIGWINCH");
	p->mask_set = true;
	p->sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sigfd < 0)
		return berth_error_set(err, errno, "signalfd");
	if (tcgetattr(STDIN_FILENO, &p->saved) < 0)
		return berth_error_set(err, errno, "get terminal attributes");
	raw = p->saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return berth_error_set(err, errno, "set terminal raw mode");
	p->raw = true;
	return 0;
}

static void proxy_done(struct proxy *p)
{
	if (p->raw)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &p->saved);
	if (p->sigfd >= 0)
		close(p->sigfd);
	if (p->mask_set)
		(void)sigprocmask(SIG_SETMASK, &p->saved_mask, NULL);
	if (p->master_flags >= 0)
		(void)fcntl(p->master, F_SETFL, p->master_flags);
}

static int write_stdout(const char *data, size_t len, struct berth_error **err)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};

			(void)poll(&pfd, 1, -1);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "write to stdout");
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy what master has to stdout. EIO or EOF: the slave side is gone. */
static int pump_master(struct proxy *p, struct berth_error **err)
{
	char buf[8192];

	ssize_t n = read(p->master, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		/* EIO is how a pty master reports that every slave fd is closed. */
		if (n < 0 && errno != EIO)
			return berth_error_set(err, errno, "read terminal master");
		p->done = true;
		return 0;
	}
	return write_stdout(buf, (size_t)n, err);
}

static void pump_stdin(struct proxy *p)
{
	ssize_t n = read(STDIN_FILENO, p->pending, sizeof(p->pending));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* EOF (or a broken stdin): stop reading it; the container keeps running. */
		p->in_open = false;
		return;
	}
	p->off = 0;
	p->len = (size_t)n;
}

static int flush_pending(struct proxy *p, struct berth_error **err)
{
	ssize_t n = write(p->master, p->pending + p->off, p->len - p->off);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0 && errno == EIO) {
		p->done = true;
		return 0;
	}
	if (n < 0)
		return berth_error_set(err, errno, "write terminal master");
	p->off += (size_t)n;
	if (p->off == p->len)
		p->off = p->len = 0;
	return 0;
}

static void handle_winch(struct proxy *p)
{
	struct signalfd_siginfo si;

	while (read(p->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	copy_winsize(p);
}

/*
 * After the process exits, its last output may still be on its way through
 * the pty's flip buffer: keep copying until master reports EIO (no slave left)
 * or has been quiet this long (a background process still holds the slave).
 */
#define EXIT_QUIET_MS 100

static int proxy_step(struct proxy *p, struct berth_error **err)
{
	struct pollfd fds[4];
	int nfds = 0, in_i = -1, pid_i = -1, sig_i = -1, m_i, r;
	const short ready = POLLIN | POLLHUP | POLLERR;

	m_i = nfds;
	fds[nfds++] = (struct pollfd){.fd = p->master, .events = (short)(POLLIN | (p->len ? POLLOUT : 0))};
	if (p->in_open && p->len == 0 && !p->exited)
		in_i = nfds, fds[nfds++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	if (p->pidfd >= 0 && !p->exited)
		pid_i = nfds, fds[nfds++] = (struct pollfd){.fd = p->pidfd, .events = POLLIN};
	if (p->sigfd >= 0)
		sig_i = nfds, fds[nfds++] = (struct pollfd){.fd = p->sigfd, .events = POLLIN};
	r = poll(fds, (nfds_t)nfds, p->exited ? EXIT_QUIET_MS : -1);
	if (r < 0)
		return errno == EINTR ? 0 : berth_error_set(err, errno, "poll");
	if (r == 0) {
		p->done = true;
		return 0;
	}
	if (sig_i >= 0 && fds[sig_i].revents)
		handle_winch(p);
	/* POLLNVAL: no stdin at all (fd 0 closed); the read fails and stdin is dropped. */
	if (in_i >= 0 && (fds[in_i].revents & (ready | POLLNVAL)))
		pump_stdin(p);
	if (p->len && (fds[m_i].revents & (POLLOUT | POLLERR)) && flush_pending(p, err) < 0)
		return -1;
	if ((fds[m_i].revents & ready) && pump_master(p, err) < 0)
		return -1;
	if (fds[m_i].revents & POLLNVAL)
		return berth_error_set(err, EBADF, "poll terminal master");
	if (pid_i >= 0 && (fds[pid_i].revents & ready))
		p->exited = true;
	return 0;
}

int rt_terminal_proxy(int master, int pidfd, struct berth_error **err)
{
	struct proxy p;
	int r = 0;

	if (proxy_init(&p, master, pidfd, err) < 0) {
		proxy_done(&p);
		return -1;
	}
	while (!p.done && r == 0)
		r = proxy_step(&p, err);
	proxy_done(&p);
	return r;
}
