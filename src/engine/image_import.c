/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker import: a rootfs tarball becomes a one-layer image whose config is
 * made from Dockerfile lines (--change), parsed as Docker parses them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "image/image.h"
#include "oci/oci.h"
#include "store/store.h"

#define CHUNK (128u << 10)

/* ---- --change lines ------------------------------------------------------ */

/* The JSON form ["a", "b"]: a vector, or NULL when text is not a JSON array of strings. */
static char **json_form(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL), *s;
	char **out = xcalloc(1, sizeof(char *));
	size_t i;

	if (!json_is_array(v)) {
		json_decref(v);
		free(out);
		return NULL;
	}
	json_array_foreach(v, i, s)
	{
		if (!json_is_string(s)) {
			json_decref(v);
			strv_free(out);
			return NULL;
		}
		strv_push(&out, json_string_value(s));
	}
	json_decref(v);
	return out;
}

/* CMD and ENTRYPOINT: the JSON form as it is, the shell form run by /bin/sh -c. */
static char **command_form(const char *rest)
{
	char **v = rest[0] == '[' ? json_form(rest) : NULL;

	if (v)
		return v;
	v = xcalloc(1, sizeof(char *));
	strv_push(&v, "/bin/sh");
	strv_push(&v, "-c");
	strv_push(&v, rest);
	return v;
}

/* Split at unquoted blanks; quotes and backslashes stay in the words (Docker's parseWords). */
static char **split_words(const char *s)
{
	char **out = xcalloc(1, sizeof(char *));
	struct buf w = {0};
	char quote = 0;

	for (; *s; s++) {
		if (!quote && isspace((unsigned char)*s)) {
			if (w.len)
				strv_push_take(&out, buf_steal(&w));
			continue;
		}
		if (*s == '\\' && quote != '\'' && s[1]) {
			buf_append(&w, s, 2);
			s++;
			continue;
		}
		if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '"' || *s == '\''))
			quote = *s;
		buf_append(&w, s, 1);
	}
	if (w.len)
		strv_push_take(&out, buf_steal(&w));
	buf_done(&w);
	return out;
}

/* Remove the quotes of a word: '…' literal, "…" and bare text with backslash escapes. */
static char *unquote(const char *s)
{
	struct buf b = {0};
	char quote = 0;

	for (; *s; s++) {
		if (quote != '\'' && *s == '\\' && s[1]) {
			s++;
			buf_append(&b, s, 1);
		} else if (quote && *s == quote) {
			quote = 0;
		} else if (!quote && (*s == '"' || *s == '\'')) {
			quote = *s;
		} else {
			buf_append(&b, s, 1);
		}
	}
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* ENV and LABEL: "k=v k2='v 2'" or the legacy "k v w" (one pair, the value the rest). */
static int parse_pairs(const char *cmd, const char *rest, char ***ret, struct berth_error **err)
{
	_cleanup_strv_ char **words = split_words(rest);
	char **out = xcalloc(1, sizeof(char *));

	if (!words[0]) {
		free(out);
		return berth_error_set(err, 0, "%s requires at least one argument", cmd);
	}
	if (!strchr(words[0], '=')) {
		const char *v = rest + strcspn(rest, " \t");

		v += strspn(v, " \t");
		if (!*v) {
			free(out);
			return berth_error_set(err, 0, "%s must have two arguments", cmd);
		}
		strv_push_take(&out, xasprintf("%s=%s", words[0], v));
		*ret = out;
		return 0;
	}
	for (size_t i = 0; words[i]; i++) {
		_cleanup_free_ char *u = NULL;

		if (!strchr(words[i], '=') || words[i][0] == '=') {
			strv_free(out);
			return berth_error_set(err, 0,
					       "Syntax error - can't find = in \"%s\". Must be of the form: name=value",
					       words[i]);
		}
		u = unquote(words[i]);
		strv_push(&out, u);
	}
	*ret = out;
	return 0;
}

static void env_set(char ***env, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; *env && (*env)[i]; i++)
		if (strncmp((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	strv_push(env, kv);
}

static void label_set(struct oci_container_config *cc, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	char *key = strndup(kv, klen);

	if (!key)
		abort();
	for (size_t i = 0; i < cc->n_labels; i++)
		if (strcmp(cc->labels[i].key, key) == 0) {
			free(key);
			free(cc->labels[i].value);
			cc->labels[i].value = xstrdup(kv + klen + 1);
			return;
		}
	cc->labels = realloc(cc->labels, (cc->n_labels + 1) * sizeof(*cc->labels));
	if (!cc->labels)
		abort();
	cc->labels[cc->n_labels].key = key;
	cc->labels[cc->n_labels++].value = xstrdup(kv + klen + 1);
}

static int parse_port(const char *s, long *ret)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535)
		return -1;
	*ret = v;
	return 0;
}

/* EXPOSE 80 8080/udp 7000-7002: keys "80/tcp", ranges expanded, as nat.ParsePortSpecs. */
static int expose(struct oci_container_config *cc, const char *rest, struct berth_error **err)
{
	_cleanup_strv_ char **words = split_words(rest);

	for (size_t i = 0; words[i]; i++) {
		_cleanup_free_ char *port = xstrdup(words[i]);
		char *proto = strchr(port, '/'), *dash;
		long lo, hi;

		if (proto)
			*proto++ = '\0';
		for (char *p = proto; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
		dash = strchr(port, '-');
		if (dash)
			*dash++ = '\0';
		if (parse_port(port, &lo) < 0 || (dash && parse_port(dash, &hi) < 0) || (dash && hi < lo))
			return berth_error_set(err, 0, "invalid containerPort: %s", words[i]);
		if (proto && strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
			return berth_error_set(err, 0, "invalid proto: %s", proto);
		for (long p = lo; p <= (dash ? hi : lo); p++) {
			_cleanup_free_ char *key = xasprintf("%ld/%s", p, proto && *proto ? proto : "tcp");

			if (!strv_contains(cc->exposed_ports, key))
				strv_push(&cc->exposed_ports, key);
		}
	}
	return 0;
}

static int volume(struct oci_container_config *cc, const char *rest, struct berth_error **err)
{
	_cleanup_strv_ char **v = rest[0] == '[' ? json_form(rest) : NULL;

	if (!v)
		v = split_words(rest);
	if (!v[0])
		return berth_error_set(err, 0, "VOLUME specified can not be an empty string");
	for (size_t i = 0; v[i]; i++) {
		if (!*v[i])
			return berth_error_set(err, 0, "VOLUME specified can not be an empty string");
		if (!strv_contains(cc->volumes, v[i]))
			strv_push(&cc->volumes, v[i]);
	}
	return 0;
}

static void set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static void set_vector(char ***field, char **value)
{
	strv_free(*field);
	*field = value;
}

static int pairs(struct oci_container_config *cc, const char *cmd, const char *rest, bool env, struct berth_error **err)
{
	_cleanup_strv_ char **kv = NULL;

	if (parse_pairs(cmd, rest, &kv, err) < 0)
		return -1;
	for (size_t i = 0; kv[i]; i++) {
		if (env)
			env_set(&cc->env, kv[i]);
		else
			label_set(cc, kv[i]);
	}
	return 0;
}

/* One --change line applied to cc. cmd_set: CMD was given, so ENTRYPOINT keeps it (as in a build). */
static int apply_change(struct oci_container_config *cc, const char *line, bool *cmd_set, struct berth_error **err)
{
	static const char *const not_allowed[] = {"ADD",	"ARG", "COPY",	"FROM", "HEALTHCHECK",
						  "MAINTAINER", "RUN", "SHELL", NULL};
	_cleanup_free_ char *cmd = NULL, *rest = NULL;
	const char *s = line + strspn(line, " \t\r\n");
	size_t n = strcspn(s, " \t\r\n");
	size_t rlen;

	cmd = strndup(s, n);
	if (!cmd)
		abort();
	for (char *p = cmd; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	s += n;
	s += strspn(s, " \t\r\n");
	rest = xstrdup(s);
	for (rlen = strlen(rest); rlen > 0 && isspace((unsigned char)rest[rlen - 1]); rlen--)
		rest[rlen - 1] = '\0';
	if (strcmp(cmd, "CMD") == 0) {
		set_vector(&cc->cmd, command_form(rest));
		*cmd_set = true;
	} else if (strcmp(cmd, "ENTRYPOINT") == 0) {
		set_vector(&cc->entrypoint, command_form(rest));
		if (!*cmd_set)
			set_vector(&cc->cmd, NULL);
	} else if (strcmp(cmd, "ENV") == 0 || strcmp(cmd, "LABEL") == 0) {
		return pairs(cc, cmd, rest, cmd[0] == 'E', err);
	} else if (strcmp(cmd, "EXPOSE") == 0) {
		return expose(cc, rest, err);
	} else if (strcmp(cmd, "VOLUME") == 0) {
		return volume(cc, rest, err);
	} else if (strcmp(cmd, "WORKDIR") == 0 || strcmp(cmd, "USER") == 0 || strcmp(cmd, "STOPSIGNAL") == 0 ||
		   strcmp(cmd, "ONBUILD") == 0) {
		if (!*rest)
			return berth_error_set(err, 0, "%s requires exactly one argument", cmd);
		if (cmd[0] == 'W') {
			_cleanup_free_ char *abs = rest[0] == '/' || !cc->working_dir
							   ? xasprintf("/%s", rest)
							   : fs_path_join(cc->working_dir, rest);
			_cleanup_free_ char *clean = fs_path_clean(abs);

			set_string(&cc->working_dir, clean);
		} else if (cmd[0] == 'U') {
			set_string(&cc->user, rest);
		} else if (cmd[0] == 'S') {
			set_string(&cc->stop_signal, rest);
		} else {
			strv_push(&cc->on_build, rest);
		}
	} else if (strv_contains((char **)not_allowed, cmd)) {
		return berth_error_set(err, 0, "%s is not a valid change command", cmd);
	} else {
		return berth_error_set(err, 0, "dockerfile parse error on line 1: unknown instruction: %s", cmd);
	}
	return 0;
}

/* ---- the import ------------------------------------------------------------ */

/* What an import added, to take back on failure. */
struct import {
	struct eng *e;
	char blob[DIGEST_STR_SIZE], config[DIGEST_STR_SIZE];
	bool blob_added, config_added, layer_added;
	struct img_layer_info layer;
	const char *media_type;
	int64_t blob_size;
};

/* Go's time.RFC3339Nano of when (now when -1), in UTC: trailing zeros of the fraction dropped. */
static char *rfc3339(int64_t when)
{
	struct timespec ts = {.tv_sec = (time_t)when};
	struct tm tm;
	char date[32], frac[16];
	size_t n;

	if (when < 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
	for (n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	return xasprintf("%s%sZ", date, n > 1 ? frac : "");
}

/* Copy fd into the blob store as the layer blob. */
static int spool(struct import *im, int fd, struct berth_error **err)
{
	_cleanup_free_ char *chunk = xmalloc(CHUNK);
	struct img_blob_writer *w = NULL;
	unsigned char head[8] = {0};
	size_t have = 0;
	ssize_t n;

	if (img_blob_create(im->e->store, &w, err) < 0)
		return -1;
	while ((n = read(fd, chunk, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			img_blob_abort(w);
			return berth_error_set(err, errno, "read the tarball");
		}
		if (have < sizeof(head)) {
			size_t k = (size_t)n < sizeof(head) - have ? (size_t)n : sizeof(head) - have;

			memcpy(head + have, chunk, k);
			have += k;
		}
		if (img_blob_write(w, chunk, (size_t)n, err) < 0) {
			img_blob_abort(w);
			return -1;
		}
		im->blob_size += n;
	}
	if (img_blob_writer_digest(w, im->blob, err) < 0) {
		img_blob_abort(w);
		return -1;
	}
	im->media_type = img_archive_layer_media_type(head, have);
	if (img_blob_exists(im->e->store, im->blob)) {
		img_blob_abort(w);
		return 0;
	}
	if (img_blob_commit(im->e->store, w, im->blob, NULL, err) < 0)
		return -1;
	im->blob_added = true;
	return 0;
}

static int unpack(struct import *im, struct berth_error **err)
{
	struct img_unpack_opts opts = {.allow_devices = geteuid() == 0, .ignore_chown_errors = geteuid() != 0};

	if (img_layers_unpack_blob(im->e->store, im->blob, NULL, &opts, &im->layer, err) < 0)
		return -1;
	im->layer_added = !im->layer.existed;
	return 0;
}

/* The image config: the changes, the platform, one layer and one history entry. */
static int make_config(struct import *im, struct oci_container_config *cc, const struct oci_platform *p,
		       const char *message, int64_t when, struct berth_error **err)
{
	_cleanup_free_ char *created = rfc3339(when), *text = NULL;
	char *diff_ids[] = {im->layer.diff_id, NULL};
	struct oci_history h = {
		.created = created,
		.created_by = (char *)"berth import",
		.comment = (char *)(message && *message ? message : "Imported from -"),
	};
	struct oci_image_config cfg = {
		.created = created,
		.architecture = p->architecture,
		.os = p->os,
		.variant = p->variant,
		.config = *cc,
		.rootfs_type = (char *)"layers",
		.diff_ids = diff_ids,
		.history = &h,
		.n_history = 1,
	};
	json_t *j = oci_image_config_to_json(&cfg);

	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (digest_buffer(text, strlen(text), im->config, err) < 0)
		return -1;
	im->config_added = !img_blob_exists(im->e->store, im->config);
	return img_blob_put(im->e->store, text, strlen(text), im->config, NULL, err);
}

static int record(struct import *im, const char *tag, struct berth_error **err)
{
	struct eng_layer_in l = {.size = im->layer.size, .media_type = im->media_type, .blob_size = im->blob_size};
	char *tags[] = {(char *)tag, NULL};

	memcpy(l.diff_id, im->layer.diff_id, sizeof(l.diff_id));
	snprintf(l.link, sizeof(l.link), "%s", im->layer.link);
	memcpy(l.blob_digest, im->blob, sizeof(l.blob_digest));
	return eng_image_record(im->e, im->config, NULL, &l, 1, tag ? tags : NULL, NULL, err);
}

static void undo(struct import *im)
{
	if (im->layer_added)
		img_layers_remove(im->e->store, im->layer.diff_id, NULL);
	if (im->blob_added)
		img_blob_remove(im->e->store, im->blob, NULL);
	if (im->config_added)
		img_blob_remove(im->e->store, im->config, NULL);
}

/* Everything that can be wrong with the request, before anything is stored. */
static int check_request(const struct eng_import_opts *opts, struct oci_container_config *cc,
			 struct oci_platform **ret_platform, char **ret_tag, struct berth_error **err)
{
	_cleanup_img_ref_ struct img_ref *ref = NULL;
	bool cmd_set = false;

	for (size_t i = 0; opts->changes && opts->changes[i]; i++)
		if (apply_change(cc, opts->changes[i], &cmd_set, err) < 0)
			return -1;
	if (opts->tag) {
		if (img_ref_parse_normalized_default(opts->tag, &ref, err) < 0)
			return -1;
		if (ref->digest)
			return berth_error_set(err, 0, "refusing to create a tag with a digest reference");
		*ret_tag = img_ref_string(ref);
	}
	if (opts->platform && *opts->platform)
		return oci_platform_parse(opts->platform, ret_platform, err);
	return oci_platform_host(ret_platform, err);
}

int eng_image_import(struct eng *e, int fd, const struct eng_import_opts *opts, char **ret_id, struct berth_error **err)
{
	struct oci_image_config *holder = xcalloc(1, sizeof(*holder)); /* owns what the changes made */
	struct oci_platform *platform = NULL;
	_cleanup_free_ char *tag = NULL;
	_cleanup_close_ int lock_fd = -1;
	struct import im = {.e = e};
	int rc = -1;

	if (check_request(opts, &holder->config, &platform, &tag, err) < 0)
		goto out;
	/* shared from the first blob until the rows are in: garbage collection keeps away */
	if (img_store_lock(e->store, false, false, &lock_fd, err) < 0)
		goto out;
	if (spool(&im, fd, err) < 0)
		goto out;
	if (unpack(&im, err) < 0 ||
	    make_config(&im, &holder->config, platform, opts->message, opts->created, err) < 0 ||
	    record(&im, tag, err) < 0) {
		undo(&im);
		goto out;
	}
	*ret_id = xstrdup(im.config);
	rc = 0;
out:
	oci_platform_free(platform);
	oci_image_config_free(holder);
	return rc;
}
