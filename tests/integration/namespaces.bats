#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The namespace demonstrations of the seed articles, replayed against the
# runtime: pid, uts, ipc, mount, network, user, time, joining by path, exec.

load helpers

# wait until the container printed "ready" on its stdout
wait_ready() { wait_for 5 grep -q ready "$BATS_TEST_TMPDIR/$1.out"; }

@test "pid: init is PID 1 and ps shows only the container's processes" {
	make_bundle "$BUNDLE" sh -c 'echo $$; ps -o pid,comm; true'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[[ ${lines[1]} =~ PID ]]
	[[ ${lines[2]} =~ ^\ *1\ +sh$ ]]
	[[ ${lines[3]} =~ ^\ *[0-9]+\ +ps$ ]]
	[ "${#lines[@]}" -eq 4 ]
}

@test "uts: the container has its own hostname" {
	make_bundle "$BUNDLE" sh -c 'hostname; hostname changed-inside; hostname'
	cfg "$BUNDLE" '.hostname = "berth-test-host" | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	local before
	before=$(hostname)
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = berth-test-host ]
	[ "${lines[1]}" = changed-inside ]
	[ "$(hostname)" = "$before" ]
}

@test "ipc: a message queue made on the host is invisible inside" {
	local qid
	qid=$(ipcmk -Q | grep -o '[0-9]*$')
	defer "ipcrm -q $qid"
	grep -qE "^ *-?[0-9]+ +$qid " /proc/sysvipc/msg
	make_bundle "$BUNDLE" sh -c 'cat /proc/sysvipc/msg; echo end'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = end ]
	# only the header line of /proc/sysvipc/msg
	[ "${#lines[@]}" -eq 2 ]
}

@test "mnt: a tmpfs mounted inside is invisible on the host" {
	make_bundle "$BUNDLE" sh -c 'mount -t tmpfs berth-test-tmpfs /mnt && echo secret >/mnt/f && grep -c berth-test-tmpfs /proc/self/mountinfo && echo ready && sleep 100'
	cfg "$BUNDLE" '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	start_container "$PREFIX-a"
	wait_ready "$PREFIX-a"
	cat "$BATS_TEST_TMPDIR/$PREFIX-a.out"
	[ "$(head -1 "$BATS_TEST_TMPDIR/$PREFIX-a.out")" = 1 ]
	! grep -q berth-test-tmpfs /proc/self/mountinfo
	[ -z "$(mounts_under "$BUNDLE/rootfs/mnt")" ]
	[ ! -e "$BUNDLE/rootfs/mnt/f" ]
}

@test "net: a new network namespace has only lo" {
	make_bundle "$BUNDLE" sh -c 'ls /sys/class/net; ip -o link | cut -d: -f2'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ "${lines[1]}" = " lo" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "net: lo is up in a new network namespace, as runc and crun leave it" {
	make_bundle "$BUNDLE" sh -c 'cat /sys/class/net/lo/flags; ping -c 1 -W 1 127.0.0.1 >/dev/null && echo reachable'
	cfg "$BUNDLE" '.process.capabilities.bounding += ["CAP_NET_RAW"]
		| .process.capabilities.effective += ["CAP_NET_RAW"] | .process.capabilities.permitted += ["CAP_NET_RAW"]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	# IFF_UP is bit 0
	[ $((${lines[0]} & 1)) -eq 1 ]
	[ "${lines[1]}" = reachable ]
}

@test "user: uid 0 inside is uid 100000 outside" {
	local dir
	public_tmpdir dir
	make_bundle "$dir/b" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; echo ready; sleep 100'
	# a rootless-style config: no cgroup mount; sysfs bound since the user
	# namespace does not own the host's
	cfg "$dir/b" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))'
	chown -R -h 100000:100000 "$dir/b/rootfs"
	start_container "$PREFIX-a" "$dir/b"
	wait_ready "$PREFIX-a"
	local out pid
	out=$(cat "$BATS_TEST_TMPDIR/$PREFIX-a.out")
	echo "$out"
	[ "$(sed -n 1p <<<"$out" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
	[ "$(sed -n 2p <<<"$out" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
	[ "$(sed -n 3p <<<"$out")" = 0 ]
	pid=$(container_pid "$PREFIX-a")
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 100000 ]
	[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = 100000 ]
}

@test "user: a user namespace joined by path owns the new namespaces beside it" {
	local dir
	public_tmpdir dir
	make_bundle "$dir/a" sleep 100
	cfg "$dir/a" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))'
	chown -R -h 100000:100000 "$dir/a/rootfs"
	rt run -d --bundle "$dir/a" "$PREFIX-a"
	local pa
	pa=$(container_pid "$PREFIX-a")
	# B joins A's user namespace and makes new mount, pid, net, ipc and uts
	# namespaces, which must belong to it (else mounting /proc fails)
	make_bundle "$dir/b" sh -c 'cat /proc/self/uid_map; id -u; ls -d /proc/[0-9]*'
	# (runc 1.1.5 wants the mappings repeated even when joining)
	cfg "$dir/b" '.linux.namespaces += [{"type": "user", "path": $u}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .mounts |= map(select(.type != "cgroup"))' --arg u "/proc/$pa/ns/user"
	chown -R -h 100000:100000 "$dir/b/rootfs"
	run rt run --bundle "$dir/b" "$PREFIX-b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output" | tr -s ' ' | sed 's/^ //')" = "0 100000 65536" ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = /proc/1 ]
}

@test "time: boottime and monotonic offsets show in /proc/uptime" {
	skip_if_runc "runc 1.1.5 has no time namespace"
	make_bundle "$BUNDLE" sh -c 'cat /proc/uptime'
	cfg "$BUNDLE" '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}, "monotonic": {"secs": 86400, "nanosecs": 0}}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	local up host
	up=$(cut -d. -f1 <<<"${lines[0]}")
	host=$(cut -d. -f1 /proc/uptime)
	[ "$up" -ge 86400 ]
	[ "$up" -ge $((host + 86400 - 5)) ]
}

@test "join: namespaces given by path are shared with their owner" {
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.hostname = "berth-test-owner"'
	start_container "$PREFIX-a"
	local pida
	pida=$(container_pid "$PREFIX-a")
	make_bundle "$BATS_TEST_TMPDIR/b2" sh -c 'for n in net uts ipc; do readlink /proc/self/ns/$n; done; hostname'
	cfg "$BATS_TEST_TMPDIR/b2" '.linux.namespaces |= map(
		if .type == "network" then .path = "/proc/\($p)/ns/net"
		elif .type == "uts" then .path = "/proc/\($p)/ns/uts" else . end) | del(.hostname)' --arg p "$pida"
	run rt run --bundle "$BATS_TEST_TMPDIR/b2" "$PREFIX-b"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink "/proc/$pida/ns/net")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$pida/ns/uts")" ]
	# ipc was not joined
	[ "${lines[2]}" != "$(readlink "/proc/$pida/ns/ipc")" ]
	[ "${lines[3]}" = berth-test-owner ]
}

@test "exec: enters every namespace of the container" {
	make_bundle "$BUNDLE" sh -c 'echo hello >/scratch/marker; echo ready; exec sleep 100'
	cfg "$BUNDLE" '.hostname = "berth-test-exec"
		| .mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]'
	start_container "$PREFIX-a"
	wait_ready "$PREFIX-a"
	local pid ns
	pid=$(container_pid "$PREFIX-a")
	run rt exec "$PREFIX-a" sh -c 'for n in mnt pid net ipc uts; do readlink /proc/self/ns/$n; done; hostname; cat /scratch/marker; echo $$'
	echo "$output"
	[ "$status" -eq 0 ]
	local i=0
	for ns in mnt pid net ipc uts; do
		[ "${lines[$i]}" = "$(readlink "/proc/$pid/ns/$ns")" ]
		i=$((i + 1))
	done
	[ "${lines[5]}" = berth-test-exec ]
	[ "${lines[6]}" = hello ]
	# a pid of the container's pid namespace, not the host's
	[ "${lines[7]}" -lt 100 ]
	# the marker lives in the container's tmpfs only
	[ ! -e "$BUNDLE/rootfs/scratch/marker" ]
}

@test "exec: runs with the container's process settings and returns the exit status" {
	make_bundle "$BUNDLE" sleep 100
	start_container "$PREFIX-a"
	run rt exec "$PREFIX-a" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run rt exec --env FOO=bar --cwd /srv -u 1000:1000 "$PREFIX-a" sh -c 'echo $FOO; pwd; id -u; id -g'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "bar /srv 1000 1000" ]
}
