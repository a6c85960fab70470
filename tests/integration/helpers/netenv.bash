# SPDX-License-Identifier: GPL-2.0-or-later
# Every bats test that runs containers gets its own default bridge (bt + 6
# hex, a 10.x.y.0/24) through a private berth.json, and its root its own
# nftables table (berth_ + a hash of the root): nothing of the host's is
# touched and no two tests meet. berth_test_net_cleanup removes the test's
# user networks, its bridge and its table (last thing in a teardown: removing
# containers rebuilds the table).
# shellcheck shell=bash

# The nftables table of a root: berth_ + FNV-1a of the root path (engine/netwire_rules.c).
nft_table_of()
{
	local s=$1 h=2166136261 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 16777619 & 0xffffffff))
	done
	printf 'berth_%08x' "$h"
}

# After BERTH_ROOT is set.
berth_test_net_env()
{
	local r
	r=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	export BT_BRIDGE=bt$r
	export BT_NET=10.$((0x${r:0:2} % 200 + 20)).$((0x${r:2:2}))
	export BT_SUBNET=$BT_NET.0/24 BT_GW=$BT_NET.1 BT_NS=berthtest-$r
	export BERTH_CONFIG_FILE=$BATS_TEST_TMPDIR/berth.json
	printf '{"bridge": "%s", "bip": "%s.1/24"}\n' "$BT_BRIDGE" "$BT_NET" >"$BERTH_CONFIG_FILE"
	export BT_TABLE
	BT_TABLE=$(nft_table_of "$BERTH_ROOT")
}

berth_test_net_cleanup()
{
	local nets l
	if [ -n "${BERTH_ROOT:-}" ] && [ -e "$BERTH_ROOT/berth.db" ]; then
		nets=$("$BERTH" network ls -q --filter type=custom 2>/dev/null) || true
		[ -z "$nets" ] || "$BERTH" network rm $nets >/dev/null 2>&1 || true
	fi
	[ -z "${BT_BRIDGE:-}" ] || ip link del "$BT_BRIDGE" 2>/dev/null || true
	[ -z "${BT_TABLE:-}" ] || nft delete table inet "$BT_TABLE" 2>/dev/null || true
	# a test that switched to another root (BERTH_ROOT=.../root2) has that root's table too
	for l in "${BERTH_ROOT:-}" "$BATS_TEST_TMPDIR/root2"; do
		[ -z "$l" ] || nft delete table inet "$(nft_table_of "$l")" 2>/dev/null || true
	done
	return 0
}
