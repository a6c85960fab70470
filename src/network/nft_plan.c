/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nftables plan: a checked model (bridges, published ports) rendered as
 * the one nft script that replaces berth's table. Pure: no kernel, no files.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "network/nft.h"

/*
 * One "inet" table holds the IPv4 and IPv6 rules: one name to replace and to
 * remove, one transaction for both families, and the bridge and conntrack
 * matches (which know no family) written once. Family-specific rules carry an
 * "ip"/"ip6" match or "meta nfproto".
 *
 * The rules follow Docker's bridge driver with userland-proxy=false: the
 * kernel forwards published ports (DNAT), no proxy process listens.
 */

/* An address or a prefix in network byte order. */
struct prefix {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned len; /* prefix length; the full width for an address */
};

/* The model checked and its addresses in canonical text. */
struct net_ok {
	const struct net_nft_network *n;
	struct prefix p4, p6;
	char s4[INET6_ADDRSTRLEN + 4], s6[INET6_ADDRSTRLEN + 4]; /* "" when absent */
};

static const char *const proto_names[] = {
	[NET_NFT_TCP] = "tcp",
	[NET_NFT_UDP] = "udp",
	[NET_NFT_SCTP] = "sctp",
};

static int addr_parse(const char *s, struct prefix *ret)
{
	struct prefix p = {0};

	if (inet_pton(AF_INET, s, p.addr) == 1) {
		p.family = AF_INET;
		p.len = 32;
	} else if (inet_pton(AF_INET6, s, p.addr) == 1) {
		p.family = AF_INET6;
		p.len = 128;
	} else {
		return -1;
	}
	*ret = p;
	return 0;
}

/* "a.b.c.d/len" or "x::/len"; host bits are cleared so that the rule matches the whole subnet. */
static int prefix_parse(const char *s, struct prefix *ret)
{
	_cleanup_free_ char *a = NULL;
	const char *slash = strchr(s, '/');
	struct prefix p;
	unsigned len = 0;
	const char *q;

	if (!slash || !slash[1] || strlen(slash + 1) > 3)
		return -1;
	for (q = slash + 1; *q; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		len = len * 10 + (unsigned)(*q - '0');
	}
	a = strndup(s, (size_t)(slash - s));
	if (!a || addr_parse(a, &p) < 0 || len > p.len)
		return -1;
	for (unsigned bit = len; bit < p.len; bit++)
		p.addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	p.len = len;
	*ret = p;
	return 0;
}

static bool prefix_contains(const struct prefix *p, const struct prefix *a)
{
	if (p->family != a->family)
		return false;
	for (unsigned bit = 0; bit < p->len; bit++) {
		unsigned char m = (unsigned char)(0x80u >> (bit % 8));
		if ((p->addr[bit / 8] & m) != (a->addr[bit / 8] & m))
			return false;
	}
	return true;
}

/* The canonical text of an address (and "/len" for a prefix); cap >= INET6_ADDRSTRLEN + 4. */
static void prefix_format(const struct prefix *p, bool with_len, char *buf, size_t cap)
{
	inet_ntop(p->family, p->addr, buf, (socklen_t)cap);
	if (with_len)
		snprintf(buf + strlen(buf), cap - strlen(buf), "/%u", p->len);
}

static bool is_unspecified(const struct prefix *a)
{
	static const unsigned char zero[16];

	return !memcmp(a->addr, zero, a->family == AF_INET ? 4 : 16);
}

/* Interface names go inside double quotes in the script: only what Linux and nft both take plainly. */
static bool ifname_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int table_check(const char *table, struct berth_error **err)
{
	size_t n = strlen(table);

	if (n == 0 || n > 64 || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", table[0]) ||
	    strspn(table, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
		return berth_error_set(err, 0, "invalid nftables table name '%s'", table);
	return 0;
}

static int network_check(const struct net_nft_network *n, struct net_ok *ret, struct berth_error **err)
{
	struct net_ok ok = {.n = n};

	if (!ifname_valid(n->bridge))
		return berth_error_set(err, 0, "invalid bridge name '%s'", n->bridge ? n->bridge : "");
	if (!n->subnet4 && !n->subnet6)
		return berth_error_set(err, 0, "network on bridge '%s': no subnet", n->bridge);
	if (n->subnet4 && (prefix_parse(n->subnet4, &ok.p4) < 0 || ok.p4.family != AF_INET))
		return berth_error_set(err, 0, "network on bridge '%s': invalid IPv4 subnet '%s'", n->bridge,
				       n->subnet4);
	if (n->subnet6 && (prefix_parse(n->subnet6, &ok.p6) < 0 || ok.p6.family != AF_INET6))
		return berth_error_set(err, 0, "network on bridge '%s': invalid IPv6 subnet '%s'", n->bridge,
				       n->subnet6);
	if (n->subnet4)
		prefix_format(&ok.p4, true, ok.s4, sizeof(ok.s4));
	if (n->subnet6)
		prefix_format(&ok.p6, true, ok.s6, sizeof(ok.s6));
	*ret = ok;
	return 0;
}

static const struct net_ok *network_find(const struct net_ok *nets, size_t n, const char *bridge)
{
	for (size_t i = 0; i < n; i++)
		if (bridge && !strcmp(nets[i].n->bridge, bridge))
			return &nets[i];
	return NULL;
}

static unsigned range_len(uint16_t first, uint16_t last)
{
	return last ? (unsigned)last - first + 1 : 1;
}

static int port_check(const struct net_nft_port *p, const struct net_ok *nets, size_t n_nets, struct berth_error **err)
{
	_cleanup_free_ char *what = NULL;
	const struct net_ok *net;
	struct prefix c, h;

	if ((unsigned)p->proto >= sizeof(proto_names) / sizeof(proto_names[0]))
		return berth_error_set(err, 0, "published port %u: unknown protocol %d", p->host_port, (int)p->proto);
	what = p->host_port_end
		       ? xasprintf("published port %u-%u/%s", p->host_port, p->host_port_end, proto_names[p->proto])
		       : xasprintf("published port %u/%s", p->host_port, proto_names[p->proto]);
	if (!p->host_port || (p->host_port_end && p->host_port_end < p->host_port) || !p->container_port ||
	    (p->container_port_end && p->container_port_end < p->container_port))
		return berth_error_set(err, 0, "%s: invalid port range", what);
	if (range_len(p->container_port, p->container_port_end) != 1 &&
	    range_len(p->container_port, p->container_port_end) != range_len(p->host_port, p->host_port_end))
		return berth_error_set(err, 0, "%s: %u container ports for %u host ports", what,
				       range_len(p->container_port, p->container_port_end),
				       range_len(p->host_port, p->host_port_end));
	net = network_find(nets, n_nets, p->bridge);
	if (!net)
		return berth_error_set(err, 0, "%s: no network on bridge '%s'", what, p->bridge ? p->bridge : "");
	if (!p->container_ip || addr_parse(p->container_ip, &c) < 0)
		return berth_error_set(err, 0, "%s: invalid container address '%s'", what,
				       p->container_ip ? p->container_ip : "");
	if (!prefix_contains(c.family == AF_INET ? &net->p4 : &net->p6, &c))
		return berth_error_set(err, 0, "%s: container address '%s' is not in a subnet of bridge '%s'", what,
				       p->container_ip, p->bridge);
	if (p->host_ip && addr_parse(p->host_ip, &h) < 0)
		return berth_error_set(err, 0, "%s: invalid host address '%s'", what, p->host_ip);
	if (p->host_ip && h.family != c.family)
		return berth_error_set(err, 0, "%s: host address '%s' and container address '%s' differ in family",
				       what, p->host_ip, p->container_ip);
	return 0;
}

/* `"a"` for one name, `{ "a", "b" }` for more. */
static void put_names(struct buf *b, const char *const *names, size_t n)
{
	buf_puts(b, n > 1 ? "{ " : "");
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s\"%s\"", i ? ", " : "", names[i]);
	buf_puts(b, n > 1 ? " }" : "");
}

/* A range onto the same range: DNAT without a port keeps each packet's port. */
static bool dnat_keeps_port(const struct net_nft_port *p)
{
	return range_len(p->host_port, p->host_port_end) > 1 &&
	       range_len(p->container_port, p->container_port_end) > 1 && p->host_port == p->container_port;
}

/* The port part of the DNAT target: none when ports are kept, ":80", or a map for shifted ranges. */
static void put_dnat_port(struct buf *b, const struct net_nft_port *p)
{
	unsigned n = range_len(p->host_port, p->host_port_end);

	if (dnat_keeps_port(p))
		return;
	if (n == 1 || range_len(p->container_port, p->container_port_end) == 1) {
		buf_printf(b, ":%u", p->container_port);
		return;
	}
	/* nat ranges pick any port of the range: a map keeps 8003 -> 83 */
	buf_printf(b, ":%s dport map { ", proto_names[p->proto]);
	for (unsigned i = 0; i < n; i++)
		buf_printf(b, "%s%u : %u", i ? ", " : "", p->host_port + i, p->container_port + i);
	buf_puts(b, " }");
}

static void put_port_rule(struct buf *b, const struct net_nft_port *p, const struct net_ok *net)
{
	char host[INET6_ADDRSTRLEN + 4], cont[INET6_ADDRSTRLEN + 4];
	struct prefix c, h = {0};
	bool v6, any_host;

	addr_parse(p->container_ip, &c);
	if (p->host_ip)
		addr_parse(p->host_ip, &h);
	v6 = c.family == AF_INET6;
	any_host = !p->host_ip || is_unspecified(&h);
	prefix_format(&c, false, cont, sizeof(cont));
	buf_puts(b, "\t\t");
	/* without hairpin, containers of the bridge do not reach published ports through the host */
	if (!net->n->hairpin)
		buf_printf(b, "iifname != \"%s\" ", net->n->bridge);
	if (any_host) {
		buf_printf(b, "meta nfproto %s ", v6 ? "ipv6" : "ipv4");
	} else {
		prefix_format(&h, false, host, sizeof(host));
		buf_printf(b, "%s daddr %s ", v6 ? "ip6" : "ip", host);
	}
	buf_printf(b, "%s dport %u", proto_names[p->proto], p->host_port);
	if (p->host_port_end)
		buf_printf(b, "-%u", p->host_port_end);
	/* an IPv6 address takes brackets only when a port follows */
	if (v6 && !dnat_keeps_port(p))
		buf_printf(b, " dnat ip6 to [%s]", cont);
	else
		buf_printf(b, " dnat %s to %s", v6 ? "ip6" : "ip", cont);
	put_dnat_port(b, p);
	buf_puts(b, "\n");
}

static void put_nat_chains(struct buf *b, const struct net_nft_model *m, const struct net_ok *nets)
{
	/* addrtype LOCAL in Docker's PREROUTING and OUTPUT: every local address, 127.0.0.1 too */
	buf_puts(b, "\tchain prerouting {\n"
		    "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		    "\t\tfib daddr type local jump ports\n"
		    "\t}\n"
		    "\tchain output {\n"
		    "\t\ttype nat hook output priority -100; policy accept;\n"
		    /* IPv6 has no route_localnet: ::1 cannot leave the host, so it is not translated */
		    "\t\tip6 daddr ::1 return\n"
		    "\t\tfib daddr type local jump ports\n"
		    "\t}\n"
		    "\tchain ports {\n");
	for (size_t i = 0; i < m->n_ports; i++) {
		const struct net_ok *net = network_find(nets, m->n_networks, m->ports[i].bridge);
		/* Docker publishes nothing on an internal network */
		if (!net->n->internal)
			put_port_rule(b, &m->ports[i], net);
	}
	buf_puts(b, "\t}\n");
}

static void put_postrouting(struct buf *b, const struct net_nft_model *m, const struct net_ok *nets)
{
	buf_puts(b, "\tchain postrouting {\n"
		    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
	for (size_t i = 0; i < m->n_networks; i++) {
		const struct net_ok *o = &nets[i];
		const char *br = o->n->bridge;

		if (o->n->internal)
			continue;
		if (o->n->masquerade && *o->s4)
			buf_printf(b, "\t\tip saddr %s oifname != \"%s\" masquerade\n", o->s4, br);
		if (o->n->masquerade && *o->s6)
			buf_printf(b, "\t\tip6 saddr %s oifname != \"%s\" masquerade\n", o->s6, br);
		/* 127.0.0.1 translated in output: the container must see an address it can answer (route_localnet) */
		if (*o->s4)
			buf_printf(b, "\t\toifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", br);
		/* hairpin: the answer must go back through the host to be un-DNATed */
		if (o->n->hairpin && *o->s4)
			buf_printf(b, "\t\toifname \"%s\" ip saddr %s ct status dnat masquerade\n", br, o->s4);
		if (o->n->hairpin && *o->s6)
			buf_printf(b, "\t\toifname \"%s\" ip6 saddr %s ct status dnat masquerade\n", br, o->s6);
	}
	buf_puts(b, "\t}\n");
}

/*
 * Forwarding to, from and between berth's bridges. The chain is a base chain
 * of berth's own table: its drops are final, but its accepts only end this
 * chain; a drop elsewhere (the host's iptables FORWARD policy DROP, set by
 * Docker's daemon, say) still applies and cannot be overridden from here.
 */
static void put_forward(struct buf *b, const struct net_nft_model *m, const struct net_ok *nets)
{
	_cleanup_free_ const char **all = xcalloc(m->n_networks + 1, sizeof(*all));
	_cleanup_free_ const char **open = xcalloc(m->n_networks + 1, sizeof(*open));
	size_t n_open = 0;

	for (size_t i = 0; i < m->n_networks; i++) {
		all[i] = nets[i].n->bridge;
		if (!nets[i].n->internal)
			open[n_open++] = nets[i].n->bridge;
	}
	buf_puts(b, "\tchain forward {\n"
		    "\t\ttype filter hook forward priority filter; policy accept;\n");
	if (!m->n_networks) {
		buf_puts(b, "\t}\n");
		return;
	}
	buf_puts(b, "\t\tct state established,related accept\n");
	for (size_t i = 0; i < m->n_networks; i++)
		if (nets[i].n->internal)
			buf_printf(b,
				   "\t\tiifname \"%s\" oifname != \"%s\" drop\n"
				   "\t\toifname \"%s\" iifname != \"%s\" drop\n",
				   all[i], all[i], all[i], all[i]);
	/* published ports, from anywhere (other bridges and hairpin included) */
	if (n_open) {
		buf_puts(b, "\t\toifname ");
		put_names(b, open, n_open);
		buf_puts(b, " ct status dnat accept\n");
	}
	/* isolation: no new connection between two different bridges */
	for (size_t i = 0; m->n_networks > 1 && i < m->n_networks; i++) {
		buf_printf(b, "\t\tiifname \"%s\" oifname != \"%s\" oifname ", all[i], all[i]);
		put_names(b, all, m->n_networks);
		buf_puts(b, " drop\n");
	}
	buf_puts(b, "\t\tiifname ");
	put_names(b, all, m->n_networks);
	buf_puts(b, " accept\n");
	/* as Docker 28: unpublished container ports are not reachable from outside by routing */
	if (n_open) {
		buf_puts(b, "\t\toifname ");
		put_names(b, open, n_open);
		buf_puts(b, " drop\n");
	}
	buf_puts(b, "\t}\n");
}

static int model_check(const struct net_nft_model *m, const char *table, struct net_ok *nets, struct berth_error **err)
{
	if (table_check(table, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_networks; i++) {
		if (network_check(&m->networks[i], &nets[i], err) < 0)
			return -1;
		if (network_find(nets, i, m->networks[i].bridge))
			return berth_error_set(err, 0, "bridge '%s' is listed twice", m->networks[i].bridge);
	}
	for (size_t i = 0; i < m->n_ports; i++)
		if (port_check(&m->ports[i], nets, m->n_networks, err) < 0)
			return -1;
	return 0;
}

char *net_nft_plan_build(const struct net_nft_model *m, struct berth_error **err)
{
	const char *table = m->table ? m->table : NET_NFT_TABLE_DEFAULT;
	_cleanup_free_ struct net_ok *nets = xcalloc(m->n_networks + 1, sizeof(*nets));
	struct buf b = {0};

	if (model_check(m, table, nets, err) < 0)
		return NULL;
	/* add, then delete: the delete cannot fail on the first run, and all of it is one transaction */
	buf_printf(&b,
		   "add table inet %s\n"
		   "delete table inet %s\n"
		   "table inet %s {\n",
		   table, table, table);
	put_nat_chains(&b, m, nets);
	put_postrouting(&b, m, nets);
	put_forward(&b, m, nets);
	buf_puts(&b, "}\n");
	return buf_steal(&b);
}

char *net_nft_plan_remove(const char *table, struct berth_error **err)
{
	if (!table)
		table = NET_NFT_TABLE_DEFAULT;
	if (table_check(table, err) < 0)
		return NULL;
	return xasprintf("add table inet %s\ndelete table inet %s\n", table, table);
}

char *net_nft_plan_list(const char *table, struct berth_error **err)
{
	if (!table)
		table = NET_NFT_TABLE_DEFAULT;
	if (table_check(table, err) < 0)
		return NULL;
	return xasprintf("list table inet %s\n", table);
}
