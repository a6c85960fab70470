/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the blob store, the shared layer store and the overlay
 * snapshotter: verified blobs, one unpack per diff id, mount data that fits a
 * page for long chains, and (as root) a real overlay of stored layers.
 */
#include "layer_fixture.h"

#include <sys/mount.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BAD "sha256:0000000000000000000000000000000000000000000000000000000000000000"

static struct img_store *open_store(struct lfx *f)
{
	struct img_store *s = NULL;
	_cleanup_free_ char *root = lfx_path(f, "root");

	assert_int_equal(img_store_open(root, &s, NULL), 0);
	return s;
}

static size_t count_entries(int dirfd, const char *path)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	size_t n = 0;

	assert_true(fd >= 0);
	d = fdopendir(fd);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	return n;
}

static void test_blobs_verified(void **state)
{
	struct lfx *f = lfx_new();
	_cleanup_img_store_ struct img_store *s = open_store(f);
	struct berth_error *err = NULL;
	char digest[DIGEST_STR_SIZE];
	_cleanup_free_ char *data = NULL;
	size_t len = 0;

	assert_int_equal(img_blob_put(s, "hello", 5, NULL, digest, NULL), 0);
	assert_true(img_blob_exists(s, digest));
	assert_int_equal(img_blob_size(s, digest), 5);
	assert_int_equal(img_blob_read(s, digest, 100, &data, &len, NULL), 0);
	assert_memory_equal(data, "hello", 5);
	/* a wrong digest is refused and leaves nothing, in blobs/ or tmp/ */
	assert_int_equal(img_blob_put(s, "other", 5, BAD, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "digest mismatch"));
	berth_error_free(&err);
	assert_false(img_blob_exists(s, BAD));
	assert_int_equal(count_entries(f->fd, "root/blobs/sha256"), 1);
	assert_int_equal(count_entries(f->fd, "root/tmp"), 0);
	/* malformed digests never reach the file system */
	assert_int_equal(img_blob_remove(s, "sha256:../../x", &err), -1);
	berth_error_free(&err);
	assert_int_equal(img_blob_remove(s, digest, NULL), 0);
	assert_false(img_blob_exists(s, digest));
	lfx_free(f);
}

static void make_layer(struct lfx *f, const char *name, const char *file, const char *content)
{
	struct tb_entry e[] = {{.name = "etc", .type = AE_IFDIR}, {.name = file, .data = content}};

	tb_write(f->fd, name, TB_GZIP, e, 2);
}

static void unpack(struct lfx *f, struct img_store *s, const char *tar, const char *expected,
		   struct img_layer_info *info)
{
	_cleanup_close_ int fd = openat(f->fd, tar, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(img_layers_unpack(s, fd, expected, NULL, info, NULL, NULL), 0);
}

static void test_layers_shared(void **state)
{
	struct lfx *f = lfx_new();
	_cleanup_img_store_ struct img_store *s = open_store(f);
	struct img_layer_info a = {0}, again = {0};
	struct berth_error *err = NULL;
	_cleanup_close_ int fd = -1;

	make_layer(f, "a.tar.gz", "etc/a", "A");
	unpack(f, s, "a.tar.gz", NULL, &a);
	assert_false(a.existed);
	assert_int_equal(strlen(a.link), IMG_LINK_LEN);
	assert_true(img_layers_has(s, a.diff_id));
	/* known diff id: nothing is read, the first copy is kept */
	unpack(f, s, "a.tar.gz", a.diff_id, &again);
	assert_true(again.existed);
	assert_string_equal(again.link, a.link);
	/* the wrong expected diff id: refused, nothing left in tmp/ */
	fd = openat(f->fd, "a.tar.gz", O_RDONLY | O_CLOEXEC);
	assert_int_equal(img_layers_unpack(s, fd, BAD, NULL, &again, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "does not match"));
	berth_error_free(&err);
	assert_false(img_layers_has(s, BAD));
	assert_int_equal(count_entries(f->fd, "root/tmp"), 0);
	assert_int_equal(img_layers_remove(s, a.diff_id, NULL), 0);
	assert_false(img_layers_has(s, a.diff_id));
	assert_int_equal(count_entries(f->fd, "root/layers/l"), 0);
	lfx_free(f);
}

/* The writer's own digest, final once asked for; a commit of a download the caller verified. */
static void test_blob_writer_digest(void **state)
{
	struct lfx *f = lfx_new();
	_cleanup_img_store_ struct img_store *s = open_store(f);
	struct img_blob_writer *w = NULL;
	struct berth_error *err = NULL;
	char want[DIGEST_STR_SIZE], got[DIGEST_STR_SIZE], again[DIGEST_STR_SIZE];

	(void)state;
	assert_int_equal(digest_buffer("hello world", 11, want, NULL), 0);
	assert_int_equal(img_blob_create(s, &w, NULL), 0);
	assert_int_equal(img_blob_write(w, "hello ", 6, NULL), 0);
	assert_int_equal(img_blob_write(w, "world", 5, NULL), 0);
	assert_int_equal(img_blob_writer_digest(w, got, NULL), 0);
	assert_string_equal(got, want);
	assert_int_equal(img_blob_writer_digest(w, again, NULL), 0);
	assert_string_equal(again, want);
	/* final: no more bytes */
	assert_int_equal(img_blob_write(w, "!", 1, &err), -1);
	berth_error_free(&err);
	assert_int_equal(img_blob_commit(s, w, BAD, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "digest mismatch"));
	berth_error_free(&err);
	assert_int_equal(count_entries(f->fd, "root/tmp"), 0);

	/* a raw writer: the file is hashed when asked */
	assert_int_equal(img_blob_create(s, &w, NULL), 0);
	assert_int_equal(write(img_blob_writer_fd(w), "hello world", 11), 11);
	assert_int_equal(img_blob_commit(s, w, want, got, NULL), 0);
	assert_string_equal(got, want);
	assert_int_equal(img_blob_remove(s, want, NULL), 0);

	/* verified by its writer: stored under that digest, not read again */
	assert_int_equal(img_blob_create(s, &w, NULL), 0);
	assert_int_equal(write(img_blob_writer_fd(w), "hello world", 11), 11);
	assert_int_equal(img_blob_commit_verified(s, w, want, NULL), 0);
	assert_true(img_blob_exists(s, want));
	assert_int_equal(img_blob_create(s, &w, NULL), 0);
	assert_int_equal(img_blob_commit_verified(s, w, "sha256:../x", &err), -1);
	berth_error_free(&err);
	assert_int_equal(count_entries(f->fd, "root/tmp"), 0);
	assert_int_equal(count_entries(f->fd, "root/blobs/sha256"), 1);
	lfx_free(f);
}

/* A stored blob as a layer: an uncompressed one's diff id is its digest, a gzip'd one's is computed. */
static void test_layers_from_blobs(void **state)
{
	const struct tb_entry t[] = {{.name = "etc", .type = AE_IFDIR}, {.name = "etc/a", .data = "A"}};
	const struct img_unpack_opts opts = {.ignore_chown_errors = geteuid() != 0};
	struct lfx *f = lfx_new();
	_cleanup_img_store_ struct img_store *s = open_store(f);
	struct img_layer_info info = {0}, gz = {0};
	struct berth_error *err = NULL;
	char plain[DIGEST_STR_SIZE], packed[DIGEST_STR_SIZE];
	_cleanup_free_ char *data = NULL, *zdata = NULL;
	size_t len = 0, zlen = 0;

	(void)state;
	tb_write(f->fd, "a.tar", TB_NONE, t, N(t));
	tb_write(f->fd, "a.tar.gz", TB_GZIP, t, N(t));
	assert_int_equal(fs_read_file_at(f->fd, "a.tar", &data, &len, NULL), 0);
	assert_int_equal(fs_read_file_at(f->fd, "a.tar.gz", &zdata, &zlen, NULL), 0);
	assert_int_equal(img_blob_put(s, data, len, NULL, plain, NULL), 0);
	assert_int_equal(img_blob_put(s, zdata, zlen, NULL, packed, NULL), 0);
	/* the gzip'd blob's diff id is the plain one's digest: it must match */
	assert_int_equal(img_layers_unpack_blob(s, packed, plain, &opts, &gz, NULL), 0);
	assert_string_equal(gz.diff_id, plain);
	assert_false(gz.existed);
	assert_int_equal(img_layers_remove(s, plain, NULL), 0);
	assert_int_equal(img_layers_unpack_blob(s, plain, NULL, &opts, &info, NULL), 0);
	assert_string_equal(info.diff_id, plain);
	assert_true(img_layers_has(s, plain));
	/* a wrong diff id is refused for both, a missing blob is an error */
	assert_int_equal(img_layers_unpack_blob(s, plain, BAD, &opts, &info, &err), -1);
	assert_non_null(strstr(err->msg, "does not match"));
	berth_error_free(&err);
	assert_int_equal(img_layers_unpack_blob(s, packed, packed, &opts, &info, &err), -1);
	assert_non_null(strstr(err->msg, "does not match"));
	berth_error_free(&err);
	assert_int_equal(img_layers_unpack_blob(s, BAD, NULL, &opts, &info, &err), -1);
	assert_non_null(strstr(err->msg, "missing"));
	berth_error_free(&err);
	assert_int_equal(count_entries(f->fd, "root/tmp"), 0);
	lfx_free(f);
}

static void test_options_fit_a_page(void **state)
{
	const char *links[161] = {NULL};
	char names[160][IMG_LINK_LEN + 1];
	struct berth_error *err = NULL;
	_cleanup_free_ char *two = NULL, *many = NULL, *none = NULL;

	for (int i = 0; i < 160; i++) {
		memset(names[i], 'A' + i % 26, IMG_LINK_LEN);
		names[i][IMG_LINK_LEN] = '\0';
		links[i] = names[i];
	}
	links[2] = NULL;
	two = img_snapshot_options(links, "/u", "/w", NULL);
	assert_non_null(strstr(two, "lowerdir=l/AAAA"));
	assert_non_null(strstr(two, ":l/BBBB"));
	assert_non_null(strstr(two, ",upperdir=/u,workdir=/w"));
	/* overlay2's limit of 128 layers fits the page with short links; 160 do not, clearly */
	links[2] = names[2];
	links[128] = NULL;
	many = img_snapshot_options(links, "/var/lib/berth/containers/x/upper", "/var/lib/berth/containers/x/work",
				    NULL);
	assert_non_null(many);
	assert_true(strlen(many) < 4096);
	links[128] = names[128];
	assert_null(img_snapshot_options(links, "/u", "/w", &err));
	assert_non_null(strstr(err->msg, "exceeds one page"));
	berth_error_free(&err);
	links[0] = NULL;
	assert_null(none = img_snapshot_options(links, "/u", "/w", &err));
	berth_error_free(&err);
}

static void test_overlay_of_stored_layers(void **state)
{
	struct lfx *f;
	struct img_store *s;
	struct img_layer_info lower = {0}, upper = {0};
	_cleanup_free_ char *up = NULL, *work = NULL, *merged = NULL, *a = NULL, *b = NULL;
	const char *links[3];

	if (geteuid() != 0)
		skip();
	f = lfx_new();
	s = open_store(f);
	make_layer(f, "lower.tar.gz", "etc/a", "from lower");
	make_layer(f, "upper.tar.gz", "etc/b", "from upper");
	unpack(f, s, "lower.tar.gz", NULL, &lower);
	unpack(f, s, "upper.tar.gz", NULL, &upper);
	lfx_mkdir(f, "up");
	lfx_mkdir(f, "work");
	lfx_mkdir(f, "merged");
	up = lfx_path(f, "up");
	work = lfx_path(f, "work");
	merged = lfx_path(f, "merged");
	links[0] = upper.link;
	links[1] = lower.link;
	links[2] = NULL;
	assert_int_equal(img_snapshot_mount(s, links, up, work, merged, NULL), 0);
	a = lfx_read(f->fd, "merged/etc/a");
	b = lfx_read(f->fd, "merged/etc/b");
	umount2(merged, MNT_DETACH);
	assert_string_equal(a, "from lower");
	assert_string_equal(b, "from upper");
	img_store_free(s);
	lfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_blobs_verified, lfx_teardown),
		cmocka_unit_test_teardown(test_layers_shared, lfx_teardown),
		cmocka_unit_test_teardown(test_blob_writer_digest, lfx_teardown),
		cmocka_unit_test_teardown(test_layers_from_blobs, lfx_teardown),
		cmocka_unit_test(test_options_fit_a_page),
		cmocka_unit_test_teardown(test_overlay_of_stored_layers, lfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
