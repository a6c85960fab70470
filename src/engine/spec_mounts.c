/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the mounts of config.json as Docker makes them: its default
 * filesystems (/proc, /dev, devpts, /dev/shm, mqueue, sysfs, cgroup), then the
 * container's own (Binds, Mounts, Tmpfs, Config.Volumes, /etc/hostname,
 * /etc/hosts, /etc/resolv.conf, the init) sorted by destination depth.
 */
#include <string.h>

#include "base/base.h"
#include "engine/spec_internal.h"

#define SHM_DEFAULT (64 << 20)

struct umount {
	json_t *m;
	char *dest; /* cleaned */
	size_t depth;
	size_t seq; /* order of addition, for a stable sort */
};

struct mlist {
	struct umount *v;
	size_t n;
	char *propagation; /* "rshared" or "rslave" when a bind asks for it */
};

static void mlist_done(struct mlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		json_decref(l->v[i].m);
		free(l->v[i].dest);
	}
	free(l->v);
}

static bool mlist_has(const struct mlist *l, const char *dest)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].dest, dest) == 0)
			return true;
	return false;
}

static size_t depth_of(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* Add a mount of the container's own; options (taken) may be NULL. */
static int mlist_add(struct mlist *l, const char *field, const char *dest, const char *type, const char *source,
		     json_t *options, struct berth_error **err)
{
	_cleanup_free_ char *clean = NULL;
	json_t *m;

	if (!dest || dest[0] != '/') {
		json_decref(options);
		return berth_error_set(err, 0, "%s: destination '%s' must be an absolute path", field,
				       dest ? dest : "");
	}
	clean = fs_path_clean(dest);
	if (strcmp(clean, "/") == 0 || mlist_has(l, clean)) {
		json_decref(options);
		return berth_error_set(err, 0,
				       strcmp(clean, "/") == 0 ? "%s: destination can't be '%s'"
							       : "%s: duplicate mount point '%s'",
				       field, clean);
	}
	m = json_pack("{s:s, s:s, s:s}", "destination", clean, "type", type, "source", source);
	if (options)
		json_object_set_new(m, "options", options);
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!l->v)
		abort();
	l->v[l->n] = (struct umount){m, TAKE_PTR(clean), 0, l->n};
	l->v[l->n].depth = depth_of(l->v[l->n].dest);
	l->n++;
	return 0;
}

static int cmp_depth(const void *a, const void *b)
{
	const struct umount *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool is_propagation(const char *s)
{
	static const char *const p[] = {"shared", "rshared", "slave", "rslave", "private", "rprivate"};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strcmp(s, p[i]) == 0)
			return true;
	return false;
}

/* The options of a bind mount; a shared or slave propagation asks the same of the rootfs. */
static json_t *bind_options(struct mlist *l, bool recursive, bool ro, const char *propagation)
{
	json_t *o = json_pack("[s]", recursive ? "rbind" : "bind");

	if (ro)
		json_array_append_new(o, json_string("ro"));
	if (!propagation || !*propagation)
		propagation = "rprivate";
	json_array_append_new(o, json_string(propagation));
	if (strstr(propagation, "shared")) {
		free(l->propagation);
		l->propagation = xstrdup("rshared");
	} else if (strstr(propagation, "slave") && !l->propagation) {
		l->propagation = xstrdup("rslave");
	}
	return o;
}

/* Docker's rule for a local volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
static bool valid_volume_name(const char *s)
{
	if (strlen(s) < 2 || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", s[0]))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(s);
}

/* name NULL: the anonymous volume at dest. */
static int volume_source(struct spec_ctx *ctx, const char *field, const char *name, const char *dest, char **ret,
			 struct berth_error **err)
{
	if (name && !valid_volume_name(name))
		return berth_error_set(err, 0, "%s: '%s' includes invalid characters for a local volume name", field,
				       name);
	if (!ctx->in->volume_path)
		return berth_error_set(err, 0, "%s: no volume store to resolve '%s'", field, name ? name : dest);
	*ret = ctx->in->volume_path(ctx->in->volume_userdata, name, dest, err);
	return *ret ? 0 : berth_error_wrap(err, "%s", field);
}

struct bind_mode {
	bool ro, has_rw, nocopy;
	const char *propagation;
};

static int parse_bind_mode(char *mode, const char *field, struct bind_mode *bm, struct berth_error **err)
{
	_cleanup_free_ char *orig = xstrdup(mode);
	char *save = NULL;

	for (char *w = strtok_r(mode, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if ((strcmp(w, "ro") == 0 || strcmp(w, "rw") == 0) && !bm->ro && !bm->has_rw) {
			bm->ro = w[1] == 'o';
			bm->has_rw = w[1] == 'w';
		} else if (is_propagation(w) && !bm->propagation) {
			bm->propagation = w;
		} else if (strcmp(w, "nocopy") == 0) {
			bm->nocopy = true;
		} else if (strcmp(w, "z") != 0 && strcmp(w, "Z") != 0 && strcmp(w, "consistent") != 0 &&
			   strcmp(w, "cached") != 0 && strcmp(w, "delegated") != 0) {
			return berth_error_set(err, 0, "%s: invalid mode '%s'", field, orig);
		}
	}
	return 0;
}

/* One "src:dst[:mode]" (or "dst", an anonymous volume) of HostConfig.Binds. */
static int add_bind(struct spec_ctx *ctx, struct mlist *l, const char *spec, const char *field,
		    struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(spec), *vol = NULL;
	char *parts[4] = {0};
	struct bind_mode bm = {0};
	size_t n = 0;

	for (char *p = copy; p && n < 4; n++) {
		parts[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (n > 3 || !*parts[0] || (n > 1 && !*parts[1]))
		return berth_error_set(err, 0, "%s: invalid volume specification '%s'", field, spec);
	if (n == 3 && parse_bind_mode(parts[2], field, &bm, err) < 0)
		return -1;
	if (bm.nocopy && n > 1 && parts[0][0] == '/')
		return berth_error_set(err, 0, "%s: invalid mode '%s': nocopy applies to volumes only", field,
				       parts[2]);
	if (n == 1) {
		if (volume_source(ctx, field, NULL, parts[0], &vol, err) < 0)
			return -1;
		return mlist_add(l, field, parts[0], "bind", vol, bind_options(l, true, false, NULL), err);
	}
	if (parts[0][0] != '/' && volume_source(ctx, field, parts[0], parts[1], &vol, err) < 0)
		return -1;
	return mlist_add(l, field, parts[1], "bind", vol ? vol : parts[0], bind_options(l, true, bm.ro, bm.propagation),
			 err);
}

/* Docker's tmpfs option merge: a later flag replaces its opposite, a later key=value its key. */
static bool tmpfs_conflict(const char *a, const char *b)
{
	size_t ka = strcspn(a, "="), kb = strcspn(b, "=");

	if (a[ka] || b[kb])
		return ka == kb && strncmp(a, b, ka) == 0;
	if ((strcmp(a, "ro") == 0 && strcmp(b, "rw") == 0) || (strcmp(a, "rw") == 0 && strcmp(b, "ro") == 0))
		return true;
	if (is_propagation(a) && is_propagation(b))
		return true;
	return strcmp(a, b) == 0 || (strncmp(a, "no", 2) == 0 && strcmp(a + 2, b) == 0) ||
	       (strncmp(b, "no", 2) == 0 && strcmp(b + 2, a) == 0);
}

static void tmpfs_add_option(json_t *opts, const char *o)
{
	for (size_t i = json_array_size(opts); i-- > 0;)
		if (tmpfs_conflict(json_string_value(json_array_get(opts, i)), o))
			json_array_remove(opts, i);
	json_array_append_new(opts, json_string(o));
}

/* Default tmpfs options, then data ("rw,size=64m") merged over them. */
static json_t *tmpfs_options(const char *data)
{
	_cleanup_free_ char *copy = xstrdup(data ? data : "");
	json_t *opts = json_pack("[s, s, s, s]", "noexec", "nosuid", "nodev", "rprivate");
	char *save = NULL;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		tmpfs_add_option(opts, w);
	return opts;
}

static int add_tmpfs_mount(struct mlist *l, json_t *m, bool ro, const char *field, const char *dest,
			   struct berth_error **err)
{
	json_t *to = json_object_get(m, "TmpfsOptions");
	struct buf data = {0};
	int64_t size = spec_int(to, "SizeBytes"), mode = spec_int(to, "Mode");
	int r;

	if (spec_str(m, "Source"))
		return berth_error_set(err, 0, "%s.Source: must not be specified for a tmpfs mount", field);
	if (size < 0)
		return berth_error_set(err, 0, "%s.TmpfsOptions.SizeBytes: must not be negative", field);
	buf_puts(&data, ro ? "ro" : "rw");
	if (size)
		buf_printf(&data, ",size=%lld", (long long)size);
	if (mode)
		buf_printf(&data, ",mode=%llo", (unsigned long long)mode & 07777);
	r = mlist_add(l, field, dest, "tmpfs", "tmpfs", tmpfs_options(data.data), err);
	buf_done(&data);
	return r;
}

/* One object of HostConfig.Mounts (docker run --mount). */
static int add_mount_obj(struct spec_ctx *ctx, struct mlist *l, json_t *m, const char *field, struct berth_error **err)
{
	_cleanup_free_ char *vol = NULL;
	const char *type = spec_str(m, "Type"), *src = spec_str(m, "Source"), *dest = spec_str(m, "Target");
	json_t *bo = json_object_get(m, "BindOptions"), *vo = json_object_get(m, "VolumeOptions");
	bool ro = spec_bool(m, "ReadOnly");

	if (!json_is_object(m))
		return berth_error_set(err, 0, "%s: expected object", field);
	if (!type)
		return berth_error_set(err, 0, "%s.Type: required", field);
	if (strcmp(type, "tmpfs") == 0)
		return add_tmpfs_mount(l, m, ro, field, dest, err);
	if (strcmp(type, "bind") == 0) {
		const char *prop = spec_str(bo, "Propagation");

		if (!src || src[0] != '/')
			return berth_error_set(err, 0, "%s.Source: a bind mount needs an absolute host path", field);
		if (prop && !is_propagation(prop))
			return berth_error_set(err, 0, "%s.BindOptions.Propagation: invalid value '%s'", field, prop);
		return mlist_add(l, field, dest, "bind", src, bind_options(l, !spec_bool(bo, "NonRecursive"), ro, prop),
				 err);
	}
	if (strcmp(type, "volume") != 0)
		return berth_error_set(err, 0, "%s.Type: mount type '%s' is not supported", field, type);
	if (spec_str(vo, "Subpath"))
		return berth_error_set(err, 0, "%s.VolumeOptions.Subpath: not supported", field);
	if (volume_source(ctx, field, src, dest, &vol, err) < 0)
		return -1;
	return mlist_add(l, field, dest, "bind", vol, bind_options(l, true, ro, NULL), err);
}

static int add_user_mounts(struct spec_ctx *ctx, struct mlist *l, struct berth_error **err)
{
	json_t *binds = json_object_get(ctx->hc, "Binds"), *mounts = json_object_get(ctx->hc, "Mounts"), *v;
	const char *key;
	size_t i;
	char field[64];

	json_array_foreach(binds, i, v)
	{
		snprintf(field, sizeof(field), "HostConfig.Binds[%zu]", i);
		if (!json_is_string(v))
			return berth_error_set(err, 0, "%s: expected string", field);
		if (add_bind(ctx, l, json_string_value(v), field, err) < 0)
			return -1;
	}
	json_array_foreach(mounts, i, v)
	{
		snprintf(field, sizeof(field), "HostConfig.Mounts[%zu]", i);
		if (add_mount_obj(ctx, l, v, field, err) < 0)
			return -1;
	}
	json_object_foreach(json_object_get(ctx->hc, "Tmpfs"), key, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, 0, "HostConfig.Tmpfs[\"%s\"]: expected string", key);
		if (mlist_add(l, "HostConfig.Tmpfs", key, "tmpfs", "tmpfs", tmpfs_options(json_string_value(v)), err) <
		    0)
			return -1;
	}
	return 0;
}

/* Config.Volumes not covered above get their anonymous volumes; then the files Docker provides. */
static int add_engine_mounts(struct spec_ctx *ctx, struct mlist *l, struct berth_error **err)
{
	const struct eng_spec_input *in = ctx->in;
	const struct {
		const char *dest, *src;
	} files[] = {{"/etc/resolv.conf", in->resolv_conf_path},
		     {"/etc/hostname", in->hostname_path},
		     {"/etc/hosts", in->hosts_path}};
	bool ro = spec_bool(ctx->hc, "ReadonlyRootfs");
	const char *dest;
	json_t *v;

	json_object_foreach(json_object_get(ctx->config, "Volumes"), dest, v)
	{
		_cleanup_free_ char *vol = NULL, *clean = dest[0] == '/' ? fs_path_clean(dest) : NULL;

		if (clean && mlist_has(l, clean))
			continue;
		if (volume_source(ctx, "Config.Volumes", NULL, dest, &vol, err) < 0 ||
		    mlist_add(l, "Config.Volumes", dest, "bind", vol, bind_options(l, true, false, NULL), err) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i].src && !mlist_has(l, files[i].dest) &&
		    mlist_add(l, "mounts", files[i].dest, "bind", files[i].src, bind_options(l, true, ro, NULL), err) <
			    0)
			return -1;
	return 0;
}

static json_t *fs_mount(const char *dest, const char *type, const char *source, json_t *options)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", source, "options",
			 options);
}

static json_t *shm_mount(struct spec_ctx *ctx, const char *ipc, struct berth_error **err)
{
	int64_t size = spec_int(ctx->hc, "ShmSize");
	char opt[48];
	bool shared = strcmp(ipc, "shareable") == 0 || strncmp(ipc, "container:", 10) == 0;

	if (strcmp(ipc, "none") == 0)
		return json_null();
	if (strcmp(ipc, "host") == 0)
		return fs_mount("/dev/shm", "bind", "/dev/shm", json_pack("[s, s]", "rbind", "rprivate"));
	if (shared && ctx->in->shm_path)
		return fs_mount("/dev/shm", "bind", ctx->in->shm_path, json_pack("[s, s]", "rbind", "rprivate"));
	if (shared && strcmp(ipc, "shareable") != 0) {
		berth_error_set(err, 0, "HostConfig.IpcMode: '%s' needs the /dev/shm of that container", ipc);
		return NULL;
	}
	if (size < 0) {
		berth_error_set(err, 0, "HostConfig.ShmSize: must not be negative");
		return NULL;
	}
	snprintf(opt, sizeof(opt), "size=%lld", (long long)(size ? size : SHM_DEFAULT));
	return fs_mount("/dev/shm", "tmpfs", "shm",
			json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev", "mode=1777", opt));
}

/* Docker's default filesystems, minus those the container mounts over (its /dev hides all of /dev/...). */
static void add_defaults(struct spec_ctx *ctx, const struct mlist *l, json_t *mounts, json_t *shm)
{
	const char *ro = ctx->privileged ? "rw" : "ro";
	json_t *defaults = json_pack(
		"[o, o, o, o, o, o]",
		fs_mount("/proc", "proc", "proc", json_pack("[s, s, s]", "nosuid", "noexec", "nodev")),
		fs_mount("/dev", "tmpfs", "tmpfs",
			 json_pack("[s, s, s, s]", "nosuid", "strictatime", "mode=755", "size=65536k")),
		fs_mount("/dev/pts", "devpts", "devpts",
			 json_pack("[s, s, s, s, s, s]", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
				   "mode=0620", "gid=5")),
		fs_mount("/sys", "sysfs", "sysfs", json_pack("[s, s, s, s]", "nosuid", "noexec", "nodev", ro)),
		fs_mount("/sys/fs/cgroup", "cgroup", "cgroup",
			 json_pack("[s, s, s, s]", ro, "nosuid", "noexec", "nodev")),
		fs_mount("/dev/mqueue", "mqueue", "mqueue", json_pack("[s, s, s]", "nosuid", "noexec", "nodev")));
	bool has_dev = mlist_has(l, "/dev");
	json_t *m;
	size_t i;

	if (!json_is_null(shm))
		json_array_append(defaults, shm);
	json_array_foreach(defaults, i, m)
	{
		const char *dest = json_string_value(json_object_get(m, "destination"));

		if (mlist_has(l, dest) || (has_dev && strncmp(dest, "/dev/", 5) == 0))
			continue;
		json_array_append(mounts, m);
	}
	json_decref(defaults);
}

int spec_mounts_build(struct spec_ctx *ctx, json_t *spec, struct berth_error **err)
{
	struct mlist l = {0};
	const char *ipc = spec_str(ctx->hc, "IpcMode");
	json_t *mounts = NULL, *shm = NULL;
	int r = -1;

	if (add_user_mounts(ctx, &l, err) < 0 || add_engine_mounts(ctx, &l, err) < 0)
		goto out;
	if (spec_bool(ctx->hc, "Init") && ctx->in->init_path && !mlist_has(&l, "/sbin/berth-init") &&
	    mlist_add(&l, "mounts", "/sbin/berth-init", "bind", ctx->in->init_path,
		      json_pack("[s, s, s]", "bind", "ro", "rprivate"), err) < 0)
		goto out;
	shm = shm_mount(ctx, ipc ? ipc : "private", err);
	if (!shm)
		goto out;
	mounts = json_array();
	add_defaults(ctx, &l, mounts, shm);
	qsort(l.v, l.n, sizeof(*l.v), cmp_depth);
	for (size_t i = 0; i < l.n; i++)
		json_array_append(mounts, l.v[i].m);
	json_object_set_new(spec, "mounts", mounts);
	if (l.propagation)
		json_object_set_new(json_object_get(spec, "linux"), "rootfsPropagation", json_string(l.propagation));
	r = 0;
out:
	json_decref(shm);
	free(l.propagation);
	mlist_done(&l);
	return r;
}
