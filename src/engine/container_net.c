/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: a new container's networks (docker create): its endpoints on the
 * network its NetworkMode names and on every other network of
 * NetworkingConfig.EndpointsConfig (--ip, --mac-address, --network-alias),
 * and the /etc/hosts line and resolv.conf they call for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"

/* The network NetworkMode names ("default" is the bridge), or NULL for host, none and container:X. */
static const char *mode_network(json_t *hc)
{
	const char *mode = json_string_value(json_object_get(hc, "NetworkMode"));

	if (!mode || !*mode || !strcmp(mode, "default"))
		return ENG_NET_BRIDGE;
	if (!strcmp(mode, ENG_NET_HOST) || !strcmp(mode, ENG_NET_NONE) || !strncmp(mode, "container:", 10))
		return NULL;
	return mode;
}

static int attach_one(struct eng *e, const char *id, const char *name, const char *net, json_t *cfg, json_t *config,
		      struct berth_error **err)
{
	json_t *ipam = json_object_get(cfg, "IPAMConfig"), *aliases = json_object_get(cfg, "Aliases"), *v;
	const char *ip = json_string_value(json_object_get(ipam, "IPv4Address"));
	const char *mac = json_string_value(json_object_get(cfg, "MacAddress"));
	_cleanup_strv_ char **names = NULL;
	struct eng_endpoint ep = {0};
	size_t i;
	int rc;

	if (!mac || !*mac)
		mac = json_string_value(json_object_get(config, "MacAddress"));
	json_array_foreach(aliases, i, v) if (json_string_value(v)) strv_push(&names, json_string_value(v));
	rc = eng_network_attach(e, net, id, name, ip && *ip ? ip : NULL, mac && *mac ? mac : NULL, names, &ep, err);
	eng_endpoint_done(&ep);
	return rc;
}

int eng_ctr_networks_attach(struct eng *e, const char *id, const char *name, json_t *doc, json_t *networking,
			    struct berth_error **err)
{
	json_t *hc = json_object_get(doc, "HostConfig"), *config = json_object_get(doc, "Config");
	json_t *eps = json_object_get(networking, "EndpointsConfig"), *cfg, *first_cfg;
	const char *first = mode_network(hc), *key;

	if (!first)
		return 0;
	if (eng_networks_ensure_default(e, err) < 0)
		return -1;
	first_cfg = json_object_get(eps, first);
	/* docker's CLI keys the default network's endpoint by the mode: "default" */
	if (!first_cfg && !strcmp(first, ENG_NET_BRIDGE))
		first_cfg = json_object_get(eps, "default");
	if (attach_one(e, id, name, first, first_cfg, config, err) < 0)
		goto fail;
	json_object_foreach(eps, key, cfg)
	{
		if (!strcmp(key, first) || (!strcmp(first, ENG_NET_BRIDGE) && !strcmp(key, "default")))
			continue;
		if (attach_one(e, id, name, key, cfg, config, err) < 0)
			goto fail;
	}
	return 0;
fail:
	eng_network_detach(e, NULL, id, NULL);
	return -1;
}

/*
 * On a user-defined network the network's resolver answers (network/dns.h: a
 * dnsmasq on the gateway), as Docker's embedded DNS does, unless --dns names
 * the servers; the host's search domains stay.
 */
static int resolv_for(struct eng *e, int dfd, json_t *doc, const struct eng_endpoint *ep, struct berth_error **err)
{
	_cleanup_network_ struct eng_network *n = NULL;
	_cleanup_free_ char *host = NULL;
	struct buf b = {0};
	char *line, *save = NULL;
	int rc;

	if (json_array_size(json_object_get(json_object_get(doc, "HostConfig"), "Dns")))
		return 0;
	if (eng_network_find(e, ep->network_id, &n, err) < 0)
		return -1;
	if (n->is_default || !n->gateway)
		return 0;
	buf_printf(&b, "nameserver %s\n", n->gateway);
	if (fs_read_file_at(dfd, "resolv.conf", &host, NULL, NULL) == 0)
		for (line = strtok_r(host, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (!strncmp(line, "search", 6) || !strncmp(line, "options", 7))
				buf_printf(&b, "%s\n", line);
	rc = fs_write_file_atomic_at(dfd, "resolv.conf", b.data, b.len, 0644, err);
	buf_done(&b);
	return rc;
}

/*
 * --link NAME[:ALIAS] (the default bridge's legacy way): "IP\tALIAS ID NAME"
 * lines for each linked container, as Docker writes them; a link to a
 * container that does not exist or has no address is an error.
 */
static int link_lines(struct eng *e, json_t *doc, char **hosts, struct berth_error **err)
{
	json_t *links = json_object_get(json_object_get(doc, "HostConfig"), "Links"), *v;
	size_t i;

	json_array_foreach(links, i, v)
	{
		_cleanup_free_ char *name = xstrdup(json_string_value(v) ? json_string_value(v) : "");
		_cleanup_ctr_ struct eng_ctr *c = NULL;
		struct eng_endpoint *eps = NULL;
		char *alias = strchr(name, ':'), *more;
		size_t n = 0;

		if (alias)
			*alias++ = '\0';
		/* Docker's stored form "/name:/container/alias" */
		if (alias && strrchr(alias, '/'))
			alias = strrchr(alias, '/') + 1;
		if (eng_ctr_find(e, name[0] == '/' ? name + 1 : name, &c, err) < 0)
			return berth_error_wrap(err, "could not get container for %s", name);
		if (eng_network_endpoints(e, c->id, &eps, &n, err) < 0)
			return -1;
		if (!n || !eps[0].ip) {
			eng_endpoints_free(eps, n);
			return berth_error_set(
				err, 0, "Cannot link to %s, as it does not belong to the default network", c->name);
		}
		more = xasprintf("%s%s\t%s%s%.12s %s\n", *hosts, eps[0].ip, alias && *alias ? alias : "",
				 alias && *alias ? " " : "", c->id, c->name);
		free(*hosts);
		*hosts = more;
		eng_endpoints_free(eps, n);
	}
	return 0;
}

int eng_ctr_files_network(struct eng *e, const char *id, json_t *doc, struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, id), *hosts = NULL, *line = NULL;
	_cleanup_close_ int dfd = -1;
	struct eng_endpoint *eps = NULL;
	size_t n = 0, len = 0;
	const char *hostname = json_string_value(json_object_get(json_object_get(doc, "Config"), "Hostname"));
	int rc = -1;

	if (eng_network_endpoints(e, id, &eps, &n, err) < 0)
		return -1;
	if (!n || !eps[0].ip || !hostname) {
		eng_endpoints_free(eps, n);
		return 0;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		berth_error_set(err, errno, "open '%s'", dir);
		goto out;
	}
	/* as Docker: the container's own address and hostname after the fixed lines */
	if (fs_read_file_at(dfd, "hosts", &hosts, &len, err) < 0)
		goto out;
	line = xasprintf("%s%s\t%s\n", hosts, eps[0].ip, hostname);
	if (link_lines(e, doc, &line, err) < 0)
		goto out;
	rc = fs_write_file_atomic_at(dfd, "hosts", line, strlen(line), 0644, err);
	if (rc == 0)
		rc = resolv_for(e, dfd, doc, &eps[0], err);
out:
	eng_endpoints_free(eps, n);
	return rc;
}
