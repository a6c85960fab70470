#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The container lifecycle through berth's docker command line: run, create,
# start, stop, kill, restart, wait, rm, ps, logs, inspect, restart policies.
# Each test has a private root; teardown removes every container it made.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

@test "run: output, exit codes, Docker's 125/126/127" {
	run --separate-stderr b run busybox echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	run b run busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run --separate-stderr b run busybox sh -c 'echo out; echo err >&2'
	[ "$output" = out ]
	[ "$stderr" = err ]
	run -127 --separate-stderr b run busybox nosuchcmd
	[ "$status" -eq 127 ]
	[[ $stderr =~ executable\ file\ not\ found ]]
	run -126 --separate-stderr b run busybox /etc
	[ "$status" -eq 126 ]
	run --separate-stderr b run --nosuchflag busybox true
	[ "$status" -eq 125 ]
	run --separate-stderr b run nosuchimage:1 true
	[ "$status" -eq 125 ]
}

@test "run: isolation (pid 1, own hostname, lo and the bridge's eth0, Docker's /etc files)" {
	run b run --hostname box busybox sh -c 'echo $$; hostname; echo $(ls /sys/class/net); cat /etc/hostname; ps | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = box ]
	[ "${lines[2]}" = "eth0 lo" ]
	[ "${lines[3]}" = box ]
	[ "${lines[4]}" -le 4 ]
	run b run --network none busybox ls /sys/class/net
	[ "$output" = lo ]
	run b run busybox sh -c 'grep -c localhost /etc/hosts; df -k /dev/shm | tail -n1'
	[ "${lines[0]}" -ge 1 ]
	[[ ${lines[1]} =~ 65536 ]]
}

@test "run -d, ps, logs, stop, start, rm" {
	run b run -d --name web busybox sh -c 'trap "exit 7" TERM; echo ready; while true; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	local id=$output
	run b ps
	expect $'^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES\n'"${id:0:12} +busybox +\"sh -c 'trap.*Up .* +web$"
	run b ps -q
	[ "$output" = "${id:0:12}" ]
	sleep 0.5
	run b logs web
	[ "$output" = ready ]
	run b inspect -f '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Image}}' web
	[ "$output" = "running true /web busybox" ]
	run b stop web
	[ "$status" -eq 0 ]
	[ "$output" = web ]
	run b inspect -f '{{.State.Status}} {{.State.ExitCode}}' web
	[ "$output" = "exited 7" ]
	run b ps -a --format '{{.Names}} {{.Status}}'
	expect '^web Exited \(7\) '
	run b start web
	[ "$output" = web ]
	run b inspect -f '{{.State.Running}}' "${id:0:8}"
	[ "$output" = true ]
	run --separate-stderr b rm web
	[ "$status" -eq 1 ]
	[[ $stderr =~ "stop the container before removing or force remove" ]]
	run b rm -f web
	[ "$status" -eq 0 ]
	run b ps -aq
	[ -z "$output" ]
	[ ! -e "$BERTH_ROOT/containers/$id" ]
}

@test "create then start; kill with a signal; wait prints the exit code" {
	run b create --name c1 busybox sh -c 'trap "exit 9" HUP; while true; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	run b ps -a --format '{{.Names}} {{.State}}'
	[ "$output" = "c1 created" ]
	b start c1
	sleep 0.3
	b kill -s HUP c1
	run b wait c1
	[ "$output" = 9 ]
	run --separate-stderr b kill c1
	[ "$status" -eq 1 ]
	[[ $stderr =~ "is not running" ]]
}

@test "stop: the stop signal and timeout, then SIGKILL (exit 137)" {
	b run -d --name s1 --stop-signal USR1 busybox sh -c 'trap "exit 5" USR1; while true; do sleep 0.1; done' >/dev/null
	sleep 0.3
	b stop s1 >/dev/null
	run b inspect -f '{{.State.ExitCode}}' s1
	[ "$output" = 5 ]
	b run -d --name s2 busybox sh -c 'trap "" TERM; while true; do sleep 0.1; done' >/dev/null
	sleep 0.3
	b stop -t 1 s2 >/dev/null
	run b inspect -f '{{.State.ExitCode}}' s2
	[ "$output" = 137 ]
}

@test "--rm removes the container after a foreground run; restart policies" {
	run b run --rm busybox sh -c 'exit 4'
	[ "$status" -eq 4 ]
	run b ps -aq
	[ -z "$output" ]
	b run -d --name flaky --restart on-failure:2 busybox sh -c 'exit 1' >/dev/null
	local i
	for i in $(seq 1 100); do
		run b inspect -f '{{.RestartCount}} {{.State.Status}}' flaky
		[ "$output" = "2 exited" ] && break
		sleep 0.1
	done
	[ "$output" = "2 exited" ]
	b run -d --name always --restart always busybox sh -c 'sleep 0.2; exit 0' >/dev/null
	sleep 1.5
	run b inspect -f '{{.RestartCount}}' always
	[ "$output" -ge 1 ]
	# a stop ends the restarts
	b stop -t 1 always >/dev/null
	run b inspect -f '{{.State.Status}}' always
	[ "$output" = exited ]
	sleep 0.5
	run b inspect -f '{{.State.Status}}' always
	[ "$output" = exited ]
}

@test "names: generated adjective_surname, conflicts refused, lookup by id prefix" {
	run b create busybox true
	local id=$output
	run b inspect -f '{{.Name}}' "${id:0:6}"
	[[ $output =~ ^/[a-z]+_[a-z]+[0-9]?$ ]]
	b create --name dup busybox true >/dev/null
	run --separate-stderr b create --name dup busybox true
	[ "$status" -eq 125 ]
	[[ $stderr =~ 'The container name "/dup" is already in use' ]]
	run --separate-stderr b create --name 'bad name' busybox true
	[ "$status" -eq 125 ]
	[[ $stderr =~ "Invalid container name" ]]
	run --separate-stderr b inspect nosuch
	[ "$status" -eq 1 ]
	[[ $stderr =~ "No such object: nosuch" ]]
}

@test "a container's image cannot be removed without -f; ps filters" {
	b create --name keep --label tier=web busybox true >/dev/null
	run --separate-stderr b rmi busybox
	[ "$status" -eq 1 ]
	[[ $stderr =~ "container" ]]
	run b ps -a --filter label=tier=web --format '{{.Names}}'
	[ "$output" = keep ]
	run b ps -a --filter name=nomatch -q
	[ -z "$output" ]
	run b ps -a --filter status=created --format '{{.Names}}'
	[ "$output" = keep ]
	run b ps -n 1 --format '{{.Names}}'
	[ "$output" = keep ]
}
