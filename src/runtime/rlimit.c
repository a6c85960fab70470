/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.rlimits: setrlimit for each entry, clamping hard limits we may not raise. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/resource.h>

#include "base/base.h"
#include "runtime/internal.h"

static const char *rl_name(const struct oci_rlimit *r)
{
	return r->name ? r->name : "RLIMIT_?";
}

static const char *limit_str(uint64_t v, char *buf, size_t len)
{
	if (v == (uint64_t)RLIM_INFINITY)
		return "unlimited";
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/*
 * Raising a hard limit needs CAP_SYS_RESOURCE (EPERM without it, e.g. in a
 * rootless container, or podman's nofile 1048576 on a host with a lower
 * limit): keep the current hard limit instead, as crun does, and warn.
 */
static int apply_clamped(const struct oci_rlimit *r, struct rlimit *lim, struct berth_error **err)
{
	struct rlimit cur;
	char want[32], got[32];

	if (getrlimit(r->type, &cur) < 0)
		return berth_error_set(err, errno, "getrlimit '%s'", rl_name(r));
	if (lim->rlim_max <= cur.rlim_max)
		return berth_error_set(err, EPERM, "setrlimit '%s'", rl_name(r));
	log_warn("rlimit '%s' hard limit %s clamped to %s, ignoring", rl_name(r),
		 limit_str(lim->rlim_max, want, sizeof(want)), limit_str(cur.rlim_max, got, sizeof(got)));
	lim->rlim_max = cur.rlim_max;
	if (lim->rlim_cur > lim->rlim_max)
		lim->rlim_cur = lim->rlim_max;
	if (setrlimit(r->type, lim) < 0)
		return berth_error_set(err, errno, "setrlimit '%s'", rl_name(r));
	return 0;
}

int rt_rlimits_apply(const struct oci_rlimit *r, size_t n, struct berth_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit lim = {.rlim_cur = (rlim_t)r[i].soft, .rlim_max = (rlim_t)r[i].hard};

		if (setrlimit(r[i].type, &lim) == 0)
			continue;
		if (errno != EPERM)
			return berth_error_set(err, errno, "setrlimit '%s'", rl_name(&r[i]));
		if (apply_clamped(&r[i], &lim, err) < 0)
			return -1;
	}
	return 0;
}
