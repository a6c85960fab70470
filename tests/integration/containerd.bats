#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# containerd drives the runtime under test through its runc shim, as under
# Kubernetes: ctr run --runc-binary, exec, kill, pause, metrics, delete.

load helpers
load helpers/containerd

# bats 1.8 cannot skip from setup_file: a missing tool is noted and each test skips
setup_file()
{
	local t
	export MISSING=
	for t in containerd ctr umoci skopeo; do
		command -v "$t" >/dev/null || MISSING="$MISSING $t"
	done
	[ -n "$MISSING" ] || ctrd_start
}

teardown_file() { ctrd_stop; }

setup()
{
	common_setup
	ID=$PREFIX
	[ -z "$MISSING" ] || skip "not installed:$MISSING (scripts/install-deps.sh)"
}

teardown()
{
	ctrd_clear
	common_teardown
}

# A task init that stays up, and exits 42 on SIGTERM (PID 1 ignores signals it has no handler for).
LOOP='trap "exit 42" TERM; while :; do sleep 0.05; done'

# nothing of task ID is left: no task, container, runtime state or cgroup
assert_task_gone()
{
	local id=$1
	[ -z "$(task_status "$id")" ] || {
		echo "task $id left"
		return 1
	}
	! c containers ls -q | grep -qx "$id" || {
		echo "container $id left"
		return 1
	}
	! rt_ids | grep -qx "$id" || {
		echo "runtime state of $id left in $RUNC_ROOT/$CTRD_NS"
		return 1
	}
	[ -z "$(cgroups_named "$CTRD_NS/$id")" ] || {
		echo "cgroups left:"
		cgroups_named "$CTRD_NS/$id"
		return 1
	}
}

nprocs_is() { [ "$(c task ps "$1" | grep -c '^[0-9]')" -eq "$2" ]; }

# freezer_state PID: FROZEN or THAWED, from the v1 freezer or the v2 cgroup.events
freezer_state()
{
	local f
	f=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$1/cgroup")
	if [ -n "$f" ]; then
		cat "/sys/fs/cgroup/freezer$f/freezer.state"
	else
		f=$(awk -F: '$1 == 0 { print $3 }' "/proc/$1/cgroup")
		grep -q '^frozen 1' "/sys/fs/cgroup$f/cgroup.events" && echo FROZEN || echo THAWED
	fi
}

# pause_unsupported OUTPUT: berth-runtime answered that it lacks pause (being added)
pause_unsupported() { is_berth && [[ $1 == *"not supported"* ]]; }

@test "containerd: ctr run returns a command's output and exit code" {
	run c_run --rm "$CTRD_IMAGE" "$ID" sh -c 'echo hi; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = hi ]
	assert_task_gone "$ID"
}

@test "containerd: the task runs in the image's rootfs, as pid 1, in cgroup /namespace/id" {
	c_run -d "$CTRD_IMAGE" "$ID" sh -c "$LOOP"
	run c_exec --exec-id x1 "$ID" sh -c 'tr "\0" " " </proc/1/cmdline; echo; cat /etc/passwd'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "sh -c $LOOP " ]
	[ "${lines[1]}" = "root:x:0:0:root:/root:/bin/sh" ]
	local pid
	pid=$(c task ls | awk -v id="$ID" '$1 == id { print $2 }')
	cat "/proc/$pid/cgroup"
	grep -qE "^[0-9]+:memory:/$CTRD_NS/$ID\$|^0::/$CTRD_NS/$ID\$" "/proc/$pid/cgroup"
}

@test "containerd: a failing create reports the runtime's error from its json log" {
	run c_run --rm "$CTRD_IMAGE" "$ID" /no/such/binary
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"/no/such/binary"* ]]
	assert_task_gone "$ID"
}

@test "containerd: ctr run -t through a pty" {
	run timeout 30 script -qec "$(c_cmdline run -t --rm --fifo-dir "$CTRD_DIR/fifo" --runc-binary "$RT_PATH" \
		--runc-root "$RUNC_ROOT" "$CTRD_IMAGE" "$ID" sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; exit 2')" /dev/null </dev/null
	output=$(tr -d '\0\r' <<<"$output")
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"stdin-is-tty"* ]]
	assert_task_gone "$ID"
}

@test "containerd: a detached task runs execs, lists its processes, is killed and deleted" {
	c_run -d "$CTRD_IMAGE" "$ID" sleep 100
	[ "$(task_status "$ID")" = RUNNING ]
	run c_exec --exec-id x1 "$ID" echo from-exec
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-exec ]
	run c_exec --exec-id x2 "$ID" sh -c 'echo $$; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	# the exec's pid in the task's pid namespace: not the init's
	[ "$output" -gt 1 ]
	# the shim asks the runtime: RT ps --format json ID
	run c task ps "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	local pid
	pid=$(c task ls | awk -v id="$ID" '$1 == id { print $2 }')
	[ "$(awk 'NR > 1 { print $1 }' <<<"$output")" = "$pid" ]
	c task kill -s KILL "$ID"
	wait_for 10 task_status_is "$ID" STOPPED
	c task rm "$ID"
	c containers rm "$ID"
	assert_task_gone "$ID"
}

@test "containerd: ctr task kill sends SIGTERM by default and delete reports the exit code" {
	c_run -d "$CTRD_IMAGE" "$ID" sh -c "$LOOP"
	c task kill "$ID"
	wait_for 10 task_status_is "$ID" STOPPED
	run c task rm "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit code 42"* ]]
	c containers rm "$ID"
	assert_task_gone "$ID"
}

@test "containerd: ctr task exec -d and -t, kill --all reaches the execs" {
	c_run -d "$CTRD_IMAGE" "$ID" sleep 100
	c_exec -d --exec-id x1 "$ID" sleep 100
	local init exec_pid
	init=$(c task ls | awk -v id="$ID" '$1 == id { print $2 }')
	wait_for 5 nprocs_is "$ID" 2
	exec_pid=$(c task ps "$ID" | awk -v init="$init" 'NR > 1 && $1 != init { print $1 }')
	[ "$exec_pid" -gt 0 ]
	# exec --tty: the shim hands the runtime a console socket
	run timeout 30 script -qec "$(c_cmdline task exec -t --fifo-dir "$CTRD_DIR/fifo" --exec-id x2 "$ID" \
		sh -c 'tty; exit 4')" /dev/null </dev/null
	output=$(tr -d '\0\r' <<<"$output")
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == */dev/pts/* ]]
	# the shim asks the runtime: RT kill --all ID 15; the init (pid 1, no
	# handler) ignores SIGTERM, the exec'd sleep dies of it
	c task kill -a -s TERM "$ID"
	wait_for 5 bash -c "! kill -0 $exec_pid 2>/dev/null"
	[ "$(task_status "$ID")" = RUNNING ]
	c task kill -s KILL "$ID"
	wait_for 10 task_status_is "$ID" STOPPED
	c task rm "$ID"
	c containers rm "$ID"
	assert_task_gone "$ID"
}

@test "containerd: five tasks started at once all run and go" {
	local i
	for i in 1 2 3 4 5; do
		c_run -d "$CTRD_IMAGE" "$ID-$i" sleep 100 &
	done
	wait
	for i in 1 2 3 4 5; do
		[ "$(task_status "$ID-$i")" = RUNNING ]
	done
	for i in 1 2 3 4 5; do
		c task kill -s KILL "$ID-$i" &
	done
	wait
	for i in 1 2 3 4 5; do
		wait_for 10 task_status_is "$ID-$i" STOPPED
		c task rm "$ID-$i"
		c containers rm "$ID-$i"
		assert_task_gone "$ID-$i"
	done
}

@test "containerd: ctr task exec into a stopped task fails cleanly" {
	c_run -d "$CTRD_IMAGE" "$ID" true
	wait_for 10 task_status_is "$ID" STOPPED
	run c_exec --exec-id x1 "$ID" echo no
	echo "$output"
	[ "$status" -ne 0 ]
	c task rm "$ID"
	c containers rm "$ID"
	assert_task_gone "$ID"
}

@test "containerd: ctr task pause and resume freeze and thaw the task" {
	c_run -d "$CTRD_IMAGE" "$ID" sleep 100
	run c task pause "$ID"
	echo "$output"
	if [ "$status" -ne 0 ] && pause_unsupported "$output"; then
		skip "berth-runtime has no pause yet (being added): $output"
	fi
	[ "$status" -eq 0 ]
	[ "$(task_status "$ID")" = PAUSED ]
	local pid
	pid=$(c task ls | awk -v id="$ID" '$1 == id { print $2 }')
	[ "$(freezer_state "$pid")" = FROZEN ]
	c task resume "$ID"
	[ "$(task_status "$ID")" = RUNNING ]
	[ "$(freezer_state "$pid")" = THAWED ]
	c_exec --exec-id x1 "$ID" true
}

@test "containerd: ctr task metrics reads the task's cgroups" {
	c_run -d "$CTRD_IMAGE" "$ID" sleep 100
	run c task metrics "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	local usage
	usage=$(awk '$1 ~ /^memory\.usage/ { print $2 }' <<<"$output")
	[ "${usage:-0}" -gt 0 ]
	[ "$(awk '$1 == "pids.current" { print $2 }' <<<"$output")" = 1 ]
}
