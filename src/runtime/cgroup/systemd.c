/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd driver's "slice:prefix:name" cgroupsPath as the cgroupfs path
 * systemd would give the unit (used while the systemd driver falls back to
 * cgroupfs).
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

/* "a-b.slice" → "/a.slice/a-b.slice"; "-.slice" is the root slice. */
static int expand_slice(const char *slice, struct buf *out, struct berth_error **err)
{
	size_t len = strlen(slice);
	_cleanup_free_ char *stem = NULL;
	char *save = NULL;
	size_t prefix_end = 0;

	if (len <= 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/'))
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

int cg_systemd_path_to_cgroupfs(const char *cgroups_path, const char *id, char **ret, struct berth_error **err)
{
	_cleanup_free_ char *copy = NULL;
	const char *slice, *prefix, *name;
	struct buf b = {0};
	char *c1, *c2;

	if (!cgroups_path || !*cgroups_path) {
		if (!id || !*id)
			return berth_error_set(err, 0, "a container id is needed for the default systemd cgroup");
		copy = xasprintf("system.slice:berth:%s", id);
	} else {
		copy = xstrdup(cgroups_path);
	}
	c1 = strchr(copy, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || c2[1] == '\0' || strchr(c2 + 1, '/') || strchr(c1 + 1, '/') != NULL)
		return berth_error_set(err, 0, "cgroupsPath '%s' is not \"slice:prefix:name\" for systemd cgroups",
				       cgroups_path ? cgroups_path : "");
	*c1 = *c2 = '\0';
	slice = *copy ? copy : "system.slice";
	prefix = c1 + 1;
	name = c2 + 1;
	if (expand_slice(slice, &b, err) < 0) {
		buf_done(&b);
		return -1;
	}
	/* a scope unless the name is a slice itself */
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		buf_printf(&b, "/%s", name);
	else if (*prefix)
		buf_printf(&b, "/%s-%s.scope", prefix, name);
	else
		buf_printf(&b, "/%s.scope", name);
	*ret = buf_steal(&b);
	return 0;
}
