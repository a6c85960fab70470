/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of runtime/devices.c against temp-dir roots (mounts only inside a child's user namespace). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/base.h"
#include "runtime/internal.h"
#include "userns_helper.h"

struct fixture {
	char *tmp;  /* the temp dir */
	char *root; /* tmp/root: the rootfs */
	int rootfd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->tmp = helper_mkdtemp();
	assert_non_null(f->tmp);
	assert_int_equal(asprintf(&f->root, "%s/root", f->tmp) > 0, 1);
	assert_int_equal(mkdir(f->root, 0755), 0);
	f->rootfd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->rootfd >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->rootfd);
	helper_rm_rf(f->tmp);
	free(f->root);
	free(f->tmp);
	free(f);
	return 0;
}

static mode_t lmode(const struct fixture *f, const char *rel)
{
	struct stat st;

	if (fstatat(f->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return st.st_mode;
}

/* A fifo needs no privilege: the path handling is tested with one. */
static struct oci_device fifo_dev(const char *path, mode_t mode)
{
	return (struct oci_device){.path = (char *)path,
				   .type = 'p',
				   .has_file_mode = true,
				   .file_mode = mode,
				   .has_uid = true,
				   .uid = getuid(),
				   .has_gid = true,
				   .gid = getgid()};
}

static void test_fifo_exact_mode(void **state)
{
	struct fixture *f = *state;
	struct oci_device d = fifo_dev("/dev/sub/fifo", 0666);
	struct berth_error *err = NULL;
	mode_t old = umask(022);

	assert_int_equal(rt_devices_setup(f->rootfd, &d, 1, false, false, &err), 0);
	umask(old);
	assert_null(err);
	/* Parents created, mode exact despite the umask. */
	assert_true(S_ISDIR(lmode(f, "dev/sub")));
	assert_int_equal(lmode(f, "dev/sub/fifo"), S_IFIFO | 0666);
	/* No defaults asked for: no symlinks. */
	assert_int_equal(lmode(f, "dev/null"), 0);
	assert_int_equal(lmode(f, "dev/ptmx"), 0);
}

static void test_escape_through_symlinks(void **state)
{
	struct fixture *f = *state;
	struct oci_device d[] = {fifo_dev("/dev/up/fifo1", 0600), fifo_dev("/dev/abs/sub/fifo2", 0600),
				 fifo_dev("dev/../../../fifo3", 0600)};
	struct berth_error *err = NULL;
	char outside[4096];

	assert_int_equal(mkdirat(f->rootfd, "dev", 0755), 0);
	assert_int_equal(symlinkat("../../..", f->rootfd, "dev/up"), 0);
	assert_int_equal(symlinkat("/", f->rootfd, "dev/abs"), 0);
	assert_int_equal(rt_devices_setup(f->rootfd, d, 3, false, false, &err), 0);
	assert_null(err);
	/* Every escape ends at the root of the rootfs. */
	assert_int_equal(lmode(f, "fifo1"), S_IFIFO | 0600);
	assert_int_equal(lmode(f, "sub/fifo2"), S_IFIFO | 0600);
	assert_int_equal(lmode(f, "fifo3"), S_IFIFO | 0600);
	snprintf(outside, sizeof(outside), "%s/fifo1", f->tmp);
	assert_int_equal(access(outside, F_OK), -1);
	snprintf(outside, sizeof(outside), "%s/fifo3", f->tmp);
	assert_int_equal(access(outside, F_OK), -1);
	/* The symlinks themselves are untouched. */
	assert_true(S_ISLNK(lmode(f, "dev/up")));
}

static void test_replaces_existing(void **state)
{
	struct fixture *f = *state;
	struct oci_device d = fifo_dev("/dev/fifo", 0640);
	struct berth_error *err = NULL;
	int fd;

	assert_int_equal(mkdirat(f->rootfd, "dev", 0755), 0);
	fd = openat(f->rootfd, "dev/fifo", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(rt_devices_setup(f->rootfd, &d, 1, false, false, &err), 0);
	assert_int_equal(lmode(f, "dev/fifo"), S_IFIFO | 0640);
}

static void test_invalid_paths(void **state)
{
	struct fixture *f = *state;
	struct oci_device d = fifo_dev("/", 0600);
	struct oci_device bad = {.path = "/dev/x", .type = 'c', .major = -1, .minor = 3};
	struct berth_error *err = NULL;

	assert_int_equal(rt_devices_setup(f->rootfd, &d, 1, false, false, &err), -1);
	assert_string_equal(err->msg, "invalid device path '/': Invalid argument");
	berth_error_free(&err);
	assert_int_equal(rt_devices_setup(f->rootfd, &bad, 1, false, false, &err), -1);
	assert_non_null(strstr(err->msg, "'/dev/x'"));
	berth_error_free(&err);
	/* Validation happens before anything is created. */
	assert_int_equal(lmode(f, "dev"), 0);
}

static int check_chr(const struct fixture *f, const char *rel, unsigned major, unsigned minor)
{
	struct stat st;

	if (fstatat(f->rootfd, rel, &st, 0) < 0 || !S_ISCHR(st.st_mode))
		return -1;
	return major(st.st_rdev) == major && minor(st.st_rdev) == minor ? 0 : -1;
}

static int check_link(const struct fixture *f, const char *rel, const char *target)
{
	char buf[256];
	ssize_t n = readlinkat(f->rootfd, rel, buf, sizeof(buf) - 1);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return strcmp(buf, target) == 0 ? 0 : -1;
}

/*
 * The fixture's root fd was opened in the parent's mount namespace, where the
 * child's mounts are not visible (and cannot be made: EINVAL); the child
 * opens the root again, as the runtime opens it inside the container's namespace.
 */
static int child_fixture(const struct fixture *parent, struct fixture *f)
{
	*f = *parent;
	f->rootfd = open(parent->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return f->rootfd;
}

/* In a user namespace mknod is denied: the defaults are bound from the host, the links made. */
static int child_defaults(void *arg)
{
	struct fixture child, *f = &child;

	if (child_fixture(arg, f) < 0)
		return 10;
	struct berth_error *err = NULL;

	if (mkdirat(f->rootfd, "dev", 0755) < 0 || symlinkat("/somewhere", f->rootfd, "dev/ptmx") < 0)
		return 1;
	if (rt_devices_setup(f->rootfd, NULL, 0, true, true, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err->msg);
		berth_error_free(&err);
		return 2;
	}
	if (check_chr(f, "dev/null", 1, 3) || check_chr(f, "dev/zero", 1, 5) || check_chr(f, "dev/full", 1, 7) ||
	    check_chr(f, "dev/random", 1, 8) || check_chr(f, "dev/urandom", 1, 9) || check_chr(f, "dev/tty", 5, 0))
		return 3;
	if (check_link(f, "dev/fd", "/proc/self/fd") || check_link(f, "dev/stdin", "/proc/self/fd/0") ||
	    check_link(f, "dev/stdout", "/proc/self/fd/1") || check_link(f, "dev/stderr", "/proc/self/fd/2"))
		return 4;
	if (check_link(f, "dev/ptmx", "pts/ptmx"))
		return 5;
	if ((access("/proc/kcore", F_OK) == 0) != (check_link(f, "dev/core", "/proc/kcore") == 0))
		return 6;
	return 0;
}

static void test_defaults_bound(void **state)
{
	int rc = helper_run_child(child_defaults, *state, true, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

/* mknod of a char device fails with EPERM in a user namespace: bind the host's node instead. */
static int child_mknod_fallback(void *arg)
{
	struct fixture child, *f = &child;
	struct oci_device d = {.path = "/dev/null", .type = 'c', .major = 1, .minor = 3};
	struct berth_error *err = NULL;

	if (child_fixture(arg, f) < 0)
		return 10;
	if (rt_devices_setup(f->rootfd, &d, 1, false, false, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	if (check_chr(f, "dev/null", 1, 3))
		return 2;
	/* No defaults: nothing else in /dev. */
	if (faccessat(f->rootfd, "dev/zero", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 3;
	return 0;
}

static void test_mknod_fallback(void **state)
{
	int rc = helper_run_child(child_mknod_fallback, *state, true, 0);

	if (rc == CHILD_SKIP)
		skip();
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fifo_exact_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escape_through_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaces_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mknod_fallback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
