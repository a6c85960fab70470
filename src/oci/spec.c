/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The default config.json `runc spec` writes, byte for byte, and its rootless variant. */
#include <string.h>

#include "oci/internal.h"

static json_t *must(json_t *v)
{
	if (!v)
		abort();
	return v;
}

static json_t *cap_list(void)
{
	return must(json_pack("[s,s,s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
}

static json_t *default_process(void)
{
	return must(json_pack(
		"{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:o, s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
		"terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "cwd", "/",
		"capabilities", "bounding", cap_list(), "effective", cap_list(), "permitted", cap_list(), "ambient",
		cap_list(), "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1));
}

/* One mount; opts is a NULL-terminated list, or NULL for no "options" member. */
static json_t *mount_entry(const char *dest, const char *type, const char *source, const char *const *opts)
{
	json_t *m = must(json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", source));

	if (opts) {
		json_t *a = must(json_array());

		for (; *opts; opts++)
			json_array_append_new(a, must(json_string(*opts)));
		json_object_set_new(m, "options", a);
	}
	return m;
}

static json_t *default_mounts(bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	/* rootless: no gid=5, the tty group may not be mapped */
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const pts_rootless[] = {"nosuid",	    "noexec",	 "newinstance",
						   "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL};
	static const char *const mqueue[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	/* rootless: sysfs cannot be mounted without a network namespace of one's own */
	static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const cgroup[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	json_t *a = must(json_array());

	json_array_append_new(a, mount_entry("/proc", "proc", "proc", NULL));
	json_array_append_new(a, mount_entry("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(a, mount_entry("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_array_append_new(a, mount_entry("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(a, mount_entry("/dev/mqueue", "mqueue", "mqueue", mqueue));
	if (rootless)
		json_array_append_new(a, mount_entry("/sys", "none", "/sys", sys_rootless));
	else
		json_array_append_new(a, mount_entry("/sys", "sysfs", "sysfs", sys));
	json_array_append_new(a, mount_entry("/sys/fs/cgroup", "cgroup", "cgroup", cgroup));
	return a;
}

static json_t *string_array(const char *const *v)
{
	json_t *a = must(json_array());

	for (; *v; v++)
		json_array_append_new(a, must(json_string(*v)));
	return a;
}

static json_t *namespace_list(bool rootless)
{
	static const char *const normal[] = {"pid", "network", "ipc", "uts", "mount", NULL};
	static const char *const rootless_ns[] = {"pid", "ipc", "uts", "mount", "user", NULL};
	json_t *a = must(json_array());

	for (const char *const *t = rootless ? rootless_ns : normal; *t; t++)
		json_array_append_new(a, must(json_pack("{s:s}", "type", *t)));
	return a;
}

static json_t *default_linux(bool rootless, uid_t uid, gid_t gid)
{
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const readonly[] = {"/proc/bus",	      "/proc/fs", "/proc/irq", "/proc/sys",
					       "/proc/sysrq-trigger", NULL};
	json_t *l = must(json_object());

	if (rootless) {
		/* runc maps the calling user to root, one id each */
		json_object_set_new(
			l, "uidMappings",
			must(json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)uid, "size", 1)));
		json_object_set_new(
			l, "gidMappings",
			must(json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)gid, "size", 1)));
	} else {
		json_object_set_new(l, "resources",
				    must(json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm")));
	}
	json_object_set_new(l, "namespaces", namespace_list(rootless));
	json_object_set_new(l, "maskedPaths", string_array(masked));
	json_object_set_new(l, "readonlyPaths", string_array(readonly));
	return l;
}

/* jansson indents with spaces; runc (Go's json.MarshalIndent with "\t") with tabs. */
static char *indent_with_tabs(const char *text)
{
	struct buf b = {0};
	bool line_start = true;

	for (const char *p = text; *p; p++) {
		if (line_start && *p == ' ') {
			buf_puts(&b, "\t");
			continue;
		}
		line_start = *p == '\n';
		buf_append(&b, p, 1);
	}
	return buf_steal(&b);
}

char *oci_spec_default_json(bool rootless, uid_t uid, gid_t gid)
{
	_cleanup_json_ json_t *spec = NULL;
	_cleanup_free_ char *text = NULL;

	spec = must(json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.0.2-dev", "process",
			      default_process(), "root", "path", "rootfs", "readonly", 1, "hostname", "runc", "mounts",
			      default_mounts(rootless), "linux", default_linux(rootless, uid, gid)));
	/* one space per level, turned into one tab per level below */
	text = json_dumps(spec, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	if (!text)
		abort();
	return indent_with_tabs(text);
}
