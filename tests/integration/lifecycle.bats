#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Container lifecycle as runc's command line has it: spec, create, start, run,
# state, list, kill, ps, delete.

load helpers

# A container init that stays up and exits 42 on SIGTERM or SIGUSR1 (PID 1
# ignores signals it has no handler for).
LOOP='trap "exit 42" TERM USR1; echo ready; while :; do sleep 0.05; done'

@test "a spec bundle runs" {
	make_bundle "$BUNDLE" sh -c 'echo hello from $$'
	cd "$BUNDLE"
	run rt run "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from 1" ]
	assert_nothing_left
}

@test "a runc spec bundle runs unchanged but for args and terminal" {
	command -v runc >/dev/null || skip "runc not installed"
	mkdir -p "$BUNDLE"
	cp -a "$BATS_FILE_TMPDIR/rootfs" "$BUNDLE/rootfs"
	(cd "$BUNDLE" && runc spec)
	cfg "$BUNDLE" '.process.terminal = false | .process.args = ["echo", "ok"]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
}

@test "run returns the container's exit status" {
	make_bundle "$BUNDLE" sh -c 'exit 3'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	[ "$status" -eq 3 ]
	make_bundle "$BATS_TEST_TMPDIR/b2" true
	run rt run --bundle "$BATS_TEST_TMPDIR/b2" "$PREFIX-b"
	[ "$status" -eq 0 ]
	assert_nothing_left
}

@test "create, start, kill, delete go through created, running, stopped" {
	make_bundle "$BUNDLE" sh -c "$LOOP"
	local id=$PREFIX-a pid
	create_container "$id"
	run rt state "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	[ -d "/proc/$pid" ]
	rt start "$id"
	[ "$(container_status "$id")" = running ]
	wait_for 5 grep -q ready "$BATS_TEST_TMPDIR/$id.out"
	rt kill "$id" TERM
	wait_for 5 status_is "$id" stopped
	rt delete "$id"
	run rt state "$id"
	[ "$status" -ne 0 ]
	[ -z "$(rt list -q)" ]
	assert_nothing_left
}

@test "state JSON has runc's fields" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a"
	run rt state "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	local keys
	keys=$(jq -c 'keys' <<<"$output")
	[ "$keys" = '["bundle","created","id","ociVersion","owner","pid","rootfs","status"]' ]
	[ "$(jq -r .id <<<"$output")" = "$PREFIX-a" ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r .rootfs <<<"$output")" = "$BUNDLE/rootfs" ]
	[ "$(jq -r .owner <<<"$output")" = "" ]
	# RFC 3339 with nanoseconds, as Go prints it
	[[ $(jq -r .created <<<"$output") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]

	# the same bundle under runc has the same keys
	if ! is_runc && command -v runc >/dev/null; then
		local rroot=$BATS_TEST_TMPDIR/runc-state
		runc --root "$rroot" create --bundle "$BUNDLE" "$PREFIX-r" </dev/null >/dev/null 2>&1
		defer "runc --root '$rroot' delete -f '$PREFIX-r'"
		[ "$(runc --root "$rroot" state "$PREFIX-r" | jq -c keys)" = "$keys" ]
	fi
}

@test "list as table, json and -q" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a"
	create_container "$PREFIX-b"
	rt start "$PREFIX-b"

	run rt list
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER ]]
	[[ ${lines[1]} =~ ^$PREFIX-a\ +[0-9]+\ +created\ +$BUNDLE\  ]]
	[[ ${lines[2]} =~ ^$PREFIX-b\ +[0-9]+\ +running\ +$BUNDLE\  ]]
	# OWNER: the name of the state directory's owner, as runc prints it
	[[ ${lines[2]} =~ \ root$ ]]

	run rt list --format json
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[].id' <<<"$output" | sort | tr '\n' ' ')" = "$PREFIX-a $PREFIX-b " ]
	[ "$(jq -r ".[] | select(.id == \"$PREFIX-b\") | .status" <<<"$output")" = running ]
	[ "$(jq -r ".[] | select(.id == \"$PREFIX-a\") | .pid" <<<"$output")" -gt 0 ]

	run rt list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$PREFIX-a"$'\n'"$PREFIX-b" ]
}

@test "list of an empty root prints only the header" {
	run rt list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run rt list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "kill takes signal names with and without SIG, and numbers" {
	make_bundle "$BUNDLE" sh -c "$LOOP"
	local sig n=0
	for sig in TERM SIGUSR1 15 10; do
		n=$((n + 1))
		start_container "$PREFIX-$n"
		wait_for 5 grep -q ready "$BATS_TEST_TMPDIR/$PREFIX-$n.out"
		rt kill "$PREFIX-$n" "$sig"
		wait_for 5 status_is "$PREFIX-$n" stopped
		rt delete "$PREFIX-$n"
	done
	make_bundle "$BATS_TEST_TMPDIR/b2" sleep 100
	start_container "$PREFIX-k" "$BATS_TEST_TMPDIR/b2"
	rt kill "$PREFIX-k" 9
	wait_for 5 status_is "$PREFIX-k" stopped
	rt delete "$PREFIX-k"
	assert_nothing_left
}

@test "kill with a bad signal fails" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	run rt kill "$PREFIX-a" SIGNOPE
	[ "$status" -ne 0 ]
	[ "$(container_status "$PREFIX-a")" = running ]
}

@test "delete -f removes a running container" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	run rt delete "$PREFIX-a"
	[ "$status" -ne 0 ]
	rt delete -f "$PREFIX-a"
	wait_for 5 test ! -d "/proc/$pid"
	assert_nothing_left
}

@test "delete -f removes a created container" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a"
	rt delete -f "$PREFIX-a"
	assert_nothing_left
}

@test "ps --format json lists the init pid" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	run rt ps --format json "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	run rt ps "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *sleep* ]]
}

@test "create --pid-file writes the init pid" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a" "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid"
	[ -s "$BATS_TEST_TMPDIR/pid" ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(container_pid "$PREFIX-a")" ]
}

@test "run -d detaches and leaves the container running" {
	make_bundle "$BUNDLE" sleep 100
	rt run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$PREFIX-a" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	[ "$(container_status "$PREFIX-a")" = running ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(container_pid "$PREFIX-a")" ]
	rt kill "$PREFIX-a" KILL
	wait_for 5 status_is "$PREFIX-a" stopped
	rt delete "$PREFIX-a"
	assert_nothing_left
}

@test "a container whose init died shows stopped" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	kill -9 "$pid"
	wait_for 5 status_is "$PREFIX-a" stopped
	make_bundle "$BATS_TEST_TMPDIR/b2" true
	start_container "$PREFIX-b" "$BATS_TEST_TMPDIR/b2"
	wait_for 5 status_is "$PREFIX-b" stopped
	rt delete "$PREFIX-a"
	rt delete "$PREFIX-b"
	assert_nothing_left
}

@test "concurrent state and kill on one container are safe" {
	make_bundle "$BUNDLE" sh -c 'trap "echo usr1" USR1; echo ready; while :; do sleep 0.05; done'
	local id=$PREFIX-a i
	start_container "$id"
	wait_for 5 grep -q ready "$BATS_TEST_TMPDIR/$id.out"
	for i in 1 2 3 4; do
		(
			for _ in $(seq 15); do
				rt state "$id" | jq -e '.status == "running"' >/dev/null || exit 1
				rt kill "$id" USR1 || exit 1
			done
		) &
	done
	local failed=0
	for i in 1 2 3 4; do
		wait -n || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
	[ "$(container_status "$id")" = running ]
	rt delete -f "$id"
	assert_nothing_left
}

@test "features prints runc's document" {
	run rt features
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -c keys <<<"$output")" = '["annotations","hooks","linux","mountOptions","ociVersionMax","ociVersionMin"]' ]
	jq -e '.linux.namespaces | index("pid") != null and index("user") != null' <<<"$output"
	jq -e '.hooks | index("createRuntime") != null and index("poststop") != null' <<<"$output"
}

@test "spec --rootless and spec --bundle" {
	mkdir -p "$BATS_TEST_TMPDIR/s"
	rt spec --rootless --bundle "$BATS_TEST_TMPDIR/s"
	jq -e '.linux.namespaces | map(.type) | index("user") != null' "$BATS_TEST_TMPDIR/s/config.json"
	jq -e '.linux.uidMappings | length == 1' "$BATS_TEST_TMPDIR/s/config.json"
	run rt spec --bundle "$BATS_TEST_TMPDIR/s"
	[ "$status" -ne 0 ]
}

@test "exec --process, exec -d and kill --all" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	jq -n '{"terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/srv", "args": ["sh", "-c", "pwd; echo $X"],
		"env": ["PATH=/bin", "X=from-process-json"]}' >"$BATS_TEST_TMPDIR/process.json"
	run rt exec --process "$BATS_TEST_TMPDIR/process.json" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "/srv from-process-json" ]
	rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$PREFIX-a" sleep 100 </dev/null >/dev/null 2>&1
	local epid
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[ -d "/proc/$epid" ]
	[ "$(rt ps --format json "$PREFIX-a" | jq length)" -eq 2 ]
	rt kill --all "$PREFIX-a" KILL
	wait_for 5 status_is "$PREFIX-a" stopped
	wait_for 5 test ! -d "/proc/$epid"
	rt delete "$PREFIX-a"
	assert_nothing_left
}

@test "run --no-pivot moves the rootfs to / and runs" {
	make_bundle "$BUNDLE" sh -c 'head -1 /proc/self/mountinfo; ls /bin/busybox'
	run rt run --no-pivot --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *" / "* ]]
	[ "${lines[1]}" = /bin/busybox ]
	assert_nothing_left
}

@test "exec -t gives the process a terminal of its own" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	run timeout 20 script -qec "$RUNTIME --root $ROOT exec -t $PREFIX-a sh -c 'tty; echo in-tty'" /dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *in-tty* ]]
}

@test "run --keep leaves the stopped container for delete" {
	make_bundle "$BUNDLE" sh -c 'exit 4'
	run rt run --keep --bundle "$BUNDLE" "$PREFIX-a"
	[ "$status" -eq 4 ]
	[ "$(container_status "$PREFIX-a")" = stopped ]
	rt delete "$PREFIX-a"
	assert_nothing_left
}

@test "socket activation: LISTEN_FDS reach the container as fds 3.., with LISTEN_FDS and LISTEN_PID=1" {
	echo activated >"$BATS_TEST_TMPDIR/sock-standin"
	make_bundle "$BUNDLE" sh -c 'cat <&3; echo "$LISTEN_FDS $LISTEN_PID"; cat <&4'
	echo preserved >"$BATS_TEST_TMPDIR/extra"
	# the runtime must be the process LISTEN_PID names: exec keeps the shell's pid
	run sh -c 'exec 3<"$1" 4<"$2"; LISTEN_FDS=1 LISTEN_PID=$$ exec "$3" --root "$4" run --preserve-fds 1 --bundle "$5" "$6"' \
		sh "$BATS_TEST_TMPDIR/sock-standin" "$BATS_TEST_TMPDIR/extra" "$RUNTIME" "$ROOT" "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = activated ]
	[ "${lines[1]}" = "1 1" ]
	[ "${lines[2]}" = preserved ]
}
