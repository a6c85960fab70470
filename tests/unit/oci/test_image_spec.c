/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image-spec model: decoding real-looking manifests, indexes, manifest
 * lists and configs, errors that name the JSON path, round trips, platforms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *data_dir = ".";

static char *read_fixture(const char *file, size_t *len)
{
	_cleanup_free_ char *path = xasprintf("%s/image-spec/%s", data_dir, file);
	_cleanup_error_ struct berth_error *err = NULL;
	char *data = NULL;

	if (fs_read_file_at(AT_FDCWD, path, &data, len, &err) < 0)
		fail_msg("%s", err->msg);
	return data;
}

static struct oci_manifest *load_manifest(const char *file)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	struct oci_manifest *m = NULL;
	size_t len;

	data = read_fixture(file, &len);
	if (oci_manifest_decode(data, len, file, &m, &err) < 0)
		fail_msg("%s", err->msg);
	return m;
}

static struct oci_index *load_index(const char *file)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	struct oci_index *ix = NULL;
	size_t len;

	data = read_fixture(file, &len);
	if (oci_index_decode(data, len, file, &ix, &err) < 0)
		fail_msg("%s", err->msg);
	return ix;
}

static struct oci_image_config *load_config(const char *file)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	struct oci_image_config *c = NULL;
	size_t len;

	data = read_fixture(file, &len);
	if (oci_image_config_decode(data, len, file, &c, &err) < 0)
		fail_msg("%s", err->msg);
	return c;
}

static enum oci_manifest_kind kind_of(const char *file)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	enum oci_manifest_kind kind;
	size_t len;

	data = read_fixture(file, &len);
	if (oci_manifest_kind(data, len, file, &kind, &err) < 0)
		fail_msg("%s", err->msg);
	return kind;
}

static void test_docker_manifest(void **state)
{
	struct oci_manifest *m = load_manifest("docker-manifest.json");

	assert_int_equal(m->schema_version, 2);
	assert_string_equal(m->media_type, OCI_MEDIA_DOCKER_MANIFEST);
	assert_string_equal(m->config.media_type, OCI_MEDIA_DOCKER_CONFIG);
	assert_int_equal(m->config.size, 1457);
	assert_string_equal(m->config.digest,
			    "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824");
	assert_int_equal(m->n_layers, 2);
	assert_int_equal(m->layers[0].size, 2231103);
	assert_int_equal(oci_layer_compression(m->layers[0].media_type), OCI_COMPRESSION_GZIP);
	assert_int_equal(oci_layer_compression(m->layers[1].media_type), OCI_COMPRESSION_GZIP);
	assert_string_equal(m->layers[1].urls[0], "https://example.com/layer.tar.gz");
	assert_null(m->layers[1].urls[1]);
	assert_null(m->subject);
	assert_int_equal(m->n_annotations, 0);
	assert_int_equal(kind_of("docker-manifest.json"), OCI_KIND_MANIFEST);
	oci_manifest_free(m);
}

static void test_oci_manifest(void **state)
{
	struct oci_manifest *m = load_manifest("oci-manifest.json");

	assert_string_equal(m->media_type, OCI_MEDIA_MANIFEST);
	assert_int_equal(m->n_layers, 3);
	assert_int_equal(oci_layer_compression(m->layers[1].media_type), OCI_COMPRESSION_ZSTD);
	assert_int_equal(oci_layer_compression(m->layers[2].media_type), OCI_COMPRESSION_NONE);
	assert_int_equal(oci_layer_compression(OCI_MEDIA_CONFIG), -1);
	assert_int_equal(m->layers[1].n_annotations, 1);
	assert_string_equal(m->layers[1].annotations[0].key, "org.opencontainers.image.title");
	assert_string_equal(m->layers[1].annotations[0].value, "second");
	assert_non_null(m->subject);
	assert_int_equal(m->subject->size, 1234);
	assert_int_equal(m->n_annotations, 2);
	assert_string_equal(m->annotations[1].value, "2024-01-02T03:04:05Z");
	oci_manifest_free(m);
}

static void test_oci_index(void **state)
{
	struct oci_index *ix = load_index("oci-index.json");
	const struct oci_platform *p;

	assert_string_equal(ix->media_type, OCI_MEDIA_INDEX);
	assert_int_equal(ix->n_manifests, 3);
	p = ix->manifests[1].platform;
	assert_string_equal(p->architecture, "arm64");
	assert_string_equal(p->os, "linux");
	assert_string_equal(p->variant, "v8");
	assert_string_equal(p->os_features[0], "sse4");
	assert_null(ix->manifests[0].platform->variant);
	assert_int_equal(ix->manifests[2].n_annotations, 2);
	assert_int_equal(ix->n_annotations, 1);
	assert_int_equal(kind_of("oci-index.json"), OCI_KIND_INDEX);
	oci_index_free(ix);
}

static void test_docker_manifest_list(void **state)
{
	struct oci_index *ix = load_index("docker-manifest-list.json");

	assert_string_equal(ix->media_type, OCI_MEDIA_DOCKER_MANIFEST_LIST);
	assert_int_equal(ix->n_manifests, 6);
	assert_string_equal(ix->manifests[5].platform->os_version, "10.0.17763.5329");
	assert_int_equal(kind_of("docker-manifest-list.json"), OCI_KIND_INDEX);
	oci_index_free(ix);
}

static void test_image_config(void **state)
{
	struct oci_image_config *c = load_config("image-config.json");
	const struct oci_container_config *cc = &c->config;

	assert_string_equal(c->architecture, "amd64");
	assert_string_equal(c->os, "linux");
	assert_string_equal(c->created, "2023-07-18T23:19:33.655005962Z");
	assert_string_equal(cc->user, "nobody");
	assert_string_equal(cc->exposed_ports[0], "80/tcp");
	assert_string_equal(cc->exposed_ports[1], "53/udp");
	assert_null(cc->exposed_ports[2]);
	assert_string_equal(cc->env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(cc->cmd[0], "sh");
	assert_string_equal(cc->entrypoint[1], "--flag");
	assert_string_equal(cc->volumes[0], "/data");
	assert_string_equal(cc->working_dir, "/srv");
	assert_int_equal(cc->n_labels, 2);
	assert_string_equal(cc->labels[0].key, "maintainer");
	assert_string_equal(cc->labels[1].value, "");
	assert_string_equal(cc->stop_signal, "SIGQUIT");
	assert_string_equal(cc->shell[1], "-c");
	assert_string_equal(cc->on_build[0], "RUN echo hi");
	assert_true(cc->args_escaped);
	assert_non_null(cc->healthcheck);
	assert_string_equal(cc->healthcheck->test[0], "CMD-SHELL");
	assert_int_equal(cc->healthcheck->interval, 30000000000LL);
	assert_int_equal(cc->healthcheck->timeout, 5000000000LL);
	assert_int_equal(cc->healthcheck->start_period, 1000000000LL);
	assert_int_equal(cc->healthcheck->start_interval, 2000000000LL);
	assert_int_equal(cc->healthcheck->retries, 3);
	assert_string_equal(c->rootfs_type, "layers");
	assert_string_equal(c->diff_ids[0], "sha256:3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f");
	assert_null(c->diff_ids[1]);
	assert_int_equal(c->n_history, 2);
	assert_false(c->history[0].empty_layer);
	assert_true(c->history[1].empty_layer);
	assert_string_equal(c->history[1].author, "me");
	assert_string_equal(c->history[1].comment, "buildkit.dockerfile.v0");
	oci_image_config_free(c);
}

static void test_str_slice(void **state)
{
	static const char json[] = "{\"config\": {\"Cmd\": \"echo hi\", \"Entrypoint\": null, \"Labels\": null},"
				   " \"rootfs\": {\"type\": \"layers\", \"diff_ids\": null}}";
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_image_config *c = NULL;

	assert_int_equal(oci_image_config_decode(json, strlen(json), NULL, &c, &err), 0);
	assert_string_equal(c->config.cmd[0], "echo hi");
	assert_null(c->config.cmd[1]);
	assert_null(c->config.entrypoint);
	assert_null(c->diff_ids);
	assert_null(c->architecture);
	oci_image_config_free(c);
}

enum which { MANIFEST, INDEX, CONFIG, KIND };

struct error_case {
	enum which which;
	const char *json;
	const char *msg;
};

static int decode_as(enum which which, const char *json, struct berth_error **err)
{
	struct oci_manifest *m = NULL;
	struct oci_index *ix = NULL;
	struct oci_image_config *c = NULL;
	enum oci_manifest_kind kind;
	size_t len = strlen(json);
	int r = -1;

	switch (which) {
	case MANIFEST:
		r = oci_manifest_decode(json, len, "manifest", &m, err);
		oci_manifest_free(m);
		break;
	case INDEX:
		r = oci_index_decode(json, len, "index", &ix, err);
		oci_index_free(ix);
		break;
	case CONFIG:
		r = oci_image_config_decode(json, len, "image config", &c, err);
		oci_image_config_free(c);
		break;
	case KIND:
		r = oci_manifest_kind(json, len, "manifest", &kind, err);
		break;
	}
	return r;
}

#define DESC(extra) "{\"mediaType\": \"x\", \"digest\": \"sha256:" HEX64 "\", \"size\": 1" extra "}"
#define MANIFEST_WITH(extra) "{\"schemaVersion\": 2, \"config\": " DESC("") ", \"layers\": [" DESC("") "]" extra "}"

static void test_errors(void **state)
{
	static const struct error_case cases[] = {
		{MANIFEST, "{", "manifest: line 1 column 1: string or '}' expected near end of file"},
		{MANIFEST, "[]", "manifest: expected object"},
		{MANIFEST, "{\"schemaVersion\": \"2\"}", "manifest: schemaVersion: expected integer"},
		{MANIFEST, "{\"schemaVersion\": 3}",
		 "manifest: schemaVersion: unsupported schema version 3, expected 2"},
		{MANIFEST, "{\"schemaVersion\": 2, \"layers\": []}", "manifest: config: required"},
		{MANIFEST, "{\"schemaVersion\": 2, \"config\": " DESC("") "}", "manifest: layers: required"},
		{MANIFEST, "{\"config\": " DESC("") ", \"layers\": []}", "manifest: schemaVersion: required"},
		{MANIFEST, "{\"schemaVersion\": 2, \"layers\": {}}", "manifest: layers: expected array"},
		{MANIFEST,
		 "{\"schemaVersion\": 2, \"config\": {\"mediaType\": \"x\", \"digest\": \"sha256:abc\", \"size\": 1}}",
		 "manifest: config.digest: invalid digest 'sha256:abc': sha256 needs 64 lowercase hex digits"},
		{MANIFEST, "{\"layers\": [" DESC("") ", {\"mediaType\": \"x\", \"size\": -1}]}",
		 "manifest: layers[1].size: value -1 out of range [0, 9223372036854775807]"},
		{MANIFEST, "{\"layers\": [{\"mediaType\": \"x\", \"size\": 1}]}",
		 "manifest: layers[0].digest: required"},
		{MANIFEST, "{\"layers\": [{\"digest\": \"md5:abc\"}]}",
		 "manifest: layers[0].digest: unsupported digest algorithm 'md5' in 'md5:abc'"},
		{MANIFEST, MANIFEST_WITH(", \"annotations\": {\"a\": 1}"),
		 "manifest: annotations[\"a\"]: expected string"},
		{MANIFEST, MANIFEST_WITH(", \"mediaType\": \"" OCI_MEDIA_INDEX "\""),
		 "manifest: mediaType: media type '" OCI_MEDIA_INDEX "' is not a manifest"},
		{MANIFEST, MANIFEST_WITH(", \"mediaType\": \"text/plain\""),
		 "manifest: mediaType: unsupported media type 'text/plain' for a manifest"},
		{MANIFEST, "{\"schemaVersion\": 2, \"config\": " DESC(", \"urls\": [1]") "}",
		 "manifest: config.urls[0]: expected string"},
		{INDEX, "{\"schemaVersion\": 2}", "index: manifests: required"},
		{INDEX, "{\"schemaVersion\": 2, \"manifests\": [" DESC(", \"platform\": {\"os\": \"linux\"}") "]}",
		 "index: manifests[0].platform.architecture: required"},
		{INDEX,
		 "{\"schemaVersion\": 2, \"manifests\": [" DESC(
			 ", \"platform\": {\"os\": \"linux\", \"architecture\": \"arm\", \"variant\": 7}") "]}",
		 "index: manifests[0].platform.variant: expected string"},
		{INDEX, "{\"schemaVersion\": 2, \"mediaType\": \"" OCI_MEDIA_DOCKER_MANIFEST "\", \"manifests\": []}",
		 "index: mediaType: media type '" OCI_MEDIA_DOCKER_MANIFEST "' is not an index"},
		{CONFIG, "{}", "image config: rootfs: required"},
		{CONFIG, "{\"rootfs\": {\"type\": \"x\"}}",
		 "image config: rootfs.type: unsupported rootfs type 'x', expected 'layers'"},
		{CONFIG, "{\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"sha256:" HEX64 "\", \"nope\"]}}",
		 "image config: rootfs.diff_ids[1]: invalid digest 'nope'"},
		{CONFIG, "{\"config\": {\"Env\": [1]}}", "image config: config.Env[0]: expected string"},
		{CONFIG, "{\"config\": {\"ExposedPorts\": [\"80/tcp\"]}}",
		 "image config: config.ExposedPorts: expected object"},
		{CONFIG, "{\"config\": {\"Healthcheck\": {\"Interval\": \"30s\"}}}",
		 "image config: config.Healthcheck.Interval: expected integer"},
		{CONFIG, "{\"config\": {\"Labels\": {\"a\": true}}}",
		 "image config: config.Labels[\"a\"]: expected string"},
		{CONFIG, "{\"history\": [{\"empty_layer\": 1}]}",
		 "image config: history[0].empty_layer: expected boolean"},
		{KIND, "{\"schemaVersion\": 2}", "manifest: neither an image manifest nor an index"},
		{KIND, "[7]", "manifest: expected object"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;

		if (decode_as(cases[i].which, cases[i].json, &err) == 0)
			fail_msg("no error for %s", cases[i].json);
		if (strcmp(err->msg, cases[i].msg) != 0)
			fail_msg("for %s\n  want: %s\n  got:  %s", cases[i].json, cases[i].msg, err->msg);
	}
}

static void test_schema1(void **state)
{
	static const char signed_mt[] = "{\"mediaType\": \"" OCI_MEDIA_DOCKER_SCHEMA1_SIGNED "\"}";
	_cleanup_free_ char *data = NULL;
	size_t len;

	data = read_fixture("schema1.json", &len);
	for (int w = MANIFEST; w <= KIND; w++) {
		_cleanup_error_ struct berth_error *err = NULL;

		if (w == CONFIG)
			continue;
		assert_int_equal(decode_as(w, data, &err), -1);
		assert_non_null(strstr(err->msg, "schema 1 is not supported"));
	}
	{
		_cleanup_error_ struct berth_error *err = NULL;

		assert_int_equal(decode_as(KIND, signed_mt, &err), -1);
		assert_non_null(strstr(err->msg, "schema 1 is not supported"));
	}
	assert_true(oci_media_type_is_schema1(OCI_MEDIA_DOCKER_SCHEMA1));
	assert_false(oci_media_type_is_schema1(OCI_MEDIA_DOCKER_MANIFEST));
}

static void test_kind(void **state)
{
	static const struct {
		const char *json;
		enum oci_manifest_kind kind;
	} cases[] = {
		{"{\"mediaType\": \"" OCI_MEDIA_INDEX "\"}", OCI_KIND_INDEX},
		{"{\"mediaType\": \"" OCI_MEDIA_DOCKER_MANIFEST "\", \"manifests\": []}", OCI_KIND_MANIFEST},
		{"{\"schemaVersion\": 2, \"manifests\": []}", OCI_KIND_INDEX},
		{"{\"schemaVersion\": 2, \"layers\": []}", OCI_KIND_MANIFEST},
		{"{\"mediaType\": \"application/x-unknown\", \"config\": {}}", OCI_KIND_MANIFEST},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		enum oci_manifest_kind kind;

		assert_int_equal(oci_manifest_kind(cases[i].json, strlen(cases[i].json), NULL, &kind, &err), 0);
		assert_int_equal(kind, cases[i].kind);
	}
	assert_int_equal(oci_media_type_kind(OCI_MEDIA_DOCKER_MANIFEST_LIST), OCI_KIND_INDEX);
	assert_int_equal(oci_media_type_kind(OCI_MEDIA_MANIFEST), OCI_KIND_MANIFEST);
	assert_int_equal(oci_media_type_kind("text/plain"), -1);
	assert_int_equal(oci_media_type_kind(NULL), -1);
}

/* decode → encode → dump → decode → encode → dump: the two dumps are the same bytes. */
static void round_trip(enum which which, const char *file)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL, *first = NULL, *second = NULL;
	json_t *j = NULL;
	size_t len;

	data = read_fixture(file, &len);
	for (int pass = 0; pass < 2; pass++) {
		const char *in = pass == 0 ? data : first;
		size_t in_len = pass == 0 ? len : strlen(first);
		struct oci_manifest *m = NULL;
		struct oci_index *ix = NULL;
		struct oci_image_config *c = NULL;
		int r;

		if (which == MANIFEST) {
			r = oci_manifest_decode(in, in_len, file, &m, &err);
			j = r == 0 ? oci_manifest_to_json(m) : NULL;
		} else if (which == INDEX) {
			r = oci_index_decode(in, in_len, file, &ix, &err);
			j = r == 0 ? oci_index_to_json(ix) : NULL;
		} else {
			r = oci_image_config_decode(in, in_len, file, &c, &err);
			j = r == 0 ? oci_image_config_to_json(c) : NULL;
		}
		if (r < 0)
			fail_msg("pass %d: %s", pass, err->msg);
		oci_manifest_free(m);
		oci_index_free(ix);
		oci_image_config_free(c);
		*(pass == 0 ? &first : &second) = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	assert_string_equal(first, second);
}

static void test_round_trips(void **state)
{
	_cleanup_free_ char *data = NULL, *dump = NULL;
	struct oci_image_config *c = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *j;
	size_t len;

	round_trip(MANIFEST, "docker-manifest.json");
	round_trip(MANIFEST, "oci-manifest.json");
	round_trip(INDEX, "oci-index.json");
	round_trip(INDEX, "docker-manifest-list.json");
	round_trip(CONFIG, "image-config.json");

	/* the encoding has Docker's names and shape */
	data = read_fixture("image-config.json", &len);
	assert_int_equal(oci_image_config_decode(data, len, NULL, &c, &err), 0);
	j = oci_image_config_to_json(c);
	dump = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	oci_image_config_free(c);
	assert_non_null(strstr(dump, "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:3d24"));
	assert_non_null(strstr(dump, "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}"));
	assert_non_null(strstr(dump, "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\""));
	assert_non_null(strstr(dump, "\"empty_layer\":true"));
	assert_null(strstr(dump, "container_config"));
}

static struct oci_platform *platform(const char *s)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_platform *p = NULL;

	if (oci_platform_parse(s, &p, &err) < 0)
		fail_msg("'%s': %s", s, err->msg);
	return p;
}

static void test_platform_parse(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"linux/arm64/v8", "linux/arm64/v8"},
		{"linux/amd64", "linux/amd64"},
		{"Linux/x86_64", "linux/amd64"},
		{"linux/aarch64", "linux/arm64"},
		{"linux/arm/7", "linux/arm/v7"},
		{"linux/armhf", "linux/arm/v7"},
		{"linux/i386", "linux/386"},
		{"linux/arm64/v8.0", "linux/arm64/v8"},
		{"arm64", "linux/arm64"},
		{"windows/amd64", "windows/amd64"},
		{"linux/riscv64", "linux/riscv64"},
	};
	static const struct {
		const char *in, *msg;
	} errors[] = {
		{"", "invalid platform '': operating system '' must be letters, digits, '_', '.' or '-'"},
		{"linux//v7", "invalid platform 'linux//v7': architecture '' must be letters, digits, '_', '.' or '-'"},
		{"linux/arm/v7/x", "invalid platform 'linux/arm/v7/x': expected os[/arch[/variant]]"},
		{"linux/a b",
		 "invalid platform 'linux/a b': architecture 'a b' must be letters, digits, '_', '.' or '-'"},
		{"plan10", "invalid platform 'plan10': unknown operating system or architecture"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oci_platform *p = platform(cases[i].in);
		_cleanup_free_ char *s = oci_platform_format(p);

		if (strcmp(s, cases[i].out) != 0)
			fail_msg("'%s': want '%s', got '%s'", cases[i].in, cases[i].out, s);
		oci_platform_free(p);
	}
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct oci_platform *p = NULL;

		assert_int_equal(oci_platform_parse(errors[i].in, &p, &err), -1);
		assert_null(p);
		if (strcmp(err->msg, errors[i].msg) != 0)
			fail_msg("'%s'\n  want: %s\n  got:  %s", errors[i].in, errors[i].msg, err->msg);
	}
}

static void test_platform_host(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_platform *host = NULL, *linux_only;

	assert_int_equal(oci_platform_host(&host, &err), 0);
	assert_string_equal(host->os, "linux");
	assert_null(strchr(host->architecture, '_'));
	/* "linux" alone takes the host's architecture */
	linux_only = platform("linux");
	assert_string_equal(linux_only->architecture, host->architecture);
	assert_true(oci_platform_match(linux_only, host));
	oci_platform_free(linux_only);
	oci_platform_free(host);
}

static void test_platform_match(void **state)
{
	static const struct {
		const char *want, *have;
		bool match;
	} cases[] = {
		{"linux/arm64", "linux/arm64/v8", true},   {"linux/arm64/v8", "linux/arm64", true},
		{"linux/arm64/v8", "linux/aarch64", true}, {"linux/arm64", "linux/arm64/v9", false},
		{"linux/arm", "linux/arm/v7", true},	   {"linux/arm/v7", "linux/arm", true},
		{"linux/arm", "linux/arm/v6", false},	   {"linux/arm/v6", "linux/arm/v7", false},
		{"linux/amd64", "linux/amd64/v3", true},   {"linux/amd64/v2", "linux/amd64", false},
		{"linux/amd64", "windows/amd64", false},   {"linux/amd64", "linux/arm64", false},
		{"linux/x86_64", "linux/amd64", true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oci_platform *want = platform(cases[i].want), *have = platform(cases[i].have);

		if (oci_platform_match(want, have) != cases[i].match)
			fail_msg("match(%s, %s) should be %d", cases[i].want, cases[i].have, cases[i].match);
		oci_platform_free(want);
		oci_platform_free(have);
	}
}

static int select_in(const struct oci_index *ix, const char *want, struct berth_error **err)
{
	struct oci_platform *p = platform(want);
	int r = oci_index_select(ix, p, err);

	oci_platform_free(p);
	return r;
}

static void test_index_select(void **state)
{
	struct oci_index *list = load_index("docker-manifest-list.json"), *oci = load_index("oci-index.json");
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(select_in(list, "linux/amd64", &err), 0);
	assert_int_equal(select_in(list, "linux/arm", &err), 2);
	assert_int_equal(select_in(list, "linux/arm/v6", &err), 1);
	assert_int_equal(select_in(list, "linux/arm64", &err), 3);
	assert_int_equal(select_in(list, "linux/386", &err), 4);
	assert_int_equal(select_in(list, "windows/amd64", &err), 5);
	assert_int_equal(select_in(oci, "linux/arm64/v8", &err), 1);
	assert_int_equal(select_in(oci, "linux/amd64", &err), 0);
	assert_int_equal(select_in(list, "linux/s390x", &err), -1);
	assert_string_equal(err->msg, "no matching manifest for linux/s390x in the manifest list entries");
	berth_error_free(&err);
	/* the attestation entry (unknown/unknown) is never chosen */
	assert_int_equal(select_in(oci, "unknown/unknown", &err), -1);
	berth_error_free(&err);
	/* NULL: the host, which in these tests is one of the listed architectures or fails cleanly */
	if (oci_index_select(list, NULL, &err) < 0)
		assert_non_null(strstr(err->msg, "no matching manifest for linux/"));
	berth_error_free(&err);

	/* without platforms: only a lone entry is taken */
	oci_platform_free(oci->manifests[0].platform);
	oci->manifests[0].platform = NULL;
	assert_int_equal(select_in(oci, "linux/amd64", &err), -1);
	berth_error_free(&err);
	oci->n_manifests = 1;
	assert_int_equal(select_in(oci, "linux/amd64", &err), 0);
	oci->n_manifests = 3;
	oci_index_free(oci);
	oci_index_free(list);
}

static void test_descriptor_copy(void **state)
{
	struct oci_index *ix = load_index("oci-index.json");
	struct oci_descriptor copy;
	json_t *a, *b;

	oci_descriptor_copy(&copy, &ix->manifests[2]);
	a = oci_descriptor_to_json(&ix->manifests[2]);
	b = oci_descriptor_to_json(&copy);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	oci_descriptor_done(&copy);
	assert_null(copy.digest);
	oci_index_free(ix);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_manifest),
		cmocka_unit_test(test_oci_manifest),
		cmocka_unit_test(test_oci_index),
		cmocka_unit_test(test_docker_manifest_list),
		cmocka_unit_test(test_image_config),
		cmocka_unit_test(test_str_slice),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_schema1),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_platform_parse),
		cmocka_unit_test(test_platform_host),
		cmocka_unit_test(test_platform_match),
		cmocka_unit_test(test_index_select),
		cmocka_unit_test(test_descriptor_copy),
	};

	if (argc > 1)
		data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
