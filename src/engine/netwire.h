/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the kernel side of networks (netwire*.c): a running container's
 * network namespace wired to its networks' bridges (veth pairs, addresses,
 * routes), the bridges themselves, published ports and masquerade in
 * berth's nftables table, and the per-network DNS. network.h holds the
 * documents and endpoints this reads.
 */
#pragma once

#include <stdbool.h>

struct berth_error;
struct eng;
struct eng_ctr;
struct eng_endpoint;
struct eng_network;

/*
 * At start, for a container on bridge networks: the named namespace
 * <runroot>/netns/<id> wired to every endpoint, its published ports and
 * rules; *ret_path is that namespace for config.json (NULL, and nothing
 * done, for host, none and container:X). Nothing is left on failure.
 */
int eng_netwire_up(struct eng *e, const struct eng_ctr *c, char **ret_path, struct berth_error **err);

/* At the exit (or a repair after a crash): veths, namespace and published ports go. Idempotent. */
void eng_netwire_down(struct eng *e, const char *ctr_id);

/* Rebuild berth's nftables table from the store (system boot, repairs). */
int eng_netwire_rules_sync(struct eng *e, struct berth_error **err);

/* The nftables table of this root: "berth" for /var/lib/berth, "berth_" + a hash of the root otherwise. Caller frees.
 */
char *eng_netwire_table(const struct eng *e);

/*
 * Wire a live endpoint of a running container (network connect): the veth
 * pair into its namespace, the address and, when it is the first network,
 * the default route; rules and DNS records refreshed. No-op when the
 * container is not running (its next start wires every endpoint).
 */
int eng_netwire_connect(struct eng *e, const char *ctr_id, const struct eng_endpoint *ep, struct berth_error **err);

/* Undo eng_netwire_connect for one endpoint (network disconnect). No-op when not running. */
int eng_netwire_disconnect(struct eng *e, const char *ctr_id, const struct eng_endpoint *ep, struct berth_error **err);

/* A network is removed: its bridge interface, rules and DNS go (missing ones are fine). */
int eng_netwire_network_down(struct eng *e, const struct eng_network *n, struct berth_error **err);
