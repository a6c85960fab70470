#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The engine issue's commands and flags that the other files do not check by
# their effect: cgroup files of the resource flags, namespaces, volumes' :z and
# :rw, --pull and --platform, --stop-timeout, restart policies' back-off, ps's
# -s -l --no-trunc and filters, logs -t --since --until, kill -s, restart,
# events, --help of every command. Each test has a private root; teardown
# removes every container it made.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

# cg CONTROLLER NAME: the container's cgroup directory of a v1 controller (or
# the unified one), from /proc/<init pid>/cgroup.
cg()
{
	local pid line
	pid=$(b inspect -f '{{.State.Pid}}' "$2") || return 1
	line=$(grep -E "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" "/proc/$pid/cgroup" || true)
	if [ -n "$line" ]; then
		echo "/sys/fs/cgroup/$1${line##*:}"
	else
		line=$(grep '^0::' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup${line##*:}"
	fi
}

# The subcommands a help text lists under its "Commands:" sections.
listed() { "$BERTH" "$@" --help | awk '/^([A-Z][a-z]+ )?Commands:$/ { f = 1; next } /^$/ { f = 0 } f { print $1 }'; }

# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------

@test "--help exits 0 with a usage line for every command and every group's subcommand" {
	local c s groups=() n=0
	for c in $(listed); do
		run --separate-stderr "$BERTH" $c --help
		[ "$status" -eq 0 ] || { echo "berth $c --help: $status $stderr"; return 1; }
		[[ $output =~ ^Usage:\ \ berth\  ]] || { echo "berth $c --help: $output"; return 1; }
		n=$((n + 1))
		if [[ $output =~ $'\nCommands:\n' ]]; then groups+=("$c"); fi
	done
	[ "${#groups[@]}" -ge 5 ]
	for c in "${groups[@]}"; do
		for s in $(listed "$c"); do
			run --separate-stderr "$BERTH" $c $s --help
			[ "$status" -eq 0 ] || { echo "berth $c $s --help: $status $stderr"; return 1; }
			[[ $output =~ ^Usage:\ \ berth\ $c\ $s ]] || { echo "berth $c $s --help: $output"; return 1; }
			n=$((n + 1))
		done
	done
	echo "$n help texts"
	[ "$n" -gt 60 ]
}

@test "unknown flags on many commands: docker's message, exit 125, nothing done" {
	local c
	for c in run create start stop restart kill rm ps logs exec attach inspect wait top stats cp pause unpause \
		rename port update events info version "container prune" "volume create" "volume ls" "volume rm" \
		"system df" "system prune"; do
		run --separate-stderr "$BERTH" $c --no-such-flag
		[ "$status" -eq 125 ] || { echo "berth $c: $status"; return 1; }
		[[ $stderr == "unknown flag: --no-such-flag"*"Usage:  berth $c"* ]] || { echo "berth $c: $stderr"; return 1; }
	done
	run -125 --separate-stderr "$BERTH" run -Q busybox true
	[[ $stderr == "unknown shorthand flag: 'Q' in -Q"* ]]
	run -0 b ps -aq
	[ -z "$output" ]
}

# ---------------------------------------------------------------------------
# run/create flags
# ---------------------------------------------------------------------------

@test "--memory-swap, --memory-reservation, --cpu-shares, --cpuset-cpus, --cpus reach the cgroup files" {
	run -0 b run -d --name res -m 64m --memory-swap 128m --memory-reservation 32m --cpu-shares 300 \
		--cpuset-cpus 0 --cpus 0.25 busybox sleep 1000
	local mem cpu set
	mem=$(cg memory res) cpu=$(cg cpu res) set=$(cg cpuset res)
	[ -f "$mem/memory.limit_in_bytes" ] || skip "no v1 memory controller"
	[ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
	if [ -f "$mem/memory.memsw.limit_in_bytes" ]; then
		[ "$(cat "$mem/memory.memsw.limit_in_bytes")" = 134217728 ]
	fi
	[ "$(cat "$mem/memory.soft_limit_in_bytes")" = 33554432 ]
	[ "$(cat "$cpu/cpu.shares")" = 300 ]
	[ "$(cat "$cpu/cpu.cfs_quota_us")" = $(($(cat "$cpu/cpu.cfs_period_us") / 4)) ]
	[ "$(cat "$set/cpuset.cpus")" = 0 ]
	run -0 b inspect -f '{{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.NanoCpus}}' res
	[ "$output" = "134217728 33554432 300 0 250000000" ]
	# -1: swap unlimited
	run -0 b run --rm -m 32m --memory-swap -1 busybox cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
	[ "$output" -gt 1000000000000 ]
	# docker's check: the swap limit includes the memory
	run -125 --separate-stderr b run --rm -m 64m --memory-swap 32m busybox true
	[[ ${stderr,,} =~ "minimum memoryswap limit should be larger than memory limit" ]]
}

@test "--domainname sets the UTS domain name, --hostname the host name" {
	run -0 b run --rm --hostname box --domainname example.org busybox sh -c 'hostname; cat /proc/sys/kernel/domainname'
	[ "$output" = $'box\nexample.org' ]
	run -0 b run --name dn --domainname example.org busybox true
	run -0 b inspect -f '{{.Config.Domainname}}' dn
	[ "$output" = example.org ]
}

@test "-u 1000, user:group names from the image's files, the primary group in the groups" {
	run -0 b run --rm -u 1000 busybox sh -c 'id -u; id -g'
	[ "$output" = $'1000\n0' ]
	run -0 b run --rm -u daemon:nogroup busybox id
	[[ $output =~ ^uid=1\(daemon\)\ gid=65534\(nogroup\) ]]
	run -0 b run --rm -u operator busybox sh -c 'id -u; id -g; echo $HOME'
	[ "$output" = $'37\n37\n/var' ]
	# docker puts the primary gid among the supplementary groups (CVE-2022-36109)
	run -0 b run --rm -u 1000:1000 busybox sh -c 'grep ^Groups: /proc/self/status'
	[[ $output =~ ^Groups:[[:space:]]+1000[[:space:]]*$ ]]
	run -0 b run --rm busybox id -G
	[ "$output" = "0 10" ]
	run -125 --separate-stderr b run --rm -u root:nosuchgroup busybox true
	[[ $stderr =~ "unable to find group nosuchgroup" ]]
}

@test "-v named volumes with :z and :Z, bind mounts with :rw" {
	run -0 b run --rm -v berth-test-z:/data:z busybox sh -c 'echo zdata >/data/f'
	run -0 b run --rm -v berth-test-z:/data:Z busybox cat /data/f
	[ "$output" = zdata ]
	mkdir -p "$BATS_TEST_TMPDIR/host"
	run -0 b run --rm -v "$BATS_TEST_TMPDIR/host:/h:rw,z" busybox sh -c 'echo rw >/h/w; grep " /h " /proc/mounts'
	[ "$(cat "$BATS_TEST_TMPDIR/host/w")" = rw ]
	[[ $output =~ \ rw[,\ ] ]]
	run -0 b run --name vz -v berth-test-z:/data:ro,Z busybox true
	run -0 b inspect -f '{{range .Mounts}}{{.Name}} {{.Destination}} {{.RW}} {{.Mode}}{{end}}' vz
	[ "$output" = "berth-test-z /data false ro,Z" ]
	run -125 --separate-stderr b run --rm -v berth-test-z:/data:bogus busybox true
	[[ $stderr =~ "invalid mode" ]]
}

@test "--read-only keeps --tmpfs and volumes writable" {
	run b run --rm --read-only --tmpfs /scratch -v berth-test-ro:/vol busybox sh -c \
		'touch /scratch/a && touch /vol/b && echo writable; touch /c'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = writable ]
	expect 'Read-only file system'
}

@test "--userns host: the host's user namespace; --uidmap with --gidmap maps both" {
	run -0 b run --rm --userns host busybox readlink /proc/self/ns/user
	[ "$output" = "$(readlink /proc/self/ns/user)" ]
	run -0 b run --rm --userns host busybox cat /proc/self/uid_map
	[[ $output =~ ^\ +0\ +0\ +4294967295$ ]]
	# roots as mktemp makes them (0700, not traversable by the mapped root):
	# berth opens its root and the container's directory to it (0711)
	local root rr mode
	root=$(mktemp -d /tmp/berth-test-uidmap.XXXXXX)
	rr=$(mktemp -d /tmp/berth-test-uidmap-run.XXXXXX)
	BERTH_ROOT=$root BERTH_RUNROOT=$rr b pull -q busybox >/dev/null
	run env BERTH_ROOT="$root" BERTH_RUNROOT="$rr" timeout 60 "$BERTH" run --rm \
		--uidmap 0:100000:65536 --gidmap 0:200000:65536 busybox sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	mode=$(stat -c %a "$root")
	BERTH_ROOT=$root BERTH_RUNROOT=$rr "$BERTH" rm -f $(BERTH_ROOT=$root BERTH_RUNROOT=$rr "$BERTH" ps -aq) >/dev/null 2>&1 || true
	# the namespace directory is a mount point (as ip netns makes /run/netns)
	grep -o " $rr/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	nft delete table inet "$(nft_table_of "$root")" 2>/dev/null || true
	rm -rf "$root" "$rr"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^\ +0\ +100000\ +65536$ ]]
	[[ ${lines[1]} =~ ^\ +0\ +200000\ +65536$ ]]
	[ "${lines[2]}" = 0 ]
	[ "$mode" = 711 ]
}

@test "--ipc private vs shareable: /dev/shm is shared only with a shareable donor" {
	run -0 b run -d --name donor --ipc shareable busybox sh -c 'echo shared >/dev/shm/m; sleep 1000'
	run -0 b run -d --name priv --ipc private busybox sh -c 'echo private >/dev/shm/m; sleep 1000'
	run -0 b run -d --name dflt busybox sh -c 'echo default >/dev/shm/m; sleep 1000'
	local i
	for i in $(seq 50); do b exec donor test -f /dev/shm/m && b exec priv test -f /dev/shm/m && break; sleep 0.1; done
	run -0 b run --rm --ipc container:donor busybox sh -c 'cat /dev/shm/m; readlink /proc/self/ns/ipc'
	[ "${lines[0]}" = shared ]
	[ "${lines[1]}" = "$(b exec donor readlink /proc/self/ns/ipc)" ]
	run -0 b inspect -f '{{.HostConfig.IpcMode}}' donor priv
	[ "$output" = $'shareable\nprivate' ]
	# a private namespace is neither the host's nor another container's
	[ "$(b exec priv readlink /proc/self/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ]
	[ "$(b exec priv readlink /proc/self/ns/ipc)" != "$(b exec donor readlink /proc/self/ns/ipc)" ]
	run -0 b exec priv cat /dev/shm/m
	[ "$output" = private ]
	run --separate-stderr b run --rm --ipc container:priv busybox cat /dev/shm/m
	[ "$status" -eq 125 ]
	[[ ! $output =~ private ]]
	[[ $stderr =~ shareable ]]
}

@test "--security-opt apparmor=... is accepted, with a warning where AppArmor is absent" {
	if [ -e /sys/kernel/security/apparmor ]; then
		skip "AppArmor is enabled here"
	fi
	run -0 --separate-stderr b run --rm --security-opt apparmor=unconfined busybox echo ok
	[ "$output" = ok ]
	run -0 --separate-stderr b run --rm --security-opt apparmor=docker-default busybox echo ok
	[ "$output" = ok ]
	[[ $stderr =~ "AppArmor is not enabled" ]]
	run -0 --separate-stderr b run --name aa --security-opt apparmor=unconfined busybox true
	run -0 b inspect -f '{{json .HostConfig.SecurityOpt}}' aa
	[ "$output" = '["apparmor=unconfined"]' ]
	run -125 --separate-stderr b run --rm --security-opt bogus=1 busybox true
	[[ $stderr =~ "bogus" ]]
}

@test "--device with permission r: the devices cgroup allows reading only" {
	[ -c /dev/kmsg ] || skip "no /dev/kmsg"
	run -0 b run -d --name dev --device /dev/kmsg:/dev/k:r busybox sleep 1000
	grep -qx 'c 1:11 r' "$(cg devices dev)/devices.list"
	run b exec dev sh -c 'echo x >/dev/k'
	[ "$status" -ne 0 ]
	expect 'Operation not permitted'
}

@test "--pull missing, always, never with the built-in image" {
	run -0 --separate-stderr b run --rm --pull never busybox echo never
	[ "$output" = never ]
	run -0 --separate-stderr b run --rm --pull always busybox echo always
	[ "$output" = always ]
	[[ $stderr =~ "Status: Downloaded newer image for busybox:latest" ]]
	run -0 --separate-stderr b run --rm --pull missing busybox echo missing
	[ "$output" = missing ]
	[ -z "$stderr" ]
	run -125 --separate-stderr b run --rm --pull never berth-test-absent:1 true
	[ "$stderr" = "berth: No such image: berth-test-absent:1" ]
	run -125 --separate-stderr b run --rm --pull never berth-test-absent true
	[ "$stderr" = "berth: No such image: berth-test-absent:latest" ]
	run -125 --separate-stderr b create --pull sometimes busybox true
	[[ $stderr =~ "invalid pull option: 'sometimes'" ]]
	run -0 b ps -aq
	[ -z "$output" ]
}

@test "--platform: the host's is accepted, a foreign one fails clearly" {
	local arch
	case $(uname -m) in
	x86_64) arch=amd64 other=s390x ;;
	aarch64) arch=arm64 other=amd64 ;;
	*) skip "unknown host arch" ;;
	esac
	run -0 --separate-stderr b run --rm --platform "linux/$arch" busybox echo host
	[ "$output" = host ]
	run --separate-stderr b run --rm --pull never --platform "linux/$other" busybox echo foreign
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[[ $stderr =~ "does not match the specified platform: wanted linux/$other, actual: linux/$arch" ]]
	run --separate-stderr b create --platform "linux/$other" busybox true
	[ "$status" -eq 125 ]
	run -125 --separate-stderr b run --rm --platform "not a platform" busybox true
	run -0 b ps -aq
	[ -z "$output" ]
}

@test "--stop-timeout is recorded and used by stop and restart" {
	run -0 b run -d --name st --stop-timeout 1 busybox sleep 1000
	run -0 b inspect -f '{{.Config.StopTimeout}}' st
	[ "$output" = 1 ]
	local start took
	start=$(date +%s%N)
	run -0 b stop st
	took=$((($(date +%s%N) - start) / 1000000))
	echo "stop took $took ms"
	[ "$took" -ge 900 ] && [ "$took" -lt 5000 ]
	run -0 b inspect -f '{{.State.ExitCode}}' st
	[ "$output" = 137 ]
	run -0 b start st
	start=$(date +%s%N)
	run -0 b restart st
	took=$((($(date +%s%N) - start) / 1000000))
	[ "$took" -ge 900 ] && [ "$took" -lt 5000 ]
	# -t overrides it
	start=$(date +%s%N)
	run -0 b stop -t 0 st
	took=$((($(date +%s%N) - start) / 1000000))
	[ "$took" -lt 900 ]
}

@test "--restart no, on-failure without a count, always with docker's growing back-off" {
	run -0 b run -d --name never busybox sh -c 'exit 1'
	run -0 b run -d --name onfail --restart on-failure busybox sh -c 'exit 0'
	sleep 1
	run -0 b inspect -f '{{.RestartCount}} {{.State.Status}} {{.HostConfig.RestartPolicy.Name}}' never onfail
	[ "$output" = $'0 exited no\n0 exited on-failure' ]
	# 100 ms doubling: five restarts take 100+200+400+800+1600 ms
	run -0 b run -d --name backoff --restart always busybox sh -c 'echo run; exit 1'
	sleep 2.5
	run -0 b inspect -f '{{.RestartCount}}' backoff
	echo "restarts after 2.5 s: $output"
	[ "$output" -ge 2 ] && [ "$output" -le 6 ]
	run -0 b logs -t backoff
	local t=() l
	for l in "${lines[@]}"; do t+=("$(date -d "${l%% *}" +%s%N)"); done
	[ "${#t[@]}" -ge 4 ]
	# the third gap is well longer than the first
	[ $((t[3] - t[2])) -gt $(((t[1] - t[0]) * 2)) ]
	run -0 b ps -a --filter name=backoff --format '{{.Status}}'
	expect '^(Restarting \(1\) |Up )'
	run -125 --separate-stderr b run -d --restart sometimes busybox true
	run -125 --separate-stderr b run --rm --restart always busybox true
	[[ $stderr =~ "Conflicting options: --restart and --rm" ]]
}

@test "--health-* are recorded in Config.Healthcheck in docker's units" {
	run -0 b create --name hc --health-cmd 'test -e /' --health-interval 2s --health-timeout 3s \
		--health-retries 4 --health-start-period 5s busybox sleep 100
	run -0 b inspect -f '{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Timeout}} {{.Config.Healthcheck.Retries}} {{.Config.Healthcheck.StartPeriod}}' hc
	[ "$output" = '["CMD-SHELL","test -e /"] 2000000000 3000000000 4 5000000000' ]
	run -125 --separate-stderr b create --health-interval -1s --health-cmd true busybox true
	[[ $stderr =~ "--health-interval cannot be negative" ]]
}

# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------

@test "ps -s, -l, --no-trunc, --filter exited=N, ancestor=, id=" {
	run -3 b run --name e3 busybox sh -c 'exit 3'
	run -0 b run --name e0 busybox sh -c 'head -c 5000 /dev/zero >/big'
	run -0 b run -d --name up busybox sleep 1000
	local id
	id=$(b inspect -f '{{.Id}}' e3)
	run -0 b ps -a --filter exited=3 --format '{{.Names}}'
	[ "$output" = e3 ]
	run -0 b ps -a --filter exited=0 --filter exited=3 --format '{{.Names}}'
	[ "$output" = $'e0\ne3' ]
	run -0 b ps -a --filter ancestor=busybox -q
	[ "${#lines[@]}" -eq 3 ]
	run -0 b ps -a --filter ancestor=busybox:latest --filter status=running --format '{{.Names}}'
	[ "$output" = up ]
	run -0 b ps -a --filter ancestor=berth-test-other -q
	[ -z "$output" ]
	run -0 b ps -a --filter "id=${id:0:6}" --format '{{.Names}}'
	[ "$output" = e3 ]
	run -0 b ps -l --format '{{.Names}}'
	[ "$output" = up ]
	run -0 b ps -a --no-trunc --filter name=e0 --format '{{.ID}} {{.Command}}'
	[[ $output =~ ^[0-9a-f]{64}\ \"sh\ -c\ \'head\ -c\ 5000\ /dev/zero\ \>/big\'\"$ ]]
	run -0 b ps -a --filter name=e0 --format '{{.ID}} {{.Command}}'
	[[ $output =~ ^[0-9a-f]{12}\ \"sh\ -c\ \'head\ -c\ 5000…\"$ ]]
	# -s: the bytes the container wrote and the image's, as docker's SIZE column
	run -0 b ps -as --filter name=e0
	expect '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE'
	expect ' e0 +5kB \(virtual [0-9.]+[kM]B\)$'
	run -0 b ps -a --filter name=e3 --format '{{.Size}}'
	expect '^0B \(virtual [0-9.]+[kM]B\)$'
	# the table's columns line up although "…" is three bytes
	run -0 b ps -a --filter name=e0 --filter name=e3
	[ "${#lines[@]}" -eq 3 ]
	local LC_ALL=C.UTF-8 h=${lines[0]%%NAMES*} l1=${lines[1]%% e*} l2=${lines[2]%% e*}
	[ "${#l1}" -eq $((${#h} - 1)) ]
	[ "${#l2}" -eq $((${#h} - 1)) ]
	run -125 --separate-stderr b ps --filter nosuch=1
}

@test "logs -t, --since and --until select by the timestamps" {
	run -0 b run -d --name lg busybox sh -c 'echo one; sleep 1.2; echo two; sleep 1.2; echo three; sleep 1000'
	local i
	for i in $(seq 50); do b logs lg | grep -q three && break; sleep 0.1; done
	run -0 b logs -t lg
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ one$ ]]
	local t2 mid
	t2=${lines[1]%% *}
	mid=$(date -u -d "$t2" +%Y-%m-%dT%H:%M:%S.%NZ)
	run -0 b logs --since "$mid" lg
	[ "$output" = $'two\nthree' ]
	# both ends are inclusive, as docker's
	run -0 b logs --until "$mid" lg
	[ "$output" = $'one\ntwo' ]
	run -0 b logs --until "$(date -d "$t2" +%s)" lg
	[ "$output" = one ]
	# unix seconds with fractions, and durations relative to now
	run -0 b logs --since "$(date -d "$t2" +%s.%N)" --until "$(date -d "$t2" +%s).999999999" lg
	[ "$output" = two ]
	run -0 b logs --since 1h --until 0.6s lg
	[ "${#lines[@]}" -ge 2 ] && [ "${lines[0]}" = one ]
	run -0 b logs -t --tail 1 lg
	[[ $output =~ Z\ three$ ]]
	run --separate-stderr b logs --since bogus lg
	[ "$status" -ne 0 ]
	[[ $stderr =~ bogus ]]
}

@test "kill -s: names with and without SIG, lower case, numbers" {
	run -0 b run -d --name kl busybox sh -c 'trap "echo usr1" USR1; trap "echo usr2" USR2; trap "echo hup" HUP; trap "exit 9" INT; echo ready; while :; do sleep 0.1; done'
	local i
	for i in $(seq 50); do b logs kl | grep -q ready && break; sleep 0.1; done
	run -0 b kill -s SIGUSR1 kl
	[ "$output" = kl ]
	sleep 0.3
	run -0 b kill -s 12 kl
	sleep 0.3
	run -0 b kill --signal hup kl
	sleep 0.3
	run -1 --separate-stderr b kill -s NOSUCH kl
	[ "$stderr" = "berth: Invalid signal: NOSUCH" ]
	[ -z "$output" ]
	run -0 b kill -s 2 kl
	run -0 b wait kl
	[ "$output" = 9 ]
	run -0 b logs kl
	[ "$output" = $'ready\nusr1\nusr2\nhup' ]
}

@test "container prune and system prune --filter label=, label!=, until=" {
	b create --name pa --label keep=yes busybox true
	b create --name pb --label team=x busybox true
	b create --name pc busybox true
	names() { b ps -a --format '{{.Names}}' | sort | tr '\n' ' '; }
	run -0 b container prune -f --filter label=team=y
	[ "$(names)" = "pa pb pc " ]
	local pb
	pb=$(b inspect -f '{{.Id}}' pb)
	run -0 b container prune -f --filter label=team=x
	[ "$output" = $'Deleted Containers:\n'"$pb"$'\n\nTotal reclaimed space: 0B' ]
	[ "$(names)" = "pa pc " ]
	run -0 b container prune -f --filter 'label!=keep'
	[ "$(names)" = "pa " ]
	# until: only what was created at or before the time
	run -0 b container prune -f --filter until=1h
	run -0 b container prune -f --filter until=2000-01-01T00:00:00Z
	[ "$(names)" = "pa " ]
	run -0 b system prune -f --filter "until=$(($(date +%s) + 60))" --filter label=keep=yes
	[ -z "$(names)" ]
	run -125 --separate-stderr b container prune -f --filter bogus=1
	[ "$stderr" = "berth: invalid filter 'bogus'" ]
	run -125 --separate-stderr b container prune -f --filter label
	[ "$stderr" = "berth: bad format of filter (expected name=value)" ]
	run -125 --separate-stderr b system prune -f --filter until=1h --filter until=2h
	[ "$stderr" = "berth: more than one until filter specified" ]
	run -125 --separate-stderr b container prune -f --filter until=bogus
	[[ $stderr =~ bogus ]]
}

@test "image prune and volume prune --filter: label, label!, until (not for volumes)" {
	# the built-in busybox: created 2023-11-14, no labels
	run -0 b image prune -af --filter label=team
	[ "$output" = "Total reclaimed space: 0B" ]
	run -0 b image prune -af --filter until=2023-01-01T00:00:00Z
	[ "$output" = "Total reclaimed space: 0B" ]
	run -0 b image prune -af --filter until=2023-12-01T00:00:00Z --filter 'label!=team'
	expect 'untagged: busybox:latest'
	[ -z "$(b images -q)" ]
	b volume create --label team=a va
	b volume create --label team=b vb
	b volume create vc
	run -0 b volume prune -af --filter label=team=a
	[ "$output" = $'Deleted Volumes:\nva\n\nTotal reclaimed space: 0B' ]
	run -0 b volume prune -af --filter 'label!=team'
	[ "$output" = $'Deleted Volumes:\nvc\n\nTotal reclaimed space: 0B' ]
	run -125 --separate-stderr b volume prune -af --filter until=1h
	[ "$stderr" = "berth: invalid filter 'until'" ]
	[ "$(b volume ls -q)" = vb ]
}

@test "restart: a new process for a running container, a created one starts, -t bounds the wait" {
	run -0 b run -d --name rs busybox sh -c 'trap "exit 4" TERM; echo started; while :; do sleep 0.1; done'
	local pid1 at1
	sleep 0.3
	pid1=$(b inspect -f '{{.State.Pid}}' rs)
	at1=$(b inspect -f '{{.State.StartedAt}}' rs)
	run -0 b restart rs
	[ "$output" = rs ]
	run -0 b inspect -f '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}' rs
	[[ $output =~ ^running\ [0-9]+\  ]]
	[ "$(cut -d' ' -f2 <<<"$output")" != "$pid1" ]
	[ "$(cut -d' ' -f3 <<<"$output")" != "$at1" ]
	kill -0 "$pid1" 2>/dev/null && return 1
	sleep 0.3
	run -0 b logs rs
	[ "$output" = $'started\nstarted' ]
	# a restart is not counted as a policy restart
	run -0 b inspect -f '{{.RestartCount}}' rs
	[ "$output" = 0 ]
	run -0 b create --name cr busybox echo from-created
	run -0 b restart cr
	run -0 b wait cr
	run -0 b logs cr
	[ "$output" = from-created ]
	# a command that ignores TERM: -t 1, then SIGKILL
	run -0 b run -d --name deaf busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	local start took
	start=$(date +%s%N)
	run -0 b restart -t 1 deaf
	took=$((($(date +%s%N) - start) / 1000000))
	[ "$took" -ge 900 ] && [ "$took" -lt 5000 ]
	run -0 b inspect -f '{{.State.Running}}' deaf
	[ "$output" = true ]
	run -1 --separate-stderr b restart berth-test-nosuch
}

@test "events: stop, and start/die/kill of docker stop, filtered by event" {
	local since until
	since=$(date +%s.%N)
	run -0 b run -d --name ev busybox sleep 1000
	run -0 b stop -t 1 ev
	until=$(date +%s.%N)
	run -0 b events --since "$since" --until "$until" --filter event=stop --format '{{.Action}} {{.Actor.Attributes.name}}'
	[ "$output" = "stop ev" ]
	run -0 b events --since "$since" --until "$until" --filter container=ev --format '{{.Action}}'
	expect $'^(create\n)?start\n'
	expect $'\nkill\n'
	expect $'\ndie\nstop$'
	run -0 b events --since "$since" --until "$until" --filter event=die --format '{{.Actor.Attributes.exitCode}}'
	[ "$output" = 137 ]
}

@test "rm -f of a running container: kill, die, destroy events, no stop" {
	local since until
	since=$(date +%s.%N)
	run -0 b run -d --name rmf busybox sleep 1000
	run -0 b rm -f rmf
	until=$(date +%s.%N)
	run -0 b events --since "$since" --until "$until" --filter container=rmf --format '{{.Action}}'
	expect $'\nkill\n'
	expect $'\ndie\n'
	expect $'\ndestroy$'
	[[ ! $output =~ stop ]]
}

@test "stats --format: Name, MemUsage, CPUPerc, PIDs of several containers" {
	run -0 b run -d --name s1 -m 32m busybox sleep 1000
	run -0 b run -d --name s2 busybox sh -c 'sleep 1000 & sleep 1000'
	run -0 b stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' s1 s2
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^s1\ [0-9.]+[KMG]?i?B\ /\ 32MiB\ 1$ ]]
	[[ ${lines[1]} =~ ^s2\ [0-9.]+[KMG]?i?B\ /\ [0-9.]+[MGT]iB\ 2$ ]]
	run -0 b stats --no-stream --format '{{.Container}} {{.CPUPerc}} {{.MemPerc}}' s1
	[[ $output =~ ^s1\ [0-9.]+%\ [0-9.]+%$ ]]
}

@test "rm -f, stop and kill of a paused container end it, as docker's" {
	run -0 b run -d --name p1 busybox sleep 1000
	run -0 b run -d --name p2 busybox sleep 1000
	run -0 b run -d --name p3 busybox sleep 1000
	run -0 b pause p1 p2 p3
	run -0 b rm -f p1
	run -1 --separate-stderr b inspect p1
	run -0 b stop -t 1 p2
	run -0 b inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}' p2
	[ "$output" = "exited false 137" ]
	run -0 b kill p3
	run -0 b wait p3
	[ "$output" = 137 ]
	run -0 b inspect -f '{{.State.Status}} {{.State.Paused}}' p3
	[ "$output" = "exited false" ]
}

@test "--cap-add ALL gives every capability the engine holds, --cap-drop then takes one away" {
	local bnd
	bnd=$(grep CapBnd /proc/self/status | cut -f2)
	run -0 b run --rm --cap-add ALL busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	$bnd" ]
	# NET_RAW is bit 13
	run -0 b run --rm --cap-add ALL --cap-drop NET_RAW busybox grep CapEff /proc/self/status
	[ "$output" = "CapEff:	$(printf '%016x' $((0x$bnd & ~(1 << 13))))" ]
}

@test "update of a running container: cpu, cpuset and memory limits reach the cgroup files" {
	[ "$(nproc)" -ge 2 ] || skip "needs two cpus"
	run -0 b run -d --name upd busybox sleep 1000
	run -0 b update --cpus 0.5 --cpu-shares 700 --cpuset-cpus 1 --memory 64m --memory-swap 96m \
		--memory-reservation 16m upd
	[ "$output" = upd ]
	local cpu set mem
	cpu=$(cg cpu upd) set=$(cg cpuset upd) mem=$(cg memory upd)
	[ -f "$mem/memory.limit_in_bytes" ] || skip "no v1 memory controller"
	[ "$(cat "$cpu/cpu.cfs_quota_us")" = $(($(cat "$cpu/cpu.cfs_period_us") / 2)) ]
	[ "$(cat "$cpu/cpu.shares")" = 700 ]
	[ "$(cat "$set/cpuset.cpus")" = 1 ]
	[ "$(cat "$mem/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$mem/memory.soft_limit_in_bytes")" = 16777216 ]
	if [ -f "$mem/memory.memsw.limit_in_bytes" ]; then
		[ "$(cat "$mem/memory.memsw.limit_in_bytes")" = 100663296 ]
	fi
	run -0 b inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}}' upd
	[ "$output" = "500000000 700 1 67108864 100663296 16777216" ]
	# the process sees its new cpu set
	run -0 b exec upd grep Cpus_allowed_list /proc/self/status
	[[ $output =~ :[[:space:]]+1$ ]]
}

@test "--uidmap with a named volume: the container's root owns the new volume and writes to it" {
	local top
	top=$(mktemp -d /tmp/berth-test-uidvol.XXXXXX)
	chmod 755 "$top"
	BERTH_ROOT=$top/root BERTH_RUNROOT=$top/run b pull -q busybox >/dev/null
	run env BERTH_ROOT="$top/root" BERTH_RUNROOT="$top/run" timeout 60 "$BERTH" run --rm --uidmap 0:100000:65536 \
		-v berth-test-uvol:/data -v berth-test-uetc:/etc busybox sh -c 'touch /data/x && stat -c %u /data/x /data /etc/passwd'
	local owner
	owner=$(stat -c %u "$top/root/volumes/berth-test-uetc/_data/passwd" 2>/dev/null || echo missing)
	BERTH_ROOT=$top/root BERTH_RUNROOT=$top/run "$BERTH" rm -f $(BERTH_ROOT=$top/root BERTH_RUNROOT=$top/run "$BERTH" ps -aq) >/dev/null 2>&1 || true
	grep -o " $top/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	nft delete table inet "$(nft_table_of "$top/root")" 2>/dev/null || true
	rm -rf "$top"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	# on the host: the image's files copied into the volume belong to the mapped root
	[ "$owner" = 100000 ]
}
