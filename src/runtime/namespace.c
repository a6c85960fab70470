/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespaces: clone flags for new ones, joining by path, id maps, time offsets. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/core.h"
#include "sys/sys.h"

/* Joining order: the user namespace first (it grants the rights for the rest), mount last-but-one. */
static const enum oci_ns_type join_order[] = {
	OCI_NS_USER, OCI_NS_PID, OCI_NS_UTS, OCI_NS_IPC, OCI_NS_NETWORK, OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_MOUNT,
};

unsigned long rt_ns_clone_flags(const struct oci_linux *l)
{
	unsigned long flags = 0;

	for (int t = 0; t < OCI_NS_COUNT; t++) {
		if (!l->namespaces[t].present || l->namespaces[t].path)
			continue;
		/* cgroup: after the parent moved us into our cgroup; time: after writing offsets */
		if (t == OCI_NS_CGROUP || t == OCI_NS_TIME)
			continue;
		flags |= (unsigned long)oci_ns_clone_flag((enum oci_ns_type)t);
	}
	return flags;
}

void rt_ns_close(int fds[OCI_NS_COUNT])
{
	for (int t = 0; t < OCI_NS_COUNT; t++) {
		if (fds[t] >= 0)
			close(fds[t]);
		fds[t] = -1;
	}
}

int rt_ns_open_paths(const struct oci_linux *l, int fds[OCI_NS_COUNT], struct berth_error **err)
{
	for (int t = 0; t < OCI_NS_COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < OCI_NS_COUNT; t++) {
		const char *path = l->namespaces[t].path;
		if (!l->namespaces[t].present || !path)
			continue;
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			berth_error_set(err, errno, "open %s namespace '%s'", oci_ns_type_name((enum oci_ns_type)t),
					path);
			rt_ns_close(fds);
			return -1;
		}
	}
	return 0;
}

int rt_ns_open_of_pid(pid_t pid, const struct oci_linux *l, int fds[OCI_NS_COUNT], struct berth_error **err)
{
	char path[64];

	for (int t = 0; t < OCI_NS_COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < OCI_NS_COUNT; t++) {
		if (!l->namespaces[t].present)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, oci_ns_proc_name((enum oci_ns_type)t));
		fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			berth_error_set(err, errno, "open '%s'", path);
			rt_ns_close(fds);
			return -1;
		}
	}
	return 0;
}

/*
 * Namespaces that a user namespace other than the one joined may own (a
 * network namespace the engine made, as runc's callers do): joined before
 * the user namespace while that is allowed (root), since after it the
 * rights over them are gone; an EPERM leaves them to the ordinary order.
 */
static void join_outer_first(int fds[OCI_NS_COUNT])
{
	static const enum oci_ns_type outer[] = {OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS};

	if (fds[OCI_NS_USER] < 0)
		return;
	for (size_t i = 0; i < sizeof(outer) / sizeof(outer[0]); i++) {
		enum oci_ns_type t = outer[i];

		if (fds[t] >= 0 && setns(fds[t], oci_ns_clone_flag(t)) == 0) {
			close(fds[t]);
			fds[t] = -1;
		}
	}
}

int rt_ns_join(int fds[OCI_NS_COUNT], bool skip_pid, struct berth_error **err)
{
	join_outer_first(fds);
	for (size_t i = 0; i < sizeof(join_order) / sizeof(join_order[0]); i++) {
		enum oci_ns_type t = join_order[i];
		if (fds[t] < 0 || (skip_pid && t == OCI_NS_PID))
			continue;
		if (setns(fds[t], oci_ns_clone_flag(t)) < 0) {
			int e = errno;
			/* joining our own user namespace again is refused, and pointless */
			if (!(t == OCI_NS_USER && e == EINVAL))
				return berth_error_set(err, e, "join %s namespace", oci_ns_type_name(t));
		}
		close(fds[t]);
		fds[t] = -1;
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, struct berth_error **err)
{
	struct buf b = {0};
	char path[64];
	int rc;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	rc = fs_write_string_at(AT_FDCWD, path, b.data, err);
	buf_done(&b);
	return rc;
}

int rt_ns_write_idmaps(pid_t pid, const struct oci_linux *l, struct berth_error **err)
{
	char path[64];

	/* without CAP_SETGID in our namespace the kernel takes a gid_map only after setgroups is denied */
	if (geteuid() != 0 && l->n_gid_mappings) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
		if (fs_write_string_at(AT_FDCWD, path, "deny", err) < 0)
			return berth_error_wrap(err, "user namespace id mappings");
	}
	if (write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0 ||
	    write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err) < 0)
		return berth_error_wrap(err, "user namespace id mappings");
	return 0;
}

int rt_ns_time_unshare(const struct oci_linux *l, struct berth_error **err)
{
	struct buf b = {0};
	int rc = 0;

	if (unshare(CLONE_NEWTIME) < 0)
		return berth_error_set(err, errno, "create time namespace");
	if (l->time_monotonic.present)
		buf_printf(&b, "monotonic %lld %u\n", (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.present)
		buf_printf(&b, "boottime %lld %u\n", (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	/* one write per clock: the kernel parses a single line per write */
	for (char *line = b.data, *nl; line && *line && rc == 0; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		rc = fs_write_string_at(AT_FDCWD, "/proc/self/timens_offsets", line, err);
		if (!nl[1])
			break;
	}
	buf_done(&b);
	return rc < 0 ? berth_error_wrap(err, "time namespace offsets") : 0;
}
