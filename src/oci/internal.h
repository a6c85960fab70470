/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared inside oci/: the table-driven JSON decoder (a context that tracks the
 * JSON path for error messages, field tables, primitive decoders) and the
 * per-section decode and release functions.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "base/base.h"
#include "oci/oci.h"

/* jansson provides json_decrefp */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Decoding context: where errors go and the JSON path of the value being decoded. */
struct oci_dec {
	const char *name; /* "config.json": first word of every error */
	struct buf path;  /* "process.args[1]"; empty at the top level */
	struct berth_error **err;
	bool bigints; /* the loader turned integers beyond int64 into markers (see oci_json_load) */
};

/* Decode v into out (the field's member, or an array element). Returns -1 with d->err set. */
typedef int (*oci_dec_fn)(struct oci_dec *d, json_t *v, void *out);

enum {
	OCI_F_HAS = 1 << 0,	 /* aux: offset of a bool set when the field was present */
	OCI_F_ARRAY = 1 << 1,	 /* decode is the element decoder; offset: pointer, aux: size_t count */
	OCI_F_REQUIRED = 1 << 2, /* absence (or null) is an error */
};

/* One JSON object member: its name, how it decodes and where it lands in the struct. */
struct oci_field {
	const char *name;
	oci_dec_fn decode;
	size_t offset;
	size_t aux;
	size_t elem_size;
	unsigned flags;
};

#define OCI_FIELD(n, fn, type, member, fl)                                                   \
	{                                                                                    \
		.name = (n), .decode = (fn), .offset = offsetof(type, member), .flags = (fl) \
	}
#define OCI_FIELD_HAS(n, fn, type, member, has, fl)                                                        \
	{                                                                                                  \
		.name = (n), .decode = (fn), .offset = offsetof(type, member), .aux = offsetof(type, has), \
		.flags = OCI_F_HAS | (fl)                                                                  \
	}
#define OCI_FIELD_ARRAY(n, fn, type, member, count, fl)                                                      \
	{                                                                                                    \
		.name = (n), .decode = (fn), .offset = offsetof(type, member), .aux = offsetof(type, count), \
		.elem_size = sizeof(*((type *)0)->member), .flags = OCI_F_ARRAY | (fl)                       \
	}
/* The decoder gets the whole struct (a nested JSON object flattened into it). */
#define OCI_FIELD_FLAT(n, fn, fl)                                       \
	{                                                               \
		.name = (n), .decode = (fn), .offset = 0, .flags = (fl) \
	}
#define OCI_FIELD_END        \
	{                    \
		.name = NULL \
	}

/* Set *d->err to "NAME: PATH: message" (or "NAME: message" at the top). Returns -1. */
int oci_dec_fail(struct oci_dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append ".key" (or "key" at the top) / "[i]" / "[\"key\"]" to the path; returns the length to pop back to. */
size_t oci_dec_push_key(struct oci_dec *d, const char *key);
size_t oci_dec_push_index(struct oci_dec *d, size_t i);
size_t oci_dec_push_map_key(struct oci_dec *d, const char *key);
void oci_dec_pop(struct oci_dec *d, size_t len);

/* Decode the object v member by member through fields (unknown members ignored, null = absent). */
int oci_dec_object(struct oci_dec *d, json_t *v, const struct oci_field *fields, void *base);
/* Decode the array v into a new zeroed array of elem_size elements; *ret and *ret_n are set before elements are decoded
 * so that a failure leaves them for the owner to free. */
int oci_dec_array(struct oci_dec *d, json_t *v, size_t elem_size, oci_dec_fn decode, void **ret, size_t *ret_n);
/* Decode an object of string values into alternating key, value pairs (NULL-terminated strv). */
int oci_dec_string_map(struct oci_dec *d, json_t *v, char ***ret);
/* The same object as an array of struct oci_kv (*ret NULL and *ret_n 0 when empty). */
int oci_dec_kv_map(struct oci_dec *d, json_t *v, struct oci_kv **ret, size_t *ret_n);
void oci_kv_free(struct oci_kv *kv, size_t n);

/* Primitive decoders; out points to the member type named. */
int oci_dec_string(struct oci_dec *d, json_t *v, void *out);	     /* char * */
int oci_dec_strv(struct oci_dec *d, json_t *v, void *out);	     /* char ** (NULL-terminated) */
int oci_dec_bool(struct oci_dec *d, json_t *v, void *out);	     /* bool */
int oci_dec_int(struct oci_dec *d, json_t *v, void *out);	     /* int */
int oci_dec_uint(struct oci_dec *d, json_t *v, void *out);	     /* unsigned */
int oci_dec_uint32(struct oci_dec *d, json_t *v, void *out);	     /* uint32_t, uid_t, gid_t, mode_t */
int oci_dec_int64(struct oci_dec *d, json_t *v, void *out);	     /* int64_t */
int oci_dec_uint64(struct oci_dec *d, json_t *v, void *out);	     /* uint64_t */
int oci_dec_json_text(struct oci_dec *d, json_t *v, void *out);	     /* char *: the value as compact JSON text */
int oci_dec_string_or_null(struct oci_dec *d, json_t *v, void *out); /* char *: "" becomes NULL */

/* Integer with range check; handles integers beyond int64 that the loader kept as markers. */
int oci_dec_integer(struct oci_dec *d, json_t *v, int64_t min, int64_t max, int64_t *ret);

/*
 * Parse JSON text. jansson rejects integers beyond int64, which runc accepts for
 * uint64 fields (RLIM_INFINITY, docker's swappiness -1): such literals are
 * reparsed as marker strings "\0#DIGITS" that the integer decoders and
 * oci_dec_json_text understand; *ret_bigints tells whether that happened. On a
 * syntax error: "NAME: line L column C: text".
 */
json_t *oci_json_load(const char *data, size_t len, const char *name, bool *ret_bigints, struct berth_error **err);
/* The digits (maybe with '-') a marker string stands for, or NULL when v is no marker. */
const char *oci_json_marker_digits(json_t *v);

/* Image documents (image_json.c). */
/* Decode root through fields into a new zeroed struct of size bytes; NULL (released with release) on failure. */
void *oci_dec_document(struct oci_dec *d, json_t *root, const struct oci_field *fields, size_t size,
		       void (*release)(void *));
int oci_dec_digest(struct oci_dec *d, json_t *v, void *out);	  /* char *: a digest digest_validate accepts */
int oci_dec_digest_strv(struct oci_dec *d, json_t *v, void *out); /* char **: such digests */
/* Set o[key] when there is something to say: s not NULL, v not empty, n > 0. */
void oci_json_set_string(json_t *o, const char *key, const char *s);
void oci_json_set_strv(json_t *o, const char *key, char *const *v);
void oci_json_set_kv(json_t *o, const char *key, const struct oci_kv *kv, size_t n);
/* The platform's members (architecture, os, os.version, os.features, variant) into o. */
void oci_json_set_platform(json_t *o, const struct oci_platform *p);

/* Sections. Each decoder takes the JSON value of its key and fills the struct. */
int oci_dec_process(struct oci_dec *d, json_t *v, void *out);	/* struct oci_process */
int oci_dec_linux(struct oci_dec *d, json_t *v, void *out);	/* struct oci_linux */
int oci_dec_resources(struct oci_dec *d, json_t *v, void *out); /* struct oci_resources */
int oci_dec_seccomp(struct oci_dec *d, json_t *v, void *out);	/* struct oci_linux: seccomp and seccomp_json */

/* "rshared" -> MS_SHARED | MS_REC, …; -1 when name is no propagation word. */
int oci_propagation_from_name(const char *name, unsigned long *ret);

void oci_linux_done(struct oci_linux *l);
void oci_resources_done(struct oci_resources *r);

/* Process-level rules shared by config validation and oci_process_parse. prefix: "process." or "". */
int oci_process_check(const struct oci_process *p, const char *name, const char *prefix, struct berth_error **err);
