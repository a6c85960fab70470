/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Discovering cgroup hierarchies: cgroup mounts from mountinfo, the layout
 * (v1, v2, hybrid) they make, and a process's path from /proc/PID/cgroup.
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

#define SYS_CGROUP "/sys/fs/cgroup"

/* Mount options of a v1 cgroup that are not controllers. */
static const char *const v1_flags[] = {"rw",	       "ro",   "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
				       "favordynmods", "none", NULL};

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *out = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

/* Mount points at or below /sys/fs/cgroup are found at the same place below root. */
static char *map_mountpoint(const char *mp, const char *root)
{
	size_t n = strlen(SYS_CGROUP);

	if (strncmp(mp, SYS_CGROUP, n) == 0 && (mp[n] == '\0' || mp[n] == '/'))
		return xasprintf("%s%s", root, mp + n);
	return xstrdup(mp);
}

static char **v1_controllers(const char *super_opts)
{
	_cleanup_free_ char *copy = xstrdup(super_opts);
	char **ctrls = NULL;
	char *save = NULL;

	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strv_contains((char *const *)v1_flags, o) || strncmp(o, "release_agent=", 14) == 0)
			continue;
		strv_push(&ctrls, o);
	}
	if (!ctrls)
		ctrls = xcalloc(1, sizeof(char *));
	return ctrls;
}

/* Parse one mountinfo line; returns 1 with *ret filled for a cgroup mount, else 0. */
static int parse_line(char *line, const char *root, struct cg_mount *ret)
{
	char *fields[6] = {0};
	char *save = NULL, *tok, *fstype, *super_opts;
	size_t i = 0;

	while (i < 6 && (tok = strtok_r(i == 0 ? line : NULL, " ", &save)))
		fields[i++] = tok;
	if (i < 6)
		return 0;
	/* skip optional fields up to the "-" separator */
	for (tok = fields[5]; tok && strcmp(tok, "-") != 0; tok = strtok_r(NULL, " ", &save))
		;
	fstype = strtok_r(NULL, " ", &save);
	(void)strtok_r(NULL, " ", &save); /* source */
	super_opts = strtok_r(NULL, " \n", &save);
	if (!fstype || !super_opts)
		return 0;
	if (strcmp(fstype, "cgroup2") != 0 && strcmp(fstype, "cgroup") != 0)
		return 0;
	unescape(fields[3]);
	unescape(fields[4]);
	ret->is_v2 = strcmp(fstype, "cgroup2") == 0;
	ret->root = xstrdup(fields[3]);
	ret->mountpoint = map_mountpoint(fields[4], root);
	ret->ctrls = ret->is_v2 ? xcalloc(1, sizeof(char *)) : v1_controllers(super_opts);
	return 1;
}

static bool same_ctrls(char *const *a, char *const *b)
{
	if (strv_length(a) != strv_length(b))
		return false;
	for (; *a; a++)
		if (!strv_contains(b, *a))
			return false;
	return true;
}

static bool seen_before(const struct cg_mount *v, size_t n, const struct cg_mount *m)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].is_v2 == m->is_v2 &&
		    (m->is_v2 ? strcmp(v[i].mountpoint, m->mountpoint) == 0 : same_ctrls(v[i].ctrls, m->ctrls)))
			return true;
	return false;
}

static void mount_done(struct cg_mount *m)
{
	free(m->mountpoint);
	free(m->root);
	strv_free(m->ctrls);
}

void cg_mounts_free(struct cg_mount *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		mount_done(&v[i]);
	free(v);
}

int cg_read_mounts(const char *mountinfo, const char *root, struct cg_mount **ret, size_t *ret_n,
		   struct berth_error **err)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	struct cg_mount *v = NULL;
	size_t n = 0, cap = 0;

	f = fopen(mountinfo, "re");
	if (!f)
		return berth_error_set(err, errno, "open '%s'", mountinfo);
	while (getline(&line, &cap, f) > 0) {
		struct cg_mount m = {0};

		if (!parse_line(line, root, &m))
			continue;
		/* the first mount of a hierarchy wins; bind mounts of it elsewhere are ignored */
		if (seen_before(v, n, &m)) {
			mount_done(&m);
			continue;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		v[n++] = m;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int cg_layout_of(const struct cg_mount *v, size_t n, const char *root, enum cg_layout *ret, struct berth_error **err)
{
	_cleanup_free_ char *unified = xasprintf("%s/unified", root);
	bool v1 = false, v2_root = false, v2_unified = false;

	for (size_t i = 0; i < n; i++) {
		if (!v[i].is_v2)
			v1 = true;
		else if (strcmp(v[i].mountpoint, root) == 0)
			v2_root = true;
		else if (strcmp(v[i].mountpoint, unified) == 0)
			v2_unified = true;
	}
	if (v2_root)
		*ret = CG_LAYOUT_V2;
	else if (v1 && v2_unified)
		*ret = CG_LAYOUT_HYBRID;
	else if (v1)
		*ret = CG_LAYOUT_V1;
	else
		return berth_error_set(err, 0, "no cgroup hierarchy mounted at '%s'", root);
	return 0;
}

int cg_detect_layout(const struct cg_env *env, enum cg_layout *ret, struct berth_error **err)
{
	const char *mountinfo = env && env->mountinfo ? env->mountinfo : "/proc/self/mountinfo";
	const char *root = env && env->root ? env->root : SYS_CGROUP;
	struct cg_mount *v = NULL;
	size_t n = 0;
	int r;

	if (cg_read_mounts(mountinfo, root, &v, &n, err) < 0)
		return -1;
	r = cg_layout_of(v, n, root, ret, err);
	cg_mounts_free(v, n);
	return r;
}

/* True when the comma lists a and b share an element, or are both empty (cgroup2). */
static bool lists_match(const char *a, const char *b)
{
	_cleanup_free_ char *copy = xstrdup(a);
	char *save = NULL;

	if (*a == '\0' || *b == '\0')
		return *a == '\0' && *b == '\0';
	for (char *x = strtok_r(copy, ",", &save); x; x = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(x);

		for (const char *p = b; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
			if (strncmp(p, x, len) == 0 && (p[len] == ',' || p[len] == '\0'))
				return true;
	}
	return false;
}

char *cg_self_path(const char *text, const char *ctrl_list)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		/* a v1 line with an empty list ("1::/x") does not exist; "0::/x" is cgroup2 */
		if (lists_match(ctrl_list, c1 + 1))
			return xstrdup(c2 + 1);
	}
	return NULL;
}
