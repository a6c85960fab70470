/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth info: what the engine knows of the host and of itself, in docker info's layout or --format. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/base.h"
#include "berth-config.h"
#include "cli/berth/common.h"
#include "engine/engine.h"

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

/* The engine's id, made once (a random UUID in <root>/engine-id, as dockerd keeps it). */
static char *engine_id(const char *root)
{
	_cleanup_free_ char *path = xasprintf("%s/engine-id", root), *text = NULL;
	unsigned char r[16];
	size_t len = 0;

	if (fs_read_file_at(AT_FDCWD, path, &text, &len, NULL) == 0 && len >= 36)
		return strndup(text, 36);
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return xstrdup("");
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	free(text);
	text = xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
			 r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
	fs_write_file_atomic_at(AT_FDCWD, path, text, strlen(text), 0644, NULL);
	return TAKE_PTR(text);
}

/* Containers by state and the image count, from the engine; zeros when it cannot be opened. */
static void count(const struct bcli_ctx *ctx, json_t *info)
{
	_cleanup_eng_ struct eng *e = NULL;
	struct eng_ctr **v = NULL;
	json_t *images = NULL;
	size_t n = 0;
	int running = 0, paused = 0;

	if (bcli_engine_open(ctx, &e) < 0)
		return;
	if (eng_ctr_list_all(e, &v, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++) {
			running += !strcmp(eng_ctr_status(v[i]), ENG_STATUS_RUNNING) ||
				   !strcmp(eng_ctr_status(v[i]), ENG_STATUS_RESTARTING);
			paused += !strcmp(eng_ctr_status(v[i]), ENG_STATUS_PAUSED);
		}
	eng_ctrs_free(v, n);
	json_object_set_new(info, "Containers", json_integer((json_int_t)n));
	json_object_set_new(info, "ContainersRunning", json_integer(running));
	json_object_set_new(info, "ContainersPaused", json_integer(paused));
	json_object_set_new(info, "ContainersStopped", json_integer((json_int_t)n - running - paused));
	if (eng_image_list(e, true, &images, NULL) == 0) {
		json_t *ids = json_object(), *row;
		size_t i;

		json_array_foreach(images, i, row) if (json_string_value(json_object_get(row, "ID")))
			json_object_set_new(ids, json_string_value(json_object_get(row, "ID")), json_true());
		json_object_set_new(info, "Images", json_integer((json_int_t)json_object_size(ids)));
		json_decref(ids);
	}
	json_decref(images);
}

/* docker's types.Info fields berth knows, in their order. */
static json_t *info_doc(const struct bcli_ctx *ctx)
{
	_cleanup_free_ char *os = os_pretty_name(), *id = engine_id(ctx->root);
	json_t *info = json_object();
	struct utsname u = {0};
	struct sysinfo si = {0};
	struct statfs sfs = {0};
	char host[256] = "";

	uname(&u);
	sysinfo(&si);
	gethostname(host, sizeof(host) - 1);
	json_object_set_new(info, "ID", json_string(id));
	json_object_set_new(info, "Containers", json_integer(0));
	json_object_set_new(info, "ContainersRunning", json_integer(0));
	json_object_set_new(info, "ContainersPaused", json_integer(0));
	json_object_set_new(info, "ContainersStopped", json_integer(0));
	json_object_set_new(info, "Images", json_integer(0));
	count(ctx, info);
	json_object_set_new(info, "Driver", json_string("overlay2"));
	json_object_set_new(info, "Debug", json_boolean(ctx->debug));
	json_object_set_new(info, "LoggingDriver", json_string("json-file"));
	json_object_set_new(info, "CgroupDriver", json_string("cgroupfs"));
	/* hybrid hosts (cgroup2 under /sys/fs/cgroup/unified) count as 1, as docker reports them */
	json_object_set_new(
		info, "CgroupVersion",
		json_string(statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC ? "2" : "1"));
	json_object_set_new(info, "KernelVersion", json_string(u.release));
	json_object_set_new(info, "OperatingSystem", json_string(os));
	json_object_set_new(info, "OSType", json_string("linux"));
	json_object_set_new(info, "Architecture", json_string(u.machine));
	json_object_set_new(info, "NCPU", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(info, "MemTotal", json_integer((json_int_t)si.totalram * si.mem_unit));
	json_object_set_new(info, "DockerRootDir", json_string(ctx->root));
	json_object_set_new(info, "Name", json_string(host));
	json_object_set_new(info, "ServerVersion", json_string(BERTH_VERSION));
	json_object_set_new(info, "Runtimes", json_pack("{s:{s:s}}", "berth-runtime", "path", "berth-runtime"));
	json_object_set_new(info, "DefaultRuntime", json_string("berth-runtime"));
	json_object_set_new(
		info, "ClientInfo",
		json_pack("{s:b, s:s, s:s}", "Debug", ctx->debug, "Version", BERTH_VERSION, "Context", "default"));
	return info;
}

static long long num(json_t *info, const char *k)
{
	return (long long)json_integer_value(json_object_get(info, k));
}

static const char *str(json_t *info, const char *k)
{
	const char *s = json_string_value(json_object_get(info, k));

	return s ? s : "";
}

static void print_text(const struct bcli_ctx *ctx, json_t *info)
{
	_cleanup_free_ char *mem = bytes_size((double)num(info, "MemTotal"));

	printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: %s\n\n", BERTH_VERSION,
	       ctx->debug ? "true" : "false");
	printf("Server:\n Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n Images: %lld\n",
	       num(info, "Containers"), num(info, "ContainersRunning"), num(info, "ContainersPaused"),
	       num(info, "ContainersStopped"), num(info, "Images"));
	printf(" Server Version: %s\n Storage Driver: %s\n Logging Driver: %s\n Cgroup Driver: %s\n", BERTH_VERSION,
	       str(info, "Driver"), str(info, "LoggingDriver"), str(info, "CgroupDriver"));
	printf(" Cgroup Version: %s\n Runtimes: berth-runtime\n Default Runtime: %s\n", str(info, "CgroupVersion"),
	       str(info, "DefaultRuntime"));
	printf(" Kernel Version: %s\n Operating System: %s\n OSType: linux\n Architecture: %s\n",
	       str(info, "KernelVersion"), str(info, "OperatingSystem"), str(info, "Architecture"));
	printf(" CPUs: %lld\n Total Memory: %s\n", num(info, "NCPU"), mem);
	printf(" Name: %s\n ID: %s\n Docker Root Dir: %s\n Debug Mode: %s\n", str(info, "Name"), str(info, "ID"),
	       ctx->root, ctx->debug ? "true" : "false");
}

struct info_opts {
	const char *format;
};

static const struct bcli_opt info_flags[] = {
	BCLI_FLAGX("format", 'f', BCLI_OPT_STRING, struct info_opts, format,
		   "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':"
		   "         Print output using the given Go template",
		   NULL, "string"),
	BCLI_OPT_END,
};

static int info_run(const struct bcli_ctx *ctx, void *opts, const struct bcli_args *args)
{
	const struct info_opts *o = opts;
	json_t *info = info_doc(ctx), *docs;
	int rc = 0;

	if (o->format && !strcmp(o->format, "json")) {
		_cleanup_free_ char *s = json_dumps(info, JSON_COMPACT | JSON_PRESERVE_ORDER);

		printf("%s\n", s);
	} else if (o->format && *o->format) {
		docs = json_pack("[O]", info);
		rc = bcli_print_documents(docs, o->format);
		json_decref(docs);
	} else {
		print_text(ctx, info);
	}
	json_decref(info);
	return rc;
}

const struct bcli_command bcli_cmd_info = {
	.name = "info",
	.group = "system",
	.top = "info",
	.usage = "[OPTIONS]",
	.summary = "Display system-wide information",
	.opts = info_flags,
	.opts_size = sizeof(struct info_opts),
	.max_args = 0,
	.run = info_run,
};
