#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input and bad requests: each fails with exit 1 and a one-line error, and
# leaves no state entry, cgroup or mount behind.

load helpers

# the error message assertions are berth's; runc words them differently
berth_says()
{
	is_berth || return 0
	[ "${#lines[@]}" -ge 1 ]
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in: $output"
		return 1
	}
}

# left: nothing under the bundle is mounted, no state, no cgroup
@test "config.json with a syntax error" {
	make_bundle "$BUNDLE" true
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {\n    "args": ["true",]\n  }\n}\n' >"$BUNDLE/config.json"
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says 'config\.json'
	berth_says '(line 4|:4:|4:[0-9]+)'
	assert_nothing_left
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	[ "$status" -eq 1 ]
	assert_nothing_left
}

@test "config.json missing" {
	mkdir -p "$BUNDLE"
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says 'config\.json'
	assert_nothing_left
}

@test "config.json with a wrong type names the JSON path" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.process.args = ["true", 1]'
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says 'process\.args\[1\]'
	assert_nothing_left
}

@test "unknown namespace type" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.linux.namespaces += [{"type": "bogus"}]'
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says 'linux\.namespaces\[[0-9]+\]'
	berth_says bogus
	assert_nothing_left
}

@test "missing rootfs" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.root.path = "no-such-rootfs"'
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says no-such-rootfs
	assert_nothing_left
}

@test "a mount destination escaping the rootfs through a symlink stays inside" {
	local escape
	escape=$(mktemp -d /tmp/berth-test-escape-XXXXXX)
	defer "umount -l '$escape/x' 2>/dev/null; rm -rf '$escape'"
	make_bundle "$BUNDLE" sh -c 'echo inside >/evil/x/f; ls /evil/x'
	ln -s "$escape" "$BUNDLE/rootfs/evil"
	cfg "$BUNDLE" '.root.readonly = false
		| .mounts += [{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	# either refused, or mounted inside the rootfs: never on the host's directory
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ -z "$(ls -A "$escape")" ]
	[ -z "$(mounts_under "$escape")" ]
	if [ "$status" -eq 1 ]; then
		assert_nothing_left
	fi
}

@test "a device path escaping the rootfs through a symlink stays inside" {
	local escape
	escape=$(mktemp -d /tmp/berth-test-escape-XXXXXX)
	defer "umount -l '$escape/null' 2>/dev/null; rm -rf '$escape'"
	make_bundle "$BUNDLE" true
	ln -s "$escape" "$BUNDLE/rootfs/dev/evil"
	cfg "$BUNDLE" '.linux.devices = [{"path": "/dev/evil/null", "type": "c", "major": 1, "minor": 3}]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	[ -z "$(ls -A "$escape")" ]
	[ -z "$(mounts_under "$escape")" ]
}

@test "state, start, kill, delete and exec of an unknown id fail" {
	local cmd
	for cmd in state start kill delete; do
		run rt "$cmd" "$PREFIX-nope"
		echo "$cmd: $output"
		[ "$status" -eq 1 ]
		berth_says "$PREFIX-nope"
	done
	run rt exec "$PREFIX-nope" true
	[ "$status" -ne 0 ]
	run rt ps "$PREFIX-nope"
	[ "$status" -ne 0 ]
}

@test "an id with a path separator is refused" {
	make_bundle "$BUNDLE" true
	run rt create --bundle "$BUNDLE" "../$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/../$PREFIX-a" ]
	assert_nothing_left
}

@test "create with an id in use fails and leaves the first container alone" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says "$PREFIX-a"
	[ "$(container_status "$PREFIX-a")" = created ]
	[ "$(container_pid "$PREFIX-a")" = "$pid" ]
	rt start "$PREFIX-a"
	[ "$(container_status "$PREFIX-a")" = running ]
}

@test "start of a running container fails" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	run rt start "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(container_status "$PREFIX-a")" = running ]
}

@test "a process.args[0] that does not exist fails create and leaves nothing" {
	make_bundle "$BUNDLE" /no/such/binary
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says /no/such/binary
	assert_nothing_left
	make_bundle "$BATS_TEST_TMPDIR/b2" no-such-command-in-path
	run rt run --bundle "$BATS_TEST_TMPDIR/b2" "$PREFIX-b"
	echo "$output"
	[ "$status" -ne 0 ]
	assert_nothing_left
}

@test "a failure halfway through create with cgroups and mounts leaves nothing" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	make_bundle "$BUNDLE" /no/such/binary
	cfg "$BUNDLE" '.linux.cgroupsPath = $p | .linux.resources += {"memory": {"limit": 67108864}, "pids": {"limit": 50}}
		| .mounts += [{"destination": "/data", "type": "bind", "source": $d, "options": ["rbind", "ro"]}]' \
		--arg p "/$PREFIX-cg" --arg d "$BATS_TEST_TMPDIR/data"
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	assert_nothing_left
}

@test "a bad mount fails create and leaves nothing" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.linux.cgroupsPath = $p
		| .mounts += [{"destination": "/data", "type": "bind", "source": "/no/such/source", "options": ["rbind"]}]' \
		--arg p "/$PREFIX-cg"
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	berth_says /no/such/source
	assert_nothing_left
}

@test "--log-format json writes runc's error line" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.root.path = "no-such-rootfs"'
	run rt --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$BUNDLE" "$PREFIX-a"
	[ "$status" -eq 1 ]
	cat "$BATS_TEST_TMPDIR/log.json"
	jq -se 'map(select(.level == "error")) | length >= 1 and all(.msg | type == "string") and all(.time | type == "string")' \
		"$BATS_TEST_TMPDIR/log.json"
	assert_nothing_left
}

@test "a capability set the kernel refuses fails create with the reason and leaves nothing" {
	make_bundle "$BUNDLE" true
	# effective must be a subset of permitted: capset fails
	cfg "$BUNDLE" '.process.capabilities.permitted = [] | .process.capabilities.ambient = []'
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	if is_berth; then
		[[ $output == *"set capabilities: Operation not permitted"* ]]
	fi
	assert_nothing_left
}
