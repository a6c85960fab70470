/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Containers in the database: loading, lookup by name, id or prefix, saving
 * State, and bringing a State up to date when its monitor died without
 * recording the exit (a crash or a reboot).
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "store/store.h"

void eng_ctr_free(struct eng_ctr *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->name);
	free(c->image_id);
	json_decref(c->doc);
	json_decref(c->state);
	free(c);
}

void eng_ctrs_free(struct eng_ctr **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		eng_ctr_free(v[i]);
	free(v);
}

char *eng_ctr_dir(struct eng *e, const char *id)
{
	return xasprintf("%s/containers/%s", e->root, id);
}

char *eng_ctr_rundir(struct eng *e, const char *id)
{
	return xasprintf("%s/containers/%s", e->runroot, id);
}

char *eng_runtime_root(struct eng *e)
{
	return xasprintf("%s/runtime", e->runroot);
}

const char *eng_ctr_status(const struct eng_ctr *c)
{
	const char *s = json_string_value(json_object_get(c->state, "Status"));

	return s ? s : ENG_STATUS_CREATED;
}

bool eng_ctr_is_running(const struct eng_ctr *c)
{
	const char *s = eng_ctr_status(c);

	return !strcmp(s, ENG_STATUS_RUNNING) || !strcmp(s, ENG_STATUS_PAUSED) || !strcmp(s, ENG_STATUS_RESTARTING);
}

static struct eng_ctr *from_row(struct db_container *row, struct berth_error **err)
{
	struct eng_ctr *c = xcalloc(1, sizeof(*c));
	json_error_t jerr;

	c->doc = json_loads(row->doc, 0, &jerr);
	c->state = c->doc ? json_loads(row->state, 0, &jerr) : NULL;
	if (!c->doc || !c->state) {
		berth_error_set(err, 0, "container %.12s: corrupt record: %s", row->id, jerr.text);
		eng_ctr_free(c);
		return NULL;
	}
	c->id = TAKE_PTR(row->id);
	c->name = TAKE_PTR(row->name);
	c->image_id = TAKE_PTR(row->image_id);
	c->restart_count = row->restart_count;
	c->seq = row->seq;
	return c;
}

static bool monitor_alive(json_t *st)
{
	pid_t mon = (pid_t)json_integer_value(json_object_get(st, "BerthMonitorPid"));
	unsigned long long start = (unsigned long long)json_integer_value(json_object_get(st, "BerthMonitorStart"));

	return mon > 0 && proc_is_alive(mon, start);
}

static void set_stale_exit(json_t *st)
{
	_cleanup_free_ char *now = eng_time_rfc3339_now();

	json_object_set_new(st, "Status", json_string(ENG_STATUS_EXITED));
	json_object_set_new(st, "Running", json_false());
	json_object_set_new(st, "Paused", json_false());
	json_object_set_new(st, "Restarting", json_false());
	json_object_set_new(st, "Pid", json_integer(0));
	json_object_set_new(st, "ExitCode", json_integer(255));
	json_object_set_new(st, "FinishedAt", json_string(now));
	json_object_del(st, "BerthMonitorPid");
	json_object_del(st, "BerthMonitorStart");
}

/*
 * A State that says the process runs, while its monitor is gone, is stale:
 * record the exit Docker records after a daemon crash (exit code 255) and
 * release what the monitor held: its orphaned init, the runtime's state,
 * the mounts (eng_ctr_release). Decided again on the stored State inside
 * the transaction (the monitor may have recorded the real exit since we
 * read it, or another command repaired and restarted the container), and
 * released before the commit, so that no start comes in between.
 */
static int refresh(struct eng *e, struct eng_ctr *c, struct berth_error **err)
{
	struct db_container row = {0};
	_cleanup_free_ char *s = NULL;
	json_error_t jerr;
	json_t *st;

	if (!eng_ctr_is_running(c) || monitor_alive(c->state))
		return 0;
	if (db_begin(e->db, err) < 0)
		return -1;
	if (db_container_get(e->db, c->id, &row, err) < 0)
		goto fail;
	st = row.id ? json_loads(row.state, 0, &jerr) : NULL;
	if (row.id && !st) {
		berth_error_set(err, 0, "container %.12s: corrupt state: %s", c->id, jerr.text);
		goto fail;
	}
	if (st) {
		json_decref(c->state);
		c->state = st;
		c->restart_count = row.restart_count;
	}
	db_container_done(&row);
	/* removed meanwhile, or no longer stale */
	if (!st || !eng_ctr_is_running(c) || monitor_alive(st)) {
		db_rollback(e->db);
		return 0;
	}
	set_stale_exit(st);
	s = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (db_container_set_state(e->db, c->id, s, err) < 0)
		goto fail;
	eng_ctr_release(e, c->id, c->doc);
	if (db_commit(e->db, err) < 0)
		return -1;
	/* after the commit: the network lock is taken before the database's, never inside it */
	eng_netwire_down(e, c->id);
	return 0;
fail:
	db_container_done(&row);
	db_rollback(e->db);
	return -1;
}

static int load(struct eng *e, const char *id, struct eng_ctr **ret, struct berth_error **err)
{
	struct db_container row = {0};
	struct eng_ctr *c;

	*ret = NULL;
	if (db_container_get(e->db, id, &row, err) < 0)
		return -1;
	if (!row.id)
		return 0;
	c = from_row(&row, err);
	db_container_done(&row);
	if (!c)
		return -1;
	if (refresh(e, c, err) < 0) {
		eng_ctr_free(c);
		return -1;
	}
	*ret = c;
	return 0;
}

int eng_ctr_lookup(struct eng *e, const char *name, struct eng_ctr **ret, struct berth_error **err)
{
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **ids = NULL;

	*ret = NULL;
	if (name[0] == '/')
		name++;
	if (strlen(name) == 64 && load(e, name, ret, err) < 0)
		return -1;
	if (*ret)
		return 0;
	if (db_container_id_by_name(e->db, name, &id, err) < 0)
		return -1;
	if (id)
		return load(e, id, ret, err);
	if (db_container_ids_by_prefix(e->db, name, 2, &ids, err) < 0)
		return -1;
	if (strv_length(ids) > 1)
		return berth_error_set(err, 0, "multiple IDs found with provided prefix: %s", name);
	return ids[0] ? load(e, ids[0], ret, err) : 0;
}

int eng_ctr_find(struct eng *e, const char *name, struct eng_ctr **ret, struct berth_error **err)
{
	if (eng_ctr_lookup(e, name, ret, err) < 0)
		return -1;
	if (!*ret)
		return berth_error_set(err, ENOENT, "No such container: %s", name);
	return 0;
}

int eng_ctr_list_all(struct eng *e, struct eng_ctr ***ret, size_t *ret_n, struct berth_error **err)
{
	struct db_container *rows = NULL;
	struct eng_ctr **v;
	size_t n = 0, k = 0;

	if (db_container_list(e->db, &rows, &n, err) < 0)
		return -1;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		struct eng_ctr *c = from_row(&rows[i], err);

		if (!c || refresh(e, c, err) < 0) {
			eng_ctr_free(c);
			eng_ctrs_free(v, k);
			db_containers_free(rows, n);
			return -1;
		}
		v[k++] = c;
	}
	db_containers_free(rows, n);
	*ret = v;
	*ret_n = k;
	return 0;
}

int eng_ctr_save_state(struct eng *e, const struct eng_ctr *c, struct berth_error **err)
{
	_cleanup_free_ char *s = json_dumps(c->state, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (db_container_set_state(e->db, c->id, s, err) < 0)
		return -1;
	return db_container_set_restart_count(e->db, c->id, c->restart_count, err);
}

int eng_ctr_update_state(struct eng *e, const char *id, void (*fn)(json_t *state, void *data), void *data,
			 struct berth_error **err)
{
	struct db_container row = {0};
	_cleanup_free_ char *s = NULL;
	json_t *state;
	json_error_t jerr;

	if (db_begin(e->db, err) < 0)
		return -1;
	if (db_container_get(e->db, id, &row, err) < 0)
		goto fail;
	if (!row.id) {
		berth_error_set(err, ENOENT, "No such container: %s", id);
		goto fail;
	}
	state = json_loads(row.state, 0, &jerr);
	if (!state) {
		berth_error_set(err, 0, "container %.12s: corrupt state: %s", id, jerr.text);
		goto fail;
	}
	fn(state, data);
	s = json_dumps(state, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(state);
	if (db_container_set_state(e->db, id, s, err) < 0)
		goto fail;
	db_container_done(&row);
	return db_commit(e->db, err);
fail:
	db_container_done(&row);
	db_rollback(e->db);
	return -1;
}

int eng_ctr_count_restart(struct eng *e, const char *id, int n)
{
	return db_container_set_restart_count(e->db, id, n, NULL);
}
