#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Host paths of bind mounts as Docker treats them: -v makes a missing source,
# --mount type=bind refuses it at create.
# Each test has a private root and private host paths; teardown removes them.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}

setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	HOST=$BATS_TEST_TMPDIR/host
	b pull -q busybox >/dev/null
}

teardown()
{
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	grep -q " $BATS_TEST_TMPDIR" /proc/self/mountinfo &&
		grep " $BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
	rm -rf "$BERTH_ROOT" "$BERTH_RUNROOT" "$HOST"
	berth_test_net_cleanup
}

b() { timeout -k 5 60 "$BERTH" "$@"; }

@test "-v with a missing host path creates it (a directory, 0755) and binds it" {
	run b run --rm -v "$HOST/a/b:/data" busybox sh -c 'echo hi >/data/f; stat -c %a /data'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 755 ]
	[ -d "$HOST/a/b" ]
	[ "$(stat -c %a "$HOST/a" "$HOST/a/b" | tr '\n' ' ')" = "755 755 " ]
	[ "$(cat "$HOST/a/b/f")" = hi ]
	# made again at the next start when it went away meanwhile
	b create --name again -v "$HOST/c:/data:ro" busybox ls /data >/dev/null
	[ ! -e "$HOST/c" ]
	run b start -a again
	[ "$status" -eq 0 ]
	[ -d "$HOST/c" ]
}

@test "--mount type=bind with a missing source fails at create with Docker's message" {
	run --separate-stderr b create --name nope --mount "type=bind,source=$HOST/missing,target=/x" busybox true
	[ "$status" -eq 125 ]
	[ "$stderr" = "berth: invalid mount config for type \"bind\": bind source path does not exist: $HOST/missing" ]
	[ ! -e "$HOST/missing" ]
	run b ps -aq
	[ -z "$output" ]
	run --separate-stderr b run --rm --mount "type=bind,source=$HOST/missing,target=/x" busybox true
	[ "$status" -eq 125 ]
	[[ $stderr =~ "bind source path does not exist" ]]
	# an existing source is fine, a file too
	mkdir -p "$HOST"
	echo there >"$HOST/file"
	run b run --rm --mount "type=bind,source=$HOST/file,target=/f,readonly" busybox cat /f
	[ "$status" -eq 0 ]
	[ "$output" = there ]
}
