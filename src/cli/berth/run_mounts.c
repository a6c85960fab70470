/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -v/--volume and --mount of `berth run`: docker's volume specs and mount csv, into Binds/Volumes/Mounts. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/options.h"
#include "cli/berth/run_parse.h"

/* "." and "./x" as docker's CLI turns them absolute (filepath.Abs); others copied. */
static char *abs_if_dot(const char *src)
{
	char cwd[PATH_MAX];
	_cleanup_free_ char *joined = NULL;

	if (strcmp(src, ".") != 0 && strncmp(src, "./", 2) != 0)
		return xstrdup(src);
	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(src);
	joined = fs_path_join(cwd, src);
	return fs_path_clean(joined);
}

/* The daemon's linux ValidMountMode: comma list, at most one of each kind. */
static bool volume_mode_valid(const char *mode)
{
	static const char *const kinds[] = {"rw ro", "z Z", "shared slave private rshared rslave rprivate", "nocopy",
					    "consistent cached delegated default"};
	int count[5] = {0, 0, 0, 0, 0};
	_cleanup_free_ char *copy = xstrdup(mode);
	char *save = NULL;

	if (!*mode)
		return true;
	if (mode[0] == ',' || mode[strlen(mode) - 1] == ',' || strstr(mode, ",,"))
		return false;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		size_t k = 0, n = strlen(o);

		for (; k < 5; k++) {
			const char *hit = strstr(kinds[k], o);

			if (hit && (hit == kinds[k] || hit[-1] == ' ') && (hit[n] == ' ' || hit[n] == '\0'))
				break;
		}
		if (k == 5 || ++count[k] > 1)
			return false;
	}
	return true;
}

int bcli_run_volume_add(const char *spec, json_t *binds, json_t *volumes, struct berth_error **err)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	_cleanup_free_ char *src = NULL, *dst = NULL, *mode = NULL, *bind = NULL;

	if (!*spec || *spec == ':' || (c2 && strchr(c2 + 1, ':')))
		return berth_error_set(err, 0, "invalid volume specification: '%s'", spec);
	if (!c1)
		dst = xstrdup(spec);
	else
		src = strndup(spec, (size_t)(c1 - spec));
	if (c1 && !c2) {
		dst = xstrdup(c1 + 1);
		if (volume_mode_valid(dst))
			/* "/foo:rw": a destination and a mode, but volumes take no mode */
			return berth_error_set(err, 0, "invalid volume specification: '%s'", spec);
	} else if (c2) {
		dst = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
		mode = xstrdup(c2 + 1);
		if (!volume_mode_valid(mode))
			return berth_error_set(err, 0, "invalid mode: %s", mode);
	}
	if (!*dst)
		return berth_error_set(err, 0, "invalid volume specification: '%s'", spec);
	if (*dst != '/')
		return berth_error_set(err, 0,
				       "invalid volume specification: '%s': invalid mount config for type \"%s\": "
				       "invalid mount path: '%s' mount path must be absolute",
				       spec, src && *src == '/' ? "bind" : "volume", dst);
	if (!src) {
		json_object_set_new(volumes, dst, json_object());
		return 0;
	}
	bind = abs_if_dot(src);
	json_array_append_new(binds, json_sprintf("%s:%s%s%s", bind, dst, mode ? ":" : "", mode ? mode : ""));
	return 0;
}

/* One csv field at *p (quoted or not) into a new string; *p moves past it. */
static int csv_field(const char **p, const char *start, char **ret, struct berth_error **err)
{
	struct buf b = {NULL, 0, 0};
	const char *s = *p;

	buf_puts(&b, "");
	if (*s != '"') {
		size_t n = strcspn(s, ",");
		const char *q = memchr(s, '"', n);

		if (q) {
			buf_done(&b);
			return berth_error_set(err, 0, "parse error on line 1, column %d: bare \" in non-quoted-field",
					       (int)(q - start) + 1);
		}
		buf_append(&b, s, n);
		*p = s + n;
		*ret = buf_steal(&b);
		return 0;
	}
	for (s++;; s++) {
		if (*s == '\0' || (s[0] == '"' && s[1] != '"' && s[1] != ',' && s[1] != '\0')) {
			buf_done(&b);
			return berth_error_set(
				err, 0, "parse error on line 1, column %d: extraneous or missing \" in quoted-field",
				(int)(s - start) + (*s ? 2 : 1));
		}
		if (s[0] == '"' && s[1] == '"') {
			buf_puts(&b, "\"");
			s++;
		} else if (s[0] == '"') {
			break;
		} else {
			buf_append(&b, s, 1);
		}
	}
	*p = s + 1;
	*ret = buf_steal(&b);
	return 0;
}

int bcli_run_csv_split(const char *s, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **fields = NULL;
	const char *p = s;

	if (!*s)
		return berth_error_set(err, 0, "EOF");
	for (;;) {
		char *f = NULL;

		if (csv_field(&p, s, &f, err) < 0)
			return -1;
		strv_push_take(&fields, f);
		if (*p != ',')
			break;
		p++;
	}
	*ret = TAKE_PTR(fields);
	return 0;
}

/* Lazily made sub-objects of a mount, as docker's MountOpt creates them. */
static json_t *sub(json_t *m, const char *key)
{
	json_t *o = json_object_get(m, key);

	if (!o) {
		o = json_object();
		json_object_set_new(m, key, o);
		if (strcmp(key, "VolumeOptions") == 0)
			json_object_set_new(o, "DriverConfig", json_object());
	}
	return o;
}

static void map_set(json_t *parent, const char *key, const char *kv)
{
	const char *eq = strchr(kv, '=');
	json_t *map = json_object_get(parent, key);
	_cleanup_free_ char *k = eq ? strndup(kv, (size_t)(eq - kv)) : xstrdup(kv);

	if (!*k)
		return;
	if (!map) {
		map = json_object();
		json_object_set_new(parent, key, map);
	}
	json_object_set_new(map, k, json_string(eq ? eq + 1 : ""));
}

/* A key without "=": readonly/ro, volume-nocopy, bind-nonrecursive. */
static int mount_flag(json_t *m, const char *key, const char *field, struct berth_error **err)
{
	if (!strcmp(key, "readonly") || !strcmp(key, "ro"))
		json_object_set_new(m, "ReadOnly", json_true());
	else if (!strcmp(key, "volume-nocopy"))
		json_object_set_new(sub(m, "VolumeOptions"), "NoCopy", json_true());
	else if (!strcmp(key, "bind-nonrecursive"))
		json_object_set_new(sub(m, "BindOptions"), "NonRecursive", json_true());
	else
		return berth_error_set(err, 0, "invalid field '%s' must be a key=value pair", field);
	return 0;
}

static int mount_bool(json_t *obj, const char *name, const char *key, const char *val, struct berth_error **err)
{
	bool b;

	if (bcli_parse_bool(val, &b) < 0)
		return berth_error_set(err, 0, "invalid value for %s: %s", key, val);
	json_object_set_new(obj, name, json_boolean(b));
	return 0;
}

static int mount_key(json_t *m, const char *key, const char *val, const char *field, struct berth_error **err)
{
	int64_t size;
	uint64_t mode;

	if (!strcmp(key, "type")) {
		_cleanup_free_ char *t = xstrdup(val);

		for (char *c = t; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		json_object_set_new(m, "Type", json_string(t));
	} else if (!strcmp(key, "source") || !strcmp(key, "src")) {
		_cleanup_free_ char *abs = abs_if_dot(val);

		json_object_set_new(m, "Source", json_string(abs));
	} else if (!strcmp(key, "target") || !strcmp(key, "dst") || !strcmp(key, "destination")) {
		json_object_set_new(m, "Target", json_string(val));
	} else if (!strcmp(key, "readonly") || !strcmp(key, "ro")) {
		return mount_bool(m, "ReadOnly", key, val, err);
	} else if (!strcmp(key, "consistency")) {
		json_object_set_new(m, "Consistency", json_string(val));
	} else if (!strcmp(key, "bind-propagation")) {
		json_object_set_new(sub(m, "BindOptions"), "Propagation", json_string(val));
	} else if (!strcmp(key, "bind-nonrecursive")) {
		return mount_bool(sub(m, "BindOptions"), "NonRecursive", key, val, err);
	} else if (!strcmp(key, "volume-driver")) {
		json_object_set_new(json_object_get(sub(m, "VolumeOptions"), "DriverConfig"), "Name", json_string(val));
	} else if (!strcmp(key, "volume-opt")) {
		map_set(json_object_get(sub(m, "VolumeOptions"), "DriverConfig"), "Options", val);
	} else if (!strcmp(key, "volume-label")) {
		map_set(sub(m, "VolumeOptions"), "Labels", val);
	} else if (!strcmp(key, "volume-nocopy")) {
		return mount_bool(sub(m, "VolumeOptions"), "NoCopy", key, val, err);
	} else if (!strcmp(key, "tmpfs-size")) {
		if (bcli_run_parse_ram(val, &size, NULL) < 0)
			return berth_error_set(err, 0, "invalid value for %s: %s", key, val);
		json_object_set_new(sub(m, "TmpfsOptions"), "SizeBytes", json_integer(size));
	} else if (!strcmp(key, "tmpfs-mode")) {
		if (!*val || strspn(val, "01234567") != strlen(val) || strlen(val) > 11 ||
		    (mode = strtoull(val, NULL, 8)) > UINT32_MAX)
			return berth_error_set(err, 0, "invalid value for %s: %s", key, val);
		json_object_set_new(sub(m, "TmpfsOptions"), "Mode", json_integer((json_int_t)mode));
	} else {
		return berth_error_set(err, 0, "unexpected key '%s' in '%s'", key, field);
	}
	return 0;
}

static int mount_check(json_t *m, struct berth_error **err)
{
	static const struct {
		const char *field, *prefix, *type;
	} mixes[] = {{"VolumeOptions", "volume", "volume"},
		     {"BindOptions", "bind", "bind"},
		     {"TmpfsOptions", "tmpfs", "tmpfs"}};
	const char *type = json_string_value(json_object_get(m, "Type"));

	if (!*type)
		return berth_error_set(err, 0, "type is required");
	if (!json_object_get(m, "Target") || !*json_string_value(json_object_get(m, "Target")))
		return berth_error_set(err, 0, "target is required");
	for (size_t i = 0; i < sizeof(mixes) / sizeof(mixes[0]); i++)
		if (json_object_get(m, mixes[i].field) && strcmp(type, mixes[i].type) != 0)
			return berth_error_set(err, 0, "cannot mix '%s-*' options with mount type '%s'",
					       mixes[i].prefix, type);
	return 0;
}

int bcli_run_parse_mount(const char *csv, json_t **ret, struct berth_error **err)
{
	_cleanup_strv_ char **fields = NULL;
	json_t *m;

	if (bcli_run_csv_split(csv, &fields, err) < 0)
		return -1;
	m = json_pack("{s:s}", "Type", "volume");
	for (size_t i = 0; fields[i]; i++) {
		char *eq = strchr(fields[i], '=');
		_cleanup_free_ char *key = eq ? strndup(fields[i], (size_t)(eq - fields[i])) : xstrdup(fields[i]);
		int r;

		for (char *c = key; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		r = eq ? mount_key(m, key, eq + 1, fields[i], err) : mount_flag(m, key, fields[i], err);
		if (r < 0) {
			json_decref(m);
			return -1;
		}
	}
	if (mount_check(m, err) < 0) {
		json_decref(m);
		return -1;
	}
	*ret = m;
	return 0;
}
