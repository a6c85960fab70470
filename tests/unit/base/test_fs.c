/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base/fs.c against temp-dir fixtures: read/write, mkdir -p, rm -rf, path helpers. */
#include "fixture.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "base/base.h"

static int count_entries(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_read_file(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL, *big = NULL, *stat = NULL;
	size_t len = 0;

	tmp_write(t->fd, "f", "hello\n");
	assert_int_equal(fs_read_file_at(t->fd, "f", &data, &len, &err), 0);
	assert_string_equal(data, "hello\n");
	assert_int_equal(len, 6);

	/* bigger than one read chunk */
	big = malloc(20001);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	tmp_write(t->fd, "big", big);
	free(data);
	data = NULL;
	assert_int_equal(fs_read_file_at(t->fd, "big", &data, NULL, &err), 0);
	assert_string_equal(data, big);

	/* /proc files report size 0 */
	assert_int_equal(fs_read_file_at(AT_FDCWD, "/proc/self/stat", &stat, &len, &err), 0);
	assert_true(len > 10);

	assert_int_equal(fs_read_file_at(t->fd, "missing", &data, NULL, &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "open 'missing': No such file or directory");
}

static void test_write_atomic(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;
	struct stat st;
	mode_t old = umask(077);

	assert_int_equal(fs_mkdir_p_at(t->fd, "d", 0755, &err), 0);
	assert_int_equal(fs_write_file_atomic_at(t->fd, "d/state.json", "{}", 2, 0644, &err), 0);
	assert_int_equal(fs_write_file_atomic_at(t->fd, "d/state.json", "{\"a\":1}", 7, 0644, &err), 0);
	umask(old);
	assert_int_equal(fs_read_file_at(t->fd, "d/state.json", &data, NULL, &err), 0);
	assert_string_equal(data, "{\"a\":1}");
	/* the mode as given, not masked by the umask */
	assert_int_equal(fstatat(t->fd, "d/state.json", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* no temp file left behind */
	{
		_cleanup_close_ int dfd = openat(t->fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_int_equal(count_entries(dfd), 1);
	}
	/* relative to the cwd, in the cwd */
	assert_int_equal(fs_write_file_atomic_at(t->fd, "top", "x", 1, 0600, &err), 0);
	assert_true(fs_exists_at(t->fd, "top"));

	/* failure: the target is a directory; the temp file is removed */
	assert_int_equal(fs_mkdir_p_at(t->fd, "e/sub", 0755, &err), 0);
	assert_int_equal(fs_write_file_atomic_at(t->fd, "e", "x", 1, 0644, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err->msg, "write 'e'"));
	assert_int_equal(count_entries(t->fd), 3);
	assert_int_equal(fs_write_file_atomic_at(t->fd, "nodir/f", "x", 1, 0644, &err), -1);
	assert_int_equal(err->code, ENOENT);
}

static void test_write_string(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *data = NULL;

	/* only existing files, as kernel knobs */
	assert_int_equal(fs_write_string_at(t->fd, "knob", "1", &err), -1);
	assert_int_equal(err->code, ENOENT);
	tmp_write(t->fd, "knob", "");
	assert_int_equal(fs_write_string_at(t->fd, "knob", "max 100000", &err), 0);
	assert_int_equal(fs_read_file_at(t->fd, "knob", &data, NULL, &err), 0);
	assert_string_equal(data, "max 100000");
}

static void test_mkdir_p(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	struct stat st;

	assert_int_equal(fs_mkdir_p_at(t->fd, "a/b//c/", 0700, &err), 0);
	assert_int_equal(fstatat(t->fd, "a/b/c", &st, 0), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* existing is fine */
	assert_int_equal(fs_mkdir_p_at(t->fd, "a/b/c", 0700, &err), 0);
	assert_int_equal(fs_mkdir_p_at(t->fd, "a/./b/../b/d", 0700, &err), 0);
	assert_true(fs_exists_at(t->fd, "a/b/d"));
	/* through a symlink to a directory, as mkdir -p */
	assert_int_equal(symlinkat("a/b", t->fd, "link"), 0);
	assert_int_equal(fs_mkdir_p_at(t->fd, "link/e", 0700, &err), 0);
	assert_true(fs_exists_at(t->fd, "a/b/e"));
	/* a file in the way */
	tmp_write(t->fd, "file", "x");
	assert_int_equal(fs_mkdir_p_at(t->fd, "file/x", 0700, &err), -1);
	assert_int_equal(err->code, ENOTDIR);
	assert_int_equal(fs_mkdir_p_at(t->fd, "file", 0700, &err), -1);
	assert_string_equal(err->msg, "mkdir 'file': Not a directory");
	/* absolute paths ignore dirfd */
	{
		_cleanup_free_ char *abs = xasprintf("%s/abs/x", t->path);
		assert_int_equal(fs_mkdir_p_at(AT_FDCWD, abs, 0755, &err), 0);
		assert_true(fs_exists_at(t->fd, "abs/x"));
	}
}

static void test_rm_rf(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(fs_mkdir_p_at(t->fd, "tree/a/b/c", 0755, &err), 0);
	assert_int_equal(fs_mkdir_p_at(t->fd, "outside/keep", 0755, &err), 0);
	tmp_write(t->fd, "tree/a/f", "x");
	tmp_write(t->fd, "tree/a/b/c/g", "y");
	tmp_write(t->fd, "outside/keep/file", "z");
	/* symlinks are removed, never followed */
	assert_int_equal(symlinkat("../../outside", t->fd, "tree/a/link"), 0);
	assert_int_equal(symlinkat("/nonexistent", t->fd, "tree/dangling"), 0);
	assert_int_equal(mkfifoat(t->fd, "tree/fifo", 0600), 0);

	assert_int_equal(fs_rm_rf_at(t->fd, "tree", &err), 0);
	assert_null(err);
	assert_false(fs_exists_at(t->fd, "tree"));
	assert_true(fs_exists_at(t->fd, "outside/keep/file"));
	/* missing is fine; a file or symlink alone too */
	assert_int_equal(fs_rm_rf_at(t->fd, "tree", &err), 0);
	tmp_write(t->fd, "lone", "x");
	assert_int_equal(fs_rm_rf_at(t->fd, "lone", &err), 0);
	assert_false(fs_exists_at(t->fd, "lone"));
	assert_int_equal(symlinkat("outside", t->fd, "toplink"), 0);
	assert_int_equal(fs_rm_rf_at(t->fd, "toplink", &err), 0);
	assert_false(fs_exists_at(t->fd, "toplink"));
	assert_true(fs_exists_at(t->fd, "outside/keep/file"));
	assert_int_equal(fs_rm_rf_at(t->fd, "", &err), -1);
}

static void test_rm_rf_stops_at_mounts(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_close_ int procfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* /proc is a mount point: refused outright, nothing touched */
	assert_int_equal(fs_rm_rf_at(AT_FDCWD, "/proc", &err), -1);
	assert_int_equal(err->code, EBUSY);
	assert_string_equal(err->msg, "remove '/proc': Device or resource busy");
	assert_true(procfd >= 0);
}

/* A private mount namespace for this process: as root, or in a new user namespace. */
static bool enter_mount_ns(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (unshare(CLONE_NEWNS) < 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return false;
		tmp_write(AT_FDCWD, "/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		tmp_write(AT_FDCWD, "/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		tmp_write(AT_FDCWD, "/proc/self/gid_map", map);
	}
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

/* In a child with its own mount namespace: mounts inside the tree are neither crossed nor removed. */
static int rm_rf_mounts_child(struct tmp_fixture *t)
{
	struct berth_error *err = NULL;
	char path[128];
	int r = 0;

	if (!enter_mount_ns())
		return 77;
	/* the old fd still looks at the parent namespace's mounts */
	close(t->fd);
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/tree/tmpfs", t->path);
	if (mount("tmpfs", path, "tmpfs", 0, "size=64k") < 0)
		return 77;
	tmp_write(t->fd, "tree/tmpfs/inside", "x");
	/* a bind mount of the same filesystem: same st_dev, only statx tells */
	snprintf(path, sizeof(path), "%s/tree/bind", t->path);
	if (mount(t->path, path, NULL, MS_BIND, NULL) < 0)
		return 77;
	if (fs_rm_rf_at(t->fd, "tree", &err) != -1 || err->code != EBUSY)
		r = 1;
	berth_error_free(&err);
	if (!fs_exists_at(t->fd, "tree/tmpfs/inside") || !fs_exists_at(t->fd, "tree/bind/keep"))
		r = 2;
	if (fs_exists_at(t->fd, "tree/sub/f"))
		r = 3;
	/* the mounts themselves refuse */
	if (fs_rm_rf_at(t->fd, "tree/tmpfs", &err) != -1 || !strstr(err->msg, "remove 'tree/tmpfs'"))
		r = 4;
	berth_error_free(&err);
	return r;
}

static void test_rm_rf_skips_child_mounts(void **state)
{
	struct tmp_fixture *t = *state;
	_cleanup_error_ struct berth_error *err = NULL;
	int status;
	pid_t pid;

	assert_int_equal(fs_mkdir_p_at(t->fd, "tree/tmpfs", 0755, &err), 0);
	assert_int_equal(fs_mkdir_p_at(t->fd, "tree/bind", 0755, &err), 0);
	assert_int_equal(fs_mkdir_p_at(t->fd, "tree/sub", 0755, &err), 0);
	tmp_write(t->fd, "tree/sub/f", "x");
	tmp_write(t->fd, "keep", "x");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(rm_rf_mounts_child(t));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_exists(void **state)
{
	struct tmp_fixture *t = *state;

	assert_false(fs_exists_at(t->fd, "x"));
	assert_int_equal(symlinkat("/nonexistent", t->fd, "dangling"), 0);
	/* the last component is not followed */
	assert_true(fs_exists_at(t->fd, "dangling"));
	assert_true(fs_exists_at(AT_FDCWD, t->path));
}

static void test_path_join(void **state)
{
	const char *cases[][3] = {
		{"/a", "b", "/a/b"},  {"/a/", "/b", "/a/b"}, {"/a//", "//b/c", "/a/b/c"},
		{"/", "etc", "/etc"}, {"/", "/", "/"},	     {"run", "x", "run/x"},
		{"", "x", "/x"},      {"/a", "", "/a/"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *r = fs_path_join(cases[i][0], cases[i][1]);
		assert_string_equal(r, cases[i][2]);
	}
}

static void test_path_clean(void **state)
{
	const char *cases[][2] = {
		{"/", "/"},
		{"", "/"},
		{"//", "/"},
		{"/a/b", "/a/b"},
		{"/a//b/", "/a/b"},
		{"/a/./b/.", "/a/b"},
		{"/a/../b", "/b"},
		{"/../../etc/passwd", "/etc/passwd"},
		{"/a/b/../../..", "/"},
		{"a/b", "/a/b"},
		{"/a/..b/.c/...", "/a/..b/.c/..."},
		{"/dev/../proc/./self/", "/proc/self"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *r = fs_path_clean(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
	}
}

static void test_fd_path(void **state)
{
	char buf[32];

	assert_string_equal(fs_fd_path(7, buf, sizeof(buf)), "/proc/self/fd/7");
	assert_string_equal(fs_fd_path(123456, buf, sizeof(buf)), "/proc/self/fd/123456");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMP_TEST(test_read_file),
		TMP_TEST(test_write_atomic),
		TMP_TEST(test_write_string),
		TMP_TEST(test_mkdir_p),
		TMP_TEST(test_rm_rf),
		cmocka_unit_test(test_rm_rf_stops_at_mounts),
		TMP_TEST(test_rm_rf_skips_child_mounts),
		TMP_TEST(test_exists),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_fd_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
