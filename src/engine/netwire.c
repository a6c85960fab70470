/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: a container's network namespace wired to its networks (netwire.h):
 * the named namespace <runroot>/netns/<id>, one veth pair per endpoint
 * (host end on the network's bridge, eth0, eth1, ... inside), addresses, the
 * default route, and the bridges themselves, made when first needed. One
 * lock per runroot serialises wiring and rule rebuilds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "engine/netwire_internal.h"
#include "network/network.h"

char *eng_netns_path(struct eng *e, const char *ctr_id)
{
	return xasprintf("%s/netns/%s", e->runroot, ctr_id);
}

int eng_netwire_lock(struct eng *e, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/network.lock", e->runroot);

	return lock_path(path, err);
}

/* "veth" + 7 random hex: a name of this wiring only (an old pair may still be going away asynchronously). */
static int new_veth_name(char out[16], struct berth_error **err)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return berth_error_set(err, errno, "getrandom");
	snprintf(out, 16, "veth%07x", r & 0xfffffff);
	return 0;
}

/* addr "A.B.C.D" with prefix from subnet "N/LEN". */
static int addr_with_prefix(const char *ip, unsigned prefixlen, struct net_nl_addr *ret, struct berth_error **err)
{
	_cleanup_free_ char *s = xasprintf("%s/%u", ip, prefixlen);

	return net_nl_addr_parse(s, ret, err);
}

/* --ipv6: the gateway's IPv6 address on the bridge (no DAD: it is ours), and forwarding for IPv6. */
static int add_gateway6(struct net_nl *nl, const struct eng_network *n, int ifindex, struct berth_error **err)
{
	_cleanup_free_ struct net_addr_entry *addrs = NULL;
	struct net_prefix sub;
	struct net_nl_addr gw;
	size_t na = 0;

	if (net_subnet_parse(n->subnet6, "subnet", &sub, err) < 0 ||
	    addr_with_prefix(n->gateway6, sub.len, &gw, err) < 0 || net_addr_list(nl, AF_INET6, &addrs, &na, err) < 0)
		return -1;
	for (size_t i = 0; i < na; i++)
		if (addrs[i].ifindex == ifindex && !memcmp(addrs[i].addr.ip, gw.ip, 16))
			return 0;
	if (net_addr_add(nl, ifindex, &gw, NET_ADDR_NODAD, err) < 0)
		return berth_error_wrap(err, "network %s", n->name);
	return net_sysctl_write("net.ipv6.conf.all.forwarding", "1", err);
}

/*
 * A bridge about to be made must not take a subnet the host routes
 * elsewhere (a VPN, a LAN: Docker's long-standing complaint): refused,
 * naming the clash; berth.json's bip picks another for the default bridge.
 */
static int subnet_clashes(const struct eng_network *n, struct berth_error **err)
{
	struct net_taken *taken = NULL;
	char **names = NULL;
	size_t nt = 0;
	struct net_prefix sub;
	int rc = 0;

	if (!n->subnet)
		return 0;
	if (net_subnet_parse(n->subnet, "subnet", &sub, err) < 0 ||
	    eng_net_taken_host(AF_INET, &taken, &nt, &names, err) < 0)
		rc = -1;
	else if (net_subnet_check_clash(&sub, taken, nt, err) < 0)
		rc = berth_error_wrap(err, "network %s%s", n->name, n->is_default ? " (set bip in berth.json)" : "");
	free(taken);
	strv_free(names);
	return rc;
}

/* The network's bridge, up with its gateway address, made when missing (the first container on it). */
static int ensure_bridge(struct net_nl *nl, const struct eng_network *n, bool *made, struct berth_error **err)
{
	struct net_link_info li;
	struct net_prefix sub;
	struct net_nl_addr gw;
	int ifindex;

	if (net_link_get(nl, n->bridge_if, &li, err) < 0)
		return -1;
	if (li.ifindex && strcmp(li.kind, "bridge") != 0)
		return berth_error_set(err, EEXIST, "network %s: interface '%s' exists and is not a bridge", n->name,
				       n->bridge_if);
	if (!li.ifindex && subnet_clashes(n, err) < 0)
		return -1;
	if (!li.ifindex)
		*made = true;
	if (!li.ifindex && net_bridge_create(nl, n->bridge_if, n->mtu, NULL, err) < 0 &&
	    (!*err || (*err)->code != EEXIST))
		return -1;
	berth_error_free(err);
	if (net_link_index(nl, n->bridge_if, &ifindex, err) < 0)
		return -1;
	if (n->subnet && n->gateway) {
		_cleanup_free_ struct net_addr_entry *addrs = NULL;
		size_t na = 0;
		bool have = false;

		if (net_subnet_parse(n->subnet, "subnet", &sub, err) < 0 ||
		    addr_with_prefix(n->gateway, sub.len, &gw, err) < 0 ||
		    net_addr_list(nl, gw.family, &addrs, &na, err) < 0)
			return -1;
		for (size_t i = 0; i < na; i++)
			if (addrs[i].ifindex == ifindex && !memcmp(addrs[i].addr.ip, gw.ip, 16))
				have = true;
		if (!have && net_addr_add(nl, ifindex, &gw, 0, err) < 0)
			return berth_error_wrap(err, "network %s", n->name);
	}
	if (n->subnet6 && n->gateway6 && add_gateway6(nl, n, ifindex, err) < 0)
		return -1;
	if (!li.is_up && net_link_set_up(nl, n->bridge_if, true, err) < 0)
		return -1;
	/* published ports reached at 127.0.0.1: DNAT to the bridge needs local sources routed */
	net_sysctl_set_route_localnet(n->bridge_if, true, NULL);
	if (!n->internal && net_sysctl_set_ip_forward(true, err) < 0)
		return -1;
	return 0;
}

/* Inside the namespace: the endpoint's address on ifname, up; the default route when gw. */
static int configure_inside(struct net_nl *in, const char *ifname, const struct eng_endpoint *ep, bool route,
			    struct berth_error **err)
{
	struct net_nl_addr a, gw;
	int ifindex;

	if (net_link_index(in, ifname, &ifindex, err) < 0)
		return -1;
	if (ep->ip &&
	    (addr_with_prefix(ep->ip, ep->prefixlen, &a, err) < 0 || net_addr_add(in, ifindex, &a, 0, err) < 0))
		return -1;
	if (ep->ip6 && (addr_with_prefix(ep->ip6, ep->prefixlen6, &a, err) < 0 ||
			net_addr_add(in, ifindex, &a, NET_ADDR_NODAD, err) < 0))
		return -1;
	if (net_link_set_up(in, ifname, true, err) < 0)
		return -1;
	if (route && ep->gateway) {
		if (addr_with_prefix(ep->gateway, 32, &gw, err) < 0 || net_route_add_default(in, &gw, ifindex, err) < 0)
			return -1;
	}
	if (route && ep->ip6 && ep->gateway6) {
		if (addr_with_prefix(ep->gateway6, 128, &gw, err) < 0 ||
		    net_route_add_default(in, &gw, ifindex, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Hairpin mode on the bridge port, as Docker without its userland proxy: a
 * container reaching its own published port through a host address is
 * DNATed back to itself, and with br_netfilter that frame leaves by the port
 * it came in on.
 */
static int set_hairpin(const char *veth, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("/sys/class/net/%s/brport/hairpin_mode", veth);

	return fs_write_string_at(AT_FDCWD, path, "1", err) < 0 ? berth_error_wrap(err, "hairpin mode") : 0;
}

/* One endpoint: the veth pair (peer straight into the namespace as ifname), the bridge port, the inside. */
static int wire_endpoint(struct eng *e, struct net_nl *host, int nsfd, json_t *veths, const struct eng_endpoint *ep,
			 const char *ifname, bool *route_done, bool *made, struct berth_error **err)
{
	_cleanup_network_ struct eng_network *n = NULL;
	_cleanup_net_nl_ struct net_nl *in = NULL;
	unsigned char mac[NET_MAC_LEN];
	char veth[16];

	if (eng_network_find(e, ep->network_id, &n, err) < 0)
		return -1;
	if (!n->bridge_if)
		return 0;
	if (ensure_bridge(host, n, made, err) < 0)
		return -1;
	if (new_veth_name(veth, err) < 0 || (ep->mac && net_mac_parse(ep->mac, mac, err) < 0))
		return -1;
	if (net_veth_create(host, veth, ifname, n->mtu, nsfd, ep->mac ? mac : NULL, err) < 0)
		return berth_error_wrap(err, "network %s", n->name);
	json_object_set_new(veths, n->id, json_string(veth));
	if (net_link_set_master(host, veth, n->bridge_if, err) < 0 || set_hairpin(veth, err) < 0 ||
	    net_link_set_up(host, veth, true, err) < 0 || net_nl_open(&in, nsfd, err) < 0)
		return -1;
	if (configure_inside(in, ifname, ep, !*route_done && !n->internal, err) < 0)
		return berth_error_wrap(err, "network %s", n->name);
	if (!n->internal && ep->gateway)
		*route_done = true;
	return 0;
}

/* Whether the container's NetworkMode gives it a namespace of berth's making (a bridge network). */
static bool wants_netns(json_t *doc)
{
	const char *mode = json_string_value(json_object_get(json_object_get(doc, "HostConfig"), "NetworkMode"));

	return !mode ||
	       (strcmp(mode, "host") != 0 && strcmp(mode, "none") != 0 && strncmp(mode, "container:", 10) != 0);
}

/* Delete the host ends named in veths ({network id: name}); the pairs go with them (synchronously: slow). */
static void remove_veths(json_t *veths)
{
	_cleanup_net_nl_ struct net_nl *host = NULL;
	const char *key;
	json_t *v;

	if (!json_object_size(veths) || net_nl_open(&host, -1, NULL) < 0)
		return;
	json_object_foreach(veths, key, v) net_link_delete(host, json_string_value(v), NET_LINK_MISSING_OK, NULL);
}

static int up_locked(struct eng *e, const struct eng_ctr *c, const char *path, struct berth_error **err)
{
	_cleanup_net_nl_ struct net_nl *host = NULL, *in = NULL;
	struct eng_endpoint *eps = NULL;
	_cleanup_close_ int nsfd = -1;
	json_t *veths = json_object();
	bool route_done = false, made = false, ports = false;
	size_t n = 0;
	int rc = -1;

	if (eng_network_endpoints(e, c->id, &eps, &n, err) < 0)
		return -1;
	if (net_netns_create(path, err) < 0)
		goto out;
	nsfd = net_netns_open(path, err);
	if (nsfd < 0 || net_nl_open(&host, -1, err) < 0 || net_nl_open(&in, nsfd, err) < 0 ||
	    net_link_set_up(in, "lo", true, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char ifname[32];

		snprintf(ifname, sizeof(ifname), "eth%zu", i);
		if (wire_endpoint(e, host, nsfd, veths, &eps[i], ifname, &route_done, &made, err) < 0)
			goto out;
	}
	/* the rules change with published ports or a new bridge (its masquerade); not for every start */
	if (eng_netwire_ports_up(e, c, eps, n, veths, &ports, err) < 0 ||
	    ((ports || made || !eng_netwire_rules_known(e)) && eng_netwire_rules_sync_locked(e, err) < 0) ||
	    eng_netwire_dns_refresh_of(e, eps, n, NULL, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		remove_veths(veths);
		net_netns_delete(path, NULL);
		if (eng_netwire_ports_down(e, c->id))
			eng_netwire_rules_sync_locked(e, NULL);
		eng_netwire_dns_refresh_of(e, eps, n, NULL, NULL);
	}
	json_decref(veths);
	eng_endpoints_free(eps, n);
	return rc;
}

int eng_netwire_up(struct eng *e, const struct eng_ctr *c, char **ret_path, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL, *dir = NULL;
	_cleanup_close_ int lock = -1;

	*ret_path = NULL;
	if (!wants_netns(c->doc))
		return 0;
	path = eng_netns_path(e, c->id);
	dir = xasprintf("%s/netns", e->runroot);
	if (fs_mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
		return -1;
	lock = eng_netwire_lock(e, err);
	if (lock < 0)
		return -1;
	/* what a monitor that died left behind */
	if (access(path, F_OK) == 0 || json_object_get(c->state, "BerthPorts") ||
	    json_object_get(c->state, "BerthVeths"))
		eng_netwire_down_locked(e, c->id);
	if (up_locked(e, c, path, err) < 0)
		return -1;
	*ret_path = TAKE_PTR(path);
	return 0;
}

void eng_netwire_down_locked(struct eng *e, const char *ctr_id)
{
	_cleanup_free_ char *path = eng_netns_path(e, ctr_id);
	struct eng_endpoint *eps = NULL;
	size_t n = 0;

	if (eng_network_endpoints(e, ctr_id, &eps, &n, NULL) < 0)
		n = 0;
	/*
	 * The namespace's last reference goes: the kernel destroys it, and the
	 * veth pairs with their inner ends, in the background (deleting a veth
	 * here would wait for RCU grace periods: some 20 ms each).
	 */
	net_netns_delete(path, NULL);
	eng_netwire_dns_refresh_of(e, eps, n, NULL, NULL);
	eng_endpoints_free(eps, n);
	if (eng_netwire_ports_down(e, ctr_id))
		eng_netwire_rules_sync_locked(e, NULL);
}

void eng_netwire_down(struct eng *e, const char *ctr_id)
{
	int lock = eng_netwire_lock(e, NULL);

	/* without the lock (a broken runroot) the teardown is still worth trying */
	eng_netwire_down_locked(e, ctr_id);
	if (lock >= 0)
		close(lock);
}

int eng_netwire_connect(struct eng *e, const char *ctr_id, const struct eng_endpoint *ep, struct berth_error **err)
{
	_cleanup_free_ char *path = eng_netns_path(e, ctr_id);
	_cleanup_net_nl_ struct net_nl *host = NULL;
	_cleanup_close_ int lock = -1, nsfd = -1;
	struct eng_endpoint *eps = NULL;
	json_t *veths = json_object();
	size_t n = 0;
	bool route_done = true, made = false;
	char ifname[32];
	int rc;

	if (access(path, F_OK) < 0)
		return 0;
	lock = eng_netwire_lock(e, err);
	if (lock < 0 || eng_network_endpoints(e, ctr_id, &eps, &n, err) < 0)
		return -1;
	eng_endpoints_free(eps, n);
	/* the new endpoint is the last one: eth<n-1> */
	snprintf(ifname, sizeof(ifname), "eth%zu", n ? n - 1 : 0);
	nsfd = net_netns_open(path, err);
	if (nsfd < 0 || net_nl_open(&host, -1, err) < 0)
		return -1;
	rc = wire_endpoint(e, host, nsfd, veths, ep, ifname, &route_done, &made, err);
	if (rc == 0 && made)
		rc = eng_netwire_rules_sync_locked(e, err);
	if (rc == 0)
		rc = eng_netwire_veths_record(e, ctr_id, veths, err);
	if (rc == 0)
		rc = eng_netwire_dns_refresh_of(e, ep, 1, NULL, err);
	if (rc < 0)
		remove_veths(veths);
	json_decref(veths);
	return rc;
}

int eng_netwire_disconnect(struct eng *e, const char *ctr_id, const struct eng_endpoint *ep, struct berth_error **err)
{
	_cleanup_free_ char *path = eng_netns_path(e, ctr_id);
	_cleanup_close_ int lock = -1;
	json_t *veths;

	if (access(path, F_OK) < 0)
		return 0;
	lock = eng_netwire_lock(e, err);
	if (lock < 0)
		return -1;
	veths = eng_netwire_veths_take(e, ctr_id, ep->network_id);
	remove_veths(veths);
	json_decref(veths);
	return eng_netwire_dns_refresh_of(e, ep, 1, ctr_id, err);
}

int eng_netwire_network_down(struct eng *e, const struct eng_network *n, struct berth_error **err)
{
	_cleanup_net_nl_ struct net_nl *host = NULL;
	_cleanup_close_ int lock = eng_netwire_lock(e, err);

	if (lock < 0)
		return -1;
	if (n->bridge_if && net_nl_open(&host, -1, err) == 0)
		net_link_delete(host, n->bridge_if, NET_LINK_MISSING_OK, NULL);
	eng_netwire_dns_refresh(e, n, NULL, NULL);
	return eng_netwire_rules_sync_locked(e, err);
}
