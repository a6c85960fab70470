/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside network/'s IPAM files: addresses as 128-bit integers for arithmetic. */
#pragma once

#include "network/ipam.h"

__extension__ typedef unsigned __int128 net_u128;

/* a as an integer (IPv4 in the low 32 bits). */
net_u128 net_ip_to_u128(const struct net_ip *a);
/* The address of family whose integer is v (IPv4 takes the low 32 bits). */
void net_ip_from_u128(int family, net_u128 v, struct net_ip *ret);
/* The network (first) and last address of p as integers. */
net_u128 net_prefix_first_u128(const struct net_prefix *p);
net_u128 net_prefix_last_u128(const struct net_prefix *p);
/* Set *err (code 0) and then its code to code; returns -1. */
int net_fail_code(struct berth_error **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
