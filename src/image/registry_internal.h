/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: what the registry client's files share: the session, one HTTP
 * exchange with auth and retry, and the pure parsers the unit tests call.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "image/ext_curl.h"
#include "image/registry.h"

enum reg_auth_kind {
	REG_AUTH_NONE,
	REG_AUTH_BASIC,
	REG_AUTH_BEARER,
};

/* One challenge of a WWW-Authenticate header; params NULL when absent. */
struct reg_challenge {
	char *scheme; /* lower case: "bearer", "basic", … */
	char *realm;
	char *service;
	char *scope;
	char *error;
};

struct reg_token {
	char *scope; /* "" for a token without scope */
	char *token;
	time_t expires; /* CLOCK_MONOTONIC seconds */
};

struct img_registry {
	char *host;	/* as given, for messages and credentials */
	char *endpoint; /* host[:port] connected to */
	bool insecure;	/* http fallback and no verification allowed */
	char *user, *pass;
	char *ca_file, *client_cert, *client_key;
	CURLSH *share; /* DNS and TLS sessions (curl does not share connections across threads) */
	pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_lock; /* guards the idle handles, which keep their connections */
	CURL **pool;
	size_t n_pool;
	pthread_mutex_t lock; /* guards everything below */
	bool pinged;
	char *base_url; /* "https://host" */
	bool verify;	/* verify peers on base_url */
	enum reg_auth_kind auth;
	char *realm, *service;
	struct reg_token *tokens;
	size_t n_tokens;
};

/* One exchange: what to send and where a successful body goes. */
struct reg_request {
	const char *method; /* GET, HEAD, PUT, POST */
	const char *url;    /* absolute URL, or NULL to use path */
	const char *path;   /* "/v2/…", joined to the base URL */
	const char *scope;  /* token scope, "repository:NAME:pull", or NULL */
	const char *verb;   /* error prefix, "pull from"; NULL: from the method */
	const char *const *headers;
	const void *body; /* PUT body in memory, or … */
	size_t body_len;
	int body_fd; /* … from this fd (-1: none), pread from body_off */
	off_t body_off;
	int64_t body_size;
	bool follow;	  /* follow redirects */
	int out_fd;	  /* a 2xx body streams here (-1: into the response buffer) */
	size_t max_body;  /* cap of a buffered 2xx body */
	int64_t expected; /* exact 2xx body size into out_fd, -1 unknown */
	struct digest_ctx *out_digest;
	img_registry_progress_fn cb;
	void *cb_data;
};

struct reg_response {
	long status;
	struct buf body; /* buffered body (error bodies capped at 64 KiB) */
	char *content_type, *docker_digest, *location;
	int64_t content_length; /* -1 when not sent */
	char **www_auth;
	int64_t received;	      /* bytes that went to out_fd */
	bool sent_basic;	      /* Basic credentials went with the request */
	struct berth_error *sink_err; /* why a callback stopped the transfer */
};

/* Set an error without strerror, then give it code. Returns -1. */
int reg_error(struct berth_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An idle or new curl handle with the session's common options (share, TLS, timeouts). */
CURL *reg_curl_new(struct img_registry *r, bool verify);
/* Give a handle back to the session's idle pool, its connection kept alive. */
void reg_curl_release(struct img_registry *r, CURL *c);
/* Error text for a failed perform: curl's detail for TLS problems, else its short message. */
const char *reg_curl_message(CURLcode code, const char *errbuf);
/* "pull from" for GET/HEAD, "push to" otherwise, or req->verb. */
const char *reg_request_verb(const struct reg_request *req);

/* One perform of req at url with an optional Authorization line, into an initialised resp; 0 when any answer came. */
int reg_perform(struct img_registry *r, const struct reg_request *req, const char *url, bool verify, const char *auth,
		struct reg_response *resp, struct berth_error **err);
/* Ping once per session (the caller holds r->lock). */
int reg_ping_locked(struct img_registry *r, const char *verb, struct berth_error **err);
/*
 * Do one exchange with auth: a cached or fresh token (Bearer) or Basic
 * credentials go along, and a 401 is retried once after learning its
 * challenge. Returns 0 whenever an HTTP answer came (any status), -1 with err
 * on network and callback failures. resp is initialised here; free it with
 * reg_response_done also after failure.
 */
int reg_request_do(struct img_registry *r, const struct reg_request *req, struct reg_response *resp,
		   struct berth_error **err);
void reg_response_init(struct reg_response *resp);
void reg_response_done(struct reg_response *resp);
/* The error for an unexpected answer (401/403 name the host; registry bodies as "code: message"). */
int reg_response_error(struct img_registry *r, const struct reg_request *req, const struct reg_response *resp,
		       struct berth_error **err);

/* Auth (registry_auth.c). */
int reg_challenges_parse(const char *header, struct reg_challenge **ret, size_t *ret_n);
void reg_challenges_free(struct reg_challenge *c, size_t n);
/* Learn r's auth kind, realm and service from WWW-Authenticate values (caller holds r->lock). */
void reg_auth_learn_locked(struct img_registry *r, char *const *www_auth);
/* The token of a token server's JSON answer ("token", else "access_token"); *ret_ttl in seconds. */
int reg_token_parse(const char *json, size_t len, char **ret_token, int64_t *ret_ttl, struct berth_error **err);
/*
 * The Authorization header line for a request with scope, fetching a token
 * when needed; *ret NULL when none applies. *ret_basic tells whether it
 * carries Basic credentials. Takes r->lock.
 */
int reg_auth_header(struct img_registry *r, const char *scope, const char *verb, bool fresh, char **ret,
		    bool *ret_basic, struct berth_error **err);
/*
 * Fetch a token for scope (NULL: none) with the session's credentials; caller
 * holds r->lock. *ret_ttl (may be NULL) gets its lifetime in seconds.
 */
int reg_token_fetch_locked(struct img_registry *r, const char *scope, const char *verb, char **ret, int64_t *ret_ttl,
			   struct berth_error **err);
/* base64 of data (caller frees); decode returns NULL on invalid input, *ret_len without padding. */
char *reg_base64_encode(const void *data, size_t len);
char *reg_base64_decode(const char *s, size_t *ret_len);

/* Pure helpers (registry_client.c). */
/* Docker treats these as insecure registries by default: localhost, 127.0.0.0/8, ::1 (any port). */
bool reg_host_is_local(const char *host);
/* The host to connect to: Docker Hub's names become registry-1.docker.io. */
const char *reg_endpoint(const char *host);
/* "/v2/REPO/KIND/REF" after checking repo and ref hold only name characters; NULL with err otherwise. */
char *reg_path(const char *repo, const char *kind, const char *ref, struct berth_error **err);
/* "code: message" of a registry error body, several joined by "; "; NULL when it holds none. */
char *reg_error_body_message(const char *body, size_t len);
/* A Location header resolved against the URL it answered; NULL when invalid. */
char *reg_url_resolve(const char *base, const char *location);
/* url with "name=value" added to its query (value escaped); NULL when invalid. */
char *reg_url_add_query(const char *url, const char *name, const char *value);
