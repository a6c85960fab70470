/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Net sysctls under /proc/sys/net, which show the network namespace of the
 * thread that opens them: forwarding, route_localnet, IPv6 per device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "network/netlink_internal.h"

/* "/proc/sys/net/…" for key into buf; dots become slashes when key has no '/'. */
static int sysctl_path(const char *key, char *buf, size_t cap, struct berth_error **err)
{
	size_t len;

	if (!key || strncmp(key, "net", 3) != 0 || (key[3] != '/' && key[3] != '.') || strstr(key, "..") ||
	    strstr(key, "//"))
		return berth_error_set(err, 0, "invalid sysctl name '%s'", key ? key : "");
	len = (size_t)snprintf(buf, cap, "/proc/sys/%s", key);
	if (len >= cap)
		return berth_error_set(err, 0, "invalid sysctl name '%s'", key);
	if (!strchr(key, '/'))
		for (char *p = buf + strlen("/proc/sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
	return 0;
}

int net_sysctl_write(const char *key, const char *value, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	char path[256];

	if (sysctl_path(key, path, sizeof(path), err) < 0)
		return -1;
	if (fs_write_string_at(AT_FDCWD, path, value, &e) < 0)
		return berth_error_set(err, e->code, "set sysctl '%s' to '%s'", path + strlen("/proc/sys/"), value);
	return 0;
}

int net_sysctl_read(const char *key, char **ret, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	char path[256], *data = NULL;
	size_t len = 0;

	if (sysctl_path(key, path, sizeof(path), err) < 0)
		return -1;
	if (fs_read_file_at(AT_FDCWD, path, &data, &len, &e) < 0)
		return berth_error_set(err, e->code, "read sysctl '%s'", path + strlen("/proc/sys/"));
	while (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	*ret = data;
	return 0;
}

int net_sysctl_set_ip_forward(bool on, struct berth_error **err)
{
	return net_sysctl_write("net/ipv4/ip_forward", on ? "1" : "0", err);
}

/* Write value to net/<proto>/conf/<ifname>/<knob>; ifname may hold dots, hence the slash form. */
static int conf_write(const char *proto, const char *ifname, const char *knob, const char *value,
		      struct berth_error **err)
{
	char key[128];

	if (net_ifname_check(ifname, err) < 0)
		return -1;
	snprintf(key, sizeof(key), "net/%s/conf/%s/%s", proto, ifname, knob);
	return net_sysctl_write(key, value, err);
}

int net_sysctl_set_route_localnet(const char *ifname, bool on, struct berth_error **err)
{
	return conf_write("ipv4", ifname, "route_localnet", on ? "1" : "0", err);
}

int net_sysctl_set_ipv6_disabled(const char *ifname, bool disabled, struct berth_error **err)
{
	return conf_write("ipv6", ifname, "disable_ipv6", disabled ? "1" : "0", err);
}

int net_sysctl_set_accept_ra(const char *ifname, int value, struct berth_error **err)
{
	char v[16];

	if (value < 0 || value > 2)
		return berth_error_set(err, 0, "accept_ra value %d out of range 0-2", value);
	snprintf(v, sizeof(v), "%d", value);
	return conf_write("ipv6", ifname, "accept_ra", v, err);
}
