/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nftables rules with real traffic, as root, all inside network namespaces made
 * here (skipped otherwise): "host" (the process's own private one), "ctr" (a
 * container behind veth bt0) and "ext" (another machine behind veth ext0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "network/nft.h"

#define TABLE "berthtest"

static bool ready;				   /* set by setup: namespaces, links and rules in place */
static int host_ns = -1, ctr_ns = -1, ext_ns = -1; /* fds of the namespaces */
static int listener = -1;			   /* port 80 in ctr */

static int sh(const char *cmd)
{
	_cleanup_free_ char *quiet = xasprintf("%s >/dev/null 2>&1", cmd);
	int r = system(quiet);

	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static int enter(int ns)
{
	return setns(ns, CLONE_NEWNET);
}

/* Run cmd (a shell line) in ns, then come back to host. */
static int sh_in(int ns, const char *cmd)
{
	int r;

	if (enter(ns) < 0)
		return -1;
	r = sh(cmd);
	return enter(host_ns) < 0 ? -1 : r;
}

static int sysctl_set(const char *path)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

	return fd >= 0 && write(fd, "1", 1) == 1 ? 0 : -1;
}

/* A new namespace's fd; the process stays in host. */
static int ns_new(void)
{
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (enter(host_ns) < 0)
		return -1;
	return fd;
}

/* A TCP socket made in ns (a socket keeps the namespace it was made in). */
static int socket_in(int ns)
{
	struct timeval tv = {.tv_sec = 1};
	int s;

	if (enter(ns) < 0)
		return -1;
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (enter(host_ns) < 0 || s < 0)
		return -1;
	/* bounds connect() and accept() */
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return s;
}

static int setup(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *veth1 = NULL, *veth2 = NULL;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
	static const struct net_nft_network net = {
		.bridge = "bt0", .subnet4 = "172.30.0.0/24", .masquerade = true, .hairpin = true};
	static const struct net_nft_port ports[] = {
		{NET_NFT_TCP, NULL, 8080, 0, "172.30.0.2", 80, 0, "bt0"},
		{NET_NFT_TCP, "172.31.0.1", 8081, 0, "172.30.0.2", 80, 0, "bt0"},
	};
	struct net_nft_model m = {TABLE, &net, 1, ports, 2};
	int one = 1;

	/* never in the host's namespace: everything below lives in namespaces made for this process */
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 || sh("ip -V"))
		return 0;
	host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ctr_ns = ns_new();
	ext_ns = ns_new();
	assert_true(host_ns >= 0 && ctr_ns >= 0 && ext_ns >= 0);
	veth1 = xasprintf("ip link add bt0 type veth peer name eth0 netns /proc/%d/fd/%d", (int)getpid(), ctr_ns);
	veth2 = xasprintf("ip link add ext0 type veth peer name eth0 netns /proc/%d/fd/%d", (int)getpid(), ext_ns);
	assert_int_equal(sh(veth1), 0);
	assert_int_equal(sh(veth2), 0);
	assert_int_equal(sh("ip link set lo up && ip addr add 172.30.0.1/24 dev bt0 && ip link set bt0 up && "
			    "ip addr add 172.31.0.1/24 dev ext0 && ip link set ext0 up"),
			 0);
	assert_int_equal(sh_in(ctr_ns, "ip link set lo up && ip addr add 172.30.0.2/24 dev eth0 && "
				       "ip link set eth0 up && ip route add default via 172.30.0.1"),
			 0);
	assert_int_equal(sh_in(ext_ns, "ip link set lo up && ip addr add 172.31.0.2/24 dev eth0 && "
				       "ip link set eth0 up && ip route add default via 172.31.0.1"),
			 0);
	/* what the engine sets on its bridges: forwarding, and 127.0.0.1 allowed out of bt0 */
	assert_int_equal(sysctl_set("/proc/sys/net/ipv4/ip_forward"), 0);
	assert_int_equal(sysctl_set("/proc/sys/net/ipv4/conf/bt0/route_localnet"), 0);
	if (net_nft_rules_apply(&m, &err) < 0)
		fail_msg("apply: %s", err->msg);
	listener = socket_in(ctr_ns);
	assert_true(listener >= 0);
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(listener, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(listener, 8), 0);
	ready = true;
	return 0;
}

static int teardown(void **state)
{
	/* the namespaces go with their last fd, and their links and rules with them */
	if (listener >= 0)
		close(listener);
	if (ctr_ns >= 0)
		close(ctr_ns);
	if (ext_ns >= 0)
		close(ext_ns);
	if (host_ns >= 0)
		close(host_ns);
	return 0;
}

/*
 * Connect from ns to ip:port; the address the container's listener saw the
 * connection come from (the handshake completes in its backlog, no accept
 * needed first), or NULL when the connection was not made.
 */
static char *dial(int ns, const char *ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	_cleanup_close_ int s = socket_in(ns);
	_cleanup_close_ int c = -1;
	socklen_t alen = sizeof(a);
	char peer[INET_ADDRSTRLEN];

	assert_true(s >= 0);
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return NULL;
	c = accept4(listener, (struct sockaddr *)&a, &alen, SOCK_CLOEXEC);
	if (c < 0)
		return NULL;
	return xstrdup(inet_ntop(AF_INET, &a.sin_addr, peer, sizeof(peer)));
}

static void expect_peer(int ns, const char *ip, uint16_t port, const char *peer)
{
	_cleanup_free_ char *seen = NULL;

	if (!ready)
		skip();
	seen = dial(ns, ip, port);
	if (!peer) {
		assert_null(seen);
		return;
	}
	if (!seen)
		fail_msg("connect to %s:%u: %m", ip, port);
	assert_string_equal(seen, peer);
}

/* 127.0.0.1 is translated in output and masqueraded: the container sees the bridge's address */
static void test_from_localhost(void **state)
{
	expect_peer(host_ns, "127.0.0.1", 8080, "172.30.0.1");
}

/* from another machine through prerouting and forward: the client's address is kept */
static void test_from_outside(void **state)
{
	expect_peer(ext_ns, "172.31.0.1", 8080, "172.31.0.2");
	expect_peer(ext_ns, "172.31.0.1", 8081, "172.31.0.2");
}

/* the container reaches its own published port through the host: hairpin, masqueraded */
static void test_hairpin(void **state)
{
	expect_peer(ctr_ns, "172.31.0.1", 8080, "172.30.0.1");
}

/* a port published on one host address only: not on 127.0.0.1 */
static void test_host_ip_only(void **state)
{
	expect_peer(host_ns, "127.0.0.1", 8081, NULL);
}

/* routing straight to the container's address from outside: dropped, as Docker 28 does */
static void test_unpublished_dropped(void **state)
{
	expect_peer(ext_ns, "172.30.0.2", 80, NULL);
	/* the host itself still reaches it (output, not forward) */
	expect_peer(host_ns, "172.30.0.2", 80, "172.30.0.1");
}

/* last: without berth's table, the container is routed to and nothing is published */
static void test_without_table(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;

	if (!ready)
		skip();
	assert_int_equal(net_nft_table_remove(TABLE, &err), 0);
	expect_peer(ext_ns, "172.30.0.2", 80, "172.31.0.2");
	expect_peer(host_ns, "127.0.0.1", 8080, NULL);
	expect_peer(ext_ns, "172.31.0.1", 8080, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_localhost),
		cmocka_unit_test(test_from_outside),
		cmocka_unit_test(test_hairpin),
		cmocka_unit_test(test_host_ip_only),
		cmocka_unit_test(test_unpublished_dropped),
		cmocka_unit_test(test_without_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
