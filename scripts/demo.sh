#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: `berth run` of a container from the built-in busybox image (no
# registry needed), showing what is isolated: the shell is PID 1, ps sees only
# the container, the hostname is the container's, the network is its own (lo
# and eth0 on a bridge, an address of its own), and the rootfs is an overlay
# of the image's layer. A private state root and a bridge of the demo's own
# (berthdemo0, 10.88.77.0/24) are used and removed afterwards;
# BERTH_ROOT/BERTH_RUNROOT choose other roots.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$top/build/src/cli/berth}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: must run as root (try: sudo $0)" >&2
	exit 1
fi
[ -x "$BERTH" ] || {
	echo "demo.sh: no berth at '$BERTH' (build first: meson setup build && ninja -C build)" >&2
	exit 1
}

tmp=$(mktemp -d /tmp/berth-demo-XXXXXX)
export BERTH_ROOT=${BERTH_ROOT:-$tmp/root} BERTH_RUNROOT=${BERTH_RUNROOT:-$tmp/run}
export BERTH_CONFIG_FILE=$tmp/berth.json
echo '{"bridge": "berthdemo0", "bip": "10.88.77.1/24"}' >"$BERTH_CONFIG_FILE"
cleanup()
{
	local h=2166136261 i c
	"$BERTH" rm -f berth-demo >/dev/null 2>&1 || true
	# the demo's bridge and its root's nftables table (berth_ + FNV-1a of the root)
	for ((i = 0; i < ${#BERTH_ROOT}; i++)); do
		printf -v c '%d' "'${BERTH_ROOT:i:1}"
		h=$(((h ^ c) * 16777619 & 0xffffffff))
	done
	nft delete table inet "$(printf 'berth_%08x' "$h")" 2>/dev/null || true
	ip link del berthdemo0 2>/dev/null || true
	grep -o " $tmp/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

script='echo "PID of this shell: $$"
echo "hostname: $(hostname)"
echo "processes:"; ps -o pid,user,comm
echo "network interfaces: $(ls /sys/class/net | tr "\n" " ")"
echo "its address: $(ip -4 -o addr show eth0 | awk "{print \$4}"), default route: $(ip route | grep default)"
echo "root filesystem: $(grep " / " /proc/mounts | cut -d" " -f1-3)"
echo "its own mounts:"; cut -d" " -f1-3 /proc/mounts | head -n 8'

echo "host: PID $$, hostname $(hostname), interfaces: $(ls /sys/class/net | tr '\n' ' ')"
echo "--- berth run --rm --hostname berth-demo busybox sh -c ..."
"$BERTH" run --rm --name berth-demo --hostname berth-demo busybox sh -c "$script" </dev/null
echo "--- berth ps -a (--rm removed it)"
"$BERTH" ps -a
echo "--- berth images"
"$BERTH" images
