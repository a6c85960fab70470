/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of img_layer_diff, and of unpack and diff against a real
 * OverlayFS (as root, in a private mount namespace; skipped otherwise).
 */
#include "layer_fixture.h"

#include <sched.h>
#include <sys/mount.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool have_mounts;

/* Diff src into dirfd/name; returns the result. */
static struct img_diff_result diff_to(int src, int dirfd, const char *name, bool whiteouts, bool gzip)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct img_diff_opts opts = {.whiteouts = whiteouts, .gzip = gzip};
	struct img_diff_result res;

	assert_true(fd >= 0);
	if (img_layer_diff(src, fd, &opts, &res, &err) < 0)
		fail_msg("%s", err->msg);
	return res;
}

static void assert_blob(int dirfd, const char *name, const struct img_diff_result *res)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	char d[DIGEST_STR_SIZE];
	off_t size;

	assert_int_equal(digest_fd(fd, d, &size, &err), 0);
	assert_string_equal(d, res->blob_digest);
	assert_int_equal(size, res->size);
}

/* The names of the entries of a tar (any compression), "|"-joined, "name>target" for hardlinks. */
static char *tar_names(int dirfd, const char *name)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct buf b = {0};
	char pbuf[32];
	char *path = xasprintf("%s/%s", fs_fd_path(dirfd, pbuf, sizeof(pbuf)), name);

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		buf_printf(&b, "%s%s", b.len ? "|" : "", archive_entry_pathname(e));
		if (archive_entry_hardlink(e))
			buf_printf(&b, ">%s", archive_entry_hardlink(e));
	}
	archive_read_free(a);
	free(path);
	return buf_steal(&b);
}

static void put(int dirfd, const char *path, const char *text)
{
	assert_int_equal(fs_write_file_atomic_at(dirfd, path, text, strlen(text), 0644, NULL), 0);
}

static void test_diff_export(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *names = NULL, *xpath = NULL;
	struct img_diff_result r1, r2, r3, r4;
	struct img_unpack_result u;
	struct img_unpack_opts uopts = {.ignore_chown_errors = geteuid() != 0};
	struct lfx *f = lfx_new();
	int src = lfx_mkdir(f, "src"), dest = lfx_mkdir(f, "dest");

	(void)state;
	assert_int_equal(fs_mkdir_p_at(src, "c/d", 0755, &err), 0);
	assert_int_equal(mkdirat(src, "b", 0700), 0);
	put(src, "a", "aaa");
	put(src, "b/f", "fff");
	put(src, "c/d/e", "");
	assert_int_equal(fchmodat(src, "b/f", 04750, 0), 0);
	assert_int_equal(linkat(src, "a", src, "b/h", 0), 0);
	assert_int_equal(symlinkat("a", src, "s"), 0);
	assert_int_equal(mkfifoat(src, "p", 0600), 0);
	xpath = lfx_path(f, "src/a");
	assert_int_equal(lsetxattr(xpath, "user.k", "v", 1, 0), 0);
	/* overlay's bookkeeping never goes into a layer */
	assert_int_equal(lsetxattr(xpath, "user.overlay.origin", "x", 1, 0), 0);

	r1 = diff_to(src, f->fd, "1.tar", false, false);
	r2 = diff_to(src, f->fd, "2.tar", false, false);
	r3 = diff_to(src, f->fd, "3.tar.gz", false, true);
	r4 = diff_to(src, f->fd, "4.tar.gz", false, true);
	assert_blob(f->fd, "1.tar", &r1);
	assert_blob(f->fd, "3.tar.gz", &r3);
	assert_string_equal(r1.diff_id, r1.blob_digest);
	assert_string_equal(r1.diff_id, r2.diff_id);
	assert_string_equal(r3.diff_id, r1.diff_id);
	assert_string_equal(r3.blob_digest, r4.blob_digest);
	assert_string_not_equal(r3.blob_digest, r1.blob_digest);
	names = tar_names(f->fd, "3.tar.gz");
	assert_string_equal(names, "a|b/|b/f|b/h>a|c/|c/d/|c/d/e|p|s");

	if (lfx_unpack(f->fd, "3.tar.gz", dest, &uopts, &u, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(u.diff_id, r1.diff_id);
	assert_string_equal(u.blob_digest, r3.blob_digest);
	lfx_tree_equal(src, dest, "export");
	{
		char v[8] = {0};
		struct stat a, h;

		assert_int_equal(lfx_getxattr(f, "dest/a", "user.k", v, sizeof(v)), 1);
		assert_int_equal(lfx_getxattr(f, "dest/a", "user.overlay.origin", v, sizeof(v)), -1);
		assert_int_equal(fstatat(dest, "a", &a, 0), 0);
		assert_int_equal(fstatat(dest, "b/h", &h, 0), 0);
		assert_int_equal(a.st_ino, h.st_ino);
	}
	close(src);
	close(dest);
	lfx_free(f);
}

/* ---- with a real overlay ---- */

/* Mount an overlay of opts on dir/target (made here). */
static void ovl_mount(struct lfx *f, const char *target, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void ovl_mount(struct lfx *f, const char *target, const char *fmt, ...)
{
	_cleanup_free_ char *t = lfx_path(f, target), *opts = NULL;
	va_list ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&opts, fmt, ap) > 0);
	va_end(ap);
	assert_int_equal(mkdirat(f->fd, target, 0755), 0);
	if (mount("overlay", t, "overlay", 0, opts) < 0)
		fail_msg("mount overlay '%s': %s", opts, strerror(errno));
}

static void ovl_umount(struct lfx *f, const char *target)
{
	_cleanup_free_ char *t = lfx_path(f, target);

	assert_int_equal(umount2(t, MNT_DETACH), 0);
}

/* cmocka teardown: whatever a failed test left mounted below /tmp/berth-test-layer.* */
static int ovl_teardown(void **state)
{
	_cleanup_fclose_ FILE *mi = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	(void)state;
	while (mi && fgets(line, sizeof(line), mi)) {
		char target[1024];

		if (sscanf(line, "%*s %*s %*s %*s %1023s", target) == 1 && strstr(target, "/berth-test-layer."))
			umount2(target, MNT_DETACH);
	}
	return lfx_teardown(state);
}

static int open_at(struct lfx *f, const char *rel)
{
	int fd = openat(f->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static const struct tb_entry lower_tar[] = {
	{.name = "a/x", .data = "x"},	  {.name = "a/y", .data = "y"}, {.name = "d/1", .data = "1"},
	{.name = "d/sub/2", .data = "2"}, {.name = "m", .data = "old"}, {.name = "keep", .data = "k"},
};

static void test_overlay_whiteout(void **state)
{
	const struct tb_entry upper[] = {
		{.name = "a/.wh.x"},
		{.name = "d/", .type = AE_IFDIR},
		{.name = "d/.wh..wh..opq"},
		{.name = "d/3", .data = "3"},
	};
	_cleanup_error_ struct berth_error *err = NULL;
	struct lfx *f;
	int low, up, merged;
	char **names;

	(void)state;
	if (!have_mounts)
		skip();
	f = lfx_new();
	low = lfx_mkdir(f, "low");
	up = lfx_mkdir(f, "up");
	tb_write(f->fd, "low.tar", TB_NONE, lower_tar, N(lower_tar));
	tb_write(f->fd, "up.tar", TB_GZIP, upper, N(upper));
	if (lfx_unpack(f->fd, "low.tar", low, NULL, NULL, &err) < 0 ||
	    lfx_unpack(f->fd, "up.tar", up, NULL, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	ovl_mount(f, "merged", "lowerdir=%s/up:%s/low", f->dir, f->dir);
	merged = open_at(f, "merged");
	assert_false(fs_exists_at(merged, "a/x"));
	assert_true(fs_exists_at(merged, "a/y"));
	assert_true(fs_exists_at(merged, "keep"));
	{
		_cleanup_close_ int d = openat(merged, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		names = lfx_list(d);
	}
	assert_int_equal(strv_length(names), 1);
	assert_string_equal(names[0], "3");
	strv_free(names);
	close(merged);
	ovl_umount(f, "merged");
	close(low);
	close(up);
	lfx_free(f);
}

/* Changes through a merged dir: add, modify, delete a lower file, replace a dir (opaque), chmod, symlink. */
static void change_merged(int merged)
{
	_cleanup_error_ struct berth_error *err = NULL;

	assert_int_equal(mkdirat(merged, "n", 0750), 0);
	put(merged, "n/new", "new");
	put(merged, "m", "modified");
	assert_int_equal(unlinkat(merged, "a/x", 0), 0);
	assert_int_equal(fs_rm_rf_at(merged, "d", &err), 0);
	assert_int_equal(mkdirat(merged, "d", 0755), 0);
	put(merged, "d/3", "3");
	assert_int_equal(fchmodat(merged, "keep", 0600, 0), 0);
	assert_int_equal(symlinkat("m", merged, "ln"), 0);
	assert_int_equal(linkat(merged, "n/new", merged, "n/new2", 0), 0);
}

static void test_overlay_diff_roundtrip(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *names = NULL, *m = NULL;
	struct img_unpack_result u;
	struct img_diff_result r;
	struct lfx *f;
	int low, up, layer, merged, m1, m2;
	char **dnames;

	(void)state;
	if (!have_mounts)
		skip();
	f = lfx_new();
	low = lfx_mkdir(f, "low");
	up = lfx_mkdir(f, "up");
	layer = lfx_mkdir(f, "layer");
	assert_int_equal(mkdirat(f->fd, "work", 0755), 0);
	tb_write(f->fd, "low.tar", TB_NONE, lower_tar, N(lower_tar));
	if (lfx_unpack(f->fd, "low.tar", low, NULL, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	ovl_mount(f, "merged", "lowerdir=%s/low,upperdir=%s/up,workdir=%s/work", f->dir, f->dir, f->dir);
	merged = open_at(f, "merged");
	change_merged(merged);
	close(merged);
	ovl_umount(f, "merged");

	r = diff_to(up, f->fd, "up.tar.gz", true, true);
	assert_blob(f->fd, "up.tar.gz", &r);
	names = tar_names(f->fd, "up.tar.gz");
	assert_string_equal(names, "a/|a/.wh.x|d/|d/.wh..wh..opq|d/3|keep|ln|m|n/|n/new|n/new2>n/new");
	if (lfx_unpack(f->fd, "up.tar.gz", layer, NULL, &u, &err) < 0)
		fail_msg("%s", err->msg);
	assert_string_equal(u.diff_id, r.diff_id);
	assert_string_equal(u.blob_digest, r.blob_digest);

	/* the upper as it was and the unpacked diff give the same view over the lower */
	ovl_mount(f, "m1", "lowerdir=%s/up:%s/low", f->dir, f->dir);
	ovl_mount(f, "m2", "lowerdir=%s/layer:%s/low", f->dir, f->dir);
	m1 = open_at(f, "m1");
	m2 = open_at(f, "m2");
	lfx_tree_equal(m1, m2, "merged");
	assert_false(fs_exists_at(m2, "a/x"));
	m = lfx_read(m2, "m");
	assert_string_equal(m, "modified");
	{
		_cleanup_close_ int d = openat(m2, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		dnames = lfx_list(d);
	}
	assert_int_equal(strv_length(dnames), 1);
	strv_free(dnames);
	close(m1);
	close(m2);
	ovl_umount(f, "m1");
	ovl_umount(f, "m2");
	close(low);
	close(up);
	close(layer);
	lfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_diff_export, lfx_teardown),
		cmocka_unit_test_teardown(test_overlay_whiteout, ovl_teardown),
		cmocka_unit_test_teardown(test_overlay_diff_roundtrip, ovl_teardown),
	};

	/* a private mount namespace: mounts a crash leaves behind go with the process */
	have_mounts =
		geteuid() == 0 && unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
