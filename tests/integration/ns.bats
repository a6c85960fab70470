#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth ns ls, ns enter and ns limits, and run --time-offset: the namespace
# views the seed articles build by hand with lsns and /proc/PID/ns. Each test
# has a private root; teardown removes every container it made.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

# The OWNER column of the row of TYPE in "ns ls" output lines.
owner_of() { awk -v t="$1" '$1 == t { print $4 }'; }

@test "ns ls CONTAINER: one row per namespace, inodes as /proc/PID/ns shows them" {
	b run -d --name berth-test-a busybox sleep 1000
	local pid
	pid=$(b inspect -f '{{.State.Pid}}' berth-test-a)
	run --separate-stderr b ns ls berth-test-a
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^TYPE\ +NS\ +PROCS\ +OWNER\ +PATH$ ]]
	local n=$((${#lines[@]} - 1))
	[ "$n" -ge 7 ] && [ "$n" -le 8 ]
	local t link ino
	for t in mnt pid uts ipc net user cgroup time; do
		link=$(readlink "/proc/$pid/ns/$t") || continue
		ino=${link#*[}
		ino=${ino%]}
		echo "$output" | grep -qE "^$t +$ino +[0-9]+ +[^ ]+ +/proc/$pid/ns/$t\$"
	done
	# the container's own namespaces
	[ "$(echo "$output" | owner_of net)" = berth-test-a ]
	[ "$(echo "$output" | owner_of mnt)" = berth-test-a ]
	# json: the same rows as objects
	run --separate-stderr b ns ls --format json berth-test-a
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq "$n" ]
	echo "${lines[0]}" | jq -e '.Type == "mnt" and (.NS | type) == "number" and .Procs >= 1'
}

@test "ns ls: a shared network namespace lists both owners, --pid host is the host's" {
	b run -d --name berth-test-a busybox sleep 1000
	b run -d --name berth-test-b --network container:berth-test-a busybox sleep 1000
	b run -d --name berth-test-c --pid host busybox sleep 1000
	run --separate-stderr b ns ls berth-test-b
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | owner_of net)" = berth-test-a,berth-test-b ]
	[ "$(echo "$output" | owner_of mnt)" = berth-test-b ]
	run --separate-stderr b ns ls berth-test-c
	echo "$output"
	[ "$(echo "$output" | owner_of pid)" = host ]
	# everything: each namespace once, the host's too
	run --separate-stderr b ns ls --format '{{.Type}} {{.NS}} {{.Owner}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c ' berth-test-a,berth-test-b$')" -ge 1 ]
	[ "$(echo "$output" | awk '$1 == "net"' | wc -l)" -eq 3 ]
	[ "$(echo "$output" | awk '{print $1, $2}' | sort | uniq -d)" = "" ]
	[ "$(echo "$output" | awk '$1 == "pid" && $3 == "host"' | wc -l)" -eq 1 ]
}

@test "ns enter -t net: the host's ip sees only the container's lo" {
	command -v ip >/dev/null || skip "no iproute2 on the host"
	b run -d --name berth-test-a --network none busybox sleep 1000
	run --separate-stderr b ns enter berth-test-a -t net -- ip -o link
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ ^1:\ lo: ]]
	# net is the default; the command's own flags after it need no "--"
	run --separate-stderr b ns enter berth-test-a ip -o link
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "ns enter -t mnt,pid: a host binary that the container lacks sees the container's /proc" {
	b run -d --name berth-test-a busybox sleep 1000
	local bb
	bb=$(command -v busybox) || skip "no busybox on the host"
	file -L "$bb" | grep -q 'statically linked' || skip "the host's busybox is not static"
	# a path that does not exist in the container: opened before entering
	mkdir "$BATS_TEST_TMPDIR/berth-test-tools"
	cp "$bb" "$BATS_TEST_TMPDIR/berth-test-tools/busybox"
	run --separate-stderr b ns enter berth-test-a -t mnt,pid -- "$BATS_TEST_TMPDIR/berth-test-tools/busybox" ls /proc
	echo "$output"
	[ "$status" -eq 0 ]
	# the container's pid namespace: its init is 1, the tool a small number
	echo "$output" | grep -qx 1
	[ "$(echo "$output" | grep -E '^[0-9]+$' | wc -l)" -le 3 ]
	run --separate-stderr b ns enter berth-test-a -t mnt,pid -- "$BATS_TEST_TMPDIR/berth-test-tools/busybox" cat /proc/1/comm
	[ "$status" -eq 0 ]
	[ "$output" = sleep ]
	# the host's path is not the container's
	run --separate-stderr b ns enter berth-test-a -t mnt -- "$BATS_TEST_TMPDIR/berth-test-tools/busybox" \
		test -e "$BATS_TEST_TMPDIR"
	[ "$status" -eq 1 ]
}

@test "ns enter: the exit code passes through, a missing command is 127" {
	b run -d --name berth-test-a busybox sleep 1000
	run b ns enter berth-test-a -t uts -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run b ns enter berth-test-a -t uts,ipc,net -- hostname
	[ "$status" -eq 0 ]
	[ "$output" = "$(b inspect -f '{{.Config.Hostname}}' berth-test-a)" ]
	run -127 b ns enter berth-test-a -- berth-test-no-such-command
	[ "$status" -eq 127 ]
	[[ $output =~ "executable file not found" ]]
	run b ns enter berth-test-a -t bogus -- true
	[ "$status" -eq 125 ]
	[[ $output =~ "invalid argument \"bogus\" for \"-t, --type\" flag" ]]
}

@test "ns enter and ns ls refuse a stopped container" {
	b create --name berth-test-a busybox sleep 1000
	run b ns enter berth-test-a -- true
	[ "$status" -eq 125 ]
	[[ $output =~ "is not running" ]]
	run b ns ls berth-test-a
	[ "$status" -eq 125 ]
	[[ $output =~ "is not running" ]]
	run b ns ls berth-test-none
	[ "$status" -eq 125 ]
}

@test "ns limits: eight types, how many are in use against the kernel's limit" {
	b run -d --name berth-test-a busybox sleep 1000
	run --separate-stderr b ns limits
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^TYPE\ +IN\ USE\ +LIMIT$ ]]
	[ "${#lines[@]}" -eq 9 ]
	local t
	for t in cgroup ipc mnt net pid time user uts; do
		echo "$output" | grep -qE "^$t +[0-9]+ +([0-9]+|-)\$"
	done
	[ "$(echo "$output" | awk '$1 == "net" { print $2 }')" -ge 2 ]
	[ "$(echo "$output" | awk '$1 == "net" { print $3 }')" = "$(cat /proc/sys/user/max_net_namespaces)" ]
}

@test "run --time-offset: the container's clocks are shifted, the host's are not" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces"
	run --separate-stderr b run --rm --time-offset monotonic=86400,boottime=86400 busybox \
		sh -c 'cat /proc/uptime; cat /proc/self/timens_offsets'
	echo "$output"
	[ "$status" -eq 0 ]
	# /proc/uptime follows CLOCK_BOOTTIME
	[ "$(echo "${lines[0]}" | cut -d. -f1)" -ge 86400 ]
	[ "$(cut -d. -f1 /proc/uptime)" -lt 86400 ] || skip "the host has been up a day"
	echo "$output" | grep -qx 'monotonic *86400 *0'
	echo "$output" | grep -qx 'boottime *86400 *0'
	# monotonic alone leaves boottime (and /proc/uptime) as the host's
	run --separate-stderr b run --rm --time-offset monotonic=86400 busybox cat /proc/self/timens_offsets
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'monotonic *86400 *0'
	# a time namespace of its own
	b run -d --name berth-test-a --time-offset boottime=100 busybox sleep 1000
	run --separate-stderr b ns ls berth-test-a
	[ "$(echo "$output" | owner_of time)" = berth-test-a ]
	[ "$(b inspect -f '{{json .HostConfig.BerthTimeOffsets}}' berth-test-a)" = '{"boottime":100}' ]
}

@test "run --time-offset: a bad value is a flag error (125)" {
	run b run --rm --time-offset monotonic=abc busybox true
	[ "$status" -eq 125 ]
	[[ $output =~ 'invalid argument "monotonic=abc" for "--time-offset" flag: strconv.ParseInt: parsing "abc": invalid syntax' ]]
	run b run --rm --time-offset realtime=5 busybox true
	[ "$status" -eq 125 ]
	[[ $output =~ "unknown clock 'realtime'" ]]
	run b create --time-offset 5 busybox true
	[ "$status" -eq 125 ]
	[[ $output =~ "expected CLOCK=SECONDS" ]]
}
