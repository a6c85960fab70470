/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by run_request.c and run_host.c: the request under construction and flag-error helpers. */
#pragma once

#include <jansson.h>

#include "cli/berth/run_flags.h"

struct berth_error;

struct run_build {
	const struct bcli_run_flags *f;
	json_t *config, *host, *networking;
};

/* Prefix *err as pflag does for a flag's value: "invalid argument \"v\" for \"-m, --memory\" flag: ". Returns -1. */
int run_flag_error(struct berth_error **err, const char *value, const char *display);
/* A size flag (RAMInBytes; "-1" too when allow_unlimited) into obj[key]; absent: 0. */
int run_bytes_set(json_t *obj, const char *key, const char *value, const char *display, bool allow_unlimited,
		  struct berth_error **err);
/* A list as a JSON array of strings; null for an empty list unless empty_array. */
json_t *run_strv_json(char *const *v, bool empty_array);

/* HostConfig (resources, storage, security, logging) and NetworkingConfig from the flags. */
int run_build_host(struct run_build *b, struct berth_error **err);
int run_build_network(struct run_build *b, struct berth_error **err);
