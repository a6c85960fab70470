/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ops of the v2 layout: one unified hierarchy, controllers enabled top-down
 * through cgroup.subtree_control, cgroup.freeze, and device rules as eBPF.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/cgroup/internal.h"

/* Enable what dir offers in its subtree_control, one controller at a time so that one refusal spares the rest. */
static int enable_in(const char *dir, bool *ret_more, struct berth_error **err)
{
	_cleanup_free_ char *avail = NULL;
	struct berth_error *e = NULL;
	char *save = NULL;

	if (cg_read(dir, "cgroup.controllers", &avail, &e) < 0) {
		if (e->code != ENOENT)
			return berth_error_move(err, &e);
		berth_error_free(&e);
		*ret_more = false;
		return 0;
	}
	*ret_more = avail[strspn(avail, " \n")] != '\0';
	for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		_cleanup_free_ char *plus = xasprintf("+%s", c);

		/* EBUSY when the level has processes of its own (no internal processes rule) */
		if (cg_write(dir, "cgroup.subtree_control", plus, &e) < 0) {
			log_debug("enable '%s' in '%s': %s, ignoring", c, dir, e->msg);
			berth_error_free(&e);
		}
	}
	return 0;
}

int cg_v2_enable(struct cg_hier *h, struct berth_error **err)
{
	_cleanup_free_ char *p = xstrdup(h->dir);
	size_t base = strlen(h->mountpoint);
	char *leaf = strrchr(p, '/');
	bool more = true;

	/* every level from the mount point to the leaf's parent */
	for (char *s = p + base; more && s <= leaf; s++) {
		if (s != p + base && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (enable_in(p, &more, err) < 0)
			return -1;
		*s = c;
	}
	return 0;
}

static int v2_prepare(struct cg_manager *m, struct berth_error **err)
{
	return m->unified ? cg_v2_enable(m->unified, err) : 0;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static struct cg_hier *v2_hier_for(struct cg_manager *m, const char *controller)
{
	_cleanup_free_ char *avail = NULL, *dir = NULL;
	char *slash;

	if (!m->unified || !controller)
		return m->unified;
	/*
	 * The leaf's cgroup.controllers lists what its parent enabled for it.
	 * Before the leaf exists (cg_check runs first), the nearest existing
	 * ancestor's list is what the leaf can be given.
	 */
	dir = xstrdup(m->unified->dir);
	while (access(dir, F_OK) < 0) {
		slash = strrchr(dir, '/');
		if (errno != ENOENT || !slash || strlen(dir) <= strlen(m->unified->mountpoint))
			return NULL;
		*slash = '\0';
	}
	if (cg_read(dir, "cgroup.controllers", &avail, NULL) < 0)
		return NULL;
	return word_in(avail, controller) ? m->unified : NULL;
}

static struct cg_hier *v2_pids_hier(struct cg_manager *m)
{
	return m->unified;
}

/* cgroup.freeze is asynchronous too: wait for "frozen 1" in cgroup.events, for up to about 1 s. */
static int v2_freeze(struct cg_manager *m, bool frozen, struct berth_error **err)
{
	const struct timespec nap = {0, 1000 * 1000};
	const char *want = frozen ? "frozen 1" : "frozen 0";
	_cleanup_free_ char *file = NULL;

	if (!m->unified)
		return 0;
	file = xasprintf("%s/cgroup.freeze", m->unified->dir);
	if (access(file, F_OK) < 0)
		return 0;
	if (cg_write(m->unified->dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *events = NULL;

		if (cg_read(m->unified->dir, "cgroup.events", &events, err) < 0)
			return -1;
		if (strstr(events, want))
			return 0;
		nanosleep(&nap, NULL);
	}
	return berth_error_set(err, EBUSY, "freeze cgroup '%s': no '%s' in cgroup.events", m->unified->dir, want);
}

static int v2_devices(struct cg_manager *m, const struct oci_device_rule *rules, size_t n, struct berth_error **err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	_cleanup_close_ int dirfd = -1;
	size_t n_insns = 0;

	if (!m->unified)
		return berth_error_set(err, 0, "device rules set but no cgroup2 hierarchy is mounted");
	if (cg_devices_bpf_build(rules, n, &insns, &n_insns, err) < 0)
		return -1;
	dirfd = open(m->unified->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return berth_error_set(err, errno, "open cgroup '%s'", m->unified->dir);
	if (cg_devices_bpf_attach(dirfd, insns, n_insns, err) < 0)
		return berth_error_wrap(err, "device rules of cgroup '%s'", m->unified->dir);
	return 0;
}

const struct cg_ops cg_v2_ops = {
	.layout = CG_LAYOUT_V2,
	.prepare = v2_prepare,
	.hier_for = v2_hier_for,
	.pids_hier = v2_pids_hier,
	.freeze = v2_freeze,
	.devices = v2_devices,
};
