/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Volumes, the pure parts: Docker's name rule, a container's Mounts plan, and the volumes a document names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/base.h"
#include "engine/engine.h"

static void test_name_rule(void **state)
{
	static const char *const good[] = {"ab", "a.b-c_d", "0x", "myvol", "A1"};
	static const char *const bad[] = {"", "a", "_ab", ".ab", "-ab", "a/b", "a b", "a:b", "/abs"};
	char id[65];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(eng_volume_name_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(eng_volume_name_valid(bad[i]));
	eng_id_generate(id);
	assert_true(eng_volume_name_valid(id));
}

static json_t *find(json_t *mounts, const char *dest)
{
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i,
			   m) if (!strcmp(json_string_value(json_object_get(m, "Destination")), dest)) return m;
	return NULL;
}

static const char *field(json_t *m, const char *k)
{
	return json_string_value(json_object_get(m, k));
}

static void test_mounts_plan(void **state)
{
	json_t *config = json_pack("{s:{s:{}, s:{}, s:{}}}", "Volumes", "/data", "/n", "/t");
	json_t *hc = json_pack("{s:[s, s, s, s], s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s, s:b}], s:{s:s}}", "Binds",
			       "/host:/h:ro", "named:/n", "/anon", "/src:/p:rshared", "Mounts", "Type", "volume",
			       "Target", "/mv", "Type", "tmpfs", "Target", "/t", "Type", "bind", "Source", "/s",
			       "Target", "/b", "ReadOnly", 1, "Tmpfs", "/tm", "size=1m");
	json_t *mounts = NULL, *m;
	struct berth_error *err = NULL;

	(void)state;
	assert_int_equal(eng_volume_mounts_plan(config, hc, &mounts, &err), 0);
	assert_int_equal(json_array_size(mounts), 9);
	m = find(mounts, "/h");
	assert_string_equal(field(m, "Type"), "bind");
	assert_string_equal(field(m, "Source"), "/host");
	assert_string_equal(field(m, "Mode"), "ro");
	assert_false(json_is_true(json_object_get(m, "RW")));
	assert_string_equal(field(m, "Propagation"), "rprivate");
	assert_string_equal(field(find(mounts, "/p"), "Propagation"), "rshared");
	m = find(mounts, "/n");
	assert_string_equal(field(m, "Type"), "volume");
	assert_string_equal(field(m, "Name"), "named");
	assert_string_equal(field(m, "Mode"), "z");
	assert_string_equal(field(m, "Driver"), "local");
	assert_true(json_is_true(json_object_get(m, "RW")));
	/* anonymous: from a one-part bind, a volume mount without source, and Config.Volumes not covered */
	assert_string_equal(field(find(mounts, "/anon"), "Name"), "");
	assert_string_equal(field(find(mounts, "/mv"), "Name"), "");
	assert_string_equal(field(find(mounts, "/data"), "Type"), "volume");
	assert_string_equal(field(find(mounts, "/t"), "Type"), "tmpfs");
	assert_string_equal(field(find(mounts, "/tm"), "Type"), "tmpfs");
	assert_false(json_is_true(json_object_get(find(mounts, "/b"), "RW")));
	json_decref(mounts);
	json_decref(config);
	json_decref(hc);
}

static void test_plan_errors(void **state)
{
	json_t *hc = json_pack("{s:[s]}", "Binds", "bad/name:/x"), *mounts = NULL;
	struct berth_error *err = NULL;

	(void)state;
	assert_int_equal(eng_volume_mounts_plan(NULL, hc, &mounts, &err), -1);
	assert_non_null(strstr(err->msg, "includes invalid characters for a local volume name"));
	berth_error_free(&err);
	json_decref(hc);
	hc = json_pack("{s:[s]}", "Binds", "vol:relative");
	assert_int_equal(eng_volume_mounts_plan(NULL, hc, &mounts, &err), -1);
	assert_non_null(strstr(err->msg, "invalid volume specification"));
	berth_error_free(&err);
	json_decref(hc);
}

static void test_refs(void **state)
{
	json_t *doc = json_pack("{s:{s:[s, s, s, s], s:[{s:s, s:s}, {s:s, s:s}]}, s:[{s:s, s:s}, {s:s, s:s}]}",
				"HostConfig", "Binds", "a1:/x", "/host:/y", "/anon", "a1:/z:ro", "Mounts", "Type",
				"volume", "Source", "b2", "Type", "bind", "Source", "/s", "Mounts", "Type", "volume",
				"Name", "c3", "Type", "bind", "Name", "nope");
	char **refs = eng_volume_refs(doc);

	(void)state;
	assert_int_equal(strv_length(refs), 3);
	assert_string_equal(refs[0], "a1");
	assert_string_equal(refs[1], "b2");
	assert_string_equal(refs[2], "c3");
	strv_free(refs);
	json_decref(doc);
	refs = eng_volume_refs(NULL);
	assert_int_equal(strv_length(refs), 0);
	strv_free(refs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_mounts_plan),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_refs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
