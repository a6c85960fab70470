#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# config.json fields the runtime honours: mounts, root, masked and readonly
# paths, process settings, capabilities, rlimits, sysctl, hooks, devices,
# cgroups and the terminal.

load helpers

# add_caps BUNDLE CAP...: add capabilities to the bounding, effective and permitted sets
add_caps()
{
	local b=$1
	shift
	cfg "$b" '.process.capabilities |= (.bounding += $ARGS.positional | .effective += $ARGS.positional
		| .permitted += $ARGS.positional)' --args -- "$@"
}

# the cgroup directory of PID in a v1 controller (or "" for the v2 one)
cgroup_dir()
{
	local pid=$1 ctl=$2
	if [ -z "$ctl" ]; then
		echo "/sys/fs/cgroup/unified$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")"
	else
		echo "/sys/fs/cgroup/$ctl$(awk -F: -v c="$ctl" '$2 == c { print $3 }' "/proc/$pid/cgroup")"
	fi
}

@test "mounts: read-only bind" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	echo from-host >"$BATS_TEST_TMPDIR/data/f"
	make_bundle "$BUNDLE" sh -c 'cat /data/f; touch /data/g && echo writable'
	cfg "$BUNDLE" '.mounts += [{"destination": "/data", "type": "bind", "source": $d, "options": ["rbind", "ro"]}]' \
		--arg d "$BATS_TEST_TMPDIR/data"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "${lines[0]}" = from-host ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output != *writable* ]]
	[ ! -e "$BATS_TEST_TMPDIR/data/g" ]
}

@test "mounts: read-write bind writes through to the host" {
	mkdir -p "$BATS_TEST_TMPDIR/data"
	make_bundle "$BUNDLE" sh -c 'echo inside >/data/g'
	cfg "$BUNDLE" '.mounts += [{"destination": "/data", "type": "bind", "source": $d, "options": ["bind"]}]' \
		--arg d "$BATS_TEST_TMPDIR/data"
	rt run --bundle "$BUNDLE" "$PREFIX-a"
	[ "$(cat "$BATS_TEST_TMPDIR/data/g")" = inside ]
}

@test "mounts: tmpfs with size and mode" {
	make_bundle "$BUNDLE" sh -c 'stat -c %a /scratch; grep " /scratch " /proc/self/mountinfo'
	cfg "$BUNDLE" '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "noexec", "size=1m", "mode=1770"]}]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1770 ]
	[[ ${lines[1]} == *" tmpfs "* ]]
	[[ ${lines[1]} == *size=1024k* ]]
	[[ ${lines[1]} == *nosuid* ]]
	[[ ${lines[1]} == *noexec* ]]
}

@test "mounts: propagation rslave receives the host's later mounts" {
	local src=$BATS_TEST_TMPDIR/prop
	mkdir -p "$src"
	mount --bind "$src" "$src"
	mount --make-shared "$src"
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.mounts += [{"destination": "/prop", "type": "bind", "source": $s, "options": ["rbind", "rslave"]},
		{"destination": "/priv", "type": "bind", "source": $s, "options": ["rbind", "rprivate"]}]' --arg s "$src"
	start_container "$PREFIX-a"
	mkdir -p "$src/sub"
	mount -t tmpfs berth-test-prop "$src/sub"
	echo hi >"$src/sub/f"
	run rt exec "$PREFIX-a" sh -c 'cat /prop/sub/f; ls /priv/sub | wc -l; grep " /prop " /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hi ]
	[ "${lines[1]}" = 0 ]
	[[ ${lines[2]} == *master:* ]]
}

@test "root.readonly makes / read-only" {
	make_bundle "$BUNDLE" sh -c 'touch /x && echo writable; grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	cfg "$BUNDLE" '.root.readonly = true'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output == *"Read-only file system"* ]]
	[[ $output != *writable* ]]
	[[ $(tail -1 <<<"$output") =~ \ ro[,\ ] ]]
	cfg "$BUNDLE" '.root.readonly = false'
	run rt run --bundle "$BUNDLE" "$PREFIX-b"
	[[ $output == *writable* ]]
	rm -f "$BUNDLE/rootfs/x"
}

@test "maskedPaths hide files and directories" {
	# /proc/kcore is absent on kernels without CONFIG_PROC_KCORE (as here)
	make_bundle "$BUNDLE" sh -c 'for f in /proc/kcore /proc/timer_list /etc/passwd; do
		if [ -e $f ]; then wc -c <$f; else echo 0; fi; done; ls /sys/firmware | wc -l; echo x >/etc/passwd'
	cfg "$BUNDLE" '.root.readonly = false
		| .linux.maskedPaths = ["/proc/kcore", "/proc/timer_list", "/etc/passwd", "/sys/firmware", "/does/not/exist"]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
	# a write goes to the mask, not to the file
	[ "$(cat "$BUNDLE/rootfs/etc/passwd")" = 'root:x:0:0:root:/root:/bin/sh' ]
}

@test "readonlyPaths cannot be written" {
	make_bundle "$BUNDLE" sh -c 'echo x >/proc/sys/kernel/domainname && echo written; grep " /proc/sys " /proc/self/mountinfo'
	cfg "$BUNDLE" '.linux.readonlyPaths = ["/proc/sys"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output == *"Read-only file system"* ]]
	[[ $output != *written* ]]
	[[ $(grep ' /proc/sys ' <<<"$output") =~ \ ro[,\ ] ]]
}

@test "process.user: uid, gid, additionalGids and umask" {
	make_bundle "$BUNDLE" sh -c 'id -u; id -g; id -G; umask'
	cfg "$BUNDLE" '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20], "umask": 23}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = "1001 10 20" ]
	[ "${lines[3]}" = 0027 ]
}

@test "process.cwd and process.env" {
	make_bundle "$BUNDLE" sh -c 'pwd; echo "$FOO|$BAR"; env | grep -c ^PATH='
	cfg "$BUNDLE" '.process.cwd = "/srv/work" | .process.env += ["FOO=foo value", "BAR="]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /srv/work ]
	[ "${lines[1]}" = "foo value|" ]
	[ "${lines[2]}" = 1 ]
}

@test "capabilities: the five sets are as requested" {
	make_bundle "$BUNDLE" sh -c 'grep ^Cap /proc/self/status'
	# CAP_CHOWN (0), CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_NET_RAW (13)
	cfg "$BUNDLE" '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"inheritable": ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapInh:	0000000000002400" ]
	[ "${lines[1]}" = "CapPrm:	0000000000002421" ]
	[ "${lines[2]}" = "CapEff:	0000000000002421" ]
	[ "${lines[3]}" = "CapBnd:	0000000000002421" ]
	[ "${lines[4]}" = "CapAmb:	0000000000000400" ]
}

@test "capabilities: ambient ones survive for a non-root user" {
	make_bundle "$BUNDLE" sh -c 'grep -E "^Cap(Eff|Amb)" /proc/self/status'
	cfg "$BUNDLE" '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {
		"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"], "effective": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"], "inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapEff:	0000000000000400" ]
	[ "${lines[1]}" = "CapAmb:	0000000000000400" ]
}

@test "rlimits: nofile 1024" {
	make_bundle "$BUNDLE" sh -c 'ulimit -n; ulimit -Hn'
	cfg "$BUNDLE" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 1024}]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1024 ]
}

@test "rlimits: a hard limit above ours is clamped with a warning" {
	skip_unless_berth "runc fails the container instead"
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] && [ "$hard" -lt 1048576 ] || skip "hard nofile here is $hard"
	make_bundle "$BUNDLE" sh -c 'ulimit -Hn'
	cfg "$BUNDLE" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1048576, "hard": 1048576}]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *RLIMIT_NOFILE* ]] || [[ $output == *nofile* ]]
	[ "${lines[-1]}" = "$hard" ]
}

@test "noNewPrivileges and oomScoreAdj" {
	make_bundle "$BUNDLE" sh -c 'grep ^NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj'
	cfg "$BUNDLE" '.process.noNewPrivileges = true | .process.oomScoreAdj = 123'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NoNewPrivs:	1" ]
	[ "${lines[1]}" = 123 ]
	cfg "$BUNDLE" '.process.noNewPrivileges = false | del(.process.oomScoreAdj)'
	run rt run --bundle "$BUNDLE" "$PREFIX-b"
	[ "${lines[0]}" = "NoNewPrivs:	0" ]
}

@test "sysctl: net.ipv4.ip_forward in the container's netns only" {
	local host
	host=$(cat /proc/sys/net/ipv4/ip_forward)
	make_bundle "$BUNDLE" cat /proc/sys/net/ipv4/ip_forward
	cfg "$BUNDLE" '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" ]
}

# hook NAME LOG: a hook appending "NAME <state JSON>" to LOG
hook()
{
	jq -nc --arg n "$1" --arg log "$2" \
		'{"path": "/bin/sh", "args": ["sh", "-c", "echo \($n) $(cat) >>\($log)"], "env": ["PATH=/bin:/usr/bin"]}'
}

@test "hooks: all six run in order with the state on stdin" {
	local log=$BATS_TEST_TMPDIR/hooks/log
	mkdir -p "$BATS_TEST_TMPDIR/hooks"
	make_bundle "$BUNDLE" sh -c 'echo container >>/hooks/log'
	cfg "$BUNDLE" '.hooks = {
		"prestart": [$pre], "createRuntime": [$cr], "createContainer": [$cc],
		"startContainer": [$sc], "poststart": [$ps], "poststop": [$pst]}
		| .mounts += [{"destination": "/hooks", "type": "bind", "source": $dir, "options": ["bind"]}]' \
		--argjson pre "$(hook prestart "$log")" --argjson cr "$(hook createRuntime "$log")" \
		--argjson cc "$(hook createContainer "$log")" --argjson sc "$(hook startContainer /hooks/log)" \
		--argjson ps "$(hook poststart "$log")" --argjson pst "$(hook poststop "$log")" \
		--arg dir "$BATS_TEST_TMPDIR/hooks"
	create_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	rt start "$PREFIX-a"
	wait_for 5 status_is "$PREFIX-a" stopped
	rt delete "$PREFIX-a"
	cat "$log"
	[ "$(wc -l <"$log")" -eq 7 ]
	# line of each entry, its state's id and status
	declare -A at st
	local n=0 name json
	while read -r name json; do
		n=$((n + 1))
		at[$name]=$n
		[ "$name" = container ] && continue
		[ "$(jq -r .id <<<"$json")" = "$PREFIX-a" ]
		[ "$(jq -r .bundle <<<"$json")" = "$BUNDLE" ]
		st[$name]=$(jq -r .status <<<"$json")
		case $name in prestart | createRuntime) [ "$(jq -r .pid <<<"$json")" = "$pid" ] ;; esac
	done <"$log"
	[ "${at[prestart]}" -lt "${at[createRuntime]}" ]
	[ "${at[createRuntime]}" -lt "${at[createContainer]}" ]
	[ "${at[createContainer]}" -lt "${at[startContainer]}" ]
	[ "${at[startContainer]}" -lt "${at[container]}" ]
	# runc runs poststart as the container starts, not strictly after its first output
	[ "${at[createContainer]}" -lt "${at[poststart]}" ]
	[ "${at[poststop]}" -eq 7 ]
	[ "${st[prestart]}" = creating ]
	[ "${st[createRuntime]}" = creating ]
	[ "${st[createContainer]}" = creating ]
	[ "${st[startContainer]}" = created ]
	[[ ${st[poststart]} =~ ^(created|running)$ ]]
	[ "${st[poststop]}" = stopped ]
}

@test "hooks: a hook over its timeout fails create and leaves nothing" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.hooks = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "5"], "timeout": 1}]}'
	local t0=$SECONDS
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	[ $((SECONDS - t0)) -lt 4 ]
	assert_nothing_left
}

@test "hooks: a failing prestart hook fails create and leaves nothing" {
	make_bundle "$BUNDLE" true
	cfg "$BUNDLE" '.hooks = {"prestart": [{"path": "/bin/false"}]}'
	run rt create --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	assert_nothing_left
}

@test "devices: linux.devices are created inside" {
	make_bundle "$BUNDLE" sh -c 'stat -c "%F %t %T %a" /dev/berth-null; echo x >/dev/berth-null && echo wrote'
	cfg "$BUNDLE" '.linux.devices = [{"path": "/dev/berth-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 438, "uid": 0, "gid": 0}]'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1 3 666" ]
	[ "${lines[1]}" = wrote ]
}

@test "cgroups: memory, pids and cpu limits land in the container's cgroup" {
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.linux.resources += {"memory": {"limit": 67108864}, "pids": {"limit": 99},
		"cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	cat "/proc/$pid/cgroup"
	[ "$(cat "$(cgroup_dir "$pid" memory)/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$(cgroup_dir "$pid" pids)/pids.max")" = 99 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.shares")" = 512 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$(cgroup_dir "$pid" cpu)/cpu.cfs_period_us")" = 100000 ]
}

@test "cgroups: cgroupsPath is used and removed by delete" {
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.linux.cgroupsPath = $p | .linux.resources += {"memory": {"limit": 67108864}}' \
		--arg p "/$PREFIX-cg/c1"
	start_container "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	[ "$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")" = "/$PREFIX-cg/c1" ]
	[ "$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")" = "/$PREFIX-cg/c1" ]
	[ -d "/sys/fs/cgroup/memory/$PREFIX-cg/c1" ]
	grep -qx "$pid" "/sys/fs/cgroup/memory/$PREFIX-cg/c1/cgroup.procs"
	rt delete -f "$PREFIX-a"
	wait_for 5 test ! -e "/sys/fs/cgroup/memory/$PREFIX-cg/c1"
	[ -z "$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -path "*/$PREFIX-cg/c1")" ]
}

@test "terminal: the pty master goes to --console-socket" {
	make_bundle "$BUNDLE" sh -c 'tty; stty size; echo done'
	cfg "$BUNDLE" '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 101}'
	local sock=$BATS_TEST_TMPDIR/console.sock
	python3 "$BATS_TEST_DIRNAME/helpers/recvtty.py" "$sock" 10 >"$BATS_TEST_TMPDIR/tty.out" &
	local rpid=$!
	defer "kill $rpid 2>/dev/null"
	wait_for 5 test -S "$sock"
	create_container "$PREFIX-a" "$BUNDLE" --console-socket "$sock"
	rt start "$PREFIX-a"
	wait "$rpid"
	cat -A "$BATS_TEST_TMPDIR/tty.out"
	local out
	out=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
	[ "$(sed -n 1p <<<"$out")" = /dev/pts/0 ]
	[ "$(sed -n 2p <<<"$out")" = "33 101" ]
	[ "$(sed -n 3p <<<"$out")" = done ]
}

@test "terminal: a foreground run proxies its own pty" {
	make_bundle "$BUNDLE" sh -c 'tty; read line; echo "got $line"'
	cfg "$BUNDLE" '.process.terminal = true'
	# script(1) gives the runtime a terminal on its stdin and stdout
	run timeout 20 script -qec "printf 'hello\n' | $RUNTIME --root $ROOT run --bundle $BUNDLE $PREFIX-a" /dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/pts/0"* ]]
	[[ $output == *"got hello"* ]]
	run rt list -q
	[ -z "$output" ]
}

@test "mounts: the cgroup type shows the container's own cgroups, read-only" {
	make_bundle "$BUNDLE" sh -c 'ls /sys/fs/cgroup; cat /sys/fs/cgroup/pids/pids.max; echo 1 >/sys/fs/cgroup/pids/pids.max && echo writable'
	cfg "$BUNDLE" '.linux.resources.pids = {"limit": 42}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output == *memory* ]]
	[[ $output == *pids* ]]
	[[ $output == *$'\n42\n'* ]]
	[[ $output == *"Read-only file system"* ]]
	[[ $output != *writable* ]]
}

@test "exec -u uid keeps the config's gid, -u uid:gid sets both, -g sets the groups" {
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.process.user = {"uid": 0, "gid": 7}'
	rt run -d --bundle "$BUNDLE" "$PREFIX-a"
	run rt exec -u 1000 "$PREFIX-a" id
	echo "$output"
	[[ $output == "uid=1000 gid=7"* ]]
	run rt exec -u 1000:1001 "$PREFIX-a" id
	echo "$output"
	[[ $output == "uid=1000 gid=1001"* ]]
	run rt exec -u 1000:1001 -g 10 -g 20 "$PREFIX-a" id
	echo "$output"
	[[ $output == "uid=1000 gid=1001 groups=10,20" ]]
}

@test "apparmorProfile and selinuxLabel: a warning where the LSM is missing, and the container runs" {
	skip_unless_berth "runc fails where berth warns"
	[ ! -e /sys/module/apparmor/parameters/enabled ] || skip "AppArmor is enabled here"
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled here"
	make_bundle "$BUNDLE" echo ran
	cfg "$BUNDLE" '.process.apparmorProfile = "berth-test" | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"apparmor profile 'berth-test' requested but AppArmor is not enabled, ignoring"* ]]
	[[ $output == *"selinux label"*"ignoring"* ]]
	[[ $output == *ran* ]]
}

@test "rootfsPropagation: shared and unbindable apply to the container's /" {
	skip_if_runc "runc 1.1.5 leaves / private after pivot_root (it fails runtime-tools' linux_rootfs_propagation)"
	make_bundle "$BUNDLE" sh -c 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	cfg "$BUNDLE" '.linux.rootfsPropagation = "shared"'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" shared:"* ]]
	cfg "$BUNDLE" '.linux.rootfsPropagation = "unbindable"'
	run rt run --bundle "$BUNDLE" "$PREFIX-b"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *" unbindable "* ]]
}

@test "mounts: a file bind mount creates the missing parent directories of its destination" {
	echo from-host >"$BATS_TEST_TMPDIR/f"
	make_bundle "$BUNDLE" cat /run/deep/er/file
	rm -rf "$BUNDLE/rootfs/run"
	cfg "$BUNDLE" '.mounts += [{"destination": "/run/deep/er/file", "type": "bind", "source": $f, "options": ["bind", "ro"]}]' \
		--arg f "$BATS_TEST_TMPDIR/f"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
}

@test "sysctl without a mount namespace is applied too (chroot case)" {
	skip_if_runc "runc 1.1.5 writes sysctl through the rootfs' /proc, which is not mounted here"
	make_bundle "$BUNDLE" sleep 100
	cfg "$BUNDLE" '.linux.namespaces |= map(select(.type != "mount")) | .mounts = [] | .linux.maskedPaths = []
		| .linux.readonlyPaths = [] | .root.readonly = false | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	rt run -d --bundle "$BUNDLE" "$PREFIX-a"
	local pid
	pid=$(container_pid "$PREFIX-a")
	[ "$(nsenter --net="/proc/$pid/ns/net" cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
}
