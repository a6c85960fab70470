/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process half of network DNS: one dnsmasq per network directory,
 * started, reloaded (SIGHUP) and stopped under a lock file next to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "network/dns.h"
#include "network/netlink.h"
#include "sys/sys.h"

#define START_TIMEOUT_MS 10000 /* dnsmasq daemonizing (it reports errors before) */
#define LISTEN_TIMEOUT_MS 5000 /* its socket on an address that is already there */
#define TERM_TIMEOUT_MS 5000   /* SIGTERM before SIGKILL */
#define KILL_TIMEOUT_MS 2000

extern char **environ;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Lock "<dir>.lock" (next to dir, so it outlives rm -rf dir). A lock file
 * removed by net_dns_stop while we waited is not the one others lock: retry
 * until the file we hold is the one at the path. With make_parent false, a missing
 * parent directory means there is nothing to lock: *ret_fd stays -1.
 */
static int dns_lock(const char *dir, bool make_parent, int *ret_fd, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s.lock", dir);
	_cleanup_free_ char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');

	*ret_fd = -1;
	if (slash && slash != parent)
		*slash = '\0';
	if (make_parent && fs_mkdir_p_at(AT_FDCWD, parent, 0700, err) < 0)
		return -1;
	for (;;) {
		_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		struct stat held, now;
		if (fd < 0 && errno == ENOENT && !make_parent)
			return 0;
		if (fd < 0)
			return berth_error_set(err, errno, "open lock '%s'", path);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return berth_error_set(err, errno, "lock '%s'", path);
		if (fstat(fd, &held) < 0)
			return berth_error_set(err, errno, "stat lock '%s'", path);
		if (stat(path, &now) == 0 && now.st_ino == held.st_ino && now.st_dev == held.st_dev) {
			*ret_fd = TAKE_FD(fd);
			return 0;
		}
	}
}

/* The pid in dir's pid file, 0 when there is none or it is not a number. */
static pid_t pid_file_read(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, NET_DNS_PID_FILE);
	_cleanup_free_ char *text = NULL;
	int64_t v;

	if (fs_read_file_at(AT_FDCWD, path, &text, NULL, NULL) < 0)
		return 0;
	text[strcspn(text, "\n")] = '\0';
	if (parse_int64(text, &v) < 0 || v <= 0 || v > INT32_MAX)
		return 0;
	return (pid_t)v;
}

/* /proc/PID/cmdline as a vector; NULL when the process is gone or is a kernel thread. */
static char **cmdline_read(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/cmdline", (int)pid);
	_cleanup_free_ char *text = NULL;
	char **v = NULL;
	size_t len = 0;

	if (fs_read_file_at(AT_FDCWD, path, &text, &len, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < len; i += strlen(text + i) + 1)
		strv_push(&v, text + i);
	return v;
}

static bool strv_equal(char *const *a, char *const *b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return !*a && !*b;
}

/*
 * The dnsmasq running for dir as a pidfd (-1 when none): the pid file's
 * process, when its command line is a dnsmasq with dir's pid file. Checked
 * after pidfd_open and confirmed alive after, so a pid reused by a stranger
 * is never signalled. *ret_same: its command line is argv (may be NULL).
 */
static int daemon_find(const char *dir, char *const *argv, bool *ret_same)
{
	_cleanup_free_ char *pid_arg = xasprintf("--pid-file=%s/%s", dir, NET_DNS_PID_FILE);
	_cleanup_strv_ char **cmd = NULL;
	_cleanup_close_ int pidfd = -1;
	pid_t pid = pid_file_read(dir);
	const char *base;

	*ret_same = false;
	if (pid == 0)
		return -1;
	pidfd = sys_pidfd_open(pid, 0);
	if (pidfd < 0)
		return -1;
	cmd = cmdline_read(pid);
	if (!cmd || !cmd[0])
		return -1;
	base = strrchr(cmd[0], '/');
	if (strcmp(base ? base + 1 : cmd[0], "dnsmasq") != 0 || !strv_contains(cmd, pid_arg))
		return -1;
	if (sys_pidfd_send_signal(pidfd, 0, 0) < 0)
		return -1;
	*ret_same = argv && strv_equal(cmd, argv);
	return TAKE_FD(pidfd);
}

/* Wait until the process of pidfd has exited, at most timeout_ms. */
static bool pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	long long end = now_ms() + timeout_ms;

	for (;;) {
		long long left = end - now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

static int daemon_kill(int pidfd, const char *dir, struct berth_error **err)
{
	if (sys_pidfd_send_signal(pidfd, SIGTERM, 0) < 0)
		return errno == ESRCH ? 0 : berth_error_set(err, errno, "stop dnsmasq of '%s'", dir);
	if (pidfd_wait(pidfd, TERM_TIMEOUT_MS))
		return 0;
	if (sys_pidfd_send_signal(pidfd, SIGKILL, 0) < 0 && errno != ESRCH)
		return berth_error_set(err, errno, "kill dnsmasq of '%s'", dir);
	if (!pidfd_wait(pidfd, KILL_TIMEOUT_MS))
		return berth_error_set(err, ETIMEDOUT, "kill dnsmasq of '%s'", dir);
	return 0;
}

/* What dnsmasq wrote on fd (its stderr), without blank lines around it, or NULL. */
static char *stderr_text(int fd)
{
	char buf[1024];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *s = buf;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	while (*s == '\n' || *s == ' ')
		s++;
	for (char *e = s + strlen(s); e > s && (e[-1] == '\n' || e[-1] == ' ');)
		*--e = '\0';
	return *s ? xstrdup(s) : NULL;
}

static int spawn_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr, int errfd)
{
	sigset_t all, none;

	sigfillset(&all);
	sigemptyset(&none);
	/* nothing the caller blocked or ignored carries over into the daemon */
	if (posix_spawnattr_setsigmask(attr, &none) || posix_spawnattr_setsigdefault(attr, &all) ||
	    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
		return -1;
	if (posix_spawn_file_actions_addopen(fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_addopen(fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) ||
	    posix_spawn_file_actions_adddup2(fa, errfd, STDERR_FILENO))
		return -1;
	return 0;
}

/* Wait for the launcher pid (it exits once the daemon is up or has failed) at most timeout_ms. */
static int launcher_wait(pid_t pid, int *ret_status)
{
	long long end = now_ms() + START_TIMEOUT_MS;

	for (;;) {
		pid_t r = waitpid(pid, ret_status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno == ECHILD) {
			*ret_status = 0; /* SIGCHLD ignored by the caller: the pid file check tells */
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, ret_status, 0);
			errno = ETIMEDOUT;
			return -1;
		}
		sleep_ms(10);
	}
}

/* Run dnsmasq: it forks the daemon and exits, non-zero with a message on stderr when it cannot start. */
static int daemon_start(char *const *argv, struct berth_error **err)
{
	static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
	_cleanup_close_ int errfd = sys_memfd_create("dnsmasq-stderr", MFD_CLOEXEC);
	_cleanup_free_ char *msg = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid;
	int r, status = 0;

	if (errfd < 0)
		return berth_error_set(err, errno, "start dnsmasq: memfd");
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	r = spawn_setup(&fa, &attr, errfd);
	if (r == 0)
		r = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return berth_error_set(err, r < 0 ? ENOMEM : r, "start '%s'", argv[0]);
	if (launcher_wait(pid, &status) < 0)
		return berth_error_set(err, errno, "start dnsmasq");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	msg = stderr_text(errfd);
	if (msg && strncmp(msg, "dnsmasq: ", 9) == 0)
		return berth_error_set(err, 0, "start dnsmasq: %s", msg + 9);
	if (msg)
		return berth_error_set(err, 0, "start dnsmasq: %s", msg);
	return berth_error_set(err, 0, "start dnsmasq: exit status %d", proc_status_to_code(status));
}

/* Whether ip is an address of the interface ifname now. */
static bool address_is_up(const char *ifname, const struct net_ip *ip)
{
	struct ifaddrs *list = NULL;
	bool found = false;

	if (getifaddrs(&list) < 0)
		return false;
	for (struct ifaddrs *a = list; a && !found; a = a->ifa_next) {
		const struct sockaddr *sa = a->ifa_addr;
		if (!sa || strcmp(a->ifa_name, ifname) != 0 || sa->sa_family != ip->family)
			continue;
		if (sa->sa_family == AF_INET)
			found = memcmp(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip->bytes, 4) == 0;
		else if (sa->sa_family == AF_INET6)
			found = memcmp(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip->bytes, 16) == 0;
	}
	freeifaddrs(list);
	return found;
}

/*
 * Whether a UDP socket is bound to ip port 53 in this network namespace:
 * /proc/net/udp{,6} print an address as its 32-bit words in hex, each as the
 * kernel holds it in memory, so the words are formatted the same way here.
 */
static bool udp_is_bound(const struct net_ip *ip)
{
	_cleanup_free_ char *text = NULL;
	char want[48] = "";
	size_t words = ip->family == AF_INET ? 1 : 4;

	for (size_t i = 0; i < words; i++) {
		uint32_t w;
		memcpy(&w, ip->bytes + 4 * i, 4);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%08X", w);
	}
	strcat(want, ":0035 ");
	if (fs_read_file_at(AT_FDCWD, ip->family == AF_INET ? "/proc/net/udp" : "/proc/net/udp6", &text, NULL, NULL) <
	    0)
		return false;
	return strstr(text, want) != NULL;
}

/* The last line of dnsmasq's log, for an error that says why it does not listen (NULL when none). */
static char *log_last_line(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, NET_DNS_LOG_FILE);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	char *start;

	if (fs_read_file_at(AT_FDCWD, path, &text, &len, NULL) < 0)
		return NULL;
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	start = strrchr(text, '\n');
	return len ? xstrdup(start ? start + 1 : text) : NULL;
}

static int wait_listening(const char *dir, const char *bridge_if, const struct net_ip *ip, const char *listen_ip,
			  struct berth_error **err)
{
	long long end = now_ms() + LISTEN_TIMEOUT_MS;
	_cleanup_free_ char *why = NULL;

	if (!address_is_up(bridge_if, ip))
		return 0; /* --bind-dynamic binds it when it comes */
	while (!udp_is_bound(ip)) {
		if (now_ms() >= end) {
			why = log_last_line(dir);
			return berth_error_set(err, ETIMEDOUT, "dnsmasq is not listening on '%s' port 53%s%s",
					       listen_ip, why ? ": " : "", why ? why : "");
		}
		sleep_ms(20);
	}
	return 0;
}

/* Under the lock: reload the running dnsmasq, or (re)start it. */
static int daemon_ensure(const char *dir, const char *bridge_if, const char *listen_ip, char *const *argv,
			 struct berth_error **err)
{
	_cleanup_free_ char *pid_path = xasprintf("%s/%s", dir, NET_DNS_PID_FILE);
	_cleanup_close_ int pidfd = -1;
	struct net_ip ip;
	bool same = false;

	if (net_ip_parse(listen_ip, &ip, err) < 0)
		return -1;
	pidfd = daemon_find(dir, argv, &same);
	if (pidfd >= 0 && same) {
		if (sys_pidfd_send_signal(pidfd, SIGHUP, 0) == 0)
			return 0;
		if (errno != ESRCH)
			return berth_error_set(err, errno, "reload dnsmasq of '%s'", dir);
	} else if (pidfd >= 0 && daemon_kill(pidfd, dir, err) < 0) {
		return -1;
	}
	/* none yet, it died, or its listen address or upstreams changed: (re)start */
	if (unlink(pid_path) < 0 && errno != ENOENT)
		return berth_error_set(err, errno, "remove '%s'", pid_path);
	cleanup_closep(&pidfd);
	if (daemon_start(argv, err) < 0)
		return -1;
	pidfd = daemon_find(dir, argv, &same);
	if (pidfd < 0) {
		_cleanup_free_ char *why = log_last_line(dir);
		return berth_error_set(err, 0, "dnsmasq of '%s' is not running after its start%s%s", dir,
				       why ? ": " : "", why ? why : "");
	}
	if (wait_listening(dir, bridge_if, &ip, listen_ip, err) < 0) {
		daemon_kill(pidfd, dir, NULL); /* the next apply starts afresh */
		return -1;
	}
	return 0;
}

int net_dns_apply(const char *dir, const char *bridge_if, const char *listen_ip, const struct net_dns_record *recs,
		  size_t n, char *const *upstreams, struct berth_error **err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *hosts = NULL;
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int dirfd = -1;

	if (!bridge_if || !net_ifname_is_valid(bridge_if))
		return berth_error_set(err, 0, "invalid bridge name '%s'", bridge_if ? bridge_if : "");
	if (net_dns_argv(dir, listen_ip, upstreams, &argv, err) < 0)
		return -1;
	hosts = net_dns_hosts_render(recs, n);
	if (dns_lock(dir, true, &lock, err) < 0)
		return -1;
	if (fs_mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
		return -1;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0)
		return berth_error_set(err, errno, "open '%s'", dir);
	if (fs_write_file_atomic_at(dirfd, NET_DNS_HOSTS_FILE, hosts, strlen(hosts), 0644, err) < 0)
		return berth_error_wrap(err, "dns of '%s'", dir);
	return daemon_ensure(dir, bridge_if, listen_ip, argv, err);
}

int net_dns_stop(const char *dir, struct berth_error **err)
{
	_cleanup_free_ char *lock_path = NULL;
	_cleanup_close_ int lock = -1;
	_cleanup_close_ int pidfd = -1;
	bool same;

	if (!dir || dir[0] != '/')
		return berth_error_set(err, 0, "invalid dns directory '%s'", dir ? dir : "");
	if (dns_lock(dir, false, &lock, err) < 0)
		return -1;
	pidfd = daemon_find(dir, NULL, &same);
	if (pidfd >= 0 && daemon_kill(pidfd, dir, err) < 0)
		return -1;
	if (fs_rm_rf_at(AT_FDCWD, dir, err) < 0)
		return -1;
	if (lock >= 0) {
		/* others waiting on it retry on the new file (dns_lock) */
		lock_path = xasprintf("%s.lock", dir);
		if (unlink(lock_path) < 0 && errno != ENOENT)
			return berth_error_set(err, errno, "remove '%s'", lock_path);
	}
	return 0;
}
