/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The attach protocol's messages, docker's detach keys, and the unix socket
 * helpers the monitor, the attach client and exec share.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool has_data(uint8_t type)
{
	return type == ENG_ATTACH_STDIN || type == ENG_ATTACH_STDOUT || type == ENG_ATTACH_STDERR ||
	       type == ENG_ATTACH_ERROR;
}

int eng_attach_msg_encode(const struct eng_attach_msg *m, uint8_t *buf, size_t size)
{
	size_t need;

	switch (m->type) {
	case ENG_ATTACH_HELLO:
		need = 6;
		break;
	case ENG_ATTACH_RESIZE:
	case ENG_ATTACH_EXIT:
		need = 5;
		break;
	case ENG_ATTACH_STDIN_EOF:
		need = 1;
		break;
	default:
		if (!has_data(m->type) || m->len > ENG_ATTACH_DATA_MAX)
			return -1;
		need = 1 + m->len;
	}
	if (size < need)
		return -1;
	buf[0] = m->type;
	if (m->type == ENG_ATTACH_HELLO) {
		buf[1] = m->streams;
		put16(buf + 2, m->rows);
		put16(buf + 4, m->cols);
	} else if (m->type == ENG_ATTACH_RESIZE) {
		put16(buf + 1, m->rows);
		put16(buf + 3, m->cols);
	} else if (m->type == ENG_ATTACH_EXIT) {
		uint32_t c = (uint32_t)m->code;

		put16(buf + 1, (uint16_t)(c >> 16));
		put16(buf + 3, (uint16_t)c);
	} else if (m->len) {
		memcpy(buf + 1, m->data, m->len);
	}
	return (int)need;
}

int eng_attach_msg_decode(const uint8_t *buf, size_t len, struct eng_attach_msg *ret)
{
	if (len < 1)
		return -1;
	memset(ret, 0, sizeof(*ret));
	ret->type = buf[0];
	switch (ret->type) {
	case ENG_ATTACH_HELLO:
		if (len != 6)
			return -1;
		ret->streams = buf[1];
		ret->rows = get16(buf + 2);
		ret->cols = get16(buf + 4);
		return 0;
	case ENG_ATTACH_RESIZE:
		if (len != 5)
			return -1;
		ret->rows = get16(buf + 1);
		ret->cols = get16(buf + 3);
		return 0;
	case ENG_ATTACH_EXIT:
		if (len != 5)
			return -1;
		ret->code = (int32_t)((uint32_t)get16(buf + 1) << 16 | get16(buf + 3));
		return 0;
	case ENG_ATTACH_STDIN_EOF:
		return len == 1 ? 0 : -1;
	default:
		if (!has_data(ret->type) || len - 1 > ENG_ATTACH_DATA_MAX)
			return -1;
		ret->data = buf + 1;
		ret->len = len - 1;
		return 0;
	}
}

int eng_attach_msg_send(int fd, const struct eng_attach_msg *m, struct berth_error **err)
{
	uint8_t buf[ENG_ATTACH_PACKET_MAX];
	int n = eng_attach_msg_encode(m, buf, sizeof(buf));
	ssize_t w;

	if (n < 0)
		return berth_error_set(err, EINVAL, "attach message of type %u", m->type);
	do
		w = send(fd, buf, (size_t)n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return berth_error_set(err, errno, "send attach message");
	return 0;
}

/* ---- detach keys ---- */

/* docker's names of the control characters, by code. */
static int ctrl_code(const char *key)
{
	static const char chars[] = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

	if (strncmp(key, "ctrl-", 5) != 0 || strlen(key) != 6)
		return -1;
	for (size_t i = 0; chars[i]; i++)
		if (key[5] == chars[i])
			return (int)i;
	return -1;
}

int eng_detach_keys_parse(const char *spec, uint8_t *ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n = 0;
	char *rest = copy;

	/* as docker: every piece between commas counts, an empty one is an unknown key */
	while (*spec && rest) {
		char *k = strsep(&rest, ",");
		int code = strlen(k) == 1 ? (unsigned char)k[0] : !strcmp(k, "DEL") ? 0x7f : ctrl_code(k);

		if (code < 0 || n == ENG_DETACH_KEYS_MAX)
			return berth_error_set(err, 0, "invalid detach keys (%s) provided", spec);
		keys[n++] = (uint8_t)code;
	}
	memcpy(ret, keys, n);
	*ret_n = n;
	return 0;
}

bool eng_detach_feed(struct eng_detach_matcher *m, const uint8_t *in, size_t len, uint8_t *out, size_t *ret_out_len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];

		if (!m->n) {
			out[o++] = b;
			continue;
		}
		if (b != m->keys[m->matched] && m->matched) {
			/* not the sequence after all: release what was held, then look at b afresh */
			memcpy(out + o, m->keys, m->matched);
			o += m->matched;
			m->matched = 0;
		}
		if (b == m->keys[m->matched]) {
			if (++m->matched == m->n) {
				m->matched = 0;
				*ret_out_len = o;
				return true;
			}
			continue;
		}
		out[o++] = b;
	}
	*ret_out_len = o;
	return false;
}

/* ---- unix sockets ---- */

/* Fill addr for path; a long one goes through /proc/self/fd/N of its directory, N kept open in *dirfd. */
static int unix_addr(const char *path, struct sockaddr_un *addr, int *dirfd, struct berth_error **err)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *target = NULL;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path) && slash) {
		_cleanup_free_ char *dir = xasprintf("%.*s", slash == path ? 1 : (int)(slash - path), path);

		*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*dirfd < 0)
			return berth_error_set(err, errno, "open '%s'", dir);
		target = xasprintf("/proc/self/fd/%d/%s", *dirfd, slash + 1);
	}
	if (strlen(target ? target : path) >= sizeof(addr->sun_path))
		return berth_error_set(err, ENAMETOOLONG, "socket '%s'", path);
	strcpy(addr->sun_path, target ? target : path);
	return 0;
}

int eng_unix_listen(const char *path, int type, struct berth_error **err)
{
	_cleanup_close_ int sock = -1, dirfd = -1;
	struct sockaddr_un addr;

	if (unix_addr(path, &addr, &dirfd, err) < 0)
		return -1;
	sock = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return berth_error_set(err, errno, "socket");
	unlink(addr.sun_path);
	/* 0600 from the start: nobody else may connect between bind and chmod */
	mode_t old = umask(0177);
	int rc = bind(sock, (struct sockaddr *)&addr, sizeof(addr));

	umask(old);
	if (rc < 0)
		return berth_error_set(err, errno, "bind '%s'", path);
	if (listen(sock, 16) < 0)
		return berth_error_set(err, errno, "listen on '%s'", path);
	return TAKE_FD(sock);
}

int eng_unix_connect(const char *path, int type, struct berth_error **err)
{
	_cleanup_close_ int sock = -1, dirfd = -1;
	struct sockaddr_un addr;

	if (unix_addr(path, &addr, &dirfd, err) < 0)
		return -1;
	sock = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return berth_error_set(err, errno, "socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return berth_error_set(err, errno, "connect to '%s'", path);
	return TAKE_FD(sock);
}
