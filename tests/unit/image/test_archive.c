/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image archives: docker-archive and oci-archive tars built in memory, read
 * into a temp store; refused archives leave nothing; save then read again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"
#include "oci/oci.h"

struct fixture {
	char dir[64];
	struct img_store *store;
};

/* A tar under construction, in memory. */
struct tar {
	struct archive *a;
	char *data;
	size_t cap, used;
};

static void tar_begin(struct tar *t, bool gzip)
{
	t->cap = 1 << 20;
	t->data = xmalloc(t->cap);
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (gzip)
		archive_write_add_filter_gzip(t->a);
	assert_int_equal(archive_write_open_memory(t->a, t->data, t->cap, &t->used), ARCHIVE_OK);
}

static void tar_file(struct tar *t, const char *path, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(t->a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static void tar_str(struct tar *t, const char *path, const char *s)
{
	tar_file(t, path, s, strlen(s));
}

static void tar_symlink(struct tar *t, const char *path, const char *target)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFLNK);
	archive_entry_set_perm(e, 0777);
	archive_entry_set_symlink(e, target);
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	archive_entry_free(e);
}

/* Finish the tar and hand it over as a readable fd. */
static int tar_end(struct tar *t)
{
	int fd = memfd_create("archive", MFD_CLOEXEC);

	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, t->data, t->used), (ssize_t)t->used);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	free(t->data);
	return fd;
}

/* A one-file layer tar. */
static char *make_layer(size_t *ret_len)
{
	struct tar t;
	size_t len;
	char *out;

	tar_begin(&t, false);
	tar_str(&t, "hello.txt", "hello, world\n");
	assert_int_equal(archive_write_close(t.a), ARCHIVE_OK);
	archive_write_free(t.a);
	len = t.used;
	out = t.data;
	*ret_len = len;
	return out;
}

static char *make_config(const char *diff_id)
{
	return xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
			 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
			 diff_id);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct berth_error *err = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/berth-test-archive-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(img_store_open(f->dir, &f->store, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	img_store_free(f->store);
	fs_rm_rf_at(AT_FDCWD, f->dir, NULL);
	free(f);
	return 0;
}

static size_t count_entries(struct fixture *f, const char *sub)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", f->dir, sub);
	DIR *d = opendir(p);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_docker_archive(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	struct img_archive *a = NULL;
	char layer_digest[DIGEST_STR_SIZE], config_digest[DIGEST_STR_SIZE];
	size_t layer_len;
	_cleanup_free_ char *layer = make_layer(&layer_len), *config = NULL, *manifest = NULL, *cfg_name = NULL;
	struct tar t;
	int fd;

	assert_int_equal(digest_buffer(layer, layer_len, layer_digest, NULL), 0);
	config = make_config(layer_digest);
	assert_int_equal(digest_buffer(config, strlen(config), config_digest, NULL), 0);
	cfg_name = xasprintf("%s.json", digest_hex(config_digest));
	/* skopeo's legacy layout, with a layer.tar symlink as docker save of old wrote */
	manifest = xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"busybox:latest\",\"x/y:1\"],"
			     "\"Layers\":[\"abc/layer.tar\"]}]",
			     cfg_name);
	tar_begin(&t, false);
	tar_file(&t, "0123.tar", layer, layer_len);
	tar_symlink(&t, "abc/layer.tar", "../0123.tar");
	tar_str(&t, "abc/VERSION", "1.0");
	tar_str(&t, "abc/json", "{}");
	tar_str(&t, cfg_name, config);
	tar_str(&t, "manifest.json", manifest);
	tar_str(&t, "repositories", "{}");
	fd = tar_end(&t);

	assert_int_equal(img_archive_read(f->store, fd, &a, &err), 0);
	close(fd);
	assert_int_equal(a->n_images, 1);
	assert_string_equal(a->images[0].config, config_digest);
	assert_string_equal(a->images[0].manifest, "");
	assert_int_equal(a->images[0].n_layers, 1);
	assert_string_equal(a->images[0].layers[0].digest, layer_digest);
	assert_string_equal(a->images[0].layers[0].media_type, OCI_MEDIA_LAYER_TAR);
	assert_int_equal(a->images[0].layers[0].size, (int64_t)layer_len);
	assert_string_equal(a->images[0].tags[0], "busybox:latest");
	assert_string_equal(a->images[0].tags[1], "x/y:1");
	assert_null(a->images[0].tags[2]);
	assert_int_equal(strv_length(a->added), 2);
	assert_true(img_blob_exists(f->store, config_digest));
	assert_true(img_blob_exists(f->store, layer_digest));
	assert_int_equal(count_entries(f, "tmp"), 0);
	img_archive_free(a);
}

/* An oci-archive of one image (gzip'd layer), the whole tar gzip'd when asked. */
static int make_oci(bool gzip, char config_digest[DIGEST_STR_SIZE], char manifest_digest[DIGEST_STR_SIZE])
{
	char layer_digest[DIGEST_STR_SIZE], diff_id[DIGEST_STR_SIZE];
	static const char gz[] = "\x1f\x8b not really gzip, never unpacked here";
	_cleanup_free_ char *config = NULL, *manifest = NULL, *index = NULL, *p1 = NULL, *p2 = NULL, *p3 = NULL;
	struct tar t;

	assert_int_equal(digest_buffer(gz, sizeof(gz), layer_digest, NULL), 0);
	assert_int_equal(digest_buffer("x", 1, diff_id, NULL), 0);
	config = make_config(diff_id);
	assert_int_equal(digest_buffer(config, strlen(config), config_digest, NULL), 0);
	manifest = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\",\"digest\":"
			     "\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
			     OCI_MEDIA_MANIFEST, OCI_MEDIA_CONFIG, config_digest, strlen(config), OCI_MEDIA_LAYER_GZIP,
			     layer_digest, sizeof(gz));
	assert_int_equal(digest_buffer(manifest, strlen(manifest), manifest_digest, NULL), 0);
	index = xasprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
			  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"localhost/x/busybox:1\"}},"
			  "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu,"
			  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}",
			  OCI_MEDIA_MANIFEST, manifest_digest, strlen(manifest), OCI_MEDIA_MANIFEST, manifest_digest,
			  strlen(manifest));
	p1 = xasprintf("blobs/sha256/%s", digest_hex(layer_digest));
	p2 = xasprintf("blobs/sha256/%s", digest_hex(config_digest));
	p3 = xasprintf("blobs/sha256/%s", digest_hex(manifest_digest));
	tar_begin(&t, gzip);
	tar_str(&t, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	tar_file(&t, p1, gz, sizeof(gz));
	tar_str(&t, p2, config);
	tar_str(&t, p3, manifest);
	tar_str(&t, "index.json", index);
	return tar_end(&t);
}

static void check_oci(void **state, bool gzip)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	struct img_archive *a = NULL;
	char config_digest[DIGEST_STR_SIZE], manifest_digest[DIGEST_STR_SIZE];
	int fd = make_oci(gzip, config_digest, manifest_digest);

	assert_int_equal(img_archive_read(f->store, fd, &a, &err), 0);
	close(fd);
	assert_int_equal(a->n_images, 1);
	assert_string_equal(a->images[0].config, config_digest);
	assert_string_equal(a->images[0].manifest, manifest_digest);
	assert_string_equal(a->images[0].layers[0].media_type, OCI_MEDIA_LAYER_GZIP);
	/* "latest" alone is a tag without a name: it names nothing */
	assert_string_equal(a->images[0].tags[0], "localhost/x/busybox:1");
	assert_null(a->images[0].tags[1]);
	assert_int_equal(strv_length(a->added), 3);
	img_archive_free(a);
}

static void test_oci_archive(void **state)
{
	check_oci(state, false);
}

static void test_oci_archive_gzip(void **state)
{
	check_oci(state, true);
}

static void test_wrong_digest(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	struct img_archive *a = NULL;
	char d[DIGEST_STR_SIZE];
	_cleanup_free_ char *path = NULL;
	struct tar t;
	int fd;

	assert_int_equal(digest_buffer("right", 5, d, NULL), 0);
	path = xasprintf("blobs/sha256/%s", digest_hex(d));
	tar_begin(&t, false);
	tar_str(&t, "blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000x", "odd name");
	tar_str(&t, path, "wrong");
	tar_str(&t, "index.json", "{\"schemaVersion\":2,\"manifests\":[]}");
	fd = tar_end(&t);
	assert_int_equal(img_archive_read(f->store, fd, &a, &err), -1);
	close(fd);
	assert_non_null(strstr(err->msg, path));
	assert_non_null(strstr(err->msg, "does not match"));
	berth_error_free(&err);
	assert_int_equal(count_entries(f, "blobs/sha256"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	struct img_archive *a = NULL;
	struct tar t;
	int fd;

	tar_begin(&t, false);
	tar_str(&t, "cfg.json", "{}");
	tar_str(&t, "manifest.json", "[{\"Config\":\"cfg.json\",\"RepoTags\":null,\"Layers\":[\"gone/layer.tar\"]}]");
	fd = tar_end(&t);
	assert_int_equal(img_archive_read(f->store, fd, &a, &err), -1);
	close(fd);
	assert_string_equal(err->msg, "manifest.json: [0].Layers[0]: 'gone/layer.tar' is not in the archive");
	berth_error_free(&err);
	assert_int_equal(count_entries(f, "blobs/sha256"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	struct img_archive *a = NULL;
	char c[DIGEST_STR_SIZE], m[DIGEST_STR_SIZE];
	int fd = make_oci(false, c, m);
	off_t size = lseek(fd, 0, SEEK_END);

	assert_int_equal(ftruncate(fd, size / 2 + 100), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(img_archive_read(f->store, fd, &a, &err), -1);
	close(fd);
	assert_non_null(err);
	berth_error_free(&err);
	assert_int_equal(count_entries(f, "blobs/sha256"), 0);
	assert_int_equal(count_entries(f, "tmp"), 0);
}

/* What img_archive_write makes reads back the same, with the manifest it made and familiar tags. */
static void test_write_read(void **state)
{
	struct fixture *f = *state;
	struct berth_error *err = NULL;
	struct img_archive *a = NULL, *b = NULL;
	char c[DIGEST_STR_SIZE], m[DIGEST_STR_SIZE];
	char *names[] = {"docker.io/library/busybox:latest", "localhost:5000/a/b:2", NULL};
	int fd = make_oci(false, c, m), out = memfd_create("out", MFD_CLOEXEC), again;
	struct img_save_image im = {0};
	_cleanup_free_ char *first = NULL;
	off_t len;

	assert_int_equal(img_archive_read(f->store, fd, &a, &err), 0);
	close(fd);
	im = (struct img_save_image){
		.config = c, .manifest = m, .layers = a->images[0].layers, .n_layers = 1, .names = names};
	assert_int_equal(img_archive_write(f->store, &im, 1, out, &err), 0);
	len = lseek(out, 0, SEEK_END);
	first = xmalloc((size_t)len);
	assert_int_equal(pread(out, first, (size_t)len, 0), len);
	/* the same images give the same bytes */
	again = memfd_create("again", MFD_CLOEXEC);
	assert_int_equal(img_archive_write(f->store, &im, 1, again, &err), 0);
	assert_int_equal(lseek(again, 0, SEEK_END), len);
	close(again);
	assert_int_equal(lseek(out, 0, SEEK_SET), 0);
	assert_int_equal(img_archive_read(f->store, out, &b, &err), 0);
	close(out);
	assert_int_equal(b->n_images, 1);
	assert_string_equal(b->images[0].config, c);
	assert_string_equal(b->images[0].manifest, m);
	assert_string_equal(b->images[0].tags[0], "busybox:latest");
	assert_string_equal(b->images[0].tags[1], "localhost:5000/a/b:2");
	assert_string_equal(b->images[0].layers[0].media_type, OCI_MEDIA_LAYER_GZIP);
	assert_null(b->added);
	img_archive_free(a);
	img_archive_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_docker_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_archive_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
