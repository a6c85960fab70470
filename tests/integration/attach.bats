#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# Interactive containers: foreground runs through the monitor's attach
# socket, -i and -t (a pty driven from python3), detach keys, attach,
# start -a/-i, and exec. Each test has a private root; teardown removes
# every container it made.

bats_require_minimum_version 1.5.0

load helpers/engine

setup() { engine_setup; }

teardown() { engine_teardown; }

# Run a command on a new pty of ROWS x COLS (default 24x80); INPUTS holds
# pieces separated by '|' (python escapes: \n, \x10) written whenever the
# output pauses. Prints what the pty showed, then "EXIT=<code>".
on_pty()
{
	python3 - "$@" <<'EOF'
import fcntl, os, select, struct, subprocess, sys, termios, time
rows, cols = int(os.environ.get('ROWS', 24)), int(os.environ.get('COLS', 80))
m, s = os.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
p = subprocess.Popen(sys.argv[1:], stdin=s, stdout=s, stderr=s, start_new_session=True)
os.close(s)
inputs = [x.encode().decode('unicode_escape').encode() for x in os.environ.get('INPUTS', '').split('|') if x]
out = b''
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([m], [], [], 0.5)
    if r:
        try:
            d = os.read(m, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
    elif inputs:
        os.write(m, inputs.pop(0))
    elif p.poll() is not None:
        break
p.wait()
sys.stdout.write(out.decode(errors='replace'))
print("\nEXIT=%d" % p.returncode)
EOF
}

@test "run in the foreground: output, exit code, stdout and stderr apart" {
	run --separate-stderr b run busybox echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run b run busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run --separate-stderr b run busybox sh -c 'echo out; echo err >&2'
	[ "$output" = out ]
	[ "$stderr" = err ]
	run bash -c "'$BERTH' run busybox sh -c 'echo out; echo err >&2' 2>/dev/null"
	[ "$output" = out ]
}

@test "run in the foreground loses no output" {
	run b run --rm busybox seq 1 100000
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 100000 ]
	[ "${lines[99999]}" = 100000 ]
}

@test "run --rm in the foreground: the exit code, and no container left" {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run b run --rm busybox sh -c "exit $i"
		[ "$status" -eq "$i" ]
		[ -z "$("$BERTH" ps -aq)" ]
	done
	run b run --rm busybox true
	[ "$status" -eq 0 ]
	[ -z "$("$BERTH" ps -aq)" ]
}

@test "run -i: stdin reaches the container, also binary data" {
	run bash -c "echo data | '$BERTH' run -i --rm busybox cat"
	[ "$status" -eq 0 ]
	[ "$output" = data ]
	head -c 200000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
	want=$(md5sum <"$BATS_TEST_TMPDIR/blob" | cut -d' ' -f1)
	run bash -c "'$BERTH' run -i --rm busybox md5sum <'$BATS_TEST_TMPDIR/blob'"
	[ "$status" -eq 0 ]
	[ "${output%% *}" = "$want" ]
	# without -i the container's stdin is empty
	run bash -c "echo data | '$BERTH' run --rm busybox cat"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "run -it: a shell on a pty answers and exits with its code" {
	command -v python3 >/dev/null || skip "no python3"
	INPUTS='echo $((6*7))\n|exit 5\n' run on_pty "$BERTH" run -it --rm busybox sh
	expect '/ # '
	expect $'\n42\r'
	expect 'EXIT=5'
	[ -z "$("$BERTH" ps -aq)" ]
}

@test "run -t: the window size is the terminal's" {
	command -v python3 >/dev/null || skip "no python3"
	ROWS=33 COLS=101 run on_pty "$BERTH" run -t --rm busybox stty size
	expect '33 101'
	expect 'EXIT=0'
	run -0 b run -t --rm busybox tty
	expect '^/dev/pts/'
}

@test "run -it: SIGWINCH passes the new window size on" {
	command -v python3 >/dev/null || skip "no python3"
	run python3 - "$BERTH" <<'EOF'
import fcntl, os, select, signal, struct, subprocess, sys, termios, time
m, s = os.openpty()
def size(rows, cols):
    fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
def drain(t):
    out, end = b'', time.time() + t
    while time.time() < end:
        if select.select([m], [], [], 0.2)[0]:
            try:
                out += os.read(m, 4096)
            except OSError:
                break
    return out.decode(errors='replace')
size(10, 20)
p = subprocess.Popen([sys.argv[1], 'run', '-it', '--rm', 'busybox', 'sh'], stdin=s, stdout=s, stderr=s,
                     start_new_session=True)
drain(2)
os.write(m, b'stty size\n')
print(drain(1))
size(50, 60)
p.send_signal(signal.SIGWINCH)
time.sleep(0.3)
os.write(m, b'stty size\n')
print(drain(1))
os.write(m, b'exit 2\n')
drain(1)
print("EXIT=%d" % p.wait(timeout=20))
EOF
	expect '10 20'
	expect '50 60'
	expect 'EXIT=2'
}

@test "run -it refuses a stdin that is no terminal" {
	run -125 bash -c "echo | '$BERTH' run -it busybox true"
	expect 'the input device is not a TTY'
	run -125 b run --detach-keys=ctrl-1 busybox true
	expect 'invalid detach keys'
}

@test "run -d, attach, detach keys leave it running" {
	command -v python3 >/dev/null || skip "no python3"
	run -0 b run -dit --name berth-test-att busybox sh
	INPUTS='echo hello$((1+1))\n|\x10\x11' run on_pty "$BERTH" attach berth-test-att
	expect 'hello2'
	expect 'EXIT=0'
	run -0 b inspect -f '{{.State.Running}}' berth-test-att
	[ "$output" = true ]
	INPUTS='echo again\n|\x01a' run on_pty "$BERTH" attach --detach-keys=ctrl-a,a berth-test-att
	expect 'again'
	expect 'EXIT=0'
	run -0 b inspect -f '{{.State.Running}}' berth-test-att
	[ "$output" = true ]
	INPUTS='exit 4\n' run on_pty "$BERTH" attach berth-test-att
	expect 'EXIT=4'
	run -0 b inspect -f '{{.State.Status}} {{.State.ExitCode}}' berth-test-att
	[ "$output" = "exited 4" ]
	run -1 b attach berth-test-att
	expect 'You cannot attach to a stopped container, start it first'
}

@test "attach --no-stdin sees the output and the exit code; signals are proxied" {
	run -0 b run -d --name berth-test-sig busybox sh -c 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	"$BERTH" attach --no-stdin berth-test-sig >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 1
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	[ "$rc" -eq 7 ]
	run cat "$BATS_TEST_TMPDIR/out"
	expect 'got TERM'
}

@test "start -a and -i" {
	run -0 b create --name berth-test-st busybox sh -c 'echo started; exit 6'
	run -6 b start -a berth-test-st
	[ "$output" = started ]
	run -0 b create -i --name berth-test-sti busybox cat
	run -0 bash -c "echo piped | '$BERTH' start -ai berth-test-sti"
	[ "$output" = piped ]
	run -1 b start -a berth-test-st berth-test-sti
	expect 'you cannot start and attach multiple containers at once'
}

@test "exec: output, exit codes, 126 and 127" {
	run -0 b run -d --name berth-test-ex busybox sleep 300
	run -0 b exec berth-test-ex echo hi
	[ "$output" = hi ]
	run -3 b exec berth-test-ex sh -c 'exit 3'
	run -127 --separate-stderr b exec berth-test-ex nosuchcmd
	[[ $stderr =~ 'OCI runtime exec failed: '.*'nosuchcmd'.*'executable file not found in $PATH' ]]
	run -126 --separate-stderr b exec berth-test-ex /etc/passwd
	[[ $stderr =~ 'OCI runtime exec failed' ]]
	run -126 b exec -u nosuchuser berth-test-ex id
	expect 'unable to find user nosuchuser'
}

@test "exec -i, -e, --env-file, -u, -w, --privileged, -d" {
	run -0 b run -d -e FOO=old --name berth-test-ex busybox sleep 300
	run -0 bash -c "echo input | '$BERTH' exec -i berth-test-ex cat"
	[ "$output" = input ]
	# without -i the process's stdin is empty
	run -0 bash -c "echo input | '$BERTH' exec berth-test-ex cat"
	[ -z "$output" ]
	printf 'BAR=file\n' >"$BATS_TEST_TMPDIR/env"
	run -0 b exec -e FOO=new --env-file "$BATS_TEST_TMPDIR/env" berth-test-ex sh -c 'echo $FOO $BAR'
	[ "$output" = "new file" ]
	run -0 b exec -u nobody -w /tmp berth-test-ex sh -c 'echo $(id -u) $(pwd) $HOME'
	[ "$output" = "65534 /tmp /home" ]
	run -0 b exec -u 1:1 berth-test-ex id
	expect 'uid=1\(daemon\) gid=1\(daemon\)'
	run -0 b exec berth-test-ex sh -c 'grep CapEff /proc/self/status'
	plain=$output
	run -0 b exec --privileged berth-test-ex sh -c 'grep CapEff /proc/self/status'
	[ "$output" != "$plain" ]
	run -0 b exec -d berth-test-ex sh -c 'sleep 0.5; touch /tmp/marker'
	[ -z "$output" ]
	sleep 1.5
	run -0 b exec berth-test-ex ls /tmp/marker
}

@test "exec -t: a pty with the terminal's size" {
	command -v python3 >/dev/null || skip "no python3"
	run -0 b run -d --name berth-test-ex busybox sleep 300
	run -0 b exec -t berth-test-ex tty
	expect '^/dev/pts/'
	ROWS=21 COLS=77 run on_pty "$BERTH" exec -it berth-test-ex stty size
	expect '21 77'
	expect 'EXIT=0'
	INPUTS='echo $((6*7))\n|exit 9\n' run on_pty "$BERTH" exec -it berth-test-ex sh
	expect $'\n42\r'
	expect 'EXIT=9'
}

@test "exec in a container that does not run" {
	run -0 b create --name berth-test-stopped busybox true
	run -1 b exec berth-test-stopped true
	expect 'Error response from daemon: container [0-9a-f]{64} is not running'
	run -1 b exec berth-test-none true
	expect 'No such container'
}
