/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's side of the attach protocol (engine/attach.h): the socket,
 * its clients, their HELLO, STDIN, STDIN_EOF and RESIZE, and the output
 * sent to them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/engine.h"
#include "engine/monitor.h"

/* A client that does not read its output for this long is dropped rather than stalling the container. */
#define CLIENT_SEND_TIMEOUT_S 30

void mon_clients_to_args(const struct mon_run *r, char ***argv)
{
	for (size_t i = 0; i < r->n_clients; i++) {
		const struct mon_client *c = &r->clients[i];

		fcntl(c->fd, F_SETFD, 0);
		strv_push_take(argv, xasprintf("--client=%d:%u:%d", c->fd, (unsigned)c->streams, c->hello ? 1 : 0));
	}
}

void mon_clients_parse(struct mon_run *r, char *const *specs)
{
	for (size_t i = 0; specs && specs[i]; i++) {
		int fd, hello;
		unsigned streams;

		if (sscanf(specs[i], "%d:%u:%d", &fd, &streams, &hello) != 3 || fd < 0)
			continue;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		r->clients = realloc(r->clients, (r->n_clients + 1) * sizeof(*r->clients));
		if (!r->clients)
			abort();
		r->clients[r->n_clients++] =
			(struct mon_client){.fd = fd, .hello = hello != 0, .streams = (uint8_t)streams};
	}
}

void mon_attach_accept(struct mon_run *r)
{
	struct timeval tv = {.tv_sec = CLIENT_SEND_TIMEOUT_S};
	int fd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	r->clients = realloc(r->clients, (r->n_clients + 1) * sizeof(*r->clients));
	if (!r->clients)
		abort();
	r->clients[r->n_clients++] = (struct mon_client){.fd = fd};
}

/* Drop client i; one that attached stdin ends it with StdinOnce (and no tty), as docker. */
static void drop(struct mon_run *r, size_t i)
{
	struct mon_client c = r->clients[i];

	close(c.fd);
	memmove(r->clients + i, r->clients + i + 1, (r->n_clients - i - 1) * sizeof(*r->clients));
	r->n_clients--;
	if ((c.streams & ENG_ATTACH_STREAM_STDIN) && r->stdin_once && !r->tty)
		mon_io_stdin_close(r);
}

void mon_attach_handle(struct mon_run *r, size_t i)
{
	struct mon_client *c = &r->clients[i];
	uint8_t buf[ENG_ATTACH_PACKET_MAX];
	struct eng_attach_msg m;
	ssize_t n;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 || eng_attach_msg_decode(buf, (size_t)n, &m) < 0 || (!c->hello && m.type != ENG_ATTACH_HELLO)) {
		drop(r, i);
		return;
	}
	switch (m.type) {
	case ENG_ATTACH_HELLO:
		c->hello = true;
		c->streams = m.streams;
		mon_io_resize(r, m.rows, m.cols);
		break;
	case ENG_ATTACH_RESIZE:
		mon_io_resize(r, m.rows, m.cols);
		break;
	case ENG_ATTACH_STDIN:
		if (c->streams & ENG_ATTACH_STREAM_STDIN)
			mon_io_stdin(r, m.data, m.len);
		break;
	case ENG_ATTACH_STDIN_EOF:
		if ((c->streams & ENG_ATTACH_STREAM_STDIN) && r->stdin_once && !r->tty)
			mon_io_stdin_close(r);
		break;
	default:
		break; /* monitor-to-client types are ignored */
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool any_hello(const struct mon_run *r)
{
	for (size_t i = 0; i < r->n_clients; i++)
		if (r->clients[i].hello)
			return true;
	return false;
}

bool mon_attach_await(struct mon_run *r, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (!any_hello(r)) {
		struct pollfd p[9] = {{r->listen_fd, POLLIN, 0}};
		size_t n = 1;
		long long left = deadline - now_ms();

		if (left <= 0)
			return false;
		for (size_t i = 0; i < r->n_clients && n < 9; i++)
			p[n++] = (struct pollfd){r->clients[i].fd, POLLIN, 0};
		if (poll(p, n, (int)left) < 0 && errno != EINTR)
			return false;
		/* from the last: handling a client may drop it */
		for (size_t i = n; i-- > 1;)
			if (p[i].revents)
				mon_attach_handle(r, i - 1);
		if (p[0].revents)
			mon_attach_accept(r);
	}
	return true;
}

void mon_attach_broadcast(struct mon_run *r, uint8_t type, const void *data, size_t len)
{
	uint8_t want = type == ENG_ATTACH_STDERR ? ENG_ATTACH_STREAM_STDERR : ENG_ATTACH_STREAM_STDOUT;

	for (size_t i = r->n_clients; i-- > 0;) {
		struct eng_attach_msg m = {.type = type, .data = data, .len = len};

		if (!r->clients[i].hello || !(r->clients[i].streams & want))
			continue;
		if (eng_attach_msg_send(r->clients[i].fd, &m, NULL) < 0)
			drop(r, i);
	}
}

static void send_all(struct mon_run *r, const struct eng_attach_msg *m)
{
	for (size_t i = r->n_clients; i-- > 0;)
		if (eng_attach_msg_send(r->clients[i].fd, m, NULL) < 0)
			drop(r, i);
}

void mon_io_send_exit(struct mon_run *r, int code)
{
	struct eng_attach_msg m = {.type = ENG_ATTACH_EXIT, .code = code};

	send_all(r, &m);
}

void mon_io_send_error(struct mon_run *r, const char *msg)
{
	size_t len = strlen(msg);
	struct eng_attach_msg m = {
		.type = ENG_ATTACH_ERROR, .data = (const uint8_t *)msg, .len = len > 4096 ? 4096 : len};

	send_all(r, &m);
}

void mon_io_close(struct mon_run *r)
{
	for (size_t i = 0; i < r->n_clients; i++)
		close(r->clients[i].fd);
	free(r->clients);
	r->clients = NULL;
	r->n_clients = 0;
	if (r->listen_fd >= 0) {
		close(r->listen_fd);
		r->listen_fd = -1;
		unlink(r->sock_path);
	}
	free(r->sock_path);
	r->sock_path = NULL;
}
