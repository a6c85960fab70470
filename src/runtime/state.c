/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory: one locked directory per container with state.json, exec.fifo and a config copy. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"

static int not_found(struct berth_error **err, const char *id)
{
	berth_error_set(err, 0, "container '%s' does not exist", id);
	if (err)
		(*err)->code = ENOENT;
	return -1;
}

char *rt_root_path(const struct rt_global *g)
{
	const char *xdg;

	if (g && g->root && *g->root)
		return xstrdup(g->root);
	xdg = getenv("XDG_RUNTIME_DIR");
	if (geteuid() != 0 && xdg && *xdg)
		return xasprintf("%s/berth-runtime", xdg);
	return xstrdup("/run/berth-runtime");
}

int rt_id_check(const char *id, struct berth_error **err)
{
	if (!id || !*id)
		return berth_error_set(err, 0, "container id cannot be empty");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return berth_error_set(err, 0, "invalid container id '%s'", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return berth_error_set(err, 0, "invalid container id '%s'", id);
	if (strlen(id) > 1024)
		return berth_error_set(err, 0, "container id too long");
	return 0;
}

int rt_state_dir_create(const char *root, const char *id, int *ret_dirfd, struct berth_error **err)
{
	_cleanup_close_ int rootfd = -1, fd = -1;

	if (rt_id_check(id, err) < 0)
		return -1;
	if (fs_mkdir_p_at(AT_FDCWD, root, 0711, err) < 0)
		return berth_error_wrap(err, "state root");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_set(err, errno, "open state root '%s'", root);
	if (mkdirat(rootfd, id, 0711) < 0) {
		if (errno == EEXIST)
			return berth_error_set(err, 0, "container with id '%s' already exists", id);
		return berth_error_set(err, errno, "create state directory '%s/%s'", root, id);
	}
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		berth_error_set(err, errno, "lock state directory '%s/%s'", root, id);
		unlinkat(rootfd, id, AT_REMOVEDIR);
		return -1;
	}
	*ret_dirfd = TAKE_FD(fd);
	return 0;
}

int rt_state_dir_open(const char *root, const char *id, bool lock, int *ret_dirfd, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;

	if (rt_id_check(id, err) < 0)
		return -1;
	path = fs_path_join(root, id);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return not_found(err, id);
		return berth_error_set(err, errno, "open state directory '%s'", path);
	}
	if (lock && flock(fd, LOCK_EX) < 0)
		return berth_error_set(err, errno, "lock state directory '%s'", path);
	/* deleted while we waited for the lock */
	if (!fs_exists_at(fd, RT_STATE_FILE))
		return not_found(err, id);
	*ret_dirfd = TAKE_FD(fd);
	return 0;
}

int rt_record_write(int dirfd, const struct rt_record *r, struct berth_error **err)
{
	json_t *o = json_object();
	_cleanup_free_ char *text = NULL;
	int rc;

	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "bundle", json_string(r->bundle));
	json_object_set_new(o, "rootfs", json_string(r->rootfs));
	json_object_set_new(o, "created", json_string(r->created));
	json_object_set_new(o, "owner", json_string(r->owner ? r->owner : ""));
	json_object_set_new(o, "pid", json_integer(r->pid));
	json_object_set_new(o, "pidStartTime", json_integer((json_int_t)r->start_time));
	if (r->cgroup_paths) {
		json_t *a = json_array();
		for (char **p = r->cgroup_paths; *p; p++)
			json_array_append_new(a, json_string(*p));
		json_object_set_new(o, "cgroupPaths", a);
	}
	json_object_set_new(o, "creating", json_boolean(r->creating));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	rc = fs_write_file_atomic_at(dirfd, RT_STATE_FILE, text, strlen(text), 0600, err);
	return rc < 0 ? berth_error_wrap(err, "write container state") : 0;
}

static char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? xstrdup(s) : NULL;
}

int rt_record_read(int dirfd, const char *id, struct rt_record **ret, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	struct berth_error *read_err = NULL;
	json_error_t jerr;
	json_t *o;
	struct rt_record *r;

	/* a local error: callers may pass err NULL, and a state file deleted meanwhile is "does not exist" */
	if (fs_read_file_at(dirfd, RT_STATE_FILE, &text, NULL, &read_err) < 0) {
		if (read_err->code == ENOENT) {
			berth_error_free(&read_err);
			return not_found(err, id);
		}
		return berth_error_move(err, &read_err);
	}
	o = json_loads(text, 0, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return berth_error_set(err, 0, "state of container '%s' is corrupt", id);
	}
	r = xcalloc(1, sizeof(*r));
	r->id = jstr(o, "id");
	r->bundle = jstr(o, "bundle");
	r->rootfs = jstr(o, "rootfs");
	r->created = jstr(o, "created");
	r->owner = jstr(o, "owner");
	for (size_t i = 0; i < json_array_size(json_object_get(o, "cgroupPaths")); i++) {
		const char *p = json_string_value(json_array_get(json_object_get(o, "cgroupPaths"), i));
		if (p)
			strv_push(&r->cgroup_paths, p);
	}
	r->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	r->start_time = (unsigned long long)json_integer_value(json_object_get(o, "pidStartTime"));
	r->creating = json_is_true(json_object_get(o, "creating"));
	json_decref(o);
	if (!r->id)
		r->id = xstrdup(id);
	*ret = r;
	return 0;
}

void rt_record_free(struct rt_record *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->bundle);
	free(r->rootfs);
	free(r->created);
	free(r->owner);
	strv_free(r->cgroup_paths);
	free(r);
}

/* As runc: a live container whose cgroup is FROZEN is paused (FREEZING is not yet). */
static bool is_paused(const struct rt_record *r)
{
	struct cg_manager *cg = NULL;
	enum cg_freezer_state fs = CG_FREEZER_THAWED;

	if (rt_record_cgroup(r, &cg, NULL) < 0 || !cg)
		return false;
	if (cg_freezer_state(cg, &fs, NULL) < 0)
		fs = CG_FREEZER_THAWED;
	cg_manager_free(cg);
	return fs == CG_FREEZER_FROZEN;
}

const char *rt_record_status(int dirfd, const struct rt_record *r)
{
	if (r->creating)
		return r->pid > 0 && proc_is_alive(r->pid, r->start_time) ? "creating" : "stopped";
	if (r->pid <= 0 || !proc_is_alive(r->pid, r->start_time))
		return "stopped";
	if (is_paused(r))
		return "paused";
	if (fs_exists_at(dirfd, RT_EXEC_FIFO))
		return "created";
	return "running";
}

char *rt_record_state_json(const struct rt_record *r, const char *status, const struct oci_config *cfg)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "ociVersion", json_string("1.0.2"));
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "pid", json_integer(r->pid));
	json_object_set_new(o, "bundle", json_string(r->bundle));
	if (cfg && cfg->n_annotations) {
		json_t *a = json_object();
		for (size_t i = 0; i < cfg->n_annotations; i++)
			json_object_set_new(a, cfg->annotations[i].key, json_string(cfg->annotations[i].value));
		json_object_set_new(o, "annotations", a);
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

int rt_state_config_load(int dirfd, struct oci_config **ret, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (fs_read_file_at(dirfd, RT_CONFIG_COPY, &text, &len, err) < 0)
		return -1;
	return oci_config_parse(text, len, "config.json", ret, err);
}

int rt_state_dir_remove(const char *root, const char *id, struct berth_error **err)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return errno == ENOENT ? 0 : berth_error_set(err, errno, "open state root '%s'", root);
	return fs_rm_rf_at(rootfd, id, err);
}

int rt_record_cgroup(const struct rt_record *r, struct cg_manager **ret, struct berth_error **err)
{
	*ret = NULL;
	if (!r->cgroup_paths)
		return 0;
	return cg_manager_load(NULL, r->cgroup_paths, ret, err);
}

char *rt_now_rfc3339(void)
{
	char ts[64];

	berth_time_rfc3339(ts, sizeof(ts));
	return xstrdup(ts);
}

/* ---- the public state view ---- */

static struct rt_state *state_from_record(int dirfd, const struct rt_record *r)
{
	struct rt_state *s = xcalloc(1, sizeof(*s));
	const char *status = rt_record_status(dirfd, r);

	s->oci_version = xstrdup("1.0.2-dev");
	s->id = xstrdup(r->id);
	s->status = xstrdup(status);
	s->pid = strcmp(status, "stopped") ? r->pid : 0;
	s->bundle = xstrdup(r->bundle ? r->bundle : "");
	s->rootfs = xstrdup(r->rootfs ? r->rootfs : "");
	s->created = xstrdup(r->created ? r->created : "");
	s->owner = xstrdup(r->owner ? r->owner : "");
	return s;
}

static void state_add_annotations(int dirfd, struct rt_state *s)
{
	struct oci_config *cfg = NULL;
	struct berth_error *e = NULL;

	if (rt_state_config_load(dirfd, &cfg, &e) < 0) {
		berth_error_free(&e);
		return;
	}
	for (size_t i = 0; i < cfg->n_annotations; i++) {
		strv_push(&s->annotations, cfg->annotations[i].key);
		strv_push(&s->annotations, cfg->annotations[i].value);
	}
	oci_config_free(cfg);
}

int rt_state_get(const struct rt_global *g, const char *id, struct rt_state **ret, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1;
	struct rt_record *r = NULL;

	if (rt_state_dir_open(root, id, false, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	*ret = state_from_record(dirfd, r);
	state_add_annotations(dirfd, *ret);
	rt_record_free(r);
	return 0;
}

char *rt_state_to_json(const struct rt_state *s)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "ociVersion", json_string(s->oci_version));
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "status", json_string(s->status));
	json_object_set_new(o, "bundle", json_string(s->bundle));
	json_object_set_new(o, "rootfs", json_string(s->rootfs));
	json_object_set_new(o, "created", json_string(s->created));
	if (s->annotations) {
		json_t *a = json_object();
		for (char **p = s->annotations; p[0] && p[1]; p += 2)
			json_object_set_new(a, p[0], json_string(p[1]));
		json_object_set_new(o, "annotations", a);
	}
	json_object_set_new(o, "owner", json_string(s->owner));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

void rt_state_free(struct rt_state *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->id);
	free(s->status);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	strv_free(s->annotations);
	free(s);
}

/* runc's list shows the name of the state directory's owner (its state JSON does not). */
static void set_owner(int rootfd, const char *name, struct rt_state *s)
{
	struct stat st;
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	free(s->owner);
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		s->owner = xstrdup(res->pw_name);
	else
		s->owner = xasprintf("#%u", (unsigned)st.st_uid);
}

static int cmp_state(const void *a, const void *b)
{
	return strcmp((*(struct rt_state *const *)a)->id, (*(struct rt_state *const *)b)->id);
}

int rt_list(const struct rt_global *g, struct rt_state ***ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_closedir_ DIR *d = opendir(root);
	struct rt_state **v = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT)
			return berth_error_set(err, errno, "open state root '%s'", root);
		*ret = xcalloc(1, sizeof(**ret));
		*ret_n = 0;
		return 0;
	}
	while ((de = readdir(d))) {
		struct rt_state *s = NULL;
		struct berth_error *e = NULL;

		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (rt_state_get(g, de->d_name, &s, &e) < 0) {
			berth_error_free(&e);
			continue;
		}
		set_owner(dirfd(d), de->d_name, s);
		v = realloc(v, (n + 2) * sizeof(*v));
		if (!v)
			abort();
		v[n++] = s;
		v[n] = NULL;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_state);
	*ret = v ? v : xcalloc(1, sizeof(*v));
	*ret_n = n;
	return 0;
}
