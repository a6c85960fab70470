/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: networks as documents: NetworkCreate requests decoded and
 * validated, the stored inspect document, and a stored row parsed back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "network/network.h"
#include "store/store.h"

void eng_network_free(struct eng_network *n)
{
	if (!n)
		return;
	free(n->id);
	free(n->name);
	free(n->driver);
	free(n->bridge_if);
	free(n->subnet);
	free(n->gateway);
	free(n->subnet6);
	free(n->gateway6);
	json_decref(n->doc);
	free(n);
}

void eng_net_request_done(struct eng_net_request *r)
{
	free(r->name);
	free(r->driver);
	free(r->subnet);
	free(r->ip_range);
	free(r->gateway);
	free(r->subnet6);
	free(r->ip_range6);
	free(r->gateway6);
	json_decref(r->options);
	json_decref(r->labels);
	memset(r, 0, sizeof(*r));
}

bool eng_net_name_is_valid(const char *name)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	if (!name || !*name || !strchr(alnum, name[0]))
		return false;
	for (const char *p = name + 1; *p; p++)
		if (!strchr(alnum, *p) && !strchr("_.-", *p))
			return false;
	return true;
}

/* A string member or NULL (absent, null or ""); a non-string fails naming key. */
static int get_string(json_t *obj, const char *key, const char **ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return berth_error_set(err, 0, "invalid network request: %s: expected string", key);
	if (*json_string_value(v))
		*ret = json_string_value(v);
	return 0;
}

static int get_bool(json_t *obj, const char *key, bool *ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	*ret = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return berth_error_set(err, 0, "invalid network request: %s: expected boolean", key);
	*ret = json_is_true(v);
	return 0;
}

/* An object of strings (a copy), {} when absent. */
static int get_map(json_t *obj, const char *key, json_t **ret, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key), *val;
	const char *k;

	if (!v || json_is_null(v)) {
		*ret = json_object();
		return 0;
	}
	if (!json_is_object(v))
		return berth_error_set(err, 0, "invalid network request: %s: expected object", key);
	json_object_foreach(v, k, val) if (!json_is_string(val)) return berth_error_set(
		err, 0, "invalid network request: %s.%s: expected string", key, k);
	*ret = json_deep_copy(v);
	return 0;
}

/* One IPAM.Config entry into r's IPv4 or IPv6 slot, validated. */
static int parse_ipam_entry(json_t *c, struct eng_net_request *r, struct berth_error **err)
{
	const char *subnet, *range, *gw;
	struct net_prefix p;
	struct net_ipam_subnet s;
	bool v6;

	if (!json_is_object(c))
		return berth_error_set(err, 0, "invalid network request: IPAM.Config: expected objects");
	if (get_string(c, "Subnet", &subnet, err) < 0 || get_string(c, "IPRange", &range, err) < 0 ||
	    get_string(c, "Gateway", &gw, err) < 0)
		return -1;
	if (!subnet)
		return berth_error_set(err, 0, "every ip-range or gateway must have a corresponding subnet");
	if (net_subnet_parse(subnet, "subnet", &p, err) < 0)
		return -1;
	if (range && net_subnet_parse(range, "ip-range", &(struct net_prefix){0}, err) < 0)
		return -1;
	if (net_ipam_subnet_init(&s, subnet, range, gw, err) < 0)
		return -1;
	v6 = p.addr.family == AF_INET6;
	if (v6 ? r->subnet6 != NULL : r->subnet != NULL)
		return berth_error_set(err, 0, "only one %s subnet per network is supported", v6 ? "IPv6" : "IPv4");
	*(v6 ? &r->subnet6 : &r->subnet) = xstrdup(subnet);
	*(v6 ? &r->ip_range6 : &r->ip_range) = range ? xstrdup(range) : NULL;
	*(v6 ? &r->gateway6 : &r->gateway) = gw ? xstrdup(gw) : NULL;
	return 0;
}

static int parse_ipam(json_t *ipam, struct eng_net_request *r, struct berth_error **err)
{
	const char *driver;
	json_t *config, *c;
	size_t i;

	if (!ipam || json_is_null(ipam))
		return 0;
	if (!json_is_object(ipam))
		return berth_error_set(err, 0, "invalid network request: IPAM: expected object");
	if (get_string(ipam, "Driver", &driver, err) < 0)
		return -1;
	if (driver && strcmp(driver, "default") != 0)
		return berth_error_set(err, 0, "plugin \"%s\" not found", driver);
	config = json_object_get(ipam, "Config");
	if (!config || json_is_null(config))
		return 0;
	if (!json_is_array(config))
		return berth_error_set(err, 0, "invalid network request: IPAM.Config: expected array");
	json_array_foreach(config, i, c) if (parse_ipam_entry(c, r, err) < 0) return -1;
	return 0;
}

static int check_driver(const char *driver, struct berth_error **err)
{
	if (strcmp(driver, "bridge") == 0)
		return 0;
	if (strcmp(driver, "host") == 0 || strcmp(driver, "null") == 0)
		return berth_error_set(err, 0, "only one instance of \"%s\" network is allowed", driver);
	return berth_error_set(err, 0, "plugin \"%s\" not found", driver);
}

/* The driver options berth understands, checked. */
static int check_options(json_t *options, struct berth_error **err)
{
	const char *mtu = json_string_value(json_object_get(options, ENG_NET_OPT_MTU));
	const char *masq = json_string_value(json_object_get(options, ENG_NET_OPT_MASQUERADE));
	_cleanup_free_ char *ifname = NULL;
	char *end = NULL;
	long v;

	if (mtu) {
		errno = 0;
		v = strtol(mtu, &end, 10);
		if (errno || end == mtu || *end || v < 68 || v > 65535)
			return berth_error_set(err, 0, "invalid MTU number: %s", mtu);
	}
	if (masq && strcmp(masq, "true") != 0 && strcmp(masq, "false") != 0)
		return berth_error_set(err, 0, "invalid value for %s: %s", ENG_NET_OPT_MASQUERADE, masq);
	return eng_net_bridge_name(options, "000000000000", &ifname, err);
}

int eng_net_request_parse(json_t *body, struct eng_net_request *ret, struct berth_error **err)
{
	struct eng_net_request r = {0};
	const char *name, *driver;

	if (!json_is_object(body))
		return berth_error_set(err, 0, "invalid network request: expected object");
	if (get_string(body, "Name", &name, err) < 0 || get_string(body, "Driver", &driver, err) < 0)
		return -1;
	if (!name)
		return berth_error_set(err, 0, "network name is required");
	if (!eng_net_name_is_valid(name))
		return berth_error_set(err, 0,
				       "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	r.name = xstrdup(name);
	r.driver = xstrdup(driver ? driver : "bridge");
	if (check_driver(r.driver, err) < 0 || get_bool(body, "Internal", &r.internal, err) < 0 ||
	    get_bool(body, "Attachable", &r.attachable, err) < 0 || get_bool(body, "EnableIPv6", &r.ipv6, err) < 0 ||
	    parse_ipam(json_object_get(body, "IPAM"), &r, err) < 0 || get_map(body, "Options", &r.options, err) < 0 ||
	    get_map(body, "Labels", &r.labels, err) < 0 || check_options(r.options, err) < 0) {
		eng_net_request_done(&r);
		return -1;
	}
	*ret = r;
	return 0;
}

int eng_net_bridge_name(json_t *options, const char *id, char **ret, struct berth_error **err)
{
	const char *given = json_string_value(json_object_get(options, ENG_NET_OPT_BRIDGE_NAME));

	if (given && *given) {
		if (!net_ifname_is_valid(given))
			return berth_error_set(err, 0,
					       "invalid bridge name '%s': at most %d characters, no '/', ':' or "
					       "whitespace",
					       given, NET_IFNAME_MAX);
		*ret = xstrdup(given);
		return 0;
	}
	*ret = xasprintf("br-%.12s", id);
	return 0;
}

json_t *eng_net_ipam_entry(const char *subnet, const char *ip_range, const char *gateway)
{
	json_t *o = json_object();

	json_object_set_new(o, "Subnet", json_string(subnet));
	if (ip_range)
		json_object_set_new(o, "IPRange", json_string(ip_range));
	if (gateway)
		json_object_set_new(o, "Gateway", json_string(gateway));
	return o;
}

json_t *eng_net_document(const char *name, const char *id, const char *created, const char *driver, bool ipv6,
			 json_t *ipam_config, bool internal, bool attachable, json_t *options, json_t *labels)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:o}, s:b, s:b, s:b, s:{s:s}, s:b, s:o, s:o}",
			 "Name", name, "Id", id, "Created", created, "Scope", "local", "Driver", driver, "EnableIPv6",
			 ipv6, "IPAM", "Driver", "default", "Options", "Config", ipam_config, "Internal", internal,
			 "Attachable", attachable, "Ingress", false, "ConfigFrom", "Network", "", "ConfigOnly", false,
			 "Options", options ? options : json_object(), "Labels", labels ? labels : json_object());
}

/* The first IPAM config of family: its subnet and gateway (the given one, else the subnet's first address). */
static void load_ipam(json_t *doc, struct eng_network *n)
{
	json_t *config = json_object_get(json_object_get(doc, "IPAM"), "Config"), *c;
	size_t i;

	json_array_foreach(config, i, c)
	{
		const char *subnet = json_string_value(json_object_get(c, "Subnet"));
		const char *gw = json_string_value(json_object_get(c, "Gateway"));
		struct net_prefix p;
		struct net_ip g;
		bool v6;

		if (!subnet || net_prefix_parse(subnet, &p, NULL) < 0)
			continue;
		v6 = p.addr.family == AF_INET6;
		if (v6 ? n->subnet6 != NULL : n->subnet != NULL)
			continue;
		p = net_prefix_masked(&p);
		net_prefix_gateway(&p, &g);
		*(v6 ? &n->subnet6 : &n->subnet) = xstrdup(subnet);
		*(v6 ? &n->gateway6 : &n->gateway) = gw && *gw ? xstrdup(gw) : net_ip_to_string(&g);
	}
}

int eng_net_from_row(const struct db_network *row, struct eng_network **ret, struct berth_error **err)
{
	struct eng_network *n;
	json_error_t jerr;
	json_t *doc = json_loads(row->doc, 0, &jerr), *options;
	const char *mtu, *masq;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return berth_error_set(err, 0, "network '%s': stored document: %s", row->name, jerr.text);
	}
	n = xcalloc(1, sizeof(*n));
	n->id = xstrdup(row->id);
	n->name = xstrdup(row->name);
	n->driver = xstrdup(row->driver);
	n->doc = doc;
	options = json_object_get(doc, "Options");
	if (strcmp(n->driver, "bridge") == 0 && eng_net_bridge_name(options, n->id, &n->bridge_if, err) < 0) {
		eng_network_free(n);
		return -1;
	}
	load_ipam(doc, n);
	if (!json_is_true(json_object_get(doc, "EnableIPv6"))) {
		free(TAKE_PTR(n->subnet6));
		free(TAKE_PTR(n->gateway6));
	}
	mtu = json_string_value(json_object_get(options, ENG_NET_OPT_MTU));
	n->mtu = mtu ? (unsigned)strtoul(mtu, NULL, 10) : 0;
	masq = json_string_value(json_object_get(options, ENG_NET_OPT_MASQUERADE));
	n->masquerade = !masq || strcmp(masq, "false") != 0;
	n->internal = json_is_true(json_object_get(doc, "Internal"));
	n->is_default = strcmp(n->name, ENG_NET_BRIDGE) == 0;
	*ret = n;
	return 0;
}

void eng_endpoint_done(struct eng_endpoint *ep)
{
	free(ep->network_id);
	free(ep->network_name);
	free(ep->endpoint_id);
	free(ep->ip);
	free(ep->gateway);
	free(ep->ip6);
	free(ep->gateway6);
	free(ep->mac);
	strv_free(ep->aliases);
	memset(ep, 0, sizeof(*ep));
}

void eng_endpoints_free(struct eng_endpoint *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		eng_endpoint_done(&v[i]);
	free(v);
}
