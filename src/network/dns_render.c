/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of network DNS: the hosts file of a network's records,
 * nameservers from resolv.conf text, and dnsmasq's command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "network/dns.h"
#include "network/netlink.h"

/* The longest name a DNS query can carry (RFC 1035, text form). */
#define DNS_NAME_MAX 253

/*
 * A name dnsmasq accepts in a hosts file: labels of letters, digits, '-' and
 * '_' separated by single dots. Anything else could split the line or be
 * refused by dnsmasq, and no query would match it anyway.
 */
static bool name_is_valid(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (len == 0 || len > DNS_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

/* Add name to the line's names unless it is invalid or already there (DNS names ignore case). */
static void names_add(char ***names, const char *name)
{
	if (!name || !name_is_valid(name))
		return;
	for (char **p = *names; p && *p; p++)
		if (strcasecmp(*p, name) == 0)
			return;
	strv_push(names, name);
}

/* Every name of r: name, short id, aliases, then each of them with ".network". */
static char **record_names(const struct net_dns_record *r)
{
	_cleanup_strv_ char **base = NULL;
	char **names = NULL;

	names_add(&base, r->name);
	if (r->id && *r->id) {
		_cleanup_free_ char *short_id = strndup(r->id, 12);
		if (!short_id)
			abort();
		names_add(&base, short_id);
	}
	for (char *const *a = r->aliases; a && *a; a++)
		names_add(&base, *a);
	for (char **p = base; p && *p; p++)
		names_add(&names, *p);
	if (r->network && *r->network) {
		for (char **p = base; p && *p; p++) {
			_cleanup_free_ char *q = xasprintf("%s.%s", *p, r->network);
			names_add(&names, q);
		}
	}
	return names;
}

static void line_add(struct buf *b, const struct net_ip *ip, char *const *names)
{
	char text[NET_IP_STRLEN];

	if (ip->family != AF_INET && ip->family != AF_INET6)
		return;
	buf_puts(b, net_ip_format(ip, text));
	for (char *const *p = names; *p; p++) {
		buf_puts(b, " ");
		buf_puts(b, *p);
	}
	buf_puts(b, "\n");
}

char *net_dns_hosts_render(const struct net_dns_record *recs, size_t n)
{
	struct buf b = {0};

	buf_puts(&b, "# written by berth for dnsmasq: the containers of one network\n");
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **names = record_names(&recs[i]);
		if (!names)
			continue;
		line_add(&b, &recs[i].ipv4, names);
		line_add(&b, &recs[i].ipv6, names);
	}
	return buf_steal(&b);
}

/*
 * Parse an upstream "ADDR" or "ADDR%zone" (IPv6 link-local with its
 * interface); *ret_ip gets ADDR. False when it is neither.
 */
static bool upstream_parse(const char *s, struct net_ip *ret_ip)
{
	const char *zone = strchr(s, '%');
	_cleanup_free_ char *addr = zone ? strndup(s, (size_t)(zone - s)) : strdup(s);
	struct net_ip ip;

	if (!addr)
		abort();
	if (net_ip_parse(addr, &ip, NULL) < 0)
		return false;
	if (zone && (ip.family != AF_INET6 || !net_ifname_is_valid(zone + 1)))
		return false;
	if (ret_ip)
		*ret_ip = ip;
	return true;
}

/* Docker's fallback nameservers, each after prefix ("" or "--server="). */
static void push_defaults(char ***v, const char *prefix)
{
	static const char *const defaults[] = NET_DNS_DEFAULT_UPSTREAMS;

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		strv_push_take(v, xasprintf("%s%s", prefix, defaults[i]));
}

/* The address of one resolv.conf line when it is a usable "nameserver" line, else NULL (malloc'ed). */
static char *nameserver_of(const char *line, size_t len)
{
	static const char kw[] = "nameserver";
	const char *end = line + len, *p = line, *a;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(end - p) <= strlen(kw) || strncmp(p, kw, strlen(kw)) != 0)
		return NULL;
	p += strlen(kw);
	if (*p != ' ' && *p != '\t')
		return NULL;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	a = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#' && *p != ';')
		p++;
	if (p == a)
		return NULL;
	char *s = strndup(a, (size_t)(p - a));
	if (!s)
		abort();
	if (!upstream_parse(s, NULL)) {
		free(s);
		return NULL;
	}
	return s;
}

void net_dns_upstreams_parse(const char *text, char ***ret)
{
	char **v = NULL;

	for (const char *line = text ? text : ""; *line;) {
		size_t len = strcspn(line, "\n");
		char *ns = nameserver_of(line, len);
		if (ns && !strv_contains(v, ns))
			strv_push_take(&v, ns);
		else
			free(ns);
		line += len;
		if (*line == '\n')
			line++;
	}
	if (!v)
		push_defaults(&v, "");
	*ret = v;
}

int net_dns_upstreams_load(const char *path, char ***ret, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_error_ struct berth_error *e = NULL;

	if (fs_read_file_at(AT_FDCWD, path, &text, NULL, &e) < 0 && e->code != ENOENT)
		return berth_error_move(err, &e);
	net_dns_upstreams_parse(text, ret);
	return 0;
}

int net_dns_argv(const char *dir, const char *listen_ip, char *const *upstreams, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **v = NULL;
	struct net_ip listen, up;
	char text[NET_IP_STRLEN];
	size_t servers = 0;

	if (!dir || dir[0] != '/' || strpbrk(dir, "\n,") || strlen(dir) > 3000)
		return berth_error_set(err, 0, "invalid dns directory '%s'", dir ? dir : "");
	if (net_ip_parse(listen_ip, &listen, err) < 0)
		return berth_error_wrap(err, "dns listen address");
	strv_push(&v, NET_DNS_DNSMASQ);
	strv_push(&v, "--conf-file=/dev/null"); /* nothing from /etc/dnsmasq.conf */
	strv_push(&v, "--no-hosts");
	strv_push_take(&v, xasprintf("--addn-hosts=%s/%s", dir, NET_DNS_HOSTS_FILE));
	strv_push(&v, "--no-resolv");
	for (char *const *u = upstreams; u && *u; u++) {
		if (!upstream_parse(*u, &up))
			return berth_error_set(err, 0, "invalid dns upstream '%s'", *u);
		if (net_ip_equal(&up, &listen))
			continue; /* it would forward to itself */
		strv_push_take(&v, xasprintf("--server=%s", *u));
		servers++;
	}
	if (servers == 0)
		push_defaults(&v, "--server=");
	strv_push_take(&v, xasprintf("--listen-address=%s", net_ip_format(&listen, text)));
	/* binds the address when it shows up, so it may start before the bridge has it */
	strv_push(&v, "--bind-dynamic");
	strv_push(&v, "--except-interface=lo");
	/* root reads the hosts file wherever the runroot is, without a user to create */
	strv_push(&v, "--user=root");
	strv_push(&v, "--group=root");
	strv_push(&v, "--cache-size=150");
	strv_push_take(&v, xasprintf("--log-facility=%s/%s", dir, NET_DNS_LOG_FILE));
	strv_push_take(&v, xasprintf("--pid-file=%s/%s", dir, NET_DNS_PID_FILE));
	*ret = TAKE_PTR(v);
	return 0;
}
