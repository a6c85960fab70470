# SPDX-License-Identifier: GPL-2.0-or-later
# Fixtures of seeds.bats: berth with a private root per test, a teardown that
# removes every container and host object (veths, netns links, listeners,
# queues) the test made, even after a failure, and small lookups on the host.
# shellcheck shell=bash

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}
HOST_BUSYBOX=${BUSYBOX:-/bin/busybox}

# The article's set_ns program and an ioctl_ns probe, built once per file.
seeds_setup_file()
{
	SEEDS_NS=$BATS_FILE_TMPDIR/seeds-ns
	export SEEDS_NS
	if command -v gcc >/dev/null; then
		gcc -O1 -o "$SEEDS_NS" "$BATS_TEST_DIRNAME/helpers/seeds-ns.c" || rm -f "$SEEDS_NS"
	fi
}

seeds_setup()
{
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	# three hex digits naming this test's host objects: berth-test-h$SUF fits IFNAMSIZ
	SUF=$(printf '%03x' $((RANDOM % 4096)))
	CLEANUP=()
	b pull -q busybox >/dev/null
}

seeds_teardown()
{
	local ids i d
	if [ -n "${BERTH_ROOT:-}" ]; then
		ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
		# shellcheck disable=SC2086
		[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	fi
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	for d in $(awk -v p="$BATS_TEST_TMPDIR" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$d" 2>/dev/null || true
	done
	berth_test_net_cleanup
	rm -rf "${BATS_TEST_TMPDIR:?}"/* 2>/dev/null || true
}

# defer CMD: run CMD (one string, eval'd) in teardown, last in first out.
defer() { CLEANUP+=("$1"); }

b() { timeout -k 5 60 "$BERTH" "$@"; }

expect()
{
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in:"
		echo "$output"
		return 1
	}
}

# wait_for SECONDS CMD...: poll CMD every 100 ms.
wait_for()
{
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	"$@"
}

# wait_eval SECONDS EXPR: wait_for, with the shell expression EXPR eval'd anew each time.
wait_eval()
{
	local expr=$2
	wait_for "$1" eval "$expr"
}

# traversable_tmpdir: a --uidmap container's root must reach its bundle, as through
# dockerd's 0711 root; open bats' private temporary directories for search.
traversable_tmpdir()
{
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != /tmp ] && [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# cpid NAME: the container's init pid on the host, as docker inspect -f '{{.State.Pid}}'.
cpid() { b inspect -f '{{.State.Pid}}' "$1"; }

# state_is NAME STATUS
state_is() { [ "$(b inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ]; }

# ns_ino PID TYPE: the inode of /proc/PID/ns/TYPE ("4026532281").
ns_ino() { readlink "/proc/$1/ns/$2" | tr -dc 0-9; }

# cg_dir CONTROLLER PID: the process's cgroup directory of a v1 controller on
# this hybrid host, from /proc/PID/cgroup.
cg_dir()
{
	local p
	p=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$2/cgroup")
	[ -n "$p" ] && echo "/sys/fs/cgroup/$1$p"
}

# links [CMD...]: the interface names "ip -o link" lists (run through CMD).
links() { "$@" ip -o link | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

# free_port: a loopback TCP port nothing listens on.
free_port()
{
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		ss -Htln "sport = :$p" | grep -q . || break
	done
	echo "$p"
}

# Run a command on a new pty; INPUTS holds pieces separated by '|' (python
# escapes: \n, \x10) written whenever the output pauses. Prints what the pty
# showed, then "EXIT=<code>".
on_pty()
{
	python3 - "$@" <<'EOF'
import os, select, subprocess, sys, time
m, s = os.openpty()
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
