/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The flag tables of `berth run` and `berth create`: docker's names, shorthands, types and defaults. */
#include "cli/berth/run_flags.h"

#include <stddef.h>
#include <string.h>

#include "base/base.h"

#define S struct bcli_run_flags
#define L BCLI_OPT_LIST
#define STR BCLI_OPT_STRING
#define B BCLI_OPT_BOOL
#define I BCLI_OPT_INT

/* Shared by run and create; pflag sorts them for the help. */
#define COMMON_FLAGS                                                                                                   \
	BCLI_FLAGX("add-host", 0, L, S, add_host, "Add a custom host-to-IP mapping (host:ip)", NULL, "list"),          \
		BCLI_FLAGX("attach", 'a', L, S, attach, "Attach to STDIN, STDOUT or STDERR", NULL, "list"),            \
		BCLI_FLAGX("blkio-weight", 0, STR, S, blkio_weight,                                                    \
			   "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", NULL,       \
			   "uint16"),                                                                                  \
		BCLI_FLAGX("cap-add", 0, L, S, cap_add, "Add Linux capabilities", NULL, "list"),                       \
		BCLI_FLAGX("cap-drop", 0, L, S, cap_drop, "Drop Linux capabilities", NULL, "list"),                    \
		BCLI_FLAG("cgroup-parent", 0, STR, S, cgroup_parent, "Optional parent cgroup for the container"),      \
		BCLI_FLAG("cgroupns", 0, STR, S, cgroupns, "Cgroup namespace of the container: host or private"),      \
		BCLI_FLAG("cidfile", 0, STR, S, cidfile, "Write the container ID to the file"),                        \
		BCLI_FLAG("cpu-period", 0, I, S, cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period"),      \
		BCLI_FLAG("cpu-quota", 0, I, S, cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota"),         \
		BCLI_FLAG("cpu-shares", 'c', I, S, cpu_shares, "CPU shares (relative weight)"),                        \
		BCLI_FLAGX("cpus", 0, STR, S, cpus, "Number of CPUs", NULL, "decimal"),                                \
		BCLI_FLAG("cpuset-cpus", 0, STR, S, cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)"),       \
		BCLI_FLAG("cpuset-mems", 0, STR, S, cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)"),       \
		BCLI_FLAGX("device", 0, L, S, device, "Add a host device to the container", NULL, "list"),             \
		BCLI_FLAGX("dns", 0, L, S, dns, "Set custom DNS servers", NULL, "list"),                               \
		BCLI_FLAGX("dns-option", 0, L, S, dns_option, "Set DNS options", NULL, "list"),                        \
		BCLI_FLAGX("dns-search", 0, L, S, dns_search, "Set custom DNS search domains", NULL, "list"),          \
		BCLI_FLAG("domainname", 0, STR, S, domainname, "Container NIS domain name"),                           \
		BCLI_FLAG("entrypoint", 0, STR, S, entrypoint, "Overwrite the default ENTRYPOINT of the image"),       \
		BCLI_FLAGX("env", 'e', L, S, env, "Set environment variables", NULL, "list"),                          \
		BCLI_FLAGX("env-file", 0, L, S, env_file, "Read in a file of environment variables", NULL, "list"),    \
		BCLI_FLAGX("expose", 0, L, S, expose, "Expose a port or a range of ports", NULL, "list"),              \
		BCLI_FLAGX("gidmap", 0, L, S, gidmap, "GID map for the user namespace (container_id:host_id:amount)",  \
			   NULL, "list"),                                                                              \
		BCLI_FLAGX("group-add", 0, L, S, group_add, "Add additional groups to join", NULL, "list"),            \
		BCLI_FLAG("health-cmd", 0, STR, S, health_cmd, "Command to run to check health"),                      \
		BCLI_FLAGX("health-interval", 0, STR, S, health_interval,                                              \
			   "Time between running the check (ms|s|m|h) (default 0s)", NULL, "duration"),                \
		BCLI_FLAG("health-retries", 0, I, S, health_retries,                                                   \
			  "Consecutive failures needed to report unhealthy"),                                          \
		BCLI_FLAGX("health-start-interval", 0, STR, S, health_start_interval,                                  \
			   "Time between running the check during the start period (ms|s|m|h) (default 0s)", NULL,     \
			   "duration"),                                                                                \
		BCLI_FLAGX("health-start-period", 0, STR, S, health_start_period,                                      \
			   "Start period for the container to initialize before starting health-retries countdown "    \
			   "(ms|s|m|h) (default 0s)",                                                                  \
			   NULL, "duration"),                                                                          \
		BCLI_FLAGX("health-timeout", 0, STR, S, health_timeout,                                                \
			   "Maximum time to allow one check to run (ms|s|m|h) (default 0s)", NULL, "duration"),        \
		BCLI_FLAG("hostname", 'h', STR, S, hostname, "Container host name"),                                   \
		BCLI_FLAG("init", 0, B, S, init,                                                                       \
			  "Run an init inside the container that forwards signals and reaps processes"),               \
		BCLI_FLAG("interactive", 'i', B, S, interactive, "Keep STDIN open even if not attached"),              \
		BCLI_FLAG("ip", 0, STR, S, ip, "IPv4 address (e.g., 172.30.100.104)"),                                 \
		BCLI_FLAG("ip6", 0, STR, S, ip6, "IPv6 address (e.g., 2001:db8::33)"),                                 \
		BCLI_FLAG("ipc", 0, STR, S, ipc, "IPC mode to use"),                                                   \
		BCLI_FLAGX("kernel-memory", 0, STR, S, kernel_memory, "Kernel memory limit", NULL, "bytes"),           \
		BCLI_FLAGX("label", 'l', L, S, label, "Set meta data on a container", NULL, "list"),                   \
		BCLI_FLAGX("label-file", 0, L, S, label_file, "Read in a line delimited file of labels", NULL,         \
			   "list"),                                                                                    \
		BCLI_FLAGX("link", 0, L, S, link, "Add link to another container", NULL, "list"),                      \
		BCLI_FLAG("log-driver", 0, STR, S, log_driver, "Logging driver for the container"),                    \
		BCLI_FLAGX("log-opt", 0, L, S, log_opt, "Log driver options", NULL, "list"),                           \
		BCLI_FLAG("mac-address", 0, STR, S, mac_address, "Container MAC address (e.g., 92:d0:c6:0a:29:33)"),   \
		BCLI_FLAGX("memory", 'm', STR, S, memory, "Memory limit", NULL, "bytes"),                              \
		BCLI_FLAGX("memory-reservation", 0, STR, S, memory_reservation, "Memory soft limit", NULL, "bytes"),   \
		BCLI_FLAGX("memory-swap", 0, STR, S, memory_swap,                                                      \
			   "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", NULL, "bytes"),      \
		BCLI_FLAGX("memory-swappiness", 0, I, S, memory_swappiness,                                            \
			   "Tune container memory swappiness (0 to 100)", "-1", "int"),                                \
		BCLI_FLAGX("mount", 0, L, S, mount, "Attach a filesystem mount to the container", NULL, "mount"),      \
		BCLI_FLAG("name", 0, STR, S, name, "Assign a name to the container"),                                  \
		BCLI_FLAGX("network", 0, L, S, network, "Connect a container to a network", NULL, "network"),          \
		{"net", 0,	   L,	offsetof(S, network), "Connect a container to a network (docker's old name)",  \
		 NULL,	"network", true},                                                                              \
		BCLI_FLAGX("network-alias", 0, L, S, network_alias, "Add network-scoped alias for the container",      \
			   NULL, "list"),                                                                              \
		BCLI_FLAG("no-healthcheck", 0, B, S, no_healthcheck, "Disable any container-specified HEALTHCHECK"),   \
		BCLI_FLAG("oom-kill-disable", 0, B, S, oom_kill_disable, "Disable OOM Killer"),                        \
		BCLI_FLAG("oom-score-adj", 0, I, S, oom_score_adj, "Tune host's OOM preferences (-1000 to 1000)"),     \
		BCLI_FLAG("pid", 0, STR, S, pid, "PID namespace to use"),                                              \
		BCLI_FLAG("pids-limit", 0, I, S, pids_limit, "Tune container pids limit (set -1 for unlimited)"),      \
		BCLI_FLAG("platform", 0, STR, S, platform, "Set platform if server is multi-platform capable"),        \
		BCLI_FLAG("privileged", 0, B, S, privileged, "Give extended privileges to this container"),            \
		BCLI_FLAGX("publish", 'p', L, S, publish, "Publish a container's port(s) to the host", NULL, "list"),  \
		BCLI_FLAG("publish-all", 'P', B, S, publish_all, "Publish all exposed ports to random ports"),         \
		BCLI_FLAGX("pull", 0, STR, S, pull, "Pull image before creating (\"always\", \"missing\", \"never\")", \
			   "missing", "string"),                                                                       \
		BCLI_FLAG("quiet", 'q', B, S, quiet, "Suppress the pull output"),                                      \
		BCLI_FLAG("read-only", 0, B, S, read_only, "Mount the container's root filesystem as read only"),      \
		BCLI_FLAGX("restart", 0, STR, S, restart, "Restart policy to apply when a container exits", "no",      \
			   "string"),                                                                                  \
		BCLI_FLAG("rm", 0, B, S, rm, "Automatically remove the container and its volumes when it exits"),      \
		BCLI_FLAG("runtime", 0, STR, S, runtime, "Runtime to use for this container"),                         \
		BCLI_FLAGX("security-opt", 0, L, S, security_opt, "Security Options", NULL, "list"),                   \
		BCLI_FLAGX("shm-size", 0, STR, S, shm_size, "Size of /dev/shm", NULL, "bytes"),                        \
		BCLI_FLAG("stop-signal", 0, STR, S, stop_signal, "Signal to stop the container"),                      \
		BCLI_FLAGX("stop-timeout", 0, STR, S, stop_timeout, "Timeout (in seconds) to stop a container", NULL,  \
			   "int"),                                                                                     \
		BCLI_FLAGX("sysctl", 0, L, S, sysctl, "Sysctl options", NULL, "map"),                                  \
		BCLI_FLAGX("time-offset", 0, L, S, time_offset,                                                        \
			   "Clock offsets of a new time namespace (monotonic=SECONDS,boottime=SECONDS)", NULL,         \
			   "list"),                                                                                    \
		BCLI_FLAGX("tmpfs", 0, L, S, tmpfs, "Mount a tmpfs directory", NULL, "list"),                          \
		BCLI_FLAG("tty", 't', B, S, tty, "Allocate a pseudo-TTY"),                                             \
		BCLI_FLAGX("uidmap", 0, L, S, uidmap, "UID map for the user namespace (container_id:host_id:amount)",  \
			   NULL, "list"),                                                                              \
		BCLI_FLAGX("ulimit", 0, L, S, ulimit, "Ulimit options", NULL, "ulimit"),                               \
		BCLI_FLAG("user", 'u', STR, S, user, "Username or UID (format: <name|uid>[:<group|gid>])"),            \
		BCLI_FLAG("userns", 0, STR, S, userns, "User namespace to use"),                                       \
		BCLI_FLAG("uts", 0, STR, S, uts, "UTS namespace to use"),                                              \
		BCLI_FLAGX("volume", 'v', L, S, volume, "Bind mount a volume", NULL, "list"),                          \
		BCLI_FLAGX("volumes-from", 0, L, S, volumes_from, "Mount volumes from the specified container(s)",     \
			   NULL, "list"),                                                                              \
		BCLI_FLAG("workdir", 'w', STR, S, workdir, "Working directory inside the container")

const struct bcli_opt bcli_create_opts[] = {
	COMMON_FLAGS,
	BCLI_OPT_END,
};

const struct bcli_opt bcli_run_opts[] = {
	COMMON_FLAGS,
	BCLI_FLAG("detach", 'd', B, S, detach, "Run container in background and print container ID"),
	BCLI_FLAG("detach-keys", 0, STR, S, detach_keys, "Override the key sequence for detaching a container"),
	BCLI_FLAGX("sig-proxy", 0, B, S, sig_proxy, "Proxy received signals to the process", "true", NULL),
	BCLI_OPT_END,
};

int bcli_run_parse(int argc, char **argv, struct bcli_run_request *ret, struct berth_error **err)
{
	struct bcli_run_flags f;
	struct bcli_args args = {0};
	int r;

	memset(&f, 0, sizeof(f));
	if (bcli_parse(bcli_run_opts, &f, argc, argv, BCLI_PARSE_NO_INTERSPERSED, &args, err) < 0) {
		bcli_opts_done(bcli_run_opts, &f);
		return -1;
	}
	if (args.n < 1)
		r = berth_error_set(err, 0, "\"run\" requires at least 1 argument");
	else
		r = bcli_run_request_build(&f, &args, ret, err);
	bcli_args_done(&args);
	bcli_opts_done(bcli_run_opts, &f);
	return r;
}
