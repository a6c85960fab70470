/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for berth.json (network/'s net_config_parse), then the
 * prefixes it yields through the pool picker and the subnet validator.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/base.h"
#include "network/network.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error *err = NULL;
	struct net_config c;
	struct net_prefix p;

	if (net_config_parse((const char *)data, size, "berth.json", &c, &err) == 0) {
		struct net_taken taken[] = {{c.bip, "bip"}, {c.fixed_cidr, "fixed-cidr"}};

		if (net_pool_pick(c.pools, c.n_pools, AF_INET, taken, 2, &p, &err) == 0)
			net_subnet_check_clash(&p, taken, 2, &err);
		berth_error_free(&err);
		if (net_pool_pick(c.pools, c.n_pools, AF_INET6, taken, 2, &p, &err) == 0)
			net_subnet_check_clash(&p, taken, 2, &err);
	}
	berth_error_free(&err);
	net_config_done(&c);
	return 0;
}
