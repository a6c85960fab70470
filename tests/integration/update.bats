#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pause/resume, update, events and ps of a live container, as runc 1.1 does
# them on this machine's (hybrid, v1 freezer) cgroup layout.

load helpers

# Counts into /data/count ten times a second (the spec's root is read-only: /data is a bind mount).
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/data/count; sleep 0.1; done'

# the cgroup directory of PID in a v1 controller
cgroup_dir()
{
	local pid=$1 ctl=$2
	echo "/sys/fs/cgroup/$ctl$(awk -F: -v c="$ctl" '$2 == c { print $3 }' "/proc/$pid/cgroup")"
}

count() { cat "$BATS_TEST_TMPDIR/data/count"; }
count_above() { [ "$(count)" -gt "$1" ]; }

@test "pause stops the processes, state says paused, resume continues" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	mkdir -p "$BATS_TEST_TMPDIR/data"
	cfg "$BUNDLE" '.mounts += [{"destination": "/data", "type": "bind", "source": $d, "options": ["rbind"]}]' \
		--arg d "$BATS_TEST_TMPDIR/data"
	start_container "$PREFIX-a"
	wait_for 5 test -s "$BATS_TEST_TMPDIR/data/count"
	run rt pause "$PREFIX-a"
	[ "$status" -eq 0 ]
	[ "$(container_status "$PREFIX-a")" = paused ]
	[ "$(cat "$(cgroup_dir "$(container_pid "$PREFIX-a")" freezer)/freezer.state")" = FROZEN ]
	local c1 c2
	c1=$(count)
	sleep 0.5
	c2=$(count)
	[ "$c1" = "$c2" ]
	run rt list
	[[ "$output" == *paused* ]]
	run rt resume "$PREFIX-a"
	[ "$status" -eq 0 ]
	[ "$(container_status "$PREFIX-a")" = running ]
	wait_for 5 count_above "$c2"
	rt delete -f "$PREFIX-a"
	assert_nothing_left
}

@test "pause and resume refuse the wrong states with runc's messages" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	start_container "$PREFIX-a"
	run rt resume "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container not paused"* ]]
	rt kill "$PREFIX-a" KILL
	wait_for 5 status_is "$PREFIX-a" stopped
	run rt pause "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container not running"* ]]
	run rt update --memory 64m "$PREFIX-a"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container not running"* ]]
	run rt events --stats "$PREFIX-a"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container with id $PREFIX-a is not running"* ]]
	rt delete "$PREFIX-a"
	assert_nothing_left
}

@test "a paused container: delete refuses, kill -9 then delete works, delete -f leaves nothing" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	start_container "$PREFIX-a"
	rt pause "$PREFIX-a"
	run rt delete "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not stopped: paused"* ]]
	rt kill "$PREFIX-a" KILL
	wait_for 5 status_is "$PREFIX-a" stopped
	rt delete "$PREFIX-a"
	start_container "$PREFIX-b"
	rt exec -d "$PREFIX-b" sleep 100
	rt pause "$PREFIX-b"
	run rt delete -f "$PREFIX-b"
	[ "$status" -eq 0 ]
	assert_nothing_left
}

@test "update with flags changes the cgroup files" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	cfg "$BUNDLE" '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 100}'
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	run rt update --memory 32m --pids-limit 50 --cpu-quota 50000 --cpu-period 200000 --cpu-share 512 "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes")" = 33554432 ]
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 50 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_period_us")" = 200000 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.shares")" = 512 ]
	# a quota alone keeps the period
	rt update --cpu-quota 30000 "$PREFIX-a"
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us")" = 30000 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_period_us")" = 200000 ]
	# unchanged values stay
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 50 ]
	run rt update --memory 12x "$PREFIX-a"
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid value for memory"* ]]
	rt delete -f "$PREFIX-a"
	assert_nothing_left
}

@test "update -r reads a resources file or stdin" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	cfg "$BUNDLE" '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 100}'
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	echo '{"memory": {"limit": 16777216}, "cpu": {"shares": 256}, "pids": {"limit": 20}}' >"$BATS_TEST_TMPDIR/r.json"
	rt update -r "$BATS_TEST_TMPDIR/r.json" "$PREFIX-a"
	[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes")" = 16777216 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.shares")" = 256 ]
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 20 ]
	echo '{"pids": {"limit": -1}}' | rt update -r - "$PREFIX-a"
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = max ]
	[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes")" = 16777216 ]
	echo '{"memory": {"limit": "x"}}' >"$BATS_TEST_TMPDIR/bad.json"
	run rt update -r "$BATS_TEST_TMPDIR/bad.json" "$PREFIX-a"
	[ "$status" -eq 1 ]
	rt delete -f "$PREFIX-a"
	assert_nothing_left
}

@test "update records the new values in the state's config copy" {
	skip_if_runc "runc keeps its own state.json format"
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	start_container "$PREFIX-a"
	rt update --memory 48m --pids-limit 30 "$PREFIX-a"
	[ "$(jq .linux.resources.memory.limit "$ROOT/$PREFIX-a/config.json")" = 50331648 ]
	[ "$(jq .linux.resources.pids.limit "$ROOT/$PREFIX-a/config.json")" = 30 ]
	rt delete -f "$PREFIX-a"
}

# The key sets of runc 1.1's `events --stats` on this layout.
@test "events --stats prints one JSON line with runc's keys" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	cfg "$BUNDLE" '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 100}'
	start_container "$PREFIX-a"
	run rt events --stats "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	local j=$output
	[ "$(jq -c 'keys' <<<"$j")" = '["data","id","type"]' ]
	[ "$(jq -r .type <<<"$j")" = stats ]
	[ "$(jq -r .id <<<"$j")" = "$PREFIX-a" ]
	[ "$(jq -c '.data | keys' <<<"$j")" = \
		'["blkio","cpu","cpuset","hugetlb","intel_rdt","memory","network_interfaces","pids"]' ]
	[ "$(jq -c '.data.cpu | keys' <<<"$j")" = '["throttling","usage"]' ]
	[ "$(jq -c '.data.cpu.usage | keys' <<<"$j")" = '["kernel","percpu","percpu_kernel","percpu_user","total","user"]' ]
	[ "$(jq -c '.data.memory.usage | keys' <<<"$j")" = '["failcnt","limit","max","usage"]' ]
	[ "$(jq -c '.data.memory | keys - ["cache"]' <<<"$j")" = '["kernel","kernelTCP","raw","swap","usage"]' ]
	[ "$(jq -c '.data.cpuset | keys' <<<"$j")" = \
		'["cpu_exclusive","cpus","mem_exclusive","mem_hardwall","memory_migrate","memory_pressure","memory_spread_page","memory_spread_slab","mems","sched_load_balance","sched_relax_domain_level"]' ]
	[ "$(jq .data.memory.usage.limit <<<"$j")" = 67108864 ]
	[ "$(jq .data.pids.limit <<<"$j")" = 100 ]
	[ "$(jq .data.pids.current <<<"$j")" -ge 1 ]
	[ "$(jq .data.network_interfaces <<<"$j")" = null ]
	jq -e '.data.memory.raw | has("total_rss")' <<<"$j"
	run rt events --interval 0s --stats "$PREFIX-a"
	[ "$status" -eq 1 ]
	rt delete -f "$PREFIX-a"
}

@test "events reports an OOM kill and stats, and ends when the container is deleted" {
	make_bundle "$BUNDLE" sh -c 'sleep 1; tail /dev/zero; sleep 100'
	cfg "$BUNDLE" '.linux.resources.memory = {"limit": 8388608, "swap": 8388608}'
	start_container "$PREFIX-a"
	local out=$BATS_TEST_TMPDIR/events.out
	(
		rt events --interval 1s "$PREFIX-a" >"$out"
		echo "exit $?" >>"$out"
	) 3>&- &
	wait_for 10 grep -q '"type":"oom"' "$out"
	[ "$(grep '"type":"oom"' "$out" | head -1)" = "{\"type\":\"oom\",\"id\":\"$PREFIX-a\"}" ]
	wait_for 5 grep -q '"type":"stats"' "$out"
	rt delete -f "$PREFIX-a"
	wait_for 5 grep -q '^exit' "$out"
	grep -qx 'exit 0' "$out"
	assert_nothing_left
}

@test "ps lists an exec'd process next to init" {
	make_bundle "$BUNDLE" sh -c "$COUNTER"
	start_container "$PREFIX-a"
	rt exec -d "$PREFIX-a" sleep 100
	local init
	init=$(container_pid "$PREFIX-a")
	run rt ps -f json "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e --argjson p "$init" 'index($p) != null' <<<"$output"
	run rt ps "$PREFIX-a"
	echo "$output"
	[[ "${lines[0]}" == UID*PID*CMD ]]
	[[ "$output" == *"sleep 100"* ]]
	rt delete -f "$PREFIX-a"
	assert_nothing_left
}
