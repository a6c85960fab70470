/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth ns ls and ns limits: namespace types and -t lists, /proc/PID/ns links,
 * a census of the namespaces every process is in, and the rows built from it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

static const char *const type_names[ENG_NS_COUNT] = {
	[ENG_NS_MNT] = "mnt", [ENG_NS_PID] = "pid",   [ENG_NS_UTS] = "uts",	  [ENG_NS_IPC] = "ipc",
	[ENG_NS_NET] = "net", [ENG_NS_USER] = "user", [ENG_NS_CGROUP] = "cgroup", [ENG_NS_TIME] = "time",
};

const char *eng_ns_type_name(enum eng_ns_type t)
{
	return (unsigned)t < ENG_NS_COUNT ? type_names[t] : NULL;
}

/* One name of a -t list: a mask, 0 when unknown. */
static unsigned type_mask(const char *s, size_t len)
{
	static const struct {
		const char *name;
		unsigned mask;
	} aliases[] = {
		{"mount", ENG_NS_MASK(ENG_NS_MNT)}, {"network", ENG_NS_MASK(ENG_NS_NET)}, {"all", ENG_NS_MASK_ALL}};

	for (unsigned t = 0; t < ENG_NS_COUNT; t++)
		if (strlen(type_names[t]) == len && strncmp(s, type_names[t], len) == 0)
			return ENG_NS_MASK(t);
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].name) == len && strncmp(s, aliases[i].name, len) == 0)
			return aliases[i].mask;
	return 0;
}

int eng_ns_types_parse(const char *list, unsigned *ret_mask, struct berth_error **err)
{
	unsigned mask = 0;
	const char *s = list;

	if (!list || !*list)
		return berth_error_set(err, 0, "empty namespace list");
	for (;;) {
		size_t len = strcspn(s, ",");
		unsigned m = type_mask(s, len);

		if (len == 0)
			return berth_error_set(err, 0, "namespace list '%s': empty item", list);
		if (!m)
			return berth_error_set(err, 0,
					       "unknown namespace type '%.*s' (expected mnt, pid, uts, ipc, net, user, "
					       "cgroup, time or all)",
					       (int)len, s);
		mask |= m;
		if (!s[len])
			break;
		s += len + 1;
	}
	*ret_mask = mask;
	return 0;
}

int eng_ns_link_parse(const char *link, enum eng_ns_type t, uint64_t *ret_ino, struct berth_error **err)
{
	const char *name = eng_ns_type_name(t);
	size_t len = name ? strlen(name) : 0;
	const char *digits = link + len + 2;
	size_t n;
	uint64_t ino;
	_cleanup_free_ char *num = NULL;

	if (!name || strncmp(link, name, len) != 0 || strncmp(link + len, ":[", 2) != 0)
		goto bad;
	n = strspn(digits, "0123456789");
	if (n == 0 || strcmp(digits + n, "]") != 0)
		goto bad;
	num = strndup(digits, n);
	if (!num || parse_uint64(num, &ino) < 0 || ino == 0)
		goto bad;
	*ret_ino = ino;
	return 0;
bad:
	return berth_error_set(err, EINVAL, "namespace link '%s': expected '%s:[INODE]'", link, name ? name : "?");
}

uint64_t eng_ns_inode(const char *proc, pid_t pid, enum eng_ns_type t)
{
	_cleanup_error_ struct berth_error *err = NULL;
	char path[4096], link[128];
	ssize_t n;
	uint64_t ino = 0;

	if (!eng_ns_type_name(t) ||
	    (size_t)snprintf(path, sizeof(path), "%s/%d/ns/%s", proc, (int)pid, type_names[t]) >= sizeof(path))
		return 0;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (eng_ns_link_parse(link, t, &ino, &err) < 0)
		return 0;
	return ino;
}

/* ---- census ---------------------------------------------------------------- */

static int count_cmp(const void *a, const void *b)
{
	const struct eng_ns_count *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static bool is_pid_name(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Sort the pairs and merge equal ones into counts. */
static void census_merge(struct eng_ns_census *c)
{
	size_t out = 0;

	if (c->n == 0)
		return;
	qsort(c->v, c->n, sizeof(c->v[0]), count_cmp);
	for (size_t i = 1; i < c->n; i++) {
		if (count_cmp(&c->v[out], &c->v[i]) == 0)
			c->v[out].procs += c->v[i].procs;
		else
			c->v[++out] = c->v[i];
	}
	c->n = out + 1;
}

int eng_ns_census_take(const char *proc, struct eng_ns_census *ret, struct berth_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(proc);
	struct eng_ns_census c = {0};
	size_t cap = 0;
	struct dirent *de;

	if (!d)
		return berth_error_set(err, errno, "open '%s'", proc);
	while ((de = readdir(d))) {
		if (!is_pid_name(de->d_name))
			continue;
		for (unsigned t = 0; t < ENG_NS_COUNT; t++) {
			uint64_t ino = eng_ns_inode(proc, (pid_t)atoi(de->d_name), t);

			if (!ino)
				continue;
			if (c.n == cap) {
				cap = cap ? cap * 2 : 256;
				c.v = realloc(c.v, cap * sizeof(c.v[0]));
				if (!c.v)
					abort();
			}
			c.v[c.n++] = (struct eng_ns_count){.type = t, .ino = ino, .procs = 1};
		}
	}
	census_merge(&c);
	*ret = c;
	return 0;
}

void eng_ns_census_done(struct eng_ns_census *c)
{
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

unsigned eng_ns_census_procs(const struct eng_ns_census *c, enum eng_ns_type t, uint64_t ino)
{
	struct eng_ns_count key = {.type = t, .ino = ino}, *hit;

	if (c->n == 0)
		return 0;
	hit = bsearch(&key, c->v, c->n, sizeof(c->v[0]), count_cmp);
	return hit ? hit->procs : 0;
}

size_t eng_ns_census_distinct(const struct eng_ns_census *c, enum eng_ns_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->v[i].type == t;
	return n;
}

/* ---- rows --------------------------------------------------------------------- */

/* The host's namespace of type t: PID 1's, else kthreadd's (PID 1 may be beyond our ptrace rights). */
static uint64_t host_inode(const char *proc, enum eng_ns_type t, pid_t *ret_pid)
{
	uint64_t ino = eng_ns_inode(proc, 1, t);

	*ret_pid = 1;
	if (!ino) {
		ino = eng_ns_inode(proc, 2, t);
		*ret_pid = 2;
	}
	return ino;
}

/* Owner of (t, ino): "host", the members whose init is in it, or "-". */
static char *owner_of(uint64_t ino, uint64_t host, uint64_t *const *inos, const struct eng_ns_member *m, size_t n,
		      enum eng_ns_type t)
{
	struct buf b = {0};

	if (ino == host)
		return xstrdup("host");
	for (size_t i = 0; i < n; i++)
		if (inos[i][t] == ino)
			buf_printf(&b, "%s%s", b.len ? "," : "", m[i].name);
	if (!b.len)
		return xstrdup("-");
	return buf_steal(&b);
}

static bool row_seen(json_t *rows, const char *type, uint64_t ino)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "Type")), type) == 0 &&
		    (uint64_t)json_integer_value(json_object_get(r, "NS")) == ino)
			return true;
	}
	return false;
}

static void row_add(json_t *rows, const char *proc, const struct eng_ns_census *c, enum eng_ns_type t, uint64_t ino,
		    pid_t pid, char *owner)
{
	_cleanup_free_ char *path = xasprintf("%s/%d/ns/%s", proc, (int)pid, type_names[t]);

	json_array_append_new(rows,
			      json_pack("{s:s, s:I, s:i, s:s, s:s}", "Type", type_names[t], "NS", (json_int_t)ino,
					"Procs", (int)eng_ns_census_procs(c, t, ino), "Owner", owner, "Path", path));
	free(owner);
}

/* The rows of one type: the host's first (all view), then each member's in order. */
static void rows_of_type(json_t *rows, const char *proc, const struct eng_ns_census *c, const struct eng_ns_member *m,
			 size_t n, uint64_t *const *inos, ssize_t only, enum eng_ns_type t)
{
	pid_t host_pid;
	uint64_t host = host_inode(proc, t, &host_pid);

	if (only < 0 && host)
		row_add(rows, proc, c, t, host, host_pid, xstrdup("host"));
	for (size_t i = 0; i < n; i++) {
		uint64_t ino = inos[i][t];

		if ((only >= 0 && (size_t)only != i) || !ino || row_seen(rows, type_names[t], ino))
			continue;
		row_add(rows, proc, c, t, ino, m[i].pid, owner_of(ino, host, inos, m, n, t));
	}
}

int eng_ns_rows_build(const char *proc, const struct eng_ns_member *members, size_t n, ssize_t only, json_t **ret,
		      struct berth_error **err)
{
	struct eng_ns_census c = {0};
	uint64_t **inos;
	json_t *rows;

	if (only >= 0 && (size_t)only >= n)
		return berth_error_set(err, EINVAL, "namespace rows: no member %zd", only);
	if (eng_ns_census_take(proc, &c, err) < 0)
		return -1;
	inos = xcalloc(n ? n : 1, sizeof(*inos));
	for (size_t i = 0; i < n; i++) {
		inos[i] = xcalloc(ENG_NS_COUNT, sizeof(**inos));
		for (unsigned t = 0; t < ENG_NS_COUNT; t++)
			inos[i][t] = eng_ns_inode(proc, members[i].pid, t);
	}
	rows = json_array();
	for (unsigned t = 0; t < ENG_NS_COUNT; t++)
		rows_of_type(rows, proc, &c, members, n, inos, only, t);
	for (size_t i = 0; i < n; i++)
		free(inos[i]);
	free(inos);
	eng_ns_census_done(&c);
	*ret = rows;
	return 0;
}

int eng_ns_limits_build(const char *proc, json_t **ret, struct berth_error **err)
{
	struct eng_ns_census c = {0};
	json_t *rows;

	if (eng_ns_census_take(proc, &c, err) < 0)
		return -1;
	rows = json_array();
	for (unsigned t = 0; t < ENG_NS_COUNT; t++) {
		_cleanup_free_ char *path = xasprintf("%s/sys/user/max_%s_namespaces", proc, type_names[t]);
		_cleanup_free_ char *text = NULL;
		_cleanup_error_ struct berth_error *rerr = NULL;
		uint64_t limit;
		json_t *lim = NULL;

		if (fs_read_file_at(AT_FDCWD, path, &text, NULL, &rerr) == 0) {
			text[strcspn(text, "\n")] = '\0';
			if (parse_uint64(text, &limit) == 0)
				lim = json_integer((json_int_t)limit);
		}
		json_array_append_new(rows, json_pack("{s:s, s:I, s:o}", "Type", type_names[t], "InUse",
						      (json_int_t)eng_ns_census_distinct(&c, t), "Limit",
						      lim ? lim : json_string("-")));
	}
	eng_ns_census_done(&c);
	*ret = rows;
	return 0;
}

/* ---- the engine's view ------------------------------------------------------------ */

static pid_t init_pid(const struct eng_ctr *c)
{
	return (pid_t)json_integer_value(json_object_get(c->state, "Pid"));
}

int eng_ns_list(struct eng *e, const char *name, json_t **ret, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *want = NULL;
	struct eng_ctr **all = NULL;
	struct eng_ns_member *m;
	size_t n_all = 0, n = 0;
	ssize_t only = -1;
	int rc;

	if (name && eng_ctr_find(e, name, &want, err) < 0)
		return -1;
	if (want && (!eng_ctr_is_running(want) || init_pid(want) <= 0))
		return berth_error_set(err, 0, "container %s is not running", want->name);
	if (eng_ctr_list_all(e, &all, &n_all, err) < 0)
		return -1;
	m = xcalloc(n_all ? n_all : 1, sizeof(*m));
	/* oldest first: a namespace shared by several lists its creator first */
	for (size_t i = n_all; i-- > 0;) {
		if (!eng_ctr_is_running(all[i]) || init_pid(all[i]) <= 0)
			continue;
		if (want && strcmp(all[i]->id, want->id) == 0)
			only = (ssize_t)n;
		m[n++] = (struct eng_ns_member){.name = all[i]->name, .pid = init_pid(all[i])};
	}
	if (want && only < 0)
		rc = berth_error_set(err, 0, "container %s is not running", want->name);
	else
		rc = eng_ns_rows_build("/proc", m, n, only, ret, err);
	free(m);
	eng_ctrs_free(all, n_all);
	return rc;
}
