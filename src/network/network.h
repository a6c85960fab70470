/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network/: the facade. Netlink (links, addresses, routes, bridge, veth), IPAM
 * and address pools, nftables rule plans, name resolution. Handed netns paths
 * and ids, never a container (DESIGN.md).
 */
#ifndef BERTH_NETWORK_NETWORK_H
#define BERTH_NETWORK_NETWORK_H

#include "network/dns.h"
#include "network/ipam.h"
#include "network/netlink.h"
#include "network/nft.h"

#endif
