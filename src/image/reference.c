/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image references: docker/distribution's grammar (domain, path components,
 * tag, digest) with Docker's normalisation to docker.io/library, and the
 * full and familiar spellings.
 */
#include <stdbool.h>
#include <string.h>

#include "image/image.h"

#define INVALID "invalid reference format: "
#define TAG_MAX 128
#define LEGACY_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

/* [a-z0-9]+ ( ('.' | '_' | '__' | '-'+) [a-z0-9]+ )* */
static bool valid_path_component(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
	}
}

/* [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9] */
static bool valid_domain_component(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* host (domain components joined by '.', or "[ipv6]") with an optional ":port". */
static bool valid_domain(const char *s)
{
	size_t n = strlen(s), host_len = n;
	const char *colon;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close == s + 1)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!is_hex(*p) && !(*p >= 'A' && *p <= 'F') && *p != ':')
				return false;
		host_len = (size_t)(close - s) + 1;
	} else {
		colon = strchr(s, ':');
		if (colon)
			host_len = (size_t)(colon - s);
		for (size_t start = 0; start <= host_len;) {
			const char *dot = memchr(s + start, '.', host_len - start);
			size_t end = dot ? (size_t)(dot - s) : host_len;

			if (!valid_domain_component(s + start, end - start))
				return false;
			start = end + 1;
		}
	}
	if (host_len == n)
		return true;
	if (s[host_len] != ':' || host_len + 1 == n)
		return false;
	for (size_t i = host_len + 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int check_tag(const char *tag, struct berth_error **err)
{
	size_t n = strlen(tag);

	if (n == 0)
		return berth_error_set(err, 0, INVALID "empty tag");
	if (n > TAG_MAX)
		return berth_error_set(err, 0, INVALID "tag '%s' is longer than %d characters", tag, TAG_MAX);
	for (size_t i = 0; i < n; i++)
		if (!is_word(tag[i]) && (i == 0 || (tag[i] != '.' && tag[i] != '-')))
			return berth_error_set(
				err, 0, INVALID "tag '%s' must be letters, digits and '_', then also '.' or '-'", tag);
	return 0;
}

static int check_path(const char *path, const char *name, struct berth_error **err)
{
	const char *p = path;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0)
			return berth_error_set(err, 0, INVALID "empty path component in '%s'", name);
		if (!valid_path_component(p, n))
			return berth_error_set(err, 0,
					       INVALID "path component '%.*s' of '%s' must be lowercase letters and "
						       "digits separated by '.', '_', '__' or '-'",
					       (int)n, p, name);
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

/*
 * Split name ("host:5000/a/b", "user/app", "busybox") into domain and path
 * as Docker's splitDockerDomain does, and check both.
 */
static int split_name(const char *name, char **ret_domain, char **ret_path, struct berth_error **err)
{
	_cleanup_free_ char *domain = NULL, *path = NULL;
	const char *slash = strchr(name, '/');
	size_t first = slash ? (size_t)(slash - name) : 0;

	if (slash && (memchr(name, '.', first) || memchr(name, ':', first) || has_upper(name, first) ||
		      (first == 9 && strncmp(name, "localhost", 9) == 0))) {
		domain = strndup(name, first);
		path = xstrdup(slash + 1);
		if (!domain)
			abort();
	} else {
		domain = xstrdup(IMG_REF_DEFAULT_DOMAIN);
		path = xstrdup(name);
	}
	if (strcmp(domain, LEGACY_DOMAIN) == 0) {
		free(domain);
		domain = xstrdup(IMG_REF_DEFAULT_DOMAIN);
	}
	if (!valid_domain(domain))
		return berth_error_set(err, 0, INVALID "invalid domain '%s'", domain);
	if (has_upper(path, strlen(path)))
		return berth_error_set(err, 0, INVALID "repository name '%s' must be lowercase", path);
	if (check_path(path, name, err) < 0)
		return -1;
	if (strcmp(domain, IMG_REF_DEFAULT_DOMAIN) == 0 && !strchr(path, '/')) {
		char *official = xasprintf(OFFICIAL_PREFIX "%s", path);

		free(path);
		path = official;
	}
	if (strlen(domain) + 1 + strlen(path) > IMG_REF_NAME_MAX)
		return berth_error_set(err, 0, INVALID "repository name must not be more than %d characters",
				       IMG_REF_NAME_MAX);
	*ret_domain = TAKE_PTR(domain);
	*ret_path = TAKE_PTR(path);
	return 0;
}

static bool is_hex_run(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

bool img_ref_is_id_like(const char *s)
{
	return s && is_hex_run(s, 4, 64);
}

int img_ref_parse(const char *s, struct img_ref **ret, struct berth_error **err)
{
	_cleanup_free_ char *name = NULL, *tag = NULL, *digest = NULL;
	_cleanup_error_ struct berth_error *e = NULL;
	struct img_ref *r;
	char *at, *colon, *slash;

	if (!s || !*s)
		return berth_error_set(err, 0, INVALID "empty reference");
	if (is_hex_run(s, 64, 64))
		return berth_error_set(err, 0, INVALID "cannot use a 64-hex string as a repository name");
	name = xstrdup(s);
	at = strchr(name, '@');
	if (at) {
		*at = '\0';
		digest = xstrdup(at + 1);
		if (digest_validate(digest, &e) < 0)
			return berth_error_set(err, 0, INVALID "%s", e->msg);
	}
	/* a ':' after the last '/' starts the tag; before it, it is the domain's port */
	colon = strrchr(name, ':');
	slash = strrchr(name, '/');
	if (colon && (!slash || colon > slash)) {
		*colon = '\0';
		tag = xstrdup(colon + 1);
		if (check_tag(tag, err) < 0)
			return -1;
	}
	if (!*name)
		return berth_error_set(err, 0, INVALID "empty repository name in '%s'", s);
	r = xcalloc(1, sizeof(*r));
	if (split_name(name, &r->domain, &r->path, err) < 0) {
		img_ref_free(r);
		return -1;
	}
	r->tag = TAKE_PTR(tag);
	r->digest = TAKE_PTR(digest);
	*ret = r;
	return 0;
}

int img_ref_parse_normalized_default(const char *s, struct img_ref **ret, struct berth_error **err)
{
	if (img_ref_parse(s, ret, err) < 0)
		return -1;
	img_ref_default_tag(*ret);
	return 0;
}

void img_ref_default_tag(struct img_ref *r)
{
	if (!r->tag && !r->digest)
		r->tag = xstrdup(IMG_REF_DEFAULT_TAG);
}

int img_ref_set_tag(struct img_ref *r, const char *tag, struct berth_error **err)
{
	if (tag && check_tag(tag, err) < 0)
		return -1;
	free(r->tag);
	r->tag = tag ? xstrdup(tag) : NULL;
	return 0;
}

struct img_ref *img_ref_dup(const struct img_ref *r)
{
	struct img_ref *c = xcalloc(1, sizeof(*c));

	c->domain = xstrdup(r->domain);
	c->path = xstrdup(r->path);
	c->tag = r->tag ? xstrdup(r->tag) : NULL;
	c->digest = r->digest ? xstrdup(r->digest) : NULL;
	return c;
}

/* The path as Docker shows it: without "docker.io/" and, for one component under it, "library/". */
static char *familiar_name(const struct img_ref *r)
{
	const char *p = r->path;

	if (strcmp(r->domain, IMG_REF_DEFAULT_DOMAIN) != 0)
		return xasprintf("%s/%s", r->domain, r->path);
	if (strncmp(p, OFFICIAL_PREFIX, strlen(OFFICIAL_PREFIX)) == 0 && !strchr(p + strlen(OFFICIAL_PREFIX), '/'))
		p += strlen(OFFICIAL_PREFIX);
	return xstrdup(p);
}

static char *with_suffixes(char *name, const struct img_ref *r)
{
	char *s = xasprintf("%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
			    r->digest ? r->digest : "");

	free(name);
	return s;
}

char *img_ref_repository(const struct img_ref *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

char *img_ref_familiar_repository(const struct img_ref *r)
{
	return familiar_name(r);
}

char *img_ref_string(const struct img_ref *r)
{
	return with_suffixes(img_ref_repository(r), r);
}

char *img_ref_familiar_string(const struct img_ref *r)
{
	return with_suffixes(familiar_name(r), r);
}

const char *img_ref_api_host(const struct img_ref *r)
{
	if (strcmp(r->domain, IMG_REF_DEFAULT_DOMAIN) == 0)
		return "registry-1.docker.io";
	return r->domain;
}

void img_ref_free(struct img_ref *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	free(r);
}
