/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: images as Docker shows them: lookup by name or id, recording what
 * image/ stored into the database, listing, inspect documents, tags,
 * removal and garbage collection, history.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct berth_error;
struct eng;
struct eng_prune_filter;
struct img_ref;

/*
 * The image id name means, as docker does: a full id ("sha256:…" or 64
 * hex), a tag or digest reference ("busybox" is docker.io/library/busybox:latest),
 * else a unique id prefix. 0 with *ret_id NULL when nothing matches; an
 * ambiguous prefix or a malformed name is an error.
 */
int eng_image_resolve(struct eng *e, const char *name, char **ret_id, struct berth_error **err);
/* The short l/ links of an image's unpacked layers, top first (for an overlay mount). */
int eng_image_layer_links(struct eng *e, const char *image_id, char ***ret, struct berth_error **err);
/* eng_image_resolve, with "No such image: NAME" when nothing matches. */
int eng_image_find(struct eng *e, const char *name, char **ret_id, struct berth_error **err);

/* One layer of an image being recorded, as image/ unpacked and stored it. */
struct eng_layer_in {
	char diff_id[DIGEST_STR_SIZE];
	char link[32];
	int64_t size;
	char blob_digest[DIGEST_STR_SIZE]; /* empty when no blob is kept */
	const char *media_type;
	int64_t blob_size;
};

/*
 * Record an image whose config blob and layers are in the store: the config
 * is read and checked against the layers (its diff_ids), then rows for the
 * layers, the image, the tags (full reference names; a tag moves from
 * another image, which may become dangling) and the repo digest (may be NULL)
 * are written in one transaction.
 */
int eng_image_record(struct eng *e, const char *config_digest, const char *manifest_digest,
		     const struct eng_layer_in *layers, size_t n_layers, char *const *tags, const char *repo_digest,
		     struct berth_error **err);

/* Tag: the image source names gets the reference target (default tag latest). */
int eng_image_tag(struct eng *e, const char *source, const char *target, struct berth_error **err);

/* What a removal did, in Docker's words: "Untagged: busybox:latest", "Deleted: sha256:…". */
struct eng_removed {
	char **lines;	   /* NULL-terminated */
	int64_t reclaimed; /* bytes of layers removed */
};
void eng_removed_done(struct eng_removed *r);

/*
 * docker rmi NAME: untag the reference, and delete the image once no tag
 * is left; by id: delete it, refused when it is tagged in several
 * repositories unless force.
 */
int eng_image_remove(struct eng *e, const char *name, bool force, struct eng_removed *out, struct berth_error **err);
/*
 * docker image prune: dangling images (all: every image) that no container
 * uses and f (NULL: none) matches (the config's created and Labels).
 */
int eng_image_prune(struct eng *e, bool all, const struct eng_prune_filter *f, struct eng_removed *out,
		    struct berth_error **err);
/*
 * Remove layers and blobs no image refers to any more. Skipped quietly
 * when another command is adding content (it will be collected next time).
 */
int eng_image_gc(struct eng *e, int64_t *ret_reclaimed, struct berth_error **err);

/*
 * Rows of docker images as JSON objects with Docker's template fields
 * (ID, Repository, Tag, Digest, CreatedSince, CreatedAt, Size, ...), one per
 * tag (an untagged image gives one "<none>" row, shown only with all or when dangling).
 */
int eng_image_list(struct eng *e, bool all, json_t **ret, struct berth_error **err);
/* docker image inspect NAME: Docker's document. */
int eng_image_inspect(struct eng *e, const char *name, json_t **ret, struct berth_error **err);
/* docker history NAME: rows with ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment (newest first). */
int eng_image_history(struct eng *e, const char *name, json_t **ret, struct berth_error **err);

/* ---- pull ------------------------------------------------------------------ */

/* Progress of a pull or push: one line at a time ("abc123: Pull complete"); id may be NULL. */
struct eng_progress {
	void (*line)(void *data, const char *id, const char *status);
	/* Bytes of one layer so far (a terminal draws bars from it); may be NULL. */
	void (*bytes)(void *data, const char *id, const char *action, int64_t done, int64_t total);
	void *data;
};

struct eng_pull_opts {
	const char *platform; /* "linux/arm64", NULL: the host's */
	bool tls_verify;      /* false: --tls-verify=false (plain http, any certificate) */
	bool quiet;
};

/*
 * docker pull NAME: the image by tag or digest, from the built-in archive
 * (docker.io/library/busybox:latest while it is configured) or its registry.
 * *ret_id gets the image id; *ret_name the full reference pulled.
 */
int eng_image_pull(struct eng *e, const char *name, const struct eng_pull_opts *opts, const struct eng_progress *p,
		   char **ret_id, char **ret_name, struct berth_error **err);
/* The registry half of eng_image_pull, for a parsed reference with a tag or digest. */
int eng_image_pull_registry(struct eng *e, const struct img_ref *ref, const struct eng_pull_opts *opts,
			    const struct eng_progress *p, char **ret_id, struct berth_error **err);

/* ---- archives: load, save, import ---------------------------------------- */

/*
 * docker load: read an image archive (docker-archive or oci-archive, plain
 * or compressed) from fd, unpack its layers and record its images with the
 * tags it names. *ret_lines gets Docker's output, one line each ("Loaded
 * image: busybox:latest", "Loaded image ID: sha256:…"; NULL-terminated,
 * caller frees). quiet is accepted as docker's -q (there is no progress to
 * hide). On failure nothing the archive brought is left: no blob, layer or
 * row.
 */
int eng_image_load(struct eng *e, int fd, bool quiet, char ***ret_lines, struct berth_error **err);

/*
 * docker save: write the images names name (tags, ids, or repositories,
 * which mean all of their tags) to out_fd as one archive in Docker 25's
 * format. An image named by id is saved without tags; an image named
 * twice is saved once, with every tag that named it.
 */
int eng_image_save(struct eng *e, char *const *names, size_t n, int out_fd, struct berth_error **err);

struct eng_import_opts {
	char *const *changes; /* Dockerfile lines: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER,
				 VOLUME, WORKDIR */
	const char *message;  /* the history comment, or NULL for "Imported from -" */
	const char *platform; /* "os/arch[/variant]", or NULL for the host */
	const char *tag;      /* REPOSITORY[:TAG] to tag the image with, or NULL */
	int64_t created;      /* unix seconds for the config's times (reproducible builds), or -1: now */
};

/*
 * docker import: the rootfs tarball read from fd (plain or compressed)
 * becomes a one-layer image, its config made from opts->changes. The
 * changes are all checked before anything is stored. *ret_id gets the new
 * image id ("sha256:…", caller frees).
 */
int eng_image_import(struct eng *e, int fd, const struct eng_import_opts *opts, char **ret_id,
		     struct berth_error **err);

/* ---- push ------------------------------------------------------------------ */

struct eng_push_opts {
	bool all_tags;	 /* NAME is a repository: push every tag of it (docker push -a) */
	bool tls_verify; /* false: --tls-verify=false (plain http, any certificate) */
};

/*
 * docker push NAME[:TAG] (default tag latest): every layer blob (made from
 * the layer's directory and kept when the layer has none), the config, then
 * the manifest: the one the image came with when it lists exactly these
 * blobs, else a new one (Docker schema2 when every layer is gzip, else
 * OCI), put by tag. Progress: "The push refers to repository [NAME]",
 * per layer (12 hex of its diff id) "Preparing", "Pushing" (bytes),
 * "Pushed" or "Layer already exists", then "TAG: digest: sha256:… size: N".
 * The image gets the repo digest row "REPO@sha256:…". *ret_digest (may be
 * NULL) gets the manifest digest of the last tag pushed (caller frees).
 * An unknown NAME is "An image does not exist locally with the tag: NAME".
 */
int eng_image_push(struct eng *e, const char *name, const struct eng_push_opts *opts, const struct eng_progress *p,
		   char **ret_digest, struct berth_error **err);
