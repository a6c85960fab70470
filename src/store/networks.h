/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store/: rows of networks (Docker's `network inspect` document minus
 * Containers) and of the addresses their endpoints hold. Included by store.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct berth_error;
struct db;

/* ---- networks ------------------------------------------------------------ */

/* One network: its inspect document as JSON text, as the engine wrote it. */
struct db_network {
	char *id;      /* 64 hex */
	char *name;    /* unique */
	char *driver;  /* "bridge", "host", "null" */
	char *doc;     /* JSON: Name, Id, Created, Scope, Driver, EnableIPv6, IPAM, Internal, Options, Labels, ... */
	char *created; /* RFC 3339 */
	int64_t seq;   /* creation order */
};
void db_network_done(struct db_network *n);
void db_networks_free(struct db_network *ns, size_t n);

/*
 * Insert a new network (sets n->seq). A name in use fails with code EEXIST and
 * Docker's message "network with name NAME already exists"; an id in use with
 * EEXIST too.
 */
int db_network_insert(struct db *db, struct db_network *n, struct berth_error **err);
/* The network with this exact id: 0 with ret->id == NULL when none. */
int db_network_get(struct db *db, const char *id, struct db_network *ret, struct berth_error **err);
/*
 * Resolve a user's reference as Docker does: a full id, then an exact name,
 * then a unique id prefix. 0 with ret->id == NULL when nothing matches; a
 * prefix of several ids fails with code EINVAL "network REF is ambiguous (N
 * matches found based on ID prefix)".
 */
int db_network_find(struct db *db, const char *ref, struct db_network *ret, struct berth_error **err);
/* Every network, by name. */
int db_network_list(struct db *db, struct db_network **ret, size_t *ret_n, struct berth_error **err);
int db_network_set_doc(struct db *db, const char *id, const char *doc, struct berth_error **err);
/* Delete the network and (cascade) its address rows; the engine checks for endpoints first. */
int db_network_delete(struct db *db, const char *id, struct berth_error **err);

/* ---- addresses and endpoints -------------------------------------------- */

/* One address held on a network by a container's endpoint (one row per address: v4 and v6 are two). */
struct db_endpoint {
	char *network_id;
	char *address;	    /* canonical text, "172.18.0.2" or "fd00::2" */
	char *container_id; /* 64 hex */
	char *endpoint;	    /* the endpoint's name or id as the engine chose it ("eth0", 64 hex) */
};
void db_endpoint_done(struct db_endpoint *e);
void db_endpoints_free(struct db_endpoint *es, size_t n);

/*
 * The addresses in use on network_id (NULL-terminated strv, never NULL on
 * success), in no particular order: the caller parses and sorts them.
 */
int db_address_list(struct db *db, const char *network_id, char ***ret, struct berth_error **err);
/*
 * Record address as held on network_id. Call inside db_begin/db_commit with the
 * db_address_list read that chose it: BEGIN IMMEDIATE serialises concurrent
 * commands and the UNIQUE (network, address) constraint is the last word, so
 * two commands never hold one address. Taken: code EADDRINUSE "address A is in
 * use"; an unknown network fails too (foreign key).
 */
int db_address_insert(struct db *db, const char *network_id, const char *address, const char *container_id,
		      const char *endpoint, struct berth_error **err);
/* Release the addresses container_id holds on network_id, or on every network when network_id is NULL. */
int db_address_release(struct db *db, const char *container_id, const char *network_id, struct berth_error **err);
/*
 * Endpoint rows filtered by network_id and/or container_id (NULL: any), by
 * network, container and address.
 */
int db_endpoint_list(struct db *db, const char *network_id, const char *container_id, struct db_endpoint **ret,
		     size_t *ret_n, struct berth_error **err);

/* ---- endpoints (schema 5) ------------------------------------------------- */

/* A container's endpoint on a network: its id, MAC, addresses and aliases. */
struct db_net_endpoint {
	char *network_id;
	char *container_id;   /* 64 hex */
	char *container_name; /* as it was when attached */
	char *endpoint_id;    /* 64 hex */
	char *mac;	      /* "02:42:ac:11:00:02" or NULL */
	char *ipv4;	      /* address without prefix length, or NULL */
	char *ipv6;
	char *aliases; /* JSON array of strings */
	int64_t seq;   /* attach order (set by insert) */
};
void db_net_endpoint_done(struct db_net_endpoint *ep);
void db_net_endpoints_free(struct db_net_endpoint *v, size_t n);

/*
 * Record an endpoint (sets ep->seq); call in the transaction that inserted its
 * addresses. A container already on the network fails with code EEXIST; an
 * unknown network with ENOENT.
 */
int db_net_endpoint_insert(struct db *db, struct db_net_endpoint *ep, struct berth_error **err);
/* Delete container_id's endpoint on network_id (NULL: on every network); none is fine. */
int db_net_endpoint_delete(struct db *db, const char *network_id, const char *container_id, struct berth_error **err);
/* Endpoints filtered by network_id and/or container_id (NULL: any), in attach order. */
int db_net_endpoint_list(struct db *db, const char *network_id, const char *container_id, struct db_net_endpoint **ret,
			 size_t *ret_n, struct berth_error **err);
