/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker history: the config's history entries, newest first, sized by the layers they made. */
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/units.h"
#include "image/image.h"
#include "oci/oci.h"
#include "store/store.h"

#define CONFIG_MAX (8u << 20)

static json_t *history_row(const char *id, const struct oci_history *h, int64_t size)
{
	int64_t created = 0;
	_cleanup_free_ char *since = NULL, *at = NULL, *dur = NULL, *hsize = eng_human_size((double)size);
	bool known = h->created && eng_time_parse(h->created, &created, NULL);

	if (known) {
		dur = eng_human_duration((int64_t)time(NULL) - created);
		since = xasprintf("%s ago", dur);
		at = eng_time_rfc3339(created, 0);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "ID", id, "CreatedSince", since ? since : "N/A",
			 "CreatedAt", at ? at : "N/A", "CreatedBy", h->created_by ? h->created_by : "", "Size", hsize,
			 "Comment", h->comment ? h->comment : "", "SizeBytes", (json_int_t)size);
}

static int layer_size(struct eng *e, const char *diff_id, int64_t *ret, struct berth_error **err)
{
	struct db_layer l;

	if (db_layer_get(e->db, diff_id, &l, err) < 0)
		return -1;
	*ret = l.size;
	db_layer_done(&l);
	return 0;
}

int eng_image_history(struct eng *e, const char *name, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL, *data = NULL;
	struct oci_image_config *cfg = NULL;
	json_t *rows = json_array();
	size_t len = 0, layer = 0, n_layers;
	int rc = -1;

	if (eng_image_find(e, name, &id, err) < 0 || img_blob_read(e->store, id, CONFIG_MAX, &data, &len, err) < 0 ||
	    oci_image_config_decode(data, len, id, &cfg, err) < 0)
		goto out;
	n_layers = strv_length(cfg->diff_ids);
	for (size_t i = 0; i < cfg->n_history; i++) {
		const struct oci_history *h = &cfg->history[i];
		int64_t size = 0;

		if (!h->empty_layer && layer < n_layers && layer_size(e, cfg->diff_ids[layer++], &size, err) < 0)
			goto out;
		/* Newest first; only the newest entry carries the image id, as docker shows. */
		json_array_insert_new(rows, 0, history_row(i + 1 == cfg->n_history ? id : "<missing>", h, size));
	}
	if (cfg->n_history == 0) {
		struct oci_history none = {.created = cfg->created};

		json_array_append_new(rows, history_row(id, &none, 0));
	}
	*ret = rows;
	rows = NULL;
	rc = 0;
out:
	json_decref(rows);
	oci_image_config_free(cfg);
	return rc;
}
