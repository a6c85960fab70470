/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network/netlink.h: rtnetlink through libmnl (links, bridge, veth, addresses,
 * routes), network namespaces bind-mounted at a path, and net sysctls.
 */
#ifndef BERTH_NETWORK_NETLINK_H
#define BERTH_NETWORK_NETLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/base.h"

#define NET_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define NET_MAC_LEN 6

/*
 * An rtnetlink (NETLINK_ROUTE) socket bound in one network namespace. Every
 * request asks for an ACK; a failure becomes an error whose code is the
 * kernel's errno and whose message names the object ("create bridge 'berth0':
 * File exists"), with the kernel's extended ack text in parentheses when it
 * gave one. Not thread-safe: one handle per thread.
 */
struct net_nl;

/*
 * Open a handle in the network namespace netns_fd (an open nsfs fd, -1 for
 * the calling thread's own). The calling thread setns()es into it to create
 * the socket and back again, also on failure; when going back fails the error
 * says so (the thread is then left in netns_fd). *ret owns the handle.
 */
int net_nl_open(struct net_nl **ret, int netns_fd, struct berth_error **err);
/* Close the socket and free the handle (NULL accepted). */
void net_nl_close(struct net_nl *nl);
static inline void net_nl_closep(struct net_nl **p)
{
	if (*p) {
		net_nl_close(*p);
		*p = NULL;
	}
}
#define _cleanup_net_nl_ _cleanup_(net_nl_closep)

/* True for a name the kernel accepts for a link: 1-15 bytes, no '/', ':' or whitespace, not "." or "..". */
bool net_ifname_is_valid(const char *name);
/* Parse "02:42:ac:11:00:02" into 6 bytes. -1 with err set on a malformed string. */
int net_mac_parse(const char *s, unsigned char ret[NET_MAC_LEN], struct berth_error **err);
/* Format 6 bytes as "02:42:ac:11:00:02" into buf (at least 18 bytes); returns buf. */
char *net_mac_format(const unsigned char mac[NET_MAC_LEN], char *buf, size_t cap);
/* A random locally administered unicast MAC (as Docker gives a bridge). -1 with err when getrandom fails. */
int net_mac_random(unsigned char ret[NET_MAC_LEN], struct berth_error **err);

/* ---- links ---- */

/* What RTM_GETLINK tells about one link. */
struct net_link_info {
	int ifindex; /* 0: no such link */
	char name[NET_IFNAME_MAX + 1];
	char kind[16]; /* IFLA_INFO_KIND: "bridge", "veth", "" for none */
	unsigned mtu;
	unsigned char mac[NET_MAC_LEN];
	bool has_mac;
	int master; /* ifindex of the bridge it is enslaved to, 0 for none */
	bool is_up; /* IFF_UP set (administratively up) */
};

/*
 * Create a bridge (down). mtu 0 keeps the kernel's default; mac NULL gives
 * it a random locally administered MAC now, so that it is user-set and does
 * not follow the lowest port's MAC as ports come and go (Docker does the same).
 */
int net_bridge_create(struct net_nl *nl, const char *name, unsigned mtu, const unsigned char *mac,
		      struct berth_error **err);
/*
 * Create a veth pair: name stays in nl's netns, peer is created directly in
 * peer_netns_fd (IFLA_NET_NS_FD; -1: nl's netns) under peer_name, so it never
 * shows up on the host side. mtu (0: default) applies to both ends; peer_mac
 * (NULL: the kernel's random one) to the peer. Both ends start down.
 */
int net_veth_create(struct net_nl *nl, const char *name, const char *peer_name, unsigned mtu, int peer_netns_fd,
		    const unsigned char *peer_mac, struct berth_error **err);
/* Set a link administratively up or down. */
int net_link_set_up(struct net_nl *nl, const char *name, bool up, struct berth_error **err);
/* Enslave name to the bridge master (NULL: release it from its master). */
int net_link_set_master(struct net_nl *nl, const char *name, const char *master, struct berth_error **err);
int net_link_set_mtu(struct net_nl *nl, const char *name, unsigned mtu, struct berth_error **err);
int net_link_set_mac(struct net_nl *nl, const char *name, const unsigned char mac[NET_MAC_LEN],
		     struct berth_error **err);
/* Rename a link (the kernel wants it down). */
int net_link_rename(struct net_nl *nl, const char *name, const char *new_name, struct berth_error **err);

/* Flags for net_link_delete. */
enum {
	NET_LINK_MISSING_OK = 1 << 0, /* a missing link (ENODEV) is success */
};
/* Delete a link (deleting one end of a veth deletes both). */
int net_link_delete(struct net_nl *nl, const char *name, unsigned flags, struct berth_error **err);
/* Describe a link; a missing one is no error: 0 with ret->ifindex == 0. */
int net_link_get(struct net_nl *nl, const char *name, struct net_link_info *ret, struct berth_error **err);
/* The ifindex of name, *ret = 0 when there is no such link. */
int net_link_index(struct net_nl *nl, const char *name, int *ret, struct berth_error **err);
/* *ret = whether a link called name exists. */
int net_link_exists(struct net_nl *nl, const char *name, bool *ret, struct berth_error **err);

/* ---- addresses ---- */

/* An IPv4 or IPv6 address with a prefix length ("172.17.0.1/16", "fd00::1/64"). */
struct net_nl_addr {
	int family;	      /* AF_INET or AF_INET6 */
	unsigned char ip[16]; /* network byte order; the first 4 bytes for AF_INET */
	unsigned prefixlen;   /* 0..32 or 0..128 */
};
#define NET_ADDR_STRLEN 50 /* INET6_ADDRSTRLEN + "/128" */

/*
 * Parse "10.0.0.1/24", "fd00::1/64"; without "/N" the prefix is the full
 * length. -1 with err ("invalid address '…'") on anything else.
 */
int net_nl_addr_parse(const char *s, struct net_nl_addr *ret, struct berth_error **err);
/* "10.0.0.1/24" into buf (NET_ADDR_STRLEN bytes); with_prefix false leaves "/N" out. Returns buf. */
char *net_nl_addr_format(const struct net_nl_addr *a, bool with_prefix, char *buf, size_t cap);
/* Byte length of an address of family (4, 16, or 0 when unknown). */
size_t net_nl_addr_len(int family);

/* Flags for net_addr_add. */
enum {
	NET_ADDR_NODAD = 1 << 0, /* IPv6: IFA_F_NODAD, usable at once (no duplicate address detection) */
};
/* Add a (v4: with its broadcast address, as Docker does) to the link ifindex. */
int net_addr_add(struct net_nl *nl, int ifindex, const struct net_nl_addr *a, unsigned flags, struct berth_error **err);
int net_addr_del(struct net_nl *nl, int ifindex, const struct net_nl_addr *a, struct berth_error **err);

struct net_addr_entry {
	int ifindex;
	struct net_nl_addr addr;
	unsigned char scope; /* RT_SCOPE_* */
};
/*
 * Every address in nl's netns of family (AF_INET, AF_INET6, AF_UNSPEC for
 * both). *ret is a malloc'ed array (free()) of *ret_n entries, NULL when none.
 */
int net_addr_list(struct net_nl *nl, int family, struct net_addr_entry **ret, size_t *ret_n, struct berth_error **err);

/* ---- routes (main table) ---- */

struct net_route {
	int family;
	struct net_nl_addr dst; /* dst.prefixlen == 0: the default route */
	int ifindex;		/* output device (RTA_OIF), 0 for none */
	bool has_gateway;
	unsigned char gateway[16];
	unsigned char type;	/* RTN_UNICAST, RTN_BLACKHOLE, … */
	unsigned char scope;	/* RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, … */
	unsigned char protocol; /* RTPROT_KERNEL, RTPROT_BOOT, … */
	unsigned metric;	/* RTA_PRIORITY */
};

/* A default route via gw (its family decides v4 or v6; prefixlen ignored), ifindex 0 or the device. */
int net_route_add_default(struct net_nl *nl, const struct net_nl_addr *gw, int ifindex, struct berth_error **err);
/* A link-scope route to the prefix dst (host bits ignored) through the device ifindex. */
int net_route_add_dev(struct net_nl *nl, const struct net_nl_addr *dst, int ifindex, struct berth_error **err);
/*
 * The routes of the main table of family (AF_INET, AF_INET6, AF_UNSPEC for
 * both), all types. *ret is a malloc'ed array (free()), NULL when none.
 */
int net_route_list(struct net_nl *nl, int family, struct net_route **ret, size_t *ret_n, struct berth_error **err);

/* ---- network namespaces ---- */

/*
 * A new network namespace bind-mounted at path (as `ip netns add` does, at
 * any path): path's directory is made a shared mount point first (bind-mounted
 * on itself when it is not one yet), so that the namespace mount propagates
 * to mount namespaces copied later and their copies go when it is deleted.
 * path must not exist yet and its directory should hold only namespace files
 * (such as <runroot>/netns): a mount point there is made shared recursively.
 * Callers serialise creations in one directory (two first ones could stack
 * two bind mounts). On failure no file or namespace mount is left behind.
 */
int net_netns_create(const char *path, struct berth_error **err);
/* Unmount (MNT_DETACH) and remove path; a missing path or mount is fine. */
int net_netns_delete(const char *path, struct berth_error **err);
/* Open the netns at path (O_RDONLY|O_CLOEXEC); refuses a file that is not a namespace. Returns the fd. */
int net_netns_open(const char *path, struct berth_error **err);

/* ---- sysctls of the calling thread's network namespace ---- */

/*
 * Write value to /proc/sys/<key>; key is "net/ipv4/ip_forward" or
 * "net.ipv4.ip_forward" (dots only when it has no '/'), and must be under net/.
 */
int net_sysctl_write(const char *key, const char *value, struct berth_error **err);
/* Read /proc/sys/<key> with the trailing newline removed. *ret is malloc'ed. */
int net_sysctl_read(const char *key, char **ret, struct berth_error **err);
/* net.ipv4.ip_forward */
int net_sysctl_set_ip_forward(bool on, struct berth_error **err);
/* net.ipv4.conf.<ifname>.route_localnet ("all"/"default" allowed) */
int net_sysctl_set_route_localnet(const char *ifname, bool on, struct berth_error **err);
/* net.ipv6.conf.<ifname>.disable_ipv6 */
int net_sysctl_set_ipv6_disabled(const char *ifname, bool disabled, struct berth_error **err);
/* net.ipv6.conf.<ifname>.accept_ra (0, 1 or 2) */
int net_sysctl_set_accept_ra(const char *ifname, int value, struct berth_error **err);

#endif
