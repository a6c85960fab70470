/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the pure core of `berth run`: merging an image's config into a new
 * container's Config (as dockerd does at create), and turning Config and
 * HostConfig into the OCI runtime-spec config.json with Docker's defaults.
 */
#pragma once

#include <stdbool.h>

#include <jansson.h>

struct berth_error;

/*
 * Merge the image's "config" object (image_config, borrowed, may be NULL) into
 * a container's Docker Config (modified in place), as dockerd does at create:
 * User, WorkingDir and StopSignal when the container has none; Env by key (the
 * container's value wins, the image's other entries are appended); Cmd and
 * Entrypoint (no Entrypoint and no Cmd: the image's Cmd; no Entrypoint at all:
 * the image's Entrypoint; a user Entrypoint drops the image's Cmd; an
 * Entrypoint of [""] resets it to none); ExposedPorts and Volumes as unions;
 * Labels (the image's, then the container's over them); Healthcheck (fields
 * the container leaves unset come from the image). OnBuild is not copied.
 * Returns 0, or -1 with *err set when a field has the wrong JSON type.
 */
int eng_spec_merge_image(json_t *config, json_t *image_config, struct berth_error **err);

/*
 * Resolve a volume to its host directory: a named volume (name set, from
 * HostConfig.Binds "name:/dst" or a Mounts entry of Type "volume") or the
 * anonymous volume at dest (name NULL: Config.Volumes, Binds "/dst", a volume
 * Mount without Source). Returns a new string (spec frees it), or NULL with
 * *err set.
 */
typedef char *(*eng_spec_volume_fn)(void *userdata, const char *name, const char *dest, struct berth_error **err);

struct eng_spec_input {
	const char *id;		   /* the container's 64-hex id */
	json_t *config;		   /* Docker Config with the image merged in; borrowed */
	json_t *host_config;	   /* Docker HostConfig; borrowed, may be NULL */
	const char *rootfs;	   /* absolute path of the rootfs (root.path) */
	int rootfs_fd;		   /* dirfd of the rootfs for /etc/passwd and /etc/group; -1: none */
	const char *hostname_path; /* host files bound at /etc/hostname, /etc/hosts, */
	const char *hosts_path;	   /* /etc/resolv.conf; NULL: that one is not mounted */
	const char *resolv_conf_path;
	const char *init_path;	   /* host path of berth-init for HostConfig.Init; NULL: Init is an error */
	const char *netns_path;	   /* network namespace to join (container:X resolved, or a bridge netns); NULL: new */
	const char *pidns_path;	   /* PidMode container:X resolved to a namespace path */
	const char *ipcns_path;	   /* IpcMode container:X resolved to a namespace path */
	const char *utsns_path;	   /* UTS namespace to join (NetworkMode container:X), NULL: new */
	const char *shm_path;	   /* host dir bound at /dev/shm for IpcMode shareable and container:X */
	const char *host_hostname; /* hostname of the host for NetworkMode host; NULL: gethostname() */
	int host_dev_fd;	   /* dirfd of the host's /dev, walked for Privileged; -1: no host devices */
	bool cgroup_v1;		   /* the host runs cgroup v1: CgroupnsMode defaults to host */
	const char *arch;	   /* Go name of the seccomp architecture ("amd64", "arm64"); NULL: this build's */
	eng_spec_volume_fn volume_path;
	void *volume_userdata;
};

/*
 * Build the runtime-spec config.json for a container. Nothing is changed on
 * the host: the rootfs's /etc/passwd and /etc/group are read through
 * rootfs_fd, device nodes named by HostConfig.Devices and the blkio device
 * options are stat()ed, host_dev_fd is walked for Privileged. Bind sources
 * are not checked: creating missing Binds sources is the caller's business.
 * On success *ret_spec owns the new document and *ret_warnings (may be NULL
 * as an argument) a NULL-terminated vector of tolerated problems, each
 * ending in ", ignoring" (NULL when there are none). On failure returns -1
 * with *err set to one line naming the field ("HostConfig.Binds[1]: invalid
 * mode 'rx'", "no command specified"); the outputs are untouched.
 */
int eng_spec_build(const struct eng_spec_input *in, json_t **ret_spec, char ***ret_warnings, struct berth_error **err);
