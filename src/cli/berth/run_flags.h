/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flags of `berth run` and `berth create` (docker's set) and their translation
 * into Docker's ContainerCreate request body (Engine API v1.41 field names) plus the
 * settings only the CLI acts on (name, pull, detach, attach, cidfile, ...).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "cli/berth/options.h"

struct berth_error;

/* Filled by bcli_parse from bcli_run_opts/bcli_create_opts; strings point into argv, lists are owned. */
struct bcli_run_flags {
	/* lists (free with bcli_opts_done) */
	char **add_host, **attach, **cap_add, **cap_drop, **device, **dns, **dns_option, **dns_search, **env,
		**env_file, **expose, **gidmap, **group_add, **label, **label_file, **link, **log_opt, **mount,
		**network, **network_alias, **publish, **security_opt, **sysctl, **tmpfs, **uidmap, **ulimit, **volume,
		**volumes_from, **time_offset;
	/* strings: NULL when not given */
	const char *blkio_weight, *cgroup_parent, *cgroupns, *cidfile, *cpus, *cpuset_cpus, *cpuset_mems, *detach_keys,
		*domainname, *entrypoint, *health_cmd, *health_interval, *health_start_interval, *health_start_period,
		*health_timeout, *hostname, *ip, *ip6, *ipc, *kernel_memory, *log_driver, *mac_address, *memory,
		*memory_reservation, *memory_swap, *name, *pid, *platform, *pull, *restart, *runtime, *shm_size,
		*stop_signal, *stop_timeout, *user, *userns, *uts, *workdir;
	int cpu_period, cpu_quota, cpu_shares, health_retries, memory_swappiness, oom_score_adj, pids_limit;
	bool detach, init, interactive, no_healthcheck, oom_kill_disable, privileged, publish_all, quiet, read_only, rm,
		sig_proxy, tty;
};

/* The flag tables: run's has create's flags plus -d, --detach-keys and --sig-proxy. */
extern const struct bcli_opt bcli_run_opts[];
extern const struct bcli_opt bcli_create_opts[];

/* What `run`/`create` needs: the request body and the settings the CLI acts on itself. */
struct bcli_run_request {
	json_t *body;	   /* {"Config":{…},"HostConfig":{…},"NetworkingConfig":{…}}, owned */
	char *name;	   /* --name, or NULL */
	char *pull;	   /* "missing", "always" or "never" */
	char *platform;	   /* --platform, or NULL */
	bool detach;	   /* -d */
	bool interactive;  /* -i */
	bool tty;	   /* -t */
	bool rm;	   /* --rm */
	bool sig_proxy;	   /* --sig-proxy (true by default; create: false) */
	bool quiet;	   /* -q: no pull progress */
	char *detach_keys; /* --detach-keys, or NULL */
	char *cidfile;	   /* --cidfile, or NULL */
	char **attach;	   /* streams to attach ("stdin", "stdout", "stderr"), NULL-terminated; empty when detached */
};

/*
 * Turn parsed flags and the positionals (IMAGE [COMMAND [ARG...]]) into *ret
 * as the docker CLI does: validation, files read (--env-file, --label-file,
 * seccomp profiles), environment looked up for "-e KEY". args must hold at
 * least the image (the caller checks the count). On failure err holds docker's
 * one-line message and *ret is untouched; release *ret with bcli_run_request_done.
 */
int bcli_run_request_build(const struct bcli_run_flags *f, const struct bcli_args *args, struct bcli_run_request *ret,
			   struct berth_error **err);
void bcli_run_request_done(struct bcli_run_request *r);

/*
 * bcli_parse with run's table (NO_INTERSPERSED) followed by bcli_run_request_build,
 * for callers and tests that hold a raw argv (after the command name). Fails with
 * "requires at least 1 argument" when no image is given.
 */
int bcli_run_parse(int argc, char **argv, struct bcli_run_request *ret, struct berth_error **err);
