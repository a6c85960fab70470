#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install everything berth's build, checks and tests need on Debian 12.
# Idempotent and quiet: does nothing when every package is already there.
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc libc6-dev clang libclang-rt-14-dev
	clang-format git
	# libraries
	libjansson-dev libcap-dev libseccomp-dev libssl-dev libarchive-dev
	libcurl4-openssl-dev libsqlite3-dev libsystemd-dev libmnl-dev libnftables-dev
	# tests
	libcmocka-dev bats busybox-static jq python3 iproute2 util-linux procps
	psmisc coreutils findutils sqlite3
	# bench/: peak RSS from /usr/bin/time -v
	time
	# peers, for compatibility tests and bench/
	runc crun
	# real callers of the runtime (tests/integration/{containerd,podman}.bats):
	# containerd and its runc shim; Podman with conmon, its config and CNI
	# plugins; umoci and skopeo make the local busybox image (no registry)
	containerd podman conmon golang-github-containers-common
	containernetworking-plugins catatonit uidmap skopeo umoci
	# images: a real registry for pull/push tests (htpasswd from apache2-utils)
	docker-registry apache2-utils zstd
	# networking: nft (tests read rule sets), the DNS resolver, bench/net
	nftables dnsmasq-base iperf3
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: must run as root (try: sudo $0)" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps.sh: all ${#packages[@]} packages present"
	exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
echo "install-deps.sh: done"
