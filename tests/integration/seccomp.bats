#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp: a profile blocks what it says and allows the rest, for the
# init and for exec'd processes, with and without no_new_privs.

load helpers

# seccomp_profile JSON: set linux.seccomp of $BUNDLE; the rootfs is writable.
seccomp_profile()
{
	cfg "$BUNDLE" '.root.readonly = false | .linux.seccomp = $p' --argjson p "$1"
}

# deny NAME... with SCMP_ACT_ERRNO (EPERM), allow the rest
DENY_MKDIR='{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'

# A small Docker-style profile: everything denied but what busybox sh and a
# runtime's last setup steps (identity, fd closing, execve) use.
ALLOW_LIST='{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [{"names": ["access", "arch_prctl", "brk", "capget", "capset", "chdir", "clone", "clone3", "close",
		"close_range", "dup", "dup2", "dup3", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_wait", "execve",
		"execveat", "exit", "exit_group", "faccessat", "faccessat2", "fchdir", "fcntl", "fork", "fstat", "fstatfs",
		"futex", "getcwd", "getdents64", "getegid", "geteuid", "getgid", "getgroups", "getpgrp", "getpid",
		"getppid", "getrandom", "getresgid", "getresuid", "getrlimit", "gettid", "getuid", "ioctl", "kill",
		"lseek", "lstat", "madvise", "mmap", "mprotect", "munmap", "nanosleep", "newfstatat", "open", "openat",
		"openat2", "pipe", "pipe2", "poll", "ppoll", "prctl", "pread64", "prlimit64", "read", "readlink",
		"readlinkat", "recvmsg", "rseq", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity",
		"sched_yield", "sendmsg", "sendto", "set_robust_list", "set_tid_address", "setgid", "setgroups",
		"setpgid", "setresgid", "setresuid", "setsid", "setuid", "sigaltstack", "stat", "statx", "tgkill",
		"umask", "uname", "vfork", "wait4", "waitid", "write", "writev", "berth_not_a_syscall"],
		"action": "SCMP_ACT_ALLOW"}]}'

@test "seccomp: a denied syscall fails with EPERM, the rest works" {
	make_bundle "$BUNDLE" sh -c 'mkdir /tmp/x; touch /tmp/y && echo touched'
	seccomp_profile "$DENY_MKDIR"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output == *"Operation not permitted"* ]]
	[[ $output == *touched* ]]
	[ ! -d "$BUNDLE/rootfs/tmp/x" ]
	[ -f "$BUNDLE/rootfs/tmp/y" ]
}

@test "seccomp: errnoRet sets the error (38: ENOSYS)" {
	make_bundle "$BUNDLE" mkdir /tmp/x
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"Function not implemented"* ]]
}

@test "seccomp: defaultErrnoRet applies to the default action" {
	make_bundle "$BUNDLE" mkdir /tmp/x
	seccomp_profile "$(echo "$ALLOW_LIST" | jq '.defaultErrnoRet = 13')"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output == *"Permission denied"* ]]
}

@test "seccomp: SCMP_ACT_KILL kills the process with SIGSYS (status 159)" {
	make_bundle "$BUNDLE" mkdir /tmp/x
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 159 ]
	[ ! -d "$BUNDLE/rootfs/tmp/x" ]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS" {
	make_bundle "$BUNDLE" mkdir /tmp/x
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	[ "$status" -eq 159 ]
}

@test "seccomp: argument comparisons: kill() of signal 0 only" {
	make_bundle "$BUNDLE" sh -c 'kill -0 $$ || echo denied; kill -CONT $$ && echo allowed'
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output == *denied* ]]
	[[ $output == *allowed* ]]
}

@test "seccomp: argument comparisons: personality(PER_LINUX32) only, masked and repeated" {
	make_bundle "$BUNDLE" sh -c 'linux32 true || echo denied32; linux64 true && echo allowed64'
	# arg0 & 0xff == 8, or twice the same index (runc: one rule per condition)
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [
			{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": "UINT64_MAX", "op": "SCMP_CMP_EQ"}]}]}'
	# jq would round the number: put it in by text
	sed -i 's/"UINT64_MAX"/18446744073709551615/' "$BUNDLE/config.json"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *denied32* ]]
	[[ $output == *allowed64* ]]
}

@test "seccomp: a Docker-style allow list runs sh (with and without no_new_privs)" {
	make_bundle "$BUNDLE" sh -c 'echo ok; mkdir /tmp/x || echo no-mkdir'
	seccomp_profile "$ALLOW_LIST"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *ok* ]]
	[[ $output == *no-mkdir* ]]
	# without no_new_privs the filter goes in before the identity change
	cfg "$BUNDLE" '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	run rt run --bundle "$BUNDLE" "$PREFIX-b"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *ok* ]]
	[[ $output == *no-mkdir* ]]
}

@test "seccomp: without no_new_privs, a non-root process still gets the filter" {
	make_bundle "$BUNDLE" sh -c 'grep -E "^(Seccomp|NoNewPrivs|Uid):" /proc/self/status; mkdir /tmp/x'
	seccomp_profile "$DENY_MKDIR"
	cfg "$BUNDLE" '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output =~ NoNewPrivs:[[:space:]]+0 ]]
	[[ $output =~ Seccomp:[[:space:]]+2 ]]
	[[ $output =~ Uid:[[:space:]]+1000 ]]
	[[ $output == *"Operation not permitted"* ]]
}

@test "seccomp: unknown syscall names are skipped" {
	make_bundle "$BUNDLE" sh -c 'echo ok; mkdir /tmp/x'
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["berth_no_such_call", "mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["another_unknown_one"], "action": "SCMP_ACT_KILL"}]}'
	run rt --debug run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output == *ok* ]]
	[[ $output == *"Operation not permitted"* ]]
	if is_berth; then
		[[ $output == *"unknown seccomp syscall 'berth_no_such_call' ignored"* ]]
	fi
}

@test "seccomp: exec'd processes get the container's filter" {
	make_bundle "$BUNDLE" sleep 100
	seccomp_profile "$DENY_MKDIR"
	start_container "$PREFIX-a"
	run rt exec "$PREFIX-a" grep Seccomp /proc/self/status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ Seccomp:[[:space:]]+2 ]]
	run rt exec "$PREFIX-a" mkdir /tmp/x
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	# and a process.json exec too (it has no linux section to replace the filter)
	rt state "$PREFIX-a" >/dev/null
	jq '.process | .args = ["mkdir", "/tmp/y"]' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
	run rt exec --process "$BATS_TEST_TMPDIR/process.json" "$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[ ! -d "$BUNDLE/rootfs/tmp/y" ]
}

@test "seccomp: SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are accepted" {
	skip_if_runc "runc 1.1.5 (Debian) rejects every seccomp flag"
	make_bundle "$BUNDLE" sh -c 'mkdir /tmp/x || echo denied'
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *denied* ]]
}

@test "seccomp: an unknown flag is skipped with a warning" {
	skip_if_runc "runc 1.1.5 (Debian) rejects every seccomp flag"
	make_bundle "$BUNDLE" sh -c 'mkdir /tmp/x || echo denied'
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FROM_THE_FUTURE"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *denied* ]]
	[[ $output == *"unknown seccomp flag 'SECCOMP_FILTER_FLAG_FROM_THE_FUTURE', ignoring"* ]]
}

@test "seccomp: a bad profile is an error naming the JSON path, and leaves nothing" {
	make_bundle "$BUNDLE" true
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG"},
		{"names": ["write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	if is_berth; then
		[[ $output == *"config.json: linux.seccomp.syscalls[2].action: unknown action 'SCMP_ACT_FOO'"* ]]
	fi
	assert_nothing_left
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[ "$status" -ne 0 ]
	if is_berth; then
		[[ $output == *"linux.seccomp.syscalls[0].args[0].index: value 6 out of range [0, 5]"* ]]
	fi
	assert_nothing_left
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener fd and the state to the agent at listenerPath" {
	make_bundle "$BUNDLE" sh -c 'mkdir /tmp/x || echo mkdir-failed; echo done'
	local sock=$BATS_TEST_TMPDIR/agent.sock
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "'"$sock"'", "listenerMetadata": "berth-test-meta",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
	python3 "$BATS_TEST_DIRNAME/helpers/seccomp-agent.py" "$sock" 20 >"$BATS_TEST_TMPDIR/agent.out" &
	local apid=$!
	defer "kill $apid 2>/dev/null"
	wait_for 5 test -S "$sock"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	wait "$apid"
	cat "$BATS_TEST_TMPDIR/agent.out"
	[ "$status" -eq 0 ]
	# the agent closed the listener: notified syscalls then fail (ENOSYS)
	[[ $output == *mkdir-failed* ]]
	[[ $output == *done* ]]
	local msg
	msg=$(head -1 "$BATS_TEST_TMPDIR/agent.out")
	[ "$(jq -r '.fds[0]' <<<"$msg")" = seccompFd ]
	[ "$(jq -r .metadata <<<"$msg")" = berth-test-meta ]
	[ "$(jq -r .state.id <<<"$msg")" = "$PREFIX-a" ]
	[ "$(jq -r .pid <<<"$msg")" -gt 0 ]
	[ "$(sed -n 2p "$BATS_TEST_TMPDIR/agent.out")" = "fd received" ]
}

@test "seccomp: features lists the actions, operators and architectures" {
	run rt features
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq .linux.seccomp.enabled)" = true ]
	echo "$output" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO")'
	echo "$output" | jq -e '.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ")'
	echo "$output" | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")'
}

@test "seccomp: compiled filters are cached per profile under the state root, and only reused for the same profile" {
	skip_unless_berth "berth's filter cache"
	make_bundle "$BUNDLE" sh -c 'mkdir /tmp/x && echo mkdir-ok; touch /tmp/y && echo touch-ok'
	seccomp_profile "$DENY_MKDIR"
	run rt run --bundle "$BUNDLE" "$PREFIX-a"
	echo "$output"
	[[ $output != *mkdir-ok* ]]
	[ "$(find "$ROOT/.seccomp" -name '*.bpf' | wc -l)" -eq 1 ]
	# a hit: same behaviour, no new entry, and list does not take the cache for a container
	run rt run --bundle "$BUNDLE" "$PREFIX-b"
	[[ $output != *mkdir-ok* ]]
	[[ $output == *touch-ok* ]]
	[ "$(find "$ROOT/.seccomp" -name '*.bpf' | wc -l)" -eq 1 ]
	[ -z "$(rt list -q)" ]
	# another profile gets its own program
	seccomp_profile '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["utimensat"], "action": "SCMP_ACT_ERRNO"}]}'
	run rt run --bundle "$BUNDLE" "$PREFIX-c"
	echo "$output"
	[[ $output == *mkdir-ok* ]]
	[[ $output != *touch-ok* ]]
	[ "$(find "$ROOT/.seccomp" -name '*.bpf' | wc -l)" -eq 2 ]
}
