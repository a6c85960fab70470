/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scalar value parsers of `berth run`: docker's sizes, Go durations and integers, CPUs, ulimits, devices, restart. */
#include "cli/berth/run_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* Matches ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ as go-units' size regex does. */
int bcli_run_parse_ram(const char *s, int64_t *ret, struct berth_error **err)
{
	static const char units[] = "kmgtp";
	const char *p = s, *num_end, *u;
	_cleanup_free_ char *num = NULL;
	double size;

	do {
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	} while (*p == '.' && isdigit((unsigned char)p[1]) && p++);
	num_end = p;
	if (*p == ' ')
		p++;
	u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
	if (u)
		p++;
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		goto bad;
	num = strndup(s, (size_t)(num_end - s));
	if (strchr(num, '.') != strrchr(num, '.'))
		return berth_error_set(err, 0, "strconv.ParseFloat: parsing \"%s\": invalid syntax", num);
	size = strtod(num, NULL);
	for (const char *k = units; u && k <= u; k++)
		size *= 1024;
	if (size >= 9223372036854775807.0)
		return berth_error_set(err, 0, "invalid size: '%s'", s);
	*ret = (int64_t)size;
	return 0;
bad:
	return berth_error_set(err, 0, "invalid size: '%s'", s);
}

static int64_t duration_unit(const char *u, size_t len)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {{"ns", 1},	      {"us", 1000},	 {"\xc2\xb5s", 1000},  {"\xce\xbcs", 1000},
		     {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == len && strncmp(units[i].name, u, len) == 0)
			return units[i].ns;
	return 0;
}

/* One "<int>[.<frac>]<unit>" element at *p; adds it to *total. */
static int duration_element(const char **p, const char *orig, long double *total, struct berth_error **err)
{
	const char *s = *p, *u;
	long double v = 0, scale = 1;
	bool pre = false, post = false;
	int64_t unit;

	if (*s != '.' && !isdigit((unsigned char)*s))
		return berth_error_set(err, 0, "time: invalid duration \"%s\"", orig);
	for (; isdigit((unsigned char)*s); s++, pre = true)
		v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, post = true)
			v += (*s - '0') / (scale *= 10);
	if (!pre && !post)
		return berth_error_set(err, 0, "time: invalid duration \"%s\"", orig);
	for (u = s; *s && *s != '.' && !isdigit((unsigned char)*s); s++)
		;
	if (s == u)
		return berth_error_set(err, 0, "time: missing unit in duration \"%s\"", orig);
	unit = duration_unit(u, (size_t)(s - u));
	if (!unit)
		return berth_error_set(err, 0, "time: unknown unit \"%.*s\" in duration \"%s\"", (int)(s - u), u, orig);
	*total += v * unit;
	*p = s;
	return 0;
}

int bcli_run_parse_duration(const char *s, int64_t *ret, struct berth_error **err)
{
	const char *p = s;
	long double total = 0;
	bool neg = false;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*ret = 0;
		return 0;
	}
	if (!*p)
		return berth_error_set(err, 0, "time: invalid duration \"%s\"", s);
	while (*p)
		if (duration_element(&p, s, &total, err) < 0)
			return -1;
	if (total > 9223372036854775807.0L)
		return berth_error_set(err, 0, "time: invalid duration \"%s\"", s);
	*ret = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* "[+-]digits[.digits][e[+-]digits]" as mantissa and power of ten; false when not a decimal. */
static bool parse_decimal(const char *s, __int128 *mant, int *exp10)
{
	const char *p = s;
	bool neg = false, digits = false;
	__int128 m = 0;
	int e = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; isdigit((unsigned char)*p); p++, digits = true)
		if (m < ((__int128)1 << 100))
			m = m * 10 + (*p - '0');
		else
			e++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits = true)
			if (m < ((__int128)1 << 100)) {
				m = m * 10 + (*p - '0');
				e--;
			}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		int64_t x;

		if (bcli_run_parse_goint(p + 1, 16, &x, NULL) < 0)
			return false;
		e += (int)x;
		p += strlen(p);
	}
	if (*p)
		return false;
	*mant = neg ? -m : m;
	*exp10 = e;
	return true;
}

int bcli_run_parse_cpus(const char *s, int64_t *ret, struct berth_error **err)
{
	__int128 m = 0, den = 1;
	int e = 0;
	const char *slash = strchr(s, '/');

	if (slash) {
		_cleanup_free_ char *a = strndup(s, (size_t)(slash - s));
		int64_t n, d;

		if (bcli_run_parse_goint(a, 64, &n, NULL) < 0 || bcli_run_parse_goint(slash + 1, 64, &d, NULL) < 0 ||
		    d == 0 || slash[1] == '+' || slash[1] == '-')
			return berth_error_set(err, 0, "failed to parse %s as a rational number", s);
		m = n;
		den = d;
	} else if (!parse_decimal(s, &m, &e) || e > 30 || e < -60) {
		return berth_error_set(err, 0, "failed to parse %s as a rational number", s);
	}
	for (e += 9; e > 0; e--)
		m *= 10;
	for (; e < 0; e++)
		den *= 10;
	if (m % den != 0)
		return berth_error_set(err, 0, "value is too precise");
	m /= den;
	if (m > INT64_MAX || m < INT64_MIN)
		return berth_error_set(err, 0, "value is too precise");
	*ret = (int64_t)m;
	return 0;
}

int bcli_run_parse_goint(const char *s, int bits, int64_t *ret, struct berth_error **err)
{
	const char *p = s + (*s == '+' || *s == '-');
	int64_t lim = bits >= 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1;
	char *end = NULL;
	long long v;

	if (!isdigit((unsigned char)*p))
		return berth_error_set(err, 0, "strconv.ParseInt: parsing \"%s\": invalid syntax", s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return berth_error_set(err, 0, "strconv.ParseInt: parsing \"%s\": invalid syntax", s);
	if (errno == ERANGE || v > lim || v < -lim - 1)
		return berth_error_set(err, 0, "strconv.ParseInt: parsing \"%s\": value out of range", s);
	*ret = v;
	return 0;
}

int bcli_run_parse_gouint(const char *s, int bits, uint64_t *ret, struct berth_error **err)
{
	uint64_t lim = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	char *end = NULL;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return berth_error_set(err, 0, "strconv.ParseUint: parsing \"%s\": invalid syntax", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return berth_error_set(err, 0, "strconv.ParseUint: parsing \"%s\": invalid syntax", s);
	if (errno == ERANGE || v > lim)
		return berth_error_set(err, 0, "strconv.ParseUint: parsing \"%s\": value out of range", s);
	*ret = v;
	return 0;
}

bool bcli_run_ip_valid(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool ulimit_name_known(const char *name, size_t len)
{
	static const char *const names[] = {"as",      "core",	   "cpu",	 "data",   "fsize", "locks",
					    "memlock", "msgqueue", "nice",	 "nofile", "nproc", "rss",
					    "rtprio",  "rttime",   "sigpending", "stack"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
			return true;
	return false;
}

int bcli_run_parse_ulimit(const char *s, json_t **ret, struct berth_error **err)
{
	const char *eq = strchr(s, '='), *colon;
	_cleanup_free_ char *soft_s = NULL;
	int64_t soft, hard;

	if (!eq)
		return berth_error_set(err, 0, "invalid ulimit argument: %s", s);
	if (!ulimit_name_known(s, (size_t)(eq - s)))
		return berth_error_set(err, 0, "invalid ulimit type: %.*s", (int)(eq - s), s);
	colon = strchr(eq + 1, ':');
	if (colon && strchr(colon + 1, ':'))
		return berth_error_set(
			err, 0, "too many limit value arguments - %s, can only have up to two, `soft[:hard]`", eq + 1);
	if (colon && bcli_run_parse_goint(colon + 1, 64, &hard, err) < 0)
		return -1;
	soft_s = colon ? strndup(eq + 1, (size_t)(colon - eq - 1)) : xstrdup(eq + 1);
	if (bcli_run_parse_goint(soft_s, 64, &soft, err) < 0)
		return -1;
	if (!colon)
		hard = soft;
	if (hard != -1 && soft > hard)
		return berth_error_set(err, 0,
				       "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
				       (long long)soft, (long long)hard);
	*ret = json_pack("{s:s%,s:I,s:I}", "Name", s, (size_t)(eq - s), "Soft", (json_int_t)soft, "Hard",
			 (json_int_t)hard);
	return 0;
}

/* r, w, m each at most once, at least one. */
static bool device_mode_valid(const char *mode)
{
	bool seen[3] = {false, false, false};

	if (!*mode || strlen(mode) > 3)
		return false;
	for (const char *c = mode; *c; c++) {
		const char *at = strchr("rwm", *c);

		if (!at || seen[at - "rwm"])
			return false;
		seen[at - "rwm"] = true;
	}
	return true;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

int bcli_run_device_validate(const char *s, struct berth_error **err)
{
	_cleanup_strv_ char **parts = NULL;
	const char *target;
	size_t n = count_char(s, ':') + 1;

	if (n > 3 || *s == ':' || !*s)
		return berth_error_set(err, 0, "bad format for path: %s", s);
	for (const char *p = s, *c; p; p = c ? c + 1 : NULL) {
		c = strchr(p, ':');
		strv_push_take(&parts, c ? strndup(p, (size_t)(c - p)) : xstrdup(p));
	}
	if (n == 3 && !device_mode_valid(parts[2]))
		return berth_error_set(err, 0, "bad mode specified: %s", parts[2]);
	target = n == 1 || (n == 2 && device_mode_valid(parts[1])) ? parts[0] : parts[1];
	if (*target != '/')
		return berth_error_set(err, 0, "%s is not an absolute path", target);
	return 0;
}

int bcli_run_parse_device(const char *s, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *src = NULL, *dst = NULL, *perm = xstrdup("rwm");
	const char *c1, *c2;

	if (bcli_run_device_validate(s, err) < 0)
		return -1;
	c1 = strchr(s, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	src = c1 ? strndup(s, (size_t)(c1 - s)) : xstrdup(s);
	if (c2) {
		free(perm);
		perm = xstrdup(c2 + 1);
		dst = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
	} else if (c1 && device_mode_valid(c1 + 1)) {
		free(perm);
		perm = xstrdup(c1 + 1);
	} else if (c1) {
		dst = xstrdup(c1 + 1);
	}
	*ret = json_pack("{s:s,s:s,s:s}", "PathOnHost", src, "PathInContainer", dst ? dst : src, "CgroupPermissions",
			 perm);
	return 0;
}

int bcli_run_parse_restart(const char *s, json_t **ret, struct berth_error **err)
{
	static const char *const names[] = {"no", "always", "unless-stopped", "on-failure"};
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int64_t count = 0;
	bool known = false;

	if (!*s) {
		*ret = json_pack("{s:s,s:i}", "Name", "", "MaximumRetryCount", 0);
		return 0;
	}
	if (colon && (strchr(colon + 1, ':') || len == 0))
		return berth_error_set(err, 0, "invalid restart policy format");
	if (colon && bcli_run_parse_goint(colon + 1, 32, &count, NULL) < 0)
		return berth_error_set(err, 0, "maximum retry count must be an integer");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		known |= strlen(names[i]) == len && strncmp(names[i], s, len) == 0;
	if (!known)
		return berth_error_set(err, 0,
				       "invalid restart policy: unknown policy '%.*s'; use one of 'no', 'always', "
				       "'on-failure', or 'unless-stopped'",
				       (int)len, s);
	if (count != 0 && strncmp(s, "on-failure", len) != 0)
		return berth_error_set(
			err, 0, "invalid restart policy: maximum retry count can only be used with 'on-failure'");
	if (count < 0)
		return berth_error_set(err, 0, "invalid restart policy: maximum retry count cannot be negative");
	*ret = json_pack("{s:s%,s:I}", "Name", s, len, "MaximumRetryCount", (json_int_t)count);
	return 0;
}

int bcli_run_parse_idmap(const char *s, json_t **ret, struct berth_error **err)
{
	uint64_t v[3];
	const char *p = s;

	for (int i = 0; i < 3; i++) {
		const char *end = i < 2 ? strchr(p, ':') : p + strlen(p);
		_cleanup_free_ char *part = end ? strndup(p, (size_t)(end - p)) : NULL;

		if (!part || bcli_run_parse_gouint(part, 32, &v[i], NULL) < 0)
			return berth_error_set(err, 0, "invalid id mapping '%s': want container_id:host_id:amount", s);
		p = end + 1;
	}
	if (v[2] == 0)
		return berth_error_set(err, 0, "invalid id mapping '%s': amount must be positive", s);
	*ret = json_pack("{s:I,s:I,s:I}", "ContainerID", (json_int_t)v[0], "HostID", (json_int_t)v[1], "Size",
			 (json_int_t)v[2]);
	return 0;
}

/* seccomp=PATH: docker's CLI sends the profile itself, compacted. */
static int seccomp_inline(const char *path, char **ret, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *read_err = NULL;
	_cleanup_free_ char *text = NULL, *compact = NULL;
	json_error_t jerr;
	json_t *j;

	if (fs_read_file_at(AT_FDCWD, path, &text, NULL, &read_err) < 0)
		return berth_error_set(err, 0, "opening seccomp profile (%s) failed: %s", path, read_err->msg);
	j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!j)
		return berth_error_set(err, 0, "compacting json for seccomp profile (%s) failed: %s", path, jerr.text);
	compact = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(j);
	*ret = xasprintf("seccomp=%s", compact);
	return 0;
}

int bcli_run_security_opt(const char *s, char **ret, struct berth_error **err)
{
	const char *sep = strchr(s, '=');
	size_t klen;

	if (!sep && strcmp(s, "no-new-privileges") != 0)
		sep = strchr(s, ':');
	klen = sep ? (size_t)(sep - s) : strlen(s);
	if (strcmp(s, "no-new-privileges") == 0 || (klen == 17 && strncmp(s, "no-new-privileges", 17) == 0)) {
		*ret = xstrdup(s);
		return 0;
	}
	if (!sep || !sep[1])
		return berth_error_set(err, 0, "Invalid --security-opt: \"%s\"", s);
	if (klen == 7 && strncmp(s, "seccomp", 7) == 0 && strcmp(sep + 1, "unconfined") != 0 &&
	    strcmp(sep + 1, "builtin") != 0)
		return seccomp_inline(sep + 1, ret, err);
	*ret = xstrdup(s);
	return 0;
}
