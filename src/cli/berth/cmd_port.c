/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth port (container port): the published ports of a running container,
 * as its NetworkSettings.Ports hold them once the host ports are chosen.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

/* sortorder.NaturalLess: runs of digits compare as numbers. */
static int natural_cmp(const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;

	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			char *ea, *eb;
			unsigned long long x = strtoull(a, &ea, 10), y = strtoull(b, &eb, 10);

			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* net.JoinHostPort: an IPv6 address in brackets. */
static char *join_host_port(const char *ip, const char *port)
{
	return strchr(ip, ':') ? xasprintf("[%s]:%s", ip, port) : xasprintf("%s:%s", ip, port);
}

/* The frontends of one port key; with prefix "80/tcp -> " before each. */
static void add_frontends(char ***out, const char *prefix, json_t *bindings)
{
	size_t i;
	json_t *b;

	json_array_foreach(bindings, i, b)
	{
		const char *ip = json_string_value(json_object_get(b, "HostIp"));
		const char *port = json_string_value(json_object_get(b, "HostPort"));

		if (!port || !*port)
			continue;
		for (int v6 = 0; v6 < 2; v6++) {
			_cleanup_free_ char *hp = NULL;

			if (ip && *ip && v6)
				break;
			hp = join_host_port(ip && *ip ? ip : v6 ? "::" : "0.0.0.0", port);
			strv_push_take(out, xasprintf("%s%s", prefix, hp));
		}
	}
}

/* "80" → "80/tcp"; "53/udp" stays. */
static char *port_key(const char *arg)
{
	return strchr(arg, '/') ? xstrdup(arg) : xasprintf("%s/tcp", arg);
}

static int port_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_strv_ char **out = NULL;
	json_t *settings = NULL, *ports, *v;
	const char *k;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_ctr_find(e, args->args[0], &c, &err) < 0)
		return bcli_fail_error(1, &err, NULL);
	settings = eng_ctr_network_settings(e, c);
	ports = json_object_get(settings, "Ports");
	if (args->n > 1) {
		_cleanup_free_ char *key = port_key(args->args[1]);

		add_frontends(&out, "", json_object_get(ports, key));
		if (!out) {
			json_decref(settings);
			return bcli_fail(1, "Error: No public port '%s' published for %s", key, args->args[0]);
		}
	} else {
		json_object_foreach(ports, k, v)
		{
			_cleanup_free_ char *prefix = xasprintf("%s -> ", k);

			add_frontends(&out, prefix, v);
		}
	}
	json_decref(settings);
	if (out)
		qsort(out, strv_length(out), sizeof(*out), natural_cmp);
	for (size_t i = 0; out && out[i]; i++)
		printf("%s\n", out[i]);
	return 0;
}

const struct bcli_command bcli_cmd_port = {
	.name = "port",
	.group = "container",
	.top = "port",
	.usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
	.summary = "List port mappings or a specific mapping for the container",
	.min_args = 1,
	.max_args = 2,
	.run = port_run,
};
