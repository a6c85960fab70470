/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the container commands beyond the lifecycle: pause and unpause,
 * rename, prune, top, stats and update, each with docker's rules and
 * messages, and their pure parts (ps -ef rows, CPU percentages).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct berth_error;
struct eng;
struct eng_ctr;

/* docker pause: freeze the container's processes; "Container ID is not running" when it is not. */
int eng_ctr_pause(struct eng *e, const char *name, struct berth_error **err);
/* docker unpause: thaw them; "Container ID is not paused" when it is not. */
int eng_ctr_unpause(struct eng *e, const char *name, struct berth_error **err);
/*
 * docker rename: new_name is checked (eng_name_validate) and must be free
 * ("Conflict. The container name "/x" is already in use by container "ID".
 * You have to remove (or rename) that container to be able to reuse that
 * name."); the same name is an error as in docker.
 */
int eng_ctr_rename(struct eng *e, const char *name, const char *new_name, struct berth_error **err);
/* The --filter of docker's prune commands, parsed. */
struct eng_prune_filter {
	bool has_until;
	int64_t until_ns;  /* until=: only what was created at or before this time */
	char **labels;	   /* label=: "k" or "k=v", all must match */
	char **not_labels; /* label!=: "k" or "k=v", what matches all of them is kept */
};
/*
 * Parse "KEY=VALUE" filters as dockerd's prune does: label, label! and, when
 * with_until (containers, images), one until=<timestamp|duration> relative
 * to now. Errors with Docker's messages ("invalid filter 'x'", "bad format of
 * filter (expected name=value)"); *ret untouched on failure.
 */
int eng_prune_filter_parse(char *const *filters, bool with_until, struct eng_prune_filter *ret,
			   struct berth_error **err);
/*
 * Whether an object with these labels (JSON object or NULL) and this creation
 * time (RFC 3339 or NULL: unknown, never matches an until) may be pruned; f
 * NULL matches everything.
 */
bool eng_prune_filter_match(const struct eng_prune_filter *f, json_t *labels, const char *created);
void eng_prune_filter_done(struct eng_prune_filter *f);

/*
 * docker container prune: remove every stopped container (created, exited,
 * dead) that f (NULL: none) matches. *ret_ids gets the ids removed
 * (NULL-terminated, NULL when none), *ret_reclaimed the bytes their
 * directories held.
 */
int eng_ctr_prune(struct eng *e, const struct eng_prune_filter *f, char ***ret_ids, int64_t *ret_reclaimed,
		  struct berth_error **err);

/* ---- top ---------------------------------------------------------------- */

/* What ps -ef shows of one process, read from /proc. */
struct eng_proc {
	pid_t pid, ppid;
	uid_t uid;
	unsigned long long utime, stime; /* clock ticks */
	unsigned long long start;	 /* clock ticks after boot */
	unsigned long tty_nr;		 /* field 7 of /proc/PID/stat */
	char *cmd;			 /* cmdline joined by spaces, or "[comm]" for kernel threads and zombies */
};
/* Read /proc/PID (proc_dir: "/proc" or a test fixture). */
int eng_proc_read(const char *proc_dir, pid_t pid, struct eng_proc *ret, struct berth_error **err);
void eng_proc_done(struct eng_proc *p);

/* What eng_top_row needs of the host: clock ticks per second, boot time, now, and uid names. */
struct eng_top_clock {
	long hz;
	time_t boot, now;
	const char *(*user_name)(uid_t uid, void *data); /* NULL or returns NULL: the number */
	void *data;
};
/*
 * One row of `ps -ef` for p as a JSON array of strings: UID (a name longer
 * than 8 cut to 7 and "+"), PID, PPID, C (CPU percent over the process's
 * life, at most 99), STIME (HH:MM today, MonDD this year, else YYYY, in
 * local time), TTY ("?", "pts/N", "ttyN"), TIME ([DD-]HH:MM:SS), CMD.
 */
json_t *eng_top_row(const struct eng_proc *p, const struct eng_top_clock *clk);

/*
 * docker top: Docker's ContainerTop answer {"Titles": [...], "Processes":
 * [[...], ...]}. ps_args NULL or empty: ps -ef columns from /proc; else the
 * host's ps runs with them and its rows are kept when their PID column is one
 * of the container's processes ("Couldn't find PID field in ps output" when
 * it has none). The container must be running.
 */
int eng_ctr_top(struct eng *e, const char *name, char *const *ps_args, json_t **ret, struct berth_error **err);
/* The pure part of the ps case: ps's output cut down to rows of pids (n of them), as eng_ctr_top answers. */
int eng_top_parse_ps(const char *output, const pid_t *pids, size_t n, json_t **ret, struct berth_error **err);

/* ---- stats -------------------------------------------------------------- */

/* One sample of a container's usage, as docker stats computes its columns from. */
struct eng_stats {
	uint64_t cpu_ns;    /* container's cpu time */
	uint64_t system_ns; /* host's cpu time (all cpus) at the same moment */
	unsigned online_cpus;
	uint64_t mem_usage, mem_limit; /* usage without inactive file cache; limit capped at host memory */
	uint64_t net_rx, net_tx, blk_read, blk_write, pids;
};
/* Take a sample of a running container (c as loaded). */
int eng_ctr_stats_sample(struct eng *e, const struct eng_ctr *c, struct eng_stats *ret, struct berth_error **err);
/*
 * Fill ret from a runtime stats line ({"type":"stats","data":{cpu, memory,
 * pids, blkio}}), host_mem the host's memory. Pure; -1 when the JSON is not such a line.
 */
int eng_stats_from_json(json_t *line, uint64_t host_mem, struct eng_stats *ret);
/* docker's CPU %: container delta / system delta * online cpus * 100; 0 without a positive delta. */
double eng_stats_cpu_percent(const struct eng_stats *prev, const struct eng_stats *cur);
/*
 * docker stats' row for cur (prev may be NULL: CPU 0): Container, Name, ID
 * (12 digits), CPUPerc, MemUsage ("208KiB / 64MiB"), MemPerc, NetIO, BlockIO,
 * PIDs, as the docker CLI's template fields.
 */
json_t *eng_stats_row(const char *container, const char *id, const char *name, const struct eng_stats *prev,
		      const struct eng_stats *cur);
/* go-units BytesSize: "208KiB", "64MiB", "1.5GiB". Caller frees. */
char *eng_bytes_size(double n);

/* ---- update ------------------------------------------------------------- */

/*
 * docker update: changes (Docker's UpdateConfig: Memory, MemorySwap,
 * MemoryReservation, NanoCpus, CpuShares, CpuPeriod, CpuQuota, CpusetCpus,
 * CpusetMems, PidsLimit, BlkioWeight, RestartPolicy; borrowed) are merged
 * into the container's HostConfig with docker's rules and recorded; a
 * running container gets them at once through the runtime.
 */
int eng_ctr_update(struct eng *e, const char *name, json_t *changes, struct berth_error **err);
/*
 * The pure merge of eng_ctr_update: changes into host_config (modified),
 * docker's conflicts as errors ("Conflicting options: ..."), zero values
 * leaving a setting as it is.
 */
int eng_update_merge(json_t *host_config, json_t *changes, struct berth_error **err);
