/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the test_spec*.c tests: a fake rootfs with /etc/passwd and /etc/group, and spec building helpers. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "engine/engine.h"

#define FX_ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fx {
	char dir[64]; /* the temp rootfs */
	int rootfs_fd;
	char **volume_calls; /* "name|dest" per volume lookup */
};

/* Make the rootfs (with etc/ when with_etc) and open it; tear down with fx_done. */
void fx_init(struct fx *f, bool with_etc);
void fx_done(struct fx *f);
/* An input over the fixture: config and host_config parsed from JSON text (host_config may be NULL). */
void fx_input(struct fx *f, struct eng_spec_input *in, const char *config, const char *host_config);
void fx_input_done(struct eng_spec_input *in);
/* Build a spec, fail the test on error, and check it decodes and validates with oci's decoder. */
json_t *fx_build(struct fx *f, const char *config, const char *host_config);
/* Build and expect failure; returns the error message (caller frees). */
char *fx_build_err(struct fx *f, const char *config, const char *host_config);
/* Dump, parse and validate as berth-runtime does; fail the test with the decoder's message. */
void fx_check_oci(json_t *spec);
/* The mount at dest, or NULL. */
json_t *fx_mount(json_t *spec, const char *dest);
/* Index of the mount at dest, or -1. */
int fx_mount_index(json_t *spec, const char *dest);
/* True when the JSON array of strings arr holds s. */
bool fx_has(json_t *arr, const char *s);
/* The namespace entry of type, or NULL. */
json_t *fx_ns(json_t *spec, const char *type);
/* The first seccomp rule naming syscall, or NULL. */
json_t *fx_syscall(json_t *spec, const char *name);
/* Compact JSON text of v (caller frees). */
char *fx_dump(json_t *v);
