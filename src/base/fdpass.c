/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passing fds over unix sockets (SCM_RIGHTS), for SOCK_SEQPACKET and SOCK_STREAM alike. */
#include "base/proc.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"

/* The kernel's SCM_MAX_FD: more in one message is refused with EINVAL. */
#define FDPASS_MAX_FDS 253

int fd_send(int sock, const void *data, size_t len, const int *fds, size_t nfds, struct berth_error **err)
{
	union {
		char buf[CMSG_SPACE(FDPASS_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	const char *p = data;
	ssize_t n;

	if (len == 0 || nfds > FDPASS_MAX_FDS)
		return berth_error_set(err, EINVAL, "send message with %zu fds", nfds);
	if (nfds > 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, nfds * sizeof(int));
	}
	/* the fds travel with the first chunk; on a stream socket the rest may follow in more sends */
	while (len > 0) {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "send message with %zu fds", nfds);
		p += n;
		len -= (size_t)n;
		iov.iov_base = (void *)p;
		iov.iov_len = len;
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	return 0;
}

/* Collect SCM_RIGHTS fds; those that do not fit in fds are closed. Returns false when some were dropped. */
static bool collect_fds(struct msghdr *msg, int *fds, size_t max_fds, size_t *count)
{
	bool fit = true;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*count < max_fds) {
				fds[(*count)++] = fd;
			} else {
				close(fd);
				fit = false;
			}
		}
	}
	return fit;
}

ssize_t fd_recv(int sock, void *data, size_t len, int *fds, size_t max_fds, size_t *ret_nfds, struct berth_error **err)
{
	union {
		char buf[CMSG_SPACE(FDPASS_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	size_t count = 0;
	bool fit;
	ssize_t n;

	if (max_fds > FDPASS_MAX_FDS)
		max_fds = FDPASS_MAX_FDS;
	/* room for all a sender may pass, so that extra fds are seen and closed rather than lost in flight */
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berth_error_set(err, errno, "receive message");
	fit = collect_fds(&msg, fds, max_fds, &count);
	if (!fit || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		for (size_t i = 0; i < count; i++)
			close(fds[i]);
		return berth_error_set(err, EMSGSIZE, fit ? "receive message" : "receive message: more than %zu fds",
				       max_fds);
	}
	if (ret_nfds)
		*ret_nfds = count;
	return n;
}
