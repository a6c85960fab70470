/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth network create, ls, inspect, rm, prune, connect and disconnect:
 * Docker's networks with Docker's flags, output and exit codes (1 on errors).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/common.h"
#include "engine/engine.h"
#include "network/network.h"

/* What docker's network commands exit with when the daemon refused. */
#define NET_EXIT_FAIL 1

/* ---- create ---- */

struct create_opts {
	bool attachable, internal, ipv6, ingress, config_only;
	const char *driver, *ipam_driver, *scope, *config_from;
	char **gateway, **ip_range, **subnet, **label, **opt, **ipam_opt, **aux_address;
};

static const struct bcli_opt create_flags[] = {
	BCLI_FLAG("attachable", 0, BCLI_OPT_BOOL, struct create_opts, attachable, "Enable manual container attachment"),
	BCLI_FLAGX("aux-address", 0, BCLI_OPT_LIST, struct create_opts, aux_address,
		   "Auxiliary IPv4 or IPv6 addresses used by Network driver", NULL, "map"),
	BCLI_FLAGX("config-from", 0, BCLI_OPT_STRING, struct create_opts, config_from,
		   "The network from which to copy the configuration", NULL, "string"),
	BCLI_FLAG("config-only", 0, BCLI_OPT_BOOL, struct create_opts, config_only,
		  "Create a configuration only network"),
	BCLI_FLAGX("driver", 'd', BCLI_OPT_STRING, struct create_opts, driver, "Driver to manage the Network", "bridge",
		   "string"),
	BCLI_FLAGX("gateway", 0, BCLI_OPT_LIST, struct create_opts, gateway,
		   "IPv4 or IPv6 Gateway for the master subnet", NULL, "strings"),
	BCLI_FLAG("ingress", 0, BCLI_OPT_BOOL, struct create_opts, ingress, "Create swarm routing-mesh network"),
	BCLI_FLAG("internal", 0, BCLI_OPT_BOOL, struct create_opts, internal,
		  "Restrict external access to the network"),
	BCLI_FLAGX("ip-range", 0, BCLI_OPT_LIST, struct create_opts, ip_range, "Allocate container ip from a sub-range",
		   NULL, "strings"),
	BCLI_FLAGX("ipam-driver", 0, BCLI_OPT_STRING, struct create_opts, ipam_driver, "IP Address Management Driver",
		   "default", "string"),
	BCLI_FLAGX("ipam-opt", 0, BCLI_OPT_LIST, struct create_opts, ipam_opt, "Set IPAM driver specific options", NULL,
		   "map"),
	BCLI_FLAG("ipv6", 0, BCLI_OPT_BOOL, struct create_opts, ipv6, "Enable IPv6 networking"),
	BCLI_FLAGX("label", 0, BCLI_OPT_LIST, struct create_opts, label, "Set metadata on a network", NULL, "list"),
	BCLI_FLAGX("opt", 'o', BCLI_OPT_LIST, struct create_opts, opt, "Set driver specific options", NULL, "map"),
	BCLI_FLAGX("scope", 0, BCLI_OPT_STRING, struct create_opts, scope, "Control the network's scope", NULL,
		   "string"),
	BCLI_FLAGX("subnet", 0, BCLI_OPT_LIST, struct create_opts, subnet,
		   "Subnet in CIDR format that represents a network segment", NULL, "strings"),
	BCLI_OPT_END,
};

/* "k=v" (or "k") items into an object of strings. */
static json_t *kv_map(char **items)
{
	json_t *o = json_object();

	for (size_t i = 0; items && items[i]; i++) {
		const char *eq = strchr(items[i], '=');
		_cleanup_free_ char *k = eq ? strndup(items[i], (size_t)(eq - items[i])) : xstrdup(items[i]);

		json_object_set_new(o, k, json_string(eq ? eq + 1 : ""));
	}
	return o;
}

/* The index of the subnet holding addr (an address or a prefix), -1 when none. */
static int subnet_of(char **subnets, const char *addr)
{
	struct net_prefix p, q;
	struct net_ip ip;

	if (strchr(addr, '/')) {
		if (net_prefix_parse(addr, &q, NULL) < 0)
			return -1;
		ip = q.addr;
	} else if (net_ip_parse(addr, &ip, NULL) < 0) {
		return -1;
	}
	for (int i = 0; subnets && subnets[i]; i++)
		if (net_prefix_parse(subnets[i], &p, NULL) == 0 && net_prefix_contains(&p, &ip))
			return i;
	return -1;
}

/* Place each of items (ip-ranges or gateways) on its subnet's IPAM config, as docker's consolidateIpam. */
static int place(json_t *config, char **subnets, char **items, const char *key, const char *what, const char *many)
{
	for (size_t i = 0; items && items[i]; i++) {
		int k = subnet_of(subnets, items[i]);
		json_t *c = json_array_get(config, (size_t)k), *old;

		if (k < 0)
			return bcli_fail(NET_EXIT_FAIL, "no matching subnet for %s %s", what, items[i]);
		old = json_object_get(c, key);
		if (old)
			return bcli_fail(NET_EXIT_FAIL, "cannot configure multiple %s (%s, %s) %s the same subnet (%s)",
					 many, json_string_value(old), items[i],
					 strcmp(key, "Gateway") == 0 ? "for" : "on", subnets[k]);
		json_object_set_new(c, key, json_string(items[i]));
	}
	return 0;
}

static int ipam_config(const struct create_opts *o, json_t **ret)
{
	json_t *config = json_array();

	if (!o->subnet && (o->gateway || o->ip_range)) {
		json_decref(config);
		return bcli_fail(NET_EXIT_FAIL, "every ip-range or gateway must have a corresponding subnet");
	}
	for (size_t i = 0; o->subnet && o->subnet[i]; i++) {
		struct net_prefix a, b;

		for (size_t j = 0; j < i; j++)
			if (net_prefix_parse(o->subnet[i], &a, NULL) == 0 &&
			    net_prefix_parse(o->subnet[j], &b, NULL) == 0 && net_prefix_overlaps(&a, &b)) {
				json_decref(config);
				return bcli_fail(NET_EXIT_FAIL,
						 "multiple overlapping subnet configuration is not supported");
			}
		json_array_append_new(config, json_pack("{s:s}", "Subnet", o->subnet[i]));
	}
	if (place(config, o->subnet, o->ip_range, "IPRange", "range", "ranges") ||
	    place(config, o->subnet, o->gateway, "Gateway", "gateway", "gateways")) {
		json_decref(config);
		return NET_EXIT_FAIL;
	}
	*ret = config;
	return 0;
}

static int create_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct create_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *id = NULL;
	json_t *config = NULL, *body;
	int rc;

	if (ipam_config(o, &config) != 0)
		return NET_EXIT_FAIL;
	body = json_pack("{s:s, s:s, s:b, s:b, s:b, s:{s:s, s:o, s:o}, s:o, s:o}", "Name", args->args[0], "Driver",
			 o->driver, "Internal", o->internal, "Attachable", o->attachable, "EnableIPv6", o->ipv6, "IPAM",
			 "Driver", o->ipam_driver, "Config", config, "Options", kv_map(o->ipam_opt), "Options",
			 kv_map(o->opt), "Labels", kv_map(o->label));
	if (bcli_engine_open(ctx, &e) < 0) {
		json_decref(body);
		return BCLI_EXIT_ENGINE;
	}
	rc = eng_network_create(e, body, &id, &err);
	json_decref(body);
	if (rc < 0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	printf("%s\n", id);
	return 0;
}

const struct bcli_command bcli_cmd_network_create = {
	.name = "create",
	.group = "network",
	.usage = "[OPTIONS] NETWORK",
	.summary = "Create a network",
	.opts = create_flags,
	.opts_size = sizeof(struct create_opts),
	.min_args = 1,
	.max_args = 1,
	.run = create_run,
};

/* ---- ls ---- */

struct ls_opts {
	bool quiet, no_trunc;
	const char *format;
	char **filter;
};

static const struct bcli_opt ls_flags[] = {
	BCLI_FLAGX("filter", 'f', BCLI_OPT_LIST, struct ls_opts, filter,
		   "Provide filter values (e.g. \"driver=bridge\")", NULL, "filter"),
	BCLI_FLAGX(
		"format", 0, BCLI_OPT_STRING, struct ls_opts, format,
		"Format output using a custom template:\n'table':            Print output in table format with column "
		"headers (default)\n'table TEMPLATE':   Print output in table format using the given Go "
		"template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given "
		"Go template",
		NULL, "string"),
	BCLI_FLAG("no-trunc", 0, BCLI_OPT_BOOL, struct ls_opts, no_trunc, "Do not truncate the output"),
	BCLI_FLAG("quiet", 'q', BCLI_OPT_BOOL, struct ls_opts, quiet, "Only display network IDs"),
	BCLI_OPT_END,
};

static int ls_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	static const struct bcli_column cols[] = {
		{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"Scope", "SCOPE"}};
	static const struct bcli_column all_cols[] = {
		{"ID", "NETWORK ID"}, {"Name", "NAME"},		{"Driver", "DRIVER"}, {"Scope", "SCOPE"},
		{"IPv6", "IPV6"},     {"Internal", "INTERNAL"}, {"Labels", "LABELS"}, {"CreatedAt", "CREATED AT"}};
	struct ls_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *rows = NULL, *row;
	bool custom = o->format && strcmp(o->format, "table") != 0;
	size_t i;
	int rc = 0;

	(void)args;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_network_list(e, o->filter, &rows, &err) < 0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	json_array_foreach(rows, i, row) if (!o->no_trunc) json_object_set_new(
		row, "ID", json_string(bcli_short_id(json_string_value(json_object_get(row, "ID")))));
	if (o->quiet)
		json_array_foreach(rows, i, row) printf("%s\n", json_string_value(json_object_get(row, "ID")));
	else
		rc = bcli_print_rows(rows, o->format, custom ? all_cols : cols,
				     custom ? sizeof(all_cols) / sizeof(all_cols[0]) : sizeof(cols) / sizeof(cols[0]));
	json_decref(rows);
	return rc;
}

const struct bcli_command bcli_cmd_network_ls = {
	.name = "ls",
	.aliases = (const char *const[]){"list", NULL},
	.group = "network",
	.usage = "[OPTIONS]",
	.summary = "List networks",
	.opts = ls_flags,
	.opts_size = sizeof(struct ls_opts),
	.max_args = 0,
	.run = ls_run,
};

/* ---- inspect ---- */

struct inspect_opts {
	const char *format;
	bool verbose;
};

static const struct bcli_opt inspect_flags[] = {
	BCLI_FLAGX("format", 'f', BCLI_OPT_STRING, struct inspect_opts, format,
		   "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':  "
		   "       Print output using the given Go template",
		   NULL, "string"),
	BCLI_FLAG("verbose", 'v', BCLI_OPT_BOOL, struct inspect_opts, verbose, "Verbose output for diagnostics"),
	BCLI_OPT_END,
};

static int inspect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct inspect_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_strv_ char **missing = NULL;
	json_t *docs;
	int rc;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	docs = json_array();
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		json_t *doc = NULL;

		if (eng_network_inspect(e, args->args[i], &doc, &err) < 0) {
			strv_push(&missing, err->msg);
			continue;
		}
		json_array_append_new(docs, doc);
	}
	rc = bcli_print_documents(docs, o->format && strcmp(o->format, "json") != 0 ? o->format : NULL);
	json_decref(docs);
	for (size_t i = 0; missing && missing[i]; i++)
		fprintf(stderr, BCLI_ERROR_PREFIX "%s\n", missing[i]);
	return missing ? NET_EXIT_FAIL : rc;
}

const struct bcli_command bcli_cmd_network_inspect = {
	.name = "inspect",
	.group = "network",
	.usage = "[OPTIONS] NETWORK [NETWORK...]",
	.summary = "Display detailed information on one or more networks",
	.opts = inspect_flags,
	.opts_size = sizeof(struct inspect_opts),
	.min_args = 1,
	.max_args = -1,
	.run = inspect_run,
};

/* ---- rm ---- */

struct rm_opts {
	bool force;
};

static const struct bcli_opt rm_flags[] = {
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct rm_opts, force, "Do not error if the network does not exist"),
	BCLI_OPT_END,
};

static int rm_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct rm_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	int rc = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	for (int i = 0; i < args->n; i++) {
		_cleanup_error_ struct berth_error *err = NULL;

		if (eng_network_remove(e, args->args[i], &err) < 0) {
			if (o->force && err->code == ENOENT)
				continue;
			fprintf(stderr, BCLI_ERROR_PREFIX "%s\n", err->msg);
			rc = NET_EXIT_FAIL;
			continue;
		}
		printf("%s\n", args->args[i]);
	}
	return rc;
}

const struct bcli_command bcli_cmd_network_rm = {
	.name = "rm",
	.aliases = (const char *const[]){"remove", NULL},
	.group = "network",
	.usage = "NETWORK [NETWORK...]",
	.summary = "Remove one or more networks",
	.opts = rm_flags,
	.opts_size = sizeof(struct rm_opts),
	.min_args = 1,
	.max_args = -1,
	.run = rm_run,
};

/* ---- prune ---- */

struct prune_opts {
	bool force;
	char **filter;
};

static const struct bcli_opt prune_flags[] = {
	BCLI_FLAGX("filter", 0, BCLI_OPT_LIST, struct prune_opts, filter,
		   "Provide filter values (e.g. \"until=<timestamp>\")", NULL, "filter"),
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct prune_opts, force, "Do not prompt for confirmation"),
	BCLI_OPT_END,
};

static int prune_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct prune_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **names = NULL;

	(void)args;
	if (!o->force && !bcli_confirm("WARNING! This will remove all custom networks not used by at least one "
				       "container."))
		return 0;
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_network_prune(e, o->filter, &names, &err) < 0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	if (names[0]) {
		puts("Deleted Networks:");
		for (size_t i = 0; names[i]; i++)
			puts(names[i]);
		puts("");
	}
	return 0;
}

const struct bcli_command bcli_cmd_network_prune = {
	.name = "prune",
	.group = "network",
	.usage = "[OPTIONS]",
	.summary = "Remove all unused networks",
	.opts = prune_flags,
	.opts_size = sizeof(struct prune_opts),
	.max_args = 0,
	.run = prune_run,
};

/* ---- connect, disconnect ---- */

struct connect_opts {
	const char *ip, *ip6;
	char **alias, **link, **link_local_ip, **driver_opt;
};

static const struct bcli_opt connect_flags[] = {
	BCLI_FLAGX("alias", 0, BCLI_OPT_LIST, struct connect_opts, alias, "Add network-scoped alias for the container",
		   NULL, "strings"),
	BCLI_FLAGX("driver-opt", 0, BCLI_OPT_LIST, struct connect_opts, driver_opt, "driver options for the network",
		   NULL, "strings"),
	BCLI_FLAGX("ip", 0, BCLI_OPT_STRING, struct connect_opts, ip, "IPv4 address (e.g., \"172.30.100.104\")", NULL,
		   "string"),
	BCLI_FLAGX("ip6", 0, BCLI_OPT_STRING, struct connect_opts, ip6, "IPv6 address (e.g., \"2001:db8::33\")", NULL,
		   "string"),
	BCLI_FLAGX("link", 0, BCLI_OPT_LIST, struct connect_opts, link, "Add link to another container", NULL, "list"),
	BCLI_FLAGX("link-local-ip", 0, BCLI_OPT_LIST, struct connect_opts, link_local_ip,
		   "Add a link-local address for the container", NULL, "strings"),
	BCLI_OPT_END,
};

static int connect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct connect_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_network_ struct eng_network *n = NULL;
	struct eng_endpoint ep = {0};

	if (o->ip && *o->ip && o->ip6 && *o->ip6)
		return bcli_fail(NET_EXIT_FAIL, "--ip and --ip6 together are not supported yet");
	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_network_find(e, args->args[0], &n, &err) < 0 || eng_ctr_find(e, args->args[1], &c, &err) < 0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	if (strcmp(n->driver, "host") == 0)
		return bcli_fail(NET_EXIT_FAIL,
				 "container cannot be disconnected from host network or connected to host "
				 "network");
	if (eng_network_attach(e, n->id, c->id, c->name, o->ip && *o->ip ? o->ip : o->ip6, NULL, o->alias, &ep, &err) <
	    0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	if (eng_netwire_connect(e, c->id, &ep, &err) < 0) {
		/* undo: the endpoint goes when the wiring failed */
		eng_network_detach(e, n->id, c->id, NULL);
		eng_endpoint_done(&ep);
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	}
	eng_endpoint_done(&ep);
	return 0;
}

const struct bcli_command bcli_cmd_network_connect = {
	.name = "connect",
	.group = "network",
	.usage = "[OPTIONS] NETWORK CONTAINER",
	.summary = "Connect a container to a network",
	.opts = connect_flags,
	.opts_size = sizeof(struct connect_opts),
	.min_args = 2,
	.max_args = 2,
	.run = connect_run,
};

struct disconnect_opts {
	bool force;
};

static const struct bcli_opt disconnect_flags[] = {
	BCLI_FLAG("force", 'f', BCLI_OPT_BOOL, struct disconnect_opts, force,
		  "Force the container to disconnect from a network"),
	BCLI_OPT_END,
};

/* ctr_id's endpoint on network_id into *ret; false when it has none. */
static bool endpoint_on(struct eng *e, const char *ctr_id, const char *network_id, struct eng_endpoint *ret)
{
	struct eng_endpoint *v = NULL;
	size_t n = 0;
	bool found = false;

	if (eng_network_endpoints(e, ctr_id, &v, &n, NULL) < 0)
		return false;
	for (size_t i = 0; i < n && !found; i++)
		if (strcmp(v[i].network_id, network_id) == 0) {
			*ret = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			found = true;
		}
	eng_endpoints_free(v, n);
	return found;
}

static int disconnect_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	struct disconnect_opts *o = opts;
	_cleanup_eng_ struct eng *e = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_network_ struct eng_network *n = NULL;
	struct eng_endpoint ep = {0};
	const char *ctr_id;

	if (bcli_engine_open(ctx, &e) < 0)
		return BCLI_EXIT_ENGINE;
	if (eng_network_find(e, args->args[0], &n, &err) < 0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	if (eng_ctr_find(e, args->args[1], &c, &err) < 0) {
		/* -f: the endpoint of a container that is gone is released all the same */
		if (!o->force)
			return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
		berth_error_free(&err);
	}
	ctr_id = c ? c->id : args->args[1];
	if (!endpoint_on(e, ctr_id, n->id, &ep)) {
		if (o->force)
			return 0;
		return bcli_fail(NET_EXIT_FAIL, "container %s is not connected to network %s", ctr_id, n->name);
	}
	if (c && eng_netwire_disconnect(e, ctr_id, &ep, &err) < 0 && !o->force) {
		eng_endpoint_done(&ep);
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	}
	eng_endpoint_done(&ep);
	berth_error_free(&err);
	if (eng_network_detach(e, n->id, ctr_id, &err) < 0)
		return bcli_fail_error(NET_EXIT_FAIL, &err, NULL);
	return 0;
}

const struct bcli_command bcli_cmd_network_disconnect = {
	.name = "disconnect",
	.group = "network",
	.usage = "[OPTIONS] NETWORK CONTAINER",
	.summary = "Disconnect a container from a network",
	.opts = disconnect_flags,
	.opts_size = sizeof(struct disconnect_opts),
	.min_args = 2,
	.max_args = 2,
	.run = disconnect_run,
};
