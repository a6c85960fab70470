/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: Docker's security defaults: the capability set (CapAdd, CapDrop,
 * Privileged), SecurityOpt (seccomp, apparmor, no-new-privileges, label,
 * systempaths), masked and readonly paths, and the host's devices for
 * Privileged.
 */
#include <ctype.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/base.h"
#include "engine/spec_internal.h"
#include "oci/oci.h"

static const int default_caps[] = {
	CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,		 CAP_MKNOD,	 CAP_NET_RAW, CAP_SETGID,
	CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,    CAP_AUDIT_WRITE,
};

static const char *const default_masked[] = {
	"/proc/asound",
	"/proc/acpi",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
	NULL,
};

static const char *const default_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/*
 * Every capability the engine itself may pass on: the kernel's, within this
 * process's bounding set (a machine without CAP_SYS_RESOURCE cannot give it;
 * asking would fail the container's start, which Docker users do not expect
 * from --privileged).
 */
static uint64_t all_caps(void)
{
	int last = oci_cap_last();
	uint64_t all = last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;

	for (int c = 0; c <= last && c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
			all &= ~(UINT64_C(1) << c);
	return all;
}

/* "net_admin", "CAP_NET_ADMIN", "all": *ret gets the number, or -2 for ALL. */
static int normalize_cap(json_t *v, const char *field, size_t i, int *ret, struct berth_error **err)
{
	_cleanup_free_ char *name = NULL;
	const char *s = json_string_value(v);
	int c;

	if (!s)
		return berth_error_set(err, 0, "HostConfig.%s[%zu]: expected string", field, i);
	name = strncasecmp(s, "CAP_", 4) == 0 ? xstrdup(s) : xasprintf("CAP_%s", s);
	for (char *p = name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (strcmp(name, "CAP_ALL") == 0) {
		*ret = -2;
		return 0;
	}
	c = oci_cap_from_name(name);
	if (c < 0 || c > 63)
		return berth_error_set(err, 0, "HostConfig.%s[%zu]: unknown capability '%s'", field, i, name);
	*ret = c;
	return 0;
}

/* The set named by a CapAdd/CapDrop list; *ret_all when it holds ALL. */
static int cap_list(json_t *hc, const char *field, uint64_t *ret, bool *ret_all, struct berth_error **err)
{
	json_t *list = json_object_get(hc, field), *v;
	size_t i;
	int c = -1;

	*ret = 0;
	*ret_all = false;
	if (list && !json_is_null(list) && !json_is_array(list))
		return berth_error_set(err, 0, "HostConfig.%s: expected an array of strings", field);
	json_array_foreach(list, i, v)
	{
		if (normalize_cap(v, field, i, &c, err) < 0)
			return -1;
		if (c == -2)
			*ret_all = true;
		else
			*ret |= UINT64_C(1) << c;
	}
	return 0;
}

int spec_caps_compute(json_t *hc, bool privileged, uint64_t *ret, struct berth_error **err)
{
	uint64_t base = 0, add, drop;
	bool add_all, drop_all;

	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		base |= UINT64_C(1) << default_caps[i];
	if (cap_list(hc, "CapAdd", &add, &add_all, err) < 0 || cap_list(hc, "CapDrop", &drop, &drop_all, err) < 0)
		return -1;
	/* Docker: privileged ignores both lists; ALL in CapAdd wins over ALL in CapDrop */
	if (privileged)
		*ret = all_caps();
	else if (add_all)
		*ret = all_caps() & ~drop;
	else if (drop_all)
		*ret = add;
	else
		*ret = (base & ~drop) | add;
	return 0;
}

static json_t *cap_names(uint64_t caps)
{
	json_t *a = json_array();

	for (int c = 0; c < 64; c++)
		if ((caps & (UINT64_C(1) << c)) && oci_cap_name(c))
			json_array_append_new(a, json_string(oci_cap_name(c)));
	return a;
}

struct sec_opts {
	const char *seccomp;  /* "unconfined", "builtin", profile JSON, or NULL */
	const char *apparmor; /* NULL: none */
	bool no_new_privs;
	bool unconfined_paths;
};

static int parse_bool_opt(const char *v, bool *ret)
{
	if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*ret = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*ret = false;
	else
		return -1;
	return 0;
}

/* One "key=value" (or the old "key:value") entry of HostConfig.SecurityOpt. */
static int parse_one_opt(struct spec_ctx *ctx, const char *opt, size_t i, struct sec_opts *o, struct berth_error **err)
{
	size_t klen = strcspn(opt, strchr(opt, '=') ? "=" : ":");
	const char *val = opt[klen] ? opt + klen + 1 : NULL;
	bool b;

#define KEY_IS(k) (klen == strlen(k) && strncmp(opt, k, klen) == 0)
	if (KEY_IS("no-new-privileges")) {
		if (parse_bool_opt(val, &b) < 0)
			return berth_error_set(
				err, 0, "HostConfig.SecurityOpt[%zu]: invalid no-new-privileges value '%s'", i, val);
		o->no_new_privs = b;
	} else if (KEY_IS("seccomp") && val) {
		o->seccomp = val;
	} else if (KEY_IS("apparmor") && val) {
		o->apparmor = strcmp(val, "unconfined") == 0 ? NULL : val;
	} else if (KEY_IS("systempaths") && val && strcmp(val, "unconfined") == 0) {
		o->unconfined_paths = true;
	} else if (KEY_IS("label") && val) {
		spec_warn(ctx, "SecurityOpt '%s': SELinux labels are not supported, ignoring", opt);
	} else if (KEY_IS("writable-cgroups") && val) {
		spec_warn(ctx, "SecurityOpt '%s': not supported, ignoring", opt);
	} else {
		return berth_error_set(err, 0, "HostConfig.SecurityOpt[%zu]: invalid option '%s'", i, opt);
	}
#undef KEY_IS
	return 0;
}

static int parse_security_opts(struct spec_ctx *ctx, struct sec_opts *o, struct berth_error **err)
{
	json_t *list = json_object_get(ctx->hc, "SecurityOpt"), *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, 0, "HostConfig.SecurityOpt[%zu]: expected string", i);
		if (parse_one_opt(ctx, json_string_value(v), i, o, err) < 0)
			return -1;
	}
	return 0;
}

/* HostConfig.MaskedPaths / ReadonlyPaths replace Docker's lists when present (even empty). */
static int paths(struct spec_ctx *ctx, const char *field, const char *const *defaults, json_t **ret,
		 struct berth_error **err)
{
	json_t *v = json_object_get(ctx->hc, field), *e;
	size_t i;

	if (!v || json_is_null(v)) {
		*ret = spec_strv_json(defaults);
		return 0;
	}
	if (!json_is_array(v))
		return berth_error_set(err, 0, "HostConfig.%s: expected an array of strings", field);
	json_array_foreach(v, i, e) if (!json_is_string(e) || json_string_value(e)[0] != '/') return berth_error_set(
		err, 0, "HostConfig.%s[%zu]: expected an absolute path", field, i);
	*ret = json_deep_copy(v);
	return 0;
}

static int apply_seccomp(struct spec_ctx *ctx, const struct sec_opts *o, json_t *linux_, struct berth_error **err)
{
	json_t *sc = NULL;

	if (ctx->privileged || (o->seccomp && strcmp(o->seccomp, "unconfined") == 0))
		return 0;
	if (!o->seccomp || strcmp(o->seccomp, "builtin") == 0)
		sc = spec_seccomp_default(ctx->caps, ctx->in->arch);
	else if (spec_seccomp_from_profile(o->seccomp, ctx->caps, ctx->in->arch, &sc, err) < 0)
		return -1;
	json_object_set_new(linux_, "seccomp", sc);
	return 0;
}

int spec_security_apply(struct spec_ctx *ctx, json_t *spec, struct berth_error **err)
{
	json_t *process = json_object_get(spec, "process"), *linux_ = json_object_get(spec, "linux"), *p = NULL;
	struct sec_opts o = {0};

	if (parse_security_opts(ctx, &o, err) < 0)
		return -1;
	json_object_set_new(process, "capabilities",
			    json_pack("{s:o, s:o, s:o}", "bounding", cap_names(ctx->caps), "effective",
				      cap_names(ctx->caps), "permitted", cap_names(ctx->caps)));
	if (o.no_new_privs)
		json_object_set_new(process, "noNewPrivileges", json_true());
	if (o.apparmor && !ctx->privileged)
		json_object_set_new(process, "apparmorProfile", json_string(o.apparmor));
	if (apply_seccomp(ctx, &o, linux_, err) < 0)
		return -1;
	if (ctx->privileged || o.unconfined_paths)
		return 0;
	if (paths(ctx, "MaskedPaths", default_masked, &p, err) < 0)
		return -1;
	json_object_set_new(linux_, "maskedPaths", p);
	if (paths(ctx, "ReadonlyPaths", default_readonly, &p, err) < 0)
		return -1;
	json_object_set_new(linux_, "readonlyPaths", p);
	return 0;
}

static bool skip_dev_entry(const char *name)
{
	static const char *const skipped[] = {"pts", "shm", "mqueue", "fd", ".lxc", ".lxd-mounts", ".udev",
					      /* the runtime makes these two for the container's own tty */
					      "console", "ptmx"};

	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (strcmp(name, skipped[i]) == 0)
			return true;
	return false;
}

static void walk_devices(int dirfd, const char *prefix, int depth, json_t *out)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (skip_dev_entry(de->d_name) || fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		path = xasprintf("%s/%s", prefix, de->d_name);
		if (S_ISDIR(st.st_mode) && depth < 4) {
			_cleanup_close_ int sub =
				openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				walk_devices(sub, path, depth + 1, out);
		} else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && st.st_rdev != 0) {
			json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:i}", "path", path,
							     "type", S_ISCHR(st.st_mode) ? "c" : "b", "major",
							     (json_int_t)major(st.st_rdev), "minor",
							     (json_int_t)minor(st.st_rdev), "fileMode",
							     (int)(st.st_mode & 07777), "uid", (int)st.st_uid, "gid",
							     (int)st.st_gid));
		}
	}
}

json_t *spec_host_devices(int dev_fd)
{
	json_t *out = json_array();

	if (dev_fd >= 0)
		walk_devices(dev_fd, "/dev", 0, out);
	return out;
}
