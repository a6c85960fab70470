/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Docker's event messages: building them, appending them to the log (with rotation), lines and filters. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"

json_t *eng_event_new(const char *type, const char *action, const char *id, json_t *attrs, int64_t time_nano)
{
	json_t *ev = json_object(), *a = attrs ? json_deep_copy(attrs) : json_object();
	const char *image = json_string_value(json_object_get(a, "image"));

	/* the deprecated status/id/from trio is there for container events only */
	if (!strcmp(type, "container")) {
		json_object_set_new(ev, "status", json_string(action));
		json_object_set_new(ev, "id", json_string(id));
		json_object_set_new(ev, "from", json_string(image ? image : ""));
	}
	json_object_set_new(ev, "Type", json_string(type));
	json_object_set_new(ev, "Action", json_string(action));
	json_object_set_new(ev, "Actor", json_pack("{s:s, s:o}", "ID", id, "Attributes", a));
	json_object_set_new(ev, "scope", json_string("local"));
	json_object_set_new(ev, "time", json_integer(time_nano / 1000000000));
	json_object_set_new(ev, "timeNano", json_integer(time_nano));
	return ev;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Open the log for appending, locked; rotate it first when it is full. */
static int open_log(const char *path, struct berth_error **err)
{
	for (int tries = 0; tries < 3; tries++) {
		_cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		struct stat st, now;

		if (fd < 0)
			return berth_error_set(err, errno, "open '%s'", path);
		if (flock(fd, LOCK_EX) < 0)
			return berth_error_set(err, errno, "lock '%s'", path);
		if (fstat(fd, &st) < 0)
			return berth_error_set(err, errno, "stat '%s'", path);
		/* another writer may have rotated it while we waited for the lock */
		if (stat(path, &now) < 0 || now.st_ino != st.st_ino)
			continue;
		if (st.st_size < ENG_EVENTS_LOG_MAX)
			return TAKE_FD(fd);
		_cleanup_free_ char *old = xasprintf("%s.1", path);
		if (rename(path, old) < 0)
			return berth_error_set(err, errno, "rotate '%s'", path);
	}
	return berth_error_set(err, EAGAIN, "open '%s': rotated under us", path);
}

static int append(struct eng *e, json_t *ev, struct berth_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/events.log", e->runroot);
	_cleanup_free_ char *text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	_cleanup_free_ char *line = xasprintf("%s\n", text);
	_cleanup_close_ int fd = open_log(path, err);
	size_t len = strlen(line);

	if (fd < 0)
		return -1;
	/* one write: O_APPEND keeps concurrent lines whole */
	if (write(fd, line, len) != (ssize_t)len)
		return berth_error_set(err, errno, "write '%s'", path);
	return 0;
}

void eng_event_emit(struct eng *e, const char *type, const char *action, const char *id, json_t *attrs)
{
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *ev = eng_event_new(type, action, id, attrs, now_ns());

	if (append(e, ev, &err) < 0)
		log_warn("record event '%s %s': %s, ignoring", type, action, err->msg);
	json_decref(ev);
}

void eng_event_container(struct eng *e, const struct eng_ctr *c, const char *action, json_t *extra)
{
	json_t *config = json_object_get(c->doc, "Config"), *attrs = json_object(), *v;
	const char *k, *image = json_string_value(json_object_get(config, "Image"));

	json_object_foreach(json_object_get(config, "Labels"), k, v) if (json_is_string(v))
		json_object_set(attrs, k, v);
	json_object_set_new(attrs, "image", json_string(image ? image : c->image_id));
	json_object_set_new(attrs, "name", json_string(c->name));
	json_object_foreach(extra, k, v) json_object_set(attrs, k, v);
	eng_event_emit(e, "container", action, c->id, attrs);
	json_decref(attrs);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Go's "2006-01-02T15:04:05.000000000Z07:00" in local time. */
static void format_time(struct buf *b, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	char day[32];
	long off;

	localtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "%s.%09lld", day, (long long)(ns % 1000000000));
	off = tm.tm_gmtoff / 60;
	if (off == 0)
		buf_puts(b, "Z");
	else
		buf_printf(b, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

char *eng_event_line(json_t *ev)
{
	json_t *actor = json_object_get(ev, "Actor"), *attrs = json_object_get(actor, "Attributes"), *v;
	int64_t ns = json_integer_value(json_object_get(ev, "timeNano"));
	_cleanup_free_ const char **keys = NULL;
	struct buf b = {0};
	size_t n = 0;
	const char *k;

	if (!ns)
		ns = json_integer_value(json_object_get(ev, "time")) * 1000000000;
	if (ns) {
		format_time(&b, ns);
		buf_puts(&b, " ");
	}
	buf_printf(&b, "%s %s %s", json_string_value(json_object_get(ev, "Type")),
		   json_string_value(json_object_get(ev, "Action")), json_string_value(json_object_get(actor, "ID")));
	keys = xcalloc(json_object_size(attrs) + 1, sizeof(*keys));
	json_object_foreach(attrs, k, v) keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_object_get(attrs, keys[i]));

		buf_printf(&b, "%s%s=%s", i ? ", " : " (", keys[i], s ? s : "");
	}
	if (n)
		buf_puts(&b, ")");
	return buf_steal(&b);
}

json_t *eng_event_template_data(json_t *ev)
{
	static const char *const names[][2] = {
		{"status", "Status"}, {"id", "ID"},	    {"from", "From"},
		{"Type", "Type"},     {"Action", "Action"}, {"Actor", "Actor"},
		{"scope", "Scope"},   {"time", "Time"},	    {"timeNano", "TimeNano"},
	};
	json_t *d = json_object();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *v = json_object_get(ev, names[i][0]);

		json_object_set_new(d, names[i][1], v ? json_incref(v) : json_string(""));
	}
	return d;
}

static const char *attr(json_t *ev, const char *k)
{
	const char *s =
		json_string_value(json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"), k));

	return s ? s : "";
}

/* One KEY=VALUE against the event. */
static bool match_one(json_t *ev, const char *key, size_t klen, const char *value)
{
	const char *id = json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID"));
	const char *type = json_string_value(json_object_get(ev, "Type"));

	id = id ? id : "";
#define KEY(s) (klen == strlen(s) && !strncmp(key, s, klen))
	if (KEY("type"))
		return type && !strcmp(type, value);
	if (KEY("event"))
		return json_string_value(json_object_get(ev, "Action")) &&
		       !strcmp(json_string_value(json_object_get(ev, "Action")), value);
	if (KEY("container"))
		return (type && !strcmp(type, "container")) &&
		       (!strcmp(attr(ev, "name"), value) || (*value && !strncmp(id, value, strlen(value))));
	if (KEY("image"))
		return !strcmp(attr(ev, "image"), value) || !strcmp(id, value);
	if (KEY("label")) {
		const char *eq = strchr(value, '=');
		_cleanup_free_ char *k = eq ? strndup(value, (size_t)(eq - value)) : xstrdup(value);
		json_t *a = json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"), k);

		return a && (!eq || (json_string_value(a) && !strcmp(json_string_value(a), eq + 1)));
	}
#undef KEY
	return false;
}

bool eng_event_match(json_t *ev, char *const *filters)
{
	for (size_t i = 0; filters && filters[i]; i++) {
		const char *eq = strchr(filters[i], '=');
		size_t klen = eq ? (size_t)(eq - filters[i]) : strlen(filters[i]);
		bool any = false;

		for (size_t j = 0; filters[j] && !any; j++)
			if (!strncmp(filters[j], filters[i], klen) && filters[j][klen] == '=')
				any = match_one(ev, filters[j], klen, filters[j] + klen + 1);
		if (!any)
			return false;
	}
	return true;
}
