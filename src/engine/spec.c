/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: eng_spec_build, Config + HostConfig into config.json: process
 * (args, env, cwd, user, terminal), root, hostname and namespaces here; the
 * other parts in spec_mounts.c, spec_security.c and spec_resources.c.
 */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/spec_internal.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define INIT_DEST "/sbin/berth-init"

const char *spec_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : NULL;
}

int64_t spec_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : json_is_real(v) ? (int64_t)json_real_value(v) : 0;
}

bool spec_bool(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

void spec_warn(struct spec_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	strv_push_take(&ctx->warnings, s);
}

json_t *spec_strv_json(const char *const *v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* [init, "--"] + Entrypoint + Cmd. */
static int process_args(struct spec_ctx *ctx, json_t *process, struct berth_error **err)
{
	json_t *args = json_array(), *v;
	size_t i;

	json_object_set_new(process, "args", args);
	if (spec_bool(ctx->hc, "Init")) {
		if (!ctx->in->init_path)
			return berth_error_set(err, 0, "HostConfig.Init: no init binary is available");
		json_array_append_new(args, json_string(INIT_DEST));
		json_array_append_new(args, json_string("--"));
	}
	json_array_foreach(json_object_get(ctx->config, "Entrypoint"), i, v) json_array_append(args, v);
	json_array_foreach(json_object_get(ctx->config, "Cmd"), i, v) json_array_append(args, v);
	json_array_foreach(args, i, v) if (!json_is_string(v)) return berth_error_set(err, 0,
										      "Config: Entrypoint and Cmd must "
										      "be arrays of strings");
	if (json_array_size(args) == (spec_bool(ctx->hc, "Init") ? 2 : 0))
		return berth_error_set(err, 0, "no command specified");
	return 0;
}

/* Docker's ReplaceOrAppendEnvValues: "K=v" replaces or appends K, a bare "K" removes it. */
static void env_set(json_t *env, const char *entry)
{
	size_t klen = strcspn(entry, "="), i;
	json_t *v;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);

		if (strncmp(s, entry, klen) == 0 && (s[klen] == '=' || !s[klen])) {
			if (entry[klen])
				json_array_set_new(env, i, json_string(entry));
			else
				json_array_remove(env, i);
			return;
		}
	}
	if (entry[klen])
		json_array_append_new(env, json_string(entry));
}

static bool env_has(json_t *env, const char *key)
{
	size_t klen = strlen(key), i;
	json_t *v;

	json_array_foreach(env, i, v) if (strncmp(json_string_value(v), key, klen) == 0 &&
					  json_string_value(v)[klen] == '=') return true;
	return false;
}

static int process_env(struct spec_ctx *ctx, json_t *process, const char *hostname, const char *home,
		       struct berth_error **err)
{
	json_t *env = json_pack("[s]", DEFAULT_PATH), *v;
	size_t i;

	json_object_set_new(process, "env", env);
	if (hostname)
		json_array_append_new(env, json_sprintf("HOSTNAME=%s", hostname));
	if (spec_bool(ctx->config, "Tty"))
		json_array_append_new(env, json_string("TERM=xterm"));
	json_array_foreach(json_object_get(ctx->config, "Env"), i, v)
	{
		if (!json_is_string(v) || !*json_string_value(v) || json_string_value(v)[0] == '=')
			return berth_error_set(err, 0, "Config.Env[%zu]: invalid environment variable", i);
		env_set(env, json_string_value(v));
	}
	if (!env_has(env, "HOME"))
		json_array_append_new(env, json_sprintf("HOME=%s", home));
	return 0;
}

static int process_build(struct spec_ctx *ctx, json_t *spec, const char *hostname, struct berth_error **err)
{
	json_t *process = json_object_get(spec, "process"), *gids, *size = json_object_get(ctx->hc, "ConsoleSize");
	const char *cwd = spec_str(ctx->config, "WorkingDir");
	struct spec_user u = {0};

	if (process_args(ctx, process, err) < 0)
		return -1;
	if (cwd && cwd[0] != '/')
		return berth_error_set(err, 0,
				       "Config.WorkingDir: the working directory '%s' is invalid, it needs to be an "
				       "absolute path",
				       cwd);
	json_object_set_new(process, "cwd", json_string(cwd ? cwd : "/"));
	json_object_set_new(process, "terminal", json_boolean(spec_bool(ctx->config, "Tty")));
	if (json_integer_value(json_array_get(size, 0)) > 0 && json_integer_value(json_array_get(size, 1)) > 0)
		json_object_set_new(
			process, "consoleSize",
			json_pack("{s:O, s:O}", "height", json_array_get(size, 0), "width", json_array_get(size, 1)));
	if (spec_user_resolve(ctx->in->rootfs_fd, spec_str(ctx->config, "User"), json_object_get(ctx->hc, "GroupAdd"),
			      &u, err) < 0)
		return berth_error_wrap(err, "Config.User");
	gids = json_array();
	for (size_t i = 0; i < u.n_sgids; i++)
		json_array_append_new(gids, json_integer(u.sgids[i]));
	json_object_set_new(process, "user",
			    json_pack("{s:I, s:I, s:o}", "uid", (json_int_t)u.uid, "gid", (json_int_t)u.gid,
				      "additionalGids", gids));
	if (json_array_size(gids) == 0)
		json_object_del(json_object_get(process, "user"), "additionalGids");
	if (process_env(ctx, process, hostname, u.home, err) < 0) {
		spec_user_done(&u);
		return -1;
	}
	spec_user_done(&u);
	return 0;
}

/* Add a namespace: path NULL for a new one. */
static void ns_add(json_t *list, const char *type, const char *path)
{
	json_t *ns = json_pack("{s:s}", "type", type);

	if (path)
		json_object_set_new(ns, "path", json_string(path));
	json_array_append_new(list, ns);
}

/*
 * One *Mode value: NULL and the private words make a new namespace (or join
 * private_path when given), "host" none, "container:X" joins container_path.
 */
static int ns_mode(json_t *list, const char *field, const char *mode, const char *type,
		   const char *const *private_words, const char *container_path, const char *private_path,
		   struct berth_error **err)
{
	if (mode && strcmp(mode, "host") == 0)
		return 0;
	if (mode && strncmp(mode, "container:", 10) == 0) {
		if (!container_path)
			return berth_error_set(err, 0, "HostConfig.%s: '%s' needs the namespace path of that container",
					       field, mode);
		ns_add(list, type, container_path);
		return 0;
	}
	for (const char *const *w = private_words; mode && *w; w++)
		if (strcmp(mode, *w) == 0)
			mode = NULL;
	if (mode)
		return berth_error_set(err, 0, "HostConfig.%s: invalid value '%s'", field, mode);
	ns_add(list, type, private_path);
	return 0;
}

static int parse_id_map(json_t *v, const char *field, size_t i, json_t **ret, struct berth_error **err)
{
	unsigned long long c, h, n;
	int end = 0;
	const char *s = json_string_value(v);

	/* {"ContainerID", "HostID", "Size"} as the CLI writes it, or "container:host:size" */
	if (json_is_object(v)) {
		c = (unsigned long long)json_integer_value(json_object_get(v, "ContainerID"));
		h = (unsigned long long)json_integer_value(json_object_get(v, "HostID"));
		n = (unsigned long long)json_integer_value(json_object_get(v, "Size"));
	}
	if (json_is_object(v) ? n == 0 || c > UINT32_MAX || h > UINT32_MAX || n > UINT32_MAX
			      : !s || sscanf(s, "%llu:%llu:%llu%n", &c, &h, &n, &end) != 3 || s[end] || n == 0 ||
					c > UINT32_MAX || h > UINT32_MAX || n > UINT32_MAX)
		return berth_error_set(err, 0, "HostConfig.BerthIDMappings.%s[%zu]: expected 'container:host:size'",
				       field, i);
	*ret = json_pack("{s:I, s:I, s:I}", "containerID", (json_int_t)c, "hostID", (json_int_t)h, "size",
			 (json_int_t)n);
	return 0;
}

/* HostConfig.BerthIDMappings {"UIDMap": [...], "GIDMap": [...]}: a new user namespace with those maps. */
static int user_ns(struct spec_ctx *ctx, json_t *linux_, json_t *list, struct berth_error **err)
{
	static const char *const maps[][2] = {{"UIDMap", "uidMappings"}, {"GIDMap", "gidMappings"}};
	json_t *m = json_object_get(ctx->hc, "BerthIDMappings"), *v, *out = NULL;
	const char *mode = spec_str(ctx->hc, "UsernsMode");
	size_t i;

	if (mode && strcmp(mode, "host") != 0)
		return berth_error_set(err, 0, "HostConfig.UsernsMode: invalid value '%s'", mode);
	if (!json_is_object(m))
		return 0;
	for (size_t k = 0; k < 2; k++) {
		/* as Podman: a missing --gidmap is the --uidmap, and the other way round */
		json_t *src = json_array_size(json_object_get(m, maps[k][0])) ? json_object_get(m, maps[k][0])
									      : json_object_get(m, maps[1 - k][0]);

		if (!json_array_size(src))
			return berth_error_set(err, 0, "HostConfig.BerthIDMappings.%s: required", maps[k][0]);
		json_object_set_new(linux_, maps[k][1], json_array());
		json_array_foreach(src, i, v)
		{
			if (parse_id_map(v, maps[k][0], i, &out, err) < 0)
				return -1;
			json_array_append_new(json_object_get(linux_, maps[k][1]), out);
		}
	}
	ns_add(list, "user", NULL);
	return 0;
}

/* HostConfig.BerthTimeOffsets {"monotonic": N, "boottime": N} (--time-offset): a new time namespace. */
static int time_ns(struct spec_ctx *ctx, json_t *linux_, json_t *list, struct berth_error **err)
{
	json_t *m = json_object_get(ctx->hc, "BerthTimeOffsets"), *v, *offsets;
	const char *clock;

	if (!m || json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return berth_error_set(err, 0, "HostConfig.BerthTimeOffsets: expected object");
	offsets = json_object();
	json_object_set_new(linux_, "timeOffsets", offsets);
	json_object_foreach(m, clock, v)
	{
		if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
			return berth_error_set(err, 0, "HostConfig.BerthTimeOffsets.%s: unknown clock", clock);
		if (!json_is_integer(v))
			return berth_error_set(err, 0, "HostConfig.BerthTimeOffsets.%s: expected integer", clock);
		json_object_set_new(offsets, clock,
				    json_pack("{s:I, s:i}", "secs", json_integer_value(v), "nanosecs", 0));
	}
	ns_add(list, "time", NULL);
	return 0;
}

static int namespaces(struct spec_ctx *ctx, json_t *linux_, struct berth_error **err)
{
	static const char *const none[] = {NULL};
	static const char *const ipc_private[] = {"private", "shareable", "none", NULL};
	static const char *const net_private[] = {"none", "default", "bridge", NULL};
	static const char *const cg_private[] = {"private", NULL};
	const struct eng_spec_input *in = ctx->in;
	const char *net = spec_str(ctx->hc, "NetworkMode"), *cg = spec_str(ctx->hc, "CgroupnsMode");
	json_t *list = json_array();

	json_object_set_new(linux_, "namespaces", list);
	ns_add(list, "mount", NULL);
	if (ns_mode(list, "PidMode", spec_str(ctx->hc, "PidMode"), "pid", none, in->pidns_path, NULL, err) < 0 ||
	    ns_mode(list, "IpcMode", spec_str(ctx->hc, "IpcMode"), "ipc", ipc_private, in->ipcns_path, NULL, err) < 0 ||
	    ns_mode(list, "UTSMode", spec_str(ctx->hc, "UTSMode"), "uts", none, NULL, in->utsns_path, err) < 0)
		return -1;
	/* any other NetworkMode names a user-defined network: a new namespace (or the one given) */
	if (net && strcmp(net, "host") != 0 && strncmp(net, "container:", 10) != 0 && strcmp(net, "none") != 0)
		net = NULL;
	if (ns_mode(list, "NetworkMode", net, "network", net_private, in->netns_path, in->netns_path, err) < 0)
		return -1;
	if (cg && strncmp(cg, "container:", 10) == 0)
		return berth_error_set(err, 0, "HostConfig.CgroupnsMode: invalid value '%s'", cg);
	if (!cg && in->cgroup_v1)
		cg = "host";
	if (ns_mode(list, "CgroupnsMode", cg, "cgroup", cg_private, NULL, NULL, err) < 0 ||
	    time_ns(ctx, linux_, list, err) < 0)
		return -1;
	return user_ns(ctx, linux_, list, err);
}

/*
 * The hostname: Config.Hostname, else the id's first 12 hex digits; the
 * host's with UTSMode or NetworkMode host. NULL when the UTS namespace is the
 * host's or joined (setting it would rename someone else).
 */
static char *hostname_of(struct spec_ctx *ctx, bool *ret_set)
{
	const char *h = spec_str(ctx->config, "Hostname"), *net = spec_str(ctx->hc, "NetworkMode");
	const char *uts = spec_str(ctx->hc, "UTSMode");
	bool host_uts = uts && strcmp(uts, "host") == 0;
	char buf[256];

	*ret_set = !host_uts && !ctx->in->utsns_path;
	if (h)
		return xstrdup(h);
	if (host_uts || (net && strcmp(net, "host") == 0)) {
		if (ctx->in->host_hostname)
			return xstrdup(ctx->in->host_hostname);
		if (gethostname(buf, sizeof(buf) - 1) == 0) {
			buf[sizeof(buf) - 1] = '\0';
			return xstrdup(buf);
		}
	}
	return strndup(ctx->in->id, 12);
}

static int check_input(const struct eng_spec_input *in, struct berth_error **err)
{
	if (!in->id || strlen(in->id) < 12)
		return berth_error_set(err, 0, "container id: expected 64 hex digits");
	if (!json_is_object(in->config))
		return berth_error_set(err, 0, "Config: expected object");
	if (in->host_config && !json_is_null(in->host_config) && !json_is_object(in->host_config))
		return berth_error_set(err, 0, "HostConfig: expected object");
	if (!in->rootfs || in->rootfs[0] != '/')
		return berth_error_set(err, 0, "rootfs: expected an absolute path");
	return 0;
}

static int build(struct spec_ctx *ctx, json_t *spec, struct berth_error **err)
{
	_cleanup_free_ char *hostname = NULL;
	const char *domain = spec_str(ctx->config, "Domainname");
	json_t *annotations = json_object_get(ctx->hc, "Annotations");
	bool set_hostname;

	if (spec_caps_compute(ctx->hc, ctx->privileged, &ctx->caps, err) < 0)
		return -1;
	hostname = hostname_of(ctx, &set_hostname);
	if (set_hostname) {
		json_object_set_new(spec, "hostname", json_string(hostname));
		if (domain)
			json_object_set_new(spec, "domainname", json_string(domain));
	}
	if (process_build(ctx, spec, hostname, err) < 0)
		return -1;
	if (namespaces(ctx, json_object_get(spec, "linux"), err) < 0)
		return -1;
	if (spec_mounts_build(ctx, spec, err) < 0)
		return -1;
	if (spec_security_apply(ctx, spec, err) < 0)
		return -1;
	if (spec_resources_build(ctx, spec, err) < 0)
		return -1;
	if (json_is_object(annotations) && json_object_size(annotations))
		json_object_set_new(spec, "annotations", json_deep_copy(annotations));
	return 0;
}

int eng_spec_build(const struct eng_spec_input *in, json_t **ret_spec, char ***ret_warnings, struct berth_error **err)
{
	_cleanup_(json_decrefp) json_t *spec = NULL, *empty = json_object();
	struct spec_ctx ctx = {.in = in};

	if (check_input(in, err) < 0)
		return -1;
	ctx.config = in->config;
	ctx.hc = json_is_object(in->host_config) ? in->host_config : empty;
	ctx.privileged = spec_bool(ctx.hc, "Privileged");
	spec = json_pack("{s:s, s:{s:s, s:b}, s:{}, s:{}}", "ociVersion", "1.0.2", "root", "path", in->rootfs,
			 "readonly", spec_bool(ctx.hc, "ReadonlyRootfs"), "process", "linux");
	if (build(&ctx, spec, err) < 0) {
		strv_free(ctx.warnings);
		return -1;
	}
	*ret_spec = TAKE_PTR(spec);
	if (ret_warnings)
		*ret_warnings = ctx.warnings;
	else
		strv_free(ctx.warnings);
	return 0;
}
