/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Volumes as containers use them: Docker's Mounts array of a container (its
 * Binds, Mounts and Config.Volumes), the volumes made at create, the path
 * callback of the spec builder at start, and rm -v.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"
#include "store/store.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : NULL;
}

static bool is_type(json_t *m, const char *type)
{
	const char *t = str(m, "Type");

	return t && !strcmp(t, type);
}

char **eng_volume_refs(json_t *doc)
{
	json_t *hc = json_object_get(doc, "HostConfig"), *v;
	char **refs = xcalloc(1, sizeof(char *));
	size_t i;

	json_array_foreach(json_object_get(hc, "Binds"), i, v)
	{
		const char *s = json_string_value(v), *colon = s ? strchr(s, ':') : NULL;
		_cleanup_free_ char *name = colon && s[0] != '/' ? strndup(s, (size_t)(colon - s)) : NULL;

		if (name && *name && !strv_contains(refs, name))
			strv_push(&refs, name);
	}
	json_array_foreach(json_object_get(hc, "Mounts"), i, v)
	{
		const char *src = str(v, "Source");

		if (is_type(v, "volume") && src && !strv_contains(refs, src))
			strv_push(&refs, src);
	}
	json_array_foreach(json_object_get(doc, "Mounts"), i, v)
	{
		const char *name = str(v, "Name");

		if (is_type(v, "volume") && name && !strv_contains(refs, name))
			strv_push(&refs, name);
	}
	return refs;
}

/* ---- the plan ---- */

static json_t *mount_entry(const char *type, const char *name, const char *source, const char *dest, const char *mode,
			   bool rw, const char *propagation)
{
	_cleanup_free_ char *clean = fs_path_clean(dest);
	json_t *m = json_pack("{s:s}", "Type", type);

	if (!strcmp(type, "volume"))
		json_object_set_new(m, "Name", json_string(name ? name : ""));
	json_object_set_new(m, "Source", json_string(source ? source : ""));
	json_object_set_new(m, "Destination", json_string(clean));
	if (!strcmp(type, "volume"))
		json_object_set_new(m, "Driver", json_string("local"));
	json_object_set_new(m, "Mode", json_string(mode ? mode : ""));
	json_object_set_new(m, "RW", json_boolean(rw));
	json_object_set_new(m, "Propagation", json_string(propagation ? propagation : ""));
	return m;
}

/* The propagation word of a bind mode ("ro,rshared" → "rshared"), NULL when none. */
static const char *mode_propagation(const char *mode)
{
	static const char *const p[] = {"rshared", "rslave", "rprivate", "shared", "slave", "private"};

	for (size_t i = 0; mode && i < sizeof(p) / sizeof(p[0]); i++) {
		const char *hit = strstr(mode, p[i]);

		if (hit && (hit == mode || hit[-1] == ',') && (hit[strlen(p[i])] == ',' || !hit[strlen(p[i])]))
			return p[i];
	}
	return NULL;
}

static bool mode_has(const char *mode, const char *word)
{
	const char *hit = mode ? strstr(mode, word) : NULL;

	return hit && (hit == mode || hit[-1] == ',') && (hit[strlen(word)] == ',' || !hit[strlen(word)]);
}

static int plan_bind(json_t *out, const char *spec, size_t idx, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *parts[3] = {copy, NULL, NULL}, *p = copy;
	size_t n = 1;

	while (n < 3 && (p = strchr(p, ':'))) {
		*p++ = '\0';
		parts[n++] = p;
	}
	if ((n == 3 && strchr(parts[2], ':')) || !*parts[0] || (n > 1 && parts[1][0] != '/') ||
	    (n == 1 && parts[0][0] != '/'))
		return berth_error_set(err, 0, "HostConfig.Binds[%zu]: invalid volume specification '%s'", idx, spec);
	if (n == 1) {
		json_array_append_new(out, mount_entry("volume", NULL, NULL, parts[0], "", true, ""));
		return 0;
	}
	if (parts[0][0] == '/') {
		const char *prop = mode_propagation(parts[2]);

		json_array_append_new(out, mount_entry("bind", NULL, parts[0], parts[1], parts[2] ? parts[2] : "",
						       !mode_has(parts[2], "ro"), prop ? prop : "rprivate"));
		return 0;
	}
	if (!eng_volume_name_valid(parts[0]))
		return berth_error_set(err, 0,
				       "create %s: \"%s\" includes invalid characters for a local volume name, only "
				       "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
				       "directory, use absolute path",
				       parts[0], parts[0]);
	json_array_append_new(out, mount_entry("volume", parts[0], NULL, parts[1], parts[2] ? parts[2] : "z",
					       !mode_has(parts[2], "ro"), ""));
	return 0;
}

static int plan_mount(json_t *out, json_t *m, size_t idx, struct berth_error **err)
{
	const char *type = str(m, "Type"), *src = str(m, "Source"), *dst = str(m, "Target");
	bool rw = !json_is_true(json_object_get(m, "ReadOnly"));
	const char *prop = str(json_object_get(m, "BindOptions"), "Propagation");

	if (!type || !dst || dst[0] != '/')
		return berth_error_set(err, 0, "HostConfig.Mounts[%zu]: a type and an absolute target are needed", idx);
	if (!strcmp(type, "bind"))
		json_array_append_new(out, mount_entry("bind", NULL, src, dst, "", rw, prop ? prop : "rprivate"));
	else if (!strcmp(type, "volume")) {
		if (src && !eng_volume_name_valid(src))
			return berth_error_set(err, 0,
					       "HostConfig.Mounts[%zu]: '%s' includes invalid characters for a local "
					       "volume name",
					       idx, src);
		json_array_append_new(out, mount_entry("volume", src, NULL, dst, "z", rw, ""));
	} else if (!strcmp(type, "tmpfs"))
		json_array_append_new(out, mount_entry("tmpfs", NULL, NULL, dst, "", rw, ""));
	return 0;
}

static bool has_dest(json_t *mounts, const char *dest)
{
	_cleanup_free_ char *clean = fs_path_clean(dest);
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i,
			   m) if (str(m, "Destination") && !strcmp(str(m, "Destination"), clean)) return true;
	return false;
}

int eng_volume_mounts_plan(json_t *config, json_t *host_config, json_t **ret, struct berth_error **err)
{
	json_t *out = json_array(), *v;
	const char *dest;
	size_t i;

	json_array_foreach(json_object_get(host_config, "Binds"), i, v)
	{
		if (!json_is_string(v) || plan_bind(out, json_string_value(v), i, err) < 0)
			goto fail;
	}
	json_array_foreach(json_object_get(host_config, "Mounts"), i, v)
	{
		if (plan_mount(out, v, i, err) < 0)
			goto fail;
	}
	json_object_foreach(json_object_get(host_config, "Tmpfs"), dest, v)
	{
		if (dest[0] == '/' && !has_dest(out, dest))
			json_array_append_new(out, mount_entry("tmpfs", NULL, NULL, dest, "", true, ""));
	}
	json_object_foreach(json_object_get(config, "Volumes"), dest, v)
	{
		if (dest[0] == '/' && !has_dest(out, dest))
			json_array_append_new(out, mount_entry("volume", NULL, NULL, dest, "", true, ""));
	}
	*ret = out;
	return 0;
fail:
	if (err && !*err)
		berth_error_set(err, 0, "HostConfig.Binds[%zu]: expected string", i);
	json_decref(out);
	return -1;
}

/* ---- create and remove ---- */

int eng_volumes_for_container(struct eng *e, json_t *doc, struct berth_error **err)
{
	json_t *mounts = NULL, *m;
	_cleanup_strv_ char **made = NULL;
	size_t i;

	if (eng_volume_mounts_plan(json_object_get(doc, "Config"), json_object_get(doc, "HostConfig"), &mounts, err) <
	    0)
		return -1;
	json_array_foreach(mounts, i, m)
	{
		const char *name = str(m, "Name");
		_cleanup_free_ char *got = NULL, *data = NULL;
		struct db_volume have = {0};
		struct eng_volume_create_opts o = {.name = name, .anonymous = !name};

		if (!is_type(m, "volume"))
			continue;
		if (name && db_volume_get(e->db, name, &have, err) < 0)
			goto fail;
		if (!have.name) {
			if (eng_volume_create(e, &o, &got, err) < 0)
				goto fail;
			strv_push(&made, got);
		}
		db_volume_done(&have);
		data = eng_volume_data_path(e, name ? name : got);
		json_object_set_new(m, "Name", json_string(name ? name : got));
		json_object_set_new(m, "Source", json_string(data));
	}
	json_object_set_new(doc, "Mounts", mounts);
	return 0;
fail:
	for (size_t j = 0; made && made[j]; j++)
		eng_volume_remove(e, made[j], true, NULL);
	json_decref(mounts);
	return -1;
}

void eng_volumes_remove_anonymous(struct eng *e, json_t *doc)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(doc, "Mounts"), i, m)
	{
		const char *name = str(m, "Name");
		struct db_volume v = {0};

		if (!name || !is_type(m, "volume") || db_volume_get(e->db, name, &v, NULL) < 0)
			continue;
		if (v.name && v.anonymous)
			eng_volume_remove(e, name, true, NULL);
		db_volume_done(&v);
	}
}

/* ---- at start ---- */

/* The Mounts entry of the volume at dest (cleaned). */
static json_t *mount_at(json_t *doc, const char *dest)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(doc, "Mounts"), i, m)
	{
		const char *d = str(m, "Destination");

		if (d && !strcmp(d, dest) && is_type(m, "volume"))
			return m;
	}
	return NULL;
}

/* Whether the mount at dest asks for no copy: a "nocopy" bind mode or VolumeOptions.NoCopy. */
static bool wants_nocopy(json_t *doc, const char *dest)
{
	json_t *hc = json_object_get(doc, "HostConfig"), *v;
	size_t i;

	json_array_foreach(json_object_get(hc, "Mounts"), i, v)
	{
		_cleanup_free_ char *t = str(v, "Target") ? fs_path_clean(str(v, "Target")) : NULL;

		if (t && !strcmp(t, dest) &&
		    json_is_true(json_object_get(json_object_get(v, "VolumeOptions"), "NoCopy")))
			return true;
	}
	json_array_foreach(json_object_get(hc, "Binds"), i, v)
	{
		const char *s = json_string_value(v), *c1 = s ? strchr(s, ':') : NULL,
			   *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		_cleanup_free_ char *d = c2 ? strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : NULL;
		_cleanup_free_ char *clean = d && d[0] == '/' ? fs_path_clean(d) : NULL;

		if (clean && !strcmp(clean, dest) && mode_has(c2 + 1, "nocopy"))
			return true;
	}
	return false;
}

static json_t *shift_hc; /* nftw has no user data: the mappings of shift_tree's walk */

static int shift_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	long long uid = eng_idmap_host_id(shift_hc, "UIDMap", st->st_uid);
	long long gid = eng_idmap_host_id(shift_hc, "GIDMap", st->st_gid);

	if (uid >= 0 && gid >= 0 && lchown(path, (uid_t)uid, (gid_t)gid) < 0)
		return -1;
	return 0;
}

/*
 * --uidmap: a volume filled now belongs to the container's ids, shifted as
 * its idmapped layers are (Podman's way), so that the container's root,
 * an unprivileged host id, owns what it finds there and can write.
 */
static int shift_tree(struct eng_volume_ctx *ctx, const char *data, struct berth_error **err)
{
	json_t *hc = json_object_get(ctx->doc, "HostConfig");

	if (!json_object_get(hc, "BerthIDMappings"))
		return 0;
	shift_hc = hc;
	if (nftw(data, shift_one, 16, FTW_PHYS) != 0)
		return berth_error_set(err, errno, "give the volume '%s' to the container's user namespace", data);
	return 0;
}

/* dockerd's copy-up: an empty volume gets what the image has at dest (and, with --uidmap, the container's ids). */
static int copy_up(struct eng_volume_ctx *ctx, const char *dest, const char *data, struct berth_error **err)
{
	_cleanup_close_ int src = -1, dst = -1;

	if (!vol_is_empty(data))
		return 0;
	if (ctx->rootfs_fd < 0 || wants_nocopy(ctx->doc, dest))
		return shift_tree(ctx, data, err);
	src = fs_open_in_root(ctx->rootfs_fd, dest, O_RDONLY | O_DIRECTORY, 0, NULL);
	if (src < 0)
		return shift_tree(ctx, data, err); /* nothing (or no directory) there in the image */
	dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return berth_error_set(err, errno, "open '%s'", data);
	if (vol_copy_tree(src, dst, err) < 0)
		return berth_error_wrap(err, "copy the image's '%s' into the volume", dest);
	return shift_tree(ctx, data, err);
}

char *eng_volume_path_cb(void *userdata, const char *name, const char *dest, struct berth_error **err)
{
	struct eng_volume_ctx *ctx = userdata;
	_cleanup_free_ char *clean = fs_path_clean(dest), *made = NULL, *data = NULL;
	struct db_volume v = {0};
	json_t *options;
	int r;

	if (!name) {
		name = str(mount_at(ctx->doc, clean), "Name");
		if (!name)
			return berth_error_set(err, 0, "no volume recorded for '%s'", clean), NULL;
	}
	if (db_volume_get(ctx->e->db, name, &v, err) < 0)
		return NULL;
	if (!v.name) {
		struct eng_volume_create_opts o = {.name = name};

		if (eng_volume_create(ctx->e, &o, &made, err) < 0 || db_volume_get(ctx->e->db, name, &v, err) < 0)
			return NULL;
	}
	data = eng_volume_data_path(ctx->e, name);
	options = json_loads(v.options ? v.options : "{}", 0, NULL);
	r = vol_mount_device(options, data, err);
	json_decref(options);
	db_volume_done(&v);
	if (r < 0 || copy_up(ctx, clean, data, err) < 0)
		return NULL;
	return TAKE_PTR(data);
}

/* Whether a running container other than id refers to the volume. */
static bool used_elsewhere(struct db_container *cs, size_t n, const char *id, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		json_t *st = cs[i].state ? json_loads(cs[i].state, 0, NULL) : NULL;
		json_t *doc = cs[i].doc ? json_loads(cs[i].doc, 0, NULL) : NULL;
		const char *status = json_string_value(json_object_get(st, "Status"));
		bool running = status && (!strcmp(status, "running") || !strcmp(status, "paused") ||
					  !strcmp(status, "restarting"));
		_cleanup_strv_ char **refs = running && doc && strcmp(cs[i].id, id) ? eng_volume_refs(doc) : NULL;

		json_decref(st);
		json_decref(doc);
		if (refs && strv_contains(refs, name))
			return true;
	}
	return false;
}

void eng_volumes_release(struct eng *e, const char *id, json_t *doc)
{
	_cleanup_strv_ char **refs = eng_volume_refs(doc);
	struct db_container *cs = NULL;
	size_t n = 0;

	if (db_container_list(e->db, &cs, &n, NULL) < 0)
		return;
	for (size_t i = 0; refs[i]; i++) {
		_cleanup_free_ char *data = eng_volume_data_path(e, refs[i]);

		if (vol_is_mounted(data) && !used_elsewhere(cs, n, id, refs[i]))
			umount2(data, MNT_DETACH);
	}
	db_containers_free(cs, n);
}
