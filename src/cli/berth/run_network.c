/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `berth run`/`create` network flags: NetworkMode, DNS, extra hosts, links, and NetworkingConfig endpoints. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/run_internal.h"
#include "cli/berth/run_parse.h"

/* An IP in Go's canonical text (net.IP.String), or NULL when s is none. */
static char *ip_canonical(const char *s)
{
	unsigned char buf[16];
	char out[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET, s, buf) == 1)
		return xstrdup(inet_ntop(AF_INET, buf, out, sizeof(out)));
	if (inet_pton(AF_INET6, s, buf) == 1)
		return xstrdup(inet_ntop(AF_INET6, buf, out, sizeof(out)));
	return NULL;
}

/* Labels of letters, digits and inner '-', dot-separated, an optional final dot; "." alone too. */
static bool domain_valid(const char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, ".") == 0)
		return true;
	if (n == 0 || n > 255)
		return false;
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ".");

		if (len == 0 || !isalnum((unsigned char)p[0]) || !isalnum((unsigned char)p[len - 1]))
			return false;
		for (size_t k = 0; k < len; k++)
			if (!isalnum((unsigned char)p[k]) && p[k] != '-')
				return false;
		p += len;
		if (*p == '.')
			p++;
	}
	return true;
}

static int build_dns(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	json_t *dns = json_array(), *search = json_array();

	json_object_set_new(b->host, "Dns", dns);
	json_object_set_new(b->host, "DnsOptions", run_strv_json(f->dns_option, true));
	json_object_set_new(b->host, "DnsSearch", search);
	for (size_t i = 0; f->dns && f->dns[i]; i++) {
		char *ip = ip_canonical(f->dns[i]);

		if (!ip) {
			berth_error_set(err, 0, "IP address is not correctly formatted: %s", f->dns[i]);
			return run_flag_error(err, f->dns[i], "--dns");
		}
		json_array_append_new(dns, json_string(ip));
		free(ip);
	}
	for (size_t i = 0; f->dns_search && f->dns_search[i]; i++) {
		if (!domain_valid(f->dns_search[i])) {
			berth_error_set(err, 0, "%s is not a valid domain", f->dns_search[i]);
			return run_flag_error(err, f->dns_search[i], "--dns-search");
		}
		json_array_append_new(search, json_string(f->dns_search[i]));
	}
	return 0;
}

/* --add-host "host:ip" (split at the first ':', so IPv6 works), ip may be "host-gateway". */
static int build_hosts_links(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;

	for (size_t i = 0; f->add_host && f->add_host[i]; i++) {
		const char *h = f->add_host[i], *colon = strchr(h, ':');

		if (!colon || colon == h)
			berth_error_set(err, 0, "bad format for add-host: \"%s\"", h);
		else if (strcmp(colon + 1, "host-gateway") != 0 && !bcli_run_ip_valid(colon + 1))
			berth_error_set(err, 0, "invalid IP address in add-host: \"%s\"", colon + 1);
		else
			continue;
		return run_flag_error(err, h, "--add-host");
	}
	for (size_t i = 0; f->link && f->link[i]; i++) {
		const char *l = f->link[i], *colon = strchr(l, ':');

		if (!*l)
			berth_error_set(err, 0, "empty string specified for links");
		else if (colon && strchr(colon + 1, ':'))
			berth_error_set(err, 0, "bad format for links: %s", l);
		else
			continue;
		return run_flag_error(err, l, "--link");
	}
	json_object_set_new(b->host, "ExtraHosts", run_strv_json(f->add_host, false));
	json_object_set_new(b->host, "Links", run_strv_json(f->link, false));
	return 0;
}

/* Not one of the daemon's built-in modes: default, bridge, host, none, container:<x>. */
static bool user_defined(const char *n)
{
	return strcmp(n, "default") && strcmp(n, "bridge") && strcmp(n, "host") && strcmp(n, "none") &&
	       strncmp(n, "container:", 10);
}

/* The endpoint of the first network: --network-alias, --link, --ip, --ip6 (docker's "legacy" flags). */
static int first_endpoint(const struct bcli_run_flags *f, const char *net, json_t **ret, struct berth_error **err)
{
	json_t *ep = json_object();

	if (!user_defined(net) && f->network_alias) {
		json_decref(ep);
		return berth_error_set(err, 0, "network-scoped aliases are only supported for user-defined networks");
	}
	if (f->network_alias)
		json_object_set_new(ep, "Aliases", run_strv_json(f->network_alias, false));
	if (f->link && user_defined(net))
		json_object_set_new(ep, "Links", run_strv_json(f->link, false));
	if ((f->ip && *f->ip) || (f->ip6 && *f->ip6))
		json_object_set_new(
			ep, "IPAMConfig",
			json_pack("{s:s,s:s}", "IPv4Address", f->ip ? f->ip : "", "IPv6Address", f->ip6 ? f->ip6 : ""));
	*ret = ep;
	return 0;
}

static int check_addresses(const struct bcli_run_flags *f, struct berth_error **err)
{
	unsigned char buf[16];
	unsigned int mac[6];
	char tail;

	if (f->ip && *f->ip && inet_pton(AF_INET, f->ip, buf) != 1)
		return berth_error_set(err, 0, "invalid IPv4 address: %s", f->ip);
	if (f->ip6 && *f->ip6 && inet_pton(AF_INET6, f->ip6, buf) != 1)
		return berth_error_set(err, 0, "invalid IPv6 address: %s", f->ip6);
	if (f->mac_address && *f->mac_address &&
	    (sscanf(f->mac_address, "%2x:%2x:%2x:%2x:%2x:%2x%c", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5],
		    &tail) != 6 ||
	     strlen(f->mac_address) != 17))
		return berth_error_set(err, 0, "%s is not a valid mac address", f->mac_address);
	return 0;
}

int run_build_network(struct run_build *b, struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;
	const char *first = f->network ? f->network[0] : "default";
	json_t *endpoints = json_object(), *ep = NULL;
	bool user = false, builtin = false;

	json_object_set_new(b->networking, "EndpointsConfig", endpoints);
	json_object_set_new(b->host, "NetworkMode", json_string(first));
	if (check_addresses(f, err) < 0 || build_dns(b, err) < 0 || build_hosts_links(b, err) < 0)
		return -1;
	if (first_endpoint(f, first, &ep, err) < 0)
		return -1;
	if (json_object_size(ep) > 0)
		json_object_set_new(endpoints, first, ep);
	else
		json_decref(ep);
	for (size_t i = 0; f->network && f->network[i]; i++) {
		if (!*f->network[i])
			return berth_error_set(err, 0, "no name set for network");
		if (user_defined(f->network[i]))
			user = true;
		else
			builtin = true;
		if (i == 0)
			continue;
		if (json_object_get(endpoints, f->network[i]) || strcmp(f->network[i], first) == 0)
			return berth_error_set(err, 0, "network \"%s\" is specified multiple times", f->network[i]);
		json_object_set_new(endpoints, f->network[i], json_object());
	}
	if (user && builtin)
		return berth_error_set(err, 0,
				       "conflicting options: cannot attach both user-defined and non-user-defined "
				       "network-modes");
	return 0;
}
