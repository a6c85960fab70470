/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: sizes, durations and times written as the docker CLI writes them (go-units). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* "4.26MB", "0B", "1.2kB": decimal units, three significant digits (HumanSizeWithPrecision). */
char *eng_human_size(double bytes);
/* "Less than a second", "About a minute", "3 hours", "2 weeks" (HumanDuration). */
char *eng_human_duration(int64_t seconds);
/*
 * Parse an RFC 3339 time ("2023-05-19T20:19:05.12Z", "…+02:00") into unix
 * seconds and nanoseconds. false when s is no such time.
 */
bool eng_time_parse(const char *s, int64_t *ret_sec, int32_t *ret_nsec);
/* Go's time.Time.String() in local time: "2023-05-19 20:19:05 +0000 UTC". */
char *eng_time_go_string(int64_t sec);
/* RFC 3339 with nanoseconds in UTC, as Docker's JSON writes times: "2023-05-19T20:19:05.123456789Z". */
char *eng_time_rfc3339(int64_t sec, int32_t nsec);
/* The current time as eng_time_rfc3339 writes it. */
char *eng_time_rfc3339_now(void);
/* Docker's zero time, "0001-01-01T00:00:00Z". */
#define ENG_TIME_ZERO "0001-01-01T00:00:00Z"
