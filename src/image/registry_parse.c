/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client's pure helpers: which hosts are insecure by default,
 * request paths from repository names and references, URL resolution, and
 * the message of a registry's JSON error body.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "base/base.h"
#include "image/registry_internal.h"

bool reg_host_is_local(const char *host)
{
	char name[256];
	struct in_addr a4;
	struct in6_addr a6;
	const char *end;
	size_t len;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return false;
		host++;
	} else {
		/* "::1" without brackets has no port; "host:port" has one colon */
		end = strchr(host, ':');
		if (end && strchr(end + 1, ':'))
			end = NULL;
		if (!end)
			end = host + strlen(host);
	}
	len = (size_t)(end - host);
	if (len == 0 || len >= sizeof(name))
		return false;
	memcpy(name, host, len);
	name[len] = '\0';
	if (strcasecmp(name, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, name, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

const char *reg_endpoint(const char *host)
{
	if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0)
		return "registry-1.docker.io";
	return host;
}

/* Path components of a repository: lower/upper alnum, separated by . _ - and '/' between components. */
static bool repo_valid(const char *repo)
{
	bool start = true;

	if (!*repo || strlen(repo) > 255)
		return false;
	for (const char *p = repo; *p; p++) {
		if (isalnum((unsigned char)*p)) {
			start = false;
			continue;
		}
		if (start || !strchr("._-/", *p))
			return false;
		if (*p == '/')
			start = true;
	}
	return !start;
}

static bool tag_valid(const char *tag)
{
	size_t len = strlen(tag);

	if (len == 0 || len > 128 || tag[0] == '.' || tag[0] == '-')
		return false;
	for (const char *p = tag; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

char *reg_path(const char *repo, const char *kind, const char *ref, struct berth_error **err)
{
	if (!repo_valid(repo)) {
		reg_error(err, EINVAL, "invalid repository name '%s'", repo);
		return NULL;
	}
	if (strchr(ref, ':')) {
		if (digest_validate(ref, err) < 0)
			return NULL;
	} else if (strcmp(kind, "blobs") == 0 || !tag_valid(ref)) {
		reg_error(err, EINVAL, "invalid %s '%s'", strcmp(kind, "blobs") == 0 ? "digest" : "tag", ref);
		return NULL;
	}
	return xasprintf("/v2/%s/%s/%s", repo, kind, ref);
}

static char *url_of(CURLU *u)
{
	char *s = NULL, *out;

	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		return NULL;
	out = xstrdup(s);
	curl_free(s);
	return out;
}

char *reg_url_resolve(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *out = NULL;

	if (!u)
		abort();
	/* setting a relative URL on a handle that holds one resolves it as a redirect would */
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK)
		out = url_of(u);
	curl_url_cleanup(u);
	return out;
}

char *reg_url_add_query(const char *url, const char *name, const char *value)
{
	_cleanup_free_ char *pair = xasprintf("%s=%s", name, value);
	CURLU *u = curl_url();
	char *out = NULL;

	if (!u)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY | CURLU_URLENCODE) == CURLUE_OK)
		out = url_of(u);
	curl_url_cleanup(u);
	return out;
}

/* Docker prints an error code as lower-case words: MANIFEST_UNKNOWN → "manifest unknown". */
static void append_code(struct buf *b, const char *code)
{
	for (const char *p = code; *p; p++) {
		char c = *p == '_' ? ' ' : (char)tolower((unsigned char)*p);

		buf_append(b, &c, 1);
	}
}

char *reg_error_body_message(const char *body, size_t len)
{
	struct buf b = {0};
	json_t *root, *errors, *e;
	size_t i;

	if (!body || len == 0)
		return NULL;
	root = json_loadb(body, len, 0, NULL);
	errors = json_object_get(root, "errors");
	json_array_foreach(errors, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));

		if (!code && !msg)
			continue;
		if (b.len > 0)
			buf_puts(&b, "; ");
		if (code)
			append_code(&b, code);
		if (code && msg && *msg)
			buf_puts(&b, ": ");
		if (msg)
			buf_puts(&b, msg);
	}
	json_decref(root);
	return b.len > 0 ? buf_steal(&b) : (buf_done(&b), NULL);
}
