/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Routes of the main table over rtnetlink: a default route via a gateway, a device route, and the list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "network/netlink_internal.h"

static struct nlmsghdr *route_msg(struct net_nl *nl, void *buf, int family, unsigned dst_len, unsigned char scope,
				  int ifindex)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh =
		net_nl_msg_new(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm), (void **)&rtm);

	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = (unsigned char)dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT; /* as `ip route add` */
	rtm->rtm_scope = scope;
	rtm->rtm_type = RTN_UNICAST;
	if (ifindex > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nlh;
}

int net_route_add_default(struct net_nl *nl, const struct net_nl_addr *gw, int ifindex, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX], text[NET_ADDR_STRLEN];
	size_t len = net_nl_addr_len(gw->family);
	struct nlmsghdr *nlh;

	if (len == 0)
		return berth_error_set(err, 0, "add default route: unknown address family %d", gw->family);
	nlh = route_msg(nl, buf, gw->family, 0, RT_SCOPE_UNIVERSE, ifindex);
	mnl_attr_put(nlh, RTA_GATEWAY, len, gw->ip);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "add default route via '%s'",
			   net_nl_addr_format(gw, false, text, sizeof(text)));
}

/* Clear the host bits of ip beyond prefixlen. */
static void mask_prefix(unsigned char *ip, size_t len, unsigned prefixlen)
{
	for (size_t i = 0; i < len; i++) {
		unsigned bits = prefixlen > i * 8 ? prefixlen - (unsigned)i * 8 : 0;

		if (bits < 8)
			ip[i] &= (unsigned char)(0xff00u >> bits);
	}
}

int net_route_add_dev(struct net_nl *nl, const struct net_nl_addr *dst, int ifindex, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX], text[NET_ADDR_STRLEN];
	size_t len = net_nl_addr_len(dst->family);
	struct net_nl_addr net;
	struct nlmsghdr *nlh;

	if (len == 0 || dst->prefixlen > len * 8)
		return berth_error_set(err, 0, "add route: invalid destination prefix");
	net = *dst;
	mask_prefix(net.ip, len, net.prefixlen);
	nlh = route_msg(nl, buf, net.family, net.prefixlen, RT_SCOPE_LINK, ifindex);
	if (net.prefixlen)
		mnl_attr_put(nlh, RTA_DST, len, net.ip);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "add route to '%s' via link %d",
			   net_nl_addr_format(&net, true, text, sizeof(text)), ifindex);
}

struct route_list {
	struct net_route *v;
	size_t n, cap;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, RTA_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int route_push(struct route_list *l, const struct net_route *r)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct net_route *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *r;
	return MNL_CB_OK;
}

static int route_list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {0};
	size_t len = net_nl_addr_len(rtm->rtm_family);
	struct net_route r = {0};
	unsigned table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || len == 0)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	/* rtm_table holds only 8 bits; RTA_TABLE has the whole id */
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	r.family = rtm->rtm_family;
	r.dst.family = rtm->rtm_family;
	r.dst.prefixlen = rtm->rtm_dst_len;
	if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) == len)
		memcpy(r.dst.ip, mnl_attr_get_payload(tb[RTA_DST]), len);
	if (tb[RTA_OIF])
		r.ifindex = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_GATEWAY] && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) == len) {
		memcpy(r.gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]), len);
		r.has_gateway = true;
	}
	if (tb[RTA_PRIORITY])
		r.metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	r.type = rtm->rtm_type;
	r.scope = rtm->rtm_scope;
	r.protocol = rtm->rtm_protocol;
	return route_push(data, &r);
}

int net_route_list(struct net_nl *nl, int family, struct net_route **ret, size_t *ret_n, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	/* a dump the kernel marks interrupted (routes changed meanwhile) is started again */
	for (int attempt = 0;; attempt++) {
		_cleanup_error_ struct berth_error *e = NULL;
		struct route_list l = {0};

		nlh = net_nl_msg_new(nl, buf, RTM_GETROUTE, NLM_F_DUMP, sizeof(*rtm), (void **)&rtm);
		rtm->rtm_family = (unsigned char)family;
		if (net_nl_talk(nl, nlh, route_list_cb, &l, &e, "list routes") == 0) {
			*ret = l.v;
			*ret_n = l.n;
			return 0;
		}
		free(l.v);
		if (e->code != EINTR || attempt == NET_NL_DUMP_TRIES - 1)
			return berth_error_move(err, &e);
	}
}
