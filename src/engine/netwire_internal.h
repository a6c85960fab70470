/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: what the netwire files share (netwire.c, netwire_ports.c, netwire_rules.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct berth_error;
struct eng;
struct eng_ctr;
struct eng_endpoint;
struct eng_network;

/* <runroot>/netns/<id>: the container's named network namespace. Caller frees. */
char *eng_netns_path(struct eng *e, const char *ctr_id);
/* The runroot's network lock (wiring, ports and rule rebuilds); returns the fd holding it. */
int eng_netwire_lock(struct eng *e, struct berth_error **err);
/* eng_netwire_down with the lock held. */
void eng_netwire_down_locked(struct eng *e, const char *ctr_id);

/*
 * The container's published ports (PortBindings, ranges, PublishAllPorts
 * with ExposedPorts): host ports chosen where none is given, each checked
 * against other containers' and the host's sockets ("Bind for 0.0.0.0:8080
 * failed: port is already allocated"), recorded in State.BerthPorts.
 */
int eng_netwire_ports_up(struct eng *e, const struct eng_ctr *c, const struct eng_endpoint *eps, size_t n,
			 json_t *veths, bool *ret_any, struct berth_error **err);
/* Drop State.BerthPorts and BerthVeths; whether there were ports. */
bool eng_netwire_ports_down(struct eng *e, const char *ctr_id);
/* Add veths ({network id: host end}) to State.BerthVeths (network connect). */
int eng_netwire_veths_record(struct eng *e, const char *ctr_id, json_t *veths, struct berth_error **err);
/* Remove and return {network id: host end} of one network from State.BerthVeths (caller decrefs). */
json_t *eng_netwire_veths_take(struct eng *e, const char *ctr_id, const char *net_id);

/*
 * Name resolution of user network n: its dnsmasq with the records of every
 * wired container but exclude (NULL: none), or stopped when there is none.
 */
int eng_netwire_dns_refresh(struct eng *e, const struct eng_network *n, const char *exclude, struct berth_error **err);
/* The same for the network of each endpoint. */
int eng_netwire_dns_refresh_of(struct eng *e, const struct eng_endpoint *eps, size_t n, const char *exclude,
			       struct berth_error **err);

/* Whether a rebuild has been applied since the runroot was made (after a reboot: not yet). */
bool eng_netwire_rules_known(struct eng *e);

/* berth's nftables table rebuilt from the store: every bridge network and every recorded port. */
int eng_netwire_rules_sync_locked(struct eng *e, struct berth_error **err);
