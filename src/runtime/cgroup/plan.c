/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plan, then apply: linux.resources become a list of (controller, file,
 * value) writes computed by the per-controller planners without touching
 * anything, then a small executor checks the controllers and writes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

void cg_plan_add(struct cg_plan *p, const char *controller, const char *what, const char *file, unsigned flags,
		 const char *fmt, ...)
{
	struct cg_write *w;
	va_list ap;

	p->w = realloc(p->w, (p->n + 1) * sizeof(*p->w));
	if (!p->w)
		abort();
	w = &p->w[p->n++];
	w->controller = controller ? xstrdup(controller) : NULL;
	w->what = xstrdup(what);
	w->file = xstrdup(file);
	va_start(ap, fmt);
	if (vasprintf(&w->value, fmt, ap) < 0)
		abort();
	va_end(ap);
	w->alt_file = NULL;
	w->alt_value = NULL;
	w->flags = flags;
}

void cg_plan_add_alt(struct cg_plan *p, const char *controller, const char *what, const char *file, const char *value,
		     const char *alt_file, const char *alt_value, unsigned flags)
{
	struct cg_write *w;

	cg_plan_add(p, controller, what, file, flags, "%s", value);
	w = &p->w[p->n - 1];
	w->alt_file = xstrdup(alt_file);
	w->alt_value = xstrdup(alt_value);
}

void cg_plan_done(struct cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].controller);
		free(p->w[i].what);
		free(p->w[i].file);
		free(p->w[i].value);
		free(p->w[i].alt_file);
		free(p->w[i].alt_value);
	}
	free(p->w);
	*p = (struct cg_plan){0};
}

int cg_plan_build(enum cg_layout layout, const struct oci_resources *r, struct cg_plan *ret, struct berth_error **err)
{
	static int (*const planners[])(bool, const struct oci_resources *, struct cg_plan *, struct berth_error **) = {
		/* unified last: its keys override what the named fields wrote, as in runc */
		cg_memory_plan, cg_cpu_plan,	 cg_cpuset_plan, cg_pids_plan, cg_devices_plan,
		cg_blkio_plan,	cg_hugetlb_plan, cg_net_plan,	 cg_rdma_plan, cg_unified_plan,
	};
	bool v1 = layout != CG_LAYOUT_V2;
	struct cg_plan p = {0};

	for (size_t i = 0; i < sizeof(planners) / sizeof(planners[0]); i++) {
		if (planners[i](v1, r, &p, err) < 0) {
			cg_plan_done(&p);
			return -1;
		}
	}
	*ret = p;
	return 0;
}

/* On hybrid, a controller missing from v1 may sit on the cgroup2 hierarchy, which takes no limits there. */
static bool on_unified_only(struct cg_manager *m, const char *controller)
{
	_cleanup_free_ char *avail = NULL;
	size_t n = strlen(controller);

	if (m->layout != CG_LAYOUT_HYBRID || !m->unified ||
	    cg_read(m->unified->mountpoint, "cgroup.controllers", &avail, NULL) < 0)
		return false;
	for (char *p = avail; (p = strstr(p, controller)); p += n)
		if ((p == avail || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* Check every controller first, so that nothing is written for a plan that cannot be applied. */
static int check_controllers(struct cg_manager *m, const struct cg_plan *p, struct berth_error **err)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct cg_write *w = &p->w[i];

		if (m->ops->hier_for(m, w->controller))
			continue;
		if (!w->controller)
			return berth_error_set(err, 0, "%s set but no cgroup2 hierarchy is mounted", w->what);
		if (on_unified_only(m, w->controller))
			return berth_error_set(err, 0,
					       "%s set but the '%s' cgroup controller is not available (on this hybrid "
					       "layout it is only on the cgroup2 hierarchy, which takes no limits)",
					       w->what, w->controller);
		if (m->layout == CG_LAYOUT_V2)
			return berth_error_set(err, 0,
					       "%s set but the '%s' cgroup controller is not available (not enabled "
					       "in the parent's cgroup.subtree_control)",
					       w->what, w->controller);
		return berth_error_set(err, 0, "%s set but the '%s' cgroup controller is not available", w->what,
				       w->controller);
	}
	if (p->n_bpf_rules && !m->ops->devices)
		return berth_error_set(err, 0, "device rules set but the 'devices' cgroup controller is not available");
	return 0;
}

/* checkBeforeUpdate: a new memory.max below the current usage would make the kernel OOM-kill at once */
static int check_usage(const char *dir, const struct cg_write *w, struct berth_error **err)
{
	_cleanup_free_ char *cur = NULL;
	unsigned long long usage, limit;

	if (strcmp(w->value, "max") == 0 || cg_read(dir, "memory.current", &cur, NULL) < 0)
		return 0;
	usage = strtoull(cur, NULL, 10);
	limit = strtoull(w->value, NULL, 10);
	if (limit < usage)
		return berth_error_set(err, 0, "set %s: %llu is below the current memory usage %llu", w->what, limit,
				       usage);
	return 0;
}

/* 1 when w was written or may be skipped, 0 when deferred, -1 on error. */
static int write_one(struct cg_manager *m, const struct cg_write *w, bool last_try, struct berth_error **err)
{
	struct cg_hier *h = m->ops->hier_for(m, w->controller);
	struct berth_error *e = NULL;
	int r;

	if ((w->flags & CG_W_CHECK_USAGE) && check_usage(h->dir, w, err) < 0)
		return -1;
	r = cg_write(h->dir, w->file, w->value, &e);
	if (r < 0 && w->alt_file && e->code == ENOENT) {
		berth_error_free(&e);
		r = cg_write(h->dir, w->alt_file, w->alt_value, &e);
	}
	if (r == 0)
		return 1;
	if ((w->flags & CG_W_OPTIONAL) && e->code == ENOENT) {
		berth_error_free(&e);
		return 1;
	}
	/* the kernel checks memory against memsw and period against quota: the other write may unlock it */
	if (!last_try && (w->flags & CG_W_RETRY_LATER) && e->code == EINVAL) {
		berth_error_free(&e);
		return 0;
	}
	berth_error_move(err, &e);
	return berth_error_wrap(err, "set %s", w->what);
}

int cg_plan_execute(struct cg_manager *m, const struct cg_plan *p, struct berth_error **err)
{
	_cleanup_free_ size_t *later = xcalloc(p->n + 1, sizeof(size_t));
	size_t n_later = 0;

	if (check_controllers(m, p, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		int r = write_one(m, &p->w[i], false, err);

		if (r < 0)
			return -1;
		if (r == 0)
			later[n_later++] = i;
	}
	for (size_t i = 0; i < n_later; i++)
		if (write_one(m, &p->w[later[i]], true, err) < 0)
			return -1;
	if (p->n_bpf_rules && m->ops->devices(m, p->bpf_rules, p->n_bpf_rules, err) < 0)
		return -1;
	return 0;
}

/* Build the plan for r, then check it (apply false) or execute it (apply true). */
static int with_plan(struct cg_manager *m, const struct oci_resources *r, bool apply, struct berth_error **err)
{
	struct cg_plan p = {0};
	int ret;

	if (!r)
		return 0;
	if (cg_plan_build(m->layout, r, &p, err) < 0)
		return -1;
	ret = apply ? cg_plan_execute(m, &p, err) : check_controllers(m, &p, err);
	cg_plan_done(&p);
	return ret;
}

int cg_check(struct cg_manager *m, const struct oci_resources *r, struct berth_error **err)
{
	return with_plan(m, r, false, err);
}

int cg_apply(struct cg_manager *m, const struct oci_resources *r, struct berth_error **err)
{
	if (m->sd)
		return cg_systemd_apply(m, r, err);
	return with_plan(m, r, true, err);
}
