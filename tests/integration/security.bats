#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Known runc escapes must not work: CVE-2019-5736 (overwriting the runtime
# binary through /proc/PID/exe) and CVE-2024-21626 (leaked fds and cwd).

load helpers

runtime_path() { readlink -f "$(command -v "$RUNTIME")"; }

@test "CVE-2019-5736: a created container's init is not the runtime binary on disk" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a"
	local pid exe bin sum
	pid=$(container_pid "$PREFIX-a")
	bin=$(runtime_path)
	sum=$(sha256sum <"$bin")
	exe=$(readlink "/proc/$pid/exe")
	echo "init exe: $exe"
	[ "$exe" != "$bin" ]
	# berth runs from a sealed memfd (runc 1.1.5 as Debian builds it shows "/" here)
	if is_berth; then
		[[ $exe == *memfd:* ]]
	fi
	# the copy the init runs from cannot be written
	run sh -c "echo garbage >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	[ "$(sha256sum <"$bin")" = "$sum" ]
}

@test "CVE-2019-5736: from inside, /proc/1/exe of the created init cannot be written" {
	make_bundle "$BUNDLE" sleep 100
	create_container "$PREFIX-a"
	local bin sum
	bin=$(runtime_path)
	sum=$(sha256sum <"$bin")
	run rt exec "$PREFIX-a" sh -c 'readlink /proc/1/exe; echo garbage >>/proc/1/exe && echo WROTE; true'
	echo "$output"
	[[ $output != *WROTE* ]]
	[ "$(sha256sum <"$bin")" = "$sum" ]
}

@test "CVE-2019-5736: an exec'd process cannot write the runtime through /proc/self/exe" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	local bin sum
	bin=$(runtime_path)
	sum=$(sha256sum <"$bin")
	# while exec sets up, the runtime copy is the process; after exec it is busybox
	run rt exec "$PREFIX-a" sh -c 'for p in /proc/[0-9]*; do echo garbage >>$p/exe 2>/dev/null && echo WROTE $p; done; true'
	echo "$output"
	[[ $output != *WROTE* ]]
	[ "$(sha256sum <"$bin")" = "$sum" ]
}

@test "CVE-2024-21626: no host fd leaks into the container" {
	make_bundle "$BUNDLE" sh -c 'ls /proc/$$/fd; true'
	# fds the caller holds open (as containerd's shim does) must not get in
	run rt run --bundle "$BUNDLE" "$PREFIX-a" 7</etc/hostname 8>"$BATS_TEST_TMPDIR/w"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <<<"$output")" = "0 1 2 " ]
}

@test "CVE-2024-21626: no host fd leaks into an exec'd process" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	run rt exec "$PREFIX-a" sh -c 'ls /proc/$$/fd; true' 7</etc/hostname
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(tr '\n' ' ' <<<"$output")" = "0 1 2 " ]
}

@test "CVE-2024-21626: the cwd is inside the container" {
	make_bundle "$BUNDLE" sh -c 'readlink /proc/self/cwd; ls -d /proc/self/cwd/../../..'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = / ]
}

@test "CVE-2024-21626: a cwd through /proc/self/fd cannot reach the host" {
	local marker n
	marker=$(mktemp /tmp/berth-test-marker-XXXXXX)
	defer "rm -f '$marker'"
	echo host-secret >"$marker"
	make_bundle "$BUNDLE" sh -c "cat ../../../../../../../../..$marker; cat ../../../../../../../..$marker; true"
	for n in 3 4 5 6 7 8 9; do
		cfg "$BUNDLE" '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		run rt run --bundle "$BUNDLE" "$PREFIX-$n"
		echo "fd $n: $status $output"
		[[ $output != *host-secret* ]]
		rt delete -f "$PREFIX-$n" 2>/dev/null || true
	done
}
