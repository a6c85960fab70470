/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth version: Docker's two sections, the client and the engine, which are the same program here. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "berth-config.h"
#include "cli/berth/commands.h"

/* Docker names architectures as Go does. */
#if defined(__x86_64__)
#define BCLI_ARCH "amd64"
#elif defined(__aarch64__)
#define BCLI_ARCH "arm64"
#elif defined(__arm__)
#define BCLI_ARCH "arm"
#elif defined(__i386__)
#define BCLI_ARCH "386"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BCLI_ARCH "ppc64le"
#elif defined(__s390x__)
#define BCLI_ARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define BCLI_ARCH "riscv64"
#else
#define BCLI_ARCH "unknown"
#endif

/* The build time as Go's time.ANSIC ("Fri May 30 12:07:14 2025"), from the compiler's clock. */
static void build_time(char *ret, size_t cap)
{
	struct tm tm = {0};

	if (!strptime(__DATE__ " " __TIME__, "%b %d %Y %H:%M:%S", &tm)) {
		snprintf(ret, cap, "%s %s", __DATE__, __TIME__);
		return;
	}
	tm.tm_isdst = -1;
	/* mktime fills in the weekday */
	if (mktime(&tm) == (time_t)-1 || strftime(ret, cap, "%a %b %e %H:%M:%S %Y", &tm) == 0)
		snprintf(ret, cap, "%s %s", __DATE__, __TIME__);
}

/* One section's lines, values from column 21 as docker's template aligns them. */
static void print_fields(const char *indent, const char *api_version, const char *built)
{
	const char *const fields[][2] = {
		{"Version:", BERTH_VERSION}, {"API version:", api_version},
		{"Go version:", "C"},	     {"Git commit:", *BERTH_COMMIT ? BERTH_COMMIT : "unknown"},
		{"Built:", built},	     {"OS/Arch:", "linux/" BCLI_ARCH},
	};
	int width = 20 - (int)strlen(indent);

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		printf("%s%-*s%s\n", indent, width, fields[i][0], fields[i][1]);
}

static int version_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	char built[64];

	build_time(built, sizeof(built));
	puts("Client:");
	print_fields(" ", BCLI_API_VERSION, built);
	puts("\nServer: berth\n Engine:");
	print_fields("  ", BCLI_API_VERSION " (minimum version 1.12)", built);
	printf("  %-18s%s\n", "Experimental:", "false");
	return 0;
}

const struct bcli_command bcli_cmd_version = {
	.name = "version",
	.summary = "Show the berth version information",
	.max_args = 0,
	.run = version_run,
};
