/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: berth's nftables table, rebuilt whole from the store (network/'s
 * plan + apply): masquerade and isolation for every bridge network, DNAT for
 * every recorded published port. One transaction each time; never another
 * table.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/netwire_internal.h"
#include "network/network.h"
#include "store/store.h"

#define DEFAULT_ROOT "/var/lib/berth"

char *eng_netwire_table(const struct eng *e)
{
	uint32_t h = 2166136261u;

	if (!strcmp(e->root, DEFAULT_ROOT))
		return xstrdup(NET_NFT_TABLE_DEFAULT);
	/* another root (tests, a second engine): a table of its own, so rebuilds never clobber each other */
	for (const char *s = e->root; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return xasprintf("%s_%08x", NET_NFT_TABLE_DEFAULT, h);
}

struct model {
	struct eng_network **nets;
	struct net_nft_network *nn;
	size_t n_nets;
	struct net_nft_port *ports;
	size_t n_ports;
	json_t *states; /* owns the strings ports point into */
};

static void model_done(struct model *m)
{
	for (size_t i = 0; i < m->n_nets; i++)
		eng_network_free(m->nets[i]);
	free(m->nets);
	free(m->nn);
	free(m->ports);
	json_decref(m->states);
}

static const char *bridge_of(const struct model *m, const char *net_id)
{
	for (size_t i = 0; i < m->n_nets; i++)
		if (net_id && !strcmp(m->nets[i]->id, net_id))
			return m->nn[i].bridge;
	return NULL;
}

static int load_networks(struct eng *e, struct model *m, struct berth_error **err)
{
	struct db_network *ns = NULL;
	size_t n = 0;

	if (db_network_list(e->db, &ns, &n, err) < 0)
		return -1;
	m->nets = xcalloc(n + 1, sizeof(*m->nets));
	m->nn = xcalloc(n + 1, sizeof(*m->nn));
	for (size_t i = 0; i < n; i++) {
		struct eng_network *net = NULL;

		if (eng_network_find(e, ns[i].id, &net, NULL) < 0 || !net->bridge_if) {
			eng_network_free(net);
			continue;
		}
		m->nn[m->n_nets] = (struct net_nft_network){
			.bridge = net->bridge_if,
			.subnet4 = net->subnet,
			.subnet6 = net->subnet6,
			.internal = net->internal,
			.masquerade = net->masquerade,
			.hairpin = true,
		};
		m->nets[m->n_nets++] = net;
	}
	db_networks_free(ns, n);
	return 0;
}

static void add_port(struct model *m, json_t *p)
{
	const char *proto = json_string_value(json_object_get(p, "Proto"));
	const char *ip = json_string_value(json_object_get(p, "HostIp"));
	struct net_nft_port *np;
	const char *bridge = bridge_of(m, json_string_value(json_object_get(p, "NetworkId")));

	if (!bridge)
		return;
	m->ports = realloc(m->ports, (m->n_ports + 1) * sizeof(*m->ports));
	if (!m->ports)
		abort();
	np = &m->ports[m->n_ports++];
	*np = (struct net_nft_port){
		.proto = proto && !strcmp(proto, "udp")	   ? NET_NFT_UDP
			 : proto && !strcmp(proto, "sctp") ? NET_NFT_SCTP
							   : NET_NFT_TCP,
		.host_ip = ip && *ip ? ip : NULL,
		.host_port = (uint16_t)json_integer_value(json_object_get(p, "HostPort")),
		.container_ip = json_string_value(json_object_get(p, "ContainerIp")),
		.container_port = (uint16_t)json_integer_value(json_object_get(p, "ContainerPort")),
		.bridge = bridge,
	};
}

static int load_ports(struct eng *e, struct model *m, struct berth_error **err)
{
	struct db_container *cs = NULL;
	size_t n = 0;

	if (db_container_list(e->db, &cs, &n, err) < 0)
		return -1;
	m->states = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *st = json_loads(cs[i].state ? cs[i].state : "{}", 0, NULL), *p;
		size_t k;

		if (!st)
			continue;
		json_array_append_new(m->states, st);
		json_array_foreach(json_object_get(st, "BerthPorts"), k, p) add_port(m, p);
	}
	db_containers_free(cs, n);
	return 0;
}

/*
 * Whether script is what the last rebuild applied (<runroot>/nftables.applied
 * holds it): the common start, with no ports and no new network, then loads
 * no libnftables at all. The file lives in the runroot, so after a reboot the
 * first rebuild applies again.
 */
static bool applied_already(struct eng *e, const char *script)
{
	_cleanup_free_ char *path = xasprintf("%s/nftables.applied", e->runroot), *last = NULL;

	return fs_read_file_at(AT_FDCWD, path, &last, NULL, NULL) == 0 && !strcmp(last, script);
}

bool eng_netwire_rules_known(struct eng *e)
{
	_cleanup_free_ char *path = xasprintf("%s/nftables.applied", e->runroot);

	return access(path, F_OK) == 0;
}

static void remember(struct eng *e, const char *script)
{
	_cleanup_free_ char *path = xasprintf("%s/nftables.applied", e->runroot);

	fs_write_file_atomic_at(AT_FDCWD, path, script, strlen(script), 0600, NULL);
}

int eng_netwire_rules_sync_locked(struct eng *e, struct berth_error **err)
{
	_cleanup_free_ char *table = eng_netwire_table(e), *script = NULL;
	struct model m = {0};
	int rc = -1;

	if (load_networks(e, &m, err) == 0 && load_ports(e, &m, err) == 0) {
		struct net_nft_model nm = {
			.table = table,
			.networks = m.nn,
			.n_networks = m.n_nets,
			.ports = m.ports,
			.n_ports = m.n_ports,
		};

		script = net_nft_plan_build(&nm, err);
		if (script && applied_already(e, script))
			rc = 0;
		else if (script && net_nft_script_run(script, err) == 0) {
			remember(e, script);
			rc = 0;
		}
	}
	model_done(&m);
	return rc;
}

int eng_netwire_rules_sync(struct eng *e, struct berth_error **err)
{
	_cleanup_close_ int lock = eng_netwire_lock(e, err);

	if (lock < 0)
		return -1;
	return eng_netwire_rules_sync_locked(e, err);
}
