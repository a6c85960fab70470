/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: Docker's networks as documents and endpoints (network_*.c): the
 * predefined bridge, host and none, user-defined bridge networks, their
 * IPAM, and the endpoints (address, MAC, aliases) containers hold on them.
 * The kernel side (bridges, veths, netns, nftables, DNS) is netwire*.c's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct berth_error;
struct eng;

/* Docker's predefined networks: always there, never removed. */
#define ENG_NET_BRIDGE "bridge"
#define ENG_NET_HOST "host"
#define ENG_NET_NONE "none"
/* The default bridge's interface, Docker's docker0. */
#define ENG_NET_DEFAULT_BRIDGE_IF "berth0"

/* A loaded network (its stored document parsed for what the wiring needs). */
struct eng_network {
	char *id;	 /* 64 hex */
	char *name;	 /* "bridge", "host", "none" or the user's name */
	char *driver;	 /* "bridge", "host", "null" */
	char *bridge_if; /* bridge interface name (bridge driver), else NULL */
	char *subnet;	 /* IPv4 "172.17.0.0/16", or NULL (host, none) */
	char *gateway;	 /* IPv4 "172.17.0.1", or NULL */
	char *subnet6;	 /* IPv6 subnet with EnableIPv6, else NULL */
	char *gateway6;
	unsigned mtu;	 /* 0: the default (1500) */
	bool internal;	 /* --internal: no route out */
	bool masquerade; /* com.docker.network.bridge.enable_ip_masquerade (default true) */
	bool is_default; /* the predefined "bridge": no name resolution, --link works */
	json_t *doc;	 /* the stored document (network inspect minus Containers), owned */
};

void eng_network_free(struct eng_network *n);
static inline void eng_network_freep(struct eng_network **p)
{
	if (*p)
		eng_network_free(*p);
	*p = NULL;
}
#define _cleanup_network_ __attribute__((cleanup(eng_network_freep)))

/*
 * Create the predefined networks when missing: "bridge" (berth0 with bip or
 * 172.17.0.1/16, mtu, fixed-cidr from <config_dir>/berth.json, default
 * /etc/berth/berth.json), "host" and "none". Idempotent and safe when
 * commands race. Called by eng_open's users that need networks.
 */
int eng_networks_ensure_default(struct eng *e, struct berth_error **err);

/* A network by full id, name, or unique id prefix: "network NAME not found" (Docker's words). */
int eng_network_find(struct eng *e, const char *ref, struct eng_network **ret, struct berth_error **err);

/*
 * docker network create: body is Docker's NetworkCreate request (Name,
 * Driver, Internal, Attachable, EnableIPv6, IPAM{Config:[{Subnet, IPRange,
 * Gateway}]}, Options, Labels). Without a subnet, the next free one from the
 * address pools that clashes with no host route or address and no other
 * network; a given one that clashes is refused naming what it clashes with.
 * The bridge interface: Options "com.docker.network.bridge.name", else
 * "br-" + 12 hex of the id. Nothing is made in the kernel until a container
 * needs it.
 */
int eng_network_create(struct eng *e, json_t *body, char **ret_id, struct berth_error **err);

/* docker network inspect: the document with Containers ({id: {Name, EndpointID, MacAddress, IPv4Address,
 * IPv6Address}}). */
int eng_network_inspect(struct eng *e, const char *ref, json_t **ret, struct berth_error **err);

/* docker network ls rows: ID, Name, Driver, Scope, IPv6, Internal, Labels, CreatedAt (template fields). */
int eng_network_ls_rows(struct eng *e, json_t **ret, struct berth_error **err);
/*
 * eng_network_ls_rows with docker network ls's filters ("KEY=VALUE": name
 * (substring), id (prefix), driver, label (k or k=v, all must match), scope,
 * type=custom|builtin, dangling=true|false); values of one key are
 * alternatives. An unknown key fails with "invalid filter 'KEY'".
 */
int eng_network_list(struct eng *e, char *const *filters, json_t **ret, struct berth_error **err);

/*
 * docker network rm: refuses the predefined networks ("bridge is a
 * pre-defined network and cannot be removed") and networks with endpoints
 * ("error while removing network: network NAME id ID has active endpoints");
 * removes the row, and the bridge interface and rules through the wiring
 * (eng_netwire_network_down).
 */
int eng_network_remove(struct eng *e, const char *ref, struct berth_error **err);

/* docker network prune: user networks without endpoints (labels/until filters as for containers). */
int eng_network_prune(struct eng *e, char *const *filters, char ***ret_names, struct berth_error **err);

/* ---- endpoints ------------------------------------------------------------ */

/* A container's place on a network. */
struct eng_endpoint {
	char *network_id, *network_name;
	char *endpoint_id; /* 64 hex */
	char *ip;	   /* IPv4 address, or NULL */
	unsigned prefixlen;
	char *gateway;
	char *ip6;
	unsigned prefixlen6;
	char *gateway6;
	char *mac; /* "02:42:ac:11:00:02" */
	char **aliases;
};

void eng_endpoint_done(struct eng_endpoint *ep);
void eng_endpoints_free(struct eng_endpoint *v, size_t n);

/*
 * Allocate an endpoint for container ctr_id (named ctr_name) on network ref,
 * in one transaction so that concurrent commands never share an address:
 * req_ip (--ip) or the next free address, refused with Docker's words when
 * taken or outside the subnet; the MAC derived from the address (02:42:…)
 * unless req_mac. Recorded in the store until eng_network_detach.
 * host/none get an endpoint without addresses.
 */
int eng_network_attach(struct eng *e, const char *ref, const char *ctr_id, const char *ctr_name, const char *req_ip,
		       const char *req_mac, char *const *aliases, struct eng_endpoint *ret, struct berth_error **err);

/* Release ctr_id's endpoint on network ref (NULL: on every network). Missing ones are fine. */
int eng_network_detach(struct eng *e, const char *ref, const char *ctr_id, struct berth_error **err);

/* ctr_id's endpoints, in the order they were attached. */
int eng_network_endpoints(struct eng *e, const char *ctr_id, struct eng_endpoint **ret, size_t *ret_n,
			  struct berth_error **err);
