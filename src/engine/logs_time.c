/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Times of `berth logs`: Docker's --since/--until forms (RFC 3339 variants,
 * unix times, Go durations), RFC 3339 output and the -t line prefix.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "engine/logs.h"

#define NSEC_PER_SEC INT64_C(1000000000)

void eng_log_time_format(char *buf, size_t cap, int64_t time_ns, bool fixed)
{
	int64_t sec = time_ns / NSEC_PER_SEC, nsec = time_ns % NSEC_PER_SEC;
	time_t t;
	struct tm tm;
	char frac[16] = "";
	size_t n;

	if (nsec < 0) {
		sec--;
		nsec += NSEC_PER_SEC;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	if (fixed || nsec) {
		n = (size_t)snprintf(frac, sizeof(frac), ".%09lld", (long long)nsec);
		/* Go's RFC3339Nano drops trailing zeros, and the dot with them. */
		while (!fixed && n > 1 && frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, frac);
}

void eng_log_format_line(struct buf *out, int64_t time_ns, bool timestamps, const char *text, size_t len)
{
	if (timestamps) {
		char ts[64];

		eng_log_time_format(ts, sizeof(ts), time_ns, true);
		buf_puts(out, ts);
		buf_append(out, " ", 1);
	}
	buf_append(out, text, len);
}

static size_t count_dots(const char *s, const char *end)
{
	size_t n = 0;

	for (; s < end; s++)
		n += *s == '.';
	return n;
}

/* Go's time.ParseDuration: "1h30m", "1.5s", "-10m", "300ms"; false when s is none. */
static bool parse_go_duration(const char *s, int64_t *ret_ns)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {
		{"ns", 1},	     {"us", 1000},	  {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
		{"\xce\xbcs", 1000},					       /* U+03BC Greek mu */
		{"ms", 1000000},     {"s", NSEC_PER_SEC}, {"m", 60 * NSEC_PER_SEC}, {"h", 3600 * NSEC_PER_SEC},
	};
	const char *p = s;
	bool neg = false;
	long double total = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*ret_ns = 0;
		return true;
	}
	if (!*p)
		return false;
	while (*p) {
		const char *start = p, *unit;
		long double v;
		size_t ulen = 0, i;
		char *end;

		while ((*p >= '0' && *p <= '9') || *p == '.')
			p++;
		/* Digits on at least one side of one optional dot. */
		if (p == start || (p - start == 1 && *start == '.') || count_dots(start, p) > 1)
			return false;
		v = strtold(start, &end);
		unit = p;
		while (*p && !((*p >= '0' && *p <= '9') || *p == '.'))
			p++;
		ulen = (size_t)(p - unit);
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ulen && memcmp(units[i].name, unit, ulen) == 0)
				break;
		if (end != unit || i == sizeof(units) / sizeof(units[0]))
			return false;
		total += v * (long double)units[i].ns;
	}
	if (total > (long double)INT64_MAX)
		return false;
	*ret_ns = neg ? -(int64_t)total : (int64_t)total;
	return true;
}

/* Docker's message as is (no strerror suffix), with code EINVAL. */
static int __attribute__((format(printf, 2, 3))) fail(struct berth_error **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	berth_error_setv(err, 0, fmt, ap);
	va_end(ap);
	if (err && *err)
		(*err)->code = EINVAL;
	return -1;
}

/* A time parse failure worded as Go's time.ParseError. */
struct tparse {
	const char *value, *layout, *p;
	struct berth_error **err;
};

static int tp_syntax(struct tparse *t, const char *elem)
{
	return fail(t->err, "parsing time \"%s\" as \"%s\": cannot parse \"%s\" as \"%s\"", t->value, t->layout, t->p,
		    elem);
}

static int tp_range(struct tparse *t, const char *what)
{
	return fail(t->err, "parsing time \"%s\": %s out of range", t->value, what);
}

static int tp_digits(struct tparse *t, int n, const char *elem, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return tp_syntax(t, elem);
		v = v * 10 + (t->p[i] - '0');
	}
	t->p += n;
	*ret = v;
	return 0;
}

static int tp_char(struct tparse *t, char c, const char *elem)
{
	if (*t->p != c)
		return tp_syntax(t, elem);
	t->p++;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * Parse value by Docker's chosen layout: a date, then `fields` of hour,
 * minute and second (0-3), a fraction after the seconds, then a zone ("Z",
 * "±hh:mm") when zoned, else the offset local_off.
 */
static int tp_parse(struct tparse *t, int fields, bool zoned, long local_off, int64_t *ret_ns)
{
	struct tm tm = {0};
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, oh = 0, om = 0;
	int64_t nsec = 0, off = local_off;

	if (tp_digits(t, 4, "2006", &y) < 0 || tp_char(t, '-', "-") < 0 || tp_digits(t, 2, "01", &mo) < 0 ||
	    tp_char(t, '-', "-") < 0 || tp_digits(t, 2, "02", &d) < 0)
		return -1;
	if (fields >= 1 && (tp_char(t, 'T', "T") < 0 || tp_digits(t, 2, "15", &h) < 0))
		return -1;
	if (fields >= 2 && (tp_char(t, ':', ":") < 0 || tp_digits(t, 2, "04", &mi) < 0))
		return -1;
	if (fields >= 3 && (tp_char(t, ':', ":") < 0 || tp_digits(t, 2, "05", &s) < 0))
		return -1;
	if (fields >= 3 && *t->p == '.' && t->p[1] >= '0' && t->p[1] <= '9') {
		int64_t scale = NSEC_PER_SEC / 10;

		for (t->p++; *t->p >= '0' && *t->p <= '9'; t->p++, scale /= 10)
			nsec += (*t->p - '0') * scale;
	}
	if (zoned && *t->p == 'Z') {
		off = 0;
		t->p++;
	} else if (zoned) {
		const char *z = t->p;
		int sign = *t->p == '-' ? -1 : 1;

		t->p++;
		if ((*z != '+' && *z != '-') || tp_digits(t, 2, "07", &oh) < 0 || tp_char(t, ':', ":") < 0 ||
		    tp_digits(t, 2, "00", &om) < 0) {
			t->p = z;
			return tp_syntax(t, "Z07:00");
		}
		off = sign * (oh * 3600 + om * 60);
	}
	if (*t->p)
		return fail(t->err, "parsing time \"%s\": extra text: \"%s\"", t->value, t->p);
	if (mo < 1 || mo > 12)
		return tp_range(t, "month");
	if (d < 1 || d > days_in_month(y, mo))
		return tp_range(t, "day");
	if (h > 23)
		return tp_range(t, "hour");
	if (mi > 59)
		return tp_range(t, "minute");
	if (s > 59)
		return tp_range(t, "second");
	if (oh > 24 || om > 59)
		return tp_range(t, "time zone offset");
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	*ret_ns = ((int64_t)timegm(&tm) - off) * NSEC_PER_SEC + nsec;
	return 0;
}

/* Docker's layouts by [local][fields]. */
static const char *const layouts[2][4] = {
	{"2006-01-02Z07:00", "2006-01-02T15Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"},
	{"2006-01-02", "2006-01-02T15", "2006-01-02T15:04", "2006-01-02T15:04:05"},
};

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* "1700000000" or "1700000000.5": Docker's parseTimestamp. */
static bool parse_unix(const char *s, int64_t *ret_ns)
{
	_cleanup_free_ char *sec_s = xstrdup(s);
	char *dot = strchr(sec_s, '.');
	int64_t sec, nsec = 0;

	if (dot)
		*dot = '\0';
	if (parse_int64(sec_s, &sec) < 0 || sec > INT64_MAX / NSEC_PER_SEC || sec < INT64_MIN / NSEC_PER_SEC)
		return false;
	if (dot) {
		int64_t n;
		size_t digits = strlen(dot + 1);

		if (parse_int64(dot + 1, &n) < 0)
			return false;
		/* "should already be in nanoseconds": scaled by 10^(9 - digits), as Docker. */
		for (size_t i = digits; i < 9; i++)
			n *= 10;
		for (size_t i = 9; i < digits; i++)
			n /= 10;
		nsec = n;
	}
	*ret_ns = sec * NSEC_PER_SEC + nsec;
	return true;
}

int eng_log_time_parse(const char *s, int64_t now_ns, int64_t *ret_ns, struct berth_error **err)
{
	struct tparse t = {.value = s, .p = s, .err = err};
	struct berth_error *perr = NULL;
	bool local = !(strpbrk(s, "zZ+") || count_char(s, '-') == 3);
	size_t colons = count_char(s, ':');
	int64_t d, ns;
	int fields;
	time_t now = (time_t)(now_ns / NSEC_PER_SEC);
	struct tm ltm;

	if (strcmp(s, "0") != 0 && parse_go_duration(s, &d)) {
		/* Docker sends whole seconds: reference.Add(-d).Unix(). */
		ns = now_ns - d;
		*ret_ns = (ns / NSEC_PER_SEC - (ns % NSEC_PER_SEC < 0)) * NSEC_PER_SEC;
		return 0;
	}
	if (!local && !strpbrk(s, "zZ") && colons > 0)
		colons--; /* the zone offset's colon */
	if (strchr(s, '.'))
		fields = 3;
	else if (strchr(s, 'T'))
		fields = colons == 0 ? 1 : colons == 1 ? 2 : 3;
	else
		fields = 0;
	t.layout = strchr(s, '.') ? (local ? "2006-01-02T15:04:05.999999999" : "2006-01-02T15:04:05.999999999Z07:00")
				  : layouts[local][fields];
	localtime_r(&now, &ltm);
	t.err = &perr;
	if (tp_parse(&t, fields, !local, ltm.tm_gmtoff, ret_ns) == 0)
		return 0;
	/* With a '-' it was meant as a date: its parse error is the answer. */
	if (strchr(s, '-'))
		return berth_error_move(err, &perr);
	berth_error_free(&perr);
	if (parse_unix(s, ret_ns))
		return 0;
	return fail(err, "failed to parse value as time or duration: \"%s\"", s);
}
