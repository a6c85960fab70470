/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: merging an image's config into a new container's Config, as dockerd does at create. */
#include <string.h>

#include "base/base.h"
#include "engine/spec_internal.h"

/* Docker's StrSlice: an array of strings, a lone string, or null. A lone string becomes an array. */
static int check_strv(json_t *obj, const char *key, const char *what, bool fix, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key), *e;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (fix && json_is_string(v)) {
		json_object_set_new(obj, key, json_pack("[O]", v));
		return 0;
	}
	if (!json_is_array(v))
		return berth_error_set(err, 0, "%s.%s: expected an array of strings", what, key);
	json_array_foreach(v, i, e) if (!json_is_string(e)) return berth_error_set(
		err, 0, "%s.%s[%zu]: expected string", what, key, i);
	return 0;
}

static int check_object(json_t *obj, const char *key, const char *what, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v && !json_is_null(v) && !json_is_object(v))
		return berth_error_set(err, 0, "%s.%s: expected object", what, key);
	return 0;
}

/* fix: turn lone strings into arrays (the container's Config only; the image's is borrowed). */
static int check_types(json_t *c, const char *what, bool fix, struct berth_error **err)
{
	static const char *const strvs[] = {"Env", "Cmd", "Entrypoint"};
	static const char *const objs[] = {"ExposedPorts", "Volumes", "Labels", "Healthcheck"};

	for (size_t i = 0; i < sizeof(strvs) / sizeof(strvs[0]); i++)
		if (check_strv(c, strvs[i], what, fix, err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		if (check_object(c, objs[i], what, err) < 0)
			return -1;
	return 0;
}

static size_t array_len(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_array(v) ? json_array_size(v) : 0;
}

static size_t object_len(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_object(v) ? json_object_size(v) : 0;
}

static void copy_field(json_t *dst, json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	if (v)
		json_object_set_new(dst, key, json_deep_copy(v));
}

static bool same_env_key(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");

	return la == lb && memcmp(a, b, la) == 0;
}

/* The image's entries whose key the container does not set are appended, in the image's order. */
static void merge_env(json_t *c, json_t *img)
{
	json_t *user = json_object_get(c, "Env"), *ie, *ue;
	size_t i, j;

	if (array_len(c, "Env") == 0) {
		copy_field(c, img, "Env");
		return;
	}
	json_array_foreach(json_object_get(img, "Env"), i, ie)
	{
		bool found = false;

		json_array_foreach(user, j, ue) if (same_env_key(json_string_value(ie), json_string_value(ue)))
		{
			found = true;
			break;
		}
		if (!found)
			json_array_append_new(user, json_deep_copy(ie));
	}
}

/* ExposedPorts and Volumes: the image's keys join the container's. */
static void merge_set(json_t *c, json_t *img, const char *key)
{
	json_t *user = json_object_get(c, key), *v;
	const char *k;

	if (object_len(c, key) == 0) {
		copy_field(c, img, key);
		return;
	}
	json_object_foreach(json_object_get(img, key), k, v) if (!json_object_get(user, k))
		json_object_set_new(user, k, json_object());
}

static void merge_labels(json_t *c, json_t *img)
{
	json_t *labels = json_object_get(c, "Labels"), *v;
	const char *k;

	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(c, "Labels", labels);
	}
	json_object_foreach(json_object_get(img, "Labels"), k, v) if (!json_object_get(labels, k))
		json_object_set_new(labels, k, json_deep_copy(v));
}

/* Entrypoint [""] (docker run --entrypoint "") means "none", and keeps the image's Cmd out. */
static void merge_command(json_t *c, json_t *img)
{
	json_t *ep = json_object_get(c, "Entrypoint");

	if (array_len(c, "Entrypoint") == 0) {
		if (array_len(c, "Cmd") == 0) {
			copy_field(c, img, "Cmd");
			copy_field(c, img, "ArgsEscaped");
		}
		if (!ep || json_is_null(ep))
			copy_field(c, img, "Entrypoint");
	}
	ep = json_object_get(c, "Entrypoint");
	if (json_array_size(ep) == 1 && strcmp(json_string_value(json_array_get(ep, 0)), "") == 0)
		json_object_set_new(c, "Entrypoint", json_null());
}

static void merge_healthcheck(json_t *c, json_t *img)
{
	static const char *const nums[] = {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"};
	json_t *ihc = json_object_get(img, "Healthcheck"), *uhc = json_object_get(c, "Healthcheck");

	if (!json_is_object(ihc))
		return;
	if (!json_is_object(uhc)) {
		json_object_set_new(c, "Healthcheck", json_deep_copy(ihc));
		return;
	}
	if (array_len(uhc, "Test") == 0)
		copy_field(uhc, ihc, "Test");
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (json_integer_value(json_object_get(uhc, nums[i])) == 0)
			copy_field(uhc, ihc, nums[i]);
}

static void merge_string(json_t *c, json_t *img, const char *key)
{
	if (!spec_str(c, key) && spec_str(img, key))
		copy_field(c, img, key);
}

int eng_spec_merge_image(json_t *config, json_t *image_config, struct berth_error **err)
{
	if (!json_is_object(config))
		return berth_error_set(err, 0, "Config: expected object");
	if (check_types(config, "Config", true, err) < 0)
		return -1;
	if (!image_config || json_is_null(image_config)) {
		merge_command(config, NULL);
		return 0;
	}
	if (!json_is_object(image_config))
		return berth_error_set(err, 0, "image config: expected object");
	if (check_types(image_config, "image config", false, err) < 0)
		return -1;
	merge_string(config, image_config, "User");
	merge_set(config, image_config, "ExposedPorts");
	merge_env(config, image_config);
	merge_labels(config, image_config);
	merge_command(config, image_config);
	merge_healthcheck(config, image_config);
	merge_string(config, image_config, "WorkingDir");
	merge_set(config, image_config, "Volumes");
	merge_string(config, image_config, "StopSignal");
	return 0;
}
