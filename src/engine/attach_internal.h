/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: what the attach client and exec share: the local terminal and signals. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

struct berth_error;

/* The local side of an attach: raw mode of fd 0 and the signals read through a signalfd. */
struct attach_term {
	int sigfd; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPIPE; blocked */
	bool raw;  /* fd 0 is in raw mode, saved holds its settings */
	struct termios saved;
	sigset_t saved_mask;
};

/*
 * Block the signals above and open the signalfd; with raw, put fd 0 (when a
 * terminal) in raw mode. attach_term_done undoes both; it is safe on a
 * zeroed struct with sigfd -1.
 */
int attach_term_init(struct attach_term *t, bool raw, struct berth_error **err);
void attach_term_done(struct attach_term *t);
/* The size of the local terminal (fd 1, else fd 0); false when neither is one. */
bool attach_term_size(unsigned short *rows, unsigned short *cols);
/* Write all of buf to fd (EINTR and short writes retried); -1 on error. */
int attach_write_all(int fd, const void *buf, size_t len);
/* Whether sig ends an attach when it is not forwarded. */
bool attach_sig_is_fatal(int sig);
/* The pty master a runtime sent to the console socket listen_fd (its connection is pending); O_CLOEXEC. */
int attach_recv_master(int listen_fd, struct berth_error **err);
