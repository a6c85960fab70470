/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-string, range-checked parsing of numbers, sizes, modes and signal names. */
#include "base/parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Only an optional sign then digits: strto* would also take spaces, "0x" or a '-' for unsigned. */
static int check_digits(const char *s, bool allow_sign)
{
	if (!s)
		goto inval;
	if (allow_sign && (*s == '-' || *s == '+'))
		s++;
	if (!isdigit((unsigned char)*s))
		goto inval;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s)
		goto inval;
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

int parse_int64(const char *s, int64_t *ret)
{
	long long v;

	if (check_digits(s, true) < 0)
		return -1;
	errno = 0;
	v = strtoll(s, NULL, 10);
	if (errno)
		return -1;
	*ret = (int64_t)v;
	return 0;
}

int parse_uint64(const char *s, uint64_t *ret)
{
	unsigned long long v;

	if (s && *s == '+')
		s++;
	if (check_digits(s, false) < 0)
		return -1;
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno)
		return -1;
	*ret = (uint64_t)v;
	return 0;
}

int parse_int(const char *s, int *ret)
{
	int64_t v;

	if (parse_int64(s, &v) < 0)
		return -1;
	if (v < INT_MIN || v > INT_MAX) {
		errno = ERANGE;
		return -1;
	}
	*ret = (int)v;
	return 0;
}

static int unit_shift(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k':
		return 10;
	case 'm':
		return 20;
	case 'g':
		return 30;
	case 't':
		return 40;
	case 'p':
		return 50;
	default:
		return -1;
	}
}

/*
 * As docker's RAMInBytes: digits, an optional fraction, an optional space,
 * then b, or k/m/g/t/p optionally followed by i and/or b ("64k", "1.5GiB").
 */
int parse_size(const char *s, uint64_t *ret)
{
	unsigned __int128 whole = 0, frac = 0, scale = 1, v;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		goto inval;
	for (; isdigit((unsigned char)*s); s++) {
		whole = whole * 10 + (unsigned)(*s - '0');
		if (whole > UINT64_MAX)
			goto range;
	}
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			goto inval;
		/* digits past 18 cannot change the byte count of any unit up to p */
		for (int n = 0; isdigit((unsigned char)*s); s++, n++)
			if (n < 18) {
				frac = frac * 10 + (unsigned)(*s - '0');
				scale *= 10;
			}
	}
	/* one space, only before a unit */
	if (*s == ' ' && s[1] && s[1] != ' ')
		s++;
	if (*s && unit_shift(*s) >= 0) {
		shift = unit_shift(*s++);
		if (*s == 'i' || *s == 'I')
			s++;
	}
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s)
		goto inval;
	v = (whole << shift) + ((frac << shift) / scale);
	if (v > UINT64_MAX)
		goto range;
	*ret = (uint64_t)v;
	return 0;
inval:
	errno = EINVAL;
	return -1;
range:
	errno = ERANGE;
	return -1;
}

int parse_mode(const char *s, unsigned *ret)
{
	unsigned v = 0;

	if (!s || !*s) {
		errno = EINVAL;
		return -1;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '7') {
			errno = EINVAL;
			return -1;
		}
		v = v * 8 + (unsigned)(*s - '0');
		if (v > 07777) {
			errno = ERANGE;
			return -1;
		}
	}
	*ret = v;
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},	  {"QUIT", SIGQUIT},   {"ILL", SIGILL},	  {"TRAP", SIGTRAP},
	{"ABRT", SIGABRT},     {"BUS", SIGBUS},	  {"FPE", SIGFPE},     {"KILL", SIGKILL}, {"USR1", SIGUSR1},
	{"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
	{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},	  {"PWR", SIGPWR},
	{"SYS", SIGSYS}, /* aliases after the canonical names */
	{"IOT", SIGIOT},       {"CLD", SIGCHLD},  {"POLL", SIGPOLL},
};

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N" (glibc's SIGRTMIN, 34: the two below are libc's). */
static int parse_rt(const char *s)
{
	int base, sign, off = 0, sig;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = '+';
	} else if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = '-';
	} else {
		return -1;
	}
	s += 5;
	if (*s) {
		if (*s != sign || parse_int(s + 1, &off) < 0 || s[1] == '+' || s[1] == '-')
			return -1;
	}
	sig = sign == '+' ? base + off : base - off;
	return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
}

int parse_signal(const char *s)
{
	int sig;

	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)*s)) {
		if (parse_int(s, &sig) < 0 || sig < 1 || sig > SIGRTMAX)
			return -1;
		return sig;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return parse_rt(s);
}

const char *signal_name(int sig)
{
	static const char *const rtmin[] = {"RTMIN",	"RTMIN+1",  "RTMIN+2",	"RTMIN+3", "RTMIN+4",  "RTMIN+5",
					    "RTMIN+6",	"RTMIN+7",  "RTMIN+8",	"RTMIN+9", "RTMIN+10", "RTMIN+11",
					    "RTMIN+12", "RTMIN+13", "RTMIN+14", "RTMIN+15"};
	static const char *const rtmax[] = {"RTMAX",	"RTMAX-1",  "RTMAX-2",	"RTMAX-3", "RTMAX-4",  "RTMAX-5",
					    "RTMAX-6",	"RTMAX-7",  "RTMAX-8",	"RTMAX-9", "RTMAX-10", "RTMAX-11",
					    "RTMAX-12", "RTMAX-13", "RTMAX-14", "RTMAX-15"};

	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	/* as kill -l: RTMIN..RTMIN+15, then RTMAX-14..RTMAX */
	if (sig >= SIGRTMIN && sig - SIGRTMIN <= 15)
		return rtmin[sig - SIGRTMIN];
	if (sig > SIGRTMIN && sig <= SIGRTMAX && SIGRTMAX - sig <= 15)
		return rtmax[SIGRTMAX - sig];
	return NULL;
}
