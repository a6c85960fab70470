/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network/nft.h: berth's nftables rules, planned then applied. A pure function
 * turns a model (bridges, published ports) into one nft script that replaces
 * berth's own table atomically; a small executor runs it through libnftables.
 */
#ifndef BERTH_NETWORK_NFT_H
#define BERTH_NETWORK_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berth_error;

/* The table every function uses when given NULL ("table inet berth"). */
#define NET_NFT_TABLE_DEFAULT "berth"

/*
 * One bridge network (docker network semantics, bridge driver). Strings are
 * borrowed for the duration of a call. At least one subnet is required.
 */
struct net_nft_network {
	const char *bridge;  /* interface name, e.g. "berth0" */
	const char *subnet4; /* "172.18.0.0/16", or NULL when the network has no IPv4 */
	const char *subnet6; /* "fd00:1::/64", or NULL when the network has no IPv6 */
	bool internal;	     /* --internal: no traffic in or out of the bridge, no NAT, no ports */
	bool masquerade;     /* outbound NAT (com.docker.network.bridge.enable_ip_masquerade) */
	/*
	 * Containers may reach published ports through a host address, their own
	 * included (Docker with userland-proxy=false). The bridge ports themselves
	 * need hairpin mode for a container to reach itself; that is netlink's part.
	 */
	bool hairpin;
};

enum net_nft_proto { NET_NFT_TCP, NET_NFT_UDP, NET_NFT_SCTP };

/*
 * One published port or port range (-p [host_ip:]host_port[-end]:port[-end]/proto).
 * A range maps range to range (8000-8010:80-90 sends 8003 to 83); a container
 * range of one port takes the whole host range. The address family is the
 * container address's: an IPv6 container address gives an IPv6 rule.
 */
struct net_nft_port {
	enum net_nft_proto proto;
	const char *host_ip;	     /* NULL, "0.0.0.0" or "::" for every local address of the family */
	uint16_t host_port;	     /* first host port, > 0 */
	uint16_t host_port_end;	     /* last host port, 0 for a single port */
	const char *container_ip;    /* inside the subnet of the network on bridge */
	uint16_t container_port;     /* first container port, > 0 */
	uint16_t container_port_end; /* last container port, 0 for a single port */
	const char *bridge;	     /* names a network of the model */
};

/* Everything berth's table is made of. Arrays and strings are borrowed. */
struct net_nft_model {
	const char *table; /* NULL for NET_NFT_TABLE_DEFAULT */
	const struct net_nft_network *networks;
	size_t n_networks;
	const struct net_nft_port *ports;
	size_t n_ports;
};

/*
 * The complete nft script for berth's table: "add table", "delete table", then
 * the table's definition, so that running it is one transaction that replaces
 * whatever the table held (and also works the first time). Pure: checks the
 * whole model (names, addresses, ranges, that each port's network exists)
 * first and touches nothing. Returns the script (caller frees), or NULL with
 * *err naming what is wrong. Ports on internal networks are left out.
 */
char *net_nft_plan_build(const struct net_nft_model *m, struct berth_error **err);

/* The script that removes berth's table, present or not (one transaction). Caller frees; NULL for a bad name. */
char *net_nft_plan_remove(const char *table, struct berth_error **err);

/* The command that prints the table (for net_nft_table_list). Caller frees; NULL for a bad name. */
char *net_nft_plan_list(const char *table, struct berth_error **err);

/*
 * Run an nft script as one transaction in the caller's network namespace.
 * libnftables is loaded with dlopen on first use (the CLI loads it only when
 * it touches the network). On failure nothing of the script is applied and
 * *err holds the first line of libnftables' error output
 * ("nftables: Error: Could not process rule: No such file or directory").
 */
int net_nft_script_run(const char *script, struct berth_error **err);

/* Plan the model and run the plan: berth's table replaced atomically, or left as it was on error. */
int net_nft_rules_apply(const struct net_nft_model *m, struct berth_error **err);

/* Remove berth's table (NULL: the default); a missing table is not an error. */
int net_nft_table_remove(const char *table, struct berth_error **err);

/*
 * The table's rules as `nft list table inet NAME` prints them, in *ret_text
 * (caller frees); 0 with *ret_text = NULL when there is no such table.
 */
int net_nft_table_list(const char *table, char **ret_text, struct berth_error **err);

#endif
