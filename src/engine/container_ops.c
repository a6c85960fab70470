/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker pause, unpause, rename and container prune (with the prune filters): runtime calls, State records, events. */
#include <errno.h>
#include <ftw.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"
#include "store/store.h"

static void set_paused(json_t *st, void *data)
{
	bool paused = data != NULL;

	json_object_set_new(st, "Status", json_string(paused ? ENG_STATUS_PAUSED : ENG_STATUS_RUNNING));
	json_object_set_new(st, "Paused", json_boolean(paused));
}

/* The runtime's call for pause or unpause, then the State and the event. */
static int freeze(struct eng *e, const struct eng_ctr *c, bool pause, struct berth_error **err)
{
	_cleanup_free_ char *root = eng_runtime_root(e);
	struct rt_global g = {.root = root};

	if ((pause ? rt_pause(&g, c->id, err) : rt_resume(&g, c->id, err)) < 0)
		return berth_error_wrap(err, "%s container %.12s", pause ? "pause" : "unpause", c->id);
	if (eng_ctr_update_state(e, c->id, set_paused, pause ? (void *)1 : NULL, err) < 0)
		return -1;
	eng_event_container(e, c, pause ? "pause" : "unpause", NULL);
	return 0;
}

int eng_ctr_pause(struct eng *e, const char *name, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	const char *s;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	s = eng_ctr_status(c);
	if (!strcmp(s, ENG_STATUS_PAUSED))
		return berth_error_set(err, 0, "Container %s is already paused", c->id);
	if (!strcmp(s, ENG_STATUS_RESTARTING))
		return berth_error_set(err, 0, "Container %s is restarting, wait until the container is running",
				       c->id);
	if (strcmp(s, ENG_STATUS_RUNNING) != 0)
		return berth_error_set(err, 0, "Container %s is not running", c->id);
	return freeze(e, c, true, err);
}

int eng_ctr_unpause(struct eng *e, const char *name, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (strcmp(eng_ctr_status(c), ENG_STATUS_PAUSED) != 0)
		return berth_error_set(err, 0, "Container %s is not paused", c->id);
	return freeze(e, c, false, err);
}

/* The name column and the document's Name in one transaction. */
static int store_name(struct eng *e, const struct eng_ctr *c, const char *name, struct berth_error **err)
{
	_cleanup_free_ char *doc = NULL;
	json_t *copy = json_deep_copy(c->doc);

	json_object_set_new(copy, "Name", json_sprintf("/%s", name));
	doc = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(copy);
	if (db_begin(e->db, err) < 0)
		return -1;
	if (db_container_rename(e->db, c->id, name, err) < 0 || db_container_set_doc(e->db, c->id, doc, err) < 0) {
		db_rollback(e->db);
		return -1;
	}
	return db_commit(e->db, err);
}

int eng_ctr_rename(struct eng *e, const char *name, const char *new_name, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *old = NULL;
	json_t *attrs;

	if (new_name[0] == '/')
		new_name++;
	if (eng_name_validate(new_name, err) < 0)
		return -1;
	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (!strcmp(c->name, new_name))
		return berth_error_set(err, 0, "Renaming a container with the same name as its current name");
	if (store_name(e, c, new_name, err) < 0)
		return -1;
	old = xasprintf("/%s", c->name);
	free(c->name);
	c->name = xstrdup(new_name);
	attrs = json_pack("{s:s}", "oldName", old);
	eng_event_container(e, c, "rename", attrs);
	json_decref(attrs);
	return 0;
}

static int64_t tree_bytes;

static int add_size(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F)
		tree_bytes += st->st_size;
	return 0;
}

/* Bytes the container wrote (its upper directory), as docker's SizeRw. */
static int64_t rw_size(struct eng *e, const char *id)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, id), *upper = xasprintf("%s/upper", dir);

	tree_bytes = 0;
	if (nftw(upper, add_size, 16, FTW_PHYS) < 0)
		return 0;
	return tree_bytes;
}

/* ---- prune filters ---- */

static int set_until(struct eng_prune_filter *f, const char *val, struct berth_error **err)
{
	struct timespec ts;

	if (f->has_until)
		return berth_error_set(err, 0, "more than one until filter specified");
	clock_gettime(CLOCK_REALTIME, &ts);
	if (eng_log_time_parse(val, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, &f->until_ns, err) < 0)
		return -1;
	f->has_until = true;
	return 0;
}

static int add_filter(struct eng_prune_filter *f, const char *s, bool with_until, struct berth_error **err)
{
	const char *eq = strchr(s, '=');
	size_t klen = eq ? (size_t)(eq - s) : 0;

	if (!eq)
		return berth_error_set(err, 0, "bad format of filter (expected name=value)");
	if (klen == 5 && !strncmp(s, "label", 5))
		strv_push(&f->labels, eq + 1);
	else if (klen == 6 && !strncmp(s, "label!", 6))
		strv_push(&f->not_labels, eq + 1);
	else if (with_until && klen == 5 && !strncmp(s, "until", 5))
		return set_until(f, eq + 1, err);
	else
		return berth_error_set(err, 0, "invalid filter '%.*s'", (int)klen, s);
	return 0;
}

int eng_prune_filter_parse(char *const *filters, bool with_until, struct eng_prune_filter *ret,
			   struct berth_error **err)
{
	struct eng_prune_filter f = {0};

	for (size_t i = 0; filters && filters[i]; i++)
		if (add_filter(&f, filters[i], with_until, err) < 0) {
			eng_prune_filter_done(&f);
			return -1;
		}
	*ret = f;
	return 0;
}

/* dockerd's MatchKVList: every "k" or "k=v" is among the labels (none given: true). */
static bool labels_match_all(json_t *labels, char *const *want)
{
	if (!want || !want[0])
		return true;
	for (size_t i = 0; want[i]; i++) {
		const char *eq = strchr(want[i], '=');
		size_t klen = eq ? (size_t)(eq - want[i]) : strlen(want[i]);
		const char *v = json_string_value(json_object_getn(labels, want[i], klen));

		if (!v || (eq && strcmp(v, eq + 1) != 0))
			return false;
	}
	return true;
}

bool eng_prune_filter_match(const struct eng_prune_filter *f, json_t *labels, const char *created)
{
	int64_t sec;
	int32_t nsec;

	if (!f)
		return true;
	if (f->has_until &&
	    (!created || !eng_time_parse(created, &sec, &nsec) || sec * 1000000000 + nsec > f->until_ns))
		return false;
	if (!labels_match_all(labels, f->labels))
		return false;
	/* label!=: kept when it carries all of them (dockerd checks Contains first) */
	return !(f->not_labels && labels_match_all(labels, f->not_labels));
}

void eng_prune_filter_done(struct eng_prune_filter *f)
{
	strv_free(f->labels);
	strv_free(f->not_labels);
	*f = (struct eng_prune_filter){0};
}

static bool prunable(const struct eng_ctr *c)
{
	const char *s = eng_ctr_status(c);

	return !strcmp(s, ENG_STATUS_CREATED) || !strcmp(s, ENG_STATUS_EXITED) || !strcmp(s, ENG_STATUS_DEAD);
}

int eng_ctr_prune(struct eng *e, const struct eng_prune_filter *f, char ***ret_ids, int64_t *ret_reclaimed,
		  struct berth_error **err)
{
	struct eng_ctr **v = NULL;
	char **ids = NULL;
	int64_t total = 0;
	size_t n = 0;
	json_t *attrs;

	if (eng_ctr_list_all(e, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		_cleanup_error_ struct berth_error *one = NULL;
		int64_t size;

		if (!prunable(v[i]) ||
		    !eng_prune_filter_match(f, json_object_get(json_object_get(v[i]->doc, "Config"), "Labels"),
					    json_string_value(json_object_get(v[i]->doc, "Created"))))
			continue;
		size = rw_size(e, v[i]->id);
		/* a container that went away or started meanwhile is not an error of the prune */
		if (eng_ctr_remove(e, v[i]->id, false, false, &one) < 0) {
			log_warn("remove container %.12s: %s, ignoring", v[i]->id, one->msg);
			continue;
		}
		strv_push(&ids, v[i]->id);
		total += size;
	}
	eng_ctrs_free(v, n);
	attrs = json_object();
	json_object_set_new(attrs, "reclaimed", json_sprintf("%lld", (long long)total));
	eng_event_emit(e, "container", "prune", "", attrs);
	json_decref(attrs);
	*ret_ids = ids;
	*ret_reclaimed = total;
	return 0;
}
