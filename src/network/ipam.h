/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network/ipam.h: IPv4/IPv6 addresses and prefixes, address allocation in a
 * subnet, Docker's default address pools and subnet picking, MACs from IPv4
 * addresses, and the daemon configuration file (berth.json). Pure: no root, no
 * I/O except reading berth.json.
 */
#ifndef BERTH_NETWORK_IPAM_H
#define BERTH_NETWORK_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6 */

struct berth_error;

/* Buffer sizes for the format functions, NUL included. */
#define NET_IP_STRLEN 46     /* INET6_ADDRSTRLEN */
#define NET_PREFIX_STRLEN 50 /* address, '/', up to 3 digits */

/* ---- addresses and prefixes ----------------------------------------------- */

/* An IPv4 or IPv6 address, network byte order; IPv4 uses the first 4 bytes. */
struct net_ip {
	int family; /* AF_INET or AF_INET6; 0 when unset */
	uint8_t bytes[16];
};

/*
 * An address with a prefix length. The address may carry host bits (an
 * interface address such as bip's "172.17.0.1/16"); net_prefix_masked clears
 * them. Every predicate below compares the masked prefixes.
 */
struct net_prefix {
	struct net_ip addr;
	unsigned len; /* 0..32 for IPv4, 0..128 for IPv6 */
};

/* Parse a plain IPv4 or IPv6 address ("172.17.0.2", "fd00::2"); errors name s. */
int net_ip_parse(const char *s, struct net_ip *ret, struct berth_error **err);
/* Write a's canonical text into buf (NET_IP_STRLEN bytes); returns buf. */
char *net_ip_format(const struct net_ip *a, char *buf);
/* The same as a new string owned by the caller. */
char *net_ip_to_string(const struct net_ip *a);
/* 32 or 128 (0 for an unset address). */
unsigned net_ip_bits(const struct net_ip *a);
bool net_ip_equal(const struct net_ip *a, const struct net_ip *b);
/* Total order: IPv4 before IPv6, then numeric. For qsort/bsearch of used sets. */
int net_ip_compare(const struct net_ip *a, const struct net_ip *b);
/* Sort n addresses in place by net_ip_compare. */
void net_ips_sort(struct net_ip *v, size_t n);

/*
 * Parse "ADDR/LEN" keeping host bits ("172.17.0.1/16" stays so). A missing
 * "/LEN", a bad length or a bad address fails with "invalid CIDR address 's'".
 */
int net_prefix_parse(const char *s, struct net_prefix *ret, struct berth_error **err);
/*
 * Parse a subnet as Docker's API validates --subnet / --ip-range: what names
 * the flag in errors ("subnet", "ip-range"). Host bits are refused, as Docker
 * does since API 1.44: "invalid subnet 172.20.1.5/16: it should be 172.20.0.0/16".
 */
int net_subnet_parse(const char *s, const char *what, struct net_prefix *ret, struct berth_error **err);
/* "ADDR/LEN" into buf (NET_PREFIX_STRLEN bytes), host bits as stored; returns buf. */
char *net_prefix_format(const struct net_prefix *p, char *buf);
/* p with its host bits cleared. */
struct net_prefix net_prefix_masked(const struct net_prefix *p);
bool net_prefix_is_masked(const struct net_prefix *p);
/* a inside p (same family). */
bool net_prefix_contains(const struct net_prefix *p, const struct net_ip *a);
/* inner entirely inside outer. */
bool net_prefix_contains_prefix(const struct net_prefix *outer, const struct net_prefix *inner);
/* a and b share at least one address. */
bool net_prefix_overlaps(const struct net_prefix *a, const struct net_prefix *b);
/* Number of addresses, UINT64_MAX when 2^64 or more (IPv6 /64 and wider). */
uint64_t net_prefix_size(const struct net_prefix *p);
/* The n-th address of p counting from its network address (0); false when n is past its end. */
bool net_prefix_nth(const struct net_prefix *p, uint64_t n, struct net_ip *ret);
/* The offset of a from p's network address (low 64 bits); a must be inside p. */
uint64_t net_prefix_offset(const struct net_prefix *p, const struct net_ip *a);
/*
 * Docker's default gateway: the first usable address, network + 1 (for IPv4
 * /31 the network address, RFC 3021; for /32 and /128 the only address).
 */
void net_prefix_gateway(const struct net_prefix *p, struct net_ip *ret);
/* The IPv4 broadcast address; false for IPv6 and for IPv4 /31 and /32, which have none. */
bool net_prefix_broadcast(const struct net_prefix *p, struct net_ip *ret);

/* ---- address allocation ------------------------------------------------- */

/*
 * One subnet of a network as its IPAM config describes it (Docker's
 * IPAM.Config[i]): the subnet, the ip-range dynamic addresses come from, the
 * gateway. Requested addresses (--ip) may be anywhere in the subnet.
 */
struct net_ipam_subnet {
	struct net_prefix subnet; /* host bits clear */
	struct net_prefix range;  /* inside subnet, host bits clear; the subnet itself without --ip-range */
	struct net_ip gateway;	  /* the one given, else net_prefix_gateway(subnet) */
	bool has_range;		  /* an --ip-range was given */
};

/*
 * Validate and fill *ret from the strings of a network's IPAM config, as
 * Docker's API does: subnet required; ip_range and gateway NULL or "" when
 * absent. Errors use Docker's wording ("invalid gateway 10.0.0.1: parent
 * subnet 172.18.0.0/16 doesn't contain this address"). A gateway on the
 * network or broadcast address is refused too.
 */
int net_ipam_subnet_init(struct net_ipam_subnet *ret, const char *subnet, const char *ip_range, const char *gateway,
			 struct berth_error **err);

/*
 * The next free address for a new endpoint: in s->range, never the network
 * address, the IPv4 broadcast address or the gateway, and not in used (n_used
 * addresses sorted by net_ip_compare; addresses of other subnets are
 * allowed and ignored). With after NULL the lowest free address; else the
 * first free one after it, wrapping round (Docker's sequential allocation).
 * Fails with code ENOSPC "no available addresses on this pool (SUBNET)".
 */
int net_ipam_next(const struct net_ipam_subnet *s, const struct net_ip *used, size_t n_used, const struct net_ip *after,
		  struct net_ip *ret, struct berth_error **err);
/*
 * Check a requested address (--ip): inside s->subnet (EINVAL "address 10.0.0.1
 * is not in subnet 172.17.0.0/16"), not the network, broadcast or gateway
 * address (EADDRNOTAVAIL) and not in used (sorted; EADDRINUSE "address
 * 172.17.0.5 is in use").
 */
int net_ipam_check(const struct net_ipam_subnet *s, const struct net_ip *req, const struct net_ip *used, size_t n_used,
		   struct berth_error **err);

/* ---- MAC addresses ---------------------------------------------------------- */

/*
 * Docker's MAC for an IPv4 endpoint, 02:42 + the 4 address bytes; false when a
 * is not IPv4. netlink.h's net_mac_format/net_mac_parse print and read MACs.
 */
bool net_mac_from_ipv4(const struct net_ip *a, uint8_t ret[6]);

/* ---- address pools ------------------------------------------------------- */

/* One entry of default-address-pools: base split into subnets of prefix length size. */
struct net_pool {
	struct net_prefix base; /* host bits clear */
	unsigned size;		/* base.len <= size <= 32 (128) */
};

/*
 * Docker's local default pools: 172.17.0.0/16 .. 172.31.0.0/16 as /16s, then
 * 192.168.0.0/16 as /20s. Static storage; *ret_n gets the count.
 */
const struct net_pool *net_pools_default(size_t *ret_n);

/* A prefix already taken on the host, and what takes it for error messages. */
struct net_taken {
	struct net_prefix prefix; /* host bits allowed (an interface address) */
	const char *what;	  /* "network 'web'", "route via 'eth0'", "address of 'eth0'" */
};

/*
 * The first subnet of the pools, in pool order, of the given family (AF_INET,
 * AF_INET6) that overlaps none of taken (other networks, host routes, host
 * addresses). Taken prefixes of length 0 (default routes) are ignored, as
 * Docker does. Fails with code ENOSPC "all predefined address pools have been
 * fully subnetted".
 */
int net_pool_pick(const struct net_pool *pools, size_t n_pools, int family, const struct net_taken *taken,
		  size_t n_taken, struct net_prefix *ret, struct berth_error **err);
/* The first of taken that overlaps subnet (length-0 prefixes ignored), NULL when none. */
const struct net_taken *net_subnet_find_clash(const struct net_prefix *subnet, const struct net_taken *taken,
					      size_t n_taken);
/*
 * Fail with code EEXIST when a user-given subnet overlaps one of taken, naming
 * it: "invalid pool request: subnet 172.18.0.0/16 overlaps with network 'web'
 * (172.18.0.0/16)". The caller chooses what to pass (Docker checks only other
 * networks for a given --subnet).
 */
int net_subnet_check_clash(const struct net_prefix *subnet, const struct net_taken *taken, size_t n_taken,
			   struct berth_error **err);

/* ---- berth.json (Docker's daemon.json, networking keys) ------------------- */

#define NET_CONFIG_PATH "/etc/berth/berth.json"
#define NET_DEFAULT_MTU 1500

/* The networking settings of berth.json, defaults filled in. */
struct net_config {
	struct net_prefix bip; /* "bip": default bridge address and prefix ("172.17.0.1/16") */
	bool has_bip;
	struct net_prefix fixed_cidr; /* "fixed-cidr": ip-range of the default bridge, inside bip's subnet */
	bool has_fixed_cidr;
	struct net_prefix fixed_cidr_v6; /* "fixed-cidr-v6" */
	bool has_fixed_cidr_v6;
	bool ipv6;	   /* "ipv6", false */
	int mtu;	   /* "mtu", NET_DEFAULT_MTU */
	char *bridge;	   /* "bridge": the default bridge's interface, NULL: berth's own; "none": no default bridge */
	char **dns;	   /* "dns": addresses; NULL-terminated, never NULL */
	char **dns_search; /* "dns-search" */
	char **dns_opts;   /* "dns-opts" */
	struct net_ip ip;  /* "ip": default host address of published ports, 0.0.0.0 */
	bool icc;	   /* "icc", true */
	bool ip_masq;	   /* "ip-masq", true */
	bool iptables;	   /* "iptables", true */
	struct net_pool *pools; /* "default-address-pools" (replaces the defaults), else net_pools_default */
	size_t n_pools;
};

/*
 * Decode a berth.json document (len bytes at data) into *ret, defaults for what
 * it lacks; unknown keys are ignored. Errors name name and the JSON path:
 * "berth.json: default-address-pools[1].size: expected integer". *ret is
 * filled even on failure, for net_config_done.
 */
int net_config_parse(const char *data, size_t len, const char *name, struct net_config *ret, struct berth_error **err);
/* Read and decode path (NET_CONFIG_PATH normally); a missing file gives the defaults. */
int net_config_load(const char *path, struct net_config *ret, struct berth_error **err);
/* The defaults alone. */
void net_config_init(struct net_config *ret);
/* Free what c owns; c may be zeroed. */
void net_config_done(struct net_config *c);

#endif
