/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the image config and the manifests share: a document decoded through
 * a field table, digest-valued members, and the helpers that encode them.
 */
#include <string.h>

#include "oci/internal.h"

void *oci_dec_document(struct oci_dec *d, json_t *root, const struct oci_field *fields, size_t size,
		       void (*release)(void *))
{
	void *obj = xcalloc(1, size);
	int r = oci_dec_object(d, root, fields, obj);

	buf_done(&d->path);
	if (r < 0) {
		release(obj);
		return NULL;
	}
	return obj;
}

/* Fail naming what digest_validate says of s. */
static int check_digest(struct oci_dec *d, const char *s)
{
	_cleanup_error_ struct berth_error *e = NULL;

	if (digest_validate(s, &e) < 0)
		return oci_dec_fail(d, "%s", e->msg);
	return 0;
}

int oci_dec_digest(struct oci_dec *d, json_t *v, void *out)
{
	if (oci_dec_string(d, v, out) < 0)
		return -1;
	return check_digest(d, *(char **)out);
}

int oci_dec_digest_strv(struct oci_dec *d, json_t *v, void *out)
{
	char ***p = out;

	if (oci_dec_strv(d, v, out) < 0)
		return -1;
	for (size_t i = 0; *p && (*p)[i]; i++) {
		size_t mark = oci_dec_push_index(d, i);
		int r = check_digest(d, (*p)[i]);

		oci_dec_pop(d, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

void oci_json_set_string(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

void oci_json_set_strv(json_t *o, const char *key, char *const *v)
{
	json_t *a;

	if (!v || !*v)
		return;
	a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	json_object_set_new(o, key, a);
}

void oci_json_set_kv(json_t *o, const char *key, const struct oci_kv *kv, size_t n)
{
	json_t *m;

	if (n == 0)
		return;
	m = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(m, kv[i].key, json_string(kv[i].value));
	json_object_set_new(o, key, m);
}

void oci_json_set_platform(json_t *o, const struct oci_platform *p)
{
	oci_json_set_string(o, "architecture", p->architecture);
	oci_json_set_string(o, "os", p->os);
	oci_json_set_string(o, "os.version", p->os_version);
	oci_json_set_strv(o, "os.features", p->os_features);
	oci_json_set_string(o, "variant", p->variant);
}
