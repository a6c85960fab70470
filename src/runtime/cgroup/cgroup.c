/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup manager: which hierarchies, where the container's cgroup is in
 * each (runc's cgroupfs path rules), and create/enter/list/kill/destroy.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

static void hier_done(struct cg_hier *h)
{
	free(h->name);
	strv_free(h->ctrls);
	free(h->ctrl_list);
	free(h->mountpoint);
	free(h->mount_root);
	free(h->cgpath);
	free(h->dir);
	free(h->created_top);
}

void cg_manager_free(struct cg_manager *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		hier_done(&m->h[i]);
	free(m->h);
	if (m->v2_fd >= 0)
		close(m->v2_fd);
	cg_systemd_free(m->sd);
	free(m);
}

DEFINE_CLEANUP_FUNC(struct cg_manager, cg_manager_free)
DEFINE_CLEANUP_FUNC(struct cg_systemd, cg_systemd_free)

static char *join_ctrls(char *const *ctrls)
{
	struct buf b = {0};

	for (size_t i = 0; ctrls[i]; i++)
		buf_printf(&b, "%s%s", i ? "," : "", ctrls[i]);
	if (!b.data)
		buf_puts(&b, "");
	return buf_steal(&b);
}

static bool wanted(const struct cg_mount *mnt, enum cg_layout layout, const char *root)
{
	if (!mnt->is_v2)
		return layout != CG_LAYOUT_V2;
	if (layout == CG_LAYOUT_V2)
		return strcmp(mnt->mountpoint, root) == 0;
	if (layout == CG_LAYOUT_HYBRID) {
		size_t n = strlen(root);
		return strncmp(mnt->mountpoint, root, n) == 0 && strcmp(mnt->mountpoint + n, "/unified") == 0;
	}
	return false;
}

static const struct cg_ops *ops_for(enum cg_layout layout)
{
	switch (layout) {
	case CG_LAYOUT_V1:
		return &cg_v1_ops;
	case CG_LAYOUT_V2:
		return &cg_v2_ops;
	case CG_LAYOUT_HYBRID:
		break;
	}
	return &cg_hybrid_ops;
}

/* The manager with its hierarchies, before any cgroup path is assigned. */
static int manager_base(const struct cg_env *env, struct cg_manager **ret, struct berth_error **err)
{
	const char *mountinfo = env && env->mountinfo ? env->mountinfo : "/proc/self/mountinfo";
	const char *root = env && env->root ? env->root : "/sys/fs/cgroup";
	_cleanup_(cg_manager_freep) struct cg_manager *m = xcalloc(1, sizeof(*m));
	struct cg_mount *v = NULL;
	size_t n = 0;

	m->v2_fd = -1;
	if (cg_read_mounts(mountinfo, root, &v, &n, err) < 0)
		return -1;
	if (cg_layout_of(v, n, root, &m->layout, err) < 0) {
		cg_mounts_free(v, n);
		return -1;
	}
	m->ops = ops_for(m->layout);
	m->h = xcalloc(n, sizeof(*m->h));
	for (size_t i = 0; i < n; i++) {
		struct cg_hier *h = &m->h[m->n];
		const char *slash = strrchr(v[i].mountpoint, '/');

		if (!wanted(&v[i], m->layout, root))
			continue;
		h->is_v2 = v[i].is_v2;
		h->name = xstrdup(slash ? slash + 1 : v[i].mountpoint);
		h->ctrls = TAKE_PTR(v[i].ctrls);
		h->ctrl_list = join_ctrls(h->ctrls);
		h->mountpoint = TAKE_PTR(v[i].mountpoint);
		h->mount_root = TAKE_PTR(v[i].root);
		if (h->is_v2)
			m->unified = h;
		m->n++;
	}
	cg_mounts_free(v, n);
	*ret = TAKE_PTR(m);
	return 0;
}

/* Host dir of cgpath: below the mount point, minus the mount's own root when the path is inside it. */
static int hier_set_path(struct cg_hier *h, char *cgpath, struct berth_error **err)
{
	const char *rest = cgpath;
	size_t n = strlen(h->mount_root);

	if (strcmp(h->mount_root, "/") != 0 && strncmp(cgpath, h->mount_root, n) == 0 &&
	    (cgpath[n] == '/' || cgpath[n] == '\0'))
		rest = cgpath + n;
	if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
		berth_error_set(err, 0, "cgroup path '%s' is the root of the '%s' hierarchy", cgpath, h->name);
		free(cgpath);
		return -1;
	}
	free(h->cgpath);
	free(h->dir);
	h->cgpath = cgpath;
	h->dir = xasprintf("%s%s", h->mountpoint, rest);
	return 0;
}

static int resolve_one(struct cg_hier *h, const char *path, const char *self_text, const char *self_file,
		       struct berth_error **err)
{
	_cleanup_free_ char *own = NULL, *joined = NULL;

	if (path[0] == '/')
		return hier_set_path(h, cg_path_clean(path), err);
	own = cg_self_path(self_text, h->ctrl_list);
	if (!own)
		return berth_error_set(err, 0, "no '%s' hierarchy in '%s'", h->is_v2 ? "cgroup2" : h->ctrl_list,
				       self_file);
	joined = xasprintf("%s/%s", own, path);
	return hier_set_path(h, cg_path_clean(joined), err);
}

int cg_manager_new(const struct cg_env *env, const char *cgroups_path, const char *id, bool systemd_driver,
		   struct cg_manager **ret, struct berth_error **err)
{
	const char *self_file = env && env->self_cgroup ? env->self_cgroup : "/proc/self/cgroup";
	_cleanup_(cg_manager_freep) struct cg_manager *m = NULL;
	_cleanup_(cg_systemd_freep) struct cg_systemd *sd = NULL;
	_cleanup_free_ char *converted = NULL, *self_text = NULL;
	const char *path = cgroups_path;

	if (systemd_driver) {
		if (cg_systemd_select(env, cgroups_path, id, &sd, &converted, err) < 0)
			return -1;
		path = converted;
	}
	if (!path || !*path) {
		/* runc 1.1 with an empty cgroupsPath: "<id>" below the caller's own cgroup */
		if (!id || !*id || strchr(id, '/'))
			return berth_error_set(err, 0, "invalid container id '%s' for a cgroup path", id ? id : "");
		path = id;
	}
	if (manager_base(env, &m, err) < 0)
		return -1;
	if (path[0] != '/' && cg_read_path(self_file, &self_text, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (resolve_one(&m->h[i], path, self_text, self_file, err) < 0)
			return -1;
	m->sd = TAKE_PTR(sd);
	*ret = TAKE_PTR(m);
	return 0;
}

int cg_manager_load(const struct cg_env *env, char *const *paths, struct cg_manager **ret, struct berth_error **err)
{
	_cleanup_(cg_manager_freep) struct cg_manager *m = NULL;
	struct buf text = {0};
	size_t kept = 0;

	if (manager_base(env, &m, err) < 0)
		return -1;
	/* as a /proc/PID/cgroup text, so cg_self_path matches hierarchies the same way */
	for (size_t i = 0; paths && paths[i]; i++)
		buf_printf(&text, "0:%s\n", paths[i]);
	for (size_t i = 0; i < m->n; i++) {
		char *p = text.data ? cg_self_path(text.data, m->h[i].ctrl_list) : NULL;

		if (!p || hier_set_path(&m->h[i], p, NULL) < 0) {
			hier_done(&m->h[i]);
			continue;
		}
		m->h[kept++] = m->h[i];
	}
	buf_done(&text);
	m->n = kept;
	m->unified = NULL;
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].is_v2)
			m->unified = &m->h[i];
	if (m->n == 0)
		return berth_error_set(err, 0, "no mounted cgroup hierarchy matches the saved cgroup paths");
	m->sd = cg_systemd_from_paths(paths);
	*ret = TAKE_PTR(m);
	return 0;
}

enum cg_layout cg_manager_layout(const struct cg_manager *m)
{
	return m->layout;
}

const char *cg_manager_path(const struct cg_manager *m)
{
	if (m->unified)
		return m->unified->cgpath;
	return m->n ? m->h[0].cgpath : "/";
}

char **cg_manager_paths(const struct cg_manager *m)
{
	char **v = xcalloc(1, sizeof(char *));

	for (size_t i = 0; i < m->n; i++)
		strv_push_take(&v, xasprintf("%s:%s", m->h[i].ctrl_list, m->h[i].cgpath));
	/* no ':' in it, so cg_manager_load's matching skips it */
	if (m->sd)
		strv_push_take(&v, cg_systemd_paths_line(m->sd));
	return v;
}

const char *cg_manager_dir(const struct cg_manager *m, const char *controller)
{
	if (!controller || !*controller || m->layout == CG_LAYOUT_V2)
		return m->unified ? m->unified->dir : NULL;
	for (size_t i = 0; i < m->n; i++)
		if (!m->h[i].is_v2 && cg_hier_has(&m->h[i], controller))
			return m->h[i].dir;
	return NULL;
}

bool cg_hier_has(const struct cg_hier *h, const char *controller)
{
	return strv_contains(h->ctrls, controller);
}

struct cg_hier *cg_find_v1(struct cg_manager *m, const char *controller)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->h[i].is_v2 && cg_hier_has(&m->h[i], controller))
			return &m->h[i];
	return NULL;
}

/* Remove the container's cgroup tree, then the now empty parents cg_create made. */
static int hier_destroy(struct cg_hier *h, struct berth_error **err)
{
	_cleanup_free_ char *p = NULL;
	size_t top_len = h->created_top ? strlen(h->created_top) : 0;

	if (cg_rmdir_tree(h->dir, err) < 0)
		return -1;
	p = xstrdup(h->dir);
	for (char *slash = strrchr(p, '/'); top_len && slash && (size_t)(slash - p) >= top_len;
	     slash = strrchr(p, '/')) {
		*slash = '\0';
		/* a parent shared with another container stays (ENOTEMPTY, EBUSY) */
		if (rmdir(p) < 0)
			break;
	}
	free(h->created_top);
	h->created_top = NULL;
	return 0;
}

int cg_create(struct cg_manager *m, struct berth_error **err)
{
	/* systemd makes the unit's cgroup when the first process is known (cg_enter) */
	if (m->sd && !m->sd->started)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		char *top = NULL;

		if (cg_mkdir_p(m->h[i].dir, &top, err) < 0)
			goto fail;
		if (top) {
			free(m->h[i].created_top);
			m->h[i].created_top = top;
		}
	}
	if (m->ops->prepare(m, err) < 0)
		goto fail;
	return 0;
fail:
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].created_top)
			(void)hier_destroy(&m->h[i], NULL);
	return -1;
}

int cg_enter(struct cg_manager *m, pid_t pid, struct berth_error **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (m->sd && !m->sd->started && cg_systemd_enter(m, pid, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (cg_write(m->h[i].dir, "cgroup.procs", buf, err) < 0)
			return -1;
	return 0;
}

void cg_self_enter_done(struct cg_self_enter *se)
{
	if (se->clone_fd >= 0)
		close(se->clone_fd);
	se->clone_fd = -1;
	for (size_t i = 0; i < se->n; i++)
		close(se->tasks[i]);
	se->n = 0;
}

int cg_self_enter_prepare(struct cg_manager *m, struct cg_self_enter *se, struct berth_error **err)
{
	se->clone_fd = -1;
	se->n = 0;
	if (m->sd || m->n > CG_SELF_ENTER_MAX)
		return 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct cg_hier *h = &m->h[i];
		_cleanup_free_ char *tasks = NULL;
		int fd;

		if (h->is_v2 && se->clone_fd >= 0) {
			cg_self_enter_done(se);
			return 0;
		}
		if (!h->is_v2)
			tasks = fs_path_join(h->dir, "tasks");
		fd = h->is_v2 ? open(h->dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : open(tasks, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			berth_error_set(err, errno, "open '%s'", h->is_v2 ? h->dir : tasks);
			cg_self_enter_done(se);
			return -1;
		}
		if (h->is_v2)
			se->clone_fd = fd;
		else
			se->tasks[se->n++] = fd;
	}
	return 1;
}

int cg_self_enter_child(struct cg_self_enter *se)
{
	int rc = 0;

	for (size_t i = 0; i < se->n; i++) {
		if (rc == 0 && write(se->tasks[i], "0", 1) != 1)
			rc = -1;
		if (rc == 0)
			close(se->tasks[i]);
	}
	if (rc == 0)
		se->n = 0;
	return rc;
}

int cg_v2_dirfd(struct cg_manager *m)
{
	if (m->layout != CG_LAYOUT_V2 || !m->unified)
		return -1;
	if (m->v2_fd < 0)
		m->v2_fd = open(m->unified->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return m->v2_fd;
}

int cg_pids(struct cg_manager *m, pid_t **ret, size_t *ret_n, struct berth_error **err)
{
	struct cg_hier *h = m->ops->pids_hier(m);
	pid_t *v = NULL;
	size_t n = 0;

	if (h && cg_read_pids_tree(h->dir, &v, &n, err) < 0) {
		free(v);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int signal_all(struct cg_manager *m, int sig, struct berth_error **err)
{
	_cleanup_free_ pid_t *v = NULL;
	size_t n = 0;

	if (cg_pids(m, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(v[i], sig) < 0 && errno != ESRCH)
			return berth_error_set(err, errno, "kill %d", (int)v[i]);
	return 0;
}

int cg_kill_all(struct cg_manager *m, int sig, struct berth_error **err)
{
	int r;

	/* cgroup.kill (5.14) kills the whole subtree atomically, racing no fork */
	if (sig == SIGKILL && m->unified) {
		_cleanup_free_ char *kill_file = xasprintf("%s/cgroup.kill", m->unified->dir);

		if (access(kill_file, F_OK) == 0)
			return cg_write(m->unified->dir, "cgroup.kill", "1", err);
	}
	/* frozen, the processes cannot fork new ones between listing and signalling */
	if (m->ops->freeze(m, true, err) < 0)
		return -1;
	r = signal_all(m, sig, err);
	if (m->ops->freeze(m, false, r < 0 ? NULL : err) < 0)
		return -1;
	return r;
}

int cg_destroy(struct cg_manager *m, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *first = NULL;

	if (m->v2_fd >= 0) {
		close(m->v2_fd);
		m->v2_fd = -1;
	}
	/* the unit first (systemd removes its cgroups), then what it left, as runc */
	if (m->sd)
		(void)cg_systemd_stop(m, &first);
	/* every hierarchy is tried; the first failure is reported */
	for (size_t i = 0; i < m->n; i++) {
		struct berth_error *e = NULL;

		if (hier_destroy(&m->h[i], &e) < 0) {
			if (!first)
				first = e;
			else
				berth_error_free(&e);
		}
	}
	if (first)
		return berth_error_move(err, &first);
	return 0;
}
