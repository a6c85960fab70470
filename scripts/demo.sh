#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: `berth run` of a container from the built-in busybox image (no
# registry needed), showing what is isolated: the shell is PID 1, ps sees only
# the container, the hostname is the container's, the network has only lo,
# and the rootfs is an overlay of the image's layer. A private state root is
# used and removed afterwards; BERTH_ROOT/BERTH_RUNROOT choose others.
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
cleanup()
{
	"$BERTH" rm -f berth-demo >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

script='echo "PID of this shell: $$"
echo "hostname: $(hostname)"
echo "processes:"; ps -o pid,user,comm
echo "network interfaces: $(ls /sys/class/net | tr "\n" " ")"
echo "root filesystem: $(grep " / " /proc/mounts | cut -d" " -f1-3)"
echo "its own mounts:"; cut -d" " -f1-3 /proc/mounts | head -n 8'

echo "host: PID $$, hostname $(hostname), interfaces: $(ls /sys/class/net | tr '\n' ' ')"
echo "--- berth run --rm --hostname berth-demo busybox sh -c ..."
"$BERTH" run --rm --name berth-demo --hostname berth-demo busybox sh -c "$script" </dev/null
echo "--- berth ps -a (--rm removed it)"
"$BERTH" ps -a
echo "--- berth images"
"$BERTH" images
