/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container process's identity: bounding set, groups, uid/gid, the
 * effective/permitted/inheritable and ambient capability sets, umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/internal.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

DEFINE_CLEANUP_FUNC(void, cap_free)

/*
 * The highest capability the running kernel knows. Capabilities above it are
 * skipped: a config written for a newer kernel must still run here.
 */
static int kernel_cap_last(void)
{
	char buf[16] = {0};
	int fd, last = -1;
	ssize_t n;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (parse_int(buf, &last) == 0 && last >= 0 && last < 64)
				return last;
		}
	}
	/* No /proc (after pivot_root without a proc mount): probe the bounding set. */
	for (last = 0; last < 63; last++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)last + 1, 0, 0, 0) < 0)
			break;
	return last;
}

static const char *cap_str(int cap, char *buf, size_t cap_len)
{
	const char *name = oci_cap_name(cap);

	if (name)
		return name;
	snprintf(buf, cap_len, "%d", cap);
	return buf;
}

/* Needs CAP_SETPCAP, so it runs while we are still privileged. */
static int drop_bounding(uint64_t keep, int last, struct berth_error **err)
{
	char nbuf[16];

	for (int c = 0; c <= last; c++) {
		if (keep & CAP_BIT(c))
			continue;
		/* Skip what is already gone: dropping it again would need CAP_SETPCAP for nothing. */
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0)
			return berth_error_set(err, errno, "drop capability '%s' from the bounding set",
					       cap_str(c, nbuf, sizeof(nbuf)));
	}
	return 0;
}

static int set_ids(const struct oci_user *user, bool setgroups_allowed, struct berth_error **err)
{
	if (setgroups_allowed) {
		const gid_t *gids = user->n_additional_gids ? user->additional_gids : NULL;

		if (setgroups(user->n_additional_gids, gids) < 0)
			return berth_error_set(err, errno, "setgroups");
	}
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return berth_error_set(err, errno, "setresgid to %u", (unsigned)user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return berth_error_set(err, errno, "setresuid to %u", (unsigned)user->uid);
	return 0;
}

static int fill_set(cap_t c, cap_flag_t flag, uint64_t mask, int last, struct berth_error **err)
{
	cap_value_t vals[64];
	int n = 0;

	for (int i = 0; i <= last; i++)
		if (mask & CAP_BIT(i))
			vals[n++] = i;
	if (n > 0 && cap_set_flag(c, flag, n, vals, CAP_SET) < 0)
		return berth_error_set(err, errno, "build capability set");
	return 0;
}

static int set_caps(const struct oci_capabilities *caps, int last, struct berth_error **err)
{
	_cleanup_(cap_freep) void *c = cap_init();

	if (!c)
		return berth_error_set(err, errno, "allocate capability set");
	if (caps) {
		if (fill_set(c, CAP_EFFECTIVE, caps->effective, last, err) < 0 ||
		    fill_set(c, CAP_PERMITTED, caps->permitted, last, err) < 0 ||
		    fill_set(c, CAP_INHERITABLE, caps->inheritable, last, err) < 0)
			return -1;
	}
	if (cap_set_proc(c) < 0)
		return berth_error_set(err, errno, "set capabilities");
	return 0;
}

/*
 * Ambient caps need to be permitted and inheritable too. runc's default spec
 * asks for ambient caps without inheritable ones and runc stays silent: so do we
 * (a debug line).
 */
static int set_ambient(uint64_t ambient, int last, struct berth_error **err)
{
	char nbuf[16];

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		/* Kernels before 4.3 have no ambient set: only an error when one is asked for. */
		if (errno == EINVAL && ambient == 0)
			return 0;
		return berth_error_set(err, errno, "clear ambient capabilities");
	}
	for (int c = 0; c <= last; c++) {
		if (!(ambient & CAP_BIT(c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0)
			log_debug("raise ambient capability '%s': %s, ignoring", cap_str(c, nbuf, sizeof(nbuf)),
				  strerror(errno));
	}
	return 0;
}

int rt_identity_apply(const struct oci_user *user, const struct oci_capabilities *caps, bool setgroups_allowed,
		      struct berth_error **err)
{
	int last = kernel_cap_last();

	if (drop_bounding(caps ? caps->bounding : 0, last, err) < 0)
		return -1;
	/* Keep the permitted set across the uid change; the final sets are installed right after. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berth_error_set(err, errno, "set keep-capabilities");
	if (set_ids(user, setgroups_allowed, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berth_error_set(err, errno, "clear keep-capabilities");
	if (set_caps(caps, last, err) < 0)
		return -1;
	if (set_ambient(caps ? caps->ambient : 0, last, err) < 0)
		return -1;
	umask(user->has_umask ? user->umask : 0022);
	return 0;
}
