/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of fs_open_in_root against hostile rootfs layouts, each run twice:
 * through openat2, and through the component walk with openat2 forced to ENOSYS.
 */
#include "fixture.h"

#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>

#include "base/base.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* ---- syscall(3) interposer: the executable's definition wins over libc's ---- */

static bool force_enosys;
static int openat2_ok;

typedef long (*syscall_fn)(long, ...);

/*
 * The caller's argument count is unknown, so six are read; past the real ones
 * that reads the caller's stack, which is harmless but which ASan reports.
 */
__attribute__((no_sanitize_address)) long syscall(long number, ...)
{
	static syscall_fn real;
	long a[6], r;
	va_list ap;

	if (number == SYS_openat2 && force_enosys) {
		errno = ENOSYS;
		return -1;
	}
	if (!real)
		real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	r = real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
	/* counts the answers openat2 gave, not the ones it left to the fallback */
	if (number == SYS_openat2 && (r >= 0 || (errno != ENOSYS && errno != EINVAL && errno != E2BIG)))
		openat2_ok++;
	return r;
}

/* ---- fixture: TMP/root is the root; TMP/etc/passwd is what an escape would reach ---- */

struct root_fixture {
	struct tmp_fixture tmp;
	int rootfd;
	bool walk;
};

static int root_setup(void **state, bool walk)
{
	struct tmp_fixture *t;
	struct root_fixture *f;

	if (tmp_fixture_setup(state) < 0)
		return -1;
	t = *state;
	f = calloc(1, sizeof(*f));
	f->tmp = *t;
	free(t);
	*state = f;
	f->walk = walk;
	mkdirat(f->tmp.fd, "etc", 0755);
	tmp_write(f->tmp.fd, "etc/passwd", "OUTSIDE");
	mkdirat(f->tmp.fd, "root", 0755);
	mkdirat(f->tmp.fd, "root/etc", 0755);
	mkdirat(f->tmp.fd, "root/a", 0755);
	mkdirat(f->tmp.fd, "root/a/b", 0755);
	tmp_write(f->tmp.fd, "root/etc/passwd", "inside");
	tmp_write(f->tmp.fd, "root/a/passwd", "a-level");
	f->rootfd = openat(f->tmp.fd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	force_enosys = walk;
	openat2_ok = 0;
	return f->rootfd < 0 ? -1 : 0;
}

static int setup_openat2(void **state)
{
	return root_setup(state, false);
}

static int setup_walk(void **state)
{
	return root_setup(state, true);
}

static int root_teardown(void **state)
{
	struct root_fixture *f = *state;
	struct tmp_fixture *t = malloc(sizeof(*t));
	/* the path under test was the one asked for */
	bool right_path = f->walk ? openat2_ok == 0 : openat2_ok > 0;

	force_enosys = false;
	close(f->rootfd);
	*t = f->tmp;
	free(f);
	*state = t;
	tmp_fixture_teardown(state);
	return right_path ? 0 : -1;
}

static void link_in_root(struct root_fixture *f, const char *target, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "root/%s", name);
	assert_int_equal(symlinkat(target, f->tmp.fd, path), 0);
}

/* Read a file through fs_open_in_root; NULL with *err set on failure. */
static char *read_in_root(struct root_fixture *f, const char *path, struct berth_error **err)
{
	_cleanup_close_ int fd = fs_open_in_root(f->rootfd, path, O_RDONLY, 0, err);
	char buf[64];
	ssize_t n;

	if (fd < 0)
		return NULL;
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void assert_reads(struct root_fixture *f, const char *path, const char *want)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *got = read_in_root(f, path, &err);

	if (!got)
		fail_msg("%s: %s", path, err->msg);
	if (strcmp(got, want) != 0)
		fail_msg("%s: read '%s', want '%s'", path, got, want);
}

static void assert_fails(struct root_fixture *f, const char *path, int flags, int code)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *want = xasprintf("open '%s' in root: %s", path, strerror(code));
	int fd = fs_open_in_root(f->rootfd, path, O_RDONLY, flags, &err);

	if (fd >= 0)
		fail_msg("%s: opened, want %s", path, strerror(code));
	assert_int_equal(err->code, code);
	assert_string_equal(err->msg, want);
}

/* The inode of path below TMP (not through the function under test). */
static ino_t ino_at(struct root_fixture *f, const char *path, int flags)
{
	struct stat st;

	if (fstatat(f->tmp.fd, path, &st, flags) < 0)
		return 0;
	return st.st_ino;
}

static ino_t ino_fd(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

/* ---- tests ---- */

static void test_dotdot_stays_in_root(void **state)
{
	struct root_fixture *f = *state;

	assert_reads(f, "etc/passwd", "inside");
	assert_reads(f, "/etc/passwd", "inside");
	assert_reads(f, "../../etc/passwd", "inside");
	assert_reads(f, "/../../../etc/passwd", "inside");
	assert_reads(f, "etc/../../etc/passwd", "inside");
	assert_reads(f, "./etc//./passwd", "inside");
	assert_reads(f, "a/b/../passwd", "a-level");
}

static void test_absolute_symlink(void **state)
{
	struct root_fixture *f = *state;

	link_in_root(f, "/etc", "abs");
	link_in_root(f, "/etc/passwd", "etc/direct");
	assert_reads(f, "abs/passwd", "inside");
	assert_reads(f, "etc/direct", "inside");
	assert_reads(f, "a/../abs/../abs/passwd", "inside");
}

static void test_relative_escape(void **state)
{
	struct root_fixture *f = *state;

	link_in_root(f, "../../../../etc/passwd", "etc/rel");
	link_in_root(f, "..", "up");
	link_in_root(f, "../../..", "etc/up3");
	assert_reads(f, "etc/rel", "inside");
	assert_reads(f, "up/etc/passwd", "inside");
	assert_reads(f, "up/up/up/etc/passwd", "inside");
	assert_reads(f, "etc/up3/etc/passwd", "inside");
}

static void test_symlink_chain(void **state)
{
	struct root_fixture *f = *state;

	link_in_root(f, "l2", "l1");
	link_in_root(f, "/a/l3", "l2");
	link_in_root(f, "../etc", "a/l3");
	assert_reads(f, "l1/passwd", "inside");
	/* ".." after a symlink is the parent of its target, not of the link */
	link_in_root(f, "a/b", "sl");
	assert_reads(f, "sl/../passwd", "a-level");
	/* a symlink to a file as the last component */
	link_in_root(f, "a/passwd", "tofile");
	assert_reads(f, "tofile", "a-level");
}

static void test_loops(void **state)
{
	struct root_fixture *f = *state;

	link_in_root(f, "loop2", "loop1");
	link_in_root(f, "loop1", "loop2");
	link_in_root(f, "self", "self");
	link_in_root(f, "/deep/../deep", "deep");
	assert_fails(f, "loop1", 0, ELOOP);
	assert_fails(f, "loop1/x", 0, ELOOP);
	assert_fails(f, "self/etc", FS_IN_ROOT_MKDIR, ELOOP);
	assert_fails(f, "deep", 0, ELOOP);
}

static void test_symlink_limit(void **state)
{
	struct root_fixture *f = *state;
	_cleanup_free_ char *longname = xmalloc(300);
	char name[16], target[16];

	/* s1 -> s2 -> ... -> s41 -> etc: 40 links are fine, 41 are too many (the kernel's MAXSYMLINKS) */
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		snprintf(target, sizeof(target), i == 41 ? "etc" : "s%d", i + 1);
		link_in_root(f, target, name);
	}
	assert_reads(f, "s2/passwd", "inside");
	assert_fails(f, "s1/passwd", 0, ELOOP);
	memset(longname, 'n', 299);
	longname[299] = '\0';
	assert_fails(f, longname, 0, ENAMETOOLONG);
}

static void test_missing_and_notdir(void **state)
{
	struct root_fixture *f = *state;

	assert_fails(f, "nope/x", 0, ENOENT);
	assert_fails(f, "etc/passwd/x", 0, ENOTDIR);
	assert_fails(f, "etc/passwd/", 0, ENOTDIR);
	link_in_root(f, "/nowhere", "dangling");
	assert_fails(f, "dangling", 0, ENOENT);
	link_in_root(f, "/proc/self/root", "magic");
	assert_fails(f, "magic/etc/passwd", 0, ENOENT);
}

static void test_root_itself(void **state)
{
	struct root_fixture *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	const char *paths[] = {"", "/", ".", "..", "/..", "a/..", "a/b/../../..", "//"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		_cleanup_close_ int fd = fs_open_in_root(f->rootfd, paths[i], O_PATH | O_DIRECTORY, 0, &err);
		assert_true(fd >= 0);
		assert_true(ino_fd(fd) == ino_at(f, "root", 0));
	}
}

static void test_nofollow_last(void **state)
{
	struct root_fixture *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_close_ int fd = -1, dirfd = -1;
	struct stat st;

	link_in_root(f, "/etc", "abs");
	fd = fs_open_in_root(f->rootfd, "abs", O_PATH, FS_IN_ROOT_NOFOLLOW_LAST, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_true(ino_fd(fd) == ino_at(f, "root/abs", AT_SYMLINK_NOFOLLOW));
	/* a symlink on the way is still followed */
	link_in_root(f, "/a", "toa");
	dirfd = fs_open_in_root(f->rootfd, "toa/b", O_PATH | O_DIRECTORY, FS_IN_ROOT_NOFOLLOW_LAST, &err);
	assert_true(dirfd >= 0);
	assert_true(ino_fd(dirfd) == ino_at(f, "root/a/b", 0));
	/* without O_PATH a final symlink cannot be opened */
	assert_fails(f, "abs", FS_IN_ROOT_NOFOLLOW_LAST, ELOOP);
}

static void test_mkdir(void **state)
{
	struct root_fixture *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	int fd;

	fd = fs_open_in_root(f->rootfd, "/x/y/z", O_PATH | O_DIRECTORY, FS_IN_ROOT_MKDIR, &err);
	assert_true(fd >= 0);
	assert_true(ino_fd(fd) == ino_at(f, "root/x/y/z", 0));
	close(fd);
	/* existing is fine */
	fd = fs_open_in_root(f->rootfd, "x/y", O_RDONLY | O_DIRECTORY, FS_IN_ROOT_MKDIR, &err);
	assert_true(fd >= 0);
	close(fd);
	/* no create flag: missing stays missing */
	assert_fails(f, "q/r", 0, ENOENT);
	assert_false(fs_exists_at(f->tmp.fd, "root/q"));
}

static void test_mkdir_through_escaping_symlinks(void **state)
{
	struct root_fixture *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	int fd;

	/* relative, absolute, and chained links that would point outside: all created inside */
	link_in_root(f, "../../newdir", "rel");
	link_in_root(f, "/../newabs", "abs");
	link_in_root(f, "/var/lib/data", "a/dangling");
	link_in_root(f, "../../../chain", "a/b/hop");
	link_in_root(f, "a/b/hop", "tohop");
	const char *cases[][2] = {
		{"rel/sub", "root/newdir/sub"},
		{"abs", "root/newabs"},
		{"a/dangling", "root/var/lib/data"},
		{"tohop/deeper", "root/chain/deeper"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = fs_open_in_root(f->rootfd, cases[i][0], O_PATH | O_DIRECTORY, FS_IN_ROOT_MKDIR, &err);
		if (fd < 0)
			fail_msg("%s: %s", cases[i][0], err->msg);
		assert_true(ino_fd(fd) == ino_at(f, cases[i][1], 0));
		close(fd);
	}
	assert_false(fs_exists_at(f->tmp.fd, "newdir"));
	assert_false(fs_exists_at(f->tmp.fd, "newabs"));
	assert_false(fs_exists_at(f->tmp.fd, "chain"));
	assert_false(fs_exists_at(AT_FDCWD, "/var/lib/data"));
}

static void test_mkfile(void **state)
{
	struct root_fixture *f = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	struct stat st;
	int fd;

	/* a bind mount target for a file source: parents and the file */
	fd = fs_open_in_root(f->rootfd, "dev/null", O_PATH, FS_IN_ROOT_MKDIR | FS_IN_ROOT_MKFILE, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);
	assert_true(ino_fd(fd) == ino_at(f, "root/dev/null", 0));
	close(fd);
	/* an existing file is opened, not truncated */
	fd = fs_open_in_root(f->rootfd, "etc/passwd", O_RDONLY, FS_IN_ROOT_MKFILE, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 6);
	close(fd);
	/* through a dangling symlink out of the root: created inside */
	link_in_root(f, "../../../a/resolv.conf", "etc/resolv.conf");
	fd = fs_open_in_root(f->rootfd, "etc/resolv.conf", O_WRONLY, FS_IN_ROOT_MKFILE, &err);
	assert_true(fd >= 0);
	assert_true(ino_fd(fd) == ino_at(f, "root/a/resolv.conf", 0));
	close(fd);
	assert_false(fs_exists_at(f->tmp.fd, "a"));
	link_in_root(f, "/run/x.sock", "sock");
	/* the parent must exist without MKDIR */
	assert_fails(f, "sock", FS_IN_ROOT_MKFILE, ENOENT);
	fd = fs_open_in_root(f->rootfd, "sock", O_PATH, FS_IN_ROOT_MKFILE | FS_IN_ROOT_MKDIR, &err);
	assert_true(fd >= 0);
	assert_true(ino_fd(fd) == ino_at(f, "root/run/x.sock", 0));
	close(fd);
}

static void test_mkdir_over_file_fails(void **state)
{
	struct root_fixture *f = *state;

	_cleanup_error_ struct berth_error *err = NULL;

	assert_fails(f, "etc/passwd/sub", FS_IN_ROOT_MKDIR, ENOTDIR);
	/* an existing file is left alone; asking for a directory fails */
	assert_int_equal(fs_open_in_root(f->rootfd, "etc/passwd", O_PATH | O_DIRECTORY, FS_IN_ROOT_MKDIR, &err), -1);
	assert_int_equal(err->code, ENOTDIR);
	assert_true(ino_at(f, "root/etc/passwd", 0) != 0);
}

#define BOTH(t)                                                           \
	cmocka_unit_test_setup_teardown(t, setup_openat2, root_teardown), \
		cmocka_unit_test_setup_teardown(t, setup_walk, root_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_dotdot_stays_in_root),
		BOTH(test_absolute_symlink),
		BOTH(test_relative_escape),
		BOTH(test_symlink_chain),
		BOTH(test_loops),
		BOTH(test_symlink_limit),
		BOTH(test_missing_and_notdir),
		BOTH(test_root_itself),
		BOTH(test_nofollow_last),
		BOTH(test_mkdir),
		BOTH(test_mkdir_through_escaping_symlinks),
		BOTH(test_mkfile),
		BOTH(test_mkdir_over_file_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
