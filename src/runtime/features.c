/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `features` document: what this runtime implements, in the shape of
 * runc 1.1's types/features (read by containerd and other callers).
 */
#include <jansson.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci.h"
#include "runtime/runtime.h"

/*
 * The mount option words oci_mount_parse_options acts on (its flag and
 * propagation tables in oci/mount_options.c; keep in step), sorted as runc
 * sorts them. Words it accepts without acting on (tmpcopyup) are left out.
 */
static const char *const mount_options[] = {
	"acl",	       "async",	      "atime",	    "bind",	  "defaults", "dev",	    "diratime",	     "dirsync",
	"exec",	       "iversion",    "lazytime",   "loud",	  "mand",     "noacl",	    "noatime",	     "nodev",
	"nodiratime",  "noexec",      "noiversion", "nolazytime", "nomand",   "norelatime", "nostrictatime", "nosuid",
	"nosymfollow", "private",     "rbind",	    "relatime",	  "remount",  "ro",	    "rprivate",	     "rshared",
	"rslave",      "runbindable", "rw",	    "shared",	  "silent",   "slave",	    "strictatime",   "suid",
	"sync",	       "unbindable",
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *namespaces(void)
{
	const char *names[OCI_NS_COUNT];
	size_t n = 0;

	for (int t = 0; t < OCI_NS_COUNT; t++) {
		const char *name = oci_ns_type_name((enum oci_ns_type)t);
		if (name)
			names[n++] = name;
	}
	qsort(names, n, sizeof(names[0]), compare_strings);
	return string_array(names, n);
}

static json_t *capabilities(void)
{
	json_t *a = json_array();

	for (int cap = 0; cap <= oci_cap_last(); cap++) {
		const char *name = oci_cap_name(cap);
		if (name)
			json_array_append_new(a, json_string(name));
	}
	return a;
}

/*
 * runc's shape: actions and operators sorted by name, the architectures this
 * libseccomp knows.
 */
static json_t *seccomp_features(void)
{
	const char *actions[OCI_SECCOMP_ACT_COUNT], *ops[OCI_SECCOMP_OP_COUNT];
	json_t *doc = json_pack("{s:b}", "enabled", 1), *archs = json_array();
	size_t n = 0;

	for (int a = 0; a < OCI_SECCOMP_ACT_COUNT; a++)
		actions[n++] = oci_seccomp_action_name((enum oci_seccomp_action)a);
	qsort(actions, n, sizeof(actions[0]), compare_strings);
	json_object_set_new(doc, "actions", string_array(actions, n));
	for (int op = 0; op < OCI_SECCOMP_OP_COUNT; op++)
		ops[op] = oci_seccomp_op_name((enum oci_seccomp_op)op);
	qsort(ops, OCI_SECCOMP_OP_COUNT, sizeof(ops[0]), compare_strings);
	json_object_set_new(doc, "operators", string_array(ops, OCI_SECCOMP_OP_COUNT));
	for (size_t i = 0; oci_seccomp_arch_name(i); i++)
		if (seccomp_arch_resolve_name(oci_seccomp_arch_libname(i)))
			json_array_append_new(archs, json_string(oci_seccomp_arch_name(i)));
	json_object_set_new(doc, "archs", archs);
	return doc;
}

static json_t *enabled(bool on)
{
	return json_pack("{s:b}", "enabled", on);
}

static json_t *linux_features(void)
{
	json_t *l = json_object();

	json_object_set_new(l, "namespaces", namespaces());
	json_object_set_new(l, "capabilities", capabilities());
	/* one ops table serves v1, v2 and hybrid; the systemd driver where systemd is PID 1 */
	json_object_set_new(l, "cgroup",
			    json_pack("{s:b, s:b, s:b, s:b}", "v1", 1, "v2", 1, "systemd", 1, "systemdUser", 1));
	json_object_set_new(l, "seccomp", seccomp_features());
	json_object_set_new(l, "apparmor", enabled(false));
	json_object_set_new(l, "selinux", enabled(false));
	return l;
}

char *rt_features_json(void)
{
	const char *hooks[OCI_HOOK_COUNT];
	json_t *doc = json_object();
	char *text;

	for (int k = 0; k < OCI_HOOK_COUNT; k++)
		hooks[k] = oci_hook_kind_name((enum oci_hook_kind)k);
	json_object_set_new(doc, "ociVersionMin", json_string("1.0.0"));
	json_object_set_new(doc, "ociVersionMax", json_string("1.1.0"));
	json_object_set_new(doc, "hooks", string_array(hooks, OCI_HOOK_COUNT));
	json_object_set_new(doc, "mountOptions",
			    string_array(mount_options, sizeof(mount_options) / sizeof(mount_options[0])));
	json_object_set_new(doc, "linux", linux_features());
	json_object_set_new(doc, "annotations", json_object());
	/* runc prints json.MarshalIndent(…, "", "    ") */
	text = json_dumps(doc, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return text;
}
