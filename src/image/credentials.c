/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Docker's credential file: config.json's "auths" map of registry keys to
 * base64("user:pass"); read, store and erase, written 0600 atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "base/base.h"
#include "image/registry_internal.h"

#define DOCKER_HUB_KEY "https://index.docker.io/v1/"

/* The bare host[:port] of a key or host: no scheme, no path. Caller frees. */
static char *bare_host(const char *s)
{
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	return strndup(s, strcspn(s, "/"));
}

static bool is_docker_hub(const char *host)
{
	return strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	       strcmp(host, "registry-1.docker.io") == 0;
}

char *img_cred_key(const char *host)
{
	char *h = bare_host(host);

	if (!h)
		abort();
	if (is_docker_hub(h)) {
		free(h);
		return xstrdup(DOCKER_HUB_KEY);
	}
	return h;
}

char *img_cred_default_dir(void)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (dir && *dir)
		return xstrdup(dir);
	if (home && *home)
		return fs_path_join(home, ".docker");
	return NULL;
}

/* Whether key (as written by any docker version) stands for the same registry as wanted (a key). */
static bool key_matches(const char *key, const char *wanted)
{
	_cleanup_free_ char *k = NULL;

	if (strcmp(key, wanted) == 0)
		return true;
	k = img_cred_key(key);
	return strcmp(k, wanted) == 0;
}

/* config.json as an object: a new empty one when the file is missing. */
static int config_load(const char *path, json_t **ret, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	_cleanup_free_ char *data = NULL;
	json_error_t jerr;
	json_t *root;
	size_t len;

	if (fs_read_file_at(AT_FDCWD, path, &data, &len, &e) < 0) {
		if (e->code != ENOENT)
			return berth_error_move(err, &e);
		*ret = json_object();
		return 0;
	}
	root = json_loadb(data, len, 0, &jerr);
	if (!root)
		return berth_error_set(err, 0, "config file '%s': line %d column %d: %s", path, jerr.line, jerr.column,
				       jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return berth_error_set(err, 0, "config file '%s': expected an object", path);
	}
	*ret = root;
	return 0;
}

static int config_save(const char *dir, const char *path, json_t *root, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;

	if (fs_mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
		return -1;
	data = json_dumps(root, JSON_INDENT(8));
	if (!data)
		return berth_error_set(err, ENOMEM, "config file '%s'", path);
	/* config.json holds passwords: 0600 whatever the umask */
	return fs_write_file_atomic_at(AT_FDCWD, path, data, strlen(data), 0600, err);
}

/* user and password from an "auths" entry; 0 with NULLs when it holds none. */
static int entry_credentials(const char *path, const char *key, json_t *entry, char **ret_user, char **ret_pass,
			     struct berth_error **err)
{
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	_cleanup_free_ char *plain = NULL;
	char *colon;

	if (!auth || !*auth)
		return 0;
	plain = reg_base64_decode(auth, NULL);
	colon = plain ? strchr(plain, ':') : NULL;
	if (!colon)
		return berth_error_set(err, 0, "config file '%s': invalid auth for '%s'", path, key);
	*ret_user = strndup(plain, (size_t)(colon - plain));
	*ret_pass = xstrdup(colon + 1);
	explicit_bzero(plain, strlen(plain));
	return 0;
}

int img_cred_get(const char *config_dir, const char *host, char **ret_user, char **ret_pass, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(config_dir, "config.json");
	_cleanup_free_ char *wanted = img_cred_key(host);
	json_t *root = NULL, *auths, *entry, *found = NULL;
	const char *key, *found_key = NULL;
	int ret_code;

	*ret_user = *ret_pass = NULL;
	if (config_load(path, &root, err) < 0)
		return -1;
	auths = json_object_get(root, "auths");
	/* an exact key wins over one that only normalises to the host */
	found = json_object_get(auths, wanted);
	found_key = wanted;
	json_object_foreach(auths, key, entry)
	{
		if (found)
			break;
		if (key_matches(key, wanted)) {
			found = entry;
			found_key = key;
		}
	}
	ret_code = found ? entry_credentials(path, found_key, found, ret_user, ret_pass, err) : 0;
	json_decref(root);
	return ret_code;
}

int img_cred_store(const char *config_dir, const char *host, const char *user, const char *pass,
		   struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(config_dir, "config.json");
	_cleanup_free_ char *key = img_cred_key(host);
	_cleanup_free_ char *pair = NULL, *b64 = NULL;
	json_t *root = NULL, *auths;
	int ret_code;

	if (strchr(user, ':'))
		return berth_error_set(err, EINVAL, "username '%s' may not contain ':'", user);
	if (config_load(path, &root, err) < 0)
		return -1;
	auths = json_object_get(root, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(root, "auths", auths);
	}
	pair = xasprintf("%s:%s", user, pass);
	b64 = reg_base64_encode(pair, strlen(pair));
	explicit_bzero(pair, strlen(pair));
	json_object_set_new(auths, key, json_pack("{s:s}", "auth", b64));
	ret_code = config_save(config_dir, path, root, err);
	explicit_bzero(b64, strlen(b64));
	json_decref(root);
	return ret_code;
}

int img_cred_erase(const char *config_dir, const char *host, struct berth_error **err)
{
	_cleanup_free_ char *path = fs_path_join(config_dir, "config.json");
	_cleanup_free_ char *wanted = img_cred_key(host);
	json_t *root = NULL, *auths, *entry;
	const char *key;
	void *tmp;
	int removed = 0;

	if (!fs_exists_at(AT_FDCWD, path))
		return 0;
	if (config_load(path, &root, err) < 0)
		return -1;
	auths = json_object_get(root, "auths");
	json_object_foreach_safe(auths, tmp, key, entry)
	{
		if (key_matches(key, wanted)) {
			json_object_del(auths, key);
			removed = 1;
		}
	}
	if (removed && config_save(config_dir, path, root, err) < 0)
		removed = -1;
	json_decref(root);
	return removed;
}
