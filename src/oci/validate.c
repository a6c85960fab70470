/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cross-field rules of a decoded config, checked before anything acts on it
 * (runc's specconv and configs/validate checks). Errors name the JSON path.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "oci/internal.h"

/* "NAME: " + the formatted message. Returns -1. */
static int vfail(struct berth_error **err, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int vfail(struct berth_error **err, const char *name, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	return berth_error_set(err, 0, "%s: %s", name, msg);
}

static bool is_absolute(const char *path)
{
	return path && path[0] == '/';
}

/* "1.MINOR.PATCH" with an optional "-pre" or "+build" suffix. */
static bool is_supported_version(const char *v)
{
	const char *p = v;

	if (strncmp(p, "1.", 2) != 0)
		return false;
	p += 2;
	for (int part = 0; part < 2; part++) {
		size_t n = strspn(p, "0123456789");

		if (n == 0)
			return false;
		p += n;
		if (part == 0 && *p++ != '.')
			return false;
	}
	return *p == '\0' || *p == '-' || *p == '+';
}

static int check_rlimits(const struct oci_process *p, const char *name, const char *prefix, struct berth_error **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct oci_rlimit *r = &p->rlimits[i];

		if (r->soft > r->hard)
			return vfail(err, name, "%srlimits[%zu]: soft limit %" PRIu64 " exceeds hard limit %" PRIu64,
				     prefix, i, r->soft, r->hard);
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].type == r->type)
				return vfail(err, name, "%srlimits[%zu].type: duplicate rlimit '%s'", prefix, i,
					     r->name);
	}
	return 0;
}

int oci_process_check(const struct oci_process *p, const char *name, const char *prefix, struct berth_error **err)
{
	if (!p->args || !p->args[0])
		return vfail(err, name, "%sargs: must not be empty", prefix);
	if (!p->cwd)
		return vfail(err, name, "%scwd: required", prefix);
	if (!is_absolute(p->cwd))
		return vfail(err, name, "%scwd: must be an absolute path", prefix);
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (!strchr(p->env[i], '='))
			return vfail(err, name, "%senv[%zu]: '%s' is not of the form NAME=value", prefix, i, p->env[i]);
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return vfail(err, name, "%soomScoreAdj: value %d out of range [-1000, 1000]", prefix, p->oom_score_adj);
	return check_rlimits(p, name, prefix, err);
}

static int check_mounts_and_hooks(const struct oci_config *c, const char *name, struct berth_error **err)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (!is_absolute(c->mounts[i].destination))
			return vfail(err, name, "mounts[%zu].destination: must be an absolute path", i);
	for (int k = 0; k < OCI_HOOK_COUNT; k++)
		for (size_t i = 0; i < c->hooks.n[k]; i++)
			if (!is_absolute(c->hooks.list[k][i].path))
				return vfail(err, name, "hooks.%s[%zu].path: must be an absolute path",
					     oci_hook_kind_name(k), i);
	return 0;
}

static int check_uts(const struct oci_config *c, const char *name, struct berth_error **err)
{
	/* as runc: joining a UTS namespace by path counts as private */
	if (c->linux_.namespaces[OCI_NS_UTS].present)
		return 0;
	if (c->hostname)
		return vfail(err, name, "hostname: unable to set hostname without a private UTS namespace");
	if (c->domainname)
		return vfail(err, name, "domainname: unable to set domainname without a private UTS namespace");
	return 0;
}

static int check_id_mappings(const struct oci_linux *l, const char *name, struct berth_error **err)
{
	const struct oci_namespace *user = &l->namespaces[OCI_NS_USER];

	if (!user->present && (l->n_uid_mappings > 0 || l->n_gid_mappings > 0))
		return vfail(err, name,
			     "linux.%s: user namespace mappings specified, but no user namespace is configured",
			     l->n_uid_mappings > 0 ? "uidMappings" : "gidMappings");
	if (user->present && !user->path && (l->n_uid_mappings == 0 || l->n_gid_mappings == 0))
		return vfail(err, name, "linux.%s: required with a new user namespace",
			     l->n_uid_mappings == 0 ? "uidMappings" : "gidMappings");
	for (size_t i = 0; i < l->n_uid_mappings; i++)
		if (l->uid_mappings[i].size == 0)
			return vfail(err, name, "linux.uidMappings[%zu].size: must be greater than zero", i);
	for (size_t i = 0; i < l->n_gid_mappings; i++)
		if (l->gid_mappings[i].size == 0)
			return vfail(err, name, "linux.gidMappings[%zu].size: must be greater than zero", i);
	return 0;
}

static int check_time_offsets(const struct oci_linux *l, const char *name, struct berth_error **err)
{
	const struct oci_namespace *time_ns = &l->namespaces[OCI_NS_TIME];
	const struct {
		const char *clock;
		const struct oci_time_offset *off;
	} clocks[] = {{"monotonic", &l->time_monotonic}, {"boottime", &l->time_boottime}};

	if (!l->time_monotonic.present && !l->time_boottime.present)
		return 0;
	if (!time_ns->present)
		return vfail(err, name,
			     "linux.timeOffsets: time offsets specified, but no time namespace is configured");
	/* the kernel takes offsets only before the first process enters the namespace */
	if (time_ns->path)
		return vfail(err, name, "linux.timeOffsets: cannot set time offsets when joining a time namespace");
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		if (clocks[i].off->present && clocks[i].off->nanosecs >= 1000000000)
			return vfail(err, name,
				     "linux.timeOffsets.%s.nanosecs: value %" PRIu32 " out of range [0, 999999999]",
				     clocks[i].clock, clocks[i].off->nanosecs);
	return 0;
}

static int check_sysctl_key(const struct oci_linux *l, const char *key, const char *name, struct berth_error **err)
{
	_cleanup_free_ char *k = xstrdup(key);

	/* "net/ipv4/ip_forward" is the same knob as "net.ipv4.ip_forward" */
	for (char *p = k; *p; p++)
		if (*p == '/')
			*p = '.';
	if (strncmp(k, "kernel.msg", 10) == 0 || strncmp(k, "kernel.sem", 10) == 0 ||
	    strncmp(k, "kernel.shm", 10) == 0 || strncmp(k, "fs.mqueue.", 10) == 0) {
		if (l->namespaces[OCI_NS_IPC].present)
			return 0;
		return vfail(err, name, "linux.sysctl[\"%s\"]: not allowed in the host's ipc namespace", key);
	}
	if (strncmp(k, "net.", 4) == 0) {
		if (l->namespaces[OCI_NS_NETWORK].present)
			return 0;
		return vfail(err, name, "linux.sysctl[\"%s\"]: not allowed in the host's network namespace", key);
	}
	if (l->namespaces[OCI_NS_UTS].present) {
		if (strcmp(k, "kernel.domainname") == 0)
			return 0;
		if (strcmp(k, "kernel.hostname") == 0)
			return vfail(err, name,
				     "linux.sysctl[\"%s\"]: not allowed as it conflicts with the 'hostname' field",
				     key);
	}
	return vfail(err, name, "linux.sysctl[\"%s\"]: not in a separate kernel namespace", key);
}

static int check_paths(const struct oci_linux *l, const char *name, struct berth_error **err)
{
	for (int t = 0; t < OCI_NS_COUNT; t++)
		if (l->namespaces[t].path && !is_absolute(l->namespaces[t].path))
			return vfail(err, name, "linux.namespaces: path '%s' of the '%s' namespace must be absolute",
				     l->namespaces[t].path, oci_ns_type_name(t));
	for (size_t i = 0; i < l->n_devices; i++)
		if (!is_absolute(l->devices[i].path))
			return vfail(err, name, "linux.devices[%zu].path: must be an absolute path", i);
	for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
		if (!is_absolute(l->masked_paths[i]))
			return vfail(err, name, "linux.maskedPaths[%zu]: must be an absolute path", i);
	for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
		if (!is_absolute(l->readonly_paths[i]))
			return vfail(err, name, "linux.readonlyPaths[%zu]: must be an absolute path", i);
	return 0;
}

static int check_linux(const struct oci_linux *l, const char *name, struct berth_error **err)
{
	if (check_paths(l, name, err) < 0)
		return -1;
	if (check_id_mappings(l, name, err) < 0)
		return -1;
	if (check_time_offsets(l, name, err) < 0)
		return -1;
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (check_sysctl_key(l, l->sysctl[i].key, name, err) < 0)
			return -1;
	return 0;
}

int oci_config_validate(const struct oci_config *c, const char *name, struct berth_error **err)
{
	if (!name)
		name = "config.json";
	if (!c->oci_version)
		return vfail(err, name, "ociVersion: required");
	if (!is_supported_version(c->oci_version))
		return vfail(err, name, "ociVersion: unsupported version '%s'", c->oci_version);
	if (!c->root_path)
		return vfail(err, name, "root.path: required");
	if (!c->has_process)
		return vfail(err, name, "process: required");
	if (oci_process_check(&c->process, name, "process.", err) < 0)
		return -1;
	if (check_mounts_and_hooks(c, name, err) < 0)
		return -1;
	if (check_uts(c, name, err) < 0)
		return -1;
	return check_linux(&c->linux_, name, err);
}
