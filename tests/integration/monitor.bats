#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# How little a container costs: berth loads its heavy libraries only when a
# command needs them, a running container's monitor hands over to the small
# static berth-shim after a second (logs, attach, stop, exit codes and the
# restart policy keep working across the handoff), and a new container's
# init places itself in its cgroups. Each test has a private root.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

# The monitor of a container (the parent of its init).
monitor_of()
{
	local pid
	pid=$(b inspect --format '{{.State.Pid}}' "$1")
	ps -o ppid= -p "$pid" | tr -d ' '
}

# Wait (up to 5 s) until the container's monitor is berth-shim.
await_shim()
{
	local i mon
	for i in $(seq 50); do
		mon=$(monitor_of "$1")
		[[ $(readlink "/proc/$mon/exe") == *berth-shim ]] && return 0
		sleep 0.1
	done
	echo "monitor $mon of $1 is $(readlink "/proc/$mon/exe"), not berth-shim"
	return 1
}

@test "berth links neither libcurl, libarchive nor libcrypto: they are loaded when a command needs them" {
	run ldd "$BERTH"
	[ "$status" -eq 0 ]
	! expect 'libcurl|libarchive|libcrypto|libxml2|libicu'
	# and they still work when needed: a digest and an archive
	b save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	run b load -i "$BATS_TEST_TMPDIR/bb.tar"
	[ "$status" -eq 0 ]
	expect 'Loaded image: busybox:latest'
}

@test "berth-shim takes over a running container; logs, stop and the exit code go on" {
	b run -d --name berth-test-shim busybox sh -c 'trap "echo got-term; exit 5" TERM; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'
	await_shim berth-test-shim
	local mon
	mon=$(monitor_of berth-test-shim)
	# a static program: no shared libraries mapped
	! grep -q '\.so' "/proc/$mon/maps"
	sleep 0.5
	run b logs berth-test-shim
	expect 'tick 1'
	expect "tick [0-9]*[0-9]$"
	run b ps --format '{{.Names}} {{.Status}}'
	expect 'berth-test-shim Up'
	b stop -t 5 berth-test-shim
	run b inspect --format '{{.State.Status}} {{.State.ExitCode}}' berth-test-shim
	[ "$output" = "exited 5" ]
	run b logs --tail 1 berth-test-shim
	[ "$output" = got-term ]
	# the monitor resumed and ends: nothing left of it
	local i
	for i in $(seq 50); do
		kill -0 "$mon" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$mon" 2>/dev/null
}

@test "berth-shim: attach after the handoff, stdin in, output out, the exit code back" {
	b run -d -i --name berth-test-shim-attach busybox sh -c 'read line; echo "got $line"; exit 9'
	await_shim berth-test-shim-attach
	run bash -c "(sleep 0.3; echo hello) | timeout 20 '$BERTH' attach berth-test-shim-attach"
	[ "$status" -eq 9 ]
	expect 'got hello'
	run b inspect --format '{{.State.ExitCode}}' berth-test-shim-attach
	[ "$output" = 9 ]
}

@test "berth-shim: the restart policy goes on across handoffs and counts" {
	b run -d --name berth-test-shim-restart --restart on-failure:2 busybox sh -c 'sleep 1.5; exit 3'
	local i
	for i in $(seq 150); do
		run b inspect --format '{{.State.Status}} {{.RestartCount}}' berth-test-shim-restart
		[ "$output" = "exited 2" ] && break
		sleep 0.1
	done
	[ "$output" = "exited 2" ]
	run b inspect --format '{{.State.ExitCode}}' berth-test-shim-restart
	[ "$output" = 3 ]
}

@test "a run --rm that outlives the handoff is still removed, and the client gets its code" {
	run b run --rm --name berth-test-shim-rm busybox sh -c 'sleep 1.5; echo done; exit 4'
	[ "$status" -eq 4 ]
	expect done
	run b ps -aq --filter name=berth-test-shim-rm
	[ -z "$output" ]
}

@test "a new container's init is in its own cgroup in every hierarchy" {
	b run -d --name berth-test-cg busybox sleep 100
	local pid id line
	pid=$(b inspect --format '{{.State.Pid}}' berth-test-cg)
	id=$(b inspect --format '{{.Id}}' berth-test-cg)
	while IFS= read -r line; do
		[[ $line == *"$id"* ]] || {
			echo "not in the container's cgroup: $line"
			return 1
		}
	done <"/proc/$pid/cgroup"
}
