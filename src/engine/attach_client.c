/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker attach's client side (engine/attach.h): connect to the monitor's
 * socket, copy the local stdio to and from it, detach keys, window size and
 * signals, and the exit code at the end.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/attach_internal.h"
#include "engine/engine.h"

struct client {
	struct eng *e;
	const char *id;
	int sock;
	bool tty, in, sig_proxy;
	bool out_broken; /* writing to fd 1 or 2 failed: output is dropped from then on */
	bool in_done, got_exit, detached, ended;
	int code;
	char *error; /* the monitor's ERROR */
	struct eng_detach_matcher dm;
	struct attach_term term;
};

static void send_msg(struct client *c, const struct eng_attach_msg *m)
{
	if (eng_attach_msg_send(c->sock, m, NULL) < 0)
		c->ended = true;
}

static void send_size(struct client *c)
{
	struct eng_attach_msg m = {.type = ENG_ATTACH_RESIZE};

	if (c->tty && attach_term_size(&m.rows, &m.cols))
		send_msg(c, &m);
}

static void on_packet(struct client *c)
{
	uint8_t buf[ENG_ATTACH_PACKET_MAX];
	struct eng_attach_msg m;
	ssize_t n = recv(c->sock, buf, sizeof(buf), 0);

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		c->ended = true;
		return;
	}
	if (eng_attach_msg_decode(buf, (size_t)n, &m) < 0)
		return;
	if ((m.type == ENG_ATTACH_STDOUT || m.type == ENG_ATTACH_STDERR) && !c->out_broken) {
		if (attach_write_all(m.type == ENG_ATTACH_STDERR ? 2 : 1, m.data, m.len) < 0)
			c->out_broken = true;
	} else if (m.type == ENG_ATTACH_EXIT) {
		c->got_exit = true;
		c->code = m.code;
	} else if (m.type == ENG_ATTACH_ERROR && !c->error) {
		c->error = xasprintf("%.*s", (int)m.len, (const char *)m.data);
	}
}

static void on_stdin(struct client *c)
{
	uint8_t in[ENG_ATTACH_DATA_MAX - ENG_DETACH_KEYS_MAX], out[ENG_ATTACH_DATA_MAX];
	struct eng_attach_msg m = {.type = ENG_ATTACH_STDIN, .data = out};
	ssize_t n = read(0, in, sizeof(in));
	bool detach;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* EOF (or an unreadable stdin): the container sees the end with StdinOnce */
		c->in_done = true;
		m.type = ENG_ATTACH_STDIN_EOF;
		send_msg(c, &m);
		return;
	}
	detach = eng_detach_feed(&c->dm, in, (size_t)n, out, &m.len);
	if (m.len)
		send_msg(c, &m);
	if (detach)
		c->detached = c->ended = true;
}

static void on_signal(struct client *c)
{
	struct signalfd_siginfo si;
	char sig[16];

	while (read(c->term.sigfd, &si, sizeof(si)) == sizeof(si)) {
		int s = (int)si.ssi_signo;

		if (s == SIGWINCH) {
			send_size(c);
		} else if (s == SIGPIPE) {
			continue;
		} else if (c->sig_proxy && !c->tty) {
			snprintf(sig, sizeof(sig), "%d", s);
			eng_ctr_kill(c->e, c->id, sig, NULL);
		} else if (attach_sig_is_fatal(s)) {
			c->code = 128 + s;
			c->got_exit = c->ended = true;
		}
	}
}

static void loop(struct client *c)
{
	while (!c->ended) {
		struct pollfd p[3] = {
			{c->sock, POLLIN, 0},
			{c->in && !c->in_done && !c->got_exit ? 0 : -1, POLLIN, 0},
			{c->term.sigfd, POLLIN, 0},
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[2].revents)
			on_signal(c);
		if (p[1].revents && !c->ended)
			on_stdin(c);
		if (p[0].revents && !c->ended)
			on_packet(c);
	}
}

/* The container as attach needs it: running (unless starting), its tty and stdin settings. */
static int check_container(struct eng *e, const char *name, bool starting, struct eng_ctr **ret,
			   struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	const char *status;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	status = eng_ctr_status(c);
	if (!strcmp(status, ENG_STATUS_PAUSED))
		return berth_error_set(err, 0, "You cannot attach to a paused container, unpause it first");
	if (!strcmp(status, ENG_STATUS_RESTARTING))
		return berth_error_set(err, 0, "You cannot attach to a restarting container, wait until it is running");
	if (!starting && !eng_ctr_is_running(c))
		return berth_error_set(err, 0, "You cannot attach to a stopped container, start it first");
	*ret = TAKE_PTR(c);
	return 0;
}

static int attach_connect(struct eng *e, struct client *c, const struct eng_attach_opts *o, struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_rundir(e, c->id);
	_cleanup_free_ char *path = xasprintf("%s/attach.sock", dir);
	struct eng_attach_msg hello = {.type = ENG_ATTACH_HELLO};

	c->sock = eng_unix_connect(path, SOCK_SEQPACKET, err);
	if (c->sock < 0)
		return berth_error_wrap(err, "attach to container '%s'", c->id);
	hello.streams = (uint8_t)((c->in ? ENG_ATTACH_STREAM_STDIN : 0) | (o->out ? ENG_ATTACH_STREAM_STDOUT : 0) |
				  (o->err ? ENG_ATTACH_STREAM_STDERR : 0));
	if (c->tty)
		attach_term_size(&hello.rows, &hello.cols);
	return eng_attach_msg_send(c->sock, &hello, err);
}

/* After the connection ended without an EXIT (the monitor died): the recorded exit code. */
static int recorded_code(struct eng *e, const char *id)
{
	int code = 0;

	if (eng_ctr_wait(e, id, NULL, &code, NULL) < 0)
		return 0;
	return code;
}

int eng_ctr_attach(struct eng *e, const char *name, const struct eng_attach_opts *o, int *ret_code, bool *ret_detached,
		   struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *ctr = NULL;
	struct client c = {.e = e, .sock = -1, .term = {.sigfd = -1}, .sig_proxy = o->sig_proxy};
	json_t *config;
	int rc = -1;

	if (eng_detach_keys_parse(o->detach_keys && *o->detach_keys ? o->detach_keys : ENG_DETACH_KEYS_DEFAULT,
				  c.dm.keys, &c.dm.n, err) < 0 ||
	    check_container(e, name, o->starting, &ctr, err) < 0)
		return -1;
	config = json_object_get(ctr->doc, "Config");
	c.id = ctr->id;
	c.tty = json_is_true(json_object_get(config, "Tty"));
	c.in = o->in && json_is_true(json_object_get(config, "OpenStdin"));
	/* dockerd looks for the detach keys only with a tty: piped data passes unchanged */
	if (!c.tty)
		c.dm.n = 0;
	if (attach_term_init(&c.term, c.tty && c.in, err) < 0)
		return -1;
	if (attach_connect(e, &c, o, err) < 0)
		goto out;
	loop(&c);
	if (c.error) {
		berth_error_set(err, 0, "%s", c.error);
		goto out;
	}
	if (!c.got_exit && !c.detached)
		c.code = recorded_code(e, c.id);
	*ret_code = c.detached ? 0 : c.code;
	if (ret_detached)
		*ret_detached = c.detached;
	rc = 0;
out:
	attach_term_done(&c.term);
	if (c.sock >= 0)
		close(c.sock);
	free(c.error);
	return rc;
}
