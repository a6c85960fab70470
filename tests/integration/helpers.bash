# SPDX-License-Identifier: GPL-2.0-or-later
# Shared fixtures of the runtime integration tests: the runtime under test, a
# private state root per test, busybox bundles, and a teardown that leaves nothing.
# shellcheck shell=bash

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${RUNTIME:-$REPO/build/src/cli/berth-runtime}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# Set by tests/run-all for the ENOSYS pass; applies to the runtime only.
BERTH_TEST_PRELOAD=${BERTH_TEST_PRELOAD:-}

is_runc() { [[ $(basename "$RUNTIME") == runc* ]]; }
is_berth() { [[ $(basename "$RUNTIME") == berth-runtime* ]]; }
skip_if_runc() { if is_runc; then skip "${1:-berth-only}"; fi; }
skip_unless_berth() { if ! is_berth; then skip "berth-only: ${1:-}"; fi; }

# Seconds any one runtime command may take before it counts as hung.
BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-60}

# The runtime with this test's state root.
rt()
{
	if [ -n "$BERTH_TEST_PRELOAD" ]; then
		LD_PRELOAD=$BERTH_TEST_PRELOAD timeout -k 5 "$BERTH_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@"
	else
		timeout -k 5 "$BERTH_TEST_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@"
	fi
}

# A template busybox rootfs, made once per file and copied per bundle.
common_setup_file()
{
	local t=$BATS_FILE_TMPDIR/rootfs
	[ -x "$RUNTIME" ] || command -v "$RUNTIME" >/dev/null || {
		echo "# runtime '$RUNTIME' not found (build first, or set RUNTIME)" >&3
		return 1
	}
	mkdir -p "$t"/{bin,proc,sys,dev,tmp,etc,mnt,srv/work,root}
	chmod 1777 "$t/tmp"
	cp "$BUSYBOX" "$t/bin/busybox"
	local a
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$t/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$t/etc/passwd"
	echo 'root:x:0:' >"$t/etc/group"
}

setup_file() { common_setup_file; }

common_setup()
{
	ROOT=$BATS_TEST_TMPDIR/state
	mkdir -p "$ROOT"
	# A per-test prefix: every id and cgroup this test makes starts with it.
	PREFIX=berth-test-$(printf '%04x%04x' $RANDOM $RANDOM)
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	CLEANUP=()
}

setup() { common_setup; }

# defer CMD...: run CMD (one string, eval'd) in teardown, last in first out.
defer() { CLEANUP+=("$1"); }

# make_bundle DIR [ARG...]: a busybox bundle from "$RUNTIME spec" (runc spec
# for runc), terminal off, process.args set to ARG... (default: sh), and a
# BERTH_TEST_PREFIX variable in process.env by which teardown finds strays.
make_bundle()
{
	local dir=$1
	shift
	[ $# -gt 0 ] || set -- sh
	mkdir -p "$dir"
	cp -a "$BATS_FILE_TMPDIR/rootfs" "$dir/rootfs"
	(cd "$dir" && "$RUNTIME" spec) || return 1
	cfg "$dir" '.process.terminal = false | .process.args = $ARGS.positional
		| .process.env += ["BERTH_TEST_PREFIX=" + $prefix]' --arg prefix "$PREFIX" --args -- "$@"
}

# cfg DIR FILTER [JQ-ARGS...]: edit DIR/config.json in place with jq.
cfg()
{
	local dir=$1 filter=$2
	shift 2
	# the file goes before the options: jq takes whatever follows --args as args
	jq "$filter" "$dir/config.json" "$@" >"$dir/config.json.new" && mv "$dir/config.json.new" "$dir/config.json"
}

# public_tmpdir VAR: make a directory every uid can traverse (user namespace
# tests), store its path in VAR; teardown removes it.
public_tmpdir()
{
	local -n ret_dir=$1
	ret_dir=$(mktemp -d /tmp/berth-test-XXXXXX)
	chmod 755 "$ret_dir"
	defer "rm -rf '$ret_dir'"
}

# create_container ID [BUNDLE] [EXTRA-ARGS...]: create with the container's
# stdio going to $BATS_TEST_TMPDIR/ID.out (a pipe would keep `run` waiting).
create_container()
{
	local id=$1 b=${2:-$BUNDLE}
	shift
	[ $# -gt 0 ] && shift
	if ! rt create --bundle "$b" "$@" "$id" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>&1; then
		cat "$BATS_TEST_TMPDIR/$id.out"
		return 1
	fi
}

# start_container ID [BUNDLE]: create and start.
start_container()
{
	create_container "$@" || return 1
	rt start "$1"
}

container_pid() { rt state "$1" | jq -r .pid; }
container_status() { rt state "$1" | jq -r .status; }

# wait_for TIMEOUT-SECONDS CMD...: poll CMD every 50 ms.
wait_for()
{
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	"$@"
}

status_is() { [ "$(container_status "$1" 2>/dev/null)" = "$2" ]; }

# Everything mounted at or below a path, deepest first.
mounts_under()
{
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# cgroup directories (any hierarchy) whose path contains a name.
cgroups_named()
{
	# an empty prefix would match every cgroup on the machine (and teardown kills what they hold)
	[ -n "$1" ] || return 0
	find /sys/fs/cgroup -mindepth 2 -maxdepth 6 -type d -path "*/$1*" 2>/dev/null | sort -r
}

# Assert that a failed command left nothing: no state entry, cgroup or mount.
assert_nothing_left()
{
	local ids
	ids=$(rt list -q 2>/dev/null || true)
	if [ -n "$ids" ]; then
		echo "containers left in state root: $ids"
		return 1
	fi
	if [ -n "$(cgroups_named "$PREFIX")" ]; then
		echo "cgroups left:"
		cgroups_named "$PREFIX"
		return 1
	fi
	if [ -n "$(mounts_under "$BATS_TEST_TMPDIR")" ]; then
		echo "mounts left:"
		mounts_under "$BATS_TEST_TMPDIR"
		return 1
	fi
}

common_teardown()
{
	local id p i d
	# setup did not get far enough to make anything of ours
	[ -n "${PREFIX:-}" ] || return 0
	if [ -d "${ROOT:-}" ]; then
		for id in $("$RUNTIME" --root "$ROOT" list -q 2>/dev/null); do
			"$RUNTIME" --root "$ROOT" kill "$id" KILL >/dev/null 2>&1 || true
			"$RUNTIME" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	# strays: processes in this test's cgroups or with its marker variable
	for d in $(cgroups_named "$PREFIX"); do
		if [ -f "$d/cgroup.procs" ]; then
			xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null || true
		fi
	done
	for p in $(grep -lsz "^BERTH_TEST_PREFIX=$PREFIX\$" /proc/[0-9]*/environ | cut -d/ -f3); do
		kill -9 "$p" 2>/dev/null || true
	done
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" || true
	done
	for d in $(mounts_under "$BATS_TEST_TMPDIR"); do
		umount -l "$d" 2>/dev/null || true
	done
	for d in $(cgroups_named "$PREFIX"); do
		wait_for 2 rmdir "$d" 2>/dev/null || true
	done
	rm -rf "${BATS_TEST_TMPDIR:?}"/* 2>/dev/null || true
}

teardown() { common_teardown; }
