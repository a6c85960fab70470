/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Registry auth: WWW-Authenticate parsing, the Bearer token flow with a
 * per-scope token cache, Basic credentials, and login.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "image/registry_internal.h"

/* A token server's answer is a small JSON object. */
#define REG_TOKEN_BODY_MAX (1u << 20)

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* An HTTP token (RFC 7230 tchar run); NULL when none starts at *p. */
static char *read_token(const char **p)
{
	const char *s = *p;

	while (**p && !strchr(" \t,=\"", **p))
		(*p)++;
	return *p > s ? strndup(s, (size_t)(*p - s)) : NULL;
}

/* A quoted-string at *p (on its '"') with backslash escapes; NULL when unterminated. */
static char *read_quoted(const char **p)
{
	struct buf b = {0};
	const char *s = *p + 1;

	for (; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		buf_append(&b, s, 1);
	}
	if (*s != '"') {
		buf_done(&b);
		return NULL;
	}
	*p = s + 1;
	buf_append(&b, "", 0);
	return b.data ? buf_steal(&b) : xstrdup("");
}

static void challenge_set(struct reg_challenge *c, const char *name, char *value)
{
	char **slot = NULL;

	if (strcasecmp(name, "realm") == 0)
		slot = &c->realm;
	else if (strcasecmp(name, "service") == 0)
		slot = &c->service;
	else if (strcasecmp(name, "scope") == 0)
		slot = &c->scope;
	else if (strcasecmp(name, "error") == 0)
		slot = &c->error;
	if (!slot) {
		free(value);
		return;
	}
	free(*slot);
	*slot = value;
}

/* The auth-params after a scheme; stops before the next challenge. -1 on an unterminated quote. */
static int parse_params(const char **pp, struct reg_challenge *c)
{
	const char *p = *pp;

	for (;;) {
		const char *save = p;
		_cleanup_free_ char *name = NULL;
		char *value;

		skip_ws(&p);
		name = read_token(&p);
		skip_ws(&p);
		if (!name || *p != '=') {
			/* the next challenge's scheme, a token68, or the end */
			*pp = save;
			return 0;
		}
		p++;
		skip_ws(&p);
		value = *p == '"' ? read_quoted(&p) : read_token(&p);
		if (!value && *p == '"')
			return -1;
		challenge_set(c, name, value ? value : xstrdup(""));
		skip_ws(&p);
		if (*p != ',') {
			*pp = p;
			return 0;
		}
		p++;
	}
}

int reg_challenges_parse(const char *header, struct reg_challenge **ret, size_t *ret_n)
{
	struct reg_challenge *list = NULL;
	size_t n = 0;
	const char *p = header;

	while (*p) {
		struct reg_challenge *c;
		char *scheme;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		scheme = read_token(&p);
		if (!scheme) {
			/* stray '=' or '"' (a token68's padding): skip it */
			p++;
			continue;
		}
		for (char *s = scheme; *s; s++)
			*s = (char)tolower((unsigned char)*s);
		list = realloc(list, (n + 1) * sizeof(*list));
		if (!list)
			abort();
		c = &list[n++];
		memset(c, 0, sizeof(*c));
		c->scheme = scheme;
		if (parse_params(&p, c) < 0) {
			reg_challenges_free(list, n);
			return -1;
		}
	}
	*ret = list;
	*ret_n = n;
	return 0;
}

void reg_challenges_free(struct reg_challenge *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].scheme);
		free(c[i].realm);
		free(c[i].service);
		free(c[i].scope);
		free(c[i].error);
	}
	free(c);
}

void reg_auth_learn_locked(struct img_registry *r, char *const *www_auth)
{
	bool basic = false;

	for (char *const *h = www_auth; h && *h; h++) {
		struct reg_challenge *cs = NULL;
		size_t n = 0;

		if (reg_challenges_parse(*h, &cs, &n) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(cs[i].scheme, "bearer") == 0 && cs[i].realm && *cs[i].realm) {
				/* Bearer wins over Basic when a registry offers both */
				r->auth = REG_AUTH_BEARER;
				free(r->realm);
				free(r->service);
				r->realm = TAKE_PTR(cs[i].realm);
				r->service = TAKE_PTR(cs[i].service);
				reg_challenges_free(cs, n);
				return;
			}
			if (strcmp(cs[i].scheme, "basic") == 0)
				basic = true;
		}
		reg_challenges_free(cs, n);
	}
	if (basic)
		r->auth = REG_AUTH_BASIC;
}

int reg_token_parse(const char *json, size_t len, char **ret_token, int64_t *ret_ttl, struct berth_error **err)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	const char *tok;
	json_t *ttl;

	if (!json_is_object(root)) {
		json_decref(root);
		return reg_error(err, EBADMSG, "token server answer is not a JSON object");
	}
	tok = json_string_value(json_object_get(root, "token"));
	if (!tok || !*tok)
		tok = json_string_value(json_object_get(root, "access_token"));
	if (!tok || !*tok) {
		json_decref(root);
		return reg_error(err, EBADMSG, "token server answer holds no token");
	}
	/* as Docker: tokens live at least 60 seconds, whatever expires_in says */
	ttl = json_object_get(root, "expires_in");
	if (ret_ttl)
		*ret_ttl = json_is_integer(ttl) && json_integer_value(ttl) > 60 ? json_integer_value(ttl) : 60;
	*ret_token = xstrdup(tok);
	json_decref(root);
	return 0;
}

char *reg_base64_encode(const void *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	digest_b64_encode(out, data, len);
	return out;
}

char *reg_base64_decode(const char *s, size_t *ret_len)
{
	size_t len = strlen(s), pad = 0;
	unsigned char *out;
	int n;

	if (len % 4 != 0)
		return NULL;
	out = xmalloc(len / 4 * 3 + 1);
	n = digest_b64_decode(out, s, len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	/* libcrypto counts the padding as zero bytes */
	for (size_t i = len; i > 0 && s[i - 1] == '='; i--)
		pad++;
	n -= (int)pad;
	out[n] = '\0';
	if (ret_len)
		*ret_len = (size_t)n;
	return (char *)out;
}

static char *basic_header(const struct img_registry *r)
{
	_cleanup_free_ char *pair = xasprintf("%s:%s", r->user, r->pass);
	_cleanup_free_ char *b64 = reg_base64_encode(pair, strlen(pair));

	explicit_bzero(pair, strlen(pair));
	return xasprintf("Authorization: Basic %s", b64);
}

static char *escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *out;

	if (!e)
		abort();
	out = xstrdup(e);
	curl_free(e);
	return out;
}

static char *token_url(const struct img_registry *r, const char *scope)
{
	struct buf b = {0};
	char sep = strchr(r->realm, '?') ? '&' : '?';

	buf_puts(&b, r->realm);
	if (r->service) {
		_cleanup_free_ char *e = escape(r->service);
		buf_printf(&b, "%cservice=%s", sep, e);
		sep = '&';
	}
	if (scope) {
		_cleanup_free_ char *e = escape(scope);
		buf_printf(&b, "%cscope=%s", sep, e);
		sep = '&';
	}
	if (r->user) {
		_cleanup_free_ char *e = escape(r->user);
		buf_printf(&b, "%caccount=%s", sep, e);
	}
	return buf_steal(&b);
}

/* Docker Hub's token server answers a refusal with {"details": "…"}. */
static char *token_refusal(const struct reg_response *resp)
{
	json_t *root = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	const char *d = json_string_value(json_object_get(root, "details"));
	char *msg = d && *d ? xstrdup(d) : NULL;

	json_decref(root);
	return msg ? msg : reg_error_body_message(resp->body.data, resp->body.len);
}

int reg_token_fetch_locked(struct img_registry *r, const char *scope, const char *verb, char **ret, int64_t *ret_ttl,
			   struct berth_error **err)
{
	struct reg_request req = {.method = "GET", .verb = verb, .body_fd = -1, .out_fd = -1};
	_cleanup_free_ char *url = token_url(r, scope);
	_cleanup_free_ char *auth = r->user ? basic_header(r) : NULL;
	_cleanup_free_ char *msg = NULL;
	struct reg_response resp;
	long status;
	int ret_code;

	req.max_body = REG_TOKEN_BODY_MAX;
	reg_response_init(&resp);
	if (reg_perform(r, &req, url, r->verify, auth, &resp, err) < 0) {
		reg_response_done(&resp);
		return -1;
	}
	if (resp.status == 200) {
		ret_code = reg_token_parse(resp.body.data ? resp.body.data : "", resp.body.len, ret, ret_ttl, err);
		reg_response_done(&resp);
		if (ret_code < 0)
			return berth_error_wrap(err, "%s '%s'", verb, r->host);
		return 0;
	}
	msg = token_refusal(&resp);
	status = resp.status;
	reg_response_done(&resp);
	if ((status == 401 || status == 403) && r->user)
		return reg_error(err, EACCES, "%s '%s': unauthorized: incorrect username or password", verb, r->host);
	if (status == 401 || status == 403)
		return reg_error(err, EACCES, "%s '%s': unauthorized: %s", verb, r->host,
				 msg ? msg : "authentication required");
	return reg_error(err, EIO, "%s '%s': token server '%s' answered HTTP %ld%s%s", verb, r->host, r->realm, status,
			 msg ? ": " : "", msg ? msg : "");
}

static time_t now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The cached token of scope, or a fresh one put in the cache. */
static int bearer_locked(struct img_registry *r, const char *scope, const char *verb, bool fresh, char **ret,
			 struct berth_error **err)
{
	const char *key = scope ? scope : "";
	struct reg_token *t = NULL;
	char *tok = NULL;
	int64_t ttl = 60;

	for (size_t i = 0; i < r->n_tokens; i++)
		if (strcmp(r->tokens[i].scope, key) == 0)
			t = &r->tokens[i];
	if (t && !fresh && t->expires > now_monotonic()) {
		*ret = xasprintf("Authorization: Bearer %s", t->token);
		return 0;
	}
	if (reg_token_fetch_locked(r, scope, verb, &tok, &ttl, err) < 0)
		return -1;
	if (!t) {
		r->tokens = realloc(r->tokens, (r->n_tokens + 1) * sizeof(*r->tokens));
		if (!r->tokens)
			abort();
		t = &r->tokens[r->n_tokens++];
		t->scope = xstrdup(key);
		t->token = NULL;
	}
	free(t->token);
	t->token = tok;
	/* renew a little early rather than send a token that expires in flight */
	t->expires = now_monotonic() + (time_t)ttl - 10;
	*ret = xasprintf("Authorization: Bearer %s", tok);
	return 0;
}

int reg_auth_header(struct img_registry *r, const char *scope, const char *verb, bool fresh, char **ret,
		    bool *ret_basic, struct berth_error **err)
{
	int ret_code = 0;

	*ret = NULL;
	*ret_basic = false;
	pthread_mutex_lock(&r->lock);
	if (r->auth == REG_AUTH_BASIC && r->user) {
		*ret = basic_header(r);
		*ret_basic = true;
	} else if (r->auth == REG_AUTH_BEARER) {
		ret_code = bearer_locked(r, scope, verb, fresh, ret, err);
	}
	pthread_mutex_unlock(&r->lock);
	return ret_code;
}

int img_registry_login(struct img_registry *r, struct berth_error **err)
{
	struct reg_request req = {.method = "GET", .path = "/v2/", .verb = "login to", .body_fd = -1, .out_fd = -1};
	_cleanup_free_ char *tok = NULL;
	struct reg_response resp;
	int ret_code;

	if (!r->user)
		return reg_error(err, EINVAL, "login to '%s': no username and password given", r->host);
	pthread_mutex_lock(&r->lock);
	ret_code = reg_ping_locked(r, "login to", err);
	if (ret_code == 0 && r->auth == REG_AUTH_BEARER) {
		/* the token server judges the credentials; a token without scope is enough */
		ret_code = reg_token_fetch_locked(r, NULL, "login to", &tok, NULL, err);
		pthread_mutex_unlock(&r->lock);
		return ret_code;
	}
	pthread_mutex_unlock(&r->lock);
	if (ret_code < 0)
		return -1;
	if (reg_request_do(r, &req, &resp, err) < 0) {
		reg_response_done(&resp);
		return -1;
	}
	ret_code = resp.status == 200 ? 0 : reg_response_error(r, &req, &resp, err);
	reg_response_done(&resp);
	return ret_code;
}
