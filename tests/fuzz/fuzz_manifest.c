/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the image-spec decoders: the first byte picks the
 * manifest, index or image config decoder (and the kind detector runs on
 * all); what decodes is encoded, and the encoding must decode to the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode text with the chosen decoder and encode the result; NULL when it does not decode. */
static char *decode_encode(unsigned which, const char *text, size_t len)
{
	struct berth_error *err = NULL;
	struct oci_manifest *m = NULL;
	struct oci_index *ix = NULL;
	struct oci_image_config *c = NULL;
	json_t *j = NULL;
	char *dump = NULL;

	if (which == 0 && oci_manifest_decode(text, len, "manifest", &m, &err) == 0)
		j = oci_manifest_to_json(m);
	else if (which == 1 && oci_index_decode(text, len, "index", &ix, &err) == 0)
		j = oci_index_to_json(ix);
	else if (which == 2 && oci_image_config_decode(text, len, "image config", &c, &err) == 0)
		j = oci_image_config_to_json(c);
	if (ix) {
		struct oci_platform *p = NULL;

		if (oci_platform_parse("linux/arm64", &p, NULL) == 0) {
			oci_index_select(ix, p, &err);
			oci_platform_free(p);
		}
		berth_error_free(&err);
	}
	if (j) {
		dump = json_dumps(j, JSON_COMPACT);
		if (!dump)
			abort();
		json_decref(j);
	}
	oci_manifest_free(m);
	oci_index_free(ix);
	oci_image_config_free(c);
	berth_error_free(&err);
	return dump;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error *err = NULL;
	enum oci_manifest_kind kind;
	unsigned which;
	char *first, *second;

	if (size < 1)
		return 0;
	which = data[0] % 3;
	oci_manifest_kind((const char *)data + 1, size - 1, "manifest", &kind, &err);
	berth_error_free(&err);
	first = decode_encode(which, (const char *)data + 1, size - 1);
	if (!first)
		return 0;
	second = decode_encode(which, first, strlen(first));
	if (!second || strcmp(first, second) != 0)
		abort();
	free(first);
	free(second);
	return 0;
}
