/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry session: curl handles sharing connections between threads,
 * the ping that picks the scheme, and one HTTP exchange with auth and retry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/base.h"
#include "image/registry_internal.h"

/* Error bodies are only read for their message. */
#define REG_ERROR_BODY_MAX (64u << 10)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int reg_error(struct berth_error **err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_error_setv(err, 0, fmt, ap);
	va_end(ap);
	if (err && *err)
		(*err)->code = code;
	return -1;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *userp)
{
	struct img_registry *r = userp;

	pthread_mutex_lock(&r->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *userp)
{
	struct img_registry *r = userp;

	pthread_mutex_unlock(&r->share_locks[data]);
}

static char *certs_file(const char *dir, const char *name)
{
	char *p = fs_path_join(dir, name);

	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

struct img_registry *img_registry_new(const char *host, const struct img_registry_opts *opts, struct berth_error **err)
{
	static const struct img_registry_opts defaults = {.tls_verify = true};
	struct img_registry *r;

	if (!opts)
		opts = &defaults;
	if (!host || !*host || strpbrk(host, "/?#@ \t\r\n")) {
		reg_error(err, EINVAL, "invalid registry host '%s'", host ? host : "");
		return NULL;
	}
	if (!opts->user != !opts->password) {
		reg_error(err, EINVAL, "registry '%s': a user needs a password and a password a user", host);
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	r = xcalloc(1, sizeof(*r));
	r->host = xstrdup(host);
	r->endpoint = xstrdup(reg_endpoint(host));
	r->insecure = !opts->tls_verify || reg_host_is_local(r->endpoint);
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->pool_lock, NULL);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&r->share_locks[i], NULL);
	r->share = curl_share_init();
	if (!r->share) {
		img_registry_free(r);
		reg_error(err, ENOMEM, "registry '%s': curl_share_init failed", host);
		return NULL;
	}
	curl_share_setopt(r->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(r->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(r->share, CURLSHOPT_USERDATA, r);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	if (opts->certs_dir) {
		r->ca_file = certs_file(opts->certs_dir, "ca.crt");
		r->client_cert = certs_file(opts->certs_dir, "client.cert");
		r->client_key = certs_file(opts->certs_dir, "client.key");
	}
	if (opts->user) {
		r->user = xstrdup(opts->user);
		r->pass = xstrdup(opts->password);
	} else if (opts->config_dir && img_cred_get(opts->config_dir, host, &r->user, &r->pass, err) < 0) {
		img_registry_free(r);
		return NULL;
	}
	return r;
}

void img_registry_free(struct img_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_pool; i++)
		curl_easy_cleanup(r->pool[i]);
	free(r->pool);
	if (r->share)
		curl_share_cleanup(r->share);
	for (size_t i = 0; i < r->n_tokens; i++) {
		free(r->tokens[i].scope);
		free(r->tokens[i].token);
	}
	free(r->tokens);
	free(r->realm);
	free(r->service);
	free(r->base_url);
	if (r->pass)
		explicit_bzero(r->pass, strlen(r->pass));
	free(r->user);
	free(r->pass);
	free(r->ca_file);
	free(r->client_cert);
	free(r->client_key);
	free(r->endpoint);
	free(r->host);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&r->share_locks[i]);
	pthread_mutex_destroy(&r->pool_lock);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const char *img_registry_host(const struct img_registry *r)
{
	return r->host;
}

const char *img_registry_base_url(struct img_registry *r)
{
	const char *base;

	pthread_mutex_lock(&r->lock);
	base = r->base_url;
	pthread_mutex_unlock(&r->lock);
	return base;
}

CURL *reg_curl_new(struct img_registry *r, bool verify)
{
	CURL *c = NULL;

	pthread_mutex_lock(&r->pool_lock);
	if (r->n_pool > 0)
		c = r->pool[--r->n_pool];
	pthread_mutex_unlock(&r->pool_lock);
	/* a reset keeps the handle's live connections */
	if (c)
		curl_easy_reset(c);
	else
		c = curl_easy_init();
	if (!c)
		abort();
	curl_easy_setopt(c, CURLOPT_SHARE, r->share);
	/* several threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer (under 1 byte/s for 2 minutes) fails instead of hanging */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "berth");
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (r->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
	if (r->client_cert && r->client_key) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, r->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, r->client_key);
	}
	return c;
}

void reg_curl_release(struct img_registry *r, CURL *c)
{
	pthread_mutex_lock(&r->pool_lock);
	r->pool = realloc(r->pool, (r->n_pool + 1) * sizeof(*r->pool));
	if (!r->pool)
		abort();
	r->pool[r->n_pool++] = c;
	pthread_mutex_unlock(&r->pool_lock);
}

const char *reg_curl_message(CURLcode code, const char *errbuf)
{
	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		if (errbuf && *errbuf)
			return errbuf;
		break;
	default:
		break;
	}
	return curl_easy_strerror(code);
}

const char *reg_request_verb(const struct reg_request *req)
{
	if (req->verb)
		return req->verb;
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return "pull from";
	return "push to";
}

/* The state of one perform, shared by the callbacks. */
struct exchange {
	const struct reg_request *req;
	struct reg_response *resp;
	int64_t sent;
};

static void response_reset_headers(struct reg_response *resp)
{
	free(resp->content_type);
	free(resp->docker_digest);
	free(resp->location);
	resp->content_type = resp->docker_digest = resp->location = NULL;
	resp->content_length = -1;
	strv_free(resp->www_auth);
	resp->www_auth = NULL;
}

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
	struct exchange *x = userp;
	struct reg_response *resp = x->resp;
	size_t len = size * n, nlen;
	const char *colon, *v;
	int vlen;

	if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new answer (after 100 Continue or a redirect): forget the last one's headers */
		const char *sp = memchr(line, ' ', len);

		response_reset_headers(resp);
		resp->body.len = 0;
		if (resp->body.data)
			resp->body.data[0] = '\0';
		resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	colon = memchr(line, ':', len);
	if (!colon)
		return len;
	nlen = (size_t)(colon - line);
	for (v = colon + 1; v < line + len && (*v == ' ' || *v == '\t'); v++)
		;
	vlen = (int)(line + len - v);
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
#define IS(name) (nlen == strlen(name) && strncasecmp(line, name, nlen) == 0)
	if (IS("content-type")) {
		free(resp->content_type);
		resp->content_type = strndup(v, (size_t)vlen);
	} else if (IS("docker-content-digest")) {
		free(resp->docker_digest);
		resp->docker_digest = strndup(v, (size_t)vlen);
	} else if (IS("location")) {
		free(resp->location);
		resp->location = strndup(v, (size_t)vlen);
	} else if (IS("content-length")) {
		_cleanup_free_ char *s = strndup(v, (size_t)vlen);
		int64_t cl;

		if (s && parse_int64(s, &cl) == 0 && cl >= 0)
			resp->content_length = cl;
	} else if (IS("www-authenticate")) {
		strv_push_take(&resp->www_auth, strndup(v, (size_t)vlen));
	}
#undef IS
	return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	struct exchange *x = userp;
	const struct reg_request *req = x->req;
	struct reg_response *resp = x->resp;
	size_t len = size * n;
	bool ok = resp->status >= 200 && resp->status < 300;

	if (ok && req->out_fd >= 0) {
		if (req->expected >= 0 && resp->received + (int64_t)len > req->expected) {
			reg_error(&resp->sink_err, EBADMSG, "body longer than the expected %" PRId64 " bytes",
				  req->expected);
			return 0;
		}
		if (fs_write_all(req->out_fd, data, len) < 0) {
			berth_error_set(&resp->sink_err, errno, "write body");
			return 0;
		}
		if (req->out_digest)
			digest_update(req->out_digest, data, len);
		resp->received += (int64_t)len;
		if (req->cb)
			req->cb(resp->received, req->expected >= 0 ? req->expected : resp->content_length,
				req->cb_data);
		return len;
	}
	if (ok && req->max_body && resp->body.len + len > req->max_body) {
		reg_error(&resp->sink_err, EFBIG, "answer larger than %zu bytes", req->max_body);
		return 0;
	}
	if (!ok && resp->body.len + len > REG_ERROR_BODY_MAX)
		return len;
	buf_append(&resp->body, data, len);
	return len;
}

static size_t on_read(char *dst, size_t size, size_t n, void *userp)
{
	struct exchange *x = userp;
	const struct reg_request *req = x->req;
	int64_t total = req->body_fd >= 0 ? req->body_size : (int64_t)req->body_len;
	size_t want = size * n;
	ssize_t got;

	if ((int64_t)want > total - x->sent)
		want = (size_t)(total - x->sent);
	if (want == 0)
		return 0;
	if (req->body_fd < 0) {
		memcpy(dst, (const char *)req->body + x->sent, want);
		got = (ssize_t)want;
	} else {
		do
			got = pread(req->body_fd, dst, want, req->body_off + x->sent);
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			berth_error_set(&x->resp->sink_err, got < 0 ? errno : 0,
					got < 0 ? "read upload" : "upload ends before its %" PRId64 " bytes", total);
			return CURL_READFUNC_ABORT;
		}
	}
	x->sent += got;
	if (req->cb)
		req->cb(x->sent, total, req->cb_data);
	return (size_t)got;
}

static int on_seek(void *userp, curl_off_t offset, int origin)
{
	struct exchange *x = userp;

	if (origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	x->sent = offset;
	return CURL_SEEKFUNC_OK;
}

static void set_method(CURL *c, const struct reg_request *req, struct exchange *x)
{
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, x);
		curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(c, CURLOPT_SEEKDATA, x);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->body_fd >= 0 ? req->body_size : (int64_t)req->body_len));
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	}
}

int reg_perform(struct img_registry *r, const struct reg_request *req, const char *url, bool verify, const char *auth,
		struct reg_response *resp, struct berth_error **err)
{
	struct exchange x = {.req = req, .resp = resp};
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = reg_curl_new(r, verify);
	CURLcode rc;

	for (const char *const *h = req->headers; h && *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	if (auth)
		hdrs = curl_slist_append(hdrs, auth);
	/* no 100-continue round trip: the token was fetched before the upload */
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	/* custom Authorization headers are not sent to other hosts on redirects (curl >= 7.58) */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req->follow ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	set_method(c, req, &x);
	rc = curl_easy_perform(c);
	/* the callbacks' state lives on this stack: no handle may point at it after */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	reg_curl_release(r, c);
	curl_slist_free_all(hdrs);
	if (resp->sink_err)
		return berth_error_move(err, &resp->sink_err);
	if (rc != CURLE_OK)
		return reg_error(err, EIO, "%s '%s': %s", reg_request_verb(req), r->host, reg_curl_message(rc, errbuf));
	return 0;
}

void reg_response_init(struct reg_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->content_length = -1;
}

void reg_response_done(struct reg_response *resp)
{
	response_reset_headers(resp);
	buf_done(&resp->body);
	berth_error_free(&resp->sink_err);
}

int reg_ping_locked(struct img_registry *r, const char *verb, struct berth_error **err)
{
	static const char *const schemes[] = {"https", "http"};
	struct reg_request req = {.method = "GET", .verb = verb, .body_fd = -1, .out_fd = -1};
	size_t n_schemes = r->insecure ? 2 : 1;

	if (r->pinged)
		return 0;
	for (size_t i = 0; i < n_schemes; i++) {
		_cleanup_free_ char *base = xasprintf("%s://%s", schemes[i], r->endpoint);
		_cleanup_free_ char *url = xasprintf("%s/v2/", base);
		_cleanup_error_ struct berth_error *e = NULL;
		struct reg_response resp;
		bool verify = !r->insecure;

		reg_response_init(&resp);
		if (reg_perform(r, &req, url, verify, NULL, &resp, &e) < 0) {
			reg_response_done(&resp);
			/* an insecure registry: https (unverified) first, then plain http */
			if (i + 1 < n_schemes)
				continue;
			return berth_error_move(err, &e);
		}
		if (resp.status != 200 && resp.status != 401) {
			reg_response_done(&resp);
			return reg_error(err, EIO, "%s '%s': GET %s answered HTTP %ld, not a registry", verb, r->host,
					 url, resp.status);
		}
		reg_auth_learn_locked(r, resp.www_auth);
		reg_response_done(&resp);
		r->base_url = TAKE_PTR(base);
		r->verify = verify;
		r->pinged = true;
		return 0;
	}
	return reg_error(err, EIO, "%s '%s': no scheme to try", verb, r->host);
}

int img_registry_ping(struct img_registry *r, struct berth_error **err)
{
	int ret;

	pthread_mutex_lock(&r->lock);
	ret = reg_ping_locked(r, "connect to", err);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

/* After a 401: learn its challenge, forget the token it refused; whether a retry can do better. */
static bool auth_retry(struct img_registry *r, const struct reg_request *req, const struct reg_response *resp)
{
	const char *scope = req->scope ? req->scope : "";
	bool retry;

	pthread_mutex_lock(&r->lock);
	reg_auth_learn_locked(r, resp->www_auth);
	for (size_t i = 0; i < r->n_tokens; i++)
		if (strcmp(r->tokens[i].scope, scope) == 0)
			r->tokens[i].expires = 0;
	retry = r->auth == REG_AUTH_BEARER || (r->auth == REG_AUTH_BASIC && r->user && !resp->sent_basic);
	pthread_mutex_unlock(&r->lock);
	return retry;
}

int reg_request_do(struct img_registry *r, const struct reg_request *req, struct reg_response *resp,
		   struct berth_error **err)
{
	const char *verb = reg_request_verb(req);
	_cleanup_free_ char *url = NULL;
	bool verify;

	reg_response_init(resp);
	pthread_mutex_lock(&r->lock);
	if (reg_ping_locked(r, verb, err) < 0) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	url = req->url ? xstrdup(req->url) : xasprintf("%s%s", r->base_url, req->path);
	verify = r->verify;
	pthread_mutex_unlock(&r->lock);
	for (int attempt = 0;; attempt++) {
		_cleanup_free_ char *auth = NULL;
		bool basic = false;

		if (reg_auth_header(r, req->scope, verb, attempt > 0, &auth, &basic, err) < 0)
			return -1;
		reg_response_done(resp);
		reg_response_init(resp);
		resp->sent_basic = basic;
		if (reg_perform(r, req, url, verify, auth, resp, err) < 0)
			return -1;
		if (resp->status != 401 || attempt > 0 || !auth_retry(r, req, resp))
			return 0;
	}
}

int reg_response_error(struct img_registry *r, const struct reg_request *req, const struct reg_response *resp,
		       struct berth_error **err)
{
	_cleanup_free_ char *msg = reg_error_body_message(resp->body.data, resp->body.len);
	const char *verb = reg_request_verb(req);

	switch (resp->status) {
	case 401:
		if (resp->sent_basic)
			return reg_error(err, EACCES, "%s '%s': unauthorized: incorrect username or password", verb,
					 r->host);
		return reg_error(err, EACCES, "%s '%s': %s", verb, r->host,
				 msg ? msg : "unauthorized: authentication required");
	case 403:
		return reg_error(err, EACCES, "%s '%s': %s", verb, r->host,
				 msg ? msg : "denied: requested access to the resource is denied");
	case 404:
		return reg_error(err, ENOENT, "%s", msg ? msg : "not found");
	default:
		if (msg)
			return reg_error(err, EIO, "%s", msg);
		return reg_error(err, EIO, "%s '%s': %s %s answered HTTP %ld", verb, r->host, req->method,
				 req->path ? req->path : "", resp->status);
	}
}
