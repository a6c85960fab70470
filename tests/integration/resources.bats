#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.resources on this machine's cgroup layout: each resource its
# controller has lands in the container's cgroup files (the same values as
# runc's), and a resource whose controller is missing fails with an error
# naming it and leaves nothing behind.

load helpers

# cgroup_file PID CONTROLLER FILE: the path of FILE in PID's cgroup of a v1
# controller ("" for the cgroup2 hierarchy), found from /proc/PID/cgroup
cgroup_file()
{
	local pid=$1 ctl=$2 file=$3 mp path
	if [ -z "$ctl" ]; then
		mp=/sys/fs/cgroup/unified
		[ -e /sys/fs/cgroup/cgroup.controllers ] && mp=/sys/fs/cgroup
		path=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
	else
		path=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
			"/proc/$pid/cgroup")
		mp=$(awk -v c="$ctl" '$9 == "cgroup" && ("," $NF ",") ~ ("," c ",") { print $5; exit }' /proc/self/mountinfo)
	fi
	echo "$mp$path/$file"
}

# v1 controller mounted here (hybrid or v1 layout)?
has_v1() { awk -v c="$1" '$9 == "cgroup" && ("," $NF ",") ~ ("," c ",") { f = 1 } END { exit !f }' /proc/self/mountinfo; }

is_v2() { [ -e /sys/fs/cgroup/cgroup.controllers ]; }

# run_with RESOURCES-JSON: a sleeping container with .linux.resources += RESOURCES; sets PID
run_with()
{
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.linux.resources += $r' --argjson r "$1"
	start_container "$PREFIX-a"
	PID=$(container_pid "$PREFIX-a")
	cat "/proc/$PID/cgroup"
}

# value PID CONTROLLER FILE: the file's content (first line)
value() { head -n1 "$(cgroup_file "$@")"; }

# fails_cleanly RESOURCES-JSON MESSAGE: run fails, berth's error contains MESSAGE, nothing is left
fails_cleanly()
{
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.linux.resources += $r' --argjson r "$1"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	if is_berth; then
		[[ "$output" == *"$2"* ]]
	fi
	assert_nothing_left
	[ ! -e "$ROOT/$PREFIX-a" ]
}

@test "resources: memory limit, reservation, swap, swappiness, disableOOMKiller" {
	has_v1 memory || skip "no v1 memory controller"
	run_with '{"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 10,
		"disableOOMKiller": true, "useHierarchy": true}}'
	[ "$(value "$PID" memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(value "$PID" memory memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(value "$PID" memory memory.memsw.limit_in_bytes)" = 134217728 ]
	[ "$(value "$PID" memory memory.swappiness)" = 10 ]
	[ "$(value "$PID" memory memory.oom_control)" = "oom_kill_disable 1" ]
	[ "$(value "$PID" memory memory.use_hierarchy)" = 1 ]
}

@test "resources: memory limit lowered below swap, and unlimited (-1)" {
	has_v1 memory || skip "no v1 memory controller"
	# the kernel keeps limit <= memsw: a limit above the current memsw needs memsw raised first
	run_with '{"memory": {"limit": 268435456, "swap": 536870912}}'
	[ "$(value "$PID" memory memory.limit_in_bytes)" = 268435456 ]
	[ "$(value "$PID" memory memory.memsw.limit_in_bytes)" = 536870912 ]
	rt delete -f "$PREFIX-a"
	rm -rf "$BUNDLE"
	run_with '{"memory": {"limit": -1}}'
	[ "$(value "$PID" memory memory.limit_in_bytes)" = 9223372036854771712 ]
	[ "$(value "$PID" memory memory.memsw.limit_in_bytes)" = 9223372036854771712 ]
}

@test "resources: kernel memory limits are ignored with a warning" {
	has_v1 memory || skip "no v1 memory controller"
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.linux.resources += {"memory": {"limit": 67108864, "kernel": 1048576, "kernelTCP": 1048576}}'
	create_container "$PREFIX-a"
	cat "$BATS_TEST_TMPDIR/$PREFIX-a.out"
	grep -qi "kernel memory.*ignor" "$BATS_TEST_TMPDIR/$PREFIX-a.out"
	PID=$(container_pid "$PREFIX-a")
	[ "$(value "$PID" memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(value "$PID" memory memory.kmem.limit_in_bytes)" = 9223372036854771712 ]
	[ "$(value "$PID" memory memory.kmem.tcp.limit_in_bytes)" = 9223372036854771712 ]
}

@test "resources: cpu shares, quota, period and realtime runtime/period" {
	has_v1 cpu || skip "no v1 cpu controller"
	run_with '{"cpu": {"shares": 256, "quota": 30000, "period": 60000, "realtimeRuntime": 10000,
		"realtimePeriod": 1000000}}'
	[ "$(value "$PID" cpu cpu.shares)" = 256 ]
	[ "$(value "$PID" cpu cpu.cfs_quota_us)" = 30000 ]
	[ "$(value "$PID" cpu cpu.cfs_period_us)" = 60000 ]
	[ "$(value "$PID" cpu cpu.rt_runtime_us)" = 10000 ]
	[ "$(value "$PID" cpu cpu.rt_period_us)" = 1000000 ]
}

@test "resources: cpu burst and idle" {
	skip_if_runc "runc 1.1 predates cpu burst and idle (runtime-spec 1.1), it ignores them"
	has_v1 cpu || skip "no v1 cpu controller"
	[ -e "$(dirname "$(cgroup_file $$ cpu cpu.shares)")/cpu.idle" ] || skip "kernel without cpu.idle"
	run_with '{"cpu": {"quota": 50000, "period": 100000, "burst": 20000, "idle": 1}}'
	[ "$(value "$PID" cpu cpu.cfs_burst_us)" = 20000 ]
	[ "$(value "$PID" cpu cpu.idle)" = 1 ]
	[ "$(value "$PID" cpu cpu.cfs_quota_us)" = 50000 ]
}

@test "resources: cpuset cpus and mems" {
	has_v1 cpuset || skip "no v1 cpuset controller"
	run_with '{"cpu": {"cpus": "0", "mems": "0"}}'
	[ "$(value "$PID" cpuset cpuset.cpus)" = 0 ]
	[ "$(value "$PID" cpuset cpuset.mems)" = 0 ]
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$PID/status"
}

@test "resources: pids limit" {
	has_v1 pids || skip "no v1 pids controller"
	run_with '{"pids": {"limit": 42}}'
	[ "$(value "$PID" pids pids.max)" = 42 ]
}

@test "resources: blockIO weight and throttles" {
	has_v1 blkio || skip "no v1 blkio controller"
	local dev
	dev=$(awk '$5 == "/" { print $3; exit }' /proc/self/mountinfo)
	# the device of / (its whole disk when it is a partition)
	[ -e "/sys/dev/block/$dev/partition" ] && dev=$(cat "/sys/dev/block/$dev/../dev")
	local maj=${dev%:*} min=${dev#*:}
	run_with "$(jq -n --argjson a "$maj" --argjson i "$min" '{"blockIO": {"weight": 300,
		"throttleReadBpsDevice": [{"major": $a, "minor": $i, "rate": 1048576}],
		"throttleWriteBpsDevice": [{"major": $a, "minor": $i, "rate": 2097152}],
		"throttleReadIOPSDevice": [{"major": $a, "minor": $i, "rate": 100}],
		"throttleWriteIOPSDevice": [{"major": $a, "minor": $i, "rate": 200}]}}')"
	local w
	# CFQ's file where the kernel has one, else BFQ's
	w=$(cgroup_file "$PID" blkio blkio.weight)
	[ -e "$w" ] || w=$(cgroup_file "$PID" blkio blkio.bfq.weight)
	[ "$(head -n1 "$w")" = 300 ]
	[ "$(value "$PID" blkio blkio.throttle.read_bps_device)" = "$dev 1048576" ]
	[ "$(value "$PID" blkio blkio.throttle.write_bps_device)" = "$dev 2097152" ]
	[ "$(value "$PID" blkio blkio.throttle.read_iops_device)" = "$dev 100" ]
	[ "$(value "$PID" blkio blkio.throttle.write_iops_device)" = "$dev 200" ]
}

@test "resources: blockIO leafWeight without CFQ fails cleanly" {
	has_v1 blkio || skip "no v1 blkio controller"
	[ ! -e "$(dirname "$(cgroup_file $$ blkio blkio.reset_stats)")/blkio.leaf_weight" ] || skip "kernel with CFQ"
	fails_cleanly '{"blockIO": {"leafWeight": 300}}' "set blockIO leafWeight: open '"
}

@test "resources: hugepage limit without a usable hugetlb controller fails cleanly" {
	has_v1 hugetlb && skip "hugetlb is mounted here"
	is_v2 && skip "cgroup v2 layout"
	fails_cleanly '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}' \
		"hugepage limit '2MB' set but the 'hugetlb' cgroup controller is not available"
}

@test "resources: network classID without net_cls fails cleanly" {
	has_v1 net_cls && skip "net_cls is mounted here"
	is_v2 && skip "cgroup v2 layout"
	fails_cleanly '{"network": {"classID": 1048577}}' \
		"network classID set but the 'net_cls' cgroup controller is not available"
}

@test "resources: network priorities without net_prio fails cleanly" {
	has_v1 net_prio && skip "net_prio is mounted here"
	is_v2 && skip "cgroup v2 layout"
	fails_cleanly '{"network": {"priorities": [{"name": "lo", "priority": 5}]}}' \
		"network priorities set but the 'net_prio' cgroup controller is not available"
}

@test "resources: rdma limit without the rdma controller fails cleanly" {
	has_v1 rdma && skip "rdma is mounted here"
	is_v2 && skip "cgroup v2 layout"
	fails_cleanly '{"rdma": {"mlx4_0": {"hcaHandles": 2, "hcaObjects": 2000}}}' \
		"rdma limit set but the 'rdma' cgroup controller is not available"
}

@test "resources: unified keys on a v1 or hybrid layout fail cleanly, naming the key" {
	is_v2 && skip "cgroup v2 layout"
	fails_cleanly '{"unified": {"memory.high": "1000000"}}' \
		"unified cgroup resource 'memory.high' set but the cgroup layout is not v2"
}

@test "resources: an invalid value is refused before anything is made" {
	fails_cleanly '{"memory": {"limit": 67108864, "swap": 1048576}}' \
		"memory+swap limit 1048576 should be at least the memory limit 67108864"
}
