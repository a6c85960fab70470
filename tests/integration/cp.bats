#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth cp and berth export on a private root: both directions, on stopped and
# running containers, "-" tar streams, "/." contents, -a owners, -L, Docker's
# errors for missing paths; export holds the image's files.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}

setup()
{
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	[ -f "$REPO/build/data/busybox.tar" ] || skip "built-in image not built"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	"$BERTH" pull busybox >/dev/null 2>&1
	OUT=$BATS_TEST_TMPDIR/out
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$OUT" "$SRC/sub"
	echo hello >"$SRC/sub/f"
	ln -s f "$SRC/sub/l"
	chown 1234:5678 "$SRC/sub/f"
}

teardown()
{
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
	[ -z "$ids" ] || "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
	grep -o " $BATS_TEST_TMPDIR/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$BATS_TEST_TMPDIR/root" "$BATS_TEST_TMPDIR/run"
	berth_test_net_cleanup
}

b() { timeout -k 5 120 "$BERTH" "$@"; }

@test "cp from a stopped container: a file, a directory, its contents, into a directory" {
	b create --name berth-test-c busybox true
	cd "$OUT"
	b cp berth-test-c:/etc/passwd .
	grep -q '^root:' passwd
	b cp berth-test-c:/etc/passwd "$OUT/pw"
	cmp passwd pw
	b cp berth-test-c:/etc "$OUT/etc-copy"
	[ -f etc-copy/passwd ] && [ -f etc-copy/group ]
	mkdir into
	b cp berth-test-c:/etc into
	[ -f into/etc/passwd ]
	mkdir contents
	b cp berth-test-c:/etc/. contents
	[ -f contents/passwd ] && [ ! -e contents/etc ]
	# no overlay is left mounted
	! grep -q "$BERTH_ROOT/containers" /proc/self/mountinfo
}

@test "cp to a stopped container keeps owners only with -a, and follows docker's path rules" {
	b create --name berth-test-c busybox true
	b cp "$SRC" berth-test-c:/copied
	b cp "$SRC/." berth-test-c:/tmp
	b cp -a "$SRC/sub/f" berth-test-c:/owned
	b cp "$SRC/sub/f" berth-test-c:/plain
	run b cp berth-test-c:/ -
	[ "$status" -eq 0 ]
	run bash -c "'$BERTH' cp berth-test-c:/ - | tar tvf -"
	[[ $output == *'0/0 '*' ./copied/sub/f'* ]]
	[[ $output == *' ./copied/sub/l -> f'* ]]
	[[ $output == *' ./tmp/sub/f'* ]]
	[[ $output == *'1234/5678 '*' ./owned'* ]]
	[[ $output == *'0/0 '*' ./plain'* ]]
}

@test "cp with - streams tar both ways" {
	b create --name berth-test-c busybox true
	tar -C "$SRC" -cf - sub | b cp - berth-test-c:/root
	b cp berth-test-c:/root/sub - >"$OUT/sub.tar"
	run tar tf "$OUT/sub.tar"
	[[ $output == *'sub/f'* ]]
	[[ $output == *'sub/l'* ]]
	mkdir "$OUT/x"
	tar -C "$OUT/x" -xf "$OUT/sub.tar"
	[ "$(cat "$OUT/x/sub/f")" = hello ]
	run --separate-stderr b cp - berth-test-c:/etc/passwd <"$OUT/sub.tar"
	[ "$status" -eq 1 ]
	[ "$stderr" = 'berth: destination "berth-test-c:/etc/passwd" must be a directory' ]
}

@test "cp errors are worded as docker's" {
	b create --name berth-test-c busybox true
	run --separate-stderr b cp berth-test-c:/nope "$OUT/x"
	[ "$status" -eq 1 ]
	[ "$stderr" = 'berth: No such container:path: berth-test-c:/nope' ]
	run --separate-stderr b cp berth-test-c:/etc/passwd "$OUT/nodir/"
	[ "$stderr" = 'berth: no such directory' ]
	touch "$OUT/file"
	run --separate-stderr b cp berth-test-c:/etc "$OUT/file"
	[ "$stderr" = 'berth: cannot copy directory' ]
	run --separate-stderr b cp "$OUT/missing" berth-test-c:/x
	[ "$stderr" = "berth: lstat $OUT/missing: no such file or directory" ]
	run --separate-stderr b cp "$OUT/file" berth-test-c:/nonexistent/dir/x
	[ "$stderr" = 'berth: Could not find the file /nonexistent/dir in container berth-test-c' ]
	run --separate-stderr b cp "$OUT/file" "$OUT/file2"
	[ "$stderr" = 'berth: must specify at least one container source' ]
	run --separate-stderr b cp berth-test-c:/a berth-test-c:/b
	[ "$stderr" = 'berth: copying between containers is not supported' ]
}

@test "cp -L follows a symlink source" {
	b create --name berth-test-c busybox true
	b cp "$SRC/sub/l" berth-test-c:/link
	b cp -L "$SRC/sub/l" berth-test-c:/followed
	run bash -c "'$BERTH' cp berth-test-c:/ - | tar tvf - ./link ./followed"
	[[ $output == *'./link -> f'* ]]
	[[ $output == *'-rw-r--r-- '*' ./followed'* ]]
}

@test "cp on a running container sees its tmpfs mounts" {
	b run -d --name berth-test-r --tmpfs /scratch busybox sleep 60
	b cp "$SRC/sub/f" berth-test-r:/scratch/f
	b cp berth-test-r:/scratch/f "$OUT/back"
	[ "$(cat "$OUT/back")" = hello ]
	# written into the tmpfs, not the overlay
	[ ! -e "$BERTH_ROOT/containers/$(b inspect -f '{{.Id}}' berth-test-r)/upper/scratch/f" ]
}

@test "cp on a stopped container sees its volumes and binds, and copies into them" {
	local bind=$BATS_TEST_TMPDIR/bind
	mkdir -p "$bind"
	echo onhost >"$bind/h"
	b run --name berth-test-v -v berth-test-vol:/data -v "$bind:/mnt/b" -v "$bind:/ro:ro" busybox \
		sh -c 'echo invol >/data/f'
	[ "$(b cp berth-test-v:/data/f - | tar -xO)" = invol ]
	b cp berth-test-v:/mnt/b/h "$OUT/h"
	[ "$(cat "$OUT/h")" = onhost ]
	echo new >"$SRC/new"
	b cp "$SRC/new" berth-test-v:/data/new
	b cp "$SRC/new" berth-test-v:/mnt/b/new
	[ "$(cat "$bind/new")" = new ]
	run --separate-stderr b cp "$SRC/new" berth-test-v:/ro/other
	[ "$status" -ne 0 ]
	[ ! -e "$bind/other" ]
	# nothing stays mounted after the copy; the file is in the volume, not the container's layer
	! grep -q " $BERTH_ROOT/containers/" /proc/self/mountinfo
	[ "$(b run --rm -v berth-test-vol:/data busybox cat /data/new)" = new ]
	[ ! -e "$BERTH_ROOT/containers/$(b inspect -f '{{.Id}}' berth-test-v)/upper/data/new" ]
}

@test "export writes the container's filesystem, refusing a terminal" {
	b create --name berth-test-c busybox true
	b cp "$SRC/sub/f" berth-test-c:/added
	b export berth-test-c >"$OUT/c.tar"
	run tar tf "$OUT/c.tar"
	grep -qx bin/busybox <<<"$output"
	grep -qx added <<<"$output"
	b export -o "$OUT/c2.tar" berth-test-c
	cmp "$OUT/c.tar" "$OUT/c2.tar"
	run script -qec "'$BERTH' export berth-test-c" /dev/null
	[ "$status" -ne 0 ]
	[[ $output == *'cowardly refusing to save to a terminal'* ]]
}
