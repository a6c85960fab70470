#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container commands beyond the lifecycle through berth's docker command
# line: top, stats, port, rename, pause/unpause, update, container and system
# prune, events, info. Each test has a private root; teardown removes every
# container it made.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

# The container's cgroup directory of controller (v1) or the unified one (v2).
cgroup_dir()
{
	local pid=$1 controller=$2 line
	line=$(grep -E "^[0-9]+:([^:]*,)?$controller(,[^:]*)?:" "/proc/$pid/cgroup" || true)
	if [ -n "$line" ]; then
		echo "/sys/fs/cgroup/$controller${line##*:}"
	else
		line=$(grep '^0::' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup${line##*:}"
	fi
}

@test "top: the container's processes as ps -ef shows them, not the host's" {
	b run -d --name berth-test-top busybox sh -c 'sleep 1000 & sleep 1001; exit 0'
	local pid
	pid=$(b inspect --format '{{.State.Pid}}' berth-test-top)
	sleep 0.3
	run --separate-stderr b top berth-test-top
	[ "$status" -eq 0 ]
	expect '^UID +PID +PPID +C +STIME +TTY +TIME +CMD'
	expect "root +$pid +[0-9]+ +[0-9]+ +[0-9:A-Za-z]+ +\\? +00:00:00 +sh -c sleep 1000 & sleep 1001; exit 0"
	expect 'sleep 1000'
	[ "${#lines[@]}" -eq 4 ]
	! expect '(init|systemd)'
	# ps options: the host's ps, rows cut to the container's pids
	run --separate-stderr b top berth-test-top -o pid,comm
	[ "$status" -eq 0 ]
	expect '^PID +COMMAND'
	expect "$pid +sh"
	[ "${#lines[@]}" -eq 4 ]
	b stop -t 0 berth-test-top
	run --separate-stderr b top berth-test-top
	[ "$status" -eq 1 ]
	[[ $stderr =~ is\ not\ running ]]
}

@test "stats --no-stream: docker's columns and a memory limit from run -m" {
	b run -d --name berth-test-stats -m 64m busybox sleep 1000
	run --separate-stderr b stats --no-stream
	[ "$status" -eq 0 ]
	echo "$output"
	expect '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS'
	expect '[0-9a-f]{12} +berth-test-stats +[0-9.]+% +[0-9.]+[KMG]?i?B / 64MiB +[0-9.]+% +[0-9.]+k?B / [0-9.]+k?B'
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr b stats --no-stream --format '{{.Name}}:{{.PIDs}}:{{.MemUsage}}' berth-test-stats
	[ "$status" -eq 0 ]
	expect '^berth-test-stats:1:.* / 64MiB$'
	run --separate-stderr b stats --no-stream nosuch
	[ "$status" -eq 1 ]
}

@test "port: the published mappings of a running container, one port, none" {
	b create --name berth-test-port -p 18180:80 -p 127.0.0.1:15353:53/udp busybox sleep 100
	# not started: nothing is published yet (as docker)
	run --separate-stderr b port berth-test-port
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	b start berth-test-port
	run --separate-stderr b port berth-test-port
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "53/udp -> 127.0.0.1:15353" ]
	[ "${lines[1]}" = "80/tcp -> 0.0.0.0:18180" ]
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr b port berth-test-port 80
	[ "$output" = "0.0.0.0:18180" ]
	run --separate-stderr b port berth-test-port 81
	[ "$status" -eq 1 ]
	[[ $stderr =~ No\ public\ port\ \'81/tcp\'\ published\ for\ berth-test-port ]]
}

@test "pause freezes the processes, unpause thaws them" {
	b run -d --name berth-test-pause busybox sh -c 'while :; do echo tick; sleep 0.05; done'
	sleep 0.3
	b pause berth-test-pause
	run b ps --format '{{.Status}}'
	expect '^Up .* \(Paused\)$'
	[ "$(b inspect --format '{{.State.Status}} {{.State.Paused}}' berth-test-pause)" = "paused true" ]
	local n1 n2 n3
	n1=$(b logs berth-test-pause | wc -l)
	sleep 0.5
	n2=$(b logs berth-test-pause | wc -l)
	[ "$n1" -eq "$n2" ]
	run --separate-stderr b pause berth-test-pause
	[ "$status" -eq 1 ]
	[[ $stderr =~ is\ already\ paused ]]
	b unpause berth-test-pause
	[ "$(b inspect --format '{{.State.Status}} {{.State.Paused}}' berth-test-pause)" = "running false" ]
	sleep 0.5
	n3=$(b logs berth-test-pause | wc -l)
	[ "$n3" -gt "$n2" ]
	run --separate-stderr b unpause berth-test-pause
	[ "$status" -eq 1 ]
	[[ $stderr =~ Container\ [0-9a-f]{64}\ is\ not\ paused ]]
	b stop -t 0 berth-test-pause
	run --separate-stderr b pause berth-test-pause
	[ "$status" -eq 1 ]
	[[ $stderr =~ Container\ [0-9a-f]{64}\ is\ not\ running ]]
}

@test "rename: found by the new name only; docker's conflicts" {
	b create --name berth-test-old busybox true
	b create --name berth-test-other busybox true
	b rename berth-test-old berth-test-new
	[ "$(b inspect --format '{{.Name}}' berth-test-new)" = /berth-test-new ]
	run --separate-stderr b inspect berth-test-old
	[ "$status" -ne 0 ]
	run --separate-stderr b rename berth-test-new berth-test-other
	[ "$status" -eq 1 ]
	[[ $stderr =~ Conflict.\ The\ container\ name\ \"/berth-test-other\"\ is\ already\ in\ use ]]
	run --separate-stderr b rename berth-test-new 'bad name'
	[ "$status" -eq 1 ]
	[[ $stderr =~ Invalid\ container\ name ]]
	run --separate-stderr b rename berth-test-new berth-test-new
	[ "$status" -eq 1 ]
}

@test "update --memory reaches the cgroup and HostConfig" {
	b run -d --name berth-test-upd -m 64m busybox sleep 1000
	local pid dir
	pid=$(b inspect --format '{{.State.Pid}}' berth-test-upd)
	run b update --memory 100m --pids-limit 20 --restart on-failure:3 berth-test-upd
	[ "$status" -eq 0 ]
	[ "$output" = berth-test-upd ]
	dir=$(cgroup_dir "$pid" memory)
	if [ -f "$dir/memory.limit_in_bytes" ]; then
		[ "$(cat "$dir/memory.limit_in_bytes")" -eq 104857600 ]
	else
		[ "$(cat "$dir/memory.max")" -eq 104857600 ]
	fi
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" -eq 20 ]
	[ "$(b inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}' \
		berth-test-upd)" = "104857600 20 on-failure" ]
	run --separate-stderr b update --memory 1g berth-test-upd
	[ "$status" -eq 1 ]
	[[ $stderr =~ Memory\ limit\ should\ be\ smaller ]]
	run --separate-stderr b update berth-test-upd
	[ "$status" -eq 125 ]
	# a stopped container: recorded for its next start
	b create --name berth-test-upd2 busybox true
	b update --cpu-shares 512 berth-test-upd2
	[ "$(b inspect --format '{{.HostConfig.CpuShares}}' berth-test-upd2)" = 512 ]
}

@test "container prune removes stopped containers only" {
	b run --name berth-test-exited busybox true
	b create --name berth-test-created busybox true
	b run -d --name berth-test-running busybox sleep 1000
	local exited
	exited=$(b inspect --format '{{.Id}}' berth-test-exited)
	run --separate-stderr b container prune -f
	[ "$status" -eq 0 ]
	expect '^Deleted Containers:'
	expect "$exited"
	expect 'Total reclaimed space: '
	run b ps -a --format '{{.Names}}'
	[ "$output" = berth-test-running ]
	run b container prune -f
	[ "$output" = "Total reclaimed space: 0B" ]
	# without -f: docker's prompt, and nothing without a yes
	b run --name berth-test-exited2 busybox true
	run b container prune <<<n
	expect 'WARNING! This will remove all stopped containers.'
	[ "$(b ps -aq | wc -l)" -eq 2 ]
	run b system prune <<<n
	expect 'all dangling images'
	run b system prune -f
	[ "$status" -eq 0 ]
	[ "$(b ps -aq | wc -l)" -eq 1 ]
	# unused custom networks go; with --volumes, unused anonymous volumes too
	b network create berth-test-unused
	b run --name berth-test-anon -v /data busybox true
	b rm berth-test-anon
	run b system prune -f
	expect $'Deleted Networks:\nberth-test-unused'
	[ "$(b volume ls -q | wc -l)" -eq 1 ]
	run b system prune -f --volumes
	expect 'Deleted Volumes:'
	[ "$(b volume ls -q | wc -l)" -eq 0 ]
}

@test "events: berth's own container events, filters, formats" {
	local since until
	since=$(date +%s.%N)
	b run -d --name berth-test-ev busybox sleep 1000
	b pause berth-test-ev
	b unpause berth-test-ev
	b rename berth-test-ev berth-test-ev2
	b kill berth-test-ev2
	until=$(date +%s.%N)
	run --separate-stderr b events --since "$since" --until "$until"
	[ "$status" -eq 0 ]
	expect 'container pause [0-9a-f]{64} \(image=busybox, name=berth-test-ev\)'
	expect 'container unpause [0-9a-f]{64} \(image=busybox, name=berth-test-ev\)'
	expect 'container rename [0-9a-f]{64} \(image=busybox, name=berth-test-ev2, oldName=/berth-test-ev\)'
	expect '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2}) container'
	expect 'container kill [0-9a-f]{64} \(image=busybox, name=berth-test-ev2, signal=9\)'
	run --separate-stderr b events --since "$since" --until "$until" --filter event=pause --format '{{.Action}} {{.Actor.Attributes.name}}'
	[ "$output" = "pause berth-test-ev" ]
	run --separate-stderr b events --since "$since" --until "$until" --filter event=rename --format json
	[ "$(jq -r '.Type + " " + .status + " " + .scope' <<<"$output")" = "container rename local" ]
	run --separate-stderr b events --filter nosuch=1 --until 0s
	[ "$status" -eq 125 ]
}

@test "events: start, die and destroy of a container run meanwhile, followed until --until" {
	local since until
	since=$(date +%s)
	until=$(($(date +%s) + 4))
	b events --since "$since" --until "$until" --filter container=berth-test-life >"$BATS_TEST_TMPDIR/ev" &
	sleep 0.5
	b run --rm --name berth-test-life busybox true
	wait
	cat "$BATS_TEST_TMPDIR/ev"
	grep -q ' container start .*name=berth-test-life' "$BATS_TEST_TMPDIR/ev"
	grep -q ' container die .*exitCode=0.*name=berth-test-life' "$BATS_TEST_TMPDIR/ev"
	grep -q ' container destroy .*name=berth-test-life' "$BATS_TEST_TMPDIR/ev"
}

@test "info: counts, drivers, root and docker's JSON fields" {
	b run -d --name berth-test-info busybox sleep 1000
	b create --name berth-test-info2 busybox true
	run --separate-stderr b info
	[ "$status" -eq 0 ]
	expect ' Containers: 2'
	expect '  Running: 1'
	expect '  Paused: 0'
	expect '  Stopped: 1'
	expect ' Images: 1'
	expect ' Storage Driver: overlay2'
	expect ' Logging Driver: json-file'
	expect ' Cgroup Driver: cgroupfs'
	expect ' Cgroup Version: [12]'
	expect ' Runtimes: berth-runtime'
	expect ' Default Runtime: berth-runtime'
	expect ' OSType: linux'
	expect " Docker Root Dir: $BERTH_ROOT"
	expect ' ID: [0-9a-f-]{36}'
	run --separate-stderr b info --format '{{json .}}'
	[ "$(jq -r '[.Containers, .ContainersRunning, .ContainersStopped, .Images, .Driver, .OSType] | join(" ")' \
		<<<"$output")" = "2 1 1 1 overlay2 linux" ]
	[ "$(jq -r .DockerRootDir <<<"$output")" = "$BERTH_ROOT" ]
	# the id is kept
	[ "$(b info --format '{{.ID}}')" = "$(b info --format '{{.ID}}')" ]
}
