/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing images as Docker 25+ saves them: an OCI layout (oci-layout,
 * index.json, blobs/sha256/) that is also a docker-archive (manifest.json,
 * repositories), deterministic for the same images.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "image/ext_archive.h"
#include "image/image.h"
#include "oci/oci.h"

#define JSON_MAX (8u << 20)
#define CHUNK (128u << 10)

/* A blob to write: from the store, or made here (mem). */
struct out_blob {
	char digest[DIGEST_STR_SIZE];
	const char *mem;
	size_t len;
};

/* The manifest each image is saved with. */
struct out_manifest {
	char digest[DIGEST_STR_SIZE];
	char *media_type;
	int64_t size;
	char *made; /* the bytes of a made manifest, or NULL for a stored one */
};

struct writer {
	struct img_store *s;
	struct archive *a;
	struct out_blob *blobs;
	size_t n_blobs;
	struct out_manifest *manifests;
	size_t n;
};

static void add_blob(struct writer *w, const char *digest, const char *mem, size_t len)
{
	for (size_t i = 0; i < w->n_blobs; i++)
		if (strcmp(w->blobs[i].digest, digest) == 0)
			return;
	w->blobs = realloc(w->blobs, (w->n_blobs + 1) * sizeof(*w->blobs));
	if (!w->blobs)
		abort();
	snprintf(w->blobs[w->n_blobs].digest, DIGEST_STR_SIZE, "%s", digest);
	w->blobs[w->n_blobs].mem = mem;
	w->blobs[w->n_blobs++].len = len;
}

static int cmp_blob(const void *x, const void *y)
{
	return strcmp(((const struct out_blob *)x)->digest, ((const struct out_blob *)y)->digest);
}

/* Whether the stored manifest names exactly this config and these layer blobs. */
static bool stored_fits(struct img_store *s, const struct img_save_image *im, char **ret_media_type)
{
	_cleanup_free_ char *data = NULL;
	struct oci_manifest *m = NULL;
	size_t len = 0;
	bool ok;

	if (img_blob_read(s, im->manifest, JSON_MAX, &data, &len, NULL) < 0 ||
	    oci_manifest_decode(data, len, im->manifest, &m, NULL) < 0)
		return false;
	ok = strcmp(m->config.digest, im->config) == 0 && m->n_layers == im->n_layers;
	for (size_t i = 0; ok && i < m->n_layers; i++)
		ok = strcmp(m->layers[i].digest, im->layers[i].digest) == 0;
	if (ok)
		*ret_media_type = xstrdup(m->media_type ? m->media_type : OCI_MEDIA_MANIFEST);
	oci_manifest_free(m);
	return ok;
}

/* Docker's layer media types have OCI twins; an OCI manifest names those. */
static const char *oci_layer_type(const char *mt)
{
	if (!mt || strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar") == 0)
		return OCI_MEDIA_LAYER_TAR;
	if (strcmp(mt, OCI_MEDIA_DOCKER_LAYER) == 0)
		return OCI_MEDIA_LAYER_GZIP;
	if (strcmp(mt, OCI_MEDIA_DOCKER_FOREIGN_LAYER) == 0)
		return OCI_MEDIA_LAYER_NONDIST_GZIP;
	return mt;
}

static json_t *descriptor(const char *media_type, const char *digest, int64_t size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest, "size", (json_int_t)size);
}

/* An OCI manifest for an image that has none stored (docker-archive, import, build). */
static int make_manifest(struct writer *w, const struct img_save_image *im, struct out_manifest *out,
			 struct berth_error **err)
{
	json_t *layers = json_array(), *m;
	int64_t size = img_blob_size(w->s, im->config);

	if (size < 0) {
		json_decref(layers);
		return berth_error_set(err, 0, "image %s: its config blob is missing", im->config);
	}
	for (size_t i = 0; i < im->n_layers; i++)
		json_array_append_new(layers, descriptor(oci_layer_type(im->layers[i].media_type), im->layers[i].digest,
							 im->layers[i].size));
	m = json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2, "mediaType", OCI_MEDIA_MANIFEST, "config",
		      descriptor(OCI_MEDIA_CONFIG, im->config, size), "layers", layers);
	out->made = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(m);
	out->size = (int64_t)strlen(out->made);
	out->media_type = xstrdup(OCI_MEDIA_MANIFEST);
	return digest_buffer(out->made, strlen(out->made), out->digest, err);
}

static int plan(struct writer *w, const struct img_save_image *images, size_t n, struct berth_error **err)
{
	w->manifests = xcalloc(n + 1, sizeof(*w->manifests));
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct img_save_image *im = &images[i];
		struct out_manifest *om = &w->manifests[i];

		if (im->manifest && stored_fits(w->s, im, &om->media_type)) {
			snprintf(om->digest, sizeof(om->digest), "%s", im->manifest);
			om->size = img_blob_size(w->s, im->manifest);
		} else if (make_manifest(w, im, om, err) < 0) {
			return -1;
		}
		add_blob(w, im->config, NULL, 0);
		add_blob(w, om->digest, om->made, om->made ? (size_t)om->size : 0);
		for (size_t j = 0; j < im->n_layers; j++) {
			if (!img_blob_exists(w->s, im->layers[j].digest))
				return berth_error_set(err, 0, "image %s: layer blob %s is missing", im->config,
						       im->layers[j].digest);
			add_blob(w, im->layers[j].digest, NULL, 0);
		}
	}
	qsort(w->blobs, w->n_blobs, sizeof(*w->blobs), cmp_blob);
	return 0;
}

static int tar_error(struct writer *w, const char *path, struct berth_error **err)
{
	const char *msg = archive_error_string(w->a);

	return berth_error_set(err, archive_errno(w->a) > 0 ? archive_errno(w->a) : 0, "write '%s' to the archive%s%s",
			       path, msg ? ": " : "", msg ? msg : "");
}

static int header(struct writer *w, const char *path, mode_t type, int64_t size, struct berth_error **err)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 0, 0);
	rc = archive_write_header(w->a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : tar_error(w, path, err);
}

static int put_mem(struct writer *w, const char *path, const char *data, size_t len, struct berth_error **err)
{
	if (header(w, path, AE_IFREG, (int64_t)len, err) < 0)
		return -1;
	if (len && archive_write_data(w->a, data, len) != (la_ssize_t)len)
		return tar_error(w, path, err);
	return 0;
}

static int put_blob(struct writer *w, const struct out_blob *b, char *chunk, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("blobs/sha256/%s", digest_hex(b->digest));
	_cleanup_close_ int fd = -1;
	struct stat st;
	ssize_t n;

	if (b->mem)
		return put_mem(w, path, b->mem, b->len, err);
	if (img_blob_open(w->s, b->digest, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return berth_error_set(err, ENOENT, "blob %s is missing", b->digest);
	if (fstat(fd, &st) < 0)
		return berth_error_set(err, errno, "stat blob %s", b->digest);
	if (header(w, path, AE_IFREG, st.st_size, err) < 0)
		return -1;
	while ((n = read(fd, chunk, CHUNK)) > 0)
		if (archive_write_data(w->a, chunk, (size_t)n) != n)
			return tar_error(w, path, err);
	if (n < 0)
		return berth_error_set(err, errno, "read blob %s", b->digest);
	return 0;
}

/* One tag of an image: its index.json descriptor, its RepoTags entry and its line in repositories. */
static int add_tag(const struct img_save_image *im, const struct out_manifest *om, const char *name, json_t *index_list,
		   json_t *tags, json_t *repos, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *full = NULL, *familiar = NULL, *repo = NULL;
	json_t *d, *r;

	if (img_ref_parse(name, &ref, err) < 0)
		return -1;
	if (!ref->tag)
		return berth_error_set(err, 0, "'%s' is no tag", name);
	full = img_ref_string(ref);
	familiar = img_ref_familiar_string(ref);
	repo = img_ref_familiar_repository(ref);
	d = descriptor(om->media_type, om->digest, om->size);
	json_object_set_new(d, "annotations",
			    json_pack("{s:s, s:s}", "io.containerd.image.name", full,
				      "org.opencontainers.image.ref.name", ref->tag));
	json_array_append_new(index_list, d);
	json_array_append_new(tags, json_string(familiar));
	r = json_object_get(repos, repo);
	if (!r)
		json_object_set_new(repos, repo, r = json_object());
	if (im->n_layers)
		json_object_set_new(r, ref->tag, json_string(digest_hex(im->layers[im->n_layers - 1].digest)));
	return 0;
}

/* An image's entries in index.json, manifest.json and repositories. */
static int add_image(const struct img_save_image *im, const struct out_manifest *om, json_t *index_list, json_t *items,
		     json_t *repos, struct berth_error **err)
{
	json_t *tags = json_array(), *layers = json_array();

	for (size_t j = 0; im->names && im->names[j]; j++)
		if (add_tag(im, om, im->names[j], index_list, tags, repos, err) < 0) {
			json_decref(tags);
			json_decref(layers);
			return -1;
		}
	if (json_array_size(tags) == 0) {
		/* as Docker: an untagged image is in index.json without names, and its RepoTags is null */
		json_decref(tags);
		tags = json_null();
		json_array_append_new(index_list, descriptor(om->media_type, om->digest, om->size));
	}
	for (size_t j = 0; j < im->n_layers; j++)
		json_array_append_new(layers, json_sprintf("blobs/sha256/%s", digest_hex(im->layers[j].digest)));
	json_array_append_new(items, json_pack("{s:s+, s:o, s:o}", "Config", "blobs/sha256/", digest_hex(im->config),
					       "RepoTags", tags, "Layers", layers));
	return 0;
}

static int put_json(struct writer *w, const char *path, json_t *doc, size_t flags, const char *end,
		    struct berth_error **err)
{
	_cleanup_free_ char *s = json_dumps(doc, flags);
	_cleanup_free_ char *text = xasprintf("%s%s", s, end);

	return put_mem(w, path, text, strlen(text), err);
}

/* index.json, manifest.json, oci-layout and repositories (when something is tagged), as Docker writes them. */
static int put_documents(struct writer *w, const struct img_save_image *images, size_t n, struct berth_error **err)
{
	static const char layout[] = "{\"imageLayoutVersion\": \"1.0.0\"}";
	json_t *index_list = json_array(), *items = json_array(), *repos = json_object(), *index;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = add_image(&images[i], &w->manifests[i], index_list, items, repos, err);
	index = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", OCI_MEDIA_INDEX, "manifests", index_list);
	if (rc == 0)
		rc = put_json(w, "index.json", index, JSON_COMPACT | JSON_PRESERVE_ORDER, "", err);
	if (rc == 0)
		rc = put_json(w, "manifest.json", items, JSON_COMPACT | JSON_PRESERVE_ORDER, "\n", err);
	if (rc == 0)
		rc = put_mem(w, "oci-layout", layout, strlen(layout), err);
	if (rc == 0 && json_object_size(repos) > 0)
		rc = put_json(w, "repositories", repos, JSON_COMPACT | JSON_SORT_KEYS, "\n", err);
	json_decref(index);
	json_decref(items);
	json_decref(repos);
	return rc;
}

static int write_all(struct writer *w, const struct img_save_image *images, size_t n, int out_fd,
		     struct berth_error **err)
{
	_cleanup_free_ char *chunk = xmalloc(CHUNK);

	archive_write_set_format_pax_restricted(w->a);
	/* Go's tar writer ends with two zero blocks and no padding to 10 KiB records. */
	archive_write_set_bytes_in_last_block(w->a, 1);
	if (archive_write_open_fd(w->a, out_fd) != ARCHIVE_OK)
		return tar_error(w, "", err);
	if (header(w, "blobs/", AE_IFDIR, 0, err) < 0 || header(w, "blobs/sha256/", AE_IFDIR, 0, err) < 0)
		return -1;
	for (size_t i = 0; i < w->n_blobs; i++)
		if (put_blob(w, &w->blobs[i], chunk, err) < 0)
			return -1;
	if (put_documents(w, images, n, err) < 0)
		return -1;
	if (archive_write_close(w->a) != ARCHIVE_OK)
		return tar_error(w, "", err);
	return 0;
}

int img_archive_write(struct img_store *s, const struct img_save_image *images, size_t n, int out_fd,
		      struct berth_error **err)
{
	struct writer w = {.s = s};
	int rc = plan(&w, images, n, err);

	if (rc == 0) {
		w.a = archive_write_new();
		if (!w.a)
			abort();
		rc = write_all(&w, images, n, out_fd, err);
		archive_write_free(w.a);
	}
	for (size_t i = 0; i < w.n; i++) {
		free(w.manifests[i].media_type);
		free(w.manifests[i].made);
	}
	free(w.manifests);
	free(w.blobs);
	return rc;
}
