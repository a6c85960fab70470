/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd driver's pure part: a "slice:prefix:name" cgroupsPath as unit,
 * slice and cgroup path, and linux.resources as the unit properties runc's
 * systemd driver sets. Nothing here talks to systemd (systemd.c does).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* systemd's CPUQuotaPerSecUSec is a whole percentage of a cpu: 10 ms steps */
#define SD_QUOTA_STEP 10000
#define SD_DEFAULT_PERIOD 100000
/* versions that added properties: CPUQuotaPeriodUSec, "char-MAJOR" device groups, AllowedCPUs */
#define SD_V_QUOTA_PERIOD 242
#define SD_V_DEVICE_GROUPS 240
#define SD_V_ALLOWED_CPUS 244

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* "a-b.slice" → "/a.slice/a-b.slice"; "-.slice" is the root slice (nothing). */
static int expand_slice(const char *slice, struct buf *out, struct berth_error **err)
{
	size_t len = strlen(slice);
	_cleanup_free_ char *stem = NULL;
	char *save = NULL;
	size_t prefix_end = 0;

	if (!has_suffix(slice, ".slice") || strchr(slice, '/'))
		return berth_error_set(err, 0, "invalid systemd slice '%s'", slice);
	stem = strndup(slice, len - 6);
	if (!stem)
		abort();
	if (strcmp(stem, "-") == 0)
		return 0;
	/* "a--b" and "-a" have empty components, which systemd rejects */
	if (stem[0] == '-' || stem[strlen(stem) - 1] == '-' || strstr(stem, "--"))
		return berth_error_set(err, 0, "invalid systemd slice '%s'", slice);
	for (char *c = strtok_r(stem, "-", &save); c; c = strtok_r(NULL, "-", &save)) {
		prefix_end += strlen(c) + (prefix_end ? 1 : 0);
		buf_printf(out, "/%.*s.slice", (int)prefix_end, slice);
	}
	return 0;
}

void cg_systemd_unit_done(struct cg_systemd_unit *u)
{
	free(u->name);
	free(u->unit);
	free(u->slice);
	free(u->path);
	*u = (struct cg_systemd_unit){0};
}

int cg_systemd_unit_parse(const char *cgroups_path, const char *id, uid_t uid, struct cg_systemd_unit *ret,
			  struct berth_error **err)
{
	_cleanup_free_ char *copy = NULL;
	struct cg_systemd_unit u = {0};
	struct buf b = {0};
	char *c1, *c2;

	if (!cgroups_path || !*cgroups_path) {
		if (!id || !*id)
			return berth_error_set(err, 0, "a container id is needed for the default systemd cgroup");
		copy = xasprintf(":berth:%s", id);
	} else {
		copy = xstrdup(cgroups_path);
	}
	c1 = strchr(copy, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || c2[1] == '\0' || strchr(c2 + 1, '/') || strchr(c1 + 1, '/') != NULL)
		return berth_error_set(err, 0, "cgroupsPath '%s' is not \"slice:prefix:name\" for systemd cgroups",
				       cgroups_path ? cgroups_path : "");
	*c1 = *c2 = '\0';
	u.slice = xstrdup(*copy ? copy : uid == 0 ? "system.slice" : "user.slice");
	u.name = xstrdup(c2 + 1);
	/* a scope unless the name is a slice itself */
	if (has_suffix(u.name, ".slice"))
		u.unit = xstrdup(u.name);
	else if (c1[1])
		u.unit = xasprintf("%s-%s.scope", c1 + 1, u.name);
	else
		u.unit = xasprintf("%s.scope", u.name);
	/* a user's manager runs in user@UID.service, and its slices are below it */
	if (uid != 0)
		buf_printf(&b, "/user.slice/user-%u.slice/user@%u.service", (unsigned)uid, (unsigned)uid);
	if (expand_slice(u.slice, &b, err) < 0) {
		buf_done(&b);
		cg_systemd_unit_done(&u);
		return -1;
	}
	buf_printf(&b, "/%s", u.unit);
	u.path = buf_steal(&b);
	*ret = u;
	return 0;
}

int cg_systemd_path_to_cgroupfs(const char *cgroups_path, const char *id, char **ret, struct berth_error **err)
{
	struct cg_systemd_unit u;

	if (cg_systemd_unit_parse(cgroups_path, id, 0, &u, err) < 0)
		return -1;
	*ret = TAKE_PTR(u.path);
	cg_systemd_unit_done(&u);
	return 0;
}

void cg_systemd_props_done(struct cg_systemd_props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct cg_systemd_prop *x = &p->v[i];

		free(x->name);
		free(x->str);
		free(x->bytes);
		for (size_t j = 0; x->devs && j < x->n; j++)
			free(x->devs[j].path);
		free(x->devs);
	}
	free(p->v);
	*p = (struct cg_systemd_props){0};
}

static struct cg_systemd_prop *add(struct cg_systemd_props *p, const char *name, const char *sig)
{
	struct cg_systemd_prop *x;

	p->v = realloc(p->v, (p->n + 1) * sizeof(*p->v));
	if (!p->v)
		abort();
	x = &p->v[p->n++];
	*x = (struct cg_systemd_prop){.name = xstrdup(name), .sig = sig};
	return x;
}

static struct cg_systemd_prop *add_str(struct cg_systemd_props *p, const char *name, const char *sig, const char *v)
{
	struct cg_systemd_prop *x = add(p, name, sig);

	x->str = xstrdup(v);
	return x;
}

static void add_bool(struct cg_systemd_props *p, const char *name, bool v)
{
	add(p, name, "b")->b = v;
}

static struct cg_systemd_prop *add_u64(struct cg_systemd_props *p, const char *name, uint64_t v)
{
	struct cg_systemd_prop *x = add(p, name, "t");

	x->u64 = v;
	return x;
}

/* OCI's -1 is systemd's infinity (UINT64_MAX) */
static void add_limit(struct cg_systemd_props *p, const char *name, int64_t v)
{
	add_u64(p, name, v < 0 ? UINT64_MAX : (uint64_t)v);
}

void cg_systemd_unit_props(const struct cg_systemd_unit *u, bool v1, pid_t pid, struct cg_systemd_props *p)
{
	_cleanup_free_ char *desc = xasprintf("berth container %s", u->name);
	bool is_slice = has_suffix(u->unit, ".slice");

	add_str(p, "Description", "s", desc);
	/* a slice unit gets its parent through Wants=, a scope through Slice= */
	if (is_slice)
		add_str(p, "Wants", "as", u->slice);
	else
		add_str(p, "Slice", "s", u->slice);
	if (pid > 0 && !is_slice)
		add(p, "PIDs", "au")->u64 = (uint64_t)pid;
	/* the runtime writes below the scope (v1 hierarchies, v2 files): systemd must leave the subtree to it */
	if (!is_slice)
		add_bool(p, "Delegate", true);
	add_bool(p, "MemoryAccounting", true);
	add_bool(p, "CPUAccounting", true);
	add_bool(p, v1 ? "BlockIOAccounting" : "IOAccounting", true);
	add_bool(p, "TasksAccounting", true);
	add_bool(p, "DefaultDependencies", false);
}

uint64_t cg_systemd_quota_per_sec(int64_t quota, uint64_t period)
{
	unsigned __int128 v;

	if (quota <= 0)
		return UINT64_MAX;
	if (period == 0)
		period = SD_DEFAULT_PERIOD;
	v = (unsigned __int128)quota * 1000000 / period;
	/* systemd keeps whole percents: round up, so that the cgroup's quota is not below the one asked for */
	if (v % SD_QUOTA_STEP)
		v = (v / SD_QUOTA_STEP + 1) * SD_QUOTA_STEP;
	return v >= UINT64_MAX ? UINT64_MAX - 1 : (uint64_t)v;
}

/* One "N" or "N-M" of a cpuset list into *mask (bit per cpu), growing it. */
static int set_range(const char *item, uint8_t **mask, size_t *n, struct berth_error **err)
{
	unsigned long long lo, hi;
	char *end;

	errno = 0;
	lo = strtoull(item, &end, 10);
	hi = lo;
	if (end != item && *end == '-') {
		const char *second = end + 1;

		hi = strtoull(second, &end, 10);
		if (end == second || second[0] < '0' || second[0] > '9')
			return berth_error_set(err, 0, "invalid cpuset range '%s'", item);
	}
	if (errno || end == item || *end || (item[0] < '0' || item[0] > '9') || lo > hi || hi >= (1u << 20))
		return berth_error_set(err, 0, "invalid cpuset range '%s'", item);
	if (hi / 8 + 1 > *n) {
		*mask = realloc(*mask, hi / 8 + 1);
		if (!*mask)
			abort();
		memset(*mask + *n, 0, hi / 8 + 1 - *n);
		*n = hi / 8 + 1;
	}
	for (unsigned long long i = lo; i <= hi; i++)
		(*mask)[i / 8] |= (uint8_t)(1u << (i % 8));
	return 0;
}

int cg_systemd_cpuset_bits(const char *list, uint8_t **ret, size_t *ret_n, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(list);
	_cleanup_free_ uint8_t *mask = NULL;
	char *save = NULL;
	size_t n = 0;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		/* spaces around an item are fine (the kernel takes them), inside a range they are not */
		t += strspn(t, " \t\n");
		for (size_t l = strlen(t); l && strchr(" \t\n", t[l - 1]); l--)
			t[l - 1] = '\0';
		if (*t && set_range(t, &mask, &n, err) < 0)
			return berth_error_wrap(err, "cpuset '%s'", list);
	}
	if (n == 0)
		return berth_error_set(err, 0, "invalid cpuset '%s': no cpu or node in it", list);
	*ret = TAKE_PTR(mask);
	*ret_n = n;
	return 0;
}

static int add_cpuset(struct cg_systemd_props *p, const char *name, const char *list, struct berth_error **err)
{
	struct cg_systemd_prop *x;
	uint8_t *bits = NULL;
	size_t n = 0;

	if (!list || !*list)
		return 0;
	if (cg_systemd_cpuset_bits(list, &bits, &n, err) < 0)
		return -1;
	x = add(p, name, "ay");
	x->bytes = bits;
	x->n = n;
	x->min_version = SD_V_ALLOWED_CPUS;
	return 0;
}

static void add_cpu(bool v1, const struct oci_resources *r, struct cg_systemd_props *p)
{
	int64_t quota = r->has_cpu_quota ? r->cpu_quota : 0;
	uint64_t period = r->has_cpu_period ? r->cpu_period : 0;

	if (r->has_cpu_shares && r->cpu_shares != 0) {
		if (v1)
			add_u64(p, "CPUShares", r->cpu_shares);
		else
			add_u64(p, "CPUWeight", cg_cpu_shares_to_weight(r->cpu_shares));
	}
	if (period != 0)
		add_u64(p, "CPUQuotaPeriodUSec", period)->min_version = SD_V_QUOTA_PERIOD;
	if (quota != 0 || period != 0)
		add_u64(p, "CPUQuotaPerSecUSec", cg_systemd_quota_per_sec(quota, period));
}

static int add_memory(bool v1, const struct oci_resources *r, struct cg_systemd_props *p, struct berth_error **err)
{
	int64_t limit = r->has_memory_limit ? r->memory_limit : 0;
	int64_t resv = r->has_memory_reservation ? r->memory_reservation : 0;
	int64_t swap = 0;
	bool swap_set = false;

	if (limit != 0)
		add_limit(p, v1 ? "MemoryLimit" : "MemoryMax", limit);
	if (v1)
		return 0;
	if (resv != 0)
		add_limit(p, "MemoryLow", resv);
	if (cg_memory_swap_v2(r->has_memory_swap ? r->memory_swap : 0, limit, &swap, &swap_set, err) < 0)
		return -1;
	/* as runc: a swap of 0 (memory+swap equal to memory) is left to the cgroupfs write */
	if (swap_set && swap != 0)
		add_limit(p, "MemorySwapMax", swap);
	return 0;
}

int cg_systemd_resource_props(bool v1, const struct oci_resources *r, struct cg_systemd_props *p,
			      struct berth_error **err)
{
	if (r->n_devices)
		cg_systemd_device_props(r->devices, r->n_devices, p);
	if (add_memory(v1, r, p, err) < 0)
		return -1;
	add_cpu(v1, r, p);
	if (r->has_blkio_weight && r->blkio_weight != 0) {
		if (v1)
			add_u64(p, "BlockIOWeight", r->blkio_weight);
		else
			add_u64(p, "IOWeight", cg_blkio_weight_to_io(r->blkio_weight));
	}
	if (r->has_pids_limit && (r->pids_limit > 0 || r->pids_limit == -1))
		add_limit(p, "TasksMax", r->pids_limit);
	if (add_cpuset(p, "AllowedCPUs", r->cpu_cpus, err) < 0 ||
	    add_cpuset(p, "AllowedMemoryNodes", r->cpu_mems, err) < 0)
		return -1;
	return 0;
}

/* The kernel v1 device list, as runc emulates it: a default and exceptions to it. */
struct dev_rule {
	char type;
	int64_t major, minor;
	unsigned access; /* bits of "rwm" */
};

struct dev_emu {
	bool allow_default;
	struct dev_rule *v;
	size_t n;
};

static unsigned access_bits(const char *access)
{
	return (strchr(access, 'r') ? 1u : 0) | (strchr(access, 'w') ? 2u : 0) | (strchr(access, 'm') ? 4u : 0);
}

static struct dev_rule *emu_find(struct dev_emu *e, const struct oci_device_rule *r)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].type == r->type && e->v[i].major == r->major && e->v[i].minor == r->minor)
			return &e->v[i];
	return NULL;
}

static void emu_apply(struct dev_emu *e, const struct oci_device_rule *r)
{
	unsigned acc = access_bits(r->access);
	struct dev_rule *x;

	/* "a" replaces the whole list, whatever its numbers and access (as the kernel reads it) */
	if (r->type == 'a') {
		e->allow_default = r->allow;
		e->n = 0;
		return;
	}
	x = emu_find(e, r);
	/* an exception is an allow under a deny default, a deny under an allow default */
	if (r->allow != e->allow_default) {
		if (x) {
			x->access |= acc;
			return;
		}
		e->v = realloc(e->v, (e->n + 1) * sizeof(*e->v));
		if (!e->v)
			abort();
		e->v[e->n++] = (struct dev_rule){r->type, r->major, r->minor, acc};
		return;
	}
	/* the opposite rule takes access away from the exact same exception only */
	if (x) {
		x->access &= ~acc;
		if (x->access == 0)
			*x = e->v[--e->n];
	}
}

/* A DeviceAllow path for one allowed rule, or NULL for "*:N", which systemd cannot express. */
static char *device_path(const struct dev_rule *d)
{
	const char *kind = d->type == 'b' ? "block" : "char";

	if (d->major < 0)
		return d->minor < 0 ? xasprintf("%s-*", kind) : NULL;
	if (d->minor < 0)
		return xasprintf("%s-%" PRId64, kind, d->major);
	return xasprintf("/dev/%s/%" PRId64 ":%" PRId64, kind, d->major, d->minor);
}

static void add_allow_list(const struct dev_emu *e, struct cg_systemd_props *p)
{
	struct cg_systemd_prop *x = add(p, "DeviceAllow", "a(ss)");

	x->min_version = SD_V_DEVICE_GROUPS;
	x->devs = xcalloc(e->n + 1, sizeof(*x->devs));
	for (size_t i = 0; i < e->n; i++) {
		const struct dev_rule *d = &e->v[i];
		char *path = device_path(d);
		size_t k = 0;

		if (!path) {
			log_warn("systemd has no form for device rule '%c *:%" PRId64 "', leaving it to cgroupfs",
				 d->type, d->minor);
			continue;
		}
		x->devs[x->n].path = path;
		for (size_t b = 0; b < 3; b++)
			if (d->access & (1u << b))
				x->devs[x->n].perms[k++] = "rwm"[b];
		x->n++;
	}
}

void cg_systemd_device_props(const struct oci_device_rule *rules, size_t n, struct cg_systemd_props *p)
{
	struct dev_emu e = {0};

	for (size_t i = 0; i < n; i++)
		emu_apply(&e, &rules[i]);
	/* strict: only what DeviceAllow lists; the empty list first resets what a unit had (update) */
	add_str(p, "DevicePolicy", "s", e.allow_default && e.n == 0 ? "auto" : "strict")->min_version =
		SD_V_DEVICE_GROUPS;
	add(p, "DeviceAllow", "a(ss)")->min_version = SD_V_DEVICE_GROUPS;
	if (!e.allow_default)
		add_allow_list(&e, p);
	else if (e.n)
		/* systemd has no deny list: deny all until the cgroupfs rules (written next) are in */
		log_warn("systemd cannot express deny device rules, its policy denies all devices until the "
			 "cgroupfs rules are written");
	free(e.v);
}

char *cg_systemd_prop_text(const struct cg_systemd_prop *p)
{
	struct buf b = {0};

	buf_printf(&b, "%s=", p->name);
	if (strcmp(p->sig, "b") == 0)
		buf_puts(&b, p->b ? "yes" : "no");
	else if (strcmp(p->sig, "t") == 0 && p->u64 == UINT64_MAX)
		buf_puts(&b, "infinity");
	else if (strcmp(p->sig, "t") == 0 || strcmp(p->sig, "au") == 0)
		buf_printf(&b, "%" PRIu64, p->u64);
	else if (strcmp(p->sig, "ay") == 0)
		for (size_t i = 0; i < p->n; i++)
			buf_printf(&b, "%s%02x", i ? " " : "", p->bytes[i]);
	else if (strcmp(p->sig, "a(ss)") == 0)
		for (size_t i = 0; i < p->n; i++)
			buf_printf(&b, "%s%s %s", i ? ", " : "", p->devs[i].path, p->devs[i].perms);
	else
		buf_puts(&b, p->str ? p->str : "");
	return buf_steal(&b);
}
