/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oci/: the OCI image-spec (and Docker schema2) data model: descriptors,
 * manifests, indexes, image configs and platforms; JSON in and out.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berth_error;
struct oci_kv;

/* Media types. */
#define OCI_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define OCI_MEDIA_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MEDIA_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define OCI_MEDIA_LAYER_NONDIST_TAR "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define OCI_MEDIA_LAYER_NONDIST_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define OCI_MEDIA_LAYER_NONDIST_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define OCI_MEDIA_EMPTY "application/vnd.oci.empty.v1+json"
#define OCI_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define OCI_MEDIA_DOCKER_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define OCI_MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define OCI_MEDIA_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define OCI_MEDIA_DOCKER_FOREIGN_LAYER "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define OCI_MEDIA_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define OCI_MEDIA_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

/* Annotation Docker/BuildKit put on attestation manifests in an index. */
#define OCI_ANNOTATION_REFERENCE_TYPE "vnd.docker.reference.type"

struct oci_platform {
	char *architecture; /* Go names: "amd64", "arm64", "arm", "386", … */
	char *os;	    /* "linux" */
	char *variant;	    /* "v8", "v7", or NULL */
	char *os_version;   /* "os.version" (Windows), or NULL */
	char **os_features; /* "os.features", NULL-terminated, may be NULL */
};

struct oci_descriptor {
	char *media_type;
	char *artifact_type; /* OCI 1.1, or NULL */
	char *digest;	     /* validated "sha256:<hex>" */
	int64_t size;	     /* >= 0 */
	char **urls;	     /* NULL-terminated, may be NULL */
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_platform *platform; /* NULL when absent */
};

struct oci_manifest {
	int schema_version;  /* always 2 once decoded */
	char *media_type;    /* OCI_MEDIA_MANIFEST, OCI_MEDIA_DOCKER_MANIFEST, or NULL (allowed in OCI) */
	char *artifact_type; /* OCI 1.1, or NULL */
	struct oci_descriptor config;
	struct oci_descriptor *layers;
	size_t n_layers;
	struct oci_descriptor *subject; /* OCI 1.1, or NULL */
	struct oci_kv *annotations;
	size_t n_annotations;
};

struct oci_index {
	int schema_version; /* always 2 once decoded */
	char *media_type;   /* OCI_MEDIA_INDEX, OCI_MEDIA_DOCKER_MANIFEST_LIST, or NULL */
	struct oci_descriptor *manifests;
	size_t n_manifests;
	struct oci_kv *annotations;
	size_t n_annotations;
};

/* Durations are nanoseconds (Go's time.Duration); 0 means unset (inherit the default). */
struct oci_healthcheck {
	char **test; /* ["NONE"], ["CMD", …], ["CMD-SHELL", "…"]; NULL when inherited */
	int64_t interval, timeout, start_period, start_interval;
	int retries;
};

/* "config" of an image config: Docker's capitalised names. Vectors are NULL-terminated, NULL when absent or empty. */
struct oci_container_config {
	char *user;
	char **exposed_ports; /* keys of ExposedPorts: "80/tcp" */
	char **env;	      /* "NAME=value" */
	char **entrypoint;
	char **cmd;
	char **volumes; /* keys of Volumes: "/data" */
	char *working_dir;
	struct oci_kv *labels;
	size_t n_labels;
	char *stop_signal;
	struct oci_healthcheck *healthcheck; /* NULL when absent */
	char **on_build;
	char **shell;
	bool args_escaped;
};

struct oci_history {
	char *created; /* RFC 3339, as written */
	char *created_by;
	char *author;
	char *comment;
	bool empty_layer;
};

struct oci_image_config {
	char *created; /* RFC 3339, as written, or NULL */
	char *author;
	char *architecture;
	char *os;
	char *variant;
	char *os_version;
	char **os_features;
	struct oci_container_config config;
	char *rootfs_type; /* "layers" */
	char **diff_ids;   /* validated digests, base layer first; NULL-terminated, NULL when none */
	struct oci_history *history;
	size_t n_history;
};

/*
 * Decoders. data is JSON of len bytes; what names the document in errors
 * ("manifest sha256:…: layers[0].digest: invalid digest 'x'"). Unknown fields
 * are ignored. Checked: types, schemaVersion 2 (schema 1 refused with its own
 * error), required fields, digests (digest_validate), sizes >= 0, the
 * top-level mediaType fits the decoder. On success *ret owns a new struct;
 * on failure *ret is untouched and err is set.
 */
int oci_manifest_decode(const char *data, size_t len, const char *what, struct oci_manifest **ret,
			struct berth_error **err);
int oci_index_decode(const char *data, size_t len, const char *what, struct oci_index **ret, struct berth_error **err);
int oci_image_config_decode(const char *data, size_t len, const char *what, struct oci_image_config **ret,
			    struct berth_error **err);

enum oci_manifest_kind {
	OCI_KIND_MANIFEST, /* OCI manifest or Docker schema2 manifest */
	OCI_KIND_INDEX,	   /* OCI index or Docker manifest list */
};

/*
 * Tell a manifest from an index: by the top-level mediaType when it is a
 * known one, else by structure ("manifests" vs "config"/"layers"). A Docker
 * schema 1 manifest is an error saying so, as is a document that is neither.
 */
int oci_manifest_kind(const char *data, size_t len, const char *what, enum oci_manifest_kind *ret,
		      struct berth_error **err);
/* The kind a media type (e.g. a Content-Type) names; -1 when it names neither a manifest nor an index. */
int oci_media_type_kind(const char *media_type);
/* True for the two Docker schema 1 media types. */
bool oci_media_type_is_schema1(const char *media_type);

enum oci_compression {
	OCI_COMPRESSION_NONE,
	OCI_COMPRESSION_GZIP,
	OCI_COMPRESSION_ZSTD,
};
/* The compression of a layer media type (OCI, non-distributable, Docker); -1 when it is no layer type. */
int oci_layer_compression(const char *media_type);

/*
 * Encoders: a new JSON object (caller decrefs) with the fields Docker and OCI
 * write, in their order, omitting empty ones: camelCase in manifests and
 * indexes, Docker's capitalised names in config.config, "rootfs":
 * {"type":"layers","diff_ids":[…]}. Decoding the dump gives back everything
 * the structs model. Dump with JSON_COMPACT for the bytes to hash.
 */
json_t *oci_manifest_to_json(const struct oci_manifest *m);
json_t *oci_index_to_json(const struct oci_index *ix);
json_t *oci_image_config_to_json(const struct oci_image_config *c);
json_t *oci_descriptor_to_json(const struct oci_descriptor *d);

/* Deep copy of src into *dst (which is overwritten, not freed). */
void oci_descriptor_copy(struct oci_descriptor *dst, const struct oci_descriptor *src);
/* Release what d holds (not d itself); d is zeroed. */
void oci_descriptor_done(struct oci_descriptor *d);
void oci_manifest_free(struct oci_manifest *m);
void oci_index_free(struct oci_index *ix);
void oci_image_config_free(struct oci_image_config *c);

/*
 * Platforms.
 * oci_platform_host: the machine's platform in Go names from uname(2):
 * x86_64→amd64, aarch64→arm64 (variant v8), armv7l→arm (v7), armv6l→arm
 * (v6), i686→386, ppc64le, s390x, riscv64; os "linux". *ret owns a new
 * platform.
 */
int oci_platform_host(struct oci_platform **ret, struct berth_error **err);
/*
 * Parse "os[/arch[/variant]]" ("linux/arm64/v8", "linux/amd64", "linux", or
 * an architecture alone, "arm64") as Docker's --platform does; aliases are
 * normalised (x86_64→amd64, aarch64→arm64, armhf→arm/v7, i386→386, variant
 * "8"→"v8"). Missing parts come from the host. Errors name the string.
 */
int oci_platform_parse(const char *s, struct oci_platform **ret, struct berth_error **err);
/* "linux/arm64/v8" ("os/arch" without a variant). Caller frees. */
char *oci_platform_format(const struct oci_platform *p);
/*
 * Whether an image for have runs where want was asked for: same os and
 * architecture (aliases normalised) and the same variant after defaults
 * (arm64 "" == "v8", arm "" == "v7", amd64 "" == "v1"). For architectures
 * other than arm and arm64, a want without a variant accepts any variant.
 */
bool oci_platform_match(const struct oci_platform *want, const struct oci_platform *have);
/*
 * The position in ix->manifests of the manifest to use for want (NULL: the
 * host): the first entry whose platform matches, preferring an exact variant.
 * Entries without a platform are skipped unless the index has exactly one
 * entry; attestations (platform unknown/unknown or the reference-type
 * annotation) are always skipped. -1 with err "no matching manifest for
 * linux/amd64 in the manifest list entries" when none fits.
 */
int oci_index_select(const struct oci_index *ix, const struct oci_platform *want, struct berth_error **err);
struct oci_platform *oci_platform_dup(const struct oci_platform *p);
void oci_platform_free(struct oci_platform *p);
