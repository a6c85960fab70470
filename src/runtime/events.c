/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events: runc's event stream of a container, stats of its cgroup every
 * interval and OOM notifications, as JSON lines in runc's layout
 * (libcontainer/types: field names, order and which zero fields are left out).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/core.h"

/* Go's encoding/json writes struct fields in order; omitempty ones are left out when zero. */
struct enc {
	struct buf b;
	bool first; /* no comma before the next member */
};

static void key(struct enc *e, const char *k)
{
	buf_printf(&e->b, "%s\"%s\":", e->first ? "" : ",", k);
	e->first = false;
}

static void open_obj(struct enc *e, const char *k)
{
	if (k)
		key(e, k);
	buf_puts(&e->b, "{");
	e->first = true;
}

static void close_obj(struct enc *e)
{
	buf_puts(&e->b, "}");
	e->first = false;
}

static void num(struct enc *e, const char *k, uint64_t v, bool omitempty)
{
	if (omitempty && v == 0)
		return;
	key(e, k);
	buf_printf(&e->b, "%" PRIu64, v);
}

static void list(struct enc *e, const char *k, const struct cg_u64_list *l)
{
	if (!l->n)
		return;
	key(e, k);
	for (size_t i = 0; i < l->n; i++)
		buf_printf(&e->b, "%c%" PRIu64, i ? ',' : '[', l->v[i]);
	buf_puts(&e->b, "]");
}

/* Keys come from the kernel (memory.stat, hugepage sizes) or the id's checked charset; escape anyway. */
static void string(struct enc *e, const char *s)
{
	buf_puts(&e->b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_printf(&e->b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			buf_printf(&e->b, "\\u%04x", (unsigned char)*s);
		else
			buf_append(&e->b, s, 1);
	}
	buf_puts(&e->b, "\"");
}

static void enc_cpu(struct enc *e, const struct cg_stats *s)
{
	open_obj(e, "cpu");
	open_obj(e, "usage");
	num(e, "total", s->cpu_total, true);
	list(e, "percpu", &s->percpu);
	list(e, "percpu_kernel", &s->percpu_kernel);
	list(e, "percpu_user", &s->percpu_user);
	num(e, "kernel", s->cpu_kernel, false);
	num(e, "user", s->cpu_user, false);
	close_obj(e);
	open_obj(e, "throttling");
	num(e, "periods", s->throttle_periods, true);
	num(e, "throttledPeriods", s->throttle_throttled_periods, true);
	num(e, "throttledTime", s->throttle_throttled_time, true);
	close_obj(e);
	close_obj(e);
}

static void enc_cpuset(struct enc *e, const struct cg_stats *s)
{
	open_obj(e, "cpuset");
	list(e, "cpus", &s->cpuset_cpus);
	num(e, "cpu_exclusive", s->cpuset_cpu_exclusive, false);
	list(e, "mems", &s->cpuset_mems);
	num(e, "mem_hardwall", s->cpuset_mem_hardwall, false);
	num(e, "mem_exclusive", s->cpuset_mem_exclusive, false);
	num(e, "memory_migrate", s->cpuset_memory_migrate, false);
	num(e, "memory_spread_page", s->cpuset_memory_spread_page, false);
	num(e, "memory_spread_slab", s->cpuset_memory_spread_slab, false);
	num(e, "memory_pressure", s->cpuset_memory_pressure, false);
	num(e, "sched_load_balance", s->cpuset_sched_load_balance, false);
	key(e, "sched_relax_domain_level");
	buf_printf(&e->b, "%" PRId64, s->cpuset_sched_relax_domain_level);
	close_obj(e);
}

static void enc_mem_entry(struct enc *e, const char *k, const struct cg_mem_entry *m)
{
	open_obj(e, k);
	num(e, "limit", m->limit, false);
	num(e, "usage", m->usage, true);
	num(e, "max", m->max, true);
	num(e, "failcnt", m->failcnt, false);
	close_obj(e);
}

static void enc_memory(struct enc *e, const struct cg_stats *s)
{
	open_obj(e, "memory");
	num(e, "cache", s->mem_cache, true);
	enc_mem_entry(e, "usage", &s->mem_usage);
	enc_mem_entry(e, "swap", &s->mem_swap);
	enc_mem_entry(e, "kernel", &s->mem_kernel);
	enc_mem_entry(e, "kernelTCP", &s->mem_kernel_tcp);
	if (s->n_mem_raw) {
		open_obj(e, "raw");
		for (size_t i = 0; i < s->n_mem_raw; i++) {
			buf_puts(&e->b, i ? "," : "");
			string(e, s->mem_raw[i].key);
			buf_printf(&e->b, ":%" PRIu64, s->mem_raw[i].value);
		}
		close_obj(e);
	}
	close_obj(e);
}

static void enc_blkio(struct enc *e, const struct cg_stats *s)
{
	static const char *const names[CG_BLKIO_COUNT] = {
		"ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive", "ioServiceTimeRecursive",
		"ioWaitTimeRecursive",	   "ioMergedRecursive",	  "ioTimeRecursive",  "sectorsRecursive",
	};

	open_obj(e, "blkio");
	for (size_t k = 0; k < CG_BLKIO_COUNT; k++) {
		if (!s->blkio[k].n)
			continue;
		key(e, names[k]);
		buf_puts(&e->b, "[");
		for (size_t i = 0; i < s->blkio[k].n; i++) {
			const struct cg_blkio_entry *x = &s->blkio[k].v[i];

			buf_puts(&e->b, i ? "," : "");
			open_obj(e, NULL);
			num(e, "major", x->major, true);
			num(e, "minor", x->minor, true);
			if (x->op[0]) {
				key(e, "op");
				string(e, x->op);
			}
			num(e, "value", x->value, true);
			close_obj(e);
		}
		buf_puts(&e->b, "]");
	}
	close_obj(e);
}

static int cmp_hugetlb(const void *a, const void *b)
{
	return strcmp(((const struct cg_hugetlb_stat *)a)->size, ((const struct cg_hugetlb_stat *)b)->size);
}

static void enc_hugetlb(struct enc *e, struct cg_stats *s)
{
	/* a Go map: keys sorted */
	if (s->n_hugetlb)
		qsort(s->hugetlb, s->n_hugetlb, sizeof(*s->hugetlb), cmp_hugetlb);
	open_obj(e, "hugetlb");
	for (size_t i = 0; i < s->n_hugetlb; i++) {
		buf_puts(&e->b, i ? "," : "");
		string(e, s->hugetlb[i].size);
		buf_puts(&e->b, ":{");
		e->first = true;
		num(e, "usage", s->hugetlb[i].usage, true);
		num(e, "max", s->hugetlb[i].max, true);
		num(e, "failcnt", s->hugetlb[i].failcnt, false);
		close_obj(e);
	}
	close_obj(e);
}

/* {"type":"stats","id":ID,"data":{...}} for s. Caller frees. */
static char *stats_json(const char *id, struct cg_stats *s)
{
	struct enc e = {.first = true};

	buf_puts(&e.b, "{\"type\":\"stats\",\"id\":");
	string(&e, id);
	buf_puts(&e.b, ",\"data\":{");
	e.first = true;
	enc_cpu(&e, s);
	enc_cpuset(&e, s);
	enc_memory(&e, s);
	open_obj(&e, "pids");
	num(&e, "current", s->pids_current, true);
	num(&e, "limit", s->pids_limit, true);
	close_obj(&e);
	enc_blkio(&e, s);
	enc_hugetlb(&e, s);
	open_obj(&e, "intel_rdt");
	close_obj(&e);
	key(&e, "network_interfaces");
	buf_puts(&e.b, "null}}");
	return buf_steal(&e.b);
}

/* One stats line; with tolerate, a failed read is logged and skipped (runc's loop does so). */
static int emit_stats(struct cg_manager *cg, const char *id, const struct rt_events_opts *o, bool tolerate,
		      struct berth_error **err)
{
	struct berth_error *e = NULL;
	_cleanup_free_ char *line = NULL;
	struct cg_stats s;

	if (cg_stats_get(cg, &s, &e) < 0) {
		if (!tolerate)
			return berth_error_move(err, &e);
		log_warn("%s, ignoring", e->msg);
		berth_error_free(&e);
		return 0;
	}
	line = stats_json(id, &s);
	cg_stats_done(&s);
	return o->emit(line, o->userdata, err);
}

static int emit_oom(const char *id, const struct rt_events_opts *o, struct berth_error **err)
{
	struct enc e = {.first = true};
	_cleanup_free_ char *line = NULL;

	buf_puts(&e.b, "{\"type\":\"oom\",\"id\":");
	string(&e, id);
	buf_puts(&e.b, "}");
	line = buf_steal(&e.b);
	return o->emit(line, o->userdata, err);
}

static int timer_new(unsigned long ms, struct berth_error **err)
{
	struct itimerspec its = {
		.it_interval = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L},
		.it_value = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L},
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return berth_error_set(err, errno, "timerfd_create");
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		close(fd);
		return berth_error_set(err, errno, "timerfd_settime");
	}
	return fd;
}

/* A stats line every tick and OOM lines as they come, until the cgroup goes. */
static int watch(struct cg_manager *cg, const char *id, const struct rt_events_opts *o, struct berth_error **err)
{
	struct cg_oom *oom = NULL;
	_cleanup_close_ int tfd = -1;
	int rc = -1;

	if (cg_oom_new(cg, &oom, err) < 0)
		return -1;
	tfd = timer_new(o->interval_ms, err);
	while (tfd >= 0) {
		struct pollfd p[2] = {{.fd = cg_oom_fd(oom), .events = POLLIN}, {.fd = tfd, .events = POLLIN}};
		bool is_oom = false, gone = false;
		uint64_t ticks;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			berth_error_set(err, errno, "poll");
			break;
		}
		if ((p[0].revents & POLLIN) && cg_oom_read(oom, &is_oom, &gone, err) < 0)
			break;
		if (is_oom && emit_oom(id, o, err) < 0)
			break;
		if (gone) {
			rc = 0;
			break;
		}
		if (!(p[1].revents & POLLIN) || read(tfd, &ticks, sizeof(ticks)) != sizeof(ticks))
			continue;
		if (emit_stats(cg, id, o, true, err) < 0)
			break;
	}
	cg_oom_free(oom);
	return rc;
}

int rt_events(const struct rt_global *g, const char *id, const struct rt_events_opts *o, struct berth_error **err)
{
	_cleanup_free_ char *root = rt_root_path(g);
	_cleanup_close_ int dirfd = -1;
	struct rt_record *r = NULL;
	struct cg_manager *cg = NULL;
	int rc = -1;

	if (o->interval_ms == 0)
		return berth_error_set(err, 0, "duration interval must be greater than 0");
	if (rt_state_dir_open(root, id, false, &dirfd, err) < 0 || rt_record_read(dirfd, id, &r, err) < 0)
		return -1;
	if (!strcmp(rt_record_status(dirfd, r), "stopped"))
		berth_error_set(err, 0, "container with id %s is not running", id);
	else if (rt_record_cgroup(r, &cg, err) < 0)
		cg = NULL;
	else if (!cg)
		berth_error_set(err, 0, "container '%s' has no cgroup", id);
	else
		rc = o->stats_only ? emit_stats(cg, id, o, false, err) : watch(cg, id, o, err);
	cg_manager_free(cg);
	rt_record_free(r);
	return rc;
}
