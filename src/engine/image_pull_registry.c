/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pulling from a registry (placeholder until the registry pull lands). */
#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"

int eng_image_pull_registry(struct eng *e, const struct img_ref *ref, const struct eng_pull_opts *opts,
			    const struct eng_progress *p, char **ret_id, struct berth_error **err)
{
	_cleanup_free_ char *name = img_ref_familiar_string(ref);

	return berth_error_set(err, 0, "pull '%s': registry pulls are not supported yet", name);
}
