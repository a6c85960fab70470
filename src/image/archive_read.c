/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading docker-archive and oci-archive tars in one pass: every file is
 * spooled into the blob store, then manifest.json or index.json says which
 * blobs make which image.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "image/ext_archive.h"
#include "image/image.h"
#include "oci/oci.h"

/* manifest.json, index.json, manifests and indexes are small; Docker caps manifests at 4 MiB. */
#define JSON_MAX (8u << 20)
#define LINK_DEPTH 16
#define INDEX_DEPTH 4
#define CHUNK (128u << 10)

#define ANN_CONTAINERD_NAME "io.containerd.image.name"
#define ANN_REF_NAME "org.opencontainers.image.ref.name"

/* A file of the archive: the blob it became, or the path it links to. */
struct entry {
	char *path;
	char *link;
	char digest[DIGEST_STR_SIZE];
};

struct reader {
	struct img_store *s;
	struct entry *entries;
	size_t n_entries;
	char *manifest_json, *index_json;
	size_t manifest_len, index_len;
	char *chunk;
	struct img_archive *out;
};

const char *img_archive_layer_media_type(const unsigned char *head, size_t n)
{
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return OCI_MEDIA_LAYER_GZIP;
	if (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
		return OCI_MEDIA_LAYER_ZSTD;
	return OCI_MEDIA_LAYER_TAR;
}

static void image_done(struct img_archive_image *im)
{
	for (size_t i = 0; i < im->n_layers; i++)
		free(im->layers[i].media_type);
	free(im->layers);
	strv_free(im->tags);
}

void img_archive_free(struct img_archive *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_images; i++)
		image_done(&a->images[i]);
	free(a->images);
	strv_free(a->added);
	free(a);
}

/* An archive path without "./", "//" or "..": "a/b", "" for the top. */
static char *clean_path(const char *dir, const char *path)
{
	_cleanup_free_ char *joined = dir && path[0] != '/' ? fs_path_join(dir, path) : xstrdup(path);
	_cleanup_free_ char *clean = fs_path_clean(joined);
	char *p = clean;

	while (*p == '/')
		p++;
	return xstrdup(p);
}

/* "sha256:<hex>" when path is blobs/sha256/<64 hex>, else NULL. */
static bool blob_name(const char *path, char out[DIGEST_STR_SIZE])
{
	const char *prefix = "blobs/sha256/";
	size_t plen = strlen(prefix);

	if (strncmp(path, prefix, plen) != 0)
		return false;
	snprintf(out, DIGEST_STR_SIZE, "sha256:%.64s", path + plen);
	return strlen(path + plen) == DIGEST_SHA256_HEX_LEN && digest_validate(out, NULL) == 0;
}

static struct entry *add_entry(struct reader *r, const char *path)
{
	struct entry *e;

	r->entries = realloc(r->entries, (r->n_entries + 1) * sizeof(*r->entries));
	if (!r->entries)
		abort();
	e = &r->entries[r->n_entries++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	return e;
}

static int read_error(struct archive *a, const char *path, struct berth_error **err)
{
	const char *msg = archive_error_string(a);

	if (path)
		return berth_error_set(err, 0, "archive entry '%s': %s", path, msg ? msg : "read error");
	return berth_error_set(err, 0, "read archive: %s", msg ? msg : "read error");
}

/* Copy the entry's data into the blob store (once; an existing blob is kept). */
static int spool(struct reader *r, struct archive *a, const char *path, struct entry *e, struct berth_error **err)
{
	struct img_blob_writer *w = NULL;
	char want[DIGEST_STR_SIZE], got[DIGEST_STR_SIZE];
	bool named = blob_name(path, want);
	la_ssize_t n;

	if (named && img_blob_exists(r->s, want)) {
		memcpy(e->digest, want, sizeof(want));
		return archive_read_data_skip(a) == ARCHIVE_OK ? 0 : read_error(a, path, err);
	}
	if (img_blob_create(r->s, &w, err) < 0)
		return -1;
	while ((n = archive_read_data(a, r->chunk, CHUNK)) > 0)
		if (img_blob_write(w, r->chunk, (size_t)n, err) < 0)
			goto fail;
	if (n < 0) {
		read_error(a, path, err);
		goto fail;
	}
	/* the writer hashed the bytes on their way in; its commit below does not hash them again */
	if (img_blob_writer_digest(w, got, err) < 0)
		goto fail;
	if (named && strcmp(want, got) != 0) {
		berth_error_set(err, 0, "archive entry '%s': content does not match its name (it is %s)", path, got);
		goto fail;
	}
	memcpy(e->digest, got, sizeof(got));
	if (img_blob_exists(r->s, got)) {
		img_blob_abort(w);
		return 0;
	}
	if (img_blob_commit(r->s, w, got, NULL, err) < 0)
		return berth_error_wrap(err, "archive entry '%s'", path);
	strv_push(&r->out->added, got);
	return 0;
fail:
	img_blob_abort(w);
	return -1;
}

/* Read a small top-level document into memory. */
static int slurp(struct archive *a, const char *path, char **ret, size_t *ret_len, struct berth_error **err)
{
	struct buf b = {0};
	char tmp[8192];
	la_ssize_t n;

	while ((n = archive_read_data(a, tmp, sizeof(tmp))) > 0) {
		if (b.len + (size_t)n > JSON_MAX) {
			buf_done(&b);
			return berth_error_set(err, EFBIG, "archive entry '%s' is larger than %u bytes", path,
					       JSON_MAX);
		}
		buf_append(&b, tmp, (size_t)n);
	}
	if (n < 0) {
		buf_done(&b);
		return read_error(a, path, err);
	}
	free(*ret);
	*ret_len = b.len;
	*ret = b.data ? buf_steal(&b) : xstrdup("");
	return 0;
}

/* Files of the archive nothing reads: legacy v1 metadata. */
static bool ignored(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (strcmp(path, "oci-layout") == 0 || strcmp(path, "repositories") == 0)
		return true;
	return base != path && strncmp(path, "blobs/", 6) != 0 &&
	       (strcmp(base, "json") == 0 || strcmp(base, "VERSION") == 0);
}

static int read_entry(struct reader *r, struct archive *a, struct archive_entry *ae, struct berth_error **err)
{
	_cleanup_free_ char *path = clean_path(NULL, archive_entry_pathname(ae) ?: "");
	_cleanup_free_ char *dir = NULL;
	const char *hardlink = archive_entry_hardlink(ae);
	mode_t type = archive_entry_filetype(ae);
	char *slash;

	if (hardlink) {
		add_entry(r, path)->link = clean_path(NULL, hardlink);
		return 0;
	}
	if (type == AE_IFLNK) {
		dir = xstrdup(path);
		slash = strrchr(dir, '/');
		*(slash ? slash : dir) = '\0';
		add_entry(r, path)->link = clean_path(dir, archive_entry_symlink(ae) ?: "");
		return 0;
	}
	if (type != AE_IFREG || ignored(path))
		return archive_read_data_skip(a) == ARCHIVE_OK ? 0 : read_error(a, path, err);
	if (strcmp(path, "manifest.json") == 0)
		return slurp(a, path, &r->manifest_json, &r->manifest_len, err);
	if (strcmp(path, "index.json") == 0)
		return slurp(a, path, &r->index_json, &r->index_len, err);
	return spool(r, a, path, add_entry(r, path), err);
}

static int read_all(struct reader *r, int fd, struct berth_error **err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int rc = 0, st;

	if (!a)
		abort();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK) {
		rc = read_error(a, NULL, err);
		goto out;
	}
	while ((st = archive_read_next_header(a, &ae)) == ARCHIVE_OK || st == ARCHIVE_WARN)
		if ((rc = read_entry(r, a, ae, err)) < 0)
			goto out;
	if (st != ARCHIVE_EOF)
		rc = read_error(a, NULL, err);
out:
	archive_read_free(a);
	return rc;
}

/* The blob a path of the archive became, following links; NULL when it is not there. */
static const char *lookup(struct reader *r, const char *path)
{
	_cleanup_free_ char *p = clean_path(NULL, path);

	for (int depth = 0; depth < LINK_DEPTH; depth++) {
		struct entry *e = NULL;

		for (size_t i = r->n_entries; i-- > 0;)
			if (strcmp(r->entries[i].path, p) == 0) {
				e = &r->entries[i];
				break;
			}
		if (!e)
			return NULL;
		if (!e->link)
			return e->digest;
		free(p);
		p = xstrdup(e->link);
	}
	return NULL;
}

/* A layer of an image: its blob must be in the store; the media type from its first bytes when not given. */
static int fill_layer(struct reader *r, struct img_archive_layer *l, const char *digest, const char *media_type,
		      const char *what, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	unsigned char head[8];
	ssize_t n = 0;

	if (img_blob_open(r->s, digest, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return berth_error_set(err, 0, "%s: layer %s is not in the archive", what, digest);
	snprintf(l->digest, sizeof(l->digest), "%s", digest);
	l->size = img_blob_size(r->s, digest);
	if (!media_type) {
		n = pread(fd, head, sizeof(head), 0);
		media_type = img_archive_layer_media_type(head, n > 0 ? (size_t)n : 0);
	}
	l->media_type = xstrdup(media_type);
	return 0;
}

static struct img_archive_image *new_image(struct img_archive *a)
{
	struct img_archive_image *im;

	a->images = realloc(a->images, (a->n_images + 1) * sizeof(*a->images));
	if (!a->images)
		abort();
	im = &a->images[a->n_images++];
	memset(im, 0, sizeof(*im));
	return im;
}

/* One item of manifest.json: {"Config": PATH, "RepoTags": [...], "Layers": [PATH, ...]}. */
static int manifest_item(struct reader *r, struct img_archive *a, json_t *item, size_t idx, struct berth_error **err)
{
	json_t *cfg = json_object_get(item, "Config"), *tags = json_object_get(item, "RepoTags");
	json_t *layers = json_object_get(item, "Layers"), *v;
	struct img_archive_image *im;
	const char *d;
	char what[64];
	size_t i;

	snprintf(what, sizeof(what), "manifest.json: [%zu]", idx);
	if (!json_is_object(item))
		return berth_error_set(err, 0, "%s: expected an object", what);
	if (!json_is_string(cfg))
		return berth_error_set(err, 0, "%s.Config: expected a string", what);
	if ((layers && !json_is_array(layers) && !json_is_null(layers)) ||
	    (tags && !json_is_array(tags) && !json_is_null(tags)))
		return berth_error_set(err, 0, "%s: Layers and RepoTags must be arrays", what);
	d = lookup(r, json_string_value(cfg));
	if (!d)
		return berth_error_set(err, 0, "%s.Config: '%s' is not in the archive", what, json_string_value(cfg));
	im = new_image(a);
	snprintf(im->config, sizeof(im->config), "%s", d);
	im->layers = xcalloc(json_array_size(layers) + 1, sizeof(*im->layers));
	json_array_foreach(layers, i, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, 0, "%s.Layers[%zu]: expected a string", what, i);
		d = lookup(r, json_string_value(v));
		if (!d)
			return berth_error_set(err, 0, "%s.Layers[%zu]: '%s' is not in the archive", what, i,
					       json_string_value(v));
		if (fill_layer(r, &im->layers[i], d, NULL, what, err) < 0)
			return -1;
		im->n_layers++;
	}
	json_array_foreach(tags, i, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, 0, "%s.RepoTags[%zu]: expected a string", what, i);
		strv_push(&im->tags, json_string_value(v));
	}
	return 0;
}

static int read_manifest_json(struct reader *r, struct img_archive *a, struct berth_error **err)
{
	json_error_t jerr;
	json_t *root = json_loadb(r->manifest_json, r->manifest_len, 0, &jerr);
	json_t *item;
	size_t i;
	int rc = 0;

	if (!root)
		return berth_error_set(err, 0, "manifest.json: %s (line %d)", jerr.text, jerr.line);
	if (!json_is_array(root))
		rc = berth_error_set(err, 0, "manifest.json: expected an array");
	json_array_foreach(root, i, item)
	{
		if (rc == 0)
			rc = manifest_item(r, a, item, i, err);
	}
	json_decref(root);
	return rc;
}

static const char *annotation(const struct oci_descriptor *d, const char *key)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (strcmp(d->annotations[i].key, key) == 0)
			return d->annotations[i].value;
	return NULL;
}

/* The name a descriptor of index.json gives its image; a ref.name that is only a tag names nothing. */
static const char *descriptor_name(const struct oci_descriptor *d)
{
	const char *n = annotation(d, ANN_CONTAINERD_NAME);

	if (n && *n)
		return n;
	n = annotation(d, ANN_REF_NAME);
	return n && strpbrk(n, "/:@") ? n : NULL;
}

static int from_manifest(struct reader *r, struct img_archive *a, const char *digest, const char *data, size_t len,
			 const char *name, struct berth_error **err)
{
	struct oci_manifest *m = NULL;
	struct img_archive_image *im;
	int rc = 0;

	for (size_t i = 0; i < a->n_images; i++)
		if (strcmp(a->images[i].manifest, digest) == 0) {
			if (name && !strv_contains(a->images[i].tags, name))
				strv_push(&a->images[i].tags, name);
			return 0;
		}
	if (oci_manifest_decode(data, len, digest, &m, err) < 0)
		return -1;
	if (!img_blob_exists(r->s, m->config.digest)) {
		rc = berth_error_set(err, 0, "manifest %s: config %s is not in the archive", digest, m->config.digest);
		goto out;
	}
	im = new_image(a);
	snprintf(im->config, sizeof(im->config), "%s", m->config.digest);
	snprintf(im->manifest, sizeof(im->manifest), "%s", digest);
	if (name)
		strv_push(&im->tags, name);
	im->layers = xcalloc(m->n_layers + 1, sizeof(*im->layers));
	for (size_t i = 0; i < m->n_layers && rc == 0; i++) {
		rc = fill_layer(r, &im->layers[i], m->layers[i].digest, m->layers[i].media_type, digest, err);
		im->n_layers += rc == 0;
	}
out:
	oci_manifest_free(m);
	return rc;
}

static int from_descriptor(struct reader *r, struct img_archive *a, const struct oci_descriptor *d, const char *name,
			   int depth, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	struct oci_index *ix = NULL;
	enum oci_manifest_kind kind;
	size_t len = 0;
	int rc, i;

	if (!img_blob_exists(r->s, d->digest))
		return berth_error_set(err, 0, "index.json: %s is not in the archive", d->digest);
	if (img_blob_read(r->s, d->digest, JSON_MAX, &data, &len, err) < 0 ||
	    oci_manifest_kind(data, len, d->digest, &kind, err) < 0)
		return -1;
	if (kind == OCI_KIND_MANIFEST)
		return from_manifest(r, a, d->digest, data, len, name, err);
	if (depth >= INDEX_DEPTH)
		return berth_error_set(err, 0, "index %s: indexes nested more than %d deep", d->digest, INDEX_DEPTH);
	if (oci_index_decode(data, len, d->digest, &ix, err) < 0)
		return -1;
	i = oci_index_select(ix, NULL, err);
	rc = i < 0 ? -1 : from_descriptor(r, a, &ix->manifests[i], name, depth + 1, err);
	oci_index_free(ix);
	return rc;
}

static int read_index_json(struct reader *r, struct img_archive *a, struct berth_error **err)
{
	struct oci_index *ix = NULL;
	int rc = 0;

	if (oci_index_decode(r->index_json, r->index_len, "index.json", &ix, err) < 0)
		return -1;
	for (size_t i = 0; i < ix->n_manifests && rc == 0; i++) {
		const struct oci_descriptor *d = &ix->manifests[i];

		/* attestations and artifacts are no images to load */
		if (annotation(d, OCI_ANNOTATION_REFERENCE_TYPE) ||
		    (d->media_type && oci_media_type_kind(d->media_type) < 0))
			continue;
		rc = from_descriptor(r, a, d, descriptor_name(d), 0, err);
	}
	oci_index_free(ix);
	return rc;
}

static bool same_layers(const struct img_archive_image *x, const struct img_archive_image *y)
{
	if (strcmp(x->config, y->config) != 0 || x->n_layers != y->n_layers)
		return false;
	for (size_t i = 0; i < x->n_layers; i++)
		if (strcmp(x->layers[i].digest, y->layers[i].digest) != 0)
			return false;
	return true;
}

/* manifest.json lists the images and tags; index.json (when it parses) adds manifests and media types. */
static void merge_index(struct img_archive *a, const struct img_archive *ix)
{
	for (size_t i = 0; i < a->n_images; i++)
		for (size_t j = 0; j < ix->n_images; j++) {
			struct img_archive_image *im = &a->images[i];

			if (!same_layers(im, &ix->images[j]))
				continue;
			memcpy(im->manifest, ix->images[j].manifest, sizeof(im->manifest));
			for (size_t k = 0; k < im->n_layers; k++) {
				free(im->layers[k].media_type);
				im->layers[k].media_type = xstrdup(ix->images[j].layers[k].media_type);
			}
			break;
		}
}

static int read_lists(struct reader *r, struct berth_error **err)
{
	struct img_archive ix = {0};

	if (!r->manifest_json && !r->index_json)
		return berth_error_set(err, 0, "invalid archive: it has neither manifest.json nor index.json");
	if (!r->manifest_json) {
		if (read_index_json(r, r->out, err) < 0)
			return -1;
	} else {
		if (read_manifest_json(r, r->out, err) < 0)
			return -1;
		if (r->index_json && read_index_json(r, &ix, NULL) == 0)
			merge_index(r->out, &ix);
		for (size_t i = 0; i < ix.n_images; i++)
			image_done(&ix.images[i]);
		free(ix.images);
	}
	if (r->out->n_images == 0)
		return berth_error_set(err, 0, "invalid archive: it lists no image");
	return 0;
}

int img_archive_read(struct img_store *s, int fd, struct img_archive **ret, struct berth_error **err)
{
	struct reader r = {.s = s, .chunk = xmalloc(CHUNK), .out = xcalloc(1, sizeof(struct img_archive))};
	int rc = read_all(&r, fd, err);

	if (rc == 0)
		rc = read_lists(&r, err);
	if (rc < 0) {
		for (size_t i = 0; r.out->added && r.out->added[i]; i++)
			img_blob_remove(s, r.out->added[i], NULL);
		img_archive_free(r.out);
	} else {
		*ret = r.out;
	}
	for (size_t i = 0; i < r.n_entries; i++) {
		free(r.entries[i].path);
		free(r.entries[i].link);
	}
	free(r.entries);
	free(r.manifest_json);
	free(r.index_json);
	free(r.chunk);
	return rc;
}
