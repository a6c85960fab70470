/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A real dnsmasq per network, as root (skipped otherwise): the whole test runs
 * as pid 1 of new pid, mount and network namespaces, so every dnsmasq it
 * starts dies with it and nothing reaches the host. Queries are real UDP DNS
 * packets to a bridge address; a socket on 127.0.0.2:53 plays the upstream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "network/network.h"

#define BRIDGE "btdns0"
#define GW "10.77.0.1"
#define T_A 1
#define T_AAAA 28

static bool usable; /* root, in our own namespaces, lo up */

struct dns_fixture {
	char root[64]; /* a temp dir */
	char *dir;     /* root/dns/net1 */
	struct net_nl *nl;
	int upstream; /* UDP 127.0.0.2:53 */
};

/* ---- DNS packets ---- */

static size_t put_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	while (*name) {
		size_t len = strcspn(name, ".");
		p[n++] = (uint8_t)len;
		memcpy(p + n, name, len);
		n += len;
		name += len;
		if (*name == '.')
			name++;
	}
	p[n++] = 0;
	return n;
}

/* Offset just past the question of packet p (one question, no compression in it). */
static size_t question_end(const uint8_t *p, size_t len)
{
	size_t o = 12;

	while (o < len && p[o])
		o += p[o] + 1;
	return o + 1 + 4;
}

/* Skip a possibly compressed name at o. */
static size_t skip_name(const uint8_t *p, size_t len, size_t o)
{
	while (o < len) {
		if ((p[o] & 0xc0) == 0xc0)
			return o + 2;
		if (!p[o])
			return o + 1;
		o += p[o] + 1;
	}
	return len;
}

/*
 * The upstream's turn: when dnsmasq forwarded a query to us, answer it with
 * 192.0.2.99 (any A question).
 */
static void upstream_answer(int fd)
{
	uint8_t q[512];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
	static const uint8_t answer[] = {0xc0, 12, 0, T_A, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 99};
	size_t end;

	if (n < 12)
		return;
	end = question_end(q, (size_t)n);
	if (end + sizeof(answer) > sizeof(q))
		return;
	q[2] = 0x81;			 /* QR, RD */
	q[3] = 0x80;			 /* RA, NOERROR */
	q[6] = 0, q[7] = 1;		 /* one answer */
	q[8] = q[9] = q[10] = q[11] = 0; /* no authority or additional (drop EDNS) */
	memcpy(q + end, answer, sizeof(answer));
	sendto(fd, q, end + sizeof(answer), 0, (struct sockaddr *)&from, fl);
}

/*
 * Ask server (IPv4) for name's record of type; the first answer's data goes
 * into rdata (16 bytes). Returns the rcode, or -1 on no answer within 1 s.
 * upstream (or -1) is served meanwhile.
 */
static int query(const char *server, const char *name, int type, uint8_t rdata[16], size_t *ret_len, int upstream)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
	uint8_t p[512] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	size_t n = 12, o;
	long long deadline = time(NULL) + 2;
	ssize_t r = -1;

	inet_pton(AF_INET, server, &sa.sin_addr);
	n += put_name(p + n, name);
	p[n++] = 0, p[n++] = (uint8_t)type, p[n++] = 0, p[n++] = 1;
	if (sendto(fd, p, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	while (r < 0 && time(NULL) <= deadline) {
		struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = upstream, .events = POLLIN}};
		if (poll(pf, upstream >= 0 ? 2 : 1, 1000) <= 0)
			break;
		if (upstream >= 0 && (pf[1].revents & POLLIN))
			upstream_answer(upstream);
		if (pf[0].revents & POLLIN)
			r = recv(fd, p, sizeof(p), 0);
	}
	if (r < 12 || p[0] != 0x12 || p[1] != 0x34)
		return -1;
	*ret_len = 0;
	o = question_end(p, (size_t)r);
	for (unsigned an = (unsigned)(p[6] << 8 | p[7]); an > 0 && o < (size_t)r; an--) {
		size_t len;
		o = skip_name(p, (size_t)r, o);
		if (o + 10 > (size_t)r)
			break;
		len = (size_t)(p[o + 8] << 8 | p[o + 9]);
		if ((p[o] << 8 | p[o + 1]) == type && len <= 16 && o + 10 + len <= (size_t)r) {
			memcpy(rdata, p + o + 10, len);
			*ret_len = len;
			break;
		}
		o += 10 + len;
	}
	return p[3] & 0x0f;
}

/* The address name resolves to (A or AAAA) through the network's dnsmasq, "" when none. */
static char *resolve(const char *name, int type, int upstream, char *buf)
{
	uint8_t rdata[16];
	size_t len = 0;

	buf[0] = '\0';
	if (query(GW, name, type, rdata, &len, upstream) != 0 || len != (type == T_A ? 4u : 16u))
		return buf;
	inet_ntop(type == T_A ? AF_INET : AF_INET6, rdata, buf, INET6_ADDRSTRLEN);
	return buf;
}

/* resolve() until it gives want, at most about 2 s (a SIGHUP is handled asynchronously). */
static void assert_resolves(const char *name, int type, const char *want, int upstream)
{
	char got[INET6_ADDRSTRLEN];

	for (int i = 0; i < 40; i++) {
		if (strcmp(resolve(name, type, upstream, got), want) == 0)
			return;
		usleep(50000);
	}
	fail_msg("'%s' resolves to '%s', want '%s'", name, got, want);
}

/* ---- fixture ---- */

static int setup(void **state)
{
	struct dns_fixture *f = calloc(1, sizeof(*f));
	struct berth_error *err = NULL;
	struct sockaddr_in up = {.sin_family = AF_INET, .sin_port = htons(53)};
	int ifindex = 0;

	*state = f;
	f->upstream = -1;
	if (!f || !usable)
		return 0;
	strcpy(f->root, "/tmp/berthtest-dns-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	f->dir = xasprintf("%s/dns/net1", f->root);
	if (unshare(CLONE_NEWNET) < 0 || net_nl_open(&f->nl, -1, &err) < 0 ||
	    net_link_set_up(f->nl, "lo", true, &err) < 0 || net_bridge_create(f->nl, BRIDGE, 0, NULL, &err) < 0 ||
	    net_link_set_up(f->nl, BRIDGE, true, &err) < 0 || net_link_index(f->nl, BRIDGE, &ifindex, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err ? err->msg : strerror(errno));
		berth_error_free(&err);
		return -1;
	}
	f->upstream = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, "127.0.0.2", &up.sin_addr);
	if (bind(f->upstream, (struct sockaddr *)&up, sizeof(up)) < 0)
		return -1;
	return 0;
}

static void add_gateway(struct dns_fixture *f)
{
	struct berth_error *err = NULL;
	struct net_nl_addr a;
	int ifindex = 0;

	assert_int_equal(net_nl_addr_parse(GW "/24", &a, &err), 0);
	assert_int_equal(net_link_index(f->nl, BRIDGE, &ifindex, &err), 0);
	if (net_addr_add(f->nl, ifindex, &a, 0, &err) < 0)
		fail_msg("%s", err->msg);
}

/* Reap what died here: as pid 1 we are every orphaned dnsmasq's parent. */
static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int teardown(void **state)
{
	struct dns_fixture *f = *state;
	_cleanup_free_ char *rm = NULL;

	if (f && f->dir) {
		net_dns_stop(f->dir, NULL);
		rm = xasprintf("rm -rf '%s'", f->root);
		if (system(rm) != 0)
			fprintf(stderr, "could not remove '%s'\n", f->root);
	}
	if (f) {
		net_nl_close(f->nl);
		if (f->upstream >= 0)
			close(f->upstream);
		free(f->dir);
	}
	reap();
	free(f);
	return 0;
}

#define NEED_ROOT(f)            \
	do {                    \
		if (!(f)->nl)   \
			skip(); \
	} while (0)

static pid_t dns_pid(const struct dns_fixture *f)
{
	_cleanup_free_ char *path = xasprintf("%s/dnsmasq.pid", f->dir);
	_cleanup_free_ char *text = NULL;

	if (fs_read_file_at(AT_FDCWD, path, &text, NULL, NULL) < 0)
		return 0;
	return (pid_t)atoi(text);
}

#define assert_ok(call, err)                                           \
	do {                                                           \
		if ((call) < 0)                                        \
			fail_msg("%s", (err) ? (err)->msg : "failed"); \
	} while (0)

static void test_apply_update_stop(void **state)
{
	struct dns_fixture *f = *state;
	struct berth_error *err = NULL;
	char *ups[] = {"127.0.0.2", NULL}, *ups2[] = {"127.0.0.2", "127.0.0.3", NULL};
	char *aliases[] = {"database", NULL};
	struct net_dns_record recs[2] = {
		{.name = "web", .id = "0123456789abcdef", .network = "net1"},
		{.name = "db", .id = "fedcba9876543210", .aliases = aliases},
	};
	_cleanup_free_ char *lock = NULL;
	char got[INET6_ADDRSTRLEN];
	pid_t pid, pid2;

	NEED_ROOT(f);
	add_gateway(f);
	net_ip_parse("10.77.0.2", &recs[0].ipv4, NULL);
	net_ip_parse("10.77.0.3", &recs[1].ipv4, NULL);
	net_ip_parse("fd77::3", &recs[1].ipv6, NULL);
	assert_ok(net_dns_apply(f->dir, BRIDGE, GW, recs, 2, ups, &err), err);
	pid = dns_pid(f);
	assert_true(pid > 0 && proc_is_alive(pid, 0));
	assert_resolves("web", T_A, "10.77.0.2", -1);
	assert_resolves("WEB", T_A, "10.77.0.2", -1);
	assert_resolves("0123456789ab", T_A, "10.77.0.2", -1);
	assert_resolves("web.net1", T_A, "10.77.0.2", -1);
	assert_resolves("database", T_A, "10.77.0.3", -1);
	assert_resolves("db", T_AAAA, "fd77::3", -1);
	/* a name of the network with no address of that family: no answer, not forwarded */
	assert_string_equal(resolve("web", T_AAAA, -1, got), "");
	/* anything else goes upstream */
	assert_resolves("example.test", T_A, "192.0.2.99", f->upstream);

	/* new records: a SIGHUP to the same dnsmasq */
	net_ip_parse("10.77.0.9", &recs[0].ipv4, NULL);
	assert_ok(net_dns_apply(f->dir, BRIDGE, GW, recs, 1, ups, &err), err);
	assert_resolves("web", T_A, "10.77.0.9", -1);
	assert_int_equal(dns_pid(f), pid);

	/* new upstreams: a new dnsmasq */
	assert_ok(net_dns_apply(f->dir, BRIDGE, GW, recs, 1, ups2, &err), err);
	pid2 = dns_pid(f);
	assert_true(pid2 > 0 && pid2 != pid);
	assert_false(proc_is_alive(pid, 0));
	assert_resolves("web", T_A, "10.77.0.9", -1);

	assert_ok(net_dns_stop(f->dir, &err), err);
	assert_false(proc_is_alive(pid2, 0));
	assert_false(fs_exists_at(AT_FDCWD, f->dir));
	lock = xasprintf("%s.lock", f->dir);
	assert_false(fs_exists_at(AT_FDCWD, lock));
	assert_ok(net_dns_stop(f->dir, &err), err);
}

/* --bind-dynamic: dnsmasq may start before the bridge has its address */
static void test_address_after_start(void **state)
{
	struct dns_fixture *f = *state;
	struct berth_error *err = NULL;
	struct net_dns_record r = {.name = "late"};

	NEED_ROOT(f);
	net_ip_parse("10.77.0.5", &r.ipv4, NULL);
	assert_ok(net_dns_apply(f->dir, BRIDGE, GW, &r, 1, NULL, &err), err);
	add_gateway(f);
	assert_resolves("late", T_A, "10.77.0.5", -1);
	assert_ok(net_dns_stop(f->dir, &err), err);
}

/* dnsmasq's own words when it cannot start: here the address is taken */
static void test_start_error(void **state)
{
	struct dns_fixture *f = *state;
	struct berth_error *err = NULL;
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};

	NEED_ROOT(f);
	add_gateway(f);
	inet_pton(AF_INET, GW, &sa.sin_addr);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(net_dns_apply(f->dir, BRIDGE, GW, NULL, 0, NULL, &err), -1);
	if (!strstr(err->msg, "dnsmasq") || !strstr(err->msg, "Address already in use"))
		fail_msg("unexpected error '%s'", err->msg);
	berth_error_free(&err);
}

/* A pid file naming a process that is not our dnsmasq: never signalled. */
static void test_stranger_is_safe(void **state)
{
	struct dns_fixture *f = *state;
	struct berth_error *err = NULL;
	_cleanup_free_ char *pid_path = NULL;
	_cleanup_free_ char *text = NULL;
	pid_t stranger;

	NEED_ROOT(f);
	stranger = fork();
	assert_true(stranger >= 0);
	if (stranger == 0) {
		pause();
		_exit(0);
	}
	assert_ok(fs_mkdir_p_at(AT_FDCWD, f->dir, 0700, &err), err);
	pid_path = xasprintf("%s/dnsmasq.pid", f->dir);
	text = xasprintf("%d\n", (int)stranger);
	assert_ok(fs_write_file_atomic_at(AT_FDCWD, pid_path, text, strlen(text), 0644, &err), err);
	assert_ok(net_dns_stop(f->dir, &err), err);
	assert_true(proc_is_alive(stranger, 0));
	assert_false(fs_exists_at(AT_FDCWD, f->dir));
	kill(stranger, SIGKILL);
	waitpid(stranger, NULL, 0);
}

/* The dnsmasq processes alive in this pid namespace (all ours). */
static int dnsmasq_count(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *cmd = NULL;
		int pid = atoi(e->d_name);
		if (pid <= 0 || !proc_is_alive(pid, 0))
			continue;
		path = xasprintf("/proc/%d/cmdline", pid);
		if (fs_read_file_at(AT_FDCWD, path, &cmd, NULL, NULL) == 0 && strcmp(cmd, "/usr/sbin/dnsmasq") == 0)
			n++;
	}
	return n;
}

/* Several CLIs applying and stopping at once: never two dnsmasqs for one network. */
static void test_concurrent(void **state)
{
	struct dns_fixture *f = *state;
	struct berth_error *err = NULL;
	struct net_dns_record r = {.name = "c"};
	pid_t kids[4];

	NEED_ROOT(f);
	add_gateway(f);
	net_ip_parse("10.77.0.7", &r.ipv4, NULL);
	for (size_t i = 0; i < 4; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			bool ok = true;
			for (int k = 0; k < 5 && ok; k++) {
				ok = net_dns_apply(f->dir, BRIDGE, GW, &r, 1, NULL, NULL) == 0;
				if (ok && i == 0 && k == 2)
					ok = net_dns_stop(f->dir, NULL) == 0;
			}
			_exit(ok ? 0 : 1);
		}
	}
	for (size_t i = 0; i < 4; i++) {
		int status = -1;
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_int_equal(status, 0);
	}
	reap();
	assert_int_equal(dnsmasq_count(), 1);
	assert_resolves("c", T_A, "10.77.0.7", -1);
	assert_ok(net_dns_stop(f->dir, &err), err);
	reap();
	assert_int_equal(dnsmasq_count(), 0);
}

static int dns_tests_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_update_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_after_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stranger_is_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * As root: run the tests as pid 1 of new pid, mount and network namespaces
 * (a /proc of their own, so pid files and /proc agree); when it exits the
 * kernel kills every dnsmasq left in it. The leak check runs there (exit);
 * the parent can no longer fork once that pid namespace is gone, so it
 * leaves with _exit, past LeakSanitizer's own fork.
 */
int main(void)
{
	pid_t child;
	int status;

	if (access("/usr/sbin/dnsmasq", X_OK) < 0 || geteuid() != 0 ||
	    unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET) < 0)
		return dns_tests_run();
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		usable = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
			 mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
		exit(dns_tests_run());
	}
	if (waitpid(child, &status, 0) < 0)
		_exit(1);
	_exit(proc_status_to_code(status));
}
