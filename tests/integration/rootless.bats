#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Rootless: a non-root user runs `spec --rootless` bundles (user namespace with
# the caller's id mapped to 0, no cgroups unless delegated, state under
# $XDG_RUNTIME_DIR).

load helpers

RL_UID=54321

# as_user CMD...: run CMD as RL_UID with its own XDG_RUNTIME_DIR
as_user()
{
	setpriv --reuid "$RL_UID" --regid "$RL_UID" --clear-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent XDG_RUNTIME_DIR="$XDG" "$@"
}

setup()
{
	common_setup
	public_tmpdir DIR
	XDG=$DIR/xdg
	mkdir -p "$XDG" "$DIR/b"
	cp -a "$BATS_FILE_TMPDIR/rootfs" "$DIR/b/rootfs"
	chown -R "$RL_UID:$RL_UID" "$DIR"
	defer "pkill -KILL -u $RL_UID 2>/dev/null; true"
	(cd "$DIR/b" && as_user "$RUNTIME" spec --rootless)
	cfg "$DIR/b" '.process.terminal = false | .process.args = $ARGS.positional' --args -- \
		sh -c 'cat /proc/self/uid_map; id -u; hostname; ls /dev/null'
	chown "$RL_UID:$RL_UID" "$DIR/b/config.json"
}

@test "rootless: spec --rootless then run works as a non-root user" {
	run as_user "$RUNTIME" run --bundle "$DIR/b" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output" | tr -s ' ' | sed 's/^ //')" = "0 $RL_UID 1" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[3]}" = /dev/null ]
	# the state lived under $XDG_RUNTIME_DIR and is gone
	run as_user "$RUNTIME" list -q
	[ -z "$output" ]
}

@test "rootless: detached run, state, exec, kill, delete" {
	cfg "$DIR/b" '.process.args = ["sleep", "100"]'
	as_user "$RUNTIME" run -d --bundle "$DIR/b" "$PREFIX-a"
	[ -d "$XDG/berth-runtime/$PREFIX-a" ] || [ -d "$XDG/runc/$PREFIX-a" ]
	local pid
	pid=$(as_user "$RUNTIME" state "$PREFIX-a" | jq -r .pid)
	[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "$RL_UID" ]
	run as_user "$RUNTIME" exec "$PREFIX-a" sh -c 'id -u; tr "\\0" " " </proc/1/cmdline'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = "sleep 100 " ]
	as_user "$RUNTIME" kill "$PREFIX-a" KILL
	wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
	as_user "$RUNTIME" delete "$PREFIX-a"
	run as_user "$RUNTIME" list -q
	[ -z "$output" ]
}
