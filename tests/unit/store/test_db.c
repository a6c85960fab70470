/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of store/: schema creation, image, tag, repo digest and layer rows. */
#include "../base/fixture.h"

#include "base/base.h"
#include "store/store.h"

#define ID_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "sha256:abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define L1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define L2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

/* The database of the test, opened on a temp dir by setup. */
static struct db *the_db;

static int setup(void **state)
{
	_cleanup_free_ char *path = NULL;

	if (tmp_fixture_setup(state) < 0)
		return -1;
	path = xasprintf("%s/berth.db", ((struct tmp_fixture *)*state)->path);
	return db_open(path, &the_db, NULL);
}

static int teardown(void **state)
{
	db_close(the_db);
	the_db = NULL;
	return tmp_fixture_teardown(state);
}

static struct db *db_of(void **state)
{
	(void)state;
	return the_db;
}

static void put_image(struct db *db, const char *id, const char *created, char **diff_ids)
{
	struct db_image img = {.id = (char *)id,
			       .created = (char *)created,
			       .size = 10,
			       .os = "linux",
			       .architecture = "amd64",
			       .diff_ids = diff_ids};

	assert_int_equal(db_image_put(db, &img, NULL), 0);
}

static void test_schema_and_reopen(void **state)
{
	struct tmp_fixture *f = *state;
	_cleanup_free_ char *path = xasprintf("%s/berth.db", f->path);
	struct db *again = NULL;

	assert_true(db_schema_version() >= 1);
	/* A second connection finds the schema in place and migrates nothing. */
	assert_int_equal(db_open(path, &again, NULL), 0);
	db_close(again);
}

static void test_images_and_layers(void **state)
{
	struct db *db = db_of(state);
	char *layers[] = {L1, L2, NULL};
	struct db_image got = {0};
	_cleanup_strv_ char **ids = NULL;
	struct db_image *list = NULL;
	size_t n = 0;

	put_image(db, ID_A, "2023-01-01T00:00:00Z", layers);
	put_image(db, ID_B, "2024-01-01T00:00:00Z", layers + 1);
	assert_int_equal(db_image_get(db, ID_A, &got, NULL), 0);
	assert_string_equal(got.id, ID_A);
	assert_int_equal(strv_length(got.diff_ids), 2);
	assert_string_equal(got.diff_ids[0], L1);
	db_image_done(&got);
	assert_int_equal(db_image_get(db, "sha256:nope", &got, NULL), 0);
	assert_null(got.id);

	/* Short ids: "a" is ambiguous, "ab" is not; non-hex matches nothing (no LIKE wildcards). */
	assert_int_equal(db_image_ids_by_prefix(db, "a", 5, &ids, NULL), 0);
	assert_int_equal(strv_length(ids), 2);
	strv_free(ids);
	assert_int_equal(db_image_ids_by_prefix(db, "ab", 5, &ids, NULL), 0);
	assert_int_equal(strv_length(ids), 1);
	strv_free(ids);
	assert_int_equal(db_image_ids_by_prefix(db, "%", 5, &ids, NULL), 0);
	assert_null(ids[0]);

	/* Newest first. */
	assert_int_equal(db_image_list(db, &list, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, ID_B);
	db_images_free(list, n);
}

static void test_tags_move_and_cascade(void **state)
{
	struct db *db = db_of(state);
	char *layers[] = {L1, NULL};
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **tags = NULL;
	bool existed = false;

	put_image(db, ID_A, NULL, layers);
	put_image(db, ID_B, NULL, layers);
	assert_int_equal(db_tag_set(db, "docker.io/library/x:1", ID_A, NULL), 0);
	assert_int_equal(db_tag_set(db, "docker.io/library/x:2", ID_A, NULL), 0);
	/* A tag set again moves to the new image. */
	assert_int_equal(db_tag_set(db, "docker.io/library/x:1", ID_B, NULL), 0);
	assert_int_equal(db_tag_get(db, "docker.io/library/x:1", &id, NULL), 0);
	assert_string_equal(id, ID_B);
	assert_int_equal(db_tags_of_image(db, ID_A, &tags, NULL), 0);
	assert_int_equal(strv_length(tags), 1);
	assert_true(db_tag_last_time(db, ID_A) > 0);

	assert_int_equal(db_repo_digest_add(db, "docker.io/library/x@" L1, ID_A, NULL), 0);
	assert_int_equal(db_tag_delete(db, "docker.io/library/x:2", &existed, NULL), 0);
	assert_true(existed);
	assert_int_equal(db_tag_delete(db, "docker.io/library/x:2", &existed, NULL), 0);
	assert_false(existed);

	/* Deleting an image takes its tags, digests and layer list with it. */
	assert_int_equal(db_image_delete(db, ID_B, NULL), 0);
	free(id);
	assert_int_equal(db_tag_get(db, "docker.io/library/x:1", &id, NULL), 0);
	assert_null(id);
}

static void test_layer_rows_and_refs(void **state)
{
	struct db *db = db_of(state);
	char *layers[] = {L1, NULL};
	struct db_layer l1 = {.diff_id = L1, .link = "AAAA", .size = 5, .blob_digest = L1, .media_type = "t"};
	struct db_layer l2 = {.diff_id = L2, .link = "BBBB", .size = 7};
	struct db_layer got = {0}, *unref = NULL;
	_cleanup_strv_ char **refs = NULL;
	size_t n = 0;

	assert_int_equal(db_layer_put(db, &l1, NULL), 0);
	assert_int_equal(db_layer_put(db, &l2, NULL), 0);
	/* Seen again with a blob: the blob is learned, the link kept. */
	l2.blob_digest = ID_B;
	l2.link = "CCCC";
	assert_int_equal(db_layer_put(db, &l2, NULL), 0);
	assert_int_equal(db_layer_get(db, L2, &got, NULL), 0);
	assert_string_equal(got.link, "BBBB");
	assert_string_equal(got.blob_digest, ID_B);
	db_layer_done(&got);

	put_image(db, ID_A, NULL, layers);
	assert_int_equal(db_layers_unreferenced(db, &unref, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(unref[0].diff_id, L2);
	db_layers_free(unref, n);

	assert_int_equal(db_blob_refs(db, &refs, NULL), 0);
	assert_true(strv_contains(refs, ID_A));
	assert_true(strv_contains(refs, L1));
	assert_true(strv_contains(refs, ID_B));
}

static void test_transactions(void **state)
{
	struct db *db = db_of(state);
	char *layers[] = {NULL};
	struct db_image got = {0};

	assert_int_equal(db_begin(db, NULL), 0);
	put_image(db, ID_A, NULL, layers);
	db_rollback(db);
	assert_int_equal(db_image_get(db, ID_A, &got, NULL), 0);
	assert_null(got.id);
	assert_int_equal(db_begin(db, NULL), 0);
	put_image(db, ID_A, NULL, layers);
	assert_int_equal(db_commit(db, NULL), 0);
	assert_int_equal(db_image_get(db, ID_A, &got, NULL), 0);
	assert_non_null(got.id);
	db_image_done(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_images_and_layers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags_move_and_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layer_rows_and_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
