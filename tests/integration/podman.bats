#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Podman (through conmon) drives the runtime under test: run, -it through a
# pty, -d then exec, logs, stop, memory and pids limits, pause.

load helpers
load helpers/podman

# bats 1.8 cannot skip from setup_file: a missing tool is noted and each test skips
setup_file()
{
	local t
	export MISSING=
	for t in podman conmon umoci skopeo; do
		command -v "$t" >/dev/null || MISSING="$MISSING $t"
	done
	[ -n "$MISSING" ] || pm_start
}

teardown_file() { pm_stop; }

setup()
{
	common_setup
	NAME=$PREFIX
	[ -z "$MISSING" ] || skip "not installed:$MISSING (scripts/install-deps.sh)"
}

teardown()
{
	pm_clear
	common_teardown
}

# A container init that says so, then stays up; SIGTERM makes it say bye and exit 0.
LOOP='echo started; trap "echo bye; exit 0" TERM; while :; do sleep 0.05; done'

logs_are() { [ "$(pm logs "$1" 2>&1)" = "$2" ]; }

# nothing of container ID (full id) is left: no runtime state, no cgroup
assert_container_gone()
{
	local id=$1
	! "$RT_PATH" list -q 2>/dev/null | grep -qx "$id" || {
		echo "runtime state of $id left"
		return 1
	}
	[ -z "$(cgroups_named "${PM_CGROUP#/}/libpod-$id")" ] || {
		echo "cgroups left:"
		cgroups_named "${PM_CGROUP#/}/libpod-$id"
		return 1
	}
}

@test "podman: run --rm prints and returns the exit code" {
	run pm_run --rm "$PM_IMAGE" echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run pm_run --rm "$PM_IMAGE" sh -c 'echo out; echo err >&2; exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[ "${lines[0]}" = out ]
	[ "${lines[1]}" = err ]
}

@test "podman: run with Podman's own default ulimits (above the hard limits)" {
	local hard_nofile
	hard_nofile=$(ulimit -Hn)
	[ "$hard_nofile" != unlimited ] && [ "$hard_nofile" -lt 1048576 ] ||
		skip "hard nofile limit is $hard_nofile: nothing to clamp here"
	PM_CONF_OVERRIDE=$PM_CONF_DEFAULT run pm_run --rm "$PM_IMAGE" sh -c 'ulimit -Hn'
	echo "$output"
	if is_berth; then
		# clamped to the hard limit, with a warning
		[ "$status" -eq 0 ]
		grep -x "$hard_nofile" <<<"$output"
	else
		# runc applies the 1048576 of Podman's defaults and fails: what berth's clamp is for
		[ "$status" -ne 0 ]
		[[ $output == *"rlimit"* ]]
	fi
}

@test "podman: a missing or non-executable command exits 127 or 126 (Podman reads the runtime's error)" {
	local status=0
	pm_run --rm "$PM_IMAGE" /no/such || status=$?
	[ "$status" -eq 127 ]
	status=0
	pm_run --rm "$PM_IMAGE" nosuchcmd || status=$?
	[ "$status" -eq 127 ]
	status=0
	pm_run --rm "$PM_IMAGE" /etc/passwd || status=$?
	[ "$status" -eq 126 ]
}

@test "podman: run -it through a pty" {
	# script(1) gives podman a terminal; the line typed reaches the container's read
	local cmd
	cmd=$(pm_cmdline run --rm -it --cgroup-parent "$PM_CGROUP" --network none "$PM_IMAGE" \
		sh -c 'tty; read x; echo got-$x; exit 4')
	run bash -c 'printf "hello\n" | timeout 30 script -qec "$1" /dev/null' bash "$cmd"
	output=$(tr -d '\0\r' <<<"$output")
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"got-hello"* ]]
}

@test "podman: run -d, exec, exec -it, logs, stop, rm" {
	local id
	id=$(pm_run -d --name "$NAME" "$PM_IMAGE" sh -c "$LOOP")
	wait_for 10 logs_are "$NAME" started
	run pm exec "$NAME" echo from-exec
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-exec ]
	run pm exec "$NAME" sh -c 'exit 6'
	[ "$status" -eq 6 ]
	run timeout 30 script -qec "$(pm_cmdline exec -it "$NAME" sh -c 'tty; exit 3')" /dev/null </dev/null
	output=$(tr -d '\0\r' <<<"$output")
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"/dev/pts/"* ]]
	run pm stop -t 10 "$NAME"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$NAME")" = "exited 0" ]
	run pm logs "$NAME"
	echo "$output"
	[ "$output" = "started
bye" ]
	pm rm "$NAME"
	assert_container_gone "$id"
}

@test "podman: --memory and --pids-limit reach the cgroup" {
	local pid f
	pm_run -d --name "$NAME" --memory 64m --pids-limit 50 "$PM_IMAGE" sh -c "$LOOP"
	pid=$(pm_pid "$NAME")
	[ "$pid" -gt 0 ]
	f=$(cgroup_file "$pid" memory memory.limit_in_bytes)
	if [ -n "$f" ]; then
		echo "$f"
		[ "$(cat "$f")" = 67108864 ]
		[ "$(cat "$(cgroup_file "$pid" pids pids.max)")" = 50 ]
	else
		f=/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
		[ "$(cat "$f/memory.max")" = 67108864 ]
		[ "$(cat "$f/pids.max")" = 50 ]
	fi
	[[ $f == *"$PM_CGROUP/libpod-"* ]]
	# the limit holds: of 60 sleeps forked, some fail
	run pm exec "$NAME" sh -c 'for i in $(seq 60); do sleep 2 >/dev/null 2>&1 & done; echo forked'
	echo "$output"
	[[ $output == *"can't fork"* ]]
	f=$(cgroup_file "$pid" pids pids.current)
	[ -z "$f" ] || [ "$(cat "$f")" -le 50 ]
}

@test "podman: pause and unpause freeze and thaw the container" {
	local pid
	pm_run -d --name "$NAME" "$PM_IMAGE" sh -c "$LOOP"
	pid=$(pm_pid "$NAME")
	run pm pause "$NAME"
	echo "$output"
	if [ "$status" -ne 0 ] && is_berth && [[ $output == *"not supported"* ]]; then
		skip "berth-runtime has no pause yet (being added): ${lines[0]}"
	fi
	[ "$status" -eq 0 ]
	[ "$(pm inspect --format '{{.State.Status}}' "$NAME")" = paused ]
	[ "$(cat "$(cgroup_file "$pid" freezer freezer.state)")" = FROZEN ]
	pm unpause "$NAME"
	[ "$(pm inspect --format '{{.State.Status}}' "$NAME")" = running ]
	[ "$(cat "$(cgroup_file "$pid" freezer freezer.state)")" = THAWED ]
	run pm exec "$NAME" echo awake
	[ "$output" = awake ]
}

@test "podman: an image without /run (as docker.io/busybox) runs" {
	local status=0 output
	# not run: Podman answers 127 here (it takes "no such file" for a missing command)
	output=$(pm_run --rm "$PM_BARE_IMAGE" sh -c 'echo hi; cat /run/.containerenv >/dev/null && echo has-containerenv' 2>&1) ||
		status=$?
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hi
has-containerenv" ]
}
