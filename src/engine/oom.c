/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State.OOMKilled: whether the kernel's OOM killer ended a process of the
 * container, read from the memory controller of its cgroup (named in the
 * runtime's state.json) before the runtime removes it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"

/* Whether the comma-separated list holds item. */
static bool csv_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, item, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * The host directory of cgroup path in the hierarchy of fstype "cgroup2", or
 * of the v1 hierarchy whose super options hold controller. NULL when none.
 */
static char *hierarchy_dir(const char *fstype, const char *controller, const char *path)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		char root[4096], mnt[4096], type[64], opts[1024];
		const char *sep = strstr(line, " - "), *rel = path;
		size_t rlen;

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", type, opts) != 2 || strcmp(type, fstype))
			continue;
		if (controller && !csv_has(opts, controller))
			continue;
		/* a hierarchy mounted from below its root (inside a container): paths are relative to it */
		rlen = strlen(root);
		if (strcmp(root, "/") && !strncmp(path, root, rlen) && (path[rlen] == '/' || !path[rlen]))
			rel = path + rlen;
		return xasprintf("%s%s", mnt, rel);
	}
	return NULL;
}

/* The value of "key N" lines in file dir/name; 0 when missing. */
static long long counter(const char *dir, const char *name, const char *key)
{
	_cleanup_free_ char *path = fs_path_join(dir, name), *text = NULL;
	size_t klen = strlen(key);

	if (fs_read_file_at(AT_FDCWD, path, &text, NULL, NULL) < 0)
		return 0;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ' ')
			return strtoll(l + klen + 1, NULL, 10);
	return 0;
}

/* One state.json cgroupPaths line, "controllers:path" (":path" for cgroup2). */
static bool line_oom_killed(const char *line)
{
	const char *colon = strchr(line, ':');
	_cleanup_free_ char *controllers = NULL, *dir = NULL;

	if (!colon || colon[1] != '/')
		return false;
	controllers = xasprintf("%.*s", (int)(colon - line), line);
	if (!*controllers) {
		dir = hierarchy_dir("cgroup2", NULL, colon + 1);
		return dir && counter(dir, "memory.events", "oom_kill") > 0;
	}
	if (!csv_has(controllers, "memory"))
		return false;
	dir = hierarchy_dir("cgroup", "memory", colon + 1);
	/* oom_kill in memory.oom_control since Linux 4.13 */
	return dir && counter(dir, "memory.oom_control", "oom_kill") > 0;
}

bool eng_oom_killed(struct eng *e, const char *id)
{
	_cleanup_free_ char *rt_root = eng_runtime_root(e), *dir = fs_path_join(rt_root, id);
	_cleanup_free_ char *path = fs_path_join(dir, "state.json");
	json_t *state = json_load_file(path, 0, NULL), *v;
	bool killed = false;
	size_t i;

	json_array_foreach(json_object_get(state, "cgroupPaths"), i,
			   v) if (json_is_string(v) && line_oom_killed(json_string_value(v))) killed = true;
	json_decref(state);
	return killed;
}
