/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facade of store/: the SQLite database (berth.db) — schema, migrations and
 * row access. Persists; never decides: lookups return what is there and the
 * engine interprets it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/networks.h"

struct berth_error;
struct db;

/*
 * Open (creating when missing) the database at path, in WAL mode with a busy
 * timeout so that concurrent berth commands wait for each other, and bring
 * its schema up to date. *ret is owned by the caller (db_close).
 */
int db_open(const char *path, struct db **ret, struct berth_error **err);
void db_close(struct db *db);
static inline void db_closep(struct db **p)
{
	if (*p) {
		db_close(*p);
		*p = NULL;
	}
}
#define _cleanup_db_ __attribute__((cleanup(db_closep)))

/* The schema version this build writes (PRAGMA user_version). */
int db_schema_version(void);

/*
 * Transactions: db_begin takes the write lock at once (BEGIN IMMEDIATE) so
 * that read-modify-write sequences of two commands cannot interleave.
 * db_rollback is safe to call when no transaction is open.
 */
int db_begin(struct db *db, struct berth_error **err);
int db_commit(struct db *db, struct berth_error **err);
void db_rollback(struct db *db);

/* ---- images ---------------------------------------------------------- */

/* One image: its id is the digest of its config blob. */
struct db_image {
	char *id;			   /* "sha256:…" */
	char *manifest_digest;		   /* the manifest it came with, or NULL (docker-archive, import) */
	char *created;			   /* RFC 3339 from the config, or NULL */
	int64_t size;			   /* bytes of unpacked layer content */
	int64_t added;			   /* unix seconds when it entered the store */
	char *os, *architecture, *variant; /* from the config; variant may be NULL */
	char **diff_ids;		   /* NULL-terminated, bottom layer first */
};
void db_image_done(struct db_image *img);
void db_images_free(struct db_image *imgs, size_t n);

/* Insert or replace the image row and its layer list. */
int db_image_put(struct db *db, const struct db_image *img, struct berth_error **err);
/* The image with this exact id: 0 with ret->id == NULL when there is none. */
int db_image_get(struct db *db, const char *id, struct db_image *ret, struct berth_error **err);
/*
 * Ids of images whose hex part starts with prefix (a short id); up to max
 * (NULL-terminated strv in *ret, empty when none).
 */
int db_image_ids_by_prefix(struct db *db, const char *prefix, size_t max, char ***ret, struct berth_error **err);
/* Every image, newest first. */
int db_image_list(struct db *db, struct db_image **ret, size_t *ret_n, struct berth_error **err);
/* Delete the image row, its layer list, its tags and repo digests. */
int db_image_delete(struct db *db, const char *id, struct berth_error **err);
/* ---- tags and repo digests --------------------------------------------- */

/*
 * Names are full references: "docker.io/library/busybox:latest" for tags,
 * "docker.io/library/busybox@sha256:…" for repo digests.
 */
/* Point name at image_id (moving it from another image if it was there). */
int db_tag_set(struct db *db, const char *name, const char *image_id, struct berth_error **err);
/* Remove name; *ret_existed says whether it was there. */
int db_tag_delete(struct db *db, const char *name, bool *ret_existed, struct berth_error **err);
/* The image id a tag names: 0 with *ret NULL when none. */
int db_tag_get(struct db *db, const char *name, char **ret, struct berth_error **err);
/* Tags of an image, in the order they were set. */
int db_tags_of_image(struct db *db, const char *image_id, char ***ret, struct berth_error **err);
/* Unix seconds of the newest tag of the image, 0 when untagged. */
int64_t db_tag_last_time(struct db *db, const char *image_id);

int db_repo_digest_add(struct db *db, const char *name, const char *image_id, struct berth_error **err);
int db_repo_digest_get(struct db *db, const char *name, char **ret, struct berth_error **err);
int db_repo_digests_of_image(struct db *db, const char *image_id, char ***ret, struct berth_error **err);

/* ---- layers --------------------------------------------------------------- */

/* An unpacked layer, shared by every image that lists its diff id. */
struct db_layer {
	char *diff_id;	   /* "sha256:…" of the uncompressed tar */
	char *link;	   /* short name of its l/ link */
	int64_t size;	   /* unpacked bytes */
	char *blob_digest; /* the compressed blob kept for save and push, or NULL */
	char *media_type;  /* of that blob */
	int64_t blob_size;
};
void db_layer_done(struct db_layer *l);

int db_layer_put(struct db *db, const struct db_layer *l, struct berth_error **err);
/* 0 with ret->diff_id == NULL when the layer has no row. */
int db_layer_get(struct db *db, const char *diff_id, struct db_layer *ret, struct berth_error **err);
int db_layer_delete(struct db *db, const char *diff_id, struct berth_error **err);
/* Layers no image lists (garbage once no command is using them). */
int db_layers_unreferenced(struct db *db, struct db_layer **ret, size_t *ret_n, struct berth_error **err);
/* Every layer row (for garbage collection of stray directories). */
int db_layer_list(struct db *db, struct db_layer **ret, size_t *ret_n, struct berth_error **err);
void db_layers_free(struct db_layer *ls, size_t n);

/* Every blob digest a row refers to: image configs, manifests, layer blobs. */
int db_blob_refs(struct db *db, char ***ret, struct berth_error **err);

/* ---- containers ------------------------------------------------------------ */

/* One container: its static document and its State, both JSON text as the engine wrote them. */
struct db_container {
	char *id;	/* 64 hex */
	char *name;	/* without the leading '/' */
	char *image_id; /* "sha256:…" */
	char *created;	/* RFC 3339 */
	char *doc;	/* JSON: Path, Args, Config, HostConfig, ... */
	char *state;	/* JSON: Docker's State object */
	int restart_count;
	int64_t seq; /* creation order */
};
void db_container_done(struct db_container *c);
void db_containers_free(struct db_container *cs, size_t n);

/* Insert a new container; a name in use fails with code EEXIST and err naming the holder's id. */
int db_container_insert(struct db *db, struct db_container *c, struct berth_error **err);
/* The container with this exact id: 0 with ret->id == NULL when none. */
int db_container_get(struct db *db, const char *id, struct db_container *ret, struct berth_error **err);
/* The id of the container called name: 0 with *ret NULL when none. */
int db_container_id_by_name(struct db *db, const char *name, char **ret, struct berth_error **err);
/* Ids starting with prefix (hex only), at most max. */
int db_container_ids_by_prefix(struct db *db, const char *prefix, size_t max, char ***ret, struct berth_error **err);
/* Every container, newest first. */
int db_container_list(struct db *db, struct db_container **ret, size_t *ret_n, struct berth_error **err);
int db_container_set_state(struct db *db, const char *id, const char *state, struct berth_error **err);
int db_container_set_doc(struct db *db, const char *id, const char *doc, struct berth_error **err);
int db_container_set_restart_count(struct db *db, const char *id, int n, struct berth_error **err);
/* Rename; EEXIST as for insert. */
int db_container_rename(struct db *db, const char *id, const char *name, struct berth_error **err);
int db_container_delete(struct db *db, const char *id, struct berth_error **err);
/* Ids of the containers made from image_id. */
int db_containers_of_image(struct db *db, const char *image_id, char ***ret, struct berth_error **err);

/* ---- volumes ------------------------------------------------------------- */

/* One volume of the local driver; its data lives under <root>/volumes/<name>/_data. */
struct db_volume {
	char *name;
	char *driver;  /* "local" */
	char *created; /* RFC 3339 */
	char *labels;  /* JSON object */
	char *options; /* JSON object: the driver options (type, device, o) */
	bool anonymous;
};
void db_volume_done(struct db_volume *v);
void db_volumes_free(struct db_volume *vs, size_t n);

/* Insert a new volume; a name in use fails with code EEXIST. */
int db_volume_insert(struct db *db, const struct db_volume *v, struct berth_error **err);
/* The volume called name: 0 with ret->name == NULL when none. */
int db_volume_get(struct db *db, const char *name, struct db_volume *ret, struct berth_error **err);
/* Every volume, by name. */
int db_volume_list(struct db *db, struct db_volume **ret, size_t *ret_n, struct berth_error **err);
int db_volume_delete(struct db *db, const char *name, struct berth_error **err);
