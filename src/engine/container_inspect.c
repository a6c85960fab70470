/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker container inspect documents and docker ps rows, built from a container's record. */
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "store/store.h"

/* The State without berth's private fields. */
static json_t *public_state(json_t *state)
{
	json_t *s = json_deep_copy(state);
	const char *key;
	void *tmp;
	json_t *v;

	json_object_foreach_safe(s, tmp, key, v) if (!strncmp(key, "Berth", 5)) json_object_del(s, key);
	return s;
}

static json_t *graph_driver(struct eng *e, const struct eng_ctr *c)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, c->id);
	struct db_image img = {0};
	struct buf lower = {0};
	json_t *data = json_object();

	if (db_image_get(e->db, c->image_id, &img, NULL) == 0 && img.id)
		for (size_t i = strv_length(img.diff_ids); i-- > 0;) {
			_cleanup_free_ char *p = img_layers_diff_path(e->store, img.diff_ids[i]);

			buf_printf(&lower, "%s%s", lower.len ? ":" : "", p);
		}
	db_image_done(&img);
	if (lower.len)
		json_object_set_new(data, "LowerDir", json_string(lower.data));
	buf_done(&lower);
	json_object_set_new(data, "MergedDir", json_sprintf("%s/merged", dir));
	json_object_set_new(data, "UpperDir", json_sprintf("%s/upper", dir));
	json_object_set_new(data, "WorkDir", json_sprintf("%s/work", dir));
	return json_pack("{s:o, s:s}", "Data", data, "Name", "overlay2");
}

/* Docker's order: the static fields, with State after Args and RestartCount after Name. */
static json_t *document(struct eng *e, const struct eng_ctr *c)
{
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach(c->doc, key, v)
	{
		if (!strcmp(key, "Config"))
			continue;
		json_object_set(out, key, v);
		if (!strcmp(key, "Args"))
			json_object_set_new(out, "State", public_state(c->state));
		if (!strcmp(key, "Name"))
			json_object_set_new(out, "RestartCount", json_integer(c->restart_count));
	}
	json_object_set_new(out, "GraphDriver", graph_driver(e, c));
	if (!json_object_get(out, "Mounts"))
		json_object_set_new(out, "Mounts", json_array());
	json_object_set(out, "Config", json_object_get(c->doc, "Config"));
	json_object_set_new(out, "NetworkSettings", eng_ctr_network_settings(e, c));
	return out;
}

int eng_ctr_inspect(struct eng *e, const char *name, json_t **ret, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	*ret = document(e, c);
	return 0;
}

static int64_t seconds_since(const char *rfc3339)
{
	int64_t t = 0;

	if (!rfc3339 || !eng_time_parse(rfc3339, &t, NULL) || t <= 0)
		return 0;
	return (int64_t)time(NULL) - t;
}

/* Docker's STATUS column: "Up 5 seconds", "Exited (0) 3 minutes ago", "Created", ... */
static char *status_text(const struct eng_ctr *c)
{
	const char *s = eng_ctr_status(c);
	json_t *st = c->state;
	int code = (int)json_integer_value(json_object_get(st, "ExitCode"));
	_cleanup_free_ char *up = NULL, *ago = NULL;

	if (!strcmp(s, ENG_STATUS_RUNNING) || !strcmp(s, ENG_STATUS_PAUSED)) {
		_cleanup_free_ char *health = eng_health_suffix(st);

		up = eng_human_duration(seconds_since(json_string_value(json_object_get(st, "StartedAt"))));
		return xasprintf("Up %s%s%s", up, !strcmp(s, ENG_STATUS_PAUSED) ? " (Paused)" : "", health);
	}
	if (!strcmp(s, ENG_STATUS_EXITED) || !strcmp(s, ENG_STATUS_RESTARTING)) {
		ago = eng_human_duration(seconds_since(json_string_value(json_object_get(st, "FinishedAt"))));
		return xasprintf("%s (%d) %s ago", !strcmp(s, ENG_STATUS_EXITED) ? "Exited" : "Restarting", code, ago);
	}
	if (!strcmp(s, ENG_STATUS_REMOVING))
		return xstrdup("Removal In Progress");
	if (!strcmp(s, ENG_STATUS_DEAD))
		return xstrdup("Dead");
	return xstrdup("Created");
}

static char *command_text(const struct eng_ctr *c)
{
	struct buf b = {0};
	size_t i;
	json_t *v;

	buf_puts(&b, json_string_value(json_object_get(c->doc, "Path")));
	/* as dockerd: arguments with a space in single quotes */
	json_array_foreach(json_object_get(c->doc, "Args"), i, v)
	{
		const char *a = json_string_value(v);

		buf_printf(&b, strchr(a, ' ') ? " '%s'" : " %s", a);
	}
	return buf_steal(&b);
}

static char *labels_text(json_t *labels)
{
	struct buf b = {0};
	const char *k;
	json_t *v;

	json_object_foreach(labels, k, v) buf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(v));
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* Docker's PORTS column: "0.0.0.0:8080->80/tcp, 443/tcp" (published, then exposed only). */
static char *ports_text(const struct eng_ctr *c)
{
	struct buf b = {0};
	json_t *p, *v;
	const char *key;
	size_t i;

	json_array_foreach(json_object_get(c->state, "BerthPorts"), i, p)
	{
		const char *ip = json_string_value(json_object_get(p, "HostIp"));

		buf_printf(&b, "%s%s:%d->%d/%s", b.len ? ", " : "", ip && *ip ? ip : "0.0.0.0",
			   (int)json_integer_value(json_object_get(p, "HostPort")),
			   (int)json_integer_value(json_object_get(p, "ContainerPort")),
			   json_string_value(json_object_get(p, "Proto")) ?: "tcp");
	}
	if (!b.len)
		json_object_foreach(json_object_get(json_object_get(c->doc, "Config"), "ExposedPorts"), key, v)
			buf_printf(&b, "%s%s", b.len ? ", " : "", key);
	return b.len ? buf_steal(&b) : xstrdup("");
}

static json_t *ps_row(const struct eng_ctr *c)
{
	json_t *config = json_object_get(c->doc, "Config");
	int64_t created = 0;
	const char *cs = json_string_value(json_object_get(c->doc, "Created"));
	_cleanup_free_ char *status = status_text(c), *cmd = command_text(c), *at = NULL, *dur = NULL, *since = NULL;
	_cleanup_free_ char *labels = labels_text(json_object_get(config, "Labels")), *ports = ports_text(c);

	if (cs)
		eng_time_parse(cs, &created, NULL);
	at = eng_time_go_string(created);
	dur = eng_human_duration((int64_t)time(NULL) - created);
	since = xasprintf("%s ago", dur);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", c->id,
			 "Image", json_string_value(json_object_get(config, "Image")), "Command", cmd, "CreatedAt", at,
			 "RunningFor", since, "Ports", ports, "State", eng_ctr_status(c), "Status", status, "Size",
			 "0B", "Names", c->name, "Labels", labels, "Mounts", "", "Networks", "", "LocalVolumes", "0",
			 "BerthImageID", c->image_id);
}

int eng_ctr_ps_rows(struct eng *e, bool all, json_t **ret, struct berth_error **err)
{
	struct eng_ctr **v = NULL;
	size_t n = 0;
	json_t *rows = json_array();

	if (eng_ctr_list_all(e, &v, &n, err) < 0) {
		json_decref(rows);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (all || eng_ctr_is_running(v[i]))
			json_array_append_new(rows, ps_row(v[i]));
	eng_ctrs_free(v, n);
	*ret = rows;
	return 0;
}
