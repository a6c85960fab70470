/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the netlink part of network/: the handle and the request/dump helpers over libmnl. */
#pragma once

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "network/netlink.h"

/* Big enough for any message we build (a veth request is about 200 bytes). */
#define NET_NL_MSG_MAX 4096
/* How often a dump interrupted by concurrent changes (NLM_F_DUMP_INTR, EINTR) is tried. */
#define NET_NL_DUMP_TRIES 3

struct net_nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
	char ext_msg[256]; /* the kernel's extended ack text of the last failure, "" when none */
	char *rbuf;	   /* receive buffer of NET_NL_RBUF bytes */
};

/*
 * Start a request of type with flags (NLM_F_REQUEST and, unless NLM_F_DUMP,
 * NLM_F_ACK added) in buf, followed by a zeroed family header of hdrlen bytes
 * (returned in *ret_hdr).
 */
struct nlmsghdr *net_nl_msg_new(struct net_nl *nl, void *buf, unsigned type, unsigned flags, size_t hdrlen,
				void **ret_hdr);

/*
 * Send nlh and read replies up to its ACK (or NLMSG_DONE for a dump); cb
 * (may be NULL) sees each data message. On failure err is
 * "<what>: <strerror>" (plus " (<kernel text>)"), code the kernel's errno;
 * what is printf-formatted.
 */
int net_nl_talk(struct net_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct berth_error **err,
		const char *what, ...) __attribute__((format(printf, 6, 7)));

/* Check a link name before it goes to the kernel: "invalid interface name '…'". */
int net_ifname_check(const char *name, struct berth_error **err);
