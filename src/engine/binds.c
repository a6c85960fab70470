/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host paths of bind mounts, as dockerd treats them: a missing source of
 * --mount type=bind is an error at create, a missing source of -v is made
 * (a directory, 0755) before the container starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "engine/engine.h"

int eng_binds_check(json_t *host_config, struct berth_error **err)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(host_config, "Mounts"), i, m)
	{
		const char *type = json_string_value(json_object_get(m, "Type"));
		const char *src = json_string_value(json_object_get(m, "Source"));
		struct stat st;

		if (!type || strcmp(type, "bind") != 0 || !src || src[0] != '/')
			continue;
		if (stat(src, &st) < 0 && errno == ENOENT)
			return berth_error_set(
				err, 0, "invalid mount config for type \"bind\": bind source path does not exist: %s",
				src);
	}
	return 0;
}

/* The host path of a Binds entry "src:dst[:mode]", or NULL for a volume (a name, or "dst" alone). */
static char *bind_source(const char *spec)
{
	const char *colon = strchr(spec, ':');

	if (spec[0] != '/' || !colon)
		return NULL;
	return xasprintf("%.*s", (int)(colon - spec), spec);
}

int eng_binds_create(json_t *host_config, struct berth_error **err)
{
	json_t *b;
	size_t i;

	json_array_foreach(json_object_get(host_config, "Binds"), i, b)
	{
		_cleanup_free_ char *src = json_is_string(b) ? bind_source(json_string_value(b)) : NULL;

		if (!src || fs_exists_at(AT_FDCWD, src))
			continue;
		if (fs_mkdir_p_at(AT_FDCWD, src, 0755, err) < 0)
			return berth_error_wrap(err, "create the bind source '%s'", src);
	}
	return 0;
}
