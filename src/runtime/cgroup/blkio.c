/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The block I/O plan: v1 blkio (CFQ's blkio.weight or BFQ's
 * blkio.bfq.weight, leaf weights, throttles) and v2 io (io.bfq.weight, else
 * io.weight with runc's conversion; io.max throttles).
 */
#include <inttypes.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

uint64_t cg_blkio_weight_to_io(uint64_t weight)
{
	if (weight == 0)
		return 0;
	/* blkio's range starts at 10: clamp so that a smaller value cannot wrap */
	if (weight < 10)
		weight = 10;
	return 1 + (weight - 10) * 9999 / 990;
}

static const char *const v1_throttle_files[OCI_THROTTLE_COUNT] = {
	"blkio.throttle.read_bps_device",
	"blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device",
	"blkio.throttle.write_iops_device",
};
static const char *const v2_throttle_keys[OCI_THROTTLE_COUNT] = {"rbps", "wbps", "riops", "wiops"};
static const char *const throttle_what[OCI_THROTTLE_COUNT] = {
	"blockIO throttleReadBpsDevice",
	"blockIO throttleWriteBpsDevice",
	"blockIO throttleReadIOPSDevice",
	"blockIO throttleWriteIOPSDevice",
};

static void plan_v1(const struct oci_resources *r, struct cg_plan *p)
{
	char v[32];

	/* CFQ's files when the kernel has them, else BFQ's, as runc */
	if (r->has_blkio_weight && r->blkio_weight != 0) {
		snprintf(v, sizeof(v), "%u", (unsigned)r->blkio_weight);
		cg_plan_add_alt(p, "blkio", "blockIO weight", "blkio.weight", v, "blkio.bfq.weight", v, 0);
	}
	if (r->has_blkio_leaf_weight && r->blkio_leaf_weight != 0)
		cg_plan_add(p, "blkio", "blockIO leafWeight", "blkio.leaf_weight", 0, "%u",
			    (unsigned)r->blkio_leaf_weight);
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		const struct oci_weight_device *d = &r->blkio_weight_devices[i];
		_cleanup_free_ char *line = NULL;

		if (d->has_weight && d->weight != 0) {
			line = xasprintf("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned)d->weight);
			cg_plan_add_alt(p, "blkio", "blockIO weightDevice", "blkio.weight_device", line,
					"blkio.bfq.weight_device", line, 0);
		}
		if (d->has_leaf_weight && d->leaf_weight != 0)
			cg_plan_add(p, "blkio", "blockIO weightDevice leafWeight", "blkio.leaf_weight_device", 0,
				    "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned)d->leaf_weight);
	}
	for (size_t t = 0; t < OCI_THROTTLE_COUNT; t++)
		for (size_t i = 0; i < r->n_blkio_throttle[t]; i++) {
			const struct oci_throttle_device *d = &r->blkio_throttle[t][i];

			cg_plan_add(p, "blkio", throttle_what[t], v1_throttle_files[t], 0,
				    "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->rate);
		}
}

static void plan_v2(const struct oci_resources *r, struct cg_plan *p)
{
	/* BFQ takes blkio's weights as they are; io.weight has its own range */
	if (r->has_blkio_weight && r->blkio_weight != 0) {
		_cleanup_free_ char *bfq = xasprintf("%u", (unsigned)r->blkio_weight);
		_cleanup_free_ char *io = xasprintf("%" PRIu64, cg_blkio_weight_to_io(r->blkio_weight));

		cg_plan_add_alt(p, "io", "blockIO weight", "io.bfq.weight", bfq, "io.weight", io, 0);
	}
	if (r->has_blkio_leaf_weight && r->blkio_leaf_weight != 0)
		log_warn("blockIO leafWeight is not supported on cgroup v2, ignoring");
	/* per-device weights only exist with BFQ; runc skips them without it */
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		const struct oci_weight_device *d = &r->blkio_weight_devices[i];

		if (d->has_weight && d->weight != 0)
			cg_plan_add(p, "io", "blockIO weightDevice", "io.bfq.weight", CG_W_OPTIONAL,
				    "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned)d->weight);
	}
	for (size_t t = 0; t < OCI_THROTTLE_COUNT; t++)
		for (size_t i = 0; i < r->n_blkio_throttle[t]; i++) {
			const struct oci_throttle_device *d = &r->blkio_throttle[t][i];

			cg_plan_add(p, "io", throttle_what[t], "io.max", 0, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
				    d->major, d->minor, v2_throttle_keys[t], d->rate);
		}
}

int cg_blkio_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	for (size_t t = 0; t < OCI_THROTTLE_COUNT; t++)
		for (size_t i = 0; i < r->n_blkio_throttle[t]; i++)
			if (r->blkio_throttle[t][i].major < 0 || r->blkio_throttle[t][i].minor < 0)
				return berth_error_set(err, 0, "invalid %s %zu: negative device number",
						       throttle_what[t], i);
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
		if (r->blkio_weight_devices[i].major < 0 || r->blkio_weight_devices[i].minor < 0)
			return berth_error_set(err, 0, "invalid blockIO weightDevice %zu: negative device number", i);
	if (v1)
		plan_v1(r, p);
	else
		plan_v2(r, p);
	return 0;
}
