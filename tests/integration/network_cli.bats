#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth network on a private root: the predefined networks, create/ls/inspect/
# rm/prune, subnets given and picked, clashes, filters and --format, connect
# and disconnect of created (not running) containers. Nothing here makes a
# kernel object in the host's namespace: every command runs under unshare -n.

bats_require_minimum_version 1.5.0

load helpers/engine

# Every command in a throwaway network namespace: rm and prune resync berth's
# rules and drop bridges through the wiring, which must never touch the host's.
b() { timeout -k 5 60 unshare -n "$BERTH" "$@"; }

setup()
{
	unshare -n true 2>/dev/null || skip "needs unshare -n"
	engine_setup
	export BERTH_CONFIG_FILE=$BATS_TEST_TMPDIR/berth.json
	echo '{}' >"$BERTH_CONFIG_FILE"
}

teardown()
{
	unshare -n "$BERTH" network prune -f >/dev/null 2>&1 || true
	engine_teardown
}

@test "network ls shows the predefined bridge, host and none" {
	run b network ls
	[ "$status" -eq 0 ]
	expect '^NETWORK ID +NAME +DRIVER +SCOPE'
	expect '[0-9a-f]{12} +bridge +bridge +local'
	expect '[0-9a-f]{12} +host +host +local'
	expect '[0-9a-f]{12} +none +null +local'
	run b network inspect -f '{{.Name}} {{index .Options "com.docker.network.bridge.name"}} {{(index .IPAM.Config 0).Subnet}}' bridge
	[ "$output" = "bridge berth0 172.17.0.0/16" ]
}

@test "network create, inspect, rm" {
	run b network create --subnet 172.100.0.0/16 --label team=a berth-test-n1
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run b network inspect berth-test-n1
	[ "$status" -eq 0 ]
	expect '"Subnet": "172.100.0.0/16"'
	expect '"Gateway": "172.100.0.1"'
	expect '"Scope": "local"'
	expect '"team": "a"'
	run b network inspect -f '{{.Id}}' "${id:0:12}"
	[ "$output" = "$id" ]
	run b network rm berth-test-n1
	[ "$status" -eq 0 ]
	[ "$output" = berth-test-n1 ]
	run b network inspect berth-test-n1
	[ "$status" -eq 1 ]
	expect 'network berth-test-n1 not found'
}

@test "network create refuses a clashing subnet, bad names and drivers" {
	b network create --subnet 172.100.0.0/16 berth-test-a
	run b network create --subnet 172.100.8.0/24 berth-test-b
	[ "$status" -eq 1 ]
	expect "overlaps with network 'berth-test-a'"
	run b network create berth-test-a
	[ "$status" -eq 1 ]
	expect 'network with name berth-test-a already exists'
	run b network create 'berth test'
	[ "$status" -eq 1 ]
	expect 'invalid network name'
	run b network create -d overlay berth-test-c
	[ "$status" -eq 1 ]
	expect 'plugin "overlay" not found'
	run b network create --subnet 10.10.0.0/16 --gateway 10.11.0.1 berth-test-c
	[ "$status" -eq 1 ]
	run b network ls -q --filter name=berth-test-c
	[ -z "$output" ]
}

@test "two creates without --subnet get different subnets" {
	b network create berth-test-p1
	b network create berth-test-p2
	run b network inspect -f '{{(index .IPAM.Config 0).Subnet}}' berth-test-p1 berth-test-p2
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" != "${lines[1]}" ]
	[ "${lines[0]}" != 172.17.0.0/16 ]
}

@test "network rm refuses the predefined networks" {
	for n in bridge host none; do
		run b network rm "$n"
		[ "$status" -eq 1 ]
		expect "$n is a pre-defined network and cannot be removed"
	done
	run b network rm berth-test-missing
	[ "$status" -eq 1 ]
	run b network rm -f berth-test-missing
	[ "$status" -eq 0 ]
}

@test "network ls filters and --format" {
	b network create --label team=a berth-test-f1
	b network create berth-test-f2
	run b network ls --filter type=custom --format '{{.Name}}'
	[ "$output" = "$(printf 'berth-test-f1\nberth-test-f2')" ]
	run b network ls --filter type=builtin --format '{{.Name}} {{.Driver}}'
	[ "$output" = "$(printf 'bridge bridge\nhost host\nnone null')" ]
	run b network ls --filter label=team=a --format '{{.Name}} {{.Labels}} {{.Internal}}'
	[ "$output" = "berth-test-f1 team=a false" ]
	run b network ls --filter driver=null -q
	[[ $output =~ ^[0-9a-f]{12}$ ]]
	run b network ls --filter name=f2 --no-trunc --format '{{.ID}}'
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	run b network ls --format 'table {{.Name}}\t{{.Scope}}' --filter name=f1
	expect '^NAME +SCOPE'
	run b network ls --filter bogus=1
	[ "$status" -eq 1 ]
	expect "invalid filter 'bogus'"
	run b network inspect -f '{{json .Labels}}' berth-test-f1
	[ "$output" = '{"team":"a"}' ]
}

@test "network prune removes unused custom networks" {
	b network create berth-test-q1
	b network create --label keep=1 berth-test-q2
	run b network prune -f --filter label!=keep
	[ "$status" -eq 0 ]
	expect 'Deleted Networks:'
	expect 'berth-test-q1'
	[[ $output != *berth-test-q2* ]]
	run b network ls --format '{{.Name}}'
	expect 'berth-test-q2'
	expect 'bridge'
}

@test "network connect and disconnect of a created container" {
	b network create --subnet 10.123.0.0/24 berth-test-c
	b create --name berth-test-ctr busybox true >/dev/null
	run b network connect --ip 10.123.0.50 --alias web berth-test-c berth-test-ctr
	[ "$status" -eq 0 ]
	run b network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}} {{.MacAddress}}{{end}}' berth-test-c
	[ "$output" = "berth-test-ctr 10.123.0.50/24 02:42:0a:7b:00:32" ]
	run b network connect berth-test-c berth-test-ctr
	[ "$status" -eq 1 ]
	expect 'already exists in network berth-test-c'
	run b network rm berth-test-c
	[ "$status" -eq 1 ]
	expect 'has active endpoints'
	run b network disconnect berth-test-c berth-test-ctr
	[ "$status" -eq 0 ]
	run b network disconnect berth-test-c berth-test-ctr
	[ "$status" -eq 1 ]
	expect 'is not connected to network berth-test-c'
	run b network connect --ip 172.17.0.9 bridge berth-test-ctr
	[ "$status" -eq 1 ]
	run b network rm berth-test-c
	[ "$status" -eq 0 ]
}

@test "network --help and usage errors" {
	run b network --help
	[ "$status" -eq 0 ]
	for c in connect create disconnect inspect ls prune rm; do
		expect "$c"
	done
	run b network create --help
	[ "$status" -eq 0 ]
	expect '--subnet'
	run b network create
	[ "$status" -eq 125 ]
	expect 'requires exactly 1 argument|requires 1 argument'
	run b network connect onlyone
	[ "$status" -eq 125 ]
}
