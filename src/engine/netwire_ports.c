/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: published ports (-p, -P) at start: host ports resolved (given,
 * a range to pick from, or a free one of the ephemeral range), checked
 * against every other container's and against the host's own sockets, and
 * recorded in the State (BerthPorts) for the rules and for inspect/port/ps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/netwire_internal.h"
#include "store/store.h"

/* One resolved binding, as State.BerthPorts holds it. */
struct binding {
	char proto[8];
	char host_ip[64];
	int host_port;
	int ctr_port;
};

struct used {
	struct binding *v;
	size_t n;
};

static bool ip_overlap(const char *a, const char *b)
{
	bool any_a = !*a || !strcmp(a, "0.0.0.0"), any_b = !*b || !strcmp(b, "0.0.0.0");

	return any_a || any_b || !strcmp(a, b);
}

static bool is_used(const struct used *u, const char *proto, const char *ip, int port)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i].host_port == port && !strcmp(u->v[i].proto, proto) && ip_overlap(u->v[i].host_ip, ip))
			return true;
	return false;
}

static void used_add(struct used *u, const struct binding *b)
{
	u->v = realloc(u->v, (u->n + 1) * sizeof(*u->v));
	if (!u->v)
		abort();
	u->v[u->n++] = *b;
}

/* Every other container's recorded ports. */
static int load_used(struct eng *e, const char *self, struct used *u, struct berth_error **err)
{
	struct db_container *cs = NULL;
	size_t n = 0;

	if (db_container_list(e->db, &cs, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *st = strcmp(cs[i].id, self) ? json_loads(cs[i].state ? cs[i].state : "{}", 0, NULL) : NULL, *p;
		size_t k;

		json_array_foreach(json_object_get(st, "BerthPorts"), k, p)
		{
			struct binding b = {.host_port = (int)json_integer_value(json_object_get(p, "HostPort"))};

			snprintf(b.proto, sizeof(b.proto), "%s",
				 json_string_value(json_object_get(p, "Proto")) ?: "tcp");
			snprintf(b.host_ip, sizeof(b.host_ip), "%s",
				 json_string_value(json_object_get(p, "HostIp")) ?: "");
			used_add(u, &b);
		}
		json_decref(st);
	}
	db_containers_free(cs, n);
	return 0;
}

/* Whether the host lets us have proto/ip/port: a socket bound there now (a listener of the host's) says no. */
static bool host_free(const char *proto, const char *ip, int port)
{
	bool udp = !strcmp(proto, "udp");
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd, rc;

	if (*ip && inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return true; /* IPv6 host addresses: not checked */
	fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;
	if (!udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0 || errno != EADDRINUSE;
}

static void ephemeral_range(int *lo, int *hi)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	*lo = 32768;
	*hi = 60999;
	if (!f || fscanf(f, "%d %d", lo, hi) != 2 || *lo < 1 || *hi > 65535 || *lo > *hi) {
		*lo = 32768;
		*hi = 60999;
	}
}

/* A free port of [lo, hi], starting at a random place for the ephemeral range as Docker does. */
static int pick(const struct used *u, const char *proto, const char *ip, int lo, int hi, bool random_start)
{
	int span = hi - lo + 1, start = random_start ? (int)((unsigned)time(NULL) ^ (unsigned)getpid()) % span : 0;

	for (int i = 0; i < span; i++) {
		int port = lo + (start + i) % span;

		if (!is_used(u, proto, ip, port) && host_free(proto, ip, port))
			return port;
	}
	return -1;
}

/* Resolve one HostPort ("", "8080" or "8080-8090") for container port key "80/tcp". */
static int resolve(struct used *u, const char *key, const char *ip, const char *hp, struct binding *b,
		   struct berth_error **err)
{
	int lo, hi;
	bool any = !hp || !*hp;
	const char *slash = strchr(key, '/');

	memset(b, 0, sizeof(*b));
	b->ctr_port = atoi(key);
	snprintf(b->proto, sizeof(b->proto), "%s", slash ? slash + 1 : "tcp");
	snprintf(b->host_ip, sizeof(b->host_ip), "%s", ip ? ip : "");
	if (any)
		ephemeral_range(&lo, &hi);
	else if (sscanf(hp, "%d-%d", &lo, &hi) != 2)
		lo = hi = atoi(hp);
	if (lo < 1 || hi > 65535 || lo > hi || b->ctr_port < 1)
		return berth_error_set(err, EINVAL, "invalid port binding '%s' for %s", hp, key);
	b->host_port = pick(u, b->proto, b->host_ip, lo, hi, any);
	if (b->host_port < 0)
		return berth_error_set(err, EADDRINUSE, "Bind for %s:%s failed: port is already allocated",
				       *b->host_ip ? b->host_ip : "0.0.0.0", any ? "0" : hp);
	used_add(u, b);
	return 0;
}

/* PortBindings, plus a random host port for each ExposedPorts entry with PublishAllPorts. */
static int resolve_all(struct eng *e, const struct eng_ctr *c, json_t *out, struct used *u, struct berth_error **err)
{
	json_t *hc = json_object_get(c->doc, "HostConfig"), *pb = json_object_get(hc, "PortBindings"), *list, *v;
	const char *key;
	size_t i;

	json_object_foreach(pb, key, list)
	{
		json_array_foreach(list, i, v)
		{
			struct binding b;

			if (resolve(u, key, json_string_value(json_object_get(v, "HostIp")),
				    json_string_value(json_object_get(v, "HostPort")), &b, err) < 0)
				return -1;
			json_array_append_new(out, json_pack("{s:s,s:s,s:i,s:i}", "Proto", b.proto, "HostIp", b.host_ip,
							     "HostPort", b.host_port, "ContainerPort", b.ctr_port));
		}
	}
	if (!json_is_true(json_object_get(hc, "PublishAllPorts")))
		return 0;
	json_object_foreach(json_object_get(json_object_get(c->doc, "Config"), "ExposedPorts"), key, v)
	{
		struct binding b;

		if (json_object_get(pb, key))
			continue;
		if (resolve(u, key, NULL, NULL, &b, err) < 0)
			return -1;
		json_array_append_new(out, json_pack("{s:s,s:s,s:i,s:i}", "Proto", b.proto, "HostIp", b.host_ip,
						     "HostPort", b.host_port, "ContainerPort", b.ctr_port));
	}
	return 0;
}

struct ports_update {
	json_t *ports, *veths; /* NULL: remove */
	bool had;
};

static void set_ports(json_t *st, void *data)
{
	struct ports_update *p = data;

	p->had = json_array_size(json_object_get(st, "BerthPorts")) > 0;
	if (p->ports && json_array_size(p->ports))
		json_object_set(st, "BerthPorts", p->ports);
	else
		json_object_del(st, "BerthPorts");
	if (p->veths)
		json_object_set(st, "BerthVeths", p->veths);
	else
		json_object_del(st, "BerthVeths");
}

static void add_veths(json_t *st, void *data)
{
	json_t *cur = json_object_get(st, "BerthVeths");

	if (!json_is_object(cur)) {
		cur = json_object();
		json_object_set_new(st, "BerthVeths", cur);
	}
	json_object_update(cur, data);
}

int eng_netwire_veths_record(struct eng *e, const char *ctr_id, json_t *veths, struct berth_error **err)
{
	return eng_ctr_update_state(e, ctr_id, add_veths, veths, err);
}

struct take {
	const char *net_id;
	json_t *out;
};

static void take_veth(json_t *st, void *data)
{
	struct take *t = data;
	json_t *cur = json_object_get(st, "BerthVeths"), *v = json_object_get(cur, t->net_id);

	if (v) {
		json_object_set(t->out, t->net_id, v);
		json_object_del(cur, t->net_id);
	}
}

json_t *eng_netwire_veths_take(struct eng *e, const char *ctr_id, const char *net_id)
{
	struct take t = {.net_id = net_id, .out = json_object()};

	eng_ctr_update_state(e, ctr_id, take_veth, &t, NULL);
	return t.out;
}

/* Whether the container asks for published ports at all (then the others' are read). */
static bool publishes(const struct eng_ctr *c)
{
	json_t *hc = json_object_get(c->doc, "HostConfig");

	return json_object_size(json_object_get(hc, "PortBindings")) ||
	       (json_is_true(json_object_get(hc, "PublishAllPorts")) &&
		json_object_size(json_object_get(json_object_get(c->doc, "Config"), "ExposedPorts")));
}

int eng_netwire_ports_up(struct eng *e, const struct eng_ctr *c, const struct eng_endpoint *eps, size_t n,
			 json_t *veths, bool *ret_any, struct berth_error **err)
{
	struct used u = {0};
	json_t *out = json_array(), *p;
	const struct eng_endpoint *ep = NULL;
	struct ports_update up = {.ports = out, .veths = veths};
	size_t i;
	int rc = -1;

	for (size_t k = 0; k < n && !ep; k++)
		if (eps[k].ip)
			ep = &eps[k];
	*ret_any = false;
	if (publishes(c) && (load_used(e, c->id, &u, err) < 0 || resolve_all(e, c, out, &u, err) < 0))
		goto out;
	*ret_any = json_array_size(out) > 0;
	if (json_array_size(out) && !ep) {
		rc = berth_error_set(err, EINVAL, "published ports need a bridge network (NetworkMode)");
		goto out;
	}
	/* the address and network the rules send them to */
	json_array_foreach(out, i, p)
	{
		json_object_set_new(p, "ContainerIp", json_string(ep->ip));
		json_object_set_new(p, "NetworkId", json_string(ep->network_id));
	}
	rc = eng_ctr_update_state(e, c->id, set_ports, &up, err);
out:
	free(u.v);
	json_decref(out);
	return rc;
}

bool eng_netwire_ports_down(struct eng *e, const char *ctr_id)
{
	struct ports_update down = {0};

	if (eng_ctr_update_state(e, ctr_id, set_ports, &down, NULL) < 0)
		return true;
	return down.had;
}
