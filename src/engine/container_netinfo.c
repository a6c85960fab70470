/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: a container's NetworkSettings as docker inspect shows them: its
 * endpoints per network, the default bridge's fields at the top (Docker's
 * legacy ones), the published ports of the running process, the sandbox.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/netwire_internal.h"

static json_t *endpoint_json(const struct eng_endpoint *ep, const char *ctr_id, const char *name)
{
	json_t *aliases = json_array(), *dns = json_array();

	for (size_t i = 0; ep->aliases && ep->aliases[i]; i++) {
		json_array_append_new(aliases, json_string(ep->aliases[i]));
		json_array_append_new(dns, json_string(ep->aliases[i]));
	}
	json_array_insert_new(dns, 0, json_sprintf("%.12s", ctr_id));
	json_array_insert_new(dns, 0, json_string(name));
	return json_pack("{s:n, s:n, s:o, s:s, s:n, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:o}", "IPAMConfig",
			 "Links", "Aliases", json_array_size(aliases) ? aliases : (json_decref(aliases), json_null()),
			 "MacAddress", ep->mac ? ep->mac : "", "DriverOpts", "NetworkID",
			 ep->network_id ? ep->network_id : "", "EndpointID", ep->endpoint_id ? ep->endpoint_id : "",
			 "Gateway", ep->gateway ? ep->gateway : "", "IPAddress", ep->ip ? ep->ip : "", "IPPrefixLen",
			 (int)ep->prefixlen, "IPv6Gateway", ep->gateway6 ? ep->gateway6 : "", "GlobalIPv6Address",
			 ep->ip6 ? ep->ip6 : "", "GlobalIPv6PrefixLen", (int)ep->prefixlen6, "DNSNames", dns);
}

/* Ports: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]} of the running process. */
static json_t *ports_json(const struct eng_ctr *c)
{
	json_t *out = json_object(), *p;
	size_t i;

	json_array_foreach(json_object_get(c->state, "BerthPorts"), i, p)
	{
		char key[32], port[16];
		const char *ip = json_string_value(json_object_get(p, "HostIp"));
		json_t *list;

		snprintf(key, sizeof(key), "%d/%s", (int)json_integer_value(json_object_get(p, "ContainerPort")),
			 json_string_value(json_object_get(p, "Proto")) ?: "tcp");
		snprintf(port, sizeof(port), "%d", (int)json_integer_value(json_object_get(p, "HostPort")));
		list = json_object_get(out, key);
		if (!list) {
			list = json_array();
			json_object_set_new(out, key, list);
		}
		json_array_append_new(list,
				      json_pack("{s:s,s:s}", "HostIp", ip && *ip ? ip : "0.0.0.0", "HostPort", port));
	}
	return out;
}

json_t *eng_ctr_network_settings(struct eng *e, const struct eng_ctr *c)
{
	struct eng_endpoint *eps = NULL, none = {0};
	const struct eng_endpoint *top = &none;
	json_t *nets = json_object();
	const char *mode = json_string_value(json_object_get(json_object_get(c->doc, "HostConfig"), "NetworkMode"));
	bool running = eng_ctr_is_running(c);
	_cleanup_free_ char *sandbox = running && !(mode && (!strcmp(mode, "host") || !strncmp(mode, "container:", 10)))
					       ? eng_netns_path(e, c->id)
					       : NULL;
	size_t n = 0;
	json_t *out;

	if (eng_network_endpoints(e, c->id, &eps, &n, NULL) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		json_object_set_new(nets, eps[i].network_name, endpoint_json(&eps[i], c->id, c->name));
		if (!strcmp(eps[i].network_name, ENG_NET_BRIDGE))
			top = &eps[i];
	}
	if (!n && mode && (!strcmp(mode, ENG_NET_HOST) || !strcmp(mode, ENG_NET_NONE)))
		json_object_set_new(nets, mode, endpoint_json(&none, c->id, c->name));
	out = json_pack("{s:s, s:s, s:b, s:s, s:i, s:o, s:s, s:n, s:n, s:s, s:i, s:s, s:i, s:s, s:s, s:i, s:s, s:o}",
			"Bridge", "", "SandboxID", sandbox ? c->id : "", "HairpinMode", 0, "LinkLocalIPv6Address", "",
			"LinkLocalIPv6PrefixLen", 0, "Ports", running ? ports_json(c) : json_object(), "SandboxKey",
			sandbox ? sandbox : "", "SecondaryIPAddresses", "SecondaryIPv6Addresses", "EndpointID",
			top->endpoint_id ? top->endpoint_id : "", "GlobalIPv6PrefixLen", 0, "Gateway",
			top->gateway ? top->gateway : "", "IPPrefixLen", (int)top->prefixlen, "IPAddress",
			top->ip ? top->ip : "", "MacAddress", top->mac ? top->mac : "", "IPv6PrefixLen", 0,
			"IPv6Gateway", "", "Networks", nets);
	eng_endpoints_free(eps, n);
	return out;
}
