/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker load and docker save: image archives read into the store and
 * recorded, and recorded images written out again.
 */
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "oci/oci.h"
#include "store/store.h"

#define CONFIG_MAX (8u << 20)

/* One image of the archive, ready to record. */
struct load_image {
	const struct img_archive_image *src;
	struct eng_layer_in *layers;
	size_t n_layers;
	char **names;	 /* full references */
	char **familiar; /* as printed */
};

struct load {
	struct eng *e;
	struct img_archive *a;
	struct load_image *imgs;
	char **new_layers; /* layers this load unpacked */
	char **strings;	   /* strings the layers point to */
	char **lines;
};

static struct img_unpack_opts unpack_opts(void)
{
	/* as root, device nodes in layers are what the image author put there; rootless, chown may fail */
	return (struct img_unpack_opts){.allow_devices = geteuid() == 0, .ignore_chown_errors = geteuid() != 0};
}

static int parse_tags(const struct img_archive_image *im, struct load_image *out, struct berth_error **err)
{
	for (size_t i = 0; im->tags && im->tags[i]; i++) {
		_cleanup_img_ref_ struct img_ref *ref = NULL;

		if (img_ref_parse_normalized_default(im->tags[i], &ref, err) < 0)
			return berth_error_wrap(err, "image %s", im->config);
		if (ref->digest)
			return berth_error_set(err, 0, "image %s: '%s' is no tag", im->config, im->tags[i]);
		strv_push_take(&out->names, img_ref_string(ref));
		strv_push_take(&out->familiar, img_ref_familiar_string(ref));
	}
	return 0;
}

/* A layer the store has with a kept blob is used as it is; otherwise the archive's blob is unpacked. */
static int prepare_layer(struct load *l, const char *diff_id, const struct img_archive_layer *al,
			 struct eng_layer_in *in, struct berth_error **err)
{
	struct img_unpack_opts opts = unpack_opts();
	struct img_layer_info info = {0};
	struct db_layer row = {0};

	snprintf(in->diff_id, sizeof(in->diff_id), "%s", diff_id);
	if (db_layer_get(l->e->db, diff_id, &row, err) < 0 || img_layers_info(l->e->store, diff_id, &info, err) < 0) {
		db_layer_done(&row);
		return -1;
	}
	if (row.diff_id && row.blob_digest && info.existed && img_blob_exists(l->e->store, row.blob_digest)) {
		snprintf(in->blob_digest, sizeof(in->blob_digest), "%s", row.blob_digest);
		in->media_type = row.media_type ? row.media_type : OCI_MEDIA_LAYER_TAR;
		strv_push(&l->strings, in->media_type);
		in->media_type = l->strings[strv_length(l->strings) - 1];
		in->blob_size = row.blob_size;
		db_layer_done(&row);
	} else {
		db_layer_done(&row);
		if (img_layers_unpack_blob(l->e->store, al->digest, diff_id, &opts, &info, err) < 0)
			return -1;
		if (!info.existed)
			strv_push(&l->new_layers, diff_id);
		snprintf(in->blob_digest, sizeof(in->blob_digest), "%s", al->digest);
		in->media_type = al->media_type;
		in->blob_size = al->size;
	}
	snprintf(in->link, sizeof(in->link), "%s", info.link);
	in->size = info.size;
	return 0;
}

static int prepare_image(struct load *l, const struct img_archive_image *im, struct load_image *out,
			 struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	struct oci_image_config *cfg = NULL;
	size_t len = 0, n;
	int rc = 0;

	out->src = im;
	if (parse_tags(im, out, err) < 0)
		return -1;
	if (img_blob_read(l->e->store, im->config, CONFIG_MAX, &data, &len, err) < 0 ||
	    oci_image_config_decode(data, len, im->config, &cfg, err) < 0)
		return -1;
	n = strv_length(cfg->diff_ids);
	if (n != im->n_layers)
		rc = berth_error_set(err, 0, "image %s: its config lists %zu layers but the archive gives %zu",
				     im->config, n, im->n_layers);
	out->layers = xcalloc(n + 1, sizeof(*out->layers));
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = prepare_layer(l, cfg->diff_ids[i], &im->layers[i], &out->layers[i], err);
		if (rc < 0)
			berth_error_wrap(err, "image %s: layer %s", im->config, cfg->diff_ids[i]);
		out->n_layers += rc == 0;
	}
	oci_image_config_free(cfg);
	return rc;
}

static int record_image(struct load *l, const struct load_image *li, struct berth_error **err)
{
	const struct img_archive_image *im = li->src;

	for (size_t i = 0; li->names && li->names[i]; i++) {
		_cleanup_free_ char *old = NULL;

		if (db_tag_get(l->e->db, li->names[i], &old, err) < 0)
			return -1;
		if (old && strcmp(old, im->config) != 0)
			strv_push_take(&l->lines,
				       xasprintf("The image %s already exists, renaming the old one with ID %s "
						 "to empty string",
						 li->familiar[i], old));
	}
	if (eng_image_record(l->e, im->config, im->manifest[0] ? im->manifest : NULL, li->layers, li->n_layers,
			     li->names, NULL, err) < 0)
		return -1;
	for (size_t i = 0; li->familiar && li->familiar[i]; i++)
		strv_push_take(&l->lines, xasprintf("Loaded image: %s", li->familiar[i]));
	if (!li->familiar)
		strv_push_take(&l->lines, xasprintf("Loaded image ID: %s", im->config));
	return 0;
}

static bool referenced(const struct load *l, const char *digest)
{
	for (size_t i = 0; i < l->a->n_images; i++) {
		const struct load_image *li = &l->imgs[i];

		if (!strcmp(li->src->config, digest) || !strcmp(li->src->manifest, digest))
			return true;
		for (size_t j = 0; j < li->n_layers; j++)
			if (!strcmp(li->layers[j].blob_digest, digest))
				return true;
	}
	return false;
}

/* After a failure before any row: every layer and blob this load brought goes again. */
static void undo(struct load *l, bool everything)
{
	for (size_t i = 0; everything && l->new_layers && l->new_layers[i]; i++)
		img_layers_remove(l->e->store, l->new_layers[i], NULL);
	for (size_t i = 0; l->a && l->a->added && l->a->added[i]; i++)
		if (everything || !referenced(l, l->a->added[i]))
			img_blob_remove(l->e->store, l->a->added[i], NULL);
}

static void load_done(struct load *l)
{
	for (size_t i = 0; l->a && i < l->a->n_images; i++) {
		free(l->imgs[i].layers);
		strv_free(l->imgs[i].names);
		strv_free(l->imgs[i].familiar);
	}
	free(l->imgs);
	img_archive_free(l->a);
	strv_free(l->new_layers);
	strv_free(l->strings);
	strv_free(l->lines);
}

int eng_image_load(struct eng *e, int fd, bool quiet, char ***ret_lines, struct berth_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct load l = {.e = e};
	int rc = -1;

	/* shared from the first blob until the rows are in: garbage collection keeps away */
	if (img_store_lock(e->store, false, false, &lock_fd, err) < 0)
		return -1;
	if (img_archive_read(e->store, fd, &l.a, err) < 0)
		return -1;
	l.imgs = xcalloc(l.a->n_images, sizeof(*l.imgs));
	for (size_t i = 0; i < l.a->n_images; i++)
		if (prepare_image(&l, &l.a->images[i], &l.imgs[i], err) < 0) {
			undo(&l, true);
			goto out;
		}
	for (size_t i = 0; i < l.a->n_images; i++)
		if (record_image(&l, &l.imgs[i], err) < 0)
			goto out;
	undo(&l, false);
	*ret_lines = TAKE_PTR(l.lines);
	rc = 0;
out:
	load_done(&l);
	return rc;
}

/* One image to save: its id and the tags that named it. */
struct save_item {
	char *id;
	char **names;
	struct db_image img;
	struct img_archive_layer *layers;
	size_t n_layers;
};

struct save {
	struct eng *e;
	struct save_item *items;
	size_t n;
};

static void save_add(struct save *s, const char *id, const char *name)
{
	struct save_item *it = NULL;

	for (size_t i = 0; i < s->n && !it; i++)
		if (strcmp(s->items[i].id, id) == 0)
			it = &s->items[i];
	if (!it) {
		s->items = realloc(s->items, (s->n + 1) * sizeof(*s->items));
		if (!s->items)
			abort();
		it = &s->items[s->n++];
		memset(it, 0, sizeof(*it));
		it->id = xstrdup(id);
	}
	if (name && !strv_contains(it->names, name))
		strv_push(&it->names, name);
}

/* A repository alone ("busybox") means all of its tags, as docker save does. */
static int add_repository(struct save *s, const char *repo, bool *ret_found, struct berth_error **err)
{
	struct db_image *imgs = NULL;
	size_t n = 0, len = strlen(repo);

	*ret_found = false;
	if (db_image_list(s->e->db, &imgs, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **tags = NULL;

		if (db_tags_of_image(s->e->db, imgs[i].id, &tags, err) < 0) {
			db_images_free(imgs, n);
			return -1;
		}
		for (size_t j = 0; tags && tags[j]; j++)
			if (strncmp(tags[j], repo, len) == 0 && tags[j][len] == ':' &&
			    !strchr(tags[j] + len + 1, '/')) {
				save_add(s, imgs[i].id, tags[j]);
				*ret_found = true;
			}
	}
	db_images_free(imgs, n);
	return 0;
}

static int save_name(struct save *s, const char *name, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	_cleanup_free_ char *id = NULL, *full = NULL;
	bool found = false;

	if (strncmp(name, "sha256:", 7) != 0 && img_ref_parse(name, &ref, NULL) == 0) {
		if (!ref->tag && !ref->digest) {
			_cleanup_free_ char *repo = img_ref_repository(ref);

			if (add_repository(s, repo, &found, err) < 0)
				return -1;
			if (found)
				return 0;
		} else if (ref->tag && !ref->digest) {
			full = img_ref_string(ref);
		}
	}
	if (eng_image_find(s->e, name, &id, err) < 0)
		return -1;
	save_add(s, id, full);
	return 0;
}

static int save_layers(struct save *s, struct save_item *it, struct berth_error **err)
{
	if (db_image_get(s->e->db, it->id, &it->img, err) < 0)
		return -1;
	if (!it->img.id)
		return berth_error_set(err, 0, "No such image: %s", it->id);
	it->layers = xcalloc(strv_length(it->img.diff_ids) + 1, sizeof(*it->layers));
	for (size_t i = 0; it->img.diff_ids && it->img.diff_ids[i]; i++) {
		struct db_layer row = {0};
		struct img_archive_layer *l = &it->layers[i];

		if (db_layer_get(s->e->db, it->img.diff_ids[i], &row, err) < 0)
			return -1;
		if (!row.blob_digest) {
			db_layer_done(&row);
			return berth_error_set(err, 0, "image %s: layer %s has no blob to save", it->id,
					       it->img.diff_ids[i]);
		}
		snprintf(l->digest, sizeof(l->digest), "%s", row.blob_digest);
		l->media_type = row.media_type ? TAKE_PTR(row.media_type) : xstrdup(OCI_MEDIA_LAYER_TAR);
		l->size = row.blob_size;
		it->n_layers++;
		db_layer_done(&row);
	}
	return 0;
}

static void save_done(struct save *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].id);
		strv_free(s->items[i].names);
		db_image_done(&s->items[i].img);
		for (size_t j = 0; j < s->items[i].n_layers; j++)
			free(s->items[i].layers[j].media_type);
		free(s->items[i].layers);
	}
	free(s->items);
}

int eng_image_save(struct eng *e, char *const *names, size_t n, int out_fd, struct berth_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	_cleanup_free_ struct img_save_image *out = NULL;
	struct save s = {.e = e};
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		if (save_name(&s, names[i], err) < 0)
			goto done;
	/* shared: garbage collection may not take blobs while they are written out */
	if (img_store_lock(e->store, false, false, &lock_fd, err) < 0)
		goto done;
	out = xcalloc(s.n + 1, sizeof(*out));
	for (size_t i = 0; i < s.n; i++) {
		if (save_layers(&s, &s.items[i], err) < 0)
			goto done;
		out[i] = (struct img_save_image){
			.config = s.items[i].id,
			.manifest = s.items[i].img.manifest_digest,
			.layers = s.items[i].layers,
			.n_layers = s.items[i].n_layers,
			.names = s.items[i].names,
		};
	}
	rc = img_archive_write(e->store, out, s.n, out_fd, err);
done:
	save_done(&s);
	return rc;
}
