/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IP addresses: "a.b.c.d/N" text in and out, and adding, removing and listing them over rtnetlink. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/netlink_internal.h"

size_t net_nl_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Strict decimal 0..max: no sign, no spaces, no leading zeros beyond "0". */
static int parse_prefixlen(const char *s, unsigned max, unsigned *ret)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*ret = v;
	return 0;
}

int net_nl_addr_parse(const char *s, struct net_nl_addr *ret, struct berth_error **err)
{
	struct net_nl_addr a = {0};
	char host[INET6_ADDRSTRLEN];
	const char *slash;
	size_t hlen;

	if (!s)
		return berth_error_set(err, 0, "invalid address ''");
	slash = strchr(s, '/');
	hlen = slash ? (size_t)(slash - s) : strlen(s);
	if (hlen == 0 || hlen >= sizeof(host))
		return berth_error_set(err, 0, "invalid address '%s'", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, a.ip) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, host, a.ip) == 1)
		a.family = AF_INET6;
	else
		return berth_error_set(err, 0, "invalid address '%s'", s);
	a.prefixlen = (unsigned)net_nl_addr_len(a.family) * 8;
	if (slash && parse_prefixlen(slash + 1, a.prefixlen, &a.prefixlen) < 0)
		return berth_error_set(err, 0, "invalid address '%s': bad prefix length", s);
	*ret = a;
	return 0;
}

char *net_nl_addr_format(const struct net_nl_addr *a, bool with_prefix, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->ip, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	if (with_prefix)
		snprintf(buf, cap, "%s/%u", host, a->prefixlen);
	else
		snprintf(buf, cap, "%s", host);
	return buf;
}

static int addr_check(const struct net_nl_addr *a, struct berth_error **err)
{
	size_t len = net_nl_addr_len(a->family);

	if (len == 0)
		return berth_error_set(err, 0, "unknown address family %d", a->family);
	if (a->prefixlen > len * 8)
		return berth_error_set(err, 0, "prefix length %u out of range", a->prefixlen);
	return 0;
}

static struct nlmsghdr *addr_msg(struct net_nl *nl, void *buf, unsigned type, unsigned flags, int ifindex,
				 const struct net_nl_addr *a)
{
	size_t len = net_nl_addr_len(a->family);
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = net_nl_msg_new(nl, buf, type, flags, sizeof(*ifa), (void **)&ifa);

	ifa->ifa_family = (unsigned char)a->family;
	ifa->ifa_prefixlen = (unsigned char)a->prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, len, a->ip);
	mnl_attr_put(nlh, IFA_ADDRESS, len, a->ip);
	return nlh;
}

int net_addr_add(struct net_nl *nl, int ifindex, const struct net_nl_addr *a, unsigned flags, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX], text[NET_ADDR_STRLEN];
	struct nlmsghdr *nlh;

	if (addr_check(a, err) < 0)
		return berth_error_wrap(err, "add address");
	nlh = addr_msg(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, a);
	if (a->family == AF_INET && a->prefixlen < 31) {
		/* as `ip addr add … brd +` and Docker: host bits all ones */
		unsigned char brd[4];
		uint32_t mask = a->prefixlen ? htonl(~0u << (32 - a->prefixlen)) : 0;
		uint32_t ip;

		memcpy(&ip, a->ip, 4);
		ip |= ~mask;
		memcpy(brd, &ip, 4);
		mnl_attr_put(nlh, IFA_BROADCAST, 4, brd);
	}
	if (a->family == AF_INET6 && (flags & NET_ADDR_NODAD)) {
		struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

		ifa->ifa_flags |= IFA_F_NODAD;
	}
	return net_nl_talk(nl, nlh, NULL, NULL, err, "add address '%s' to link %d",
			   net_nl_addr_format(a, true, text, sizeof(text)), ifindex);
}

int net_addr_del(struct net_nl *nl, int ifindex, const struct net_nl_addr *a, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX], text[NET_ADDR_STRLEN];
	struct nlmsghdr *nlh;

	if (addr_check(a, err) < 0)
		return berth_error_wrap(err, "delete address");
	nlh = addr_msg(nl, buf, RTM_DELADDR, 0, ifindex, a);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "delete address '%s' from link %d",
			   net_nl_addr_format(a, true, text, sizeof(text)), ifindex);
}

struct addr_list {
	struct net_addr_entry *v;
	size_t n, cap;
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, IFA_MAX) > 0)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int addr_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *l = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	const struct nlattr *ip;
	struct net_addr_entry *e;
	size_t len = net_nl_addr_len(ifa->ifa_family);

	if (nlh->nlmsg_type != RTM_NEWADDR || len == 0)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links */
	ip = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!ip || mnl_attr_get_payload_len(ip) != len)
		return MNL_CB_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct net_addr_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	*e = (struct net_addr_entry){.ifindex = (int)ifa->ifa_index, .scope = ifa->ifa_scope};
	e->addr.family = ifa->ifa_family;
	e->addr.prefixlen = ifa->ifa_prefixlen;
	memcpy(e->addr.ip, mnl_attr_get_payload(ip), len);
	return MNL_CB_OK;
}

int net_addr_list(struct net_nl *nl, int family, struct net_addr_entry **ret, size_t *ret_n, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh;

	/* a dump the kernel marks interrupted (addresses changed meanwhile) is started again */
	for (int attempt = 0;; attempt++) {
		_cleanup_error_ struct berth_error *e = NULL;
		struct addr_list l = {0};

		nlh = net_nl_msg_new(nl, buf, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa), (void **)&ifa);
		ifa->ifa_family = (unsigned char)family;
		if (net_nl_talk(nl, nlh, addr_list_cb, &l, &e, "list addresses") == 0) {
			*ret = l.v;
			*ret_n = l.n;
			return 0;
		}
		free(l.v);
		if (e->code != EINTR || attempt == NET_NL_DUMP_TRIES - 1)
			return berth_error_move(err, &e);
	}
}
