/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rtnetlink handle: opening it inside a network namespace, sending a
 * request and reading its ACK or dump (with the kernel's extended ack text).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "network/netlink_internal.h"

/* The kernel sizes dump messages up to 32 KiB; a smaller buffer would truncate them (ENOSPC). */
#define NET_NL_RBUF (32 * 1024)

static struct mnl_socket *socket_open(struct berth_error **err)
{
	struct mnl_socket *sock;
	int one = 1;

	sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!sock) {
		berth_error_set(err, errno, "open rtnetlink socket");
		return NULL;
	}
	/* best effort: the kernel's explanation of a failure, without an echo of the request */
	(void)mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return sock;
}

/* Create the socket in the netns netns_fd: sockets stay in the netns they were created in. */
static struct mnl_socket *socket_open_in(int netns_fd, struct berth_error **err)
{
	_cleanup_close_ int self = -1;
	_cleanup_error_ struct berth_error *open_err = NULL;
	struct mnl_socket *sock;

	if (netns_fd < 0)
		return socket_open(err);
	/* setns(CLONE_NEWNET) acts on the calling thread only */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		berth_error_set(err, errno, "open '/proc/thread-self/ns/net'");
		return NULL;
	}
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		berth_error_set(err, errno, "enter network namespace");
		return NULL;
	}
	sock = socket_open(&open_err);
	if (setns(self, CLONE_NEWNET) < 0) {
		berth_error_set(err, errno, "return to the original network namespace");
		if (sock)
			mnl_socket_close(sock);
		return NULL;
	}
	if (!sock)
		berth_error_move(err, &open_err);
	return sock;
}

int net_nl_open(struct net_nl **ret, int netns_fd, struct berth_error **err)
{
	struct net_nl *nl;

	nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->rbuf = malloc(NET_NL_RBUF);
	if (!nl || !nl->rbuf) {
		net_nl_close(nl);
		return berth_error_set(err, ENOMEM, "open rtnetlink socket");
	}
	nl->sock = socket_open_in(netns_fd, err);
	if (!nl->sock) {
		net_nl_close(nl);
		return -1;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		berth_error_set(err, errno, "bind rtnetlink socket");
		net_nl_close(nl);
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)getpid() << 8;
	*ret = nl;
	return 0;
}

void net_nl_close(struct net_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rbuf);
	free(nl);
}

struct nlmsghdr *net_nl_msg_new(struct net_nl *nl, void *buf, unsigned type, unsigned flags, size_t hdrlen,
				void **ret_hdr)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, NET_NL_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	/* NLM_F_EXCL and NLM_F_REPLACE share bits with NLM_F_DUMP: test for both of its bits */
	if ((flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	*ret_hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

struct talk {
	struct net_nl *nl;
	unsigned seq;
	mnl_cb_t cb;
	void *data;
};

static int ext_attr_cb(const struct nlattr *attr, void *data)
{
	struct net_nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ACK (error 0) ends the request; else errno and the kernel's text are kept. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_seq != t->seq)
		return MNL_CB_OK; /* left over from an earlier, abandoned request */
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off < mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse_payload((const char *)e + MNL_ALIGN(off), mnl_nlmsg_get_payload_len(nlh) - off,
					       ext_attr_cb, t->nl);
	}
	errno = -e->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return nlh->nlmsg_seq == t->seq ? MNL_CB_STOP : MNL_CB_OK;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	if (nlh->nlmsg_seq != t->seq || !t->cb)
		return MNL_CB_OK;
	return t->cb(nlh, t->data);
}

/* Send and read until the ACK / NLMSG_DONE. -1 with errno set. */
static int talk_run(struct net_nl *nl, struct nlmsghdr *nlh, struct talk *t)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb};
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->rbuf, NET_NL_RBUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		/* seq 0: the callbacks match sequence numbers themselves, skipping stale replies */
		r = mnl_cb_run2(nl->rbuf, (size_t)n, 0, nl->portid, data_cb, t, ctl, NLMSG_MIN_TYPE);
		if (r < 0)
			return -1;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

int net_nl_talk(struct net_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct berth_error **err,
		const char *what, ...)
{
	struct talk t = {.nl = nl, .seq = nlh->nlmsg_seq, .cb = cb, .data = data};
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int code;

	nl->ext_msg[0] = '\0';
	if (talk_run(nl, nlh, &t) == 0)
		return 0;
	code = errno ? errno : EIO;
	va_start(ap, what);
	if (vasprintf(&msg, what, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (nl->ext_msg[0])
		berth_error_set(err, 0, "%s: %s (%s)", msg ? msg : "netlink request", strerror(code), nl->ext_msg);
	else
		berth_error_set(err, 0, "%s: %s", msg ? msg : "netlink request", strerror(code));
	if (err && *err)
		(*err)->code = code;
	return -1;
}

bool net_ifname_is_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > NET_IFNAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	/* dev_valid_name() refuses '/', ':' and whitespace */
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			return false;
	return true;
}

int net_ifname_check(const char *name, struct berth_error **err)
{
	if (!net_ifname_is_valid(name))
		return berth_error_set(err, 0, "invalid interface name '%s'", name ? name : "");
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int net_mac_parse(const char *s, unsigned char ret[NET_MAC_LEN], struct berth_error **err)
{
	unsigned char mac[NET_MAC_LEN];
	int hi, lo;

	if (!s || strlen(s) != 3 * NET_MAC_LEN - 1)
		return berth_error_set(err, 0, "invalid MAC address '%s'", s ? s : "");
	for (int i = 0; i < NET_MAC_LEN; i++) {
		const char *p = s + 3 * i;

		hi = hex_digit(p[0]);
		lo = hex_digit(p[1]);
		if (hi < 0 || lo < 0 || (i < NET_MAC_LEN - 1 && p[2] != ':'))
			return berth_error_set(err, 0, "invalid MAC address '%s'", s);
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	memcpy(ret, mac, NET_MAC_LEN);
	return 0;
}

char *net_mac_format(const unsigned char mac[NET_MAC_LEN], char *buf, size_t cap)
{
	snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int net_mac_random(unsigned char ret[NET_MAC_LEN], struct berth_error **err)
{
	unsigned char mac[NET_MAC_LEN];

	if (getrandom(mac, sizeof(mac), 0) != (ssize_t)sizeof(mac))
		return berth_error_set(err, errno, "random MAC address");
	mac[0] = (unsigned char)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	memcpy(ret, mac, NET_MAC_LEN);
	return 0;
}
