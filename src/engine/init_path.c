/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where berth-init, the container init of run --init, is on the host. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "berth-config.h"
#include "engine/engine.h"

#define INIT_NAME "berth-init"

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* berth-init in the directory of the binary at path (an absolute path), or NULL. */
static char *beside(const char *path)
{
	_cleanup_free_ char *dir = NULL;
	char *slash, *p;

	if (!path || path[0] != '/' || !strncmp(path, "/memfd:", 7))
		return NULL;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	p = fs_path_join(dir, INIT_NAME);
	if (is_executable_file(p))
		return p;
	free(p);
	return NULL;
}

char *eng_init_path(void)
{
	const char *env = getenv("BERTH_INIT_PATH");
	char self[PATH_MAX];
	ssize_t n;
	char *p;

	if (env && *env)
		return is_executable_file(env) ? xstrdup(env) : NULL;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	/* the monitor runs from a sealed memfd ("/memfd:... (deleted)"): its argv[0] names the file */
	p = beside(self);
	if (!p)
		p = beside(program_invocation_name);
	if (!p && is_executable_file(BERTH_LIBEXECDIR "/" INIT_NAME))
		p = xstrdup(BERTH_LIBEXECDIR "/" INIT_NAME);
	return p;
}
