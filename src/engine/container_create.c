/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker create: the request body (Config, HostConfig) becomes a container
 * record with the image's config merged in, a directory with the overlay's
 * upper and work directories and the files the engine writes for it
 * (hostname, hosts, resolv.conf), and a row. Nothing is left on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "store/store.h"

#define CONFIG_MAX (8u << 20)

static json_t *initial_state(void)
{
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status", ENG_STATUS_CREATED,
			 "Running", 0, "Paused", 0, "Restarting", 0, "OOMKilled", 0, "Dead", 0, "Pid", 0, "ExitCode", 0,
			 "Error", "", "StartedAt", ENG_TIME_ZERO, "FinishedAt", ENG_TIME_ZERO);
}

/* The image's "config" object (may be absent), read from its config blob. */
static int image_config(struct eng *e, const char *image_id, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	json_error_t jerr;
	json_t *all;

	if (img_blob_read_stored(e->store, image_id, CONFIG_MAX, &data, &len, err) < 0)
		return -1;
	all = json_loadb(data, len, 0, &jerr);
	if (!all)
		return berth_error_set(err, 0, "image %s: config: %s", image_id, jerr.text);
	*ret = json_incref(json_object_get(all, "config"));
	json_decref(all);
	return 0;
}

/* Path and Args from Entrypoint + Cmd, as dockerd: "No command specified" when both are empty. */
static int command_of(json_t *config, json_t **ret_path, json_t **ret_args, struct berth_error **err)
{
	json_t *all = json_array(), *v;
	size_t i;

	json_array_foreach(json_object_get(config, "Entrypoint"), i, v) json_array_append(all, v);
	json_array_foreach(json_object_get(config, "Cmd"), i, v) json_array_append(all, v);
	if (json_array_size(all) == 0 || !json_is_string(json_array_get(all, 0))) {
		json_decref(all);
		return berth_error_set(err, 0, "No command specified");
	}
	*ret_path = json_incref(json_array_get(all, 0));
	json_array_remove(all, 0);
	*ret_args = all;
	return 0;
}

/* A free generated name (docker retries with a digit appended). */
static int pick_name(struct eng *e, const char *name, char **ret, struct berth_error **err)
{
	if (name) {
		if (name[0] == '/')
			name++;
		if (eng_name_validate(name, err) < 0)
			return -1;
		*ret = xstrdup(name);
		return 0;
	}
	for (unsigned retry = 0; retry < 10; retry++) {
		_cleanup_free_ char *cand = eng_name_generate(retry), *holder = NULL;

		if (db_container_id_by_name(e->db, cand, &holder, err) < 0)
			return -1;
		if (!holder) {
			*ret = TAKE_PTR(cand);
			return 0;
		}
	}
	return berth_error_set(err, 0, "could not generate a free container name");
}

/* A fresh id whose short form (12 digits) no container has, and no directory yet. */
static int new_id(struct eng *e, char id[65], struct berth_error **err)
{
	for (;;) {
		_cleanup_strv_ char **taken = NULL;
		_cleanup_free_ char *dir = NULL;
		char short_id[13];

		eng_id_generate(id);
		snprintf(short_id, sizeof(short_id), "%.12s", id);
		if (db_container_ids_by_prefix(e->db, short_id, 1, &taken, err) < 0)
			return -1;
		dir = eng_ctr_dir(e, id);
		if (!taken[0] && !fs_exists_at(AT_FDCWD, dir))
			return 0;
	}
}

/* Insert the row; a generated name another create took since pick_name is picked again, as docker retries. */
static int insert_row(struct eng *e, struct db_container *row, json_t *doc, bool generated, char **name,
		      struct berth_error **err)
{
	for (unsigned retry = 0;; retry++) {
		_cleanup_free_ char *doc_s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		_cleanup_error_ struct berth_error *conflict = NULL;

		row->name = *name;
		row->doc = doc_s;
		if (db_container_insert(e->db, row, &conflict) == 0)
			return 0;
		if (!generated || retry >= 10 || conflict->code != EEXIST)
			return berth_error_move(err, &conflict);
		free(*name);
		*name = NULL;
		if (pick_name(e, NULL, name, err) < 0)
			return -1;
		json_object_set_new(doc, "Name", json_sprintf("/%s", *name));
	}
}

static json_t *build_doc(struct eng *e, const char *id, const char *name, const char *image_id, json_t *config,
			 json_t *host_config, json_t *path, json_t *args, const char *created)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, id);
	json_t *doc = json_object();

	json_object_set_new(doc, "Id", json_string(id));
	json_object_set_new(doc, "Created", json_string(created));
	json_object_set_new(doc, "Path", path);
	json_object_set_new(doc, "Args", args);
	json_object_set_new(doc, "Image", json_string(image_id));
	json_object_set_new(doc, "ResolvConfPath", json_sprintf("%s/resolv.conf", dir));
	json_object_set_new(doc, "HostnamePath", json_sprintf("%s/hostname", dir));
	json_object_set_new(doc, "HostsPath", json_sprintf("%s/hosts", dir));
	json_object_set_new(doc, "LogPath", json_sprintf("%s/%s-json.log", dir, id));
	json_object_set_new(doc, "Name", json_sprintf("/%s", name));
	json_object_set_new(doc, "Driver", json_string("overlay2"));
	json_object_set_new(doc, "Platform", json_string("linux"));
	json_object_set_new(doc, "MountLabel", json_string(""));
	json_object_set_new(doc, "ProcessLabel", json_string(""));
	json_object_set_new(doc, "AppArmorProfile", json_string(""));
	json_object_set_new(doc, "ExecIDs", json_null());
	json_object_set(doc, "HostConfig", host_config);
	json_object_set(doc, "Config", config);
	return doc;
}

/* Defaults dockerd fills in: Hostname (the short id), LogConfig, NetworkMode, RestartPolicy. */
static void fill_defaults(const char *id, json_t *config, json_t *hc)
{
	const char *hostname = json_string_value(json_object_get(config, "Hostname"));
	json_t *log = json_object_get(hc, "LogConfig");

	if (!hostname || !*hostname)
		json_object_set_new(config, "Hostname", json_sprintf("%.12s", id));
	if (!json_is_object(log) || !json_string_length(json_object_get(log, "Type")))
		json_object_set_new(hc, "LogConfig", json_pack("{s:s, s:{}}", "Type", "json-file", "Config"));
	if (!json_string_length(json_object_get(hc, "NetworkMode")))
		json_object_set_new(hc, "NetworkMode", json_string("default"));
	if (!json_is_object(json_object_get(hc, "RestartPolicy")))
		json_object_set_new(hc, "RestartPolicy", json_pack("{s:s, s:i}", "Name", "no", "MaximumRetryCount", 0));
}

int eng_ctr_create(struct eng *e, json_t *body, const char *name, char **ret_id, char ***ret_warnings,
		   struct berth_error **err)
{
	json_t *config = json_object_get(body, "Config"), *hc = json_object_get(body, "HostConfig");
	_cleanup_free_ char *image_id = NULL, *final_name = NULL, *created = NULL, *dir = NULL;
	_cleanup_free_ char *state_s = NULL;
	json_t *img_cfg = NULL, *path = NULL, *args = NULL, *doc = NULL, *state = NULL;
	char id[65];
	struct db_container row = {0};
	int rc = -1;

	if (!json_is_object(config) || !json_string_length(json_object_get(config, "Image")))
		return berth_error_set(err, EINVAL, "Config.Image: no image given");
	if (!json_is_object(hc)) {
		hc = json_object();
		json_object_set_new(body, "HostConfig", hc);
	}
	if (eng_binds_check(hc, err) < 0)
		return -1;
	if (eng_image_find(e, json_string_value(json_object_get(config, "Image")), &image_id, err) < 0 ||
	    image_config(e, image_id, &img_cfg, err) < 0)
		return -1;
	if (eng_spec_merge_image(config, img_cfg, err) < 0 || command_of(config, &path, &args, err) < 0 ||
	    pick_name(e, name, &final_name, err) < 0)
		goto out;
	if (new_id(e, id, err) < 0)
		goto out;
	fill_defaults(id, config, hc);
	created = eng_time_rfc3339_now();
	doc = build_doc(e, id, final_name, image_id, config, hc, TAKE_PTR(path), TAKE_PTR(args), created);
	if (eng_volumes_for_container(e, doc, err) < 0)
		goto out;
	state = initial_state();
	dir = eng_ctr_dir(e, id);
	state_s = json_dumps(state, JSON_COMPACT | JSON_PRESERVE_ORDER);
	row = (struct db_container){.id = id, .image_id = image_id, .created = created, .state = state_s};
	/* the row before the files: a create cut short leaves a container that rm finds and removes */
	if (insert_row(e, &row, doc, !name, &final_name, err) < 0)
		goto out;
	if (eng_ctr_files_create(e, id, doc, err) < 0) {
		db_container_delete(e->db, id, NULL);
		fs_rm_rf_at(AT_FDCWD, dir, NULL);
		goto out;
	}
	if (eng_ctr_networks_attach(e, id, final_name, doc, json_object_get(body, "NetworkingConfig"), err) < 0 ||
	    eng_ctr_files_network(e, id, doc, err) < 0) {
		eng_network_detach(e, NULL, id, NULL);
		db_container_delete(e->db, id, NULL);
		fs_rm_rf_at(AT_FDCWD, dir, NULL);
		goto out;
	}
	*ret_id = xstrdup(id);
	{
		_cleanup_ctr_ struct eng_ctr *made = NULL;

		if (eng_ctr_lookup(e, id, &made, NULL) == 0 && made)
			eng_event_container(e, made, "create", NULL);
	}
	if (ret_warnings)
		*ret_warnings = NULL;
	rc = 0;
out:
	if (rc < 0 && doc)
		eng_volumes_remove_anonymous(e, doc);
	json_decref(img_cfg);
	json_decref(path);
	json_decref(args);
	json_decref(doc);
	json_decref(state);
	return rc;
}
