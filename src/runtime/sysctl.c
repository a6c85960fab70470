/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.sysctl: each key written to /proc/sys after pivot_root, with the container's /proc mounted. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/internal.h"

/*
 * "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward". As runc, every
 * dot becomes a slash and nothing else changes; with no dot left no ".."
 * component can remain, so the path stays under /proc/sys.
 */
static char *sysctl_path(const char *key)
{
	char *p = xasprintf("/proc/sys/%s", key);

	for (char *c = p + strlen("/proc/sys/"); *c; c++)
		if (*c == '.')
			*c = '/';
	return p;
}

static int write_one(const struct oci_kv *s, struct berth_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	ssize_t n;

	if (!s->key || !s->key[0] || s->key[0] == '/' || s->key[0] == '.')
		return berth_error_set(err, EINVAL, "invalid sysctl key '%s'", s->key ? s->key : "");
	path = sysctl_path(s->key);
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_set(err, errno, "sysctl '%s': open '%s'", s->key, path);
	len = s->value ? strlen(s->value) : 0;
	n = write(fd, s->value ? s->value : "", len);
	if (n < 0)
		return berth_error_set(err, errno, "sysctl '%s': write '%s'", s->key, path);
	if ((size_t)n != len)
		return berth_error_set(err, EIO, "sysctl '%s': short write to '%s'", s->key, path);
	return 0;
}

int rt_sysctl_apply(const struct oci_kv *s, size_t n, struct berth_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (write_one(&s[i], err) < 0)
			return -1;
	return 0;
}
