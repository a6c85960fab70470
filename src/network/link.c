/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Links over rtnetlink: bridge and veth creation (the peer created directly
 * in its netns), up/down, master, MTU, MAC, rename, delete and lookup.
 */
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "network/netlink_internal.h"

/* An RTM_NEWLINK/DELLINK/GETLINK request naming the link by IFLA_IFNAME (ifindex 0). */
static struct nlmsghdr *link_msg(struct net_nl *nl, void *buf, unsigned type, unsigned flags, const char *name,
				 struct ifinfomsg **ret_ifi)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = net_nl_msg_new(nl, buf, type, flags, sizeof(*ifi), (void **)&ifi);

	ifi->ifi_family = AF_UNSPEC;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (ret_ifi)
		*ret_ifi = ifi;
	return nlh;
}

int net_bridge_create(struct net_nl *nl, const char *name, unsigned mtu, const unsigned char *mac,
		      struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	unsigned char random_mac[NET_MAC_LEN];
	struct nlmsghdr *nlh;
	struct nlattr *info;

	if (net_ifname_check(name, err) < 0)
		return -1;
	if (!mac) {
		if (net_mac_random(random_mac, err) < 0)
			return berth_error_wrap(err, "create bridge '%s'", name);
		mac = random_mac;
	}
	nlh = link_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name, NULL);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	/* a MAC given at creation is NET_ADDR_SET: the bridge keeps it whatever ports join or leave */
	mnl_attr_put(nlh, IFLA_ADDRESS, NET_MAC_LEN, mac);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "create bridge '%s'", name);
}

/* VETH_INFO_PEER: a struct ifinfomsg followed by the peer's own IFLA_* attributes. */
static void put_veth_peer(struct nlmsghdr *nlh, const char *peer_name, unsigned mtu, int peer_netns_fd,
			  const unsigned char *peer_mac)
{
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload_tail(nlh);

	memset(ifi, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, NET_MAC_LEN, peer_mac);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer);
}

int net_veth_create(struct net_nl *nl, const char *name, const char *peer_name, unsigned mtu, int peer_netns_fd,
		    const unsigned char *peer_mac, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct nlmsghdr *nlh;
	struct nlattr *info, *data;

	if (net_ifname_check(name, err) < 0 || net_ifname_check(peer_name, err) < 0)
		return -1;
	nlh = link_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name, NULL);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	put_veth_peer(nlh, peer_name, mtu, peer_netns_fd, peer_mac);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "create veth '%s' with peer '%s'", name, peer_name);
}

int net_link_set_up(struct net_nl *nl, const char *name, bool up, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	if (net_ifname_check(name, err) < 0)
		return -1;
	nlh = link_msg(nl, buf, RTM_NEWLINK, 0, name, &ifi);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return net_nl_talk(nl, nlh, NULL, NULL, err, "set link '%s' %s", name, up ? "up" : "down");
}

int net_link_set_master(struct net_nl *nl, const char *name, const char *master, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct nlmsghdr *nlh;
	int master_index = 0;

	if (net_ifname_check(name, err) < 0)
		return -1;
	if (master) {
		if (net_link_index(nl, master, &master_index, err) < 0)
			return -1;
		if (master_index == 0)
			return berth_error_set(err, ENODEV, "set master of '%s' to '%s'", name, master);
	}
	nlh = link_msg(nl, buf, RTM_NEWLINK, 0, name, NULL);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
	if (master)
		return net_nl_talk(nl, nlh, NULL, NULL, err, "set master of '%s' to '%s'", name, master);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "release '%s' from its master", name);
}

int net_link_set_mtu(struct net_nl *nl, const char *name, unsigned mtu, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct nlmsghdr *nlh;

	if (net_ifname_check(name, err) < 0)
		return -1;
	nlh = link_msg(nl, buf, RTM_NEWLINK, 0, name, NULL);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "set MTU of '%s' to %u", name, mtu);
}

int net_link_set_mac(struct net_nl *nl, const char *name, const unsigned char mac[NET_MAC_LEN],
		     struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX], text[18];
	struct nlmsghdr *nlh;

	if (net_ifname_check(name, err) < 0)
		return -1;
	nlh = link_msg(nl, buf, RTM_NEWLINK, 0, name, NULL);
	mnl_attr_put(nlh, IFLA_ADDRESS, NET_MAC_LEN, mac);
	return net_nl_talk(nl, nlh, NULL, NULL, err, "set MAC address of '%s' to '%s'", name,
			   net_mac_format(mac, text, sizeof(text)));
}

int net_link_rename(struct net_nl *nl, const char *name, const char *new_name, struct berth_error **err)
{
	char buf[NET_NL_MSG_MAX];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	int index = 0;

	if (net_ifname_check(name, err) < 0 || net_ifname_check(new_name, err) < 0)
		return -1;
	if (net_link_index(nl, name, &index, err) < 0)
		return -1;
	if (index == 0)
		return berth_error_set(err, ENODEV, "rename link '%s' to '%s'", name, new_name);
	/* by index: IFLA_IFNAME carries the new name */
	nlh = link_msg(nl, buf, RTM_NEWLINK, 0, new_name, &ifi);
	ifi->ifi_index = index;
	return net_nl_talk(nl, nlh, NULL, NULL, err, "rename link '%s' to '%s'", name, new_name);
}

int net_link_delete(struct net_nl *nl, const char *name, unsigned flags, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	char buf[NET_NL_MSG_MAX];
	struct nlmsghdr *nlh;

	if (net_ifname_check(name, err) < 0)
		return -1;
	nlh = link_msg(nl, buf, RTM_DELLINK, 0, name, NULL);
	if (net_nl_talk(nl, nlh, NULL, NULL, &e, "delete link '%s'", name) == 0)
		return 0;
	if (e->code == ENODEV && (flags & NET_LINK_MISSING_OK))
		return 0;
	return berth_error_move(err, &e);
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int info_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_INFO_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void link_info_kind(const struct nlattr *linkinfo, struct net_link_info *info)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1] = {0};

	mnl_attr_parse_nested(linkinfo, info_attr_cb, tb);
	if (tb[IFLA_INFO_KIND])
		/* %.*s stops at the NUL the kernel may count in the payload */
		snprintf(info->kind, sizeof(info->kind), "%.*s", (int)mnl_attr_get_payload_len(tb[IFLA_INFO_KIND]),
			 (const char *)mnl_attr_get_payload(tb[IFLA_INFO_KIND]));
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct net_link_info *info = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {0};

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb);
	info->ifindex = ifi->ifi_index;
	info->is_up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFNAME])
		snprintf(info->name, sizeof(info->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		info->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		info->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == NET_MAC_LEN) {
		memcpy(info->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), NET_MAC_LEN);
		info->has_mac = true;
	}
	if (tb[IFLA_LINKINFO])
		link_info_kind(tb[IFLA_LINKINFO], info);
	return MNL_CB_OK;
}

int net_link_get(struct net_nl *nl, const char *name, struct net_link_info *ret, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	struct net_link_info info = {0};
	char buf[NET_NL_MSG_MAX];
	struct nlmsghdr *nlh;

	if (net_ifname_check(name, err) < 0)
		return -1;
	nlh = link_msg(nl, buf, RTM_GETLINK, 0, name, NULL);
	if (net_nl_talk(nl, nlh, link_get_cb, &info, &e, "look up link '%s'", name) < 0) {
		if (e->code != ENODEV)
			return berth_error_move(err, &e);
		info = (struct net_link_info){0};
	}
	*ret = info;
	return 0;
}

int net_link_index(struct net_nl *nl, const char *name, int *ret, struct berth_error **err)
{
	struct net_link_info info;

	if (net_link_get(nl, name, &info, err) < 0)
		return -1;
	*ret = info.ifindex;
	return 0;
}

int net_link_exists(struct net_nl *nl, const char *name, bool *ret, struct berth_error **err)
{
	int index;

	if (net_link_index(nl, name, &index, err) < 0)
		return -1;
	*ret = index > 0;
	return 0;
}
