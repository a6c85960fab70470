# SPDX-License-Identifier: GPL-2.0-or-later
# Fixtures of the networking bats files, on top of engine.bash (which gives
# every test its own default bridge, subnet and nftables table): test
# namespaces and links removed too, even after a failure.
# Traffic goes only between namespaces the test made.
# shellcheck shell=bash

load helpers/engine

net_setup()
{
	engine_setup
	command -v nft >/dev/null || skip "nft not installed"
}

net_teardown()
{
	engine_teardown
	ip netns del "$BT_NS" 2>/dev/null || true
	ip link del "${BT_NS/berthtest-/bto}" 2>/dev/null || true
	ip link del "${BT_NS/berthtest-/btm}" 2>/dev/null || true
}

# An "outside host" for NAT tests: namespace $BT_NS joined to the host by a
# veth pair, 10.250.N.1 on the host side and 10.250.N.2 inside. Prints 10.250.N.2.
outside_host()
{
	local n=$((0x${BT_NS: -2})) hv=${BT_NS/berthtest-/bto}
	ip netns add "$BT_NS"
	ip link add "$hv" type veth peer name eth0 netns "$BT_NS"
	ip addr add "10.250.$n.1/30" dev "$hv"
	ip link set "$hv" up
	ip -n "$BT_NS" addr add "10.250.$n.2/30" dev eth0
	ip -n "$BT_NS" link set eth0 up
	ip -n "$BT_NS" link set lo up
	echo "10.250.$n.2"
}

# Fetch http://HOST:PORT/ from the host (python: no curl on the machine).
http_get()
{
	timeout 10 python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")' "http://$1/"
}

# veths on bridge $1 (0 when none); the kernel removes a container's veth with its
# namespace, in the background: wait_no_veths waits up to 5 s for none.
veths_on() { ip link show master "$1" 2>/dev/null | grep -c veth || true; }
wait_no_veths()
{
	local i
	for i in $(seq 50); do
		[ "$(veths_on "$1")" -eq 0 ] && return 0
		sleep 0.1
	done
	echo "veths left on $1: $(ip -o link show master "$1")"
	return 1
}
