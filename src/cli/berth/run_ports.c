/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -p/--publish and --expose of `berth run`: docker's port specs, ranges and messages (go-connections' nat rules). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "cli/berth/run_parse.h"

/* nat.ParsePortRange: "80" or "8000-8010"; Go's message on failure. */
static int port_range(const char *s, uint64_t *start, uint64_t *end, struct berth_error **err)
{
	const char *dash = strchr(s, '-');
	_cleanup_free_ char *first = NULL;

	if (!*s)
		return berth_error_set(err, 0, "empty string specified for ports");
	if (!dash) {
		if (bcli_run_parse_gouint(s, 16, start, err) < 0)
			return -1;
		*end = *start;
		return 0;
	}
	first = strndup(s, (size_t)(dash - s));
	if (bcli_run_parse_gouint(first, 16, start, err) < 0)
		return -1;
	if (strchr(dash + 1, '-')) {
		/* Go splits at every '-' and reads the second part only */
		_cleanup_free_ char *second = strndup(dash + 1, strcspn(dash + 1, "-"));

		if (bcli_run_parse_gouint(second, 16, end, err) < 0)
			return -1;
	} else if (bcli_run_parse_gouint(dash + 1, 16, end, err) < 0) {
		return -1;
	}
	if (*end < *start)
		return berth_error_set(err, 0, "Invalid range specified for the Port: %s", s);
	return 0;
}

/* nat.SplitProtoPort: "80/udp" -> ("udp", "80"); no proto: tcp. Both owned by the caller. */
static void split_proto(const char *raw, char **proto, char **port)
{
	const char *slash = strchr(raw, '/');

	if (!*raw || raw[0] == '/') {
		*proto = xstrdup("");
		*port = xstrdup("");
	} else if (!slash) {
		*proto = xstrdup("tcp");
		*port = xstrdup(raw);
	} else {
		size_t plen = strcspn(slash + 1, "/");

		*proto = plen ? strndup(slash + 1, plen) : xstrdup("tcp");
		*port = strndup(raw, (size_t)(slash - raw));
	}
}

static bool proto_valid(const char *p)
{
	return !strcasecmp(p, "tcp") || !strcasecmp(p, "udp") || !strcasecmp(p, "sctp");
}

/* The long syntax "target=80,published=8080,protocol=udp" as "8080:80/udp". */
static int long_syntax(const char *spec, char **ret, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	const char *target = "", *published = "", *protocol = "tcp";
	char *save = NULL;

	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(f, '=');

		if (!eq || eq == f)
			return berth_error_set(err, 0,
					       "invalid publish opts format (should be name=value but got '%s')", f);
		*eq = '\0';
		if (!strcmp(f, "target"))
			target = eq + 1;
		else if (!strcmp(f, "published"))
			published = eq + 1;
		else if (!strcmp(f, "protocol"))
			protocol = eq + 1;
	}
	*ret = xasprintf("%s:%s/%s", published, target, protocol);
	return 0;
}

struct port_spec {
	char *ip, *host, *container, *proto;
};

static void port_spec_done(struct port_spec *p)
{
	free(p->ip);
	free(p->host);
	free(p->container);
	free(p->proto);
}

/* nat's splitParts: the last two ':'-parts are host and container port, the rest the IP. */
static int port_spec_split(const char *raw, struct port_spec *p, struct berth_error **err)
{
	const char *last = strrchr(raw, ':'), *prev = NULL, *container = last ? last + 1 : raw;

	for (const char *c = raw; last && c < last; c++)
		if (*c == ':')
			prev = c;
	split_proto(container, &p->proto, &p->container);
	p->host = last ? strndup(prev ? prev + 1 : raw, (size_t)(last - (prev ? prev + 1 : raw))) : xstrdup("");
	p->ip = prev ? strndup(raw, (size_t)(prev - raw)) : xstrdup("");
	if (p->ip[0] == '[') {
		size_t n = strlen(p->ip);

		if (n < 2 || p->ip[n - 1] != ']' || strchr(p->ip + 1, '[') || memchr(p->ip, ']', n - 1))
			return berth_error_set(err, 0, "Invalid ip address %s: missing ']' in address", p->ip);
		memmove(p->ip, p->ip + 1, n - 2);
		p->ip[n - 2] = '\0';
	}
	if (*p->ip && !bcli_run_ip_valid(p->ip))
		return berth_error_set(err, 0, "Invalid ip address: %s", p->ip);
	if (!*p->container)
		return berth_error_set(err, 0, "No port specified: %s<empty>", raw);
	return 0;
}

static void binding_add(json_t *exposed, json_t *bindings, const char *key, const char *ip, const char *host)
{
	json_t *list = json_object_get(bindings, key);

	if (!json_object_get(exposed, key))
		json_object_set_new(exposed, key, json_object());
	if (!list) {
		list = json_array();
		json_object_set_new(bindings, key, list);
	}
	json_array_append_new(list, json_pack("{s:s,s:s}", "HostIp", ip, "HostPort", host));
}

static int publish_one(const char *raw, json_t *exposed, json_t *bindings, struct berth_error **err)
{
	struct port_spec p = {NULL, NULL, NULL, NULL};
	uint64_t start, end, hstart = 0, hend = 0;
	int r = -1;

	if (port_spec_split(raw, &p, err) < 0)
		goto out;
	if (port_range(p.container, &start, &end, NULL) < 0) {
		berth_error_set(err, 0, "Invalid containerPort: %s", p.container);
		goto out;
	}
	if (*p.host && port_range(p.host, &hstart, &hend, NULL) < 0) {
		berth_error_set(err, 0, "Invalid hostPort: %s", p.host);
		goto out;
	}
	if (*p.host && end - start != hend - hstart && end != start) {
		berth_error_set(err, 0, "Invalid ranges specified for container and host Ports: %s and %s", p.container,
				p.host);
		goto out;
	}
	if (!proto_valid(p.proto)) {
		berth_error_set(err, 0, "Invalid proto: %s", p.proto);
		goto out;
	}
	for (uint64_t i = 0; i <= end - start; i++) {
		_cleanup_free_ char *key = xasprintf("%llu/%s", (unsigned long long)(start + i), p.proto), *host = NULL;

		for (char *c = key; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!*p.host)
			host = xstrdup("");
		else if (start == end && hstart != hend)
			host = xasprintf("%llu-%llu", (unsigned long long)hstart, (unsigned long long)hend);
		else
			host = xasprintf("%llu", (unsigned long long)(hstart + i));
		binding_add(exposed, bindings, key, p.ip, host);
	}
	r = 0;
out:
	port_spec_done(&p);
	return r;
}

int bcli_run_publish_add(const char *spec, json_t *exposed, json_t *bindings, struct berth_error **err)
{
	_cleanup_free_ char *std = NULL;

	if (strchr(spec, '=')) {
		if (long_syntax(spec, &std, err) < 0)
			return -1;
		spec = std;
	}
	return publish_one(spec, exposed, bindings, err);
}

int bcli_run_expose_add(const char *spec, json_t *exposed, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *why = NULL;
	_cleanup_free_ char *proto = NULL, *port = NULL;
	uint64_t start, end;

	if (strchr(spec, ':'))
		return berth_error_set(err, 0, "invalid port format for --expose: %s", spec);
	split_proto(spec, &proto, &port);
	if (port_range(port, &start, &end, &why) < 0)
		return berth_error_set(err, 0, "invalid range format for --expose: %s, error: %s", spec, why->msg);
	for (uint64_t i = start; i <= end; i++) {
		_cleanup_free_ char *key = xasprintf("%llu/%s", (unsigned long long)i, proto);

		if (!json_object_get(exposed, key))
			json_object_set_new(exposed, key, json_object());
	}
	return 0;
}
