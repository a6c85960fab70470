#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemonless engine under concurrency: many berth commands at once on one
# root (SQLite locking, generated names, monitor starts, removal) must leave
# `ps -a` exactly right and no mount, cgroup, runtime state or row behind.
# Each test has a private root; teardown removes every container it made.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}
N=${BERTH_STRESS_N:-50}

setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	b pull -q busybox >/dev/null
}

teardown()
{
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	grep -q " $BATS_TEST_TMPDIR" /proc/self/mountinfo &&
		grep " $BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
	rm -rf "$BERTH_ROOT" "$BERTH_RUNROOT"
	berth_test_net_cleanup
}

b() { timeout -k 5 60 "$BERTH" "$@"; }

# Mounts at or below this test's directory.
# mounts under the test's dirs but the network namespaces' (netns_left counts those)
mounts_left() { awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) == 1 && $5 !~ /\/netns(\/|$)/' /proc/self/mountinfo | wc -l; }
netns_left() { find "$BERTH_RUNROOT/netns" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# veths on this test's bridge; the kernel removes them with their namespaces, in the background
veths_settle()
{
	local i
	for i in $(seq 50); do
		[ "$(ip link show master "$BT_BRIDGE" 2>/dev/null | grep -c veth)" -eq "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Cgroup directories named after one of the ids in file $1 (berth's are <hierarchy>/berth/<id>).
cgroups_left()
{
	local n=0 id
	while read -r id; do
		n=$((n + $(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null | wc -l)))
	done <"$1"
	echo "$n"
}

# Entries of a state directory, dot files (the runtime's seccomp cache) aside.
entries() { find "$1" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l; }

# Monitors of this test's root still alive.
monitors_left() { pgrep -f -- "--root $BERTH_ROOT .*container-monitor" | wc -l; }

@test "$N run -d and then $N rm -f in parallel leave ps -a exactly right and nothing behind" {
	local t=$BATS_TEST_TMPDIR i pids=() bad=0
	for i in $(seq "$N"); do
		if [ $((i % 2)) = 0 ]; then
			b run -d --name "stress-$i" busybox sleep 1000 >"$t/out.$i" 2>"$t/err.$i" &
		else
			b run -d busybox sleep 1000 >"$t/out.$i" 2>"$t/err.$i" &
		fi
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || {
			bad=$((bad + 1))
			echo "run $((i + 1)) failed: $(cat "$t/err.$((i + 1))")"
		}
	done
	[ "$bad" -eq 0 ]
	cat "$t"/out.* | sort >"$t/ids"
	[ "$(sort -u "$t/ids" | grep -cE '^[0-9a-f]{64}$')" -eq "$N" ]
	# every one running, each under its own name, and nothing else
	run b ps -a --no-trunc --format '{{.ID}} {{.State}} {{.Names}}'
	[ "$status" -eq 0 ]
	[ "$(awk '{print $1}' <<<"$output" | sort)" = "$(cat "$t/ids")" ]
	[ "$(awk '$2 == "running"' <<<"$output" | wc -l)" -eq "$N" ]
	[ "$(awk '{print $3}' <<<"$output" | sort -u | wc -l)" -eq "$N" ]
	[ "$(grep -c ' stress-' <<<"$output")" -eq $((N / 2)) ]
	[ "$(mounts_left)" -eq "$N" ]
	[ "$(netns_left)" -eq "$N" ]
	veths_settle "$N"
	[ "$(cgroups_left "$t/ids")" -gt 0 ]

	pids=()
	while read -r i; do
		b rm -f "$i" >/dev/null 2>"$t/rm.${i:0:12}" &
		pids+=($!)
	done <"$t/ids"
	for i in "${pids[@]}"; do
		wait "$i" || bad=$((bad + 1))
	done
	cat "$t"/rm.* >&2
	[ "$bad" -eq 0 ]
	run b ps -aq
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(mounts_left)" -eq 0 ]
	[ "$(netns_left)" -eq 0 ]
	veths_settle 0
	[ "$(cgroups_left "$t/ids")" -eq 0 ]
	[ "$(entries "$BERTH_RUNROOT/runtime")" -eq 0 ]
	[ "$(entries "$BERTH_RUNROOT/containers")" -eq 0 ]
	[ "$(entries "$BERTH_ROOT/containers")" -eq 0 ]
	[ "$(monitors_left)" -eq 0 ]
}

@test "parallel starts of one container start it once; parallel ps, inspect and stop agree" {
	local id pids=() i bad=0
	id=$(b create --name once busybox sleep 1000)
	for i in $(seq 10); do
		b start once >/dev/null 2>"$BATS_TEST_TMPDIR/start.$i" &
		pids+=($!)
		b ps -a >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || bad=$((bad + 1))
	done
	cat "$BATS_TEST_TMPDIR"/start.* >&2
	[ "$bad" -eq 0 ]
	[ "$(b inspect -f '{{.State.Status}}' once)" = running ]
	[ "$(monitors_left)" -eq 1 ]
	[ "$(mounts_left)" -eq 1 ]
	[ "$(entries "$BERTH_RUNROOT/runtime")" -eq 1 ]
	pids=()
	for i in $(seq 5); do
		b stop -t 1 once >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ]
	[ "$(b inspect -f '{{.State.Status}} {{.State.ExitCode}}' once)" = "exited 137" ]
	[ "$(mounts_left)" -eq 0 ]
	[ "$(entries "$BERTH_RUNROOT/runtime")" -eq 0 ]
}

@test "json-file logs rotate by default (10 MiB x 3 files); --log-opt overrides" {
	local dir log
	b run -d --name chatty busybox sh -c 'head -c 36000000 /dev/zero | tr "\0" x | fold -w 1000' >/dev/null
	run b wait chatty
	[ "$output" = 0 ]
	log=$(b inspect -f '{{.LogPath}}' chatty)
	[ -f "$log" ] && [ -f "$log.1" ] && [ -f "$log.2" ]
	[ ! -e "$log.3" ]
	for f in "$log" "$log.1" "$log.2"; do
		[ "$(stat -c %s "$f")" -le $((10 * 1024 * 1024 + 2048)) ]
	done
	# the newest lines are still there
	[ "$(b logs --tail 1 chatty | wc -c)" -eq 1000 ]

	b run -d --name small --log-opt max-size=100k --log-opt max-file=2 busybox \
		sh -c 'head -c 500000 /dev/zero | tr "\0" x | fold -w 1000' >/dev/null
	b wait small >/dev/null
	log=$(b inspect -f '{{.LogPath}}' small)
	[ -f "$log" ] && [ -f "$log.1" ]
	[ ! -e "$log.2" ]
	[ "$(stat -c %s "$log.1")" -le $((100 * 1024 + 2048)) ]

	b run -d --name unbounded --log-opt max-size=-1 busybox \
		sh -c 'head -c 12000000 /dev/zero | tr "\0" x | fold -w 1000' >/dev/null
	b wait unbounded >/dev/null
	log=$(b inspect -f '{{.LogPath}}' unbounded)
	[ ! -e "$log.1" ]
	[ "$(stat -c %s "$log")" -gt $((12 * 1000 * 1000)) ]
}
