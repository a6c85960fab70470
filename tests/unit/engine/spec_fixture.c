/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake rootfs and spec helpers of the test_spec*.c tests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "oci/oci.h"
#include "spec_fixture.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "# a comment\n"
			     "\n"
			     "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
			     "bob:x:1001:100::/home/bob:/bin/sh\n"
			     "broken line\n"
			     "nohome:x:1002:1002:::/bin/sh\n";

static const char group[] = "root:x:0:root\n"
			    "wheel:x:10:root,alice\n"
			    "users:x:100:\n"
			    "alice:x:1000:\n"
			    "staff:x:50:alice,bob\n"
			    "audio:x:29:bob\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

void fx_init(struct fx *f, bool with_etc)
{
	char etc[96];

	memset(f, 0, sizeof(*f));
	strcpy(f->dir, "/tmp/berth-test-spec-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	if (with_etc) {
		snprintf(etc, sizeof(etc), "%s/etc", f->dir);
		assert_int_equal(mkdir(etc, 0755), 0);
		write_file(f->dir, "etc/passwd", passwd);
		write_file(f->dir, "etc/group", group);
	}
	f->rootfs_fd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->rootfs_fd >= 0);
}

void fx_done(struct fx *f)
{
	close(f->rootfs_fd);
	assert_int_equal(fs_rm_rf_at(AT_FDCWD, f->dir, NULL), 0);
	strv_free(f->volume_calls);
}

static char *volume_path(void *userdata, const char *name, const char *dest, struct berth_error **err)
{
	struct fx *f = userdata;

	strv_push_take(&f->volume_calls, xasprintf("%s|%s", name ? name : "", dest));
	if (name && strcmp(name, "missing") == 0) {
		berth_error_set(err, 0, "no such volume '%s'", name);
		return NULL;
	}
	return xasprintf("/var/lib/berth/volumes/%s/_data", name ? name : "anon");
}

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v;

	if (!text)
		return NULL;
	v = json_loads(text, 0, &je);
	if (!v)
		fail_msg("fixture JSON: %s: %s", text, je.text);
	return v;
}

void fx_input(struct fx *f, struct eng_spec_input *in, const char *config, const char *host_config)
{
	*in = (struct eng_spec_input){
		.id = FX_ID,
		.config = parse(config),
		.host_config = parse(host_config),
		.rootfs = f->dir,
		.rootfs_fd = f->rootfs_fd,
		.hostname_path = "/c/hostname",
		.hosts_path = "/c/hosts",
		.resolv_conf_path = "/c/resolv.conf",
		.host_hostname = "buildhost",
		.host_dev_fd = -1,
		.arch = "amd64",
		.volume_path = volume_path,
		.volume_userdata = f,
	};
}

void fx_input_done(struct eng_spec_input *in)
{
	json_decref(in->config);
	json_decref(in->host_config);
}

void fx_check_oci(json_t *spec)
{
	_cleanup_free_ char *text = json_dumps(spec, JSON_COMPACT);
	_cleanup_error_ struct berth_error *e = NULL;
	struct oci_config *c = NULL;

	if (oci_config_parse(text, strlen(text), "config.json", &c, &e) < 0 ||
	    oci_config_validate(c, "config.json", &e) < 0) {
		oci_config_free(c);
		fail_msg("oci: %s\n%s", e->msg, text);
	}
	oci_config_free(c);
}

json_t *fx_build(struct fx *f, const char *config, const char *host_config)
{
	struct eng_spec_input in;
	_cleanup_error_ struct berth_error *e = NULL;
	json_t *spec = NULL;
	char **warnings = NULL;

	fx_input(f, &in, config, host_config);
	if (eng_spec_build(&in, &spec, &warnings, &e) < 0)
		fail_msg("eng_spec_build: %s", e->msg);
	fx_input_done(&in);
	strv_free(warnings);
	fx_check_oci(spec);
	return spec;
}

char *fx_build_err(struct fx *f, const char *config, const char *host_config)
{
	struct eng_spec_input in;
	struct berth_error *e = NULL;
	json_t *spec = NULL;
	char *msg;

	fx_input(f, &in, config, host_config);
	if (eng_spec_build(&in, &spec, NULL, &e) == 0)
		fail_msg("eng_spec_build succeeded for %s / %s", config, host_config ? host_config : "null");
	fx_input_done(&in);
	assert_null(spec);
	msg = xstrdup(e->msg);
	berth_error_free(&e);
	return msg;
}

int fx_mount_index(json_t *spec, const char *dest)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(spec, "mounts"), i,
			   m) if (strcmp(json_string_value(json_object_get(m, "destination")), dest) ==
				  0) return (int)i;
	return -1;
}

json_t *fx_mount(json_t *spec, const char *dest)
{
	int i = fx_mount_index(spec, dest);

	return i < 0 ? NULL : json_array_get(json_object_get(spec, "mounts"), (size_t)i);
}

bool fx_has(json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

json_t *fx_ns(json_t *spec, const char *type)
{
	json_t *ns;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(spec, "linux"), "namespaces"), i,
			   ns) if (strcmp(json_string_value(json_object_get(ns, "type")), type) == 0) return ns;
	return NULL;
}

json_t *fx_syscall(json_t *spec, const char *name)
{
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp"), *r;
	size_t i;

	json_array_foreach(json_object_get(sc, "syscalls"), i,
			   r) if (fx_has(json_object_get(r, "names"), name)) return r;
	return NULL;
}

char *fx_dump(json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}
