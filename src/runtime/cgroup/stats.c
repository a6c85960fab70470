/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers of the cgroup statistics files (v1 cpuacct, memory, blkio lists;
 * v2 cpu.stat, io.stat; both: flat keyed files, "max" values, cpu lists).
 * Pure functions over the text; stats_read.c reads the files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

static void list_push(struct cg_u64_list *l, uint64_t v)
{
	uint64_t *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (!nv)
		abort();
	nv[l->n++] = v;
	l->v = nv;
}

static int malformed(struct berth_error **err, const char *what, const char *token)
{
	return berth_error_set(err, EINVAL, "malformed %s: '%s'", what, token);
}

int cg_parse_u64_list(const char *text, struct cg_u64_list *ret, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		uint64_t v;

		if (parse_uint64(t, &v) < 0)
			return malformed(err, "number list", t);
		list_push(ret, v);
	}
	return 0;
}

/* The next line of *p (without its newline) in a copy the caller frees, or NULL at the end. */
static char *next_line(const char **p)
{
	const char *s = *p, *nl;
	char *line;

	if (!*s)
		return NULL;
	nl = strchrnul(s, '\n');
	line = strndup(s, (size_t)(nl - s));
	if (!line)
		abort();
	*p = *nl ? nl + 1 : nl;
	return line;
}

/* Split line into at most max whitespace-separated fields (in place); returns the count. */
static size_t split(char *line, const char *seps, char **f, size_t max)
{
	char *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(line, seps, &save); t; t = strtok_r(NULL, seps, &save)) {
		if (n == max)
			return max + 1;
		f[n++] = t;
	}
	return n;
}

int cg_parse_cpuacct_stat(const char *text, long hz, uint64_t *ret_user, uint64_t *ret_kernel, struct berth_error **err)
{
	uint64_t user = 0, kernel = 0;
	char *line;

	if (hz <= 0)
		hz = 100;
	for (const char *p = text; (line = next_line(&p));) {
		_cleanup_free_ char *l = line;
		char *f[3];
		uint64_t v;
		size_t n = split(l, " \t", f, 2);

		if (n == 0)
			continue;
		if (n != 2 || parse_uint64(f[1], &v) < 0)
			return malformed(err, "cpuacct.stat line", line);
		if (strcmp(f[0], "user") == 0)
			user = v;
		else if (strcmp(f[0], "system") == 0)
			kernel = v;
	}
	/* clock ticks to nanoseconds, as runc: ticks * 1e9 / hz */
	*ret_user = user * 1000000000ULL / (uint64_t)hz;
	*ret_kernel = kernel * 1000000000ULL / (uint64_t)hz;
	return 0;
}

int cg_parse_cpuacct_usage_all(const char *text, struct cg_u64_list *ret_user, struct cg_u64_list *ret_kernel,
			       struct berth_error **err)
{
	bool header = true;
	char *line;

	for (const char *p = text; (line = next_line(&p));) {
		_cleanup_free_ char *l = line;
		char *f[4];
		uint64_t user, sys, cpu;
		size_t n = split(l, " \t", f, 3);

		if (n == 0)
			continue;
		if (header) {
			if (n != 3 || strcmp(f[0], "cpu") != 0)
				return malformed(err, "cpuacct.usage_all header", line);
			header = false;
			continue;
		}
		if (n != 3 || parse_uint64(f[0], &cpu) < 0 || parse_uint64(f[1], &user) < 0 ||
		    parse_uint64(f[2], &sys) < 0)
			return malformed(err, "cpuacct.usage_all line", line);
		list_push(ret_user, user);
		list_push(ret_kernel, sys);
	}
	return 0;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cg_kv *)a)->key, ((const struct cg_kv *)b)->key);
}

void cg_kv_free(struct cg_kv *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].key);
	free(v);
}

/* A kernel counter; runc parses them as uint64 and saturates on overflow (negative ones count as 0). */
static int parse_counter(const char *s, uint64_t *ret)
{
	int64_t neg;

	if (parse_uint64(s, ret) == 0)
		return 0;
	if (errno == ERANGE && s[0] != '-') {
		*ret = UINT64_MAX;
		return 0;
	}
	if (parse_int64(s, &neg) == 0 && neg < 0) {
		*ret = 0;
		return 0;
	}
	return -1;
}

int cg_parse_flat_keyed(const char *text, struct cg_kv **ret, size_t *ret_n, struct berth_error **err)
{
	struct cg_kv *v = NULL;
	size_t n = 0;
	char *line;

	for (const char *p = text; (line = next_line(&p));) {
		_cleanup_free_ char *l = line;
		char *f[3];
		uint64_t value;
		size_t nf = split(l, " \t", f, 2);

		if (nf == 0)
			continue;
		if (nf != 2 || parse_counter(f[1], &value) < 0) {
			cg_kv_free(v, n);
			return malformed(err, "key value line", line);
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			abort();
		v[n].key = xstrdup(f[0]);
		v[n++].value = value;
	}
	if (n)
		qsort(v, n, sizeof(*v), kv_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

uint64_t cg_kv_get(const struct cg_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return v[i].value;
	return 0;
}

int cg_parse_u64_or_max(const char *text, uint64_t max_value, uint64_t *ret, struct berth_error **err)
{
	_cleanup_free_ char *t = xstrdup(text);
	char *s = t + strspn(t, " \t\n");
	size_t len = strlen(s);

	while (len && strchr(" \t\n", s[len - 1]))
		s[--len] = '\0';
	if (!*s)
		*ret = 0;
	else if (strcmp(s, "max") == 0)
		*ret = max_value;
	else if (parse_counter(s, ret) < 0)
		return malformed(err, "value", s);
	return 0;
}

static void blkio_push(struct cg_blkio_list *l, uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
	struct cg_blkio_entry *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (!nv)
		abort();
	l->v = nv;
	nv[l->n] = (struct cg_blkio_entry){.major = major, .minor = minor, .value = value};
	snprintf(nv[l->n].op, sizeof(nv[l->n].op), "%s", op);
	l->n++;
}

int cg_parse_blkio_v1(const char *text, struct cg_blkio_list *ret, struct berth_error **err)
{
	char *line;

	for (const char *p = text; (line = next_line(&p));) {
		_cleanup_free_ char *l = line;
		char *f[5];
		uint64_t major, minor, value;
		size_t n = split(l, " :", f, 4);

		if (n == 0 || (n == 2 && strcmp(f[0], "Total") == 0))
			continue;
		if (n < 3 || n > 4 || parse_uint64(f[0], &major) < 0 || parse_uint64(f[1], &minor) < 0 ||
		    parse_uint64(f[n - 1], &value) < 0)
			return malformed(err, "blkio line", line);
		blkio_push(ret, major, minor, n == 4 ? f[2] : "", value);
	}
	return 0;
}

/* One "key=value" of io.stat into its runc list. */
static int io_stat_item(char *item, uint64_t major, uint64_t minor, struct cg_blkio_list *bytes,
			struct cg_blkio_list *ios, struct berth_error **err)
{
	static const struct {
		const char *key, *op;
		bool is_bytes;
	} map[] = {
		{"rbytes", "Read", true}, {"wbytes", "Write", true}, {"rios", "Read", false}, {"wios", "Write", false}};
	char *eq = strchr(item, '=');
	uint64_t v;

	if (!eq)
		return 0;
	*eq = '\0';
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(item, map[i].key) != 0)
			continue;
		if (parse_uint64(eq + 1, &v) < 0)
			return malformed(err, "io.stat value", eq + 1);
		blkio_push(map[i].is_bytes ? bytes : ios, major, minor, map[i].op, v);
	}
	/* other keys (dbytes, dios, cost.*) have no v1 counterpart: skipped, as runc */
	return 0;
}

int cg_parse_io_stat(const char *text, struct cg_blkio_list *ret_bytes, struct cg_blkio_list *ret_ios,
		     struct berth_error **err)
{
	char *line;

	for (const char *p = text; (line = next_line(&p));) {
		_cleanup_free_ char *l = line;
		char *f[16], *colon;
		uint64_t major, minor;
		size_t n = split(l, " \t", f, 15);

		if (n < 2)
			continue;
		colon = strchr(f[0], ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (parse_uint64(f[0], &major) < 0 || parse_uint64(colon + 1, &minor) < 0)
			return malformed(err, "io.stat device", f[0]);
		for (size_t i = 1; i < n && i < 16; i++)
			if (io_stat_item(f[i], major, minor, ret_bytes, ret_ios, err) < 0)
				return -1;
	}
	return 0;
}

int cg_parse_cpuset_list(const char *text, struct cg_u64_list *ret, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *t = strtok_r(copy, ",\n ", &save); t; t = strtok_r(NULL, ",\n ", &save)) {
		char *dash = strchr(t, '-');
		uint64_t lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_uint64(t, &lo) < 0 || (dash && parse_uint64(dash + 1, &hi) < 0))
			return malformed(err, "cpu list", t);
		if (!dash)
			hi = lo;
		if (hi < lo || hi - lo > 65535)
			return malformed(err, "cpu list range", t);
		for (uint64_t i = lo; i <= hi; i++)
			list_push(ret, i);
	}
	return 0;
}

char *cg_hugepage_size_name(const char *name)
{
	static const char *const units[] = {"KB", "MB", "GB", "TB", "PB"};
	uint64_t kb;
	size_t u = 0;
	char *end = NULL;

	if (strncmp(name, "hugepages-", 10) != 0)
		return NULL;
	errno = 0;
	kb = strtoull(name + 10, &end, 10);
	if (errno || end == name + 10 || strcmp(end, "kB") != 0)
		return NULL;
	/* runc: the largest binary unit that divides the size, "2048kB" → "2MB" */
	while (kb >= 1024 && kb % 1024 == 0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		kb /= 1024;
		u++;
	}
	return xasprintf("%llu%s", (unsigned long long)kb, units[u]);
}
