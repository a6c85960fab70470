#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth run's flags as Docker applies them: environment, user, working
# directory, entrypoint, hostname, read-only root, capabilities, privileged,
# security options, devices, resources, ulimits, sysctls, /dev/shm, tmpfs,
# bind mounts, labels, logging, namespaces.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

@test "environment: -e, --env-file, the image's PATH, HOSTNAME" {
	printf 'A=from-file\n# comment\nB=2\n' >"$BATS_TEST_TMPDIR/env"
	run b run --rm -e X=1 -e A=from-flag --env-file "$BATS_TEST_TMPDIR/env" --hostname h1 busybox env
	[ "$status" -eq 0 ]
	[[ $output =~ (^|$'\n')X=1($'\n'|$) ]]
	[[ $output =~ (^|$'\n')B=2($'\n'|$) ]]
	[[ $output =~ (^|$'\n')PATH=/usr/local/sbin ]]
	[[ $output =~ (^|$'\n')HOSTNAME=h1($'\n'|$) ]]
	[[ $output =~ (^|$'\n')HOME=/root($'\n'|$) ]]
}

@test "-u, -w, --entrypoint, --read-only" {
	run b run --rm -u nobody busybox id -un
	[ "$output" = nobody ]
	run b run --rm -u 1234:5678 busybox id
	[[ $output =~ uid=1234.*gid=5678 ]]
	run b run --rm -w /tmp/work busybox pwd
	[ "$output" = /tmp/work ]
	run b run --rm --entrypoint echo busybox from-entrypoint
	[ "$output" = from-entrypoint ]
	run b run --rm --read-only busybox touch /x
	[ "$status" -ne 0 ]
	[[ $output =~ Read-only ]]
	run b run --rm -u nosuchuser busybox true
	[ "$status" -ne 0 ]
}

@test "capabilities: Docker's default set, --cap-drop, --cap-add, --privileged" {
	run b run --rm busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	00000000a80425fb" ]
	run b run --rm --cap-drop ALL busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	0000000000000000" ]
	run b run --rm --cap-drop ALL --cap-add net_admin busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	0000000000001000" ]
	run b run --rm --cap-drop chown busybox chown nobody /tmp
	[ "$status" -ne 0 ]
	run b run --rm --privileged busybox sh -c 'grep CapEff /proc/self/status; ls /dev | wc -l'
	# every capability the engine itself holds (this machine lacks CAP_SYS_RESOURCE)
	[ "${lines[0]}" = "CapEff:	$(grep CapBnd /proc/self/status | cut -f2)" ]
	[ "${lines[1]}" -gt 20 ]
}

@test "seccomp: the default profile denies what Docker's does; unconfined; no-new-privileges" {
	run b run --rm busybox sh -c 'grep Seccomp: /proc/self/status'
	[ "$output" = "Seccomp:	2" ]
	run b run --rm --cap-add SYS_ADMIN --security-opt seccomp=unconfined busybox sh -c 'grep Seccomp: /proc/self/status'
	[ "$output" = "Seccomp:	0" ]
	run b run --rm busybox unshare -U true
	[ "$status" -ne 0 ]
	run b run --rm --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status
	[ "$output" = "NoNewPrivs:	1" ]
	echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}' \
		>"$BATS_TEST_TMPDIR/profile.json"
	run b run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/profile.json" busybox mkdir /x
	[ "$status" -ne 0 ]
	[[ $output =~ "Operation not permitted" ]]
}

@test "/proc masking, /dev, /dev/shm size, --tmpfs, -v bind :ro" {
	run b run --rm busybox sh -c 'cat /proc/kcore 2>&1 | head -c 0; ls /dev'
	[[ $output =~ null ]]
	[[ $output =~ urandom ]]
	run b run --rm --shm-size 8m busybox sh -c "df -k /dev/shm | tail -n1"
	[[ $output =~ 8192 ]]
	run b run --rm --tmpfs /scratch:size=1m busybox sh -c "df -k /scratch | tail -n1"
	[[ $output =~ 1024 ]]
	mkdir -p "$BATS_TEST_TMPDIR/host"
	echo hostfile >"$BATS_TEST_TMPDIR/host/f"
	run b run --rm -v "$BATS_TEST_TMPDIR/host:/data:ro" busybox sh -c 'cat /data/f; touch /data/g'
	[ "${lines[0]}" = hostfile ]
	[ "$status" -ne 0 ]
	run b run --rm -v "$BATS_TEST_TMPDIR/host:/data" busybox sh -c 'echo new >/data/g'
	[ "$(cat "$BATS_TEST_TMPDIR/host/g")" = new ]
	run b run --rm --device /dev/null:/dev/mynull busybox sh -c 'echo x >/dev/mynull && echo ok'
	[ "$output" = ok ]
}

@test "resources: --memory, --cpus, --pids-limit, --ulimit, --sysctl" {
	run b run -d --name r1 -m 64m --cpus 0.5 --pids-limit 50 busybox sleep 1000
	[ "$status" -eq 0 ]
	run b inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' r1
	[ "$output" = "67108864 500000000 50" ]
	run b run --rm --pids-limit 5 busybox sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait' 2>&1
	[[ $output =~ "fork" || $output =~ "Resource temporarily unavailable" || $output =~ "can't fork" ]]
	run b run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n; ulimit -Hn'
	[ "${lines[0]}" = 100 ]
	[ "${lines[1]}" = 200 ]
	run b run --rm --sysctl net.ipv4.ip_forward=1 busybox cat /proc/sys/net/ipv4/ip_forward
	[ "$output" = 1 ]
}

@test "labels, --log-driver none, --log-opt max-size rotates, stop signal recorded" {
	run b run -d --name l1 --label a=b --label c=d --stop-signal SIGUSR1 busybox true
	run b inspect -f '{{index .Config.Labels "a"}} {{.Config.StopSignal}}' l1
	[ "$output" = "b SIGUSR1" ]
	b run --name quiet --log-driver none busybox echo nothing >/dev/null
	run --separate-stderr b logs quiet
	[ "$status" -ne 0 ]
	b run --name big --log-opt max-size=1k --log-opt max-file=2 busybox sh -c 'for i in $(seq 1 200); do echo line $i; done' >/dev/null
	run b logs big
	[[ ${lines[-1]} = "line 200" ]]
	[ "${#lines[@]}" -lt 200 ]
}

@test "namespaces: --network none and host, --pid host, --uts host, --ipc host" {
	run b run --rm --network none busybox ls /sys/class/net
	[ "$output" = lo ]
	run b run --rm --network host busybox ls /sys/class/net
	[ "${#lines[@]}" -eq "$(ls /sys/class/net | wc -l)" ]
	run b run --rm --pid host busybox sh -c 'ps | wc -l'
	[ "$output" -gt 10 ]
	run b run --rm --uts host busybox hostname
	[ "$output" = "$(hostname)" ]
	run b run --rm --ipc host busybox readlink /proc/self/ns/ipc
	[ "$output" = "$(readlink /proc/self/ns/ipc)" ]
}

@test "--pid, --ipc and --network container:X join another container's namespaces" {
	b run -d --name base --ipc shareable busybox sleep 1000 >/dev/null
	run b run --rm --pid container:base busybox sh -c 'ps | grep -c "sleep 1000"'
	[ "$output" -ge 1 ]
	run b run --rm --network container:base busybox readlink /proc/self/ns/net
	local want
	want=$(b exec base readlink /proc/self/ns/net 2>/dev/null || true)
	[ -z "$want" ] || [ "$output" = "$want" ]
	run b run --rm --ipc container:base busybox true
	[ "$status" -eq 0 ]
}

@test "--uidmap: a user namespace with idmapped layers, the container's root owns the image's files" {
	# the bundle must be reachable by the mapped root: a root whose parents are traversable
	local top
	top=$(mktemp -d /tmp/berth-test-uidmap.XXXXXX)
	chmod 755 "$top"
	BERTH_ROOT=$top/root BERTH_RUNROOT=$top/run b pull -q busybox >/dev/null
	run env BERTH_ROOT="$top/root" BERTH_RUNROOT="$top/run" timeout 60 "$BERTH" run --rm --uidmap 0:100000:65536 \
		busybox sh -c 'cat /proc/self/uid_map; stat -c %u /bin/busybox; touch /etc/x && stat -c %u /etc/x'
	BERTH_ROOT=$top/root BERTH_RUNROOT=$top/run "$BERTH" rm -f $(BERTH_ROOT=$top/root BERTH_RUNROOT=$top/run "$BERTH" ps -aq) >/dev/null 2>&1 || true
	# the namespace directory is a mount point (as ip netns makes /run/netns)
	grep -o " $top/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	nft delete table inet "$(nft_table_of "$top/root")" 2>/dev/null || true
	rm -rf "$top"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^\ +0\ +100000\ +65536$ ]]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
}
