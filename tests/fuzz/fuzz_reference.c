/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for image references: img_ref_parse, every spelling, and
 * the round trip parse(img_ref_string(r)) == r.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct img_ref *r)
{
	_cleanup_free_ char *full = img_ref_string(r), *again_full = NULL;
	_cleanup_img_ref_ struct img_ref *again = NULL;
	_cleanup_error_ struct berth_error *err = NULL;

	if (img_ref_parse(full, &again, &err) < 0)
		abort();
	again_full = img_ref_string(again);
	if (strcmp(full, again_full) != 0)
		abort();
}

/* Whether the first component of a familiar name reads as a domain of its own. */
static bool familiar_ambiguous(const char *familiar)
{
	size_t n = strcspn(familiar, "/");

	return familiar[n] == '/' && (memchr(familiar, '.', n) || memchr(familiar, ':', n) ||
				      (n == 9 && strncmp(familiar, "localhost", 9) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = strndup((const char *)data, size);
	_cleanup_img_ref_ struct img_ref *r = NULL, *fam = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *familiar = NULL, *repo = NULL, *frepo = NULL;

	if (!s)
		abort();
	(void)img_ref_is_id_like(s);
	if (img_ref_parse(s, &r, &err) < 0)
		return 0;
	check_round_trip(r);
	familiar = img_ref_familiar_string(r);
	repo = img_ref_repository(r);
	frepo = img_ref_familiar_repository(r);
	(void)img_ref_api_host(r);
	/*
	 * The familiar spelling is Docker's and so is ambiguous where Docker's
	 * is: "docker.io/a.b/c" shows as "a.b/c", whose first component then
	 * reads as a domain, and "library/<64 hex>" as a bare 64-hex name. It
	 * must parse back to r whenever its first component is no domain.
	 */
	if (img_ref_parse(familiar, &fam, &err) == 0 && !familiar_ambiguous(familiar)) {
		_cleanup_free_ char *full = img_ref_string(r), *fam_full = img_ref_string(fam);

		if (strcmp(full, fam_full) != 0)
			abort();
	}
	img_ref_default_tag(r);
	check_round_trip(r);
	return 0;
}
