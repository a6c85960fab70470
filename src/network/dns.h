/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network/dns.h: name resolution on user-defined networks, one dnsmasq per
 * network in the host's network namespace on the network's gateway address,
 * fed a hosts file of the network's containers (Docker's embedded DNS).
 */
#ifndef BERTH_NETWORK_DNS_H
#define BERTH_NETWORK_DNS_H

#include <stddef.h>

#include "network/ipam.h"

struct berth_error;

/* The program run for each network (Debian's dnsmasq-base). */
#define NET_DNS_DNSMASQ "/usr/sbin/dnsmasq"
/* Files inside a network's DNS directory. */
#define NET_DNS_HOSTS_FILE "hosts"
#define NET_DNS_PID_FILE "dnsmasq.pid"
#define NET_DNS_LOG_FILE "dnsmasq.log"
/* Docker's fallback when the host names no usable nameserver. */
#define NET_DNS_DEFAULT_UPSTREAMS    \
	{                            \
		"8.8.8.8", "8.8.4.4" \
	}

/*
 * One endpoint of a container on the network: its addresses and the names
 * they answer to. Names that cannot be a hosts-file name (empty, spaces,
 * control characters, '#', non-ASCII) are skipped, as Docker's resolver never
 * matches them either.
 */
struct net_dns_record {
	const char *name;     /* the container's name, without Docker's leading '/' */
	const char *id;	      /* the container's id; its first 12 characters are a name */
	char *const *aliases; /* NULL-terminated network aliases, may be NULL */
	const char *network;  /* when set, every name also answers as NAME.NETWORK (as Docker) */
	struct net_ip ipv4;   /* family 0: none */
	struct net_ip ipv6;   /* family 0: none */
};

/* ---- pure parts ---- */

/*
 * The hosts file dnsmasq reads for recs: one line per address,
 * "IP name shortid aliases... name.network ...", duplicates dropped. A record
 * with no address adds nothing. Returns a malloc'ed string (never NULL).
 */
char *net_dns_hosts_render(const struct net_dns_record *recs, size_t n);

/*
 * The nameservers of a resolv.conf text, in order: "nameserver ADDR" lines
 * with an IPv4 or IPv6 address (a "%zone" suffix kept), comments ('#', ';')
 * and other lines ignored, duplicates dropped. When none is left, Docker's
 * defaults (8.8.8.8, 8.8.4.4). *ret is a NULL-terminated vector (strv_free).
 */
void net_dns_upstreams_parse(const char *text, char ***ret);
/* The same for a file; a missing file gives the defaults. */
int net_dns_upstreams_load(const char *path, char ***ret, struct berth_error **err);

/*
 * dnsmasq's command line for the network whose DNS directory is dir
 * (absolute), listening on listen_ip only, forwarding to upstreams (those
 * equal to listen_ip are skipped; Docker's defaults when none is left). No
 * configuration file, no DHCP, no /etc/hosts, no resolv.conf; it daemonizes
 * and writes its pid into dir. -1 with err on an invalid dir, listen_ip or
 * upstream. *ret is a NULL-terminated vector (strv_free).
 */
int net_dns_argv(const char *dir, const char *listen_ip, char *const *upstreams, char ***ret, struct berth_error **err);

/* ---- the daemon ---- */

/*
 * Make the network's resolver answer for recs: write dir/hosts atomically
 * (dir, such as <runroot>/dns/<network-id>, is created), then SIGHUP the
 * dnsmasq running for dir so it re-reads it, or start one (restarting it when
 * its command line, i.e. listen_ip or upstreams, changed). A start waits for
 * dnsmasq to daemonize and, when listen_ip is already on bridge_if, to listen
 * on it; dnsmasq binds the address by itself when it appears later
 * (--bind-dynamic). Errors name what failed, with dnsmasq's own message.
 * Callers for one dir are serialised by a lock file next to dir. dnsmasq
 * runs in the caller's namespaces and cgroup, as root: call from the host's
 * network namespace, and not from a child subreaper (it would be the
 * daemon's parent).
 */
int net_dns_apply(const char *dir, const char *bridge_if, const char *listen_ip, const struct net_dns_record *recs,
		  size_t n, char *const *upstreams, struct berth_error **err);

/*
 * Stop the dnsmasq of dir (SIGTERM, SIGKILL when it has not exited within a
 * few seconds) and remove dir and its lock file. A missing dir or daemon is
 * fine. Only a process whose command line is this dir's dnsmasq is signalled.
 */
int net_dns_stop(const char *dir, struct berth_error **err);

#endif
