/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The devices controller's plan: v1 devices.allow/devices.deny lines, or on
 * v2 the rules handed on to the eBPF generator (devices_bpf.c); and runc's
 * default allow list.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

/* runc 1.1's default allow list, in its order (what `runc run` leaves in devices.list). */
static const struct oci_device_rule default_rules[] = {
	{true, 'c', -1, -1, "m"},    /* mknod of any char device */
	{true, 'b', -1, -1, "m"},    /* mknod of any block device */
	{true, 'c', 1, 3, "rwm"},    /* /dev/null */
	{true, 'c', 1, 8, "rwm"},    /* /dev/random */
	{true, 'c', 1, 7, "rwm"},    /* /dev/full */
	{true, 'c', 5, 0, "rwm"},    /* /dev/tty */
	{true, 'c', 1, 5, "rwm"},    /* /dev/zero */
	{true, 'c', 1, 9, "rwm"},    /* /dev/urandom */
	{true, 'c', 136, -1, "rwm"}, /* /dev/pts/N */
	{true, 'c', 5, 2, "rwm"},    /* /dev/ptmx */
	{true, 'c', 10, 200, "rwm"}, /* /dev/net/tun */
};

const struct oci_device_rule *cg_default_device_rules(size_t *ret_n)
{
	*ret_n = sizeof(default_rules) / sizeof(default_rules[0]);
	return default_rules;
}

static bool is_all(const struct oci_device_rule *rule)
{
	return rule->type == 'a' && rule->major == -1 && rule->minor == -1 && strchr(rule->access, 'r') &&
	       strchr(rule->access, 'w') && strchr(rule->access, 'm');
}

static char *num(int64_t v)
{
	return v < 0 ? xstrdup("*") : xasprintf("%" PRId64, v);
}

void cg_device_rule_lines(const struct oci_device_rule *rule, char ***lines)
{
	_cleanup_free_ char *major = NULL, *minor = NULL;

	/* the kernel reads "a" as every device with every access, whatever follows */
	if (is_all(rule)) {
		strv_push(lines, "a");
		return;
	}
	if (rule->access[0] == '\0')
		return;
	major = num(rule->major);
	minor = num(rule->minor);
	/* so a partial "a" rule becomes one rule per device type */
	if (rule->type == 'a' || rule->type == 'c')
		strv_push_take(lines, xasprintf("c %s:%s %s", major, minor, rule->access));
	if (rule->type == 'a' || rule->type == 'b')
		strv_push_take(lines, xasprintf("b %s:%s %s", major, minor, rule->access));
}

static void plan_v1(const struct oci_resources *r, struct cg_plan *p)
{
	/* as runc, the rules describe the whole list from "deny everything" on, whatever the cgroup had */
	if (!is_all(&r->devices[0]))
		cg_plan_add(p, "devices", "device rules", "devices.deny", 0, "a");
	for (size_t i = 0; i < r->n_devices; i++) {
		_cleanup_strv_ char **lines = NULL;
		const char *file = r->devices[i].allow ? "devices.allow" : "devices.deny";

		cg_device_rule_lines(&r->devices[i], &lines);
		for (size_t j = 0; lines && lines[j]; j++)
			cg_plan_add(p, "devices", "device rules", file, 0, "%s", lines[j]);
	}
}

int cg_devices_plan(bool v1, const struct oci_resources *r, struct cg_plan *p, struct berth_error **err)
{
	if (r->n_devices == 0)
		return 0;
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct oci_device_rule *d = &r->devices[i];

		if ((d->type != 'a' && d->type != 'b' && d->type != 'c') || d->access[strspn(d->access, "rwm")])
			return berth_error_set(err, 0, "invalid device rule %zu: type '%c' access '%s'", i, d->type,
					       d->access);
	}
	if (v1)
		plan_v1(r, p);
	else {
		p->bpf_rules = r->devices;
		p->n_bpf_rules = r->n_devices;
	}
	return 0;
}
