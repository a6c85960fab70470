#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job until the engine exists: build a busybox bundle from Debian's
# busybox-static and run it with berth-runtime, showing what is isolated.
# RUNTIME=runc (or crun) runs the same bundle with another runtime.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=${RUNTIME:-$top/build/src/cli/berth-runtime}
BUSYBOX=${BUSYBOX:-/bin/busybox}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: must run as root (try: sudo $0)" >&2
	exit 1
fi
command -v "$RUNTIME" >/dev/null || {
	echo "demo.sh: no runtime '$RUNTIME' (build first: meson setup build && ninja -C build)" >&2
	exit 1
}
[ -x "$BUSYBOX" ] || {
	echo "demo.sh: no '$BUSYBOX' (apt-get install busybox-static)" >&2
	exit 1
}

tmp=$(mktemp -d /tmp/berth-demo-XXXXXX)
id=berth-demo-$$
cleanup()
{
	"$RUNTIME" --root "$tmp/state" delete -f "$id" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# rootfs: busybox and its applet links
rootfs=$tmp/bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$rootfs/bin/busybox"
chroot "$rootfs" /bin/busybox --install -s /bin

# config: the runtime's default spec, no terminal, a script showing isolation
cd "$tmp/bundle"
"$RUNTIME" spec
script='echo "PID of this shell: $$"
echo "hostname: $(hostname)"
echo "processes:"; ps -o pid,user,comm
echo "network interfaces: $(ls /sys/class/net | tr "\n" " ")"
ip link'
jq --arg s "$script" '.process.terminal = false | .process.args = ["sh", "-c", $s] | .hostname = "berth-demo"' \
	config.json >config.json.new
mv config.json.new config.json

echo "host: PID $$, hostname $(hostname), interfaces: $(ls /sys/class/net | tr '\n' ' ')"
echo "--- $(basename "$RUNTIME") --root $tmp/state run $id"
"$RUNTIME" --root "$tmp/state" run "$id" </dev/null
