#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# run --init (berth-init as the container's PID 1: signals, zombies, exit
# codes), Docker's HEALTHCHECK (State.Health, ps's suffix) and State.OOMKilled.
# Each test has a private root; teardown removes every container it made.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

# wait_health SECONDS NAME STATUS: State.Health.Status becomes STATUS in time.
wait_health()
{
	local end=$((SECONDS + $1)) s=
	while [ $SECONDS -lt $end ]; do
		s=$("$BERTH" inspect -f '{{.State.Health.Status}}' "$2" 2>/dev/null) || true
		[ "$s" = "$3" ] && return 0
		sleep 0.2
	done
	echo "health of $2 is '$s', not '$3' after $1 s"
	"$BERTH" inspect -f '{{json .State.Health}}' "$2" || true
	return 1
}

@test "--init: berth-init is PID 1, the command its child" {
	run --separate-stderr b run --name i1 --init busybox ps -o pid,ppid,comm
	echo "$output"
	[ "$status" -eq 0 ]
	expect $'\n +1 +0 +berth-init\n'
	expect $'\n +[0-9]+ +1 +ps$'
	run b inspect -f '{{.HostConfig.Init}} {{.Path}}' i1
	[ "$output" = "true ps" ]
}

@test "--init: the command's exit code, 128+signal, 127" {
	run b run --init busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run b run --init busybox sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	run b run --init busybox true
	[ "$status" -eq 0 ]
	run -127 --separate-stderr b run --init busybox nosuchcmd
	[ "$status" -eq 127 ]
	[[ $stderr =~ nosuchcmd ]]
}

@test "--init: orphans are reaped, no zombie is left" {
	# sh -c 'sleep & exit' orphans its sleep: it dies as a child of PID 1
	run b run --init busybox sh -c 'sh -c "sleep 0.2 & exit"; sh -c "sleep 0.3 & exit"; sleep 1; ps -o stat,comm'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ! $output =~ (^|$'\n')Z ]]
	expect 'berth-init'
	# the command of the brief: two background sleeps, the shell kills itself
	run b run --init busybox sh -c 'sleep 100 & sleep 100 & kill $$'
	[ "$status" -eq 143 ]
}

@test "--init: signals are forwarded, stop takes no timeout" {
	local start took
	b run -d --init --name withinit busybox sleep 1000
	start=$(date +%s%N)
	b stop -t 5 withinit
	took=$((($(date +%s%N) - start) / 1000000))
	echo "stop with --init took $took ms"
	[ "$took" -lt 4000 ]
	run b inspect -f '{{.State.ExitCode}}' withinit
	[ "$output" = 143 ]
	# without an init, sleep as PID 1 ignores SIGTERM: the full timeout, then SIGKILL
	b run -d --name noinit busybox sleep 1000
	start=$(date +%s%N)
	b stop -t 2 noinit
	took=$((($(date +%s%N) - start) / 1000000))
	echo "stop without --init took $took ms"
	[ "$took" -ge 1900 ]
	run b inspect -f '{{.State.ExitCode}}' noinit
	[ "$output" = 137 ]
}

@test "--init: SIGUSR1 and SIGHUP reach the command" {
	b run -d --init --name sig busybox sh -c 'trap "echo usr1" USR1; trap "echo hup; exit 5" HUP; echo ready; while :; do sleep 0.1; done'
	local i
	for i in $(seq 50); do b logs sig | grep -q ready && break; sleep 0.1; done
	b kill -s USR1 sig
	sleep 0.5
	b kill -s HUP sig
	run b wait sig
	[ "$output" = 5 ]
	run b logs sig
	expect $'ready\nusr1\nhup'
}

@test "healthcheck: starting, then healthy, then unhealthy; ps shows it" {
	# failures in the start period do not count; /tmp/ok exists from 3 s to 8 s
	b run -d --name hc --health-cmd 'test -f /tmp/ok' --health-interval 1s --health-retries 2 \
		--health-start-period 30s --health-start-interval 1s \
		busybox sh -c 'sleep 3; touch /tmp/ok; sleep 5; rm /tmp/ok; sleep 100'
	run b inspect -f '{{.State.Health.Status}}' hc
	[ "$output" = starting ]
	run b ps --format '{{.Status}}'
	expect '\(health: starting\)$'
	wait_health 10 hc healthy
	run b ps --format '{{.Status}}'
	expect '^Up .* \(healthy\)$'
	run b inspect -f '{{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}}' hc
	expect '^0 '
	wait_health 15 hc unhealthy
	run b inspect -f '{{.State.Health.FailingStreak}} {{len .State.Health.Log}}' hc
	expect '^[2-9] [1-5]$'
	run b ps --format '{{.Status}}'
	expect '\(unhealthy\)$'
}

@test "healthcheck: output, exit code and the timeout in the log" {
	b run -d --name hc --health-cmd 'echo out; echo err >&2; test -f /tmp/slow && sleep 10; exit 1' \
		--health-interval 1s --health-timeout 1s --health-retries 5 \
		busybox sh -c 'sleep 2; touch /tmp/slow; sleep 100'
	wait_health 15 hc unhealthy
	run b inspect -f '{{json .State.Health.Log}}' hc
	echo "$output"
	expect '"ExitCode":1,"Output":"out\\nerr\\n"'
	expect '"ExitCode":-1,"Output":"Health check exceeded timeout \(1s\)"'
}

@test "healthcheck: none, and --no-healthcheck" {
	b run -d --name plain busybox sleep 100
	run b inspect -f '{{json .State.Health}}' plain
	[ "$output" = null ]
	run b ps --format '{{.Status}}'
	[[ ! $output =~ health ]]
	b run -d --name off --no-healthcheck busybox sleep 100
	run b inspect -f '{{json .Config.Healthcheck.Test}} {{json .State.Health}}' off
	[ "$output" = '["NONE"] null' ]
	run --separate-stderr b run --no-healthcheck --health-cmd true busybox true
	[ "$status" -eq 125 ]
}

memory_controller()
{
	grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null || [ -d /sys/fs/cgroup/memory ]
}

@test "OOMKilled: true after the OOM killer, false otherwise" {
	memory_controller || skip "no memory controller"
	run b run --name oom -m 16m --memory-swap 16m busybox sh -c 'x=$(head -c 100m /dev/zero | tr "\0" a); echo survived'
	echo "$output"
	[ "$status" -eq 137 ]
	run b inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom
	[ "$output" = "true 137" ]
	run b run --name fine -m 16m busybox true
	[ "$status" -eq 0 ]
	run b inspect -f '{{.State.OOMKilled}}' fine
	[ "$output" = false ]
}
