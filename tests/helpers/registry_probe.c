/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client from the command line, for tests/integration/registry_client.bats:
 * registry_probe [--insecure] [--user U --password P] [--config DIR] HOST COMMAND ARGS...
 * Errors print one line "registry_probe: MESSAGE" and exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"

static int fail(struct berth_error *err)
{
	fprintf(stderr, "registry_probe: %s\n", err ? err->msg : "failed");
	berth_error_free(&err);
	return 1;
}

static void progress(int64_t done, int64_t total, void *data)
{
	int64_t *last = data;

	*last = done;
}

static int cmd_push_blob(struct img_registry *r, char **argv, struct berth_error **err)
{
	_cleanup_close_ int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	char digest[DIGEST_STR_SIZE];
	int64_t done = 0;
	off_t size;
	bool existed = false;

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", argv[1]);
	if (digest_fd(fd, digest, &size, err) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	if (img_registry_blob_put(r, argv[0], digest, fd, size, progress, &done, &existed, err) < 0)
		return -1;
	printf("%s %s %" PRId64 "\n", digest, existed ? "exists" : "pushed", done);
	return 0;
}

static int cmd_get_blob(struct img_registry *r, char **argv, struct berth_error **err)
{
	_cleanup_close_ int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int64_t size = argv[3] ? strtoll(argv[3], NULL, 10) : -1, done = 0;

	if (fd < 0)
		return berth_error_set(err, errno, "open '%s'", argv[2]);
	if (img_registry_blob_get(r, argv[0], argv[1], size, fd, progress, &done, err) < 0)
		return -1;
	printf("%" PRId64 "\n", done);
	return 0;
}

static int cmd_blob_exists(struct img_registry *r, char **argv, struct berth_error **err)
{
	bool exists = false;
	int64_t size = -1;

	if (img_registry_blob_exists(r, argv[0], argv[1], &exists, &size, err) < 0)
		return -1;
	if (exists)
		printf("yes %" PRId64 "\n", size);
	else
		printf("no\n");
	return 0;
}

static int cmd_put_manifest(struct img_registry *r, char **argv, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL;
	char digest[DIGEST_STR_SIZE];
	size_t len;

	if (fs_read_file_at(AT_FDCWD, argv[3], &data, &len, err) < 0)
		return -1;
	if (img_registry_manifest_put(r, argv[0], argv[1], argv[2], data, len, digest, err) < 0)
		return -1;
	printf("%s\n", digest);
	return 0;
}

static int cmd_get_manifest(struct img_registry *r, char **argv, struct berth_error **err)
{
	_cleanup_free_ char *data = NULL, *mt = NULL;
	char digest[DIGEST_STR_SIZE];
	size_t len;

	if (img_registry_manifest_get(r, argv[0], argv[1], NULL, &data, &len, &mt, digest, err) < 0)
		return -1;
	if (fs_write_file_atomic_at(AT_FDCWD, argv[2], data, len, 0644, err) < 0)
		return -1;
	printf("%s %s %zu\n", mt ? mt : "-", digest, len);
	return 0;
}

static int cmd_head_manifest(struct img_registry *r, char **argv, struct berth_error **err)
{
	_cleanup_free_ char *mt = NULL;
	char digest[DIGEST_STR_SIZE] = "";
	bool exists = false;
	int64_t size = -1;

	if (img_registry_manifest_head(r, argv[0], argv[1], NULL, &exists, digest, &size, &mt, err) < 0)
		return -1;
	if (exists)
		printf("yes %s %s %" PRId64 "\n", mt ? mt : "-", digest, size);
	else
		printf("no\n");
	return 0;
}

struct job {
	struct img_registry *r;
	const char *repo, *digest, *dir;
	struct berth_error *err;
};

static void *get_one(void *data)
{
	struct job *j = data;
	_cleanup_free_ char *path = xasprintf("%s/%s", j->dir, digest_hex(j->digest));
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		berth_error_set(&j->err, errno, "open '%s'", path);
	else
		img_registry_blob_get(j->r, j->repo, j->digest, -1, fd, NULL, NULL, &j->err);
	return NULL;
}

/* parallel-get REPO DIR DIGEST...: one thread per blob on the one session. */
static int cmd_parallel_get(struct img_registry *r, int argc, char **argv, struct berth_error **err)
{
	int n = argc - 2, ret = 0;
	struct job *jobs = xcalloc((size_t)n, sizeof(*jobs));
	pthread_t *th = xcalloc((size_t)n, sizeof(*th));

	for (int i = 0; i < n; i++) {
		jobs[i] = (struct job){.r = r, .repo = argv[0], .dir = argv[1], .digest = argv[2 + i]};
		if (pthread_create(&th[i], NULL, get_one, &jobs[i]) != 0)
			abort();
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (jobs[i].err && ret == 0) {
			berth_error_move(err, &jobs[i].err);
			ret = -1;
		}
		berth_error_free(&jobs[i].err);
	}
	free(jobs);
	free(th);
	if (ret == 0)
		printf("%d blobs\n", n);
	return ret;
}

struct command {
	const char *name;
	int min_args;
	int (*fn)(struct img_registry *r, char **argv, struct berth_error **err);
};

static const struct command commands[] = {
	{"push-blob", 2, cmd_push_blob},       {"get-blob", 3, cmd_get_blob},
	{"blob-exists", 2, cmd_blob_exists},   {"put-manifest", 4, cmd_put_manifest},
	{"get-manifest", 3, cmd_get_manifest}, {"head-manifest", 2, cmd_head_manifest},
};

static int run(struct img_registry *r, const char *cmd, int argc, char **argv, struct berth_error **err)
{
	if (strcmp(cmd, "ping") == 0) {
		if (img_registry_ping(r, err) < 0)
			return -1;
		printf("%s\n", img_registry_base_url(r));
		return 0;
	}
	if (strcmp(cmd, "login") == 0) {
		if (img_registry_login(r, err) < 0)
			return -1;
		printf("Login Succeeded\n");
		return 0;
	}
	if (strcmp(cmd, "parallel-get") == 0 && argc >= 3)
		return cmd_parallel_get(r, argc, argv, err);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0 && argc >= commands[i].min_args)
			return commands[i].fn(r, argv, err);
	return berth_error_set(err, EINVAL, "unknown command or missing arguments '%s'", cmd);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"insecure", no_argument, NULL, 'k'},
		{"user", required_argument, NULL, 'u'},
		{"password", required_argument, NULL, 'p'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	struct img_registry_opts opts = {.tls_verify = true};
	struct berth_error *err = NULL;
	struct img_registry *r;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			opts.tls_verify = false;
			break;
		case 'u':
			opts.user = optarg;
			break;
		case 'p':
			opts.password = optarg;
			break;
		case 'c':
			opts.config_dir = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr,
			"usage: registry_probe [--insecure] [--user U --password P] [--config DIR] HOST CMD ...\n");
		return 2;
	}
	r = img_registry_new(argv[optind], &opts, &err);
	if (!r)
		return fail(err);
	ret = run(r, argv[optind + 1], argc - optind - 2, argv + optind + 2, &err);
	img_registry_free(r);
	return ret < 0 ? fail(err) : 0;
}
