/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of img_layer_unpack: entry types and metadata, compression and digests, whiteouts, hostile tars. */
#include "layer_fixture.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool is_root(void)
{
	return geteuid() == 0;
}

static void assert_stat(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid, time_t mtime)
{
	struct stat st;

	assert_int_equal(fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	if ((st.st_mode & (S_IFMT | 07777)) != mode)
		fail_msg("'%s': mode 0%o, expected 0%o", path, st.st_mode, mode);
	if (is_root()) {
		assert_int_equal(st.st_uid, uid);
		assert_int_equal(st.st_gid, gid);
	}
	if (mtime)
		assert_int_equal(st.st_mtim.tv_sec, mtime);
}

static void test_entries(void **state)
{
	/* v2 file capabilities: effective, permitted CAP_NET_BIND_SERVICE (10) */
	static const char cap[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04};
	const struct tb_entry t[] = {
		{.name = "./d/", .type = AE_IFDIR, .perm = 0750, .uid = 1000, .gid = 1000, .mtime = 1600000000},
		{.name = "d//f",
		 .data = "hello",
		 .perm = 04755,
		 .uid = 1000,
		 .gid = 100,
		 .mtime = 1600000001,
		 .xattr = "user.test",
		 .xattr_value = "v1"},
		{.name = "l", .type = AE_IFLNK, .link = "/etc/passwd", .uid = 1000, .gid = 1000, .mtime = 1600000002},
		{.name = "h", .hardlink = "d/f"},
		{.name = "missing/parent/file", .data = "x"},
		{.name = "r", .data = "a file first"},
		{.name = "r/", .type = AE_IFDIR, .perm = 01777},
		{.name = "r/in", .data = "in"},
		{.name = "q/x", .data = "gone"},
		{.name = "q", .data = "now a file", .perm = 0600},
		{.name = "fifo", .type = AE_IFIFO, .perm = 0620},
		{.name = "sgid/", .type = AE_IFDIR, .perm = 02755, .uid = 5, .gid = 6},
	};
	_cleanup_error_ struct berth_error *err = NULL;
	struct img_unpack_opts opts = {.ignore_chown_errors = !is_root()};
	struct img_unpack_result res;
	struct lfx *f = lfx_new();
	int dest = lfx_mkdir(f, "dest");
	_cleanup_free_ char *c = NULL, *in = NULL;
	char buf[64] = {0};
	struct stat a, b;

	(void)state;
	tb_write(f->fd, "l.tar", TB_NONE, t, N(t));
	if (lfx_unpack(f->fd, "l.tar", dest, &opts, &res, &err) < 0)
		fail_msg("%s", err->msg);
	assert_stat(dest, "d", S_IFDIR | 0750, 1000, 1000, 1600000000);
	assert_stat(dest, "d/f", S_IFREG | 04755, 1000, 100, 1600000001);
	assert_stat(dest, "l", S_IFLNK | 0777, 1000, 1000, 1600000002);
	assert_stat(dest, "missing", S_IFDIR | 0755, 0, 0, 0);
	assert_stat(dest, "missing/parent", S_IFDIR | 0755, 0, 0, 0);
	assert_stat(dest, "r", S_IFDIR | 01777, 0, 0, 1700000000);
	assert_stat(dest, "q", S_IFREG | 0600, 0, 0, 0);
	assert_stat(dest, "fifo", S_IFIFO | 0620, 0, 0, 1700000000);
	assert_stat(dest, "sgid", S_IFDIR | 02755, 5, 6, 0);
	c = lfx_read(dest, "d/f");
	assert_string_equal(c, "hello");
	in = lfx_read(dest, "r/in");
	assert_string_equal(in, "in");
	assert_int_equal(readlinkat(dest, "l", buf, sizeof(buf)), 11);
	assert_string_equal(buf, "/etc/passwd");
	assert_int_equal(fstatat(dest, "d/f", &a, 0), 0);
	assert_int_equal(fstatat(dest, "h", &b, 0), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(lfx_getxattr(f, "dest/d/f", "user.test", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "v1");
	assert_int_equal(res.unpacked_size, 5 + 1 + 12 + 2 + 4 + 10);

	/* security.capability survives the chown; devices when allowed */
	if (is_root()) {
		const struct tb_entry t2[] = {
			{.name = "ping",
			 .data = "#!",
			 .perm = 0755,
			 .uid = 7,
			 .xattr = "security.capability",
			 .xattr_value = cap,
			 .xattr_size = sizeof(cap)},
			{.name = "null", .type = AE_IFCHR, .perm = 0666, .major = 1, .minor = 3},
			{.name = "loop9", .type = AE_IFBLK, .perm = 0660, .major = 7, .minor = 9, .gid = 6},
		};
		int dest2 = lfx_mkdir(f, "dest2");
		char v[32];

		opts.allow_devices = true;
		tb_write(f->fd, "l2.tar", TB_NONE, t2, N(t2));
		if (lfx_unpack(f->fd, "l2.tar", dest2, &opts, NULL, &err) < 0)
			fail_msg("%s", err->msg);
		assert_int_equal(lfx_getxattr(f, "dest2/ping", "security.capability", v, sizeof(v)), 20);
		assert_memory_equal(v, cap, 20);
		assert_int_equal(fstatat(dest2, "null", &a, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(a.st_rdev, makedev(1, 3));
		assert_stat(dest2, "loop9", S_IFBLK | 0660, 0, 6, 0);
		close(dest2);
	}
	close(dest);
	lfx_free(f);
}

static void test_compression(void **state)
{
	const struct tb_entry t[] = {
		{.name = "a/", .type = AE_IFDIR},
		{.name = "a/b", .data = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
	};
	static const char *const names[] = {"l.tar", "l.tar.gz", "l.tar.zst"};
	struct img_unpack_opts opts = {.ignore_chown_errors = !is_root()};
	struct img_unpack_result res[3];
	struct lfx *f = lfx_new();

	(void)state;
	for (int i = 0; i < 3; i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		_cleanup_free_ char *dname = xasprintf("dest%d", i), *b = NULL;
		_cleanup_close_ int fd = -1;
		char blob[DIGEST_STR_SIZE];
		int dest = lfx_mkdir(f, dname);
		off_t size;

		tb_write(f->fd, names[i], (enum tb_filter)i, t, N(t));
		if (lfx_unpack(f->fd, names[i], dest, &opts, &res[i], &err) < 0)
			fail_msg("%s: %s", names[i], err->msg);
		fd = openat(f->fd, names[i], O_RDONLY | O_CLOEXEC);
		assert_int_equal(digest_fd(fd, blob, &size, &err), 0);
		assert_string_equal(res[i].blob_digest, blob);
		assert_int_equal(res[i].blob_size, size);
		assert_int_equal(res[i].unpacked_size, 57);
		b = lfx_read(dest, "a/b");
		assert_non_null(b);
		close(dest);
	}
	assert_string_equal(res[0].diff_id, res[0].blob_digest);
	assert_string_equal(res[1].diff_id, res[0].diff_id);
	assert_string_equal(res[2].diff_id, res[0].diff_id);
	assert_string_not_equal(res[1].blob_digest, res[0].blob_digest);
	lfx_free(f);
}

static void test_empty_and_garbage(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct img_unpack_result res;
	struct lfx *f = lfx_new();
	int dest = lfx_mkdir(f, "dest");
	char **names;

	(void)state;
	assert_int_equal(fs_write_file_atomic_at(f->fd, "empty", "", 0, 0644, &err), 0);
	if (lfx_unpack(f->fd, "empty", dest, NULL, &res, &err) < 0)
		fail_msg("%s", err->msg);
	/* sha256 of nothing */
	assert_string_equal(res.diff_id, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(res.blob_size, 0);
	names = lfx_list(dest);
	assert_null(names[0]);
	strv_free(names);

	assert_int_equal(fs_write_file_atomic_at(f->fd, "junk", "this is not a tar at all", 24, 0644, &err), 0);
	assert_int_equal(lfx_unpack(f->fd, "junk", dest, NULL, &res, &err), -1);
	assert_non_null(strstr(err->msg, "read layer: "));
	close(dest);
	lfx_free(f);
}

static void test_whiteouts(void **state)
{
	const struct tb_entry t[] = {
		{.name = "gone", .data = "will be whited out"},
		{.name = "dir/", .type = AE_IFDIR},
		{.name = "dir/sub/x", .data = "x"},
		{.name = ".wh.gone"},
		{.name = "dir/.wh.sub"},
		{.name = "dir/.wh.never"},
		{.name = "opq/.wh..wh..opq"},
		{.name = ".wh..wh.plnk/1234.5"},
		{.name = ".wh..wh.aufs"},
	};
	_cleanup_error_ struct berth_error *err = NULL;
	struct lfx *f;
	int dest;
	struct stat st;
	char v[4] = {0};
	char **names;

	(void)state;
	if (!is_root())
		skip();
	f = lfx_new();
	dest = lfx_mkdir(f, "dest");
	tb_write(f->fd, "l.tar", TB_NONE, t, N(t));
	if (lfx_unpack(f->fd, "l.tar", dest, NULL, NULL, &err) < 0)
		fail_msg("%s", err->msg);
	for (const char *const *p = (const char *const[]){"gone", "dir/sub", "dir/never", NULL}; *p; p++) {
		assert_int_equal(fstatat(dest, *p, &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_true(S_ISCHR(st.st_mode));
		assert_int_equal(st.st_rdev, makedev(0, 0));
	}
	assert_int_equal(lfx_getxattr(f, "dest/opq", "trusted.overlay.opaque", v, sizeof(v)), 1);
	assert_string_equal(v, "y");
	/* AUFS metadata entries leave nothing behind */
	names = lfx_list(dest);
	assert_int_equal(strv_length(names), 3);
	strv_free(names);
	close(dest);
	lfx_free(f);
}

struct hostile {
	const char *entry; /* the entry the error must name */
	struct tb_entry t[4];
};

static void check_hostile(const struct hostile *h)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_free_ char *want = xasprintf("layer entry '%s': ", h->entry);
	struct img_unpack_opts opts = {.ignore_chown_errors = !is_root()};
	struct lfx *f = lfx_new();
	int dest = lfx_mkdir(f, "dest");
	size_t n = 0;
	char **names;

	while (n < N(h->t) && h->t[n].name)
		n++;
	tb_write(f->fd, "l.tar", TB_NONE, h->t, n);
	assert_int_equal(lfx_unpack(f->fd, "l.tar", dest, &opts, NULL, &err), -1);
	if (!strstr(err->msg, want))
		fail_msg("'%s' does not name the entry ('%s')", err->msg, want);
	/* the sentinel: nothing new next to dest, nothing at the root or in /etc */
	names = lfx_list(f->fd);
	assert_int_equal(strv_length(names), 2);
	assert_string_equal(names[0], "dest");
	assert_string_equal(names[1], "l.tar");
	strv_free(names);
	assert_false(fs_exists_at(AT_FDCWD, "/berth-test-escape"));
	assert_false(fs_exists_at(AT_FDCWD, "/etc/berth-test-escape"));
	close(dest);
	lfx_free(f);
}

static void test_hostile(void **state)
{
	static const struct hostile cases[] = {
		{"../berth-test-escape", {{.name = "../berth-test-escape", .data = "x"}}},
		{"a/../../berth-test-escape", {{.name = "a/../../berth-test-escape", .data = "x"}}},
		{"/etc/berth-test-escape", {{.name = "/etc/berth-test-escape", .data = "x"}}},
		{"evil/berth-test-escape",
		 {{.name = "evil", .type = AE_IFLNK, .link = "/"}, {.name = "evil/berth-test-escape", .data = "x"}}},
		{"evil/berth-test-escape",
		 {{.name = "evil", .type = AE_IFLNK, .link = ".."}, {.name = "evil/berth-test-escape", .data = "x"}}},
		{"evil/sub/berth-test-escape/",
		 {{.name = "evil", .type = AE_IFLNK, .link = ".."},
		  {.name = "evil/sub/berth-test-escape", .type = AE_IFDIR}}},
		{"evil/.wh.dest", {{.name = "evil", .type = AE_IFLNK, .link = ".."}, {.name = "evil/.wh.dest"}}},
		{"evil/.wh..wh..opq",
		 {{.name = "evil", .type = AE_IFLNK, .link = ".."}, {.name = "evil/.wh..wh..opq"}}},
		{"h", {{.name = "h", .hardlink = "../../etc/passwd"}}},
		{"h", {{.name = "h", .hardlink = "/etc/passwd"}}},
		{"h", {{.name = "evil", .type = AE_IFLNK, .link = "/etc"}, {.name = "h", .hardlink = "evil/passwd"}}},
		{"null", {{.name = "null", .type = AE_IFCHR, .major = 1, .minor = 3}}},
		{"sda", {{.name = "sda", .type = AE_IFBLK, .major = 8, .minor = 0}}},
		{".wh..", {{.name = ".wh.."}}},
		{".", {{.name = ".", .data = "a file for the root"}}},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		check_hostile(&cases[i]);
}

/*
 * The directories of the last entry's path stay open for the next entries:
 * one replaced by a symlink or a file (directly, or after a whiteout) must
 * never be written through.
 */
static void test_hostile_cached_dirs(void **state)
{
	static const struct hostile cases[] = {
		{"a/b/evil/berth-test-escape",
		 {{.name = "a/b/evil/f", .data = "x"},
		  {.name = "a/b/evil", .type = AE_IFLNK, .link = "../../.."},
		  {.name = "a/b/evil/berth-test-escape", .data = "x"}}},
		{"a/evil/berth-test-escape",
		 {{.name = "a/evil/sub/f", .data = "x"},
		  {.name = "a/.wh.evil"},
		  {.name = "a/evil", .type = AE_IFLNK, .link = "/"},
		  {.name = "a/evil/berth-test-escape", .data = "x"}}},
		{"a/evil/sub/berth-test-escape",
		 {{.name = "a/evil/sub/f", .data = "x"},
		  {.name = "a/evil", .type = AE_IFLNK, .link = "/etc"},
		  {.name = "a/evil/sub/berth-test-escape", .data = "x"}}},
		{"a/d/x", {{.name = "a/d/f", .data = "x"}, {.name = "a/d", .data = "a file now"}, {.name = "a/d/x"}}},
		{"a/h",
		 {{.name = "a/evil/f", .data = "x"},
		  {.name = "a/evil", .type = AE_IFLNK, .link = "/etc"},
		  {.name = "a/h", .hardlink = "a/evil/passwd"}}},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		check_hostile(&cases[i]);
}

/* Files are made with their mode when nothing changes it after: it is exact whatever the umask. */
static void check_modes(mode_t mask)
{
	static const mode_t perms[] = {0644, 0755, 0444, 0111, 0777, 04755, 02755, 01777, 0600};
	struct tb_entry t[N(perms) + 2] = {{.name = "d/", .type = AE_IFDIR, .perm = 0700}};
	_cleanup_error_ struct berth_error *err = NULL;
	struct img_unpack_opts opts = {.ignore_chown_errors = !is_root()};
	struct lfx *f = lfx_new();
	int dest = lfx_mkdir(f, "dest");
	mode_t old;
	char name[N(perms)][16];
	struct stat st;

	for (size_t i = 0; i < N(perms); i++) {
		snprintf(name[i], sizeof(name[i]), "d/f%zu", i);
		t[i + 1] = (struct tb_entry){
			.name = name[i], .data = "x", .perm = perms[i], .uid = geteuid(), .gid = getegid()};
	}
	/* another owner (chown clears setuid): the mode still comes out exact */
	t[N(perms) + 1] = (struct tb_entry){.name = "d/other", .data = "x", .perm = 04755, .uid = 1000, .gid = 1000};
	tb_write(f->fd, "l.tar", TB_NONE, t, is_root() ? N(t) : N(t) - 1);
	old = umask(mask);
	assert_int_equal(lfx_unpack(f->fd, "l.tar", dest, &opts, NULL, &err), 0);
	umask(old);
	for (size_t i = 0; i < N(perms); i++) {
		assert_int_equal(fstatat(dest, name[i], &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(st.st_mode & 07777, perms[i]);
		assert_int_equal(st.st_uid, geteuid());
		assert_int_equal(st.st_gid, getegid());
	}
	assert_int_equal(fstatat(dest, "d", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	if (is_root()) {
		assert_int_equal(fstatat(dest, "d/other", &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(st.st_mode & 07777, 04755);
		assert_int_equal(st.st_uid, 1000);
	}
	close(dest);
	lfx_free(f);
}

static void test_modes_any_umask(void **state)
{
	(void)state;
	check_modes(022);
	check_modes(077);
	check_modes(0);
}

/* A hostile entry midway: what came before stays inside dest, and the error names the bad one. */
static void test_hostile_after_good(void **state)
{
	const struct hostile h = {"z/../../berth-test-escape",
				  {{.name = "ok/file", .data = "fine"},
				   {.name = "ok/link", .type = AE_IFLNK, .link = "../../.."},
				   {.name = "z/../../berth-test-escape", .data = "x"}}};

	(void)state;
	check_hostile(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_entries, lfx_teardown),
		cmocka_unit_test_teardown(test_compression, lfx_teardown),
		cmocka_unit_test_teardown(test_empty_and_garbage, lfx_teardown),
		cmocka_unit_test_teardown(test_whiteouts, lfx_teardown),
		cmocka_unit_test_teardown(test_hostile, lfx_teardown),
		cmocka_unit_test_teardown(test_hostile_after_good, lfx_teardown),
		cmocka_unit_test_teardown(test_hostile_cached_dirs, lfx_teardown),
		cmocka_unit_test_teardown(test_modes_any_umask, lfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
