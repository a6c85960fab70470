/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: Config.User ("name", "uid", "name:group", "uid:gid") and
 * HostConfig.GroupAdd resolved against the rootfs's /etc/passwd and
 * /etc/group, read inside the rootfs, with runc's lookup rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "engine/spec_internal.h"

#define ID_MAX 2147483647L
#define DB_MAX (16u << 20)

/* Read etc/passwd or etc/group in the rootfs; a missing file (or no rootfs) reads as empty. */
static int read_db(int rootfs_fd, const char *path, char **ret, struct berth_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_error_ struct berth_error *e = NULL;
	struct stat st;
	struct buf b = {0};
	char chunk[8192];
	ssize_t n;

	*ret = NULL;
	if (rootfs_fd < 0)
		return 0;
	fd = fs_open_in_root(rootfs_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, &e);
	if (fd < 0)
		return e->code == ENOENT || e->code == ENOTDIR ? 0 : berth_error_move(err, &e);
	/* a FIFO or device named /etc/passwd must not hang or read the host */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return berth_error_set(err, 0, "'/%s' in the rootfs is not a regular file", path);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b.len + (size_t)n > DB_MAX) {
			buf_done(&b);
			return berth_error_set(err, n < 0 ? errno : EFBIG, "read '/%s' in the rootfs", path);
		}
		buf_append(&b, chunk, (size_t)n);
	}
	*ret = buf_steal(&b);
	return 0;
}

/* Split one line at ':' into at most max fields; returns the count. The line is modified. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static bool parse_id(const char *s, long *ret)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

/* Next non-empty line of a db text (modified in place), or NULL at the end. */
static char *next_line(char **cursor)
{
	char *line;

	while (*cursor && **cursor) {
		line = *cursor;
		*cursor = strchr(line, '\n');
		if (*cursor)
			*(*cursor)++ = '\0';
		if (*line && *line != '#')
			return line;
	}
	return NULL;
}

struct pw_match {
	bool found;
	long uid, gid;
	char *name, *home;
};

/* runc's rule: "" matches uid 0, else the name or the decimal uid. */
static void find_passwd(char *text, const char *arg, struct pw_match *m)
{
	char *cursor = text, *line, *f[7];
	long uid, gid;

	while ((line = next_line(&cursor))) {
		if (split_fields(line, f, 7) < 7 || !parse_id(f[2], &uid) || !parse_id(f[3], &gid))
			continue;
		if (*arg ? strcmp(f[0], arg) == 0 || strcmp(f[2], arg) == 0 : uid == 0) {
			*m = (struct pw_match){true, uid, gid, xstrdup(f[0]), xstrdup(f[5])};
			return;
		}
	}
}

static void add_gid(struct spec_user *u, gid_t g)
{
	for (size_t i = 0; i < u->n_sgids; i++)
		if (u->sgids[i] == g)
			return;
	u->sgids = realloc(u->sgids, (u->n_sgids + 1) * sizeof(*u->sgids));
	if (!u->sgids)
		abort();
	u->sgids[u->n_sgids++] = g;
}

static bool is_member(char *list, const char *name)
{
	char *save = NULL;

	for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, name) == 0)
			return true;
	return false;
}

/* Gid of the group named (or numbered) arg; -1 when the group file has none. text is copied. */
static long find_group(const char *text, const char *arg)
{
	_cleanup_free_ char *copy = xstrdup(text ? text : "");
	char *cursor = copy, *line, *f[4];
	long gid;

	while ((line = next_line(&cursor)))
		if (split_fields(line, f, 4) >= 3 && parse_id(f[2], &gid) &&
		    (strcmp(f[0], arg) == 0 || strcmp(f[2], arg) == 0))
			return gid;
	return -1;
}

/* The implicit form: every group listing the user's name as a member. */
static void add_memberships(struct spec_user *u, const char *text, const char *name)
{
	_cleanup_free_ char *copy = xstrdup(text ? text : "");
	char *cursor = copy, *line, *f[4];
	long gid;

	while ((line = next_line(&cursor)))
		if (split_fields(line, f, 4) == 4 && parse_id(f[2], &gid) && is_member(f[3], name))
			add_gid(u, (gid_t)gid);
}

static int resolve_group(const char *groups, const char *arg, gid_t *ret, struct berth_error **err)
{
	long gid = find_group(groups, arg);

	if (gid < 0 && !parse_id(arg, &gid))
		return berth_error_set(err, 0, "unable to find group %s: no matching entries in group file", arg);
	if (gid > ID_MAX)
		return berth_error_set(err, 0, "uids and gids must be in range 0-%ld", ID_MAX);
	*ret = (gid_t)gid;
	return 0;
}

static int resolve_user(struct spec_user *u, char *passwd, const char *arg, struct pw_match *m,
			struct berth_error **err)
{
	long uid = 0;

	find_passwd(passwd ? passwd : (char[]){""}, arg, m);
	if (m->found) {
		u->uid = (uid_t)m->uid;
		u->gid = (gid_t)m->gid;
		u->home = xstrdup(*m->home ? m->home : "/");
		return 0;
	}
	if (*arg && !parse_id(arg, &uid))
		return berth_error_set(err, 0, "unable to find user %s: no matching entries in passwd file", arg);
	if (uid > ID_MAX)
		return berth_error_set(err, 0, "uids and gids must be in range 0-%ld", ID_MAX);
	u->uid = (uid_t)uid;
	u->gid = 0;
	u->home = xstrdup(uid == 0 ? "/root" : "/");
	return 0;
}

int spec_user_resolve(int rootfs_fd, const char *user, json_t *group_add, struct spec_user *ret,
		      struct berth_error **err)
{
	_cleanup_free_ char *passwd = NULL, *groups = NULL, *arg = xstrdup(user ? user : "");
	struct spec_user u = {0};
	struct pw_match m = {0};
	char *group_arg = strchr(arg, ':');
	json_t *v;
	size_t i;
	gid_t g;

	if (group_arg)
		*group_arg++ = '\0';
	if (read_db(rootfs_fd, "etc/passwd", &passwd, err) < 0 || read_db(rootfs_fd, "etc/group", &groups, err) < 0)
		return -1;
	if (resolve_user(&u, passwd, arg, &m, err) < 0)
		goto fail;
	if (group_arg && *group_arg && resolve_group(groups, group_arg, &u.gid, err) < 0)
		goto fail;
	/* the primary group first among the supplementary ones, as docker since CVE-2022-36109 */
	add_gid(&u, u.gid);
	if (!(group_arg && *group_arg) && m.found)
		add_memberships(&u, groups, m.name);
	json_array_foreach(group_add, i, v)
	{
		if (!json_is_string(v)) {
			berth_error_set(err, 0, "HostConfig.GroupAdd[%zu]: expected string", i);
			goto fail;
		}
		if (resolve_group(groups, json_string_value(v), &g, err) < 0)
			goto fail;
		add_gid(&u, g);
	}
	free(m.name);
	free(m.home);
	*ret = u;
	return 0;
fail:
	free(m.name);
	free(m.home);
	spec_user_done(&u);
	return -1;
}

void spec_user_done(struct spec_user *u)
{
	free(u->sgids);
	free(u->home);
	*u = (struct spec_user){0};
}
