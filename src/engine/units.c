/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes, durations and times as the docker CLI prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/units.h"

char *eng_human_size(double bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	size_t i = 0;

	while (bytes >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1000.0;
		i++;
	}
	return xasprintf("%.3g%s", bytes, units[i]);
}

char *eng_human_duration(int64_t s)
{
	int64_t minutes = s / 60, hours = (s + 1800) / 3600;

	if (s < 1)
		return xstrdup("Less than a second");
	if (s == 1)
		return xstrdup("1 second");
	if (s < 60)
		return xasprintf("%lld seconds", (long long)s);
	if (minutes == 1)
		return xstrdup("About a minute");
	if (minutes < 60)
		return xasprintf("%lld minutes", (long long)minutes);
	if (hours == 1)
		return xstrdup("About an hour");
	if (hours < 48)
		return xasprintf("%lld hours", (long long)hours);
	if (hours < 24 * 7 * 2)
		return xasprintf("%lld days", (long long)(hours / 24));
	if (hours < 24 * 30 * 2)
		return xasprintf("%lld weeks", (long long)(hours / 24 / 7));
	if (hours < 24 * 365 * 2)
		return xasprintf("%lld months", (long long)(hours / 24 / 30));
	return xasprintf("%lld years", (long long)(s / 3600 / 24 / 365));
}

static bool digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return true;
}

static bool expect(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return false;
	(*p)++;
	return true;
}

bool eng_time_parse(const char *s, int64_t *ret_sec, int32_t *ret_nsec)
{
	struct tm tm = {0};
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	int32_t nsec = 0;

	if (!s || !digits(&p, 4, &y) || !expect(&p, "-") || !digits(&p, 2, &mo) || !expect(&p, "-") ||
	    !digits(&p, 2, &d) || !expect(&p, "Tt ") || !digits(&p, 2, &h) || !expect(&p, ":") || !digits(&p, 2, &mi) ||
	    !expect(&p, ":") || !digits(&p, 2, &sec))
		return false;
	if (*p == '.') {
		int scale = 100000000;

		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			nsec += scale > 0 ? (*p - '0') * scale : 0;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh) || !expect(&p, ":") || !digits(&p, 2, &om))
			return false;
	} else
		return false;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ret_sec = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	if (ret_nsec)
		*ret_nsec = nsec;
	return true;
}

char *eng_time_go_string(int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[64];

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	return xstrdup(buf);
}

char *eng_time_rfc3339(int64_t sec, int32_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (nsec) {
		char frac[16];
		size_t n = (size_t)snprintf(frac, sizeof(frac), "%09d", (int)nsec);

		/* Go's RFC3339Nano drops trailing zeros. */
		while (n > 0 && frac[n - 1] == '0')
			frac[--n] = '\0';
		return xasprintf("%s.%sZ", buf, frac);
	}
	return xasprintf("%sZ", buf);
}

char *eng_time_rfc3339_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return eng_time_rfc3339((int64_t)ts.tv_sec, (int32_t)ts.tv_nsec);
}
