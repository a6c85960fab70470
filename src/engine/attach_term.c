/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The local terminal of an attach or exec: raw mode, its size, the signals,
 * writing output; and receiving a pty master from a console socket.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach_internal.h"

static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPIPE};

int attach_term_init(struct attach_term *t, bool raw, struct berth_error **err)
{
	sigset_t set;

	t->raw = false;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, &t->saved_mask);
	t->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t->sigfd < 0) {
		sigprocmask(SIG_SETMASK, &t->saved_mask, NULL);
		return berth_error_set(err, errno, "signalfd");
	}
	if (raw && isatty(0) && tcgetattr(0, &t->saved) == 0) {
		struct termios tio = t->saved;

		cfmakeraw(&tio);
		if (tcsetattr(0, TCSANOW, &tio) == 0)
			t->raw = true;
	}
	return 0;
}

void attach_term_done(struct attach_term *t)
{
	if (t->raw)
		tcsetattr(0, TCSANOW, &t->saved);
	t->raw = false;
	if (t->sigfd >= 0) {
		struct signalfd_siginfo si;

		/* a SIGPIPE left pending would kill us once unblocked */
		while (read(t->sigfd, &si, sizeof(si)) == sizeof(si))
			;
		close(t->sigfd);
		t->sigfd = -1;
		sigprocmask(SIG_SETMASK, &t->saved_mask, NULL);
	}
}

bool attach_term_size(unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) < 0 && ioctl(0, TIOCGWINSZ, &ws) < 0)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

int attach_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

bool attach_sig_is_fatal(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

int attach_recv_master(int listen_fd, struct berth_error **err)
{
	_cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	char name[64];
	int fd = -1;
	size_t nfds = 0;

	if (conn < 0)
		return berth_error_set(err, errno, "accept on the console socket");
	if (fd_recv(conn, name, sizeof(name), &fd, 1, &nfds, err) < 0)
		return -1;
	if (nfds != 1)
		return berth_error_set(err, 0, "console socket: no terminal received");
	return fd;
}
