/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-runtime spec: write runc's starter config.json into a bundle directory. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/runtime/commands.h"
#include "oci/oci.h"

struct spec_opts {
	const char *bundle;
	bool rootless;
};

#define O(field) offsetof(struct spec_opts, field)
static const struct cli_opt spec_options[] = {
	{"bundle", 'b', CLI_OPT_STRING, O(bundle), "path to the root of the bundle directory", NULL},
	{"rootless", 0, CLI_OPT_BOOL, O(rootless), "generate a configuration for a rootless container", NULL},
	CLI_OPT_END,
};

static int write_all(int fd, const char *data, size_t len, struct berth_error **err)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_set(err, errno, "write 'config.json'");
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_spec(const char *bundle, const char *json, struct berth_error **err)
{
	_cleanup_close_ int dirfd = -1, fd = -1;

	dirfd = open(bundle ? bundle : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return berth_error_set(err, errno, "open bundle '%s'", bundle ? bundle : ".");
	/* O_EXCL: never overwrite a spec someone edited */
	fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return berth_error_set(err, 0, "File config.json exists. Remove it first");
	if (fd < 0)
		return berth_error_set(err, errno, "create 'config.json'");
	return write_all(fd, json, strlen(json), err);
}

static int spec_run(const struct cli_ctx *ctx, void *opts, const struct cli_args *args)
{
	_cleanup_error_ struct berth_error *err = NULL;
	const struct spec_opts *o = opts;
	_cleanup_free_ char *json = oci_spec_default_json(o->rootless, geteuid(), getegid());

	if (!json)
		return cli_fail(CLI_EXIT_FAILURE, "generate the default spec");
	if (write_spec(o->bundle, json, &err) < 0)
		return cli_fail_error(CLI_EXIT_FAILURE, &err, NULL);
	return 0;
}

const struct cli_command cli_cmd_spec = {
	.name = "spec",
	.summary = "create a new specification file",
	.usage = "[command options]",
	.description = "DESCRIPTION:\n"
		       "   The spec command creates the new specification file named \"config.json\" for\n"
		       "the bundle.\n\n"
		       "The spec generated is just a starter file. Editing of the spec is required to\n"
		       "achieve desired results. For example, the newly generated spec includes an args\n"
		       "parameter that is initially set to call the \"sh\" command when the container is\n"
		       "started.\n\n"
		       "Pass --rootless to generate a spec for a container started by an unprivileged\n"
		       "user (user namespace mapping the caller's uid and gid).",
	.opts = spec_options,
	.opts_size = sizeof(struct spec_opts),
	.parse_flags = CLI_PARSE_PERMUTE,
	.min_args = 0,
	.max_args = 0,
	.run = spec_run,
};
