#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Networking with real traffic, only between namespaces the test made and
# over loopback: the default bridge (addresses, routes, container to
# container), published ports (-p, -P, 127.0.0.1, another container,
# hairpin, a taken port), user networks (custom subnets, isolation,
# --internal), outbound NAT to a test "outside host", and cleanup.

bats_require_minimum_version 1.5.0

load helpers/net

setup() { net_setup; }

teardown() { net_teardown; }

# an HTTP GET from inside a container: busybox's nc (its static wget crashes resolving)
GET='printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3'
WEB='mkdir -p /www && echo hello-from-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www'

@test "default bridge: an address from the subnet, eth0, a default route, the MAC from the address, /etc/hosts" {
	b run -d --name berth-test-a busybox sleep 100
	run b inspect --format '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.MacAddress}}' berth-test-a
	[ "$status" -eq 0 ]
	expect "^$BT_NET\\.2 $BT_GW 24 02:42:0a:[0-9a-f]{2}:[0-9a-f]{2}:02$"
	run b exec berth-test-a ip -4 addr show eth0
	expect "inet $BT_NET\\.2/24"
	run b exec berth-test-a ip route
	expect "default via $BT_GW dev eth0"
	run b exec berth-test-a cat /etc/hosts
	expect "$BT_NET\\.2"$'\t'"[0-9a-f]{12}"
	# the host side: the bridge with the gateway, a veth enslaved to it
	run ip -4 addr show "$BT_BRIDGE"
	expect "inet $BT_GW/24"
	run ip link show master "$BT_BRIDGE"
	expect 'veth[0-9a-f]{7}'
}

@test "default bridge: containers reach each other by address; none of it is left after rm" {
	b run -d --name berth-test-a busybox sleep 100
	b run -d --name berth-test-b busybox sleep 100
	local ip
	ip=$(b inspect --format '{{.NetworkSettings.IPAddress}}' berth-test-a)
	run b exec berth-test-b ping -c 1 -W 2 "$ip"
	[ "$status" -eq 0 ]
	b rm -f berth-test-a berth-test-b
	wait_no_veths "$BT_BRIDGE"
	run ls "$BERTH_RUNROOT/netns"
	[ -z "$output" ]
	# the address is free again
	b run -d --name berth-test-c busybox sleep 100
	run b inspect --format '{{.NetworkSettings.IPAddress}}' berth-test-c
	[ "$output" = "$BT_NET.2" ]
}

@test "-p: a published port from the host at 127.0.0.1 and at the gateway, and from another container" {
	b run -d --name berth-test-web -p 127.0.0.1:18080:80 -p 18081:80 busybox sh -c "$WEB"
	sleep 0.5
	run http_get 127.0.0.1:18080
	[ "$status" -eq 0 ]
	expect 'hello-from-'
	run http_get "$BT_GW:18081"
	expect 'hello-from-'
	run b port berth-test-web
	expect '80/tcp -> 127.0.0.1:18080'
	expect '80/tcp -> 0.0.0.0:18081'
	run b ps --format '{{.Ports}}'
	expect '127.0.0.1:18080->80/tcp'
	# from another container, through the host's address on the bridge
	run b run --rm busybox sh -c "$GET $BT_GW 18081"
	expect 'hello-from-'
	# hairpin: the container reaches its own published port
	run b exec berth-test-web sh -c "$GET $BT_GW 18081"
	expect 'hello-from-'
	# the rules live in this root's own table
	run nft list table inet "$BT_TABLE"
	expect '18081'
}

@test "-P publishes every exposed port on a random host port; port shows it" {
	b run -d --name berth-test-P --expose 80 -P busybox sh -c "$WEB"
	sleep 0.5
	run b port berth-test-P 80
	[ "$status" -eq 0 ]
	local hp=${output##*:}
	[ "$hp" -ge 1024 ]
	run http_get "127.0.0.1:$hp"
	expect 'hello-from-'
}

@test "a host port already taken is a clear error and leaves nothing behind" {
	b run -d --name berth-test-p1 -p 18090:80 busybox sleep 100
	run b run -d --name berth-test-p2 -p 18090:80 busybox sleep 100
	[ "$status" -ne 0 ]
	expect 'port is already allocated'
	run b inspect --format '{{.State.Status}}' berth-test-p2
	expect 'created|exited'
	# its namespace and veth are gone; only p1's veth is on the bridge
	local i
	for i in $(seq 50); do [ "$(veths_on "$BT_BRIDGE")" -eq 1 ] && break; sleep 0.1; done
	[ "$(veths_on "$BT_BRIDGE")" -eq 1 ]
	[ "$(ls "$BERTH_RUNROOT/netns" | wc -l)" -eq 1 ]
}

@test "outbound NAT: a container reaches a host outside, as the host's address" {
	local out
	out=$(outside_host)
	b run -d --name berth-test-out busybox sleep 100
	run b exec berth-test-out ping -c 1 -W 2 "$out"
	[ "$status" -eq 0 ]
	# the masquerade rule of this bridge's subnet
	run nft list table inet "$BT_TABLE"
	expect "$BT_NET\\.0/24"
	expect masquerade
}

@test "user networks: a custom subnet, isolation from other networks, --internal has no way out" {
	local out
	out=$(outside_host)
	b network create --subnet 172.100.0.0/16 berth-test-n1
	b network create berth-test-n2
	b network create --internal berth-test-int
	run b network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' berth-test-n1
	[ "$output" = 172.100.0.0/16 ]
	b run -d --name berth-test-x1 --network berth-test-n1 busybox sleep 100
	b run -d --name berth-test-x2 --network berth-test-n1 busybox sleep 100
	b run -d --name berth-test-y --network berth-test-n2 busybox sleep 100
	b run -d --name berth-test-i --network berth-test-int busybox sleep 100
	local x1 y
	x1=$(b inspect --format '{{(index .NetworkSettings.Networks "berth-test-n1").IPAddress}}' berth-test-x1)
	y=$(b inspect --format '{{(index .NetworkSettings.Networks "berth-test-n2").IPAddress}}' berth-test-y)
	[[ $x1 =~ ^172\.100\.0\.[0-9]+$ ]]
	run b exec berth-test-x2 ping -c 1 -W 2 "$x1"
	[ "$status" -eq 0 ]
	run b exec berth-test-y ping -c 1 -W 2 "$x1"
	[ "$status" -ne 0 ]
	run b exec berth-test-x1 ping -c 1 -W 2 "$y"
	[ "$status" -ne 0 ]
	run b exec berth-test-x1 ping -c 1 -W 2 "$out"
	[ "$status" -eq 0 ]
	run b exec berth-test-i ping -c 1 -W 2 "$out"
	[ "$status" -ne 0 ]
}

@test "50 parallel run -d on one network: 50 distinct addresses, all reachable; then nothing left" {
	b network create --subnet 10.251.0.0/24 berth-test-many
	local i
	for i in $(seq 50); do
		b run -d --network berth-test-many --name "berth-test-m$i" busybox sleep 300 >/dev/null &
	done
	wait
	run b ps -q --filter name=berth-test-m
	[ "${#lines[@]}" -eq 50 ]
	run bash -c "for i in \$(seq 50); do '$BERTH' inspect --format '{{(index .NetworkSettings.Networks \"berth-test-many\").IPAddress}}' berth-test-m\$i; done | sort -u | wc -l"
	[ "$output" -eq 50 ]
	for i in 7 23 50; do
		local ip
		ip=$(b inspect --format '{{(index .NetworkSettings.Networks "berth-test-many").IPAddress}}' "berth-test-m$i")
		run b exec berth-test-m1 ping -c 1 -W 2 "$ip"
		[ "$status" -eq 0 ]
	done
	for i in $(seq 50); do b rm -f "berth-test-m$i" >/dev/null & done
	wait
	local br
	br=$(b network inspect --format '{{index .Options "com.docker.network.bridge.name"}}' berth-test-many)
	[ -z "$br" ] || wait_no_veths "$br"
	[ "$(ls "$BERTH_RUNROOT/netns" | wc -l)" -eq 0 ]
	run b network inspect --format '{{len .Containers}}' berth-test-many
	[ "$output" = 0 ]
}

@test "the seed's manual wiring of a --network none container from the host" {
	b run -d --name berth-test-none --network none busybox sleep 100
	local pid hv=${BT_NS/berthtest-/btm}
	pid=$(b inspect --format '{{.State.Pid}}' berth-test-none)
	run nsenter -t "$pid" -n ip -o link
	! expect eth0
	ip link add "$hv" type veth peer name "${hv}p"
	ip link set "${hv}p" netns "$pid"
	nsenter -t "$pid" -n ip link set "${hv}p" name eth0
	nsenter -t "$pid" -n ip addr add 10.252.0.2/30 dev eth0
	nsenter -t "$pid" -n ip link set eth0 up
	ip addr add 10.252.0.1/30 dev "$hv"
	ip link set "$hv" up
	run b exec berth-test-none ping -c 1 -W 2 10.252.0.1
	ip link del "$hv" 2>/dev/null || true
	[ "$status" -eq 0 ]
}

@test "user network DNS: names, short ids and aliases resolve; the default bridge has none; no resolver left after rm" {
	b network create berth-test-dns
	b run -d --name berth-test-srv --network berth-test-dns --network-alias berth-test-alias busybox sleep 100
	b run -d --name berth-test-cli --network berth-test-dns busybox sleep 100
	local ip id
	ip=$(b inspect --format '{{(index .NetworkSettings.Networks "berth-test-dns").IPAddress}}' berth-test-srv)
	id=$(b inspect --format '{{.Id}}' berth-test-srv)
	run b exec berth-test-cli nslookup berth-test-srv
	[ "$status" -eq 0 ]
	expect "Address: $ip"
	run b exec berth-test-cli nslookup "${id:0:12}"
	expect "Address: $ip"
	run b exec berth-test-cli nslookup berth-test-alias
	expect "Address: $ip"
	run b exec berth-test-cli ping -c 1 -W 2 berth-test-srv
	[ "$status" -eq 0 ]
	run b exec berth-test-cli cat /etc/resolv.conf
	expect "nameserver $(b network inspect --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}' berth-test-dns)"
	# the default bridge resolves no container names
	b run -d --name berth-test-plain busybox sleep 100
	run b exec berth-test-plain nslookup berth-test-srv
	! expect "Address: $ip"
	local netid
	netid=$(b network inspect --format '{{.Id}}' berth-test-dns)
	[ -f "$BERTH_RUNROOT/dns/$netid/dnsmasq.pid" ]
	local pid
	pid=$(cat "$BERTH_RUNROOT/dns/$netid/dnsmasq.pid")
	b rm -f berth-test-srv berth-test-cli
	[ ! -e "$BERTH_RUNROOT/dns/$netid" ]
	# gone (or a zombie for this machine's pid 1 to reap)
	[ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
}

@test "network connect and disconnect of a running container: a second interface, then gone" {
	b network create --subnet 10.253.0.0/24 berth-test-c1
	b run -d --name berth-test-conn busybox sleep 100
	b network connect berth-test-c1 berth-test-conn
	run b exec berth-test-conn ip -4 -o addr
	expect 'eth1 +inet 10\.253\.0\.2/24'
	run b inspect --format '{{len .NetworkSettings.Networks}}' berth-test-conn
	[ "$output" = 2 ]
	b network disconnect berth-test-c1 berth-test-conn
	run b exec berth-test-conn ip -4 -o addr
	! expect eth1
}

@test "a default bridge subnet that clashes with a host route is refused, naming the clash, and leaves nothing" {
	local out n
	out=$(outside_host)
	n=${out%.2}
	n=${n#10.250.}
	printf '{"bridge": "%s", "bip": "10.250.%s.1/24"}\n' "$BT_BRIDGE" "$n" >"$BERTH_CONFIG_FILE"
	run b run --rm busybox true
	[ "$status" -eq 125 ]
	expect "network bridge.*10\\.250\\.$n\\.0/24.*(route|address)"
	run ip link show "$BT_BRIDGE"
	[ "$status" -ne 0 ]
	[ "$(ls "$BERTH_RUNROOT/netns" 2>/dev/null | wc -l)" -eq 0 ]
	run b ps -aq
	[ -z "$output" ]
}

@test "--ipv6: a ULA subnet, addresses and a default route inside, containers reach each other over IPv6" {
	[ -e /proc/net/if_inet6 ] || skip "no IPv6 in this kernel"
	b network create --ipv6 --subnet fd00:be7::/64 --subnet 10.254.60.0/24 berth-test-v6
	run b network inspect --format '{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}} {{end}}' berth-test-v6
	expect 'true'
	expect 'fd00:be7::/64'
	b run -d --name berth-test-v6a --network berth-test-v6 busybox sleep 100
	b run -d --name berth-test-v6b --network berth-test-v6 busybox sleep 100
	local ip6
	ip6=$(b inspect --format '{{(index .NetworkSettings.Networks "berth-test-v6").GlobalIPv6Address}}' berth-test-v6a)
	[[ $ip6 == fd00:be7::* ]]
	run b exec berth-test-v6a ip -6 -o addr show eth0
	expect "inet6 $ip6/64"
	run b exec berth-test-v6a ip -6 route
	expect 'default via fd00:be7::1 dev eth0'
	run b exec berth-test-v6b ping -6 -c 1 -W 2 "$ip6"
	[ "$status" -eq 0 ]
}

@test "kill -9 of a monitor: the next command repairs the network (namespace, veth, published port rules)" {
	b run -d --name berth-test-crash -p 18095:80 busybox sleep 1000
	local pid mon id
	pid=$(b inspect --format '{{.State.Pid}}' berth-test-crash)
	id=$(b inspect --format '{{.Id}}' berth-test-crash)
	mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
	run nft list table inet "$BT_TABLE"
	expect 'dport 18095'
	kill -9 "$mon"
	run b ps -a --format '{{.Names}} {{.Status}}'
	expect 'berth-test-crash Exited \(255\)'
	[ ! -e "$BERTH_RUNROOT/netns/$id" ]
	run nft list table inet "$BT_TABLE"
	! expect 'dport 18095'
	# the veth goes with the namespace, in the background
	wait_no_veths "$BT_BRIDGE"
	# and it starts again with the same address and port
	b start berth-test-crash
	run b port berth-test-crash
	expect '0.0.0.0:18095'
}

@test "a host port a host process listens on is refused" {
	python3 -c 'import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 18097)); s.listen(); time.sleep(30)' &
	local lpid=$!
	sleep 0.5
	run b run -d --name berth-test-busy -p 18097:80 busybox sleep 100
	kill "$lpid"
	[ "$status" -ne 0 ]
	expect 'port is already allocated'
	run nft list table inet "$BT_TABLE"
	! expect 'dport 18097'
}

@test "--dns, --dns-search, --dns-option, --add-host, --mac-address, --hostname, --ip on a user network" {
	run b run --rm --dns 10.1.2.3 --dns-search example.test --dns-option ndots:2 busybox cat /etc/resolv.conf
	expect 'nameserver 10\.1\.2\.3'
	expect 'search example\.test'
	expect 'options ndots:2'
	run b run --rm --add-host db.test:10.9.9.9 --hostname berth-h1 busybox sh -c 'cat /etc/hosts; hostname'
	expect '10\.9\.9\.9'$'\t''db\.test'
	expect "$BT_NET\\.[0-9]+"$'\t''berth-h1'
	run b run --rm --mac-address 02:42:0a:00:00:99 busybox cat /sys/class/net/eth0/address
	[ "$output" = 02:42:0a:00:00:99 ]
	b network create --subnet 10.254.61.0/24 berth-test-ipnet
	run b run --rm --network berth-test-ipnet --ip 10.254.61.77 busybox ip -4 -o addr show eth0
	expect 'inet 10\.254\.61\.77/24'
	# --ip outside the subnet, and on the default bridge, are refused
	run b run --rm --network berth-test-ipnet --ip 10.254.62.1 busybox true
	[ "$status" -ne 0 ]
	run b run --rm --ip 10.254.61.5 busybox true
	[ "$status" -ne 0 ]
	expect 'user specified IP address is supported on user defined networks only'
}
