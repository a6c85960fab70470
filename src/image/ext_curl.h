/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: libcurl, loaded on first use (its TLS, HTTP/2, LDAP, SSH and Kerberos dependencies take milliseconds to
 * load). Include this header instead of <curl/curl.h>: the names of the functions berth calls become calls through a
 * table that img_curl_api() fills with dlopen("libcurl.so.4") the first time; a program that never calls them never
 * loads the library. A function berth starts to use must be added to IMG_CURL_SYMS and below.
 */
#pragma once

/* curl.h's type-checking macros would call the functions by name */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#define IMG_CURL_SYMS(X)       \
	X(curl_easy_cleanup)   \
	X(curl_easy_escape)    \
	X(curl_easy_init)      \
	X(curl_easy_perform)   \
	X(curl_easy_reset)     \
	X(curl_easy_setopt)    \
	X(curl_easy_strerror)  \
	X(curl_free)           \
	X(curl_global_init)    \
	X(curl_share_cleanup)  \
	X(curl_share_init)     \
	X(curl_share_setopt)   \
	X(curl_slist_append)   \
	X(curl_slist_free_all) \
	X(curl_url)            \
	X(curl_url_cleanup)    \
	X(curl_url_get)        \
	X(curl_url_set)

/* One pointer per function, of the function's own type. */
struct img_curl_api {
#define IMG_CURL_SLOT(name) __typeof__(name) *name;
	IMG_CURL_SYMS(IMG_CURL_SLOT)
#undef IMG_CURL_SLOT
};

/* The table, loading the library on the first call; exits 125 with a message when it cannot. */
const struct img_curl_api *img_curl_api(void);

#ifndef IMG_CURL_IMPL
#undef curl_easy_cleanup
#define curl_easy_cleanup (img_curl_api()->curl_easy_cleanup)
#undef curl_easy_escape
#define curl_easy_escape (img_curl_api()->curl_easy_escape)
#undef curl_easy_init
#define curl_easy_init (img_curl_api()->curl_easy_init)
#undef curl_easy_perform
#define curl_easy_perform (img_curl_api()->curl_easy_perform)
#undef curl_easy_reset
#define curl_easy_reset (img_curl_api()->curl_easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt (img_curl_api()->curl_easy_setopt)
#undef curl_easy_strerror
#define curl_easy_strerror (img_curl_api()->curl_easy_strerror)
#undef curl_free
#define curl_free (img_curl_api()->curl_free)
#undef curl_global_init
#define curl_global_init (img_curl_api()->curl_global_init)
#undef curl_share_cleanup
#define curl_share_cleanup (img_curl_api()->curl_share_cleanup)
#undef curl_share_init
#define curl_share_init (img_curl_api()->curl_share_init)
#undef curl_share_setopt
#define curl_share_setopt (img_curl_api()->curl_share_setopt)
#undef curl_slist_append
#define curl_slist_append (img_curl_api()->curl_slist_append)
#undef curl_slist_free_all
#define curl_slist_free_all (img_curl_api()->curl_slist_free_all)
#undef curl_url
#define curl_url (img_curl_api()->curl_url)
#undef curl_url_cleanup
#define curl_url_cleanup (img_curl_api()->curl_url_cleanup)
#undef curl_url_get
#define curl_url_get (img_curl_api()->curl_url_get)
#undef curl_url_set
#define curl_url_set (img_curl_api()->curl_url_set)
#endif
