/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message framing of the parent/child setup protocol (see proto.h). */
#include "runtime/proto.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"

static const char *const type_names[] = {
	[RT_MSG_GO] = "GO",	      [RT_MSG_HOOKS] = "HOOKS",	  [RT_MSG_HOOKS_DONE] = "HOOKS_DONE",
	[RT_MSG_PTY] = "PTY",	      [RT_MSG_READY] = "READY",	  [RT_MSG_START] = "START",
	[RT_MSG_ERROR] = "ERROR",     [RT_MSG_CGROUP] = "CGROUP", [RT_MSG_PID] = "PID",
	[RT_MSG_SECCOMP] = "SECCOMP",
};

int rt_msg_send(int sock, enum rt_msg_type type, int code, const char *text, int fd, struct berth_error **err)
{
	struct rt_msg m = {.type = type, .code = code};
	size_t len = offsetof(struct rt_msg, text);

	if (text) {
		size_t n = strnlen(text, RT_MSG_TEXT_MAX - 1);
		memcpy(m.text, text, n);
		m.text[n] = '\0';
		len += n + 1;
	}
	if (fd >= 0)
		return fd_send(sock, &m, len, &fd, 1, err) < 0 ? -1 : 0;
	for (;;) {
		if (send(sock, &m, len, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return berth_error_set(err, errno, "send setup message %s", type_names[type]);
	}
}

int rt_msg_recv(int sock, struct rt_msg *ret, int *ret_fd, struct berth_error **err)
{
	int fd = -1;
	size_t nfds = 0;
	ssize_t n;

	memset(ret, 0, sizeof(*ret));
	n = fd_recv(sock, ret, sizeof(*ret), &fd, 1, &nfds, err);
	if (n < 0)
		return berth_error_wrap(err, "receive setup message");
	if (n == 0)
		return berth_error_set(err, 0, "container setup process exited unexpectedly");
	if ((size_t)n < offsetof(struct rt_msg, text) || ret->type < RT_MSG_GO || ret->type > RT_MSG_SECCOMP) {
		if (fd >= 0)
			close(fd);
		return berth_error_set(err, 0, "malformed setup message");
	}
	ret->text[RT_MSG_TEXT_MAX - 1] = '\0';
	if (ret->type == RT_MSG_ERROR) {
		if (fd >= 0)
			close(fd);
		berth_error_set(err, 0, "%s", ret->text);
		(*err)->code = ret->code;
		return -1;
	}
	if (ret_fd)
		*ret_fd = fd;
	else if (fd >= 0)
		close(fd);
	return 0;
}

int rt_msg_expect(int sock, enum rt_msg_type type, int *ret_fd, struct berth_error **err)
{
	struct rt_msg m;
	int fd = -1;

	if (rt_msg_recv(sock, &m, &fd, err) < 0)
		return -1;
	if (m.type != type) {
		if (fd >= 0)
			close(fd);
		return berth_error_set(err, 0, "setup protocol: expected %s, got %s", type_names[type],
				       type_names[m.type]);
	}
	if (ret_fd)
		*ret_fd = fd;
	else if (fd >= 0)
		close(fd);
	return 0;
}

void rt_msg_fail(int sock, struct berth_error *err)
{
	rt_msg_send(sock, RT_MSG_ERROR, err ? err->code : 0, err && err->msg ? err->msg : "unknown error", -1, NULL);
	_exit(1);
}
