/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where berth's helper programs are on the host: berth-init (run --init) and berth-shim. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "berth-config.h"
#include "engine/engine.h"

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* name in the directory of the binary at path (an absolute path), or NULL. */
static char *beside(const char *path, const char *name)
{
	_cleanup_free_ char *dir = NULL;
	char *slash, *p;

	if (!path || path[0] != '/' || !strncmp(path, "/memfd:", 7))
		return NULL;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	p = fs_path_join(dir, name);
	if (is_executable_file(p))
		return p;
	free(p);
	return NULL;
}

static char *helper_path(const char *name, const char *env_name)
{
	const char *env = getenv(env_name);
	char self[PATH_MAX];
	ssize_t n;
	char *p;

	if (env && *env)
		return is_executable_file(env) ? xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	/* the monitor runs from a sealed memfd ("/memfd:... (deleted)"): its argv[0] names the file */
	p = beside(self, name);
	if (!p)
		p = beside(program_invocation_name, name);
	if (!p) {
		p = fs_path_join(BERTH_LIBEXECDIR, name);
		if (!is_executable_file(p)) {
			free(p);
			p = NULL;
		}
	}
	return p;
}

char *eng_init_path(void)
{
	return helper_path("berth-init", "BERTH_INIT_PATH");
}

char *eng_shim_path(void)
{
	return helper_path("berth-shim", "BERTH_SHIM_PATH");
}
