/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker pull from a registry: the manifest (through an index for the
 * platform), the config, the layer blobs downloaded three at a time and
 * unpacked in order, then one transaction of rows. A failure leaves nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "oci/oci.h"
#include "store/store.h"

/* As Docker's max-concurrent-downloads default. */
#define MAX_DOWNLOADS 3
#define CONFIG_MAX (8u << 20)

enum layer_state {
	LAYER_SKIPPED, /* unpacked already: nothing to do */
	LAYER_QUEUED,  /* waiting for a download slot */
	LAYER_ACTIVE,  /* being downloaded */
	LAYER_FETCHED, /* its blob is in the store */
	LAYER_FAILED,
};

struct pull;

struct pull_layer {
	struct pull *pl;
	const struct oci_descriptor *desc;
	const char *diff_id;
	char id[13]; /* Docker's progress id: 12 hex of the blob digest */
	enum layer_state state;
	bool blob_added, layer_added; /* this pull stored them: removed on failure */
	struct eng_layer_in in;
};

struct pull {
	struct eng *e;
	struct img_registry *reg;
	const struct img_ref *ref;
	const struct eng_progress *p;
	pthread_mutex_t progress_mu; /* progress callbacks come from several threads */
	pthread_mutex_t mu;	     /* guards the states, next, stop and first_err */
	pthread_cond_t cond;
	struct pull_layer *layers;
	size_t n, next;
	bool stop;
	struct berth_error *first_err;
	/* what the pull resolved and stored */
	char *manifest_data;
	size_t manifest_len;
	char manifest_digest[DIGEST_STR_SIZE], repo_digest[DIGEST_STR_SIZE];
	struct oci_manifest *manifest;
	struct oci_image_config *config;
	bool config_added, manifest_added;
};

static void say(struct pull *pl, const char *id, const char *status)
{
	if (!pl->p || !pl->p->line)
		return;
	pthread_mutex_lock(&pl->progress_mu);
	pl->p->line(pl->p->data, id, status);
	pthread_mutex_unlock(&pl->progress_mu);
}

static void on_bytes(int64_t done, int64_t total, void *data)
{
	struct pull_layer *l = data;
	struct pull *pl = l->pl;

	if (!pl->p || !pl->p->bytes)
		return;
	pthread_mutex_lock(&pl->progress_mu);
	pl->p->bytes(pl->p->data, l->id, "Downloading", done, total);
	pthread_mutex_unlock(&pl->progress_mu);
}

/* "busybox:latest", "127.0.0.1:5000/x@sha256:…": how Docker names what was asked for. */
static char *familiar_with(const struct img_ref *ref, const char *tag_or_digest)
{
	_cleanup_free_ char *repo = img_ref_familiar_repository(ref);

	return xasprintf("%s%c%s", repo, strchr(tag_or_digest, ':') ? '@' : ':', tag_or_digest);
}

/* GET one manifest or index; a registry's "not found" is reworded with the name as Docker shows it. */
static int get_manifest(struct pull *pl, const char *ref_str, char **ret_data, size_t *ret_len, char **ret_type,
			char digest[DIGEST_STR_SIZE], struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	_cleanup_free_ char *name = NULL;
	const char *why;

	if (img_registry_manifest_get(pl->reg, pl->ref->path, ref_str, NULL, ret_data, ret_len, ret_type, digest, &e) ==
	    0)
		return 0;
	if (e->code != ENOENT || !(why = strstr(e->msg, " not found: ")))
		return berth_error_move(err, &e);
	name = familiar_with(pl->ref, ref_str);
	berth_error_set(err, 0, "manifest for %s not found: %s", name, why + strlen(" not found: "));
	if (err && *err)
		(*err)->code = ENOENT;
	return -1;
}

static int refuse_schema1(struct pull *pl, struct berth_error **err)
{
	_cleanup_free_ char *name = img_ref_string(pl->ref);

	return berth_error_set(err, 0,
			       "'%s' is a Docker image manifest version 2, schema 1: that format is not supported, "
			       "the image has to be pushed again as an OCI or Docker schema 2 image",
			       name);
}

static int manifest_kind(struct pull *pl, const char *data, size_t len, const char *media_type, const char *digest,
			 enum oci_manifest_kind *ret, struct berth_error **err)
{
	int kind = media_type ? oci_media_type_kind(media_type) : -1;

	if (media_type && oci_media_type_is_schema1(media_type))
		return refuse_schema1(pl, err);
	if (kind >= 0) {
		*ret = (enum oci_manifest_kind)kind;
		return 0;
	}
	return oci_manifest_kind(data, len, digest, ret, err);
}

/* From an index, the manifest for want (NULL: the host); its digest replaces the index's in pl. */
static int select_from_index(struct pull *pl, const struct oci_platform *want, struct berth_error **err)
{
	struct oci_index *ix = NULL;
	_cleanup_free_ char *type = NULL;
	enum oci_manifest_kind kind;
	int i;

	if (oci_index_decode(pl->manifest_data, pl->manifest_len, pl->repo_digest, &ix, err) < 0)
		return -1;
	i = oci_index_select(ix, want, err);
	if (i >= 0) {
		snprintf(pl->manifest_digest, sizeof(pl->manifest_digest), "%s", ix->manifests[i].digest);
		free(pl->manifest_data);
		pl->manifest_data = NULL;
	}
	oci_index_free(ix);
	if (i < 0)
		return -1;
	if (get_manifest(pl, pl->manifest_digest, &pl->manifest_data, &pl->manifest_len, &type, pl->manifest_digest,
			 err) < 0)
		return -1;
	if (manifest_kind(pl, pl->manifest_data, pl->manifest_len, type, pl->manifest_digest, &kind, err) < 0)
		return -1;
	if (kind != OCI_KIND_MANIFEST)
		return berth_error_set(err, 0, "manifest %s in index %s is an index itself", pl->manifest_digest,
				       pl->repo_digest);
	return 0;
}

/* The manifest to pull: by tag or digest, through an index when there is one. */
static int resolve_manifest(struct pull *pl, const struct oci_platform *want, struct berth_error **err)
{
	const char *ref_str = pl->ref->digest ? pl->ref->digest : pl->ref->tag;
	_cleanup_free_ char *type = NULL, *msg = NULL;
	enum oci_manifest_kind kind;

	if (get_manifest(pl, ref_str, &pl->manifest_data, &pl->manifest_len, &type, pl->repo_digest, err) < 0)
		return -1;
	if (manifest_kind(pl, pl->manifest_data, pl->manifest_len, type, pl->repo_digest, &kind, err) < 0)
		return -1;
	memcpy(pl->manifest_digest, pl->repo_digest, DIGEST_STR_SIZE);
	if (kind == OCI_KIND_INDEX && select_from_index(pl, want, err) < 0)
		return -1;
	if (oci_manifest_decode(pl->manifest_data, pl->manifest_len, pl->manifest_digest, &pl->manifest, err) < 0)
		return -1;
	msg = xasprintf("Pulling from %s", pl->ref->path);
	say(pl, ref_str, msg);
	return 0;
}

/* Download a blob into the store, verified on the wire as it is written: committed without reading it again. */
static int fetch_blob(struct pull *pl, const struct oci_descriptor *d, struct pull_layer *l, bool *ret_added,
		      struct berth_error **err)
{
	struct img_blob_writer *w = NULL;

	*ret_added = false;
	if (img_blob_exists(pl->e->store, d->digest))
		return 0;
	if (img_blob_create(pl->e->store, &w, err) < 0)
		return -1;
	if (img_registry_blob_get(pl->reg, pl->ref->path, d->digest, d->size, img_blob_writer_fd(w),
				  l ? on_bytes : NULL, l, err) < 0) {
		img_blob_abort(w);
		return -1;
	}
	if (l)
		say(pl, l->id, "Verifying Checksum");
	if (img_blob_commit_verified(pl->e->store, w, d->digest, err) < 0)
		return -1;
	*ret_added = true;
	return 0;
}

/* The config: stored, decoded, and checked against the manifest and the platform asked for. */
static int fetch_config(struct pull *pl, const struct oci_platform *want, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL, *w = NULL, *have_s = NULL, *name = NULL;
	const struct oci_descriptor *d = &pl->manifest->config;
	struct oci_platform have = {0};
	size_t len = 0;

	if (fetch_blob(pl, d, NULL, &pl->config_added, err) < 0)
		return -1;
	if (img_blob_read(pl->e->store, d->digest, CONFIG_MAX, &data, &len, err) < 0 ||
	    oci_image_config_decode(data, len, d->digest, &pl->config, err) < 0)
		return -1;
	if (strv_length(pl->config->diff_ids) != pl->manifest->n_layers)
		return berth_error_set(err, 0, "manifest %s lists %zu layers but its config %s has %zu diff ids",
				       pl->manifest_digest, pl->manifest->n_layers, d->digest,
				       strv_length(pl->config->diff_ids));
	if (!want)
		return 0;
	have.os = pl->config->os;
	have.architecture = pl->config->architecture;
	have.variant = pl->config->variant;
	if (have.os && have.architecture && oci_platform_match(want, &have))
		return 0;
	w = oci_platform_format(want);
	have_s = have.os && have.architecture ? oci_platform_format(&have) : xstrdup("unknown");
	name = img_ref_familiar_string(pl->ref);
	return berth_error_set(err, 0,
			       "image with reference %s was found but does not match the specified platform: "
			       "wanted %s, actual: %s",
			       name, w, have_s);
}

/* ---- layers ---------------------------------------------------------------- */

/* A layer that is unpacked already: its row's blob when there is one, so that the record keeps it. */
static int plan_existing(struct pull *pl, struct pull_layer *l, struct berth_error **err)
{
	struct img_layer_info info = {0};
	struct db_layer row = {0};

	if (img_layers_info(pl->e->store, l->diff_id, &info, err) < 0)
		return -1;
	snprintf(l->in.link, sizeof(l->in.link), "%s", info.link);
	l->in.size = info.size;
	if (db_layer_get(pl->e->db, l->diff_id, &row, err) < 0)
		return -1;
	if (row.diff_id)
		l->in.size = row.size;
	db_layer_done(&row);
	if (img_blob_exists(pl->e->store, l->desc->digest)) {
		snprintf(l->in.blob_digest, sizeof(l->in.blob_digest), "%s", l->desc->digest);
		l->in.blob_size = l->desc->size;
	}
	l->state = LAYER_SKIPPED;
	say(pl, l->id, "Already exists");
	return 0;
}

static int plan_layers(struct pull *pl, struct berth_error **err)
{
	size_t queued = 0;

	pl->n = pl->manifest->n_layers;
	pl->layers = xcalloc(pl->n ? pl->n : 1, sizeof(*pl->layers));
	for (size_t i = 0; i < pl->n; i++) {
		struct pull_layer *l = &pl->layers[i];

		l->pl = pl;
		l->desc = &pl->manifest->layers[i];
		l->diff_id = pl->config->diff_ids[i];
		snprintf(l->id, sizeof(l->id), "%.12s", digest_hex(l->desc->digest));
		snprintf(l->in.diff_id, sizeof(l->in.diff_id), "%s", l->diff_id);
		l->in.media_type = l->desc->media_type;
		if (oci_layer_compression(l->desc->media_type) < 0)
			return berth_error_set(err, 0, "layer %s: unsupported media type '%s'", l->desc->digest,
					       l->desc->media_type);
		if (img_layers_has(pl->e->store, l->diff_id)) {
			if (plan_existing(pl, l, err) < 0)
				return -1;
			continue;
		}
		l->state = LAYER_QUEUED;
		say(pl, l->id, "Pulling fs layer");
	}
	for (size_t i = 0; i < pl->n; i++)
		if (pl->layers[i].state == LAYER_QUEUED && queued++ >= MAX_DOWNLOADS)
			say(pl, pl->layers[i].id, "Waiting");
	return 0;
}

/* A download thread: takes the next queued layer until none is left or the pull stops. */
static void *download_worker(void *arg)
{
	struct pull *pl = arg;

	for (;;) {
		struct berth_error *err = NULL;
		struct pull_layer *l;
		int rc;

		pthread_mutex_lock(&pl->mu);
		while (pl->next < pl->n && pl->layers[pl->next].state != LAYER_QUEUED)
			pl->next++;
		if (pl->stop || pl->next >= pl->n) {
			pthread_mutex_unlock(&pl->mu);
			return NULL;
		}
		l = &pl->layers[pl->next++];
		l->state = LAYER_ACTIVE;
		pthread_mutex_unlock(&pl->mu);

		rc = fetch_blob(pl, l->desc, l, &l->blob_added, &err);
		if (rc == 0)
			say(pl, l->id, "Download complete");
		pthread_mutex_lock(&pl->mu);
		l->state = rc < 0 ? LAYER_FAILED : LAYER_FETCHED;
		if (rc < 0 && !pl->first_err)
			pl->first_err = TAKE_PTR(err);
		if (rc < 0)
			pl->stop = true;
		pthread_cond_broadcast(&pl->cond);
		pthread_mutex_unlock(&pl->mu);
		berth_error_free(&err);
	}
}

static int unpack_layer(struct pull *pl, struct pull_layer *l, struct berth_error **err)
{
	struct img_unpack_opts opts = {.allow_devices = geteuid() == 0, .ignore_chown_errors = geteuid() != 0};
	struct img_layer_info info = {0};

	say(pl, l->id, "Extracting");
	if (img_layers_unpack_blob(pl->e->store, l->desc->digest, l->diff_id, &opts, &info, err) < 0)
		return berth_error_wrap(err, "layer %s", l->desc->digest);
	l->layer_added = !info.existed;
	snprintf(l->in.link, sizeof(l->in.link), "%s", info.link);
	l->in.size = info.size;
	snprintf(l->in.blob_digest, sizeof(l->in.blob_digest), "%s", l->desc->digest);
	l->in.blob_size = l->desc->size;
	say(pl, l->id, "Pull complete");
	return 0;
}

/* Unpack the layers in order as their downloads complete; 0 or -1 with the first failure in pl. */
static int unpack_in_order(struct pull *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct pull_layer *l = &pl->layers[i];
		struct berth_error *err = NULL;

		pthread_mutex_lock(&pl->mu);
		while (!pl->stop && (l->state == LAYER_QUEUED || l->state == LAYER_ACTIVE))
			pthread_cond_wait(&pl->cond, &pl->mu);
		if (pl->stop) {
			pthread_mutex_unlock(&pl->mu);
			return -1;
		}
		pthread_mutex_unlock(&pl->mu);
		if (l->state == LAYER_SKIPPED || unpack_layer(pl, l, &err) == 0)
			continue;
		pthread_mutex_lock(&pl->mu);
		pl->stop = true;
		if (!pl->first_err)
			pl->first_err = TAKE_PTR(err);
		pthread_mutex_unlock(&pl->mu);
		berth_error_free(&err);
		return -1;
	}
	return 0;
}

static int pull_layers(struct pull *pl, struct berth_error **err)
{
	pthread_t threads[MAX_DOWNLOADS];
	size_t n_threads = 0, queued = 0;
	int rc, e;

	for (size_t i = 0; i < pl->n; i++)
		queued += pl->layers[i].state == LAYER_QUEUED;
	while (n_threads < MAX_DOWNLOADS && n_threads < queued) {
		e = pthread_create(&threads[n_threads], NULL, download_worker, pl);
		if (e != 0) {
			pthread_mutex_lock(&pl->mu);
			pl->stop = true;
			if (!pl->first_err)
				berth_error_set(&pl->first_err, e, "start a download thread");
			pthread_mutex_unlock(&pl->mu);
			break;
		}
		n_threads++;
	}
	rc = n_threads == 0 && queued > 0 ? -1 : unpack_in_order(pl);
	pthread_mutex_lock(&pl->mu);
	if (rc < 0)
		pl->stop = true;
	pthread_mutex_unlock(&pl->mu);
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
	if (rc < 0 || pl->first_err) {
		if (pl->first_err)
			return berth_error_move(err, &pl->first_err);
		return berth_error_set(err, 0, "pull stopped");
	}
	return 0;
}

/* ---- the pull -------------------------------------------------------------- */

static int record(struct pull *pl, char **ret_id, struct berth_error **err)
{
	_cleanup_free_ char *repo = img_ref_repository(pl->ref), *tag = NULL, *repo_digest = NULL;
	_cleanup_free_ struct eng_layer_in *in = xcalloc(pl->n ? pl->n : 1, sizeof(*in));
	char *tags[] = {NULL, NULL};
	const char *config = pl->manifest->config.digest;

	pl->manifest_added = !img_blob_exists(pl->e->store, pl->manifest_digest);
	if (img_blob_put(pl->e->store, pl->manifest_data, pl->manifest_len, pl->manifest_digest, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < pl->n; i++)
		in[i] = pl->layers[i].in;
	if (!pl->ref->digest)
		tags[0] = tag = img_ref_string(pl->ref);
	repo_digest = xasprintf("%s@%s", repo, pl->repo_digest);
	if (eng_image_record(pl->e, config, pl->manifest_digest, in, pl->n, tags, repo_digest, err) < 0)
		return -1;
	*ret_id = xstrdup(config);
	return 0;
}

/* Take back what the failed pull stored: layers, blobs, config, manifest. */
static void undo(struct pull *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		struct pull_layer *l = &pl->layers[i];

		if (l->layer_added)
			img_layers_remove(pl->e->store, l->diff_id, NULL);
		if (l->blob_added)
			img_blob_remove(pl->e->store, l->desc->digest, NULL);
	}
	if (pl->config_added)
		img_blob_remove(pl->e->store, pl->manifest->config.digest, NULL);
	if (pl->manifest_added)
		img_blob_remove(pl->e->store, pl->manifest_digest, NULL);
}

static void pull_done(struct pull *pl)
{
	img_registry_free(pl->reg);
	free(pl->manifest_data);
	oci_manifest_free(pl->manifest);
	oci_image_config_free(pl->config);
	free(pl->layers);
	berth_error_free(&pl->first_err);
	pthread_cond_destroy(&pl->cond);
	pthread_mutex_destroy(&pl->mu);
	pthread_mutex_destroy(&pl->progress_mu);
}

static int open_registry(struct pull *pl, const struct eng_pull_opts *opts, struct berth_error **err)
{
	struct img_registry_opts ro = {.config_dir = pl->e->config_dir, .tls_verify = opts->tls_verify};

	pl->reg = img_registry_new(img_ref_api_host(pl->ref), &ro, err);
	return pl->reg ? 0 : -1;
}

int eng_image_pull_registry(struct eng *e, const struct img_ref *ref, const struct eng_pull_opts *opts,
			    const struct eng_progress *p, char **ret_id, struct berth_error **err)
{
	struct pull pl = {.e = e, .ref = ref, .p = p};
	struct oci_platform *want = NULL;
	_cleanup_close_ int lock_fd = -1;
	int rc = -1;

	pthread_mutex_init(&pl.mu, NULL);
	pthread_mutex_init(&pl.progress_mu, NULL);
	pthread_cond_init(&pl.cond, NULL);
	if (opts->platform && *opts->platform && oci_platform_parse(opts->platform, &want, err) < 0)
		goto out;
	if (open_registry(&pl, opts, err) < 0 || resolve_manifest(&pl, want, err) < 0)
		goto out;
	/* shared from the first blob until the rows are in: garbage collection keeps away */
	if (img_store_lock(e->store, false, false, &lock_fd, err) < 0)
		goto out;
	if (fetch_config(&pl, want, err) < 0 || plan_layers(&pl, err) < 0 || pull_layers(&pl, err) < 0 ||
	    record(&pl, ret_id, err) < 0) {
		undo(&pl);
		goto out;
	}
	if (p && p->line) {
		_cleanup_free_ char *line = xasprintf("Digest: %s", pl.repo_digest);

		p->line(p->data, NULL, line);
	}
	rc = 0;
out:
	oci_platform_free(want);
	pull_done(&pl);
	return rc;
}
