/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: containers as Docker knows them. A container is created from
 * Docker's ContainerCreate request body (Config, HostConfig,
 * NetworkingConfig); its static document and its State are JSON rows in the
 * database; a monitor process per running container (a hidden subcommand of
 * berth, double-forked and setsid, like conmon) runs it through the runtime
 * library, writes its logs, records its exit and applies its restart policy.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct berth_error;
struct eng;

/* A container loaded from the database. doc and state are owned JSON objects. */
struct eng_ctr {
	char *id;
	char *name; /* without '/' */
	char *image_id;
	json_t *doc;   /* Id, Created, Path, Args, Config, HostConfig, ... (without State) */
	json_t *state; /* Docker's State object */
	int restart_count;
	int64_t seq;
};
void eng_ctr_free(struct eng_ctr *c);
static inline void eng_ctr_freep(struct eng_ctr **p)
{
	if (*p) {
		eng_ctr_free(*p);
		*p = (struct eng_ctr *)0;
	}
}
#define _cleanup_ctr_ __attribute__((cleanup(eng_ctr_freep)))

/*
 * Find a container by full id, name (a leading '/' accepted) or unique id
 * prefix, as docker does. 0 with *ret NULL when none; an ambiguous prefix
 * is an error. The State is brought up to date first: a container whose
 * monitor is gone (crash, reboot) is recorded as exited.
 */
int eng_ctr_lookup(struct eng *e, const char *name, struct eng_ctr **ret, struct berth_error **err);
/* eng_ctr_lookup with "No such container: NAME" when nothing matches. */
int eng_ctr_find(struct eng *e, const char *name, struct eng_ctr **ret, struct berth_error **err);
/* Every container (newest first), states brought up to date. */
int eng_ctr_list_all(struct eng *e, struct eng_ctr ***ret, size_t *ret_n, struct berth_error **err);
void eng_ctrs_free(struct eng_ctr **v, size_t n);
/*
 * Read-modify-write of a container's State in one transaction: fn changes
 * the State it is given (the stored one, which may be newer than a loaded
 * copy: the monitor and the CLI both write it).
 */
int eng_ctr_update_state(struct eng *e, const char *id, void (*fn)(json_t *state, void *data), void *data,
			 struct berth_error **err);
/* Write c->state (and restart_count) back. */
int eng_ctr_save_state(struct eng *e, const struct eng_ctr *c, struct berth_error **err);

/* The container's directory under the persistent root, and its runtime directory (caller frees). */
char *eng_ctr_dir(struct eng *e, const char *id);
char *eng_ctr_rundir(struct eng *e, const char *id);
/* The runtime (berth-runtime library) state root all containers share. */
char *eng_runtime_root(struct eng *e);

/* State.Status values as docker's. */
#define ENG_STATUS_CREATED "created"
#define ENG_STATUS_RUNNING "running"
#define ENG_STATUS_PAUSED "paused"
#define ENG_STATUS_RESTARTING "restarting"
#define ENG_STATUS_EXITED "exited"
#define ENG_STATUS_REMOVING "removing"
#define ENG_STATUS_DEAD "dead"
const char *eng_ctr_status(const struct eng_ctr *c);
bool eng_ctr_is_running(const struct eng_ctr *c); /* running, paused or restarting */

/* ---- lifecycle --------------------------------------------------------- */

/*
 * docker create: from the request body (taken over: the caller keeps its
 * own reference). name NULL: generated. The image must be in the store (the
 * CLI pulls first). *ret_id gets the new id; *ret_warnings (may be NULL)
 * Docker's warnings. Nothing is left on failure.
 */
int eng_ctr_create(struct eng *e, json_t *body, const char *name, char **ret_id, char ***ret_warnings,
		   struct berth_error **err);

struct eng_start_opts {
	bool attach_wait;	  /* the monitor waits (up to 30 s) for an attach client before starting the process */
	const char *self;	  /* path of the berth binary to run the monitor with */
	char *const *global_args; /* berth's global options for the monitor's command line (--root ...) */
};
/* docker start: spawn the monitor and wait until the process runs or fails (its error). No-op when running. */
int eng_ctr_start(struct eng *e, const char *name, const struct eng_start_opts *o, struct berth_error **err);
/*
 * docker stop: the stop signal (Config.StopSignal, default SIGTERM), then
 * SIGKILL after timeout seconds (-1: StopTimeout or 10); waits for the exit.
 */
int eng_ctr_stop(struct eng *e, const char *name, int timeout, struct berth_error **err);
/* docker kill: a signal by name or number ("KILL", "SIGHUP", "9"); the container must be running. */
int eng_ctr_kill(struct eng *e, const char *name, const char *signal, struct berth_error **err);
/* docker restart: stop (timeout as stop), then start. */
int eng_ctr_restart(struct eng *e, const char *name, int timeout, const struct eng_start_opts *o,
		    struct berth_error **err);
/*
 * docker wait: block until the container is not running (condition
 * "not-running", default) or exits next ("next-exit") or is removed
 * ("removed"); *ret_code gets State.ExitCode.
 */
int eng_ctr_wait(struct eng *e, const char *name, const char *condition, int *ret_code, struct berth_error **err);
/* docker rm: refuses a running container unless force (then SIGKILL); volumes: anonymous volumes too. */
int eng_ctr_remove(struct eng *e, const char *name, bool force, bool volumes, struct berth_error **err);

/* ---- monitor ------------------------------------------------------------- */

/*
 * The monitor's body (berth's hidden "container-monitor" command), already
 * detached by the caller: ready_fd gets "ok\n" once the process runs, or
 * "error: <message>\n"; it is closed after that. Returns the exit code of
 * the monitor itself.
 */
int eng_monitor_run(struct eng *e, const char *id, int ready_fd, bool attach_wait);

/* Where berth-shim left off (its command line for `container-monitor --resume`). */
struct eng_monitor_resume {
	int status;	      /* the process's wait status */
	int listen_fd;	      /* the attach socket, or -1 */
	char *const *clients; /* "FD:STREAMS:HELLO" of the attached clients */
	int restarts;
	long backoff_ms;
	long long started;
};
/* The monitor after berth-shim: record the exit, then on as eng_monitor_run (restarts, AutoRemove). */
int eng_monitor_resume(struct eng *e, const char *id, const struct eng_monitor_resume *rs);

/* berth-shim's path (BERTH_SHIM_PATH, beside the berth binary, libexecdir), or NULL. Caller frees. */
char *eng_shim_path(void);

/*
 * berth-shim's body: serve a running container's stdio, attach clients and
 * log as the monitor did, then exec berth to resume the monitor. Returns
 * only on failure (its exit code).
 */
int eng_shim_main(int argc, char **argv);

/* ---- documents -------------------------------------------------------------- */

/* NetworkSettings of docker inspect (container_netinfo.c): endpoints, ports, sandbox. */
json_t *eng_ctr_network_settings(struct eng *e, const struct eng_ctr *c);
/* docker container inspect: the full document (doc + State + RestartCount + GraphDriver ...). */
int eng_ctr_inspect(struct eng *e, const char *name, json_t **ret, struct berth_error **err);
/* docker ps rows (all: stopped ones too), with Docker's template fields (ID, Image, Command, Names, ...). */
int eng_ctr_ps_rows(struct eng *e, bool all, json_t **ret, struct berth_error **err);

/* ---- files ---------------------------------------------------------------- */

/* Make the container's directory (upper, work, merged) and its hostname, hosts and resolv.conf files. */
int eng_ctr_files_create(struct eng *e, const char *id, json_t *doc, struct berth_error **err);
/*
 * The container's endpoints at create (container_net.c): on the network of
 * its NetworkMode and on each other of networking's EndpointsConfig (Docker's
 * NetworkingConfig). Nothing is left attached on failure.
 */
int eng_ctr_networks_attach(struct eng *e, const char *id, const char *name, json_t *doc, json_t *networking,
			    struct berth_error **err);
/*
 * The host id of container id in HostConfig.BerthIDMappings' which list
 * ("UIDMap" or "GIDMap"; the other when it is empty, as --uidmap alone maps
 * both); -1 when the id is not mapped or there are no mappings.
 */
long long eng_idmap_host_id(json_t *hc, const char *which, long long id);
/* /etc/hosts gets the container's address and hostname, once it has endpoints. */
int eng_ctr_files_network(struct eng *e, const char *id, json_t *doc, struct berth_error **err);
/* The resolv.conf a container gets: the host's, without loopback nameservers unless host_network. */
char *eng_resolv_conf(bool host_network);
/* The exit code docker run gives when starting failed with msg: 127 not found, 126 cannot invoke, else 125. */
int eng_start_error_code(const char *msg);
/* Record a restart: RestartCount = n. */
int eng_ctr_count_restart(struct eng *e, const char *id, int n);
/*
 * With HostConfig.BerthIDMappings (--uidmap/--gidmap): *ret_fd gets a user
 * namespace with those maps, for idmapped layers; -1 without mappings.
 */
int eng_ctr_userns_fd(json_t *hc, int *ret_fd, struct berth_error **err);

/* ---- repair and boot (boot.c) ------------------------------------------------ */

/*
 * Release what a dead monitor may have left of container id (doc: its
 * document, for device volumes): its processes (SIGKILL) with the runtime's
 * state and cgroup, the rootfs and shareable /dev/shm mounts, device volumes
 * no running container uses, stale sockets. Best effort, idempotent. The
 * caller makes sure no start of the container runs meanwhile: the State
 * refresh calls it inside the transaction that records the stale exit,
 * eng_ctr_start and boot under the start lock.
 */
void eng_ctr_release(struct eng *e, const char *id, json_t *doc);
/*
 * Take container id's start lock (an flock in its runtime directory), which
 * eng_ctr_start holds until the monitor reports, so that starts of one
 * container never overlap. While another start holds it, waits (up to a
 * minute) unless the container runs meanwhile. *ret_fd gets the fd holding
 * the lock (close to release), or -1 when the container runs.
 */
int eng_ctr_start_lock(struct eng *e, const char *id, int *ret_fd, struct berth_error **err);
/*
 * berth system boot, once after the machine started (berth-boot.service):
 * every container is repaired (States that say running become exited 255,
 * leftovers of dead monitors are released), AutoRemove ones that stopped are
 * removed, and those the restart policy keeps up are started again: always,
 * unless-stopped unless the user stopped it, on-failure after a non-zero
 * exit below its retry limit and not stopped by the user. Containers whose
 * monitor is alive are left alone. A container that fails to start is a
 * warning, not an error. *ret_started (may be NULL) gets the names started.
 */
int eng_system_boot(struct eng *e, const struct eng_start_opts *o, char ***ret_started, struct berth_error **err);

/* ---- bind mount sources (binds.c) -------------------------------------------- */

/*
 * docker create's check of HostConfig.Mounts: a bind whose source does not
 * exist is an error (Docker's "invalid mount config for type \"bind\": bind
 * source path does not exist: PATH").
 */
int eng_binds_check(json_t *host_config, struct berth_error **err);
/* Before a start: the missing host paths of HostConfig.Binds (-v) are made, directories 0755, as dockerd does. */
int eng_binds_create(json_t *host_config, struct berth_error **err);
