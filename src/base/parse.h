/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Safe number and size parsing: whole-string, range-checked. */
#pragma once

#include <stdint.h>

struct berth_error;

int parse_int(const char *s, int *ret);		/* decimal; -1 with errno EINVAL/ERANGE */
int parse_uint64(const char *s, uint64_t *ret); /* decimal */
int parse_int64(const char *s, int64_t *ret);
/* "123", "64k", "10m", "1g" (binary units, case-insensitive, optional trailing b). */
int parse_size(const char *s, uint64_t *ret);
/* Octal mode "0755" or "755". */
int parse_mode(const char *s, unsigned *ret);
/* Signal "KILL", "SIGKILL", "9", "SIGRTMIN+3"; -1 when unknown. */
int parse_signal(const char *s);
/* Name of a signal without "SIG", or NULL. */
const char *signal_name(int sig);
