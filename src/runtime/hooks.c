/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OCI hooks: run each hook of one kind with the container state on its stdin. */
#include <errno.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/internal.h"

extern char **environ;

static int run_one(const struct oci_hook *hook, const char *state_json, int *ret_code, struct berth_error **err)
{
	char *const default_argv[] = {hook->path, NULL};
	char *const *argv = hook->args && hook->args[0] ? hook->args : default_argv;
	/* As runc (a nil Env in Go's exec.Cmd): a hook without env inherits ours. */
	char *const *envp = hook->env ? hook->env : environ;

	return proc_run(hook->path, argv, envp, state_json, hook->timeout > 0 ? hook->timeout : 0, ret_code, err);
}

/* proc_run's error restated as the hook's: "prestart hook #0 '/x': timed out after 5 seconds". */
static int hook_error(enum oci_hook_kind kind, size_t i, const struct oci_hook *hook, struct berth_error **e,
		      struct berth_error **err)
{
	const char *name = oci_hook_kind_name(kind);

	if ((*e)->code == ETIMEDOUT) {
		berth_error_set(err, 0, "%s hook #%zu '%s': timed out after %d seconds", name, i, hook->path,
				hook->timeout);
		if (err && *err)
			(*err)->code = ETIMEDOUT;
		return -1;
	}
	if ((*e)->code)
		return berth_error_set(err, (*e)->code, "%s hook #%zu '%s'", name, i, hook->path);
	berth_error_move(err, e);
	return berth_error_wrap(err, "%s hook #%zu '%s'", name, i, hook->path);
}

int rt_hooks_run(const struct oci_hooks *h, enum oci_hook_kind kind, const char *state_json, struct berth_error **err)
{
	if (!h || (unsigned)kind >= OCI_HOOK_COUNT)
		return 0;
	for (size_t i = 0; i < h->n[kind]; i++) {
		const struct oci_hook *hook = &h->list[kind][i];
		_cleanup_error_ struct berth_error *e = NULL;
		int code = 0;

		if (!hook->path || !hook->path[0])
			return berth_error_set(err, EINVAL, "%s hook #%zu: no path", oci_hook_kind_name(kind), i);
		if (run_one(hook, state_json, &code, &e) < 0)
			return hook_error(kind, i, hook, &e, err);
		if (code != 0)
			return berth_error_set(err, 0, "%s hook #%zu '%s': exited with status %d",
					       oci_hook_kind_name(kind), i, hook->path, code);
	}
	return 0;
}
