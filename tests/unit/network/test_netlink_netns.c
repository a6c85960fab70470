/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Network namespaces at a path, a handle inside one, a veth peer created in
 * it, and the net sysctls (root only, private network and mount namespaces).
 */
#include "test_netlink_fixture.h"

#include <sys/socket.h>
#include <sys/stat.h>

/* A temp dir for namespace files; removed (with the bind mount on it) in teardown. */
struct ns_fixture {
	struct nl_fixture base;
	char dir[64];
	char path[96];
};

static int ns_setup(void **state)
{
	struct ns_fixture *f = calloc(1, sizeof(*f));
	void *base = NULL;

	if (!f || nl_fixture_setup(&base) < 0) {
		free(f);
		return -1;
	}
	f->base = *(struct nl_fixture *)base;
	free(base);
	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-nl-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/ns1", f->dir);
	return 0;
}

static int ns_teardown(void **state)
{
	struct ns_fixture *f = *state;

	if (!f)
		return 0;
	umount2(f->path, MNT_DETACH);
	unlink(f->path);
	/* net_netns_create made the dir a mount point (a bind mount on itself) */
	umount2(f->dir, MNT_DETACH);
	rmdir(f->dir);
	net_nl_close(f->base.nl);
	free(f);
	return 0;
}

/* True when /proc/self/mountinfo has a mount at path (field 5). */
static bool is_mounted(const char *path)
{
	FILE *m = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[4096];
	bool found = false;

	assert_non_null(m);
	while (!found && fgets(line, sizeof(line), m))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && !strcmp(mnt, path))
			found = true;
	fclose(m);
	return found;
}

static ino_t netns_inode(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

static void test_netns_create_delete(void **state)
{
	struct ns_fixture *f = *state;
	struct berth_error *err = NULL;
	struct nl_fixture *b = &f->base;
	struct net_nl *inner = NULL;
	struct net_link_info lo;
	struct stat st_ns, st_self;
	char msg[200];
	int fd;

	NL_FIXTURE_NEED_ROOT(b);
	assert_ok(net_netns_create(f->path, &err), err);
	assert_true(is_mounted(f->path));
	fd = net_netns_open(f->path, &err);
	assert_ok(fd, err);
	assert_int_equal(fstat(fd, &st_ns), 0);
	assert_int_equal(stat("/proc/thread-self/ns/net", &st_self), 0);
	assert_true(st_ns.st_ino != st_self.st_ino);

	/* a handle inside: the new netns has only a loopback, and we come back to ours */
	assert_ok(net_nl_open(&inner, fd, &err), err);
	assert_int_equal(netns_inode(), st_self.st_ino);
	assert_ok(net_link_get(inner, "lo", &lo, &err), err);
	assert_int_equal(lo.ifindex, 1);
	assert_ok(net_bridge_create(inner, "berthbr9", 0, NULL, &err), err);
	assert_int_equal(net_link_index(b->nl, "berthbr9", &lo.ifindex, &err), 0);
	assert_int_equal(lo.ifindex, 0);
	net_nl_close(inner);
	close(fd);

	snprintf(msg, sizeof(msg), "create netns '%s': File exists", f->path);
	assert_error(net_netns_create(f->path, &err), err, msg);

	assert_ok(net_netns_delete(f->path, &err), err);
	assert_false(is_mounted(f->path));
	assert_int_equal(access(f->path, F_OK), -1);
	assert_ok(net_netns_delete(f->path, &err), err);
	snprintf(msg, sizeof(msg), "open netns '%s': No such file or directory", f->path);
	assert_error(net_netns_open(f->path, &err), err, msg);

	/* a plain file is not a namespace */
	fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(msg, sizeof(msg), "open netns '%s': not a namespace", f->path);
	assert_error(net_netns_open(f->path, &err), err, msg);
	assert_ok(net_netns_delete(f->path, &err), err);
	assert_error(net_netns_create("relative/ns", &err), err, "create netns 'relative/ns': path must be absolute");
	/* a bad netns fd: the handle is refused and the thread stays where it was */
	assert_int_equal(net_nl_open(&inner, 0, &err), -1);
	assert_int_equal(netns_inode(), st_self.st_ino);
	berth_error_free(&err);
}

static void test_veth_peer_in_netns(void **state)
{
	struct ns_fixture *f = *state;
	struct berth_error *err = NULL;
	struct nl_fixture *b = &f->base;
	struct net_nl *inner = NULL;
	struct net_link_info host, peer;
	struct net_addr_entry *v = NULL;
	struct net_nl_addr a;
	size_t n = 0;
	bool exists = true;
	int fd;

	NL_FIXTURE_NEED_ROOT(b);
	assert_ok(net_netns_create(f->path, &err), err);
	fd = net_netns_open(f->path, &err);
	assert_ok(fd, err);
	assert_ok(net_bridge_create(b->nl, "berthbr0", 0, NULL, &err), err);
	assert_ok(net_veth_create(b->nl, "berthh0", "eth0", 1400, fd, NULL, &err), err);
	assert_ok(net_link_set_master(b->nl, "berthh0", "berthbr0", &err), err);
	assert_ok(net_link_set_up(b->nl, "berthh0", true, &err), err);
	assert_ok(net_link_get(b->nl, "berthh0", &host, &err), err);
	assert_int_equal(host.mtu, 1400);
	assert_ok(net_link_exists(b->nl, "eth0", &exists, &err), err);
	assert_false(exists); /* the peer never appeared on this side */

	assert_ok(net_nl_open(&inner, fd, &err), err);
	assert_ok(net_link_get(inner, "eth0", &peer, &err), err);
	assert_true(peer.ifindex > 0);
	assert_int_equal(peer.mtu, 1400);
	assert_string_equal(peer.kind, "veth");
	assert_ok(net_link_set_up(inner, "lo", true, &err), err);
	assert_ok(net_link_set_up(inner, "eth0", true, &err), err);
	assert_ok(net_nl_addr_parse("10.88.0.2/16", &a, &err), err);
	assert_ok(net_addr_add(inner, peer.ifindex, &a, 0, &err), err);
	assert_ok(net_addr_list(inner, AF_INET, &v, &n, &err), err);
	assert_int_equal(n, 2); /* 127.0.0.1 and ours */
	free(v);

	/* deleting the host end removes the peer inside */
	assert_ok(net_link_delete(b->nl, "berthh0", 0, &err), err);
	assert_ok(net_link_exists(inner, "eth0", &exists, &err), err);
	assert_false(exists);
	net_nl_close(inner);
	close(fd);
	assert_ok(net_netns_delete(f->path, &err), err);
	assert_false(is_mounted(f->path));
}

static void test_sysctl(void **state)
{
	struct ns_fixture *f = *state;
	struct berth_error *err = NULL;
	struct nl_fixture *b = &f->base;
	char *v = NULL;

	NL_FIXTURE_NEED_ROOT(b);
	/* a fresh netns may inherit the host's forwarding (devconf_inherit_init_net): set it both ways */
	assert_ok(net_sysctl_set_ip_forward(false, &err), err);
	assert_ok(net_sysctl_read("net.ipv4.ip_forward", &v, &err), err);
	assert_string_equal(v, "0");
	free(v);
	assert_ok(net_sysctl_set_ip_forward(true, &err), err);
	assert_ok(net_sysctl_read("net/ipv4/ip_forward", &v, &err), err);
	assert_string_equal(v, "1");
	free(v);

	assert_ok(net_bridge_create(b->nl, "berthbr0", 0, NULL, &err), err);
	assert_ok(net_sysctl_set_route_localnet("berthbr0", true, &err), err);
	assert_ok(net_sysctl_read("net/ipv4/conf/berthbr0/route_localnet", &v, &err), err);
	assert_string_equal(v, "1");
	free(v);
	if (access("/proc/sys/net/ipv6", F_OK) == 0) {
		assert_ok(net_sysctl_set_accept_ra("berthbr0", 0, &err), err);
		assert_ok(net_sysctl_set_ipv6_disabled("berthbr0", true, &err), err);
		assert_ok(net_sysctl_read("net/ipv6/conf/berthbr0/disable_ipv6", &v, &err), err);
		assert_string_equal(v, "1");
		free(v);
	}
	assert_error(net_sysctl_set_route_localnet("nosuch0", true, &err), err,
		     "set sysctl 'net/ipv4/conf/nosuch0/route_localnet' to '1': No such file or directory");
	assert_error(net_sysctl_write("net.ipv4.ip_forward", "x", &err), err,
		     "set sysctl 'net/ipv4/ip_forward' to 'x': Invalid argument");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_netns_create_delete, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_veth_peer_in_netns, ns_setup, ns_teardown),
		cmocka_unit_test_setup_teardown(test_sysctl, ns_setup, ns_teardown),
	};

	nl_fixture_usable = nl_fixture_enter_private_mounts();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
