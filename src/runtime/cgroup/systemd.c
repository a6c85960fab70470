/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd cgroup driver: the container's cgroup as a transient scope,
 * started, changed and stopped over D-Bus (libsystemd's sd-bus, loaded with
 * dlopen when first used, so the cgroupfs path loads nothing more).
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* how long a method call, and then its job, may take (runc waits 30 s for a job) */
#define SD_CALL_USEC (25ULL * 1000000)
#define SD_JOB_USEC (30ULL * 1000000)

/* The few sd-bus functions the driver calls, looked up in libsystemd.so.0. */
#define SD_FUNCS(X)                       \
	X(sd_bus_open_system)             \
	X(sd_bus_open_user)               \
	X(sd_bus_flush_close_unref)       \
	X(sd_bus_message_new_method_call) \
	X(sd_bus_message_append)          \
	X(sd_bus_message_append_array)    \
	X(sd_bus_message_open_container)  \
	X(sd_bus_message_close_container) \
	X(sd_bus_message_read)            \
	X(sd_bus_message_unref)           \
	X(sd_bus_call)                    \
	X(sd_bus_call_method)             \
	X(sd_bus_match_signal)            \
	X(sd_bus_slot_unref)              \
	X(sd_bus_process)                 \
	X(sd_bus_wait)                    \
	X(sd_bus_get_property_string)     \
	X(sd_bus_error_free)              \
	X(sd_bus_error_has_name)

#define SD_FIELD(f) __typeof__(f) *f;
struct sd_api {
	SD_FUNCS(SD_FIELD)
};

static struct sd_api api;
static bool api_loaded;

static int api_load(struct berth_error **err)
{
	void *h;

	if (api_loaded)
		return 0;
	h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return berth_error_set(err, 0, "the systemd cgroup driver needs libsystemd: %s", dlerror());
#define SD_LOAD(f)                                                                                          \
	api.f = (__typeof__(api.f))dlsym(h, #f);                                                            \
	if (!api.f) {                                                                                       \
		dlclose(h);                                                                                 \
		return berth_error_set(err, 0, "the systemd cgroup driver needs '%s' from libsystemd", #f); \
	}
	SD_FUNCS(SD_LOAD)
#undef SD_LOAD
	/* kept for the life of the process: the pointers above point into it */
	api_loaded = true;
	return 0;
}

struct sd_conn {
	sd_bus *bus;
	unsigned version; /* systemd's version, 0 when unknown */
};

/* systemd's Version property: "252.38-1~deb12u1", "v245.4-1.fc32" → 252, 245. */
static unsigned parse_version(const char *s)
{
	s += strspn(s, "\"v");
	return (unsigned)strtoul(s, NULL, 10);
}

static int bus_error(struct berth_error **err, int r, const sd_bus_error *e, const char *what, const char *unit)
{
	if (e && e->message)
		return berth_error_set(err, 0, "%s '%s': %s", what, unit, e->message);
	return berth_error_set(err, -r, "%s '%s'", what, unit);
}

static int conn_open(bool user, struct sd_conn *c, struct berth_error **err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *version = NULL;
	int r;

	if (api_load(err) < 0)
		return -1;
	r = user ? api.sd_bus_open_user(&c->bus) : api.sd_bus_open_system(&c->bus);
	if (r < 0)
		return berth_error_set(err, -r, "connect to the systemd %s bus", user ? "user" : "system");
	/* to leave out properties an older systemd would refuse (they still reach cgroupfs) */
	if (api.sd_bus_get_property_string(c->bus, SD_DEST, SD_PATH, SD_MANAGER, "Version", &e, &version) >= 0)
		c->version = parse_version(version);
	free(version);
	api.sd_bus_error_free(&e);
	return 0;
}

static void conn_close(struct sd_conn *c)
{
	if (c->bus)
		api.sd_bus_flush_close_unref(c->bus);
	c->bus = NULL;
}

static int append_value(sd_bus_message *m, const struct cg_systemd_prop *p)
{
	int r = 0;

	if (strcmp(p->sig, "s") == 0)
		return api.sd_bus_message_append(m, "s", p->str);
	if (strcmp(p->sig, "b") == 0)
		return api.sd_bus_message_append(m, "b", (int)p->b);
	if (strcmp(p->sig, "t") == 0)
		return api.sd_bus_message_append(m, "t", p->u64);
	if (strcmp(p->sig, "as") == 0)
		return api.sd_bus_message_append(m, "as", 1, p->str);
	if (strcmp(p->sig, "au") == 0)
		return api.sd_bus_message_append(m, "au", 1, (uint32_t)p->u64);
	if (strcmp(p->sig, "ay") == 0)
		return api.sd_bus_message_append_array(m, 'y', p->bytes, p->n);
	r = api.sd_bus_message_open_container(m, 'a', "(ss)");
	for (size_t i = 0; r >= 0 && i < p->n; i++)
		r = api.sd_bus_message_append(m, "(ss)", p->devs[i].path, p->devs[i].perms);
	return r < 0 ? r : api.sd_bus_message_close_container(m);
}

/* The a(sv) array of every list in lists, leaving out what this systemd does not know. */
static int append_props(const struct sd_conn *c, sd_bus_message *m, const struct cg_systemd_props *const *lists,
			size_t n_lists)
{
	int r = api.sd_bus_message_open_container(m, 'a', "(sv)");

	for (size_t l = 0; r >= 0 && l < n_lists; l++) {
		for (size_t i = 0; r >= 0 && i < lists[l]->n; i++) {
			const struct cg_systemd_prop *p = &lists[l]->v[i];

			if (p->min_version && c->version && c->version < p->min_version) {
				log_debug("systemd %u does not know %s, leaving it to cgroupfs", c->version, p->name);
				continue;
			}
			r = api.sd_bus_message_open_container(m, 'r', "sv");
			if (r >= 0)
				r = api.sd_bus_message_append(m, "s", p->name);
			if (r >= 0)
				r = api.sd_bus_message_open_container(m, 'v', p->sig);
			if (r >= 0)
				r = append_value(m, p);
			if (r >= 0)
				r = api.sd_bus_message_close_container(m);
			if (r >= 0)
				r = api.sd_bus_message_close_container(m);
		}
	}
	return r < 0 ? r : api.sd_bus_message_close_container(m);
}

struct job_wait {
	char *job;    /* the object path of the job to wait for */
	char *result; /* "done", "failed", "canceled", … once it is removed */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	const char *path = NULL, *unit = NULL, *result = NULL;
	uint32_t id;

	if (api.sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->job && !w->result && strcmp(path, w->job) == 0)
		w->result = xstrdup(result);
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int wait_job(const struct sd_conn *c, struct job_wait *w, const char *what, const char *unit,
		    struct berth_error **err)
{
	uint64_t deadline = now_usec() + SD_JOB_USEC;

	while (!w->result) {
		uint64_t now;
		int r = api.sd_bus_process(c->bus, NULL);

		if (r < 0)
			return berth_error_set(err, -r, "%s '%s': wait for the job", what, unit);
		if (r > 0)
			continue;
		now = now_usec();
		if (now >= deadline)
			return berth_error_set(err, ETIMEDOUT, "%s '%s': systemd did not finish the job", what, unit);
		r = api.sd_bus_wait(c->bus, deadline - now);
		if (r < 0 && r != -EINTR)
			return berth_error_set(err, -r, "%s '%s': wait for the job", what, unit);
	}
	return 0;
}

/*
 * Call m, whose reply is a job, and wait until systemd removes the job.
 * 1 with *ret_result set; 0 when the call failed with the D-Bus error
 * tolerated (no job then); -1 on error.
 */
static int run_job(const struct sd_conn *c, sd_bus_message *m, const char *what, const char *unit,
		   const char *tolerated, char **ret_result, struct berth_error **err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus_slot *slot = NULL;
	struct job_wait w = {0};
	const char *job = NULL;
	int r, rc = -1;

	/* matched before the call: the job may be gone before the reply is read */
	r = api.sd_bus_match_signal(c->bus, &slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, &w);
	if (r < 0)
		return berth_error_set(err, -r, "%s '%s': watch systemd jobs", what, unit);
	r = api.sd_bus_call(c->bus, m, SD_CALL_USEC, &e, &reply);
	if (r < 0 && tolerated && api.sd_bus_error_has_name(&e, tolerated)) {
		rc = 0;
	} else if (r < 0) {
		bus_error(err, r, &e, what, unit);
	} else if ((r = api.sd_bus_message_read(reply, "o", &job)) < 0) {
		berth_error_set(err, -r, "%s '%s': read the job", what, unit);
	} else {
		w.job = xstrdup(job);
		if (wait_job(c, &w, what, unit, err) == 0) {
			*ret_result = TAKE_PTR(w.result);
			rc = 1;
		}
	}
	free(w.job);
	free(w.result);
	api.sd_bus_slot_unref(slot);
	api.sd_bus_message_unref(reply);
	api.sd_bus_error_free(&e);
	return rc;
}

static int new_call(const struct sd_conn *c, const char *method, sd_bus_message **ret, struct berth_error **err)
{
	int r = api.sd_bus_message_new_method_call(c->bus, ret, SD_DEST, SD_PATH, SD_MANAGER, method);

	return r < 0 ? berth_error_set(err, -r, "build systemd call '%s'", method) : 0;
}

/* ResetFailedUnit: lets systemd forget a failed unit, so that its name can be used again. */
static void reset_failed(const struct sd_conn *c, const char *unit)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	(void)api.sd_bus_call_method(c->bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &e, NULL, "s", unit);
	api.sd_bus_error_free(&e);
}

/* StartTransientUnit(name, "replace", properties, no auxiliary units); 0 when the unit already exists. */
static int start_once(const struct sd_conn *c, const char *unit, const struct cg_systemd_props *const *lists,
		      size_t n_lists, bool tolerate_exists, struct berth_error **err)
{
	_cleanup_free_ char *result = NULL;
	sd_bus_message *m = NULL;
	int r;

	if (new_call(c, "StartTransientUnit", &m, err) < 0)
		return -1;
	r = api.sd_bus_message_append(m, "ss", unit, "replace");
	if (r >= 0)
		r = append_props(c, m, lists, n_lists);
	if (r >= 0)
		r = api.sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		api.sd_bus_message_unref(m);
		return berth_error_set(err, -r, "start systemd unit '%s': build the call", unit);
	}
	r = run_job(c, m, "start systemd unit", unit, tolerate_exists ? "org.freedesktop.systemd1.UnitExists" : NULL,
		    &result, err);
	api.sd_bus_message_unref(m);
	if (r > 0 && strcmp(result, "done") != 0) {
		reset_failed(c, unit);
		return berth_error_set(err, 0, "start systemd unit '%s': job %s", unit, result);
	}
	return r;
}

static int start_unit(const struct sd_conn *c, const char *unit, const struct cg_systemd_props *const *lists,
		      size_t n_lists, struct berth_error **err)
{
	int r = start_once(c, unit, lists, n_lists, true, err);

	if (r != 0)
		return r < 0 ? -1 : 0;
	/* a leftover failed unit of the same name: reset it and try once more, as runc */
	log_debug("systemd unit '%s' exists, resetting it", unit);
	reset_failed(c, unit);
	return start_once(c, unit, lists, n_lists, false, err) < 0 ? -1 : 0;
}

bool cg_systemd_booted(void)
{
	struct stat st;

	return lstat("/run/systemd/system/", &st) == 0 && S_ISDIR(st.st_mode);
}

void cg_systemd_free(struct cg_systemd *sd)
{
	if (!sd)
		return;
	cg_systemd_unit_done(&sd->unit);
	cg_systemd_props_done(&sd->res);
	cg_plan_done(&sd->plan);
	free(sd);
}

int cg_systemd_select(const struct cg_env *env, const char *cgroups_path, const char *id, struct cg_systemd **ret_sd,
		      char **ret_path, struct berth_error **err)
{
	uid_t uid = geteuid();
	enum cg_layout layout;
	struct cg_systemd *sd;

	*ret_sd = NULL;
	/* a test's fake hierarchy is never systemd's */
	if ((env && env->root) || !cg_systemd_booted()) {
		log_warn("systemd cgroup driver requested but systemd is not running, using cgroupfs");
		return cg_systemd_path_to_cgroupfs(cgroups_path, id, ret_path, err);
	}
	/* a user's systemd delegates only on cgroup v2 (runc refuses the rest) */
	if (uid != 0 && (cg_detect_layout(env, &layout, NULL) < 0 || layout != CG_LAYOUT_V2)) {
		log_warn("rootless systemd cgroup driver needs cgroup v2, using cgroupfs");
		return cg_systemd_path_to_cgroupfs(cgroups_path, id, ret_path, err);
	}
	sd = xcalloc(1, sizeof(*sd));
	if (cg_systemd_unit_parse(cgroups_path, id, uid, &sd->unit, err) < 0) {
		free(sd);
		return -1;
	}
	sd->user = uid != 0;
	*ret_path = xstrdup(sd->unit.path);
	*ret_sd = sd;
	return 0;
}

char *cg_systemd_paths_line(const struct cg_systemd *sd)
{
	return xasprintf("%s=%s", sd->user ? "systemd-user-unit" : "systemd-unit", sd->unit.unit);
}

struct cg_systemd *cg_systemd_from_paths(char *const *paths)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		bool user = strncmp(paths[i], "systemd-user-unit=", 18) == 0;
		struct cg_systemd *sd;

		if (!user && strncmp(paths[i], "systemd-unit=", 13) != 0)
			continue;
		sd = xcalloc(1, sizeof(*sd));
		sd->unit.unit = xstrdup(strchr(paths[i], '=') + 1);
		sd->user = user;
		sd->started = true;
		return sd;
	}
	return NULL;
}

/* SetUnitProperties(name, runtime, properties): a change until the next boot, as runc's update. */
static int set_props(const struct sd_conn *c, const char *unit, const struct cg_systemd_props *props,
		     struct berth_error **err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	int r;

	if (new_call(c, "SetUnitProperties", &m, err) < 0)
		return -1;
	r = api.sd_bus_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = append_props(c, m, &props, 1);
	if (r >= 0)
		r = api.sd_bus_call(c->bus, m, SD_CALL_USEC, &e, &reply);
	if (r < 0)
		bus_error(err, r, &e, "set properties of systemd unit", unit);
	api.sd_bus_message_unref(reply);
	api.sd_bus_message_unref(m);
	api.sd_bus_error_free(&e);
	return r < 0 ? -1 : 0;
}

int cg_systemd_apply(struct cg_manager *m, const struct oci_resources *r, struct berth_error **err)
{
	struct cg_systemd *sd = m->sd;
	struct cg_systemd_props props = {0};
	struct cg_plan plan = {0};
	struct sd_conn c = {0};
	int rc = -1;

	if (!r)
		return 0;
	if (cg_systemd_resource_props(m->layout != CG_LAYOUT_V2, r, &props, err) < 0 ||
	    cg_plan_build(m->layout, r, &plan, err) < 0)
		goto out;
	if (!sd->started) {
		/* a scope starts with its first process: kept for cg_systemd_enter */
		cg_systemd_props_done(&sd->res);
		cg_plan_done(&sd->plan);
		sd->res = props;
		sd->plan = plan;
		sd->has_res = true;
		return 0;
	}
	/* as runc: systemd first (it rewrites the cgroup files), then what it has no property for */
	if (conn_open(sd->user, &c, err) < 0 || set_props(&c, sd->unit.unit, &props, err) < 0 ||
	    cg_plan_execute(m, &plan, err) < 0)
		goto out;
	rc = 0;
out:
	conn_close(&c);
	cg_systemd_props_done(&props);
	cg_plan_done(&plan);
	return rc;
}

/* Where systemd put pid must be where the manager writes (a user's manager elsewhere than predicted). */
static int check_placed(struct cg_manager *m, pid_t pid, struct berth_error **err)
{
	_cleanup_free_ char *file = xasprintf("/proc/%d/cgroup", (int)pid), *text = NULL, *at = NULL;

	if (cg_read_path(file, &text, err) < 0)
		return -1;
	at = cg_self_path(text, m->unified ? "" : "name=systemd");
	if (at && strcmp(at, m->sd->unit.path) != 0)
		return berth_error_set(err, 0, "systemd put the container in cgroup '%s', expected '%s'", at,
				       m->sd->unit.path);
	return 0;
}

int cg_systemd_enter(struct cg_manager *m, pid_t pid, struct berth_error **err)
{
	struct cg_systemd *sd = m->sd;
	struct cg_systemd_props unit = {0};
	const struct cg_systemd_props *lists[2] = {&unit, &sd->res};
	struct sd_conn c = {0};
	int rc = -1;

	cg_systemd_unit_props(&sd->unit, m->layout != CG_LAYOUT_V2, pid, &unit);
	log_debug("start systemd unit '%s' in '%s' for pid %d", sd->unit.unit, sd->unit.slice, (int)pid);
	if (conn_open(sd->user, &c, err) < 0 || start_unit(&c, sd->unit.unit, lists, 2, err) < 0)
		goto out;
	sd->started = true;
	/* a slice unit has no PIDs: the cgroupfs write of cg_enter places the process */
	if (strstr(sd->unit.unit, ".scope") && check_placed(m, pid, err) < 0)
		goto out;
	/* the hierarchies systemd does not manage (v1 net_cls, perf_event, …) and v1 cpuset's cpus/mems */
	if (cg_create(m, err) < 0)
		goto out;
	if (sd->has_res && cg_plan_execute(m, &sd->plan, err) < 0)
		goto out;
	rc = 0;
out:
	cg_systemd_props_done(&unit);
	cg_systemd_props_done(&sd->res);
	cg_plan_done(&sd->plan);
	sd->has_res = false;
	conn_close(&c);
	return rc;
}

int cg_systemd_stop(struct cg_manager *m, struct berth_error **err)
{
	struct cg_systemd *sd = m->sd;
	_cleanup_free_ char *result = NULL;
	sd_bus_message *msg = NULL;
	struct sd_conn c = {0};
	int r = -1;

	if (!sd->started)
		return 0;
	if (conn_open(sd->user, &c, err) < 0 || new_call(&c, "StopUnit", &msg, err) < 0)
		goto out;
	r = api.sd_bus_message_append(msg, "ss", sd->unit.unit, "replace");
	if (r < 0) {
		berth_error_set(err, -r, "stop systemd unit '%s': build the call", sd->unit.unit);
		goto out;
	}
	/* a unit already gone (stopped when its last process exited) is what we want */
	r = run_job(&c, msg, "stop systemd unit", sd->unit.unit, "org.freedesktop.systemd1.NoSuchUnit", &result, err);
	if (r > 0 && strcmp(result, "done") != 0)
		log_warn("stop systemd unit '%s': job %s, ignoring", sd->unit.unit, result);
	if (r >= 0) {
		reset_failed(&c, sd->unit.unit);
		sd->started = false;
	}
out:
	if (msg)
		api.sd_bus_message_unref(msg);
	conn_close(&c);
	return r < 0 ? -1 : 0;
}
