/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: what network_*.c share: create requests and their validation, the
 * inspect document, subnet picking, and loading a stored network.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"
#include "network/network.h"

struct berth_error;
struct db_network;
struct eng;
struct eng_network;

/* Docker's bridge driver options. */
#define ENG_NET_OPT_BRIDGE_NAME "com.docker.network.bridge.name"
#define ENG_NET_OPT_MASQUERADE "com.docker.network.bridge.enable_ip_masquerade"
#define ENG_NET_OPT_ICC "com.docker.network.bridge.enable_icc"
#define ENG_NET_OPT_DEFAULT_BRIDGE "com.docker.network.bridge.default_bridge"
#define ENG_NET_OPT_HOST_BINDING "com.docker.network.bridge.host_binding_ipv4"
#define ENG_NET_OPT_MTU "com.docker.network.driver.mtu"

/* The environment variable that points at berth.json (tests), before NET_CONFIG_PATH. */
#define ENG_NET_CONFIG_ENV "BERTH_CONFIG_FILE"

/* A NetworkCreate request, decoded and validated. Strings owned; NULL when not given. */
struct eng_net_request {
	char *name, *driver;
	bool internal, attachable, ipv6;
	char *subnet, *ip_range, *gateway;    /* IPv4 config */
	char *subnet6, *ip_range6, *gateway6; /* IPv6 config */
	json_t *options, *labels;	      /* objects of strings, owned */
};
void eng_net_request_done(struct eng_net_request *r);

/* Docker's network name rule [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
bool eng_net_name_is_valid(const char *name);

/*
 * Decode and validate Docker's NetworkCreate body before any row: name,
 * driver ("bridge" only; "plugin X not found" else), at most one IPv4 and one
 * IPv6 IPAM config, subnet/ip-range/gateway syntax and containment, options
 * and labels as string maps, the bridge name option. *ret untouched on failure.
 */
int eng_net_request_parse(json_t *body, struct eng_net_request *ret, struct berth_error **err);

/*
 * The bridge interface of network id: options' com.docker.network.bridge.name
 * (NULL or an object), else "br-" + 12 hex of id. An invalid given name fails.
 */
int eng_net_bridge_name(json_t *options, const char *id, char **ret, struct berth_error **err);

/*
 * The stored document (inspect minus Containers), keys in Docker's order.
 * ipam_config is an array of {Subnet, IPRange?, Gateway} (stolen); options
 * and labels objects (stolen; NULL: {}).
 */
json_t *eng_net_document(const char *name, const char *id, const char *created, const char *driver, bool ipv6,
			 json_t *ipam_config, bool internal, bool attachable, json_t *options, json_t *labels);

/*
 * One IPAM config entry: {"Subnet", "IPRange" (when range), "Gateway"} as
 * Docker orders them.
 */
json_t *eng_net_ipam_entry(const char *subnet, const char *ip_range, const char *gateway);

/* Parse a stored row into an eng_network. */
int eng_net_from_row(const struct db_network *row, struct eng_network **ret, struct berth_error **err);

/* The subnets other networks hold, as net_taken entries naming "network 'NAME'"; *ret_names owns the texts. */
void eng_net_taken_networks(const struct db_network *rows, size_t n_rows, int family, struct net_taken **v, size_t *n,
			    char ***names);
/* The host's routes and addresses of family in the current netns, appended to *v. */
int eng_net_taken_host(int family, struct net_taken **v, size_t *n, char ***names, struct berth_error **err);

/*
 * Choose the subnet of a new network: the given one (refused when it overlaps
 * one of taken, naming it) or the first free one of the pools (ENOSPC when
 * none). gateway: the given one, else the subnet's first address.
 * ret_subnet/ret_gateway get canonical texts.
 */
int eng_net_choose_subnet(const struct net_pool *pools, size_t n_pools, int family, const char *given,
			  const struct net_taken *taken, size_t n_taken, char **ret_subnet, struct berth_error **err);

/* The path of berth.json: $BERTH_CONFIG_FILE, else NET_CONFIG_PATH. */
const char *eng_net_config_path(void);

/* Create the predefined networks when missing (eng_networks_ensure_default's body). */
int eng_net_ensure(struct eng *e, struct berth_error **err);

/* The code of the error in *err, 0 when none (err may be NULL). */
static inline int eng_net_err_code(struct berth_error **err)
{
	return err && *err ? (*err)->code : 0;
}
/* Give the error just set a code; returns -1. */
static inline int eng_net_set_code(struct berth_error **err, int code)
{
	if (err && *err)
		(*err)->code = code;
	return -1;
}
