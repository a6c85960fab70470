/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth info: what the engine knows of the host and of itself, in docker info's layout. */
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/base.h"
#include "berth-config.h"
#include "cli/berth/commands.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* PRETTY_NAME of os-release, or "<unknown>" as docker says. */
static char *os_pretty_name(void)
{
	static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		_cleanup_fclose_ FILE *f = fopen(paths[i], "re");
		if (!f)
			continue;
		while (getline(&line, &cap, f) > 0) {
			size_t len;
			char *v;
			if (strncmp(line, "PRETTY_NAME=", 12) != 0)
				continue;
			v = line + 12;
			len = strcspn(v, "\n");
			if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
				return xasprintf("%.*s", (int)len - 2, v + 1);
			return xasprintf("%.*s", (int)len, v);
		}
	}
	return xstrdup("<unknown>");
}

/* go-units' BytesSize: four significant digits and a binary unit ("15.53GiB"). */
static char *bytes_size(double n)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	size_t u = 0;

	while (n >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		n /= 1024;
		u++;
	}
	return xasprintf("%.4g%s", n, units[u]);
}

static int info_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	_cleanup_free_ char *os = os_pretty_name(), *mem = NULL;
	struct utsname u = {0};
	struct sysinfo si = {0};
	struct statfs sfs = {0};
	char host[256] = "";

	uname(&u);
	if (sysinfo(&si) == 0)
		mem = bytes_size((double)si.totalram * si.mem_unit);
	gethostname(host, sizeof(host) - 1);
	printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: %s\n\n", BERTH_VERSION,
	       ctx->debug ? "true" : "false");
	printf("Server:\n Server Version: %s\n", BERTH_VERSION);
	if (statfs("/sys/fs/cgroup", &sfs) == 0)
		printf(" Cgroup Version: %s\n", sfs.f_type == CGROUP2_SUPER_MAGIC ? "2" : "1");
	printf(" Kernel Version: %s\n Operating System: %s\n OSType: linux\n Architecture: %s\n", u.release, os,
	       u.machine);
	printf(" CPUs: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (mem)
		printf(" Total Memory: %s\n", mem);
	printf(" Name: %s\n Docker Root Dir: %s\n Debug Mode: %s\n", host, ctx->root, ctx->debug ? "true" : "false");
	return 0;
}

const struct bcli_command bcli_cmd_info = {
	.name = "info",
	.group = "system",
	.top = "info",
	.summary = "Display system-wide information",
	.max_args = 0,
	.run = info_run,
};
