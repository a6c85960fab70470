/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker cp: Docker's path split and copy plans, and the tar streams
 * (a tree written and extracted with renaming, hostile names refused).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/storage_internal.h"

static void check_split(const char *path, const char *dir, const char *base)
{
	char *d = NULL, *b = NULL;

	eng_cp_split(path, &d, &b);
	assert_string_equal(d, dir);
	assert_string_equal(b, base);
	free(d);
	free(b);
}

static void test_split(void **state)
{
	(void)state;
	check_split("/a/b", "/a", "b");
	check_split("/a/b/", "/a", "b");
	check_split("/a/b/.", "/a/b", ".");
	check_split("b", ".", "b");
	check_split("a/b", "a", "b");
	check_split("/b", "/", "b");
	check_split("/", "/", "/");
	check_split("/a/../b", "/", "b");
	check_split(".", ".", ".");
	check_split("/.", "/", ".");
}

static void plan(const char *src, bool src_dir, const char *dst, bool exists, bool is_dir, const char *want_dir,
		 const char *from, const char *to)
{
	struct eng_cp_dest d = {.path = dst, .exists = exists, .is_dir = is_dir};
	struct eng_cp_plan p = {0};
	struct berth_error *err = NULL;

	assert_int_equal(eng_cp_plan_make(src, src_dir, &d, &p, &err), 0);
	assert_string_equal(p.dir, want_dir);
	if (from) {
		assert_string_equal(p.rebase_from, from);
		assert_string_equal(p.rebase_to, to);
	} else {
		assert_null(p.rebase_from);
	}
	eng_cp_plan_done(&p);
}

static void plan_fails(const char *src, bool src_dir, const char *dst, bool exists, bool is_dir, const char *msg)
{
	struct eng_cp_dest d = {.path = dst, .exists = exists, .is_dir = is_dir};
	struct eng_cp_plan p = {0};
	struct berth_error *err = NULL;

	assert_int_equal(eng_cp_plan_make(src, src_dir, &d, &p, &err), -1);
	assert_string_equal(err->msg, msg);
	berth_error_free(&err);
}

static void test_plan(void **state)
{
	(void)state;
	/* into an existing directory: entries keep their names (SRC's base, or "." for the contents) */
	plan("/etc", true, "/tmp/out", true, true, "/tmp/out", NULL, NULL);
	plan("/etc/.", true, "/tmp/out", true, true, "/tmp/out", NULL, NULL);
	plan("/etc/passwd", false, "/tmp/out/", true, true, "/tmp/out/", NULL, NULL);
	/* a missing destination: created under its parent with its own name */
	plan("/etc", true, "/tmp/new", false, false, "/tmp", "etc", "new");
	plan("/etc/.", true, "/tmp/new", false, false, "/tmp", ".", "new");
	plan("/etc/passwd", false, "/tmp/pw", false, false, "/tmp", "passwd", "pw");
	plan("/etc", true, "/tmp/new/", false, false, "/tmp", "etc", "new");
	/* a file over a file */
	plan("/etc/passwd", false, "/tmp/file", true, false, "/tmp", "passwd", "file");
	plan_fails("/etc", true, "/tmp/file", true, false, "cannot copy directory");
	plan_fails("/etc/passwd", false, "/tmp/nodir/", false, false, "no such directory");
	plan_fails("/etc/passwd", false, "/tmp/file/", true, false, "not a directory");
}

/* ---- tar streams ---- */

static char *tmpdir(void)
{
	char *t = xstrdup("/tmp/berth-test-cp-XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static void write_at(int dfd, const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *read_at(int dfd, const char *name)
{
	char *s = NULL;

	assert_int_equal(fs_read_file_at(dfd, name, &s, NULL, NULL), 0);
	return s;
}

/* Tar path (at src) named name into a temp file, then extract it into dst with the rename. */
static int roundtrip(int src, const char *path, const char *name, int dst, const char *from, const char *to,
		     struct berth_error **err)
{
	FILE *f = tmpfile();
	struct cp_untar_opts o = {.rebase_from = from, .rebase_to = to};
	int r;

	assert_non_null(f);
	assert_int_equal(cp_tar_write(src, path, name, false, fileno(f), err), 0);
	lseek(fileno(f), 0, SEEK_SET);
	r = cp_untar(fileno(f), dst, &o, err);
	fclose(f);
	return r;
}

static void test_tar_roundtrip(void **state)
{
	_cleanup_free_ char *a = tmpdir(), *b = tmpdir(), *s = NULL, *t = NULL;
	_cleanup_close_ int src = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dst = open(b, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct berth_error *err = NULL;
	struct stat st;
	char link[64];
	ssize_t n;

	(void)state;
	assert_int_equal(mkdirat(src, "d", 0750), 0);
	assert_int_equal(mkdirat(src, "d/sub", 0755), 0);
	write_at(src, "d/sub/f", "hello");
	assert_int_equal(symlinkat("/etc/passwd", src, "d/abs"), 0);
	assert_int_equal(linkat(src, "d/sub/f", src, "d/hard", 0), 0);
	/* the directory renamed "copy", then its contents into an existing directory */
	assert_int_equal(roundtrip(src, "/d", "d", dst, "d", "copy", &err), 0);
	s = read_at(dst, "copy/sub/f");
	assert_string_equal(s, "hello");
	t = read_at(dst, "copy/hard");
	assert_string_equal(t, "hello");
	assert_int_equal(fstatat(dst, "copy", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	n = readlinkat(dst, "copy/abs", link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "/etc/passwd");
	assert_int_equal(fstatat(dst, "copy/sub/f", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(roundtrip(src, "/d/.", ".", dst, NULL, NULL, &err), 0);
	assert_true(fs_exists_at(dst, "sub/f"));
	/* a directory does not replace a file */
	assert_int_equal(roundtrip(src, "/d/sub", "sub", dst, "sub", "hard", &err), -1);
	assert_non_null(strstr(err->msg, "cannot overwrite non-directory"));
	berth_error_free(&err);
	fs_rm_rf_at(AT_FDCWD, a, NULL);
	fs_rm_rf_at(AT_FDCWD, b, NULL);
}

/* A tar with one entry name (a regular file holding "x"). */
static void hostile_tar(int fd, const char *name)
{
	struct archive *w = archive_write_new();
	struct archive_entry *ae = archive_entry_new();

	archive_write_set_format_pax_restricted(w);
	assert_int_equal(archive_write_open_fd(w, fd), ARCHIVE_OK);
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, 1);
	assert_int_equal(archive_write_header(w, ae), ARCHIVE_OK);
	archive_write_data(w, "x", 1);
	archive_write_close(w);
	archive_write_free(w);
	archive_entry_free(ae);
}

static void test_untar_refuses_escape(void **state)
{
	_cleanup_free_ char *b = tmpdir();
	_cleanup_close_ int dst = open(b, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct cp_untar_opts o = {0};
	struct berth_error *err = NULL;
	FILE *f = tmpfile();

	(void)state;
	hostile_tar(fileno(f), "../escaped");
	lseek(fileno(f), 0, SEEK_SET);
	assert_int_equal(cp_untar(fileno(f), dst, &o, &err), -1);
	assert_non_null(strstr(err->msg, "invalid path"));
	berth_error_free(&err);
	fclose(f);
	/* a symlink out of the destination is followed inside it only */
	assert_int_equal(symlinkat("/", dst, "up"), 0);
	f = tmpfile();
	hostile_tar(fileno(f), "up/tmp-berth-test-cp-escape");
	lseek(fileno(f), 0, SEEK_SET);
	assert_int_equal(cp_untar(fileno(f), dst, &o, &err), 0);
	fclose(f);
	assert_false(fs_exists_at(AT_FDCWD, "/tmp-berth-test-cp-escape"));
	assert_true(fs_exists_at(dst, "tmp-berth-test-cp-escape"));
	fs_rm_rf_at(AT_FDCWD, b, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_tar_roundtrip),
		cmocka_unit_test(test_untar_refuses_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
