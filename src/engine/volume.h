/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: a container's storage beyond its image: volumes of the local
 * driver (<root>/volumes/<name>/_data, as Docker keeps them), docker cp,
 * docker export and docker system df.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct berth_error;
struct eng;
struct eng_prune_filter;

/* ---- volumes --------------------------------------------------------------- */

/* Docker's rule for a local volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least). */
bool eng_volume_name_valid(const char *name);

struct eng_volume_create_opts {
	const char *name;     /* NULL: a generated 64-hex name */
	const char *driver;   /* NULL or "local": the only driver */
	char *const *labels;  /* "KEY=VALUE" or "KEY"; may be NULL */
	char *const *options; /* driver options "type=tmpfs", "device=tmpfs", "o=size=100m"; may be NULL */
	bool anonymous;	      /* made for a container's anonymous mount (prune removes it without -a) */
};

/*
 * docker volume create: the row and <root>/volumes/NAME/_data. A name that
 * exists already is no error (as dockerd) and keeps its settings. A device
 * (options type/device/o) is not mounted here but at first use. *ret_name
 * (caller frees) gets the name. Docker's messages for invalid names, driver
 * and options.
 */
int eng_volume_create(struct eng *e, const struct eng_volume_create_opts *o, char **ret_name, struct berth_error **err);
/* Docker's document: CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope. "no such volume: NAME". */
int eng_volume_inspect(struct eng *e, const char *name, json_t **ret, struct berth_error **err);
/*
 * docker volume ls rows (Name, Driver, Scope, Mountpoint, Labels as "k=v,...",
 * Links, Size) of the volumes matching every filter ("dangling=true|false",
 * "name=SUBSTRING", "label=KEY[=VALUE]", "driver=NAME"); an unknown filter
 * is an error as docker words it.
 */
int eng_volume_list(struct eng *e, char *const *filters, json_t **ret, struct berth_error **err);
/*
 * docker volume rm: refuses a volume a container refers to ("remove NAME:
 * volume is in use - [ID, ...]"); force: a missing volume is no error.
 */
int eng_volume_remove(struct eng *e, const char *name, bool force, struct berth_error **err);
/*
 * docker volume prune: remove unused anonymous volumes (all: every unused
 * volume) that f (NULL: none; labels only) matches. *ret_names
 * (NULL-terminated, never NULL on success) the removed ones, *ret_reclaimed
 * their bytes.
 */
int eng_volume_prune(struct eng *e, bool all, const struct eng_prune_filter *f, char ***ret_names,
		     int64_t *ret_reclaimed, struct berth_error **err);
/* Ids of the containers referring to the volume (NULL-terminated, never NULL on success). */
int eng_volume_users(struct eng *e, const char *name, char ***ret_ids, struct berth_error **err);
/* <root>/volumes/NAME/_data (caller frees). */
char *eng_volume_data_path(struct eng *e, const char *name);
/* Bytes of the files under path (hard links counted once); 0 for a missing path. */
int64_t eng_tree_size(const char *path);

/* ---- volumes of a container ------------------------------------------------- */

/*
 * The volumes a container document (Config, HostConfig, and its Mounts when
 * set) names, each once: named ones from HostConfig.Binds and Mounts, the
 * anonymous ones recorded in doc.Mounts. Pure. NULL-terminated, never NULL.
 */
char **eng_volume_refs(json_t *doc);
/*
 * Docker's Mounts array for Config and HostConfig (Type, Name, Source,
 * Destination, Driver, Mode, RW, Propagation): Binds, Mounts, and an
 * anonymous volume (Name "") for each Config.Volumes path that neither
 * covers. Sources of volumes are left "" for the caller. Pure; errors name
 * the field.
 */
int eng_volume_mounts_plan(json_t *config, json_t *host_config, json_t **ret, struct berth_error **err);
/*
 * At container create (after the image is merged into Config): doc.Mounts
 * from eng_volume_mounts_plan, named volumes created when missing, new
 * anonymous volumes for the rest. On failure the volumes made here are
 * removed again.
 */
int eng_volumes_for_container(struct eng *e, json_t *doc, struct berth_error **err);
/* docker rm -v: remove the anonymous volumes of doc.Mounts that no other container uses; errors are ignored. */
void eng_volumes_remove_anonymous(struct eng *e, json_t *doc);

/*
 * The volume callback of eng_spec_input (eng_spec_volume_fn) at container
 * start, in the monitor with the rootfs mounted. userdata is a struct
 * eng_volume_ctx. A named volume is created when missing; an anonymous one
 * is found by its destination in doc.Mounts. A device volume (--opt type=)
 * is mounted at its _data on first use. An empty volume gets a copy of what
 * the rootfs holds at dest (owners, modes, times, xattrs), unless the mount
 * asks for nocopy. Returns the host directory (caller frees) or NULL with
 * *err set.
 */
struct eng_volume_ctx {
	struct eng *e;
	json_t *doc;   /* the container's document (HostConfig, Mounts); borrowed */
	int rootfs_fd; /* the mounted rootfs, for the copy; -1: no copy */
};
char *eng_volume_path_cb(void *userdata, const char *name, const char *dest, struct berth_error **err);
/*
 * After the container's process is gone (the monitor's cleanup): unmount the
 * device volumes of doc that no other running container uses.
 */
void eng_volumes_release(struct eng *e, const char *id, json_t *doc);

/* ---- cp, export, df ----------------------------------------------------------- */

struct eng_cp_opts {
	bool archive;	  /* -a: keep the uid/gid of the source */
	bool follow_link; /* -L: follow a symlink that SRC names */
};
/*
 * docker cp CONTAINER:SRC DEST: dst "-" writes a tar of SRC to out_fd.
 * Paths in the container resolve inside its root (running: as its process
 * sees it, volumes included; else its overlay, mounted for the copy).
 * Docker's rules and messages for "/." and for existing or missing
 * destinations.
 */
int eng_ctr_cp_from(struct eng *e, const char *ctr, const char *src, const char *dst, int out_fd,
		    const struct eng_cp_opts *o, struct berth_error **err);
/* docker cp SRC CONTAINER:DEST: src "-" reads a tar from in_fd (DEST must be a directory). */
int eng_ctr_cp_to(struct eng *e, const char *ctr, const char *src, int in_fd, const char *dst,
		  const struct eng_cp_opts *o, struct berth_error **err);
/* docker export: the container's filesystem (its overlay, without volumes) as a tar to out_fd. */
int eng_ctr_export(struct eng *e, const char *ctr, int out_fd, struct berth_error **err);

/*
 * docker system df: {"Summary": [rows of Type, TotalCount, Active, Size,
 * Reclaimable], "Images": [image rows with Containers, SharedSize,
 * UniqueSize], "Containers": [ps rows with Size, LocalVolumes], "Volumes":
 * [rows of Name, Links, Size], "BuildCache": []}.
 */
int eng_system_df(struct eng *e, json_t **ret, struct berth_error **err);

/* ---- the pure core of cp ----------------------------------------------------------- */

/* What is known of the destination of a copy. */
struct eng_cp_dest {
	const char *path; /* as given (a trailing "/" or "/." matters) */
	bool exists, is_dir;
};
/* Where the source's tar is extracted and how its first path component is renamed. */
struct eng_cp_plan {
	char *dir;	   /* directory to extract into */
	char *rebase_from; /* first component of the entries (the source's base name), NULL: no renaming */
	char *rebase_to;
};
void eng_cp_plan_done(struct eng_cp_plan *p);
/*
 * Docker's archive.SplitPathDirEntry: "/a/b/" → ("/a", "b"), "/a/b/." →
 * ("/a/b", "."), "b" → (".", "b"). Both caller-freed.
 */
void eng_cp_split(const char *path, char **ret_dir, char **ret_base);
/*
 * Docker's archive.PrepareArchiveCopy: the plan for copying src (a file or,
 * src_is_dir, a directory) to dst. Errors: "cannot copy directory" (a
 * directory onto a file), "no such directory" (a file to a missing path that
 * ends in "/").
 */
int eng_cp_plan_make(const char *src, bool src_is_dir, const struct eng_cp_dest *dst, struct eng_cp_plan *ret,
		     struct berth_error **err);
