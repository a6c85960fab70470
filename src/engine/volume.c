/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker volume create, inspect, ls, rm and prune for the local driver: a
 * row per volume and its data under <root>/volumes/<name>/_data.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"
#include "store/store.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

bool eng_volume_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 2 && strchr(NAME_CHARS, name[0]) && name[0] && strspn(name, NAME_CHARS "_.-") == n;
}

char *eng_volume_data_path(struct eng *e, const char *name)
{
	return xasprintf("%s/volumes/%s/_data", e->root, name);
}

static char *volume_dir(struct eng *e, const char *name)
{
	return xasprintf("%s/volumes/%s", e->root, name);
}

/* "KEY=VALUE" (or "KEY": an empty value) entries into an object; options: only the local driver's keys. */
static int kv_object(char *const *v, bool options, json_t **ret, struct berth_error **err)
{
	json_t *o = json_object();

	for (size_t i = 0; v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		_cleanup_free_ char *key = eq ? strndup(v[i], (size_t)(eq - v[i])) : xstrdup(v[i]);

		if (options && strcmp(key, "type") && strcmp(key, "device") && strcmp(key, "o")) {
			json_decref(o);
			return berth_error_set(err, 0, "invalid option: \"%s\"", key);
		}
		json_object_set_new(o, key, json_string(eq ? eq + 1 : ""));
	}
	*ret = o;
	return 0;
}

static char *now_rfc3339(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

static int check_create(const struct eng_volume_create_opts *o, struct berth_error **err)
{
	if (o->driver && *o->driver && strcmp(o->driver, "local") != 0)
		return berth_error_set(err, 0, "error looking up volume plugin %s: plugin \"%s\" not found", o->driver,
				       o->driver);
	if (o->name && !eng_volume_name_valid(o->name))
		return berth_error_set(err, 0,
				       "create %s: \"%s\" includes invalid characters for a local volume name, only "
				       "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
				       "directory, use absolute path",
				       o->name, o->name);
	return 0;
}

int eng_volume_create(struct eng *e, const struct eng_volume_create_opts *o, char **ret_name, struct berth_error **err)
{
	_cleanup_free_ char *labels_s = NULL, *opts_s = NULL, *created = NULL, *data = NULL;
	json_t *labels = NULL, *options = NULL;
	struct db_volume have = {0};
	char gen[65];
	const char *name = o->name;
	int rc = -1;

	if (check_create(o, err) < 0)
		return -1;
	if (!name) {
		eng_id_generate(gen);
		name = gen;
	}
	if (db_volume_get(e->db, name, &have, err) < 0)
		return -1;
	if (have.name) {
		db_volume_done(&have);
		*ret_name = xstrdup(name);
		return 0;
	}
	if (kv_object(o->labels, false, &labels, err) < 0 || kv_object(o->options, true, &options, err) < 0)
		goto out;
	labels_s = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
	opts_s = json_dumps(options, JSON_COMPACT | JSON_SORT_KEYS);
	created = now_rfc3339();
	data = eng_volume_data_path(e, name);
	if (fs_mkdir_p_at(AT_FDCWD, data, 0755, err) < 0)
		goto out;
	struct db_volume row = {.name = (char *)name,
				.driver = "local",
				.created = created,
				.labels = labels_s,
				.options = opts_s,
				.anonymous = o->anonymous};
	if (db_volume_insert(e->db, &row, err) < 0) {
		if (err && *err && (*err)->code == EEXIST) { /* made by a concurrent command */
			berth_error_free(err);
			*ret_name = xstrdup(name);
			rc = 0;
		}
		goto out;
	}
	*ret_name = xstrdup(name);
	rc = 0;
out:
	json_decref(labels);
	json_decref(options);
	return rc;
}

static json_t *parse_object(const char *s)
{
	json_t *o = s ? json_loads(s, 0, NULL) : NULL;

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

static json_t *document(struct eng *e, const struct db_volume *v)
{
	json_t *labels = parse_object(v->labels), *options = parse_object(v->options);
	_cleanup_free_ char *mp = eng_volume_data_path(e, v->name);

	/* dockerd has null for the labels and options of a volume made for a container */
	if (v->anonymous && json_object_size(labels) == 0) {
		json_decref(labels);
		labels = json_null();
	}
	if (v->anonymous && json_object_size(options) == 0) {
		json_decref(options);
		options = json_null();
	}
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:s}", "CreatedAt", v->created, "Driver", v->driver, "Labels",
			 labels, "Mountpoint", mp, "Name", v->name, "Options", options, "Scope", "local");
}

int eng_volume_inspect(struct eng *e, const char *name, json_t **ret, struct berth_error **err)
{
	struct db_volume v = {0};

	if (db_volume_get(e->db, name, &v, err) < 0)
		return -1;
	if (!v.name)
		return berth_error_set(err, 0, "No such volume: %s", name);
	*ret = document(e, &v);
	db_volume_done(&v);
	return 0;
}

/* name → array of container ids, for every volume a container refers to. */
static int usage_map(struct eng *e, json_t **ret, struct berth_error **err)
{
	struct db_container *cs = NULL;
	size_t n = 0;
	json_t *map = json_object();

	if (db_container_list(e->db, &cs, &n, err) < 0) {
		json_decref(map);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *doc = cs[i].doc ? json_loads(cs[i].doc, 0, NULL) : NULL;
		_cleanup_strv_ char **refs = doc ? eng_volume_refs(doc) : NULL;

		for (size_t j = 0; refs && refs[j]; j++) {
			json_t *ids = json_object_get(map, refs[j]);

			if (!ids) {
				ids = json_array();
				json_object_set_new(map, refs[j], ids);
			}
			json_array_append_new(ids, json_string(cs[i].id));
		}
		json_decref(doc);
	}
	db_containers_free(cs, n);
	*ret = map;
	return 0;
}

int eng_volume_users(struct eng *e, const char *name, char ***ret_ids, struct berth_error **err)
{
	json_t *map = NULL, *v;
	char **ids = xcalloc(1, sizeof(char *));
	size_t i;

	if (usage_map(e, &map, err) < 0) {
		free(ids);
		return -1;
	}
	json_array_foreach(json_object_get(map, name), i, v) strv_push(&ids, json_string_value(v));
	json_decref(map);
	*ret_ids = ids;
	return 0;
}

/* Unmount a device volume, remove its directory, then its row. */
static int destroy(struct eng *e, const char *name, struct berth_error **err)
{
	_cleanup_free_ char *data = eng_volume_data_path(e, name), *dir = volume_dir(e, name);

	if (vol_is_mounted(data) && umount2(data, MNT_DETACH) < 0)
		return berth_error_set(err, errno, "remove %s: unmount '%s'", name, data);
	if (fs_exists_at(AT_FDCWD, dir) && fs_rm_rf_at(AT_FDCWD, dir, err) < 0)
		return berth_error_wrap(err, "remove %s", name);
	return db_volume_delete(e->db, name, err);
}

int eng_volume_remove(struct eng *e, const char *name, bool force, struct berth_error **err)
{
	_cleanup_strv_ char **users = NULL;
	struct db_volume v = {0};
	struct buf b = {0};

	if (db_volume_get(e->db, name, &v, err) < 0)
		return -1;
	if (!v.name)
		return force ? 0 : berth_error_set(err, 0, "get %s: no such volume", name);
	db_volume_done(&v);
	if (eng_volume_users(e, name, &users, err) < 0)
		return -1;
	if (users[0]) {
		for (size_t i = 0; users[i]; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", users[i]);
		berth_error_set(err, 0, "remove %s: volume is in use - [%s]", name, b.data);
		buf_done(&b);
		return -1;
	}
	return destroy(e, name, err);
}

int eng_volume_prune(struct eng *e, bool all, const struct eng_prune_filter *f, char ***ret_names,
		     int64_t *ret_reclaimed, struct berth_error **err)
{
	struct db_volume *vs = NULL;
	size_t n = 0;
	json_t *map = NULL;
	_cleanup_strv_ char **names = xcalloc(1, sizeof(char *));
	int64_t reclaimed = 0;
	int rc = -1;

	if (db_volume_list(e->db, &vs, &n, err) < 0)
		return -1;
	if (usage_map(e, &map, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *data = eng_volume_data_path(e, vs[i].name);
		json_t *labels = parse_object(vs[i].labels);
		bool hit = eng_prune_filter_match(f, labels, NULL);
		int64_t size;

		json_decref(labels);
		if ((!all && !vs[i].anonymous) || json_object_get(map, vs[i].name) || !hit)
			continue;
		size = eng_tree_size(data);
		if (destroy(e, vs[i].name, err) < 0)
			goto out;
		reclaimed += size;
		strv_push(&names, vs[i].name);
	}
	*ret_names = TAKE_PTR(names);
	*ret_reclaimed = reclaimed;
	rc = 0;
out:
	json_decref(map);
	db_volumes_free(vs, n);
	return rc;
}

/* ---- ls ---- */

static char *labels_text(json_t *labels)
{
	struct buf b = {0};
	const char *k;
	json_t *v;

	buf_puts(&b, "");
	json_object_foreach(labels, k, v) buf_printf(&b, "%s%s=%s", b.len ? "," : "", k, json_string_value(v));
	return buf_steal(&b);
}

static int check_filter(const char *f, struct berth_error **err)
{
	const char *eq = strchr(f, '=');
	static const char *const keys[] = {"dangling=", "name=", "label=", "driver="};

	if (!eq)
		return berth_error_set(err, 0, "bad format of filter (expected name=value)");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strncmp(f, keys[i], strlen(keys[i])) == 0) {
			if (i == 0 && strcmp(eq + 1, "true") && strcmp(eq + 1, "false") && strcmp(eq + 1, "1") &&
			    strcmp(eq + 1, "0"))
				return berth_error_set(err, 0, "invalid filter 'dangling=%s'", eq + 1);
			return 0;
		}
	return berth_error_set(err, 0, "invalid filter '%.*s'", (int)(eq - f), f);
}

static bool name_matches(const char *name, const char *pattern)
{
	regex_t re;
	bool hit;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return strstr(name, pattern) != NULL;
	hit = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

static bool label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *key = eq ? strndup(want, (size_t)(eq - want)) : xstrdup(want);
	json_t *v = json_object_get(labels, key);

	return v && (!eq || strcmp(json_string_value(v), eq + 1) == 0);
}

static bool keep(const struct db_volume *v, json_t *labels, bool used, char *const *filters)
{
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *f = filters[i], *val = strchr(f, '=') + 1;

		if (!strncmp(f, "dangling=", 9) && used == (!strcmp(val, "true") || !strcmp(val, "1")))
			return false;
		if (!strncmp(f, "name=", 5) && !name_matches(v->name, val))
			return false;
		if (!strncmp(f, "label=", 6) && !label_matches(labels, val))
			return false;
		if (!strncmp(f, "driver=", 7) && strcmp(v->driver, val))
			return false;
	}
	return true;
}

int eng_volume_list(struct eng *e, char *const *filters, json_t **ret, struct berth_error **err)
{
	struct db_volume *vs = NULL;
	size_t n = 0;
	json_t *map = NULL, *rows;

	for (size_t i = 0; filters && filters[i]; i++)
		if (check_filter(filters[i], err) < 0)
			return -1;
	if (db_volume_list(e->db, &vs, &n, err) < 0)
		return -1;
	if (usage_map(e, &map, err) < 0) {
		db_volumes_free(vs, n);
		return -1;
	}
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *labels = parse_object(vs[i].labels);
		_cleanup_free_ char *mp = eng_volume_data_path(e, vs[i].name), *lt = labels_text(labels);

		if (keep(&vs[i], labels, json_object_get(map, vs[i].name) != NULL, filters))
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Name", vs[i].name,
							      "Driver", vs[i].driver, "Scope", "local", "Mountpoint",
							      mp, "Labels", lt, "Links", "N/A", "Size", "N/A"));
		json_decref(labels);
	}
	json_decref(map);
	db_volumes_free(vs, n);
	*ret = rows;
	return 0;
}
