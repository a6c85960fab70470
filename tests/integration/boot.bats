#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash repair and reboot: a kill -9 of the CLI or of a monitor at any point
# leaves a state the next command repairs, and `berth system boot` after a
# simulated reboot restarts what the restart policies keep up.
# Each test has a private root; teardown removes every container it made.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}
LOOP='trap "exit 7" TERM; while true; do sleep 0.1; done'

setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	b pull -q busybox >/dev/null
}

teardown()
{
	local ids p
	# monitors started by hand (container-monitor) first: they would restart what rm kills
	for p in $(monitor_pids); do kill -9 "$p" 2>/dev/null || true; done
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	grep -q " $BATS_TEST_TMPDIR" /proc/self/mountinfo &&
		grep " $BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
	rm -rf "$BERTH_ROOT" "$BERTH_RUNROOT"
	berth_test_net_cleanup
}

b() { timeout -k 5 60 "$BERTH" "$@"; }

# The monitor pid a container's State records (hidden from inspect).
monitor_pid() { sqlite3 "$BERTH_ROOT/berth.db" "SELECT json_extract(state, '\$.BerthMonitorPid') FROM containers WHERE name = '$1'"; }
# Every monitor of this test's root, by its command line.
monitor_pids() { pgrep -f -- "--root $BERTH_ROOT .*container-monitor" || true; }
init_pid() { b inspect -f '{{.State.Pid}}' "$1"; }
# A process that is gone or a zombie (its parent may reap it late).
is_dead() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 0; [[ $s == Z* ]]; }

wait_for()
{
	local tries=$(($1 * 10))
	shift
	until "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# mounts under the test's dirs but the network namespaces' (netns_left counts those)
mounts_left() { awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) == 1 && $5 !~ /\/netns(\/|$)/' /proc/self/mountinfo | wc -l; }
netns_left() { find "$BERTH_RUNROOT/netns" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cgroups_left() { find /sys/fs/cgroup -maxdepth 4 -type d -name "$1" 2>/dev/null | wc -l; }
runtime_left() { find "$BERTH_RUNROOT/runtime" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l; }
runtime_has() { [ "$(runtime_left)" -eq "$1" ]; }

# Nothing of container id is mounted, in a cgroup or in the runtime's state.
released() {
	[ "$(mounts_left)" -eq 0 ] && [ "$(cgroups_left "$1")" -eq 0 ] && [ "$(runtime_left)" -eq 0 ] &&
		[ "$(netns_left)" -eq 0 ]
}

expect()
{
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in:"
		echo "$output"
		return 1
	}
}

@test "kill -9 of a monitor: the next ps records exit 255 and kills the orphaned init; start works again" {
	local id init mon
	id=$(b run -d --name orphan busybox sh -c "$LOOP")
	init=$(init_pid orphan)
	mon=$(monitor_pid orphan)
	[ "$mon" -gt 0 ]
	[ "$(mounts_left)" -eq 1 ]
	kill -9 "$mon"
	run b ps -a --format '{{.Names}} {{.Status}}'
	expect '^orphan Exited \(255\) '
	wait_for 5 is_dead "$init"
	released "$id"
	run b inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}' orphan
	[ "$output" = "exited 255 0" ]
	run b start orphan
	[ "$status" -eq 0 ]
	run b inspect -f '{{.State.Status}}' orphan
	[ "$output" = running ]
	run b stop -t 5 orphan
	[ "$status" -eq 0 ]
	run b inspect -f '{{.State.ExitCode}}' orphan
	[ "$output" = 7 ]
	released "$id"
}

@test "kill -9 of a monitor: inspect, start and rm -f repair too" {
	local id mon
	id=$(b run -d --name c1 busybox sleep 1000)
	mon=$(monitor_pid c1)
	kill -9 "$mon"
	run b inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1
	[ "$output" = "exited 255" ]
	released "$id"
	# start right away
	id=$(b run -d --name c2 busybox sleep 1000)
	kill -9 "$(monitor_pid c2)"
	run b start c2
	[ "$status" -eq 0 ]
	[ "$(b inspect -f '{{.State.Status}}' c2)" = running ]
	[ "$(mounts_left)" -eq 1 ]
	# rm -f right away
	kill -9 "$(monitor_pid c2)"
	run b rm -f c2 c1
	[ "$status" -eq 0 ]
	run b ps -aq
	[ -z "$output" ]
	released "$id"
	[ -z "$(ls "$BERTH_ROOT/containers")" ]
}

@test "kill -9 of a monitor before it started the process: the next start repairs" {
	local id mon
	id=$(b create --name early busybox sleep 1000)
	# a monitor that waits for an attach client after creating the process (as for a foreground run)
	"$BERTH" container-monitor --attach-wait "$id" </dev/null >/dev/null 2>&1 &
	mon=$!
	wait_for 10 runtime_has 1
	[ "$(mounts_left)" -eq 1 ]
	kill -9 "$mon"
	wait "$mon" || true
	run b ps -a --format '{{.Names}} {{.State}}'
	[ "$output" = "early created" ]
	run b start early
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(b inspect -f '{{.State.Status}}' early)" = running ]
	[ "$(mounts_left)" -eq 1 ]
	b rm -f early
	released "$id"
}

@test "kill -9 of a foreground run: the container runs on, ps shows it and stop stops it" {
	local cli
	"$BERTH" run --name fg busybox sh -c "echo up; $LOOP" >"$BATS_TEST_TMPDIR/fg.out" 2>&1 &
	cli=$!
	wait_for 10 grep -q up "$BATS_TEST_TMPDIR/fg.out"
	kill -9 "$cli"
	wait "$cli" || true
	run b ps --format '{{.Names}} {{.State}}'
	[ "$output" = "fg running" ]
	run b stop -t 5 fg
	[ "$status" -eq 0 ]
	run b ps -a --format '{{.Names}} {{.Status}}'
	expect '^fg Exited \(7\) '
}

@test "kill -9 of rm -f at any point: the next rm -f finishes" {
	local id cli delay
	for delay in 0 0.01 0.02 0.04 0.06 0.08; do
		id=$(b run -d busybox sleep 1000)
		"$BERTH" rm -f "$id" >/dev/null 2>&1 &
		cli=$!
		sleep "$delay"
		kill -9 "$cli" 2>/dev/null || true
		wait "$cli" || true
		run b rm -f "$id"
		# done already, or finished now
		[ "$status" -eq 0 ] || [[ $output =~ "No such container" ]]
		run b ps -aq
		[ -z "$output" ]
		released "$id"
		[ -z "$(ls "$BERTH_ROOT/containers")" ]
	done
}

@test "kill -9 of run -d at any point: ps -a shows what it made and rm -f removes all of it" {
	local cli delay ids
	for delay in 0 0.005 0.01 0.02 0.03 0.05 0.08; do
		"$BERTH" run -d busybox sleep 1000 >/dev/null 2>&1 &
		cli=$!
		sleep "$delay"
		kill -9 "$cli" 2>/dev/null || true
		wait "$cli" || true
	done
	run b ps -a --format '{{.State}}'
	echo "$output"
	[ "$status" -eq 0 ]
	ids=$(b ps -aq --no-trunc)
	[ -z "$ids" ] || b rm -f $ids >/dev/null
	run b ps -aq
	[ -z "$output" ]
	[ -z "$(ls "$BERTH_ROOT/containers")" ]
	[ "$(mounts_left)" -eq 0 ]
	[ "$(netns_left)" -eq 0 ]
	[ "$(runtime_left)" -eq 0 ]
	[ -z "$(monitor_pids)" ]
}

@test "reboot: ps -a shows every container exited; system boot restarts the ones the policies keep up" {
	local n p init
	b run -d --name r-no busybox sleep 1000 >/dev/null
	b run -d --name r-always --restart always busybox sleep 1000 >/dev/null
	b run -d --name r-unless --restart unless-stopped busybox sleep 1000 >/dev/null
	b run -d --name r-unless-stopped --restart unless-stopped busybox sleep 1000 >/dev/null
	b run -d --name r-always-stopped --restart always busybox sleep 1000 >/dev/null
	b run -d --name r-failure --restart on-failure:3 busybox sleep 1000 >/dev/null
	b create --name r-created --restart always busybox sleep 1000 >/dev/null
	b stop -t 1 r-unless-stopped r-always-stopped >/dev/null

	# the reboot: every monitor and container process dies, mounts and cgroups go, /run/berth is empty
	for n in r-no r-always r-unless r-failure; do
		init=$(init_pid "$n")
		p=$(monitor_pid "$n")
		[ "$init" -gt 0 ] && [ "$p" -gt 0 ]
		kill -9 "$p" "$init"
	done
	for n in r-no r-always r-unless r-failure; do wait_for 5 is_dead "$(init_pid "$n")"; done
	grep " $BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
	for n in $(b ps -aq --no-trunc); do
		find /sys/fs/cgroup -maxdepth 4 -depth -type d -path "*/$n*" -exec rmdir {} + 2>/dev/null || true
	done
	rm -rf "${BERTH_RUNROOT:?}"/*
	[ "$(mounts_left)" -eq 0 ]

	run b ps -a --format '{{.Names}} {{.Status}}'
	echo "$output"
	[ "$(grep -c 'Exited (255)' <<<"$output")" -eq 4 ]
	[ "$(grep -c 'Up ' <<<"$output")" -eq 0 ]

	run b system boot
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "r-always r-always-stopped r-failure r-unless " ]
	run b ps --format '{{.Names}}'
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "r-always r-always-stopped r-failure r-unless " ]
	run b ps -a --filter status=exited --format '{{.Names}}'
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "r-no r-unless-stopped " ]
	[ "$(b inspect -f '{{.State.Status}}' r-created)" = created ]
	[ "$(mounts_left)" -eq 4 ]
	[ "$(netns_left)" -eq 4 ]
	# booting twice changes nothing
	run b system boot
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(b ps -q | wc -l)" -eq 4 ]
}

@test "system boot removes stopped --rm containers and is registered as a command" {
	local id mon
	id=$(b run -d --rm --name gone busybox sleep 1000)
	mon=$(monitor_pid gone)
	kill -9 "$mon"
	run b ps -a --format '{{.Names}} {{.Status}}'
	expect '^gone Exited \(255\)'
	run b system boot
	[ "$status" -eq 0 ]
	run b ps -aq
	[ -z "$output" ]
	released "$id"
	run b system boot --help
	expect 'Usage: +berth system boot'
}
