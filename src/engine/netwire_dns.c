/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: name resolution on user-defined networks (network/dns.h: one
 * dnsmasq per network with running containers, on its gateway): the records
 * of every wired container on the network, refreshed when one starts, stops,
 * connects or disconnects; the daemon stopped when none is left.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/netwire_internal.h"
#include "network/network.h"
#include "store/store.h"

struct records {
	struct net_dns_record *v;
	size_t n;
	struct eng_endpoint **eps; /* per record: the container's endpoints (aliases point into them) */
	size_t *n_eps;
	char **names, **ids;
};

static void records_done(struct records *r)
{
	for (size_t i = 0; i < r->n; i++) {
		eng_endpoints_free(r->eps[i], r->n_eps[i]);
		free(r->names[i]);
		free(r->ids[i]);
	}
	free(r->ids);
	free(r->v);
	free(r->eps);
	free(r->n_eps);
	free(r->names);
}

/* One wired container's record on network n (its endpoint there gives the address and aliases). */
static void add_record(struct eng *e, struct records *r, const struct eng_network *n, const char *ctr_id)
{
	struct db_container row = {0};
	struct eng_endpoint *eps = NULL;
	size_t k = 0;
	struct net_dns_record rec = {.network = n->name};

	if (db_container_get(e->db, ctr_id, &row, NULL) < 0 || !row.id ||
	    eng_network_endpoints(e, ctr_id, &eps, &k, NULL) < 0) {
		db_container_done(&row);
		return;
	}
	for (size_t i = 0; i < k; i++)
		if (!strcmp(eps[i].network_id, n->id) && eps[i].ip) {
			net_ip_parse(eps[i].ip, &rec.ipv4, NULL);
			rec.aliases = eps[i].aliases;
		}
	r->v = realloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->eps = realloc(r->eps, (r->n + 1) * sizeof(*r->eps));
	r->n_eps = realloc(r->n_eps, (r->n + 1) * sizeof(*r->n_eps));
	r->names = realloc(r->names, (r->n + 1) * sizeof(*r->names));
	r->ids = realloc(r->ids, (r->n + 1) * sizeof(*r->ids));
	if (!r->v || !r->eps || !r->n_eps || !r->names || !r->ids)
		abort();
	r->eps[r->n] = eps;
	r->n_eps[r->n] = k;
	r->names[r->n] = TAKE_PTR(row.name);
	rec.name = r->names[r->n];
	r->ids[r->n] = xstrdup(ctr_id);
	rec.id = r->ids[r->n];
	r->v[r->n++] = rec;
	db_container_done(&row);
}

int eng_netwire_dns_refresh(struct eng *e, const struct eng_network *n, const char *exclude, struct berth_error **err)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_strv_ char **upstreams = NULL;
	struct db_endpoint *dbe = NULL;
	struct records r = {0};
	size_t n_dbe = 0;
	int rc;

	if (n->is_default || !n->bridge_if || !n->gateway)
		return 0;
	dir = xasprintf("%s/dns/%s", e->runroot, n->id);
	if (db_endpoint_list(e->db, n->id, NULL, &dbe, &n_dbe, err) < 0)
		return -1;
	for (size_t i = 0; i < n_dbe; i++) {
		_cleanup_free_ char *ns = eng_netns_path(e, dbe[i].container_id);

		/* the wired ones: those with a namespace of ours, the one starting now included */
		if (access(ns, F_OK) == 0 && (!exclude || strcmp(exclude, dbe[i].container_id)))
			add_record(e, &r, n, dbe[i].container_id);
	}
	db_endpoints_free(dbe, n_dbe);
	if (!r.n) {
		records_done(&r);
		return net_dns_stop(dir, err);
	}
	rc = net_dns_upstreams_load("/etc/resolv.conf", &upstreams, err);
	if (rc == 0) {
		_cleanup_free_ char *parent = xasprintf("%s/dns", e->runroot);

		rc = fs_mkdir_p_at(AT_FDCWD, parent, 0700, err);
	}
	if (rc == 0) {
		int reaper = 0;

		/* dnsmasq daemonizes: it must not be reparented to us when we are a monitor (a subreaper) */
		prctl(PR_GET_CHILD_SUBREAPER, &reaper);
		if (reaper)
			prctl(PR_SET_CHILD_SUBREAPER, 0);
		rc = net_dns_apply(dir, n->bridge_if, n->gateway, r.v, r.n, upstreams, err);
		if (reaper)
			prctl(PR_SET_CHILD_SUBREAPER, 1);
	}
	records_done(&r);
	return rc < 0 ? berth_error_wrap(err, "network %s: name resolution", n->name) : 0;
}

int eng_netwire_dns_refresh_of(struct eng *e, const struct eng_endpoint *eps, size_t n, const char *exclude,
			       struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_network_ struct eng_network *net = NULL;

		if (eng_network_find(e, eps[i].network_id, &net, err) < 0 ||
		    eng_netwire_dns_refresh(e, net, exclude, err) < 0)
			return -1;
	}
	return 0;
}
