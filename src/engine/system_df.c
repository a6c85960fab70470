/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker system df: disk use of images (their rows' sizes), containers (the
 * bytes of their upper directories), local volumes (the bytes of their data)
 * and the build cache (none yet), with what a prune would reclaim.
 */
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "store/store.h"

struct totals {
	int64_t count, active, size, reclaimable;
};

static json_t *summary_row(const char *type, const struct totals *t)
{
	_cleanup_free_ char *size = eng_human_size((double)t->size), *rec = eng_human_size((double)t->reclaimable);
	_cleanup_free_ char *rec_pct =
		t->size > 0 ? xasprintf("%s (%lld%%)", rec, (long long)(t->reclaimable * 100 / t->size)) : xstrdup(rec);

	return json_pack("{s:s, s:I, s:I, s:s, s:s}", "Type", type, "TotalCount", (json_int_t)t->count, "Active",
			 (json_int_t)t->active, "Size", size, "Reclaimable", rec_pct);
}

/* How many containers were made from image_id. */
static int64_t users_of_image(struct eng_ctr **cs, size_t n, const char *image_id)
{
	int64_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += cs[i]->image_id && !strcmp(cs[i]->image_id, image_id);
	return k;
}

static int images_part(struct eng *e, struct eng_ctr **cs, size_t n, json_t *out, struct totals *t,
		       struct berth_error **err)
{
	struct db_image *imgs = NULL;
	size_t ni = 0, i;
	json_t *rows = NULL, *row;

	if (db_image_list(e->db, &imgs, &ni, err) < 0)
		return -1;
	for (size_t k = 0; k < ni; k++) {
		int64_t users = users_of_image(cs, n, imgs[k].id);

		t->count++;
		t->size += imgs[k].size;
		t->active += users > 0;
		t->reclaimable += users > 0 ? 0 : imgs[k].size;
	}
	db_images_free(imgs, ni);
	if (eng_image_list(e, true, &rows, err) < 0)
		return -1;
	json_array_foreach(rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "ID"));

		json_object_set_new(row, "Containers", json_sprintf("%lld", (long long)users_of_image(cs, n, id)));
		json_object_set_new(row, "SharedSize", json_string("0B"));
		json_object_set(row, "UniqueSize", json_object_get(row, "Size"));
	}
	json_object_set_new(out, "Images", rows);
	return 0;
}

static int containers_part(struct eng *e, struct eng_ctr **cs, size_t n, json_t *out, struct totals *t,
			   struct berth_error **err)
{
	json_t *rows = NULL, *row;
	size_t i;

	if (eng_ctr_ps_rows(e, true, &rows, err) < 0)
		return -1;
	json_array_foreach(rows, i, row)
	{
		const char *id = json_string_value(json_object_get(row, "ID"));

		for (size_t k = 0; k < n; k++) {
			_cleanup_free_ char *dir = NULL, *upper = NULL, *size = NULL;
			_cleanup_strv_ char **refs = NULL;
			int64_t bytes;

			if (strcmp(cs[k]->id, id) != 0)
				continue;
			dir = eng_ctr_dir(e, id);
			upper = xasprintf("%s/upper", dir);
			bytes = eng_tree_size(upper);
			size = eng_human_size((double)bytes);
			refs = eng_volume_refs(cs[k]->doc);
			json_object_set_new(row, "Size", json_string(size));
			json_object_set_new(row, "LocalVolumes", json_sprintf("%zu", strv_length(refs)));
			t->count++;
			t->size += bytes;
			t->active += eng_ctr_is_running(cs[k]);
			t->reclaimable += eng_ctr_is_running(cs[k]) ? 0 : bytes;
		}
	}
	json_object_set_new(out, "Containers", rows);
	return 0;
}

/* Containers referring to the volume. */
static int64_t links_of(struct eng_ctr **cs, size_t n, const char *name)
{
	int64_t k = 0;

	for (size_t i = 0; i < n; i++) {
		_cleanup_strv_ char **refs = eng_volume_refs(cs[i]->doc);

		k += strv_contains(refs, name);
	}
	return k;
}

static int volumes_part(struct eng *e, struct eng_ctr **cs, size_t n, json_t *out, struct totals *t,
			struct berth_error **err)
{
	struct db_volume *vs = NULL;
	size_t nv = 0;
	json_t *rows = json_array();

	if (db_volume_list(e->db, &vs, &nv, err) < 0) {
		json_decref(rows);
		return -1;
	}
	for (size_t i = 0; i < nv; i++) {
		_cleanup_free_ char *data = eng_volume_data_path(e, vs[i].name), *size = NULL;
		int64_t bytes = eng_tree_size(data), links = links_of(cs, n, vs[i].name);

		size = eng_human_size((double)bytes);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "Name", vs[i].name, "Driver",
						      vs[i].driver, "Mountpoint", data, "Links", (json_int_t)links,
						      "Size", size, "Scope", "local"));
		t->count++;
		t->size += bytes;
		t->active += links > 0;
		t->reclaimable += links > 0 ? 0 : bytes;
	}
	db_volumes_free(vs, nv);
	json_object_set_new(out, "Volumes", rows);
	return 0;
}

int eng_system_df(struct eng *e, json_t **ret, struct berth_error **err)
{
	struct eng_ctr **cs = NULL;
	size_t n = 0;
	struct totals ti = {0}, tc = {0}, tv = {0}, tb = {0};
	json_t *out = json_object();

	if (eng_ctr_list_all(e, &cs, &n, err) < 0) {
		json_decref(out);
		return -1;
	}
	if (images_part(e, cs, n, out, &ti, err) < 0 || containers_part(e, cs, n, out, &tc, err) < 0 ||
	    volumes_part(e, cs, n, out, &tv, err) < 0) {
		eng_ctrs_free(cs, n);
		json_decref(out);
		return -1;
	}
	eng_ctrs_free(cs, n);
	json_object_set_new(out, "BuildCache", json_array());
	json_object_set_new(out, "Summary",
			    json_pack("[o, o, o, o]", summary_row("Images", &ti), summary_row("Containers", &tc),
				      summary_row("Local Volumes", &tv), summary_row("Build Cache", &tb)));
	*ret = out;
	return 0;
}
