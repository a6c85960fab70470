/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: what the spec_*.c files share: the build context and each part's entry point. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "engine/spec.h"

struct berth_error;

/* One build: the inputs, HostConfig (an empty object when absent) and what the parts decide. */
struct spec_ctx {
	const struct eng_spec_input *in;
	json_t *config;
	json_t *hc;
	bool privileged;
	uint64_t caps;	 /* the final capability set, bit per CAP_* number */
	char **warnings; /* NULL-terminated, each ending in ", ignoring" */
};

/* Lenient field access: a missing key or a value of another type reads as absent. */
const char *spec_str(json_t *obj, const char *key); /* NULL when absent or "" */
int64_t spec_int(json_t *obj, const char *key);	    /* 0 when absent */
bool spec_bool(json_t *obj, const char *key);
void spec_warn(struct spec_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append the strings of a NULL-terminated vector to a new JSON array. */
json_t *spec_strv_json(const char *const *v);

/* spec_user.c: resolve Config.User and HostConfig.GroupAdd against the rootfs. */
struct spec_user {
	uid_t uid;
	gid_t gid;
	gid_t *sgids; /* additional gids, in order, no duplicates */
	size_t n_sgids;
	char *home; /* from passwd, else "/root" for uid 0 and "/" otherwise */
};
int spec_user_resolve(int rootfs_fd, const char *user, json_t *group_add, struct spec_user *ret,
		      struct berth_error **err);
void spec_user_done(struct spec_user *u);

/* spec_security.c: capabilities, seccomp, AppArmor, no_new_privileges, masked and readonly paths. */
int spec_caps_compute(json_t *hc, bool privileged, uint64_t *ret, struct berth_error **err);
int spec_security_apply(struct spec_ctx *ctx, json_t *spec, struct berth_error **err);
/* All devices under the host's /dev (dirfd), as linux.devices entries; pts, shm, mqueue skipped. */
json_t *spec_host_devices(int dev_fd);

/* spec_seccomp.c: Docker's default profile, and Docker-format profiles, as linux.seccomp for caps and arch. */
json_t *spec_seccomp_default(uint64_t caps, const char *arch);
int spec_seccomp_from_profile(const char *text, uint64_t caps, const char *arch, json_t **ret,
			      struct berth_error **err);

/* spec_mounts.c: the mounts array, Docker's defaults then the user's sorted by destination depth. */
int spec_mounts_build(struct spec_ctx *ctx, json_t *spec, struct berth_error **err);

/* spec_resources.c: linux.resources, devices, sysctl, cgroupsPath, rlimits and oomScoreAdj. */
int spec_resources_build(struct spec_ctx *ctx, json_t *spec, struct berth_error **err);
