#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth's image commands on a private root: the built-in busybox image, images,
# image inspect, tag, rmi, image prune, history, and concurrent commands on
# one store.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}

setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	[ -f "$REPO/build/data/busybox.tar" ] || skip "built-in image not built"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
}

teardown()
{
	rm -rf "$BATS_TEST_TMPDIR/root" "$BATS_TEST_TMPDIR/run"
	berth_test_net_cleanup
}

b() { timeout -k 5 120 "$BERTH" "$@"; }

expect()
{
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in:"
		echo "$output"
		return 1
	}
}

# files under ROOT/DIR (blobs/sha256, layers), not counting the l/ links and locks
count() { find "$BERTH_ROOT/$1" -mindepth 1 -maxdepth 1 ! -name l ! -name '*.lock' ! -name empty | wc -l; }

@test "pull busybox uses the built-in image with no registry, and images lists it" {
	run --separate-stderr b pull busybox
	[ "$status" -eq 0 ]
	expect '^Using default tag: latest'
	expect 'built-in busybox image'
	expect 'Status: Downloaded newer image for busybox:latest'
	expect $'\ndocker.io/library/busybox:latest$'
	run b pull busybox
	expect 'Status: Image is up to date for busybox:latest'

	run --separate-stderr b images
	[ "$status" -eq 0 ]
	expect '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE'
	expect $'\nbusybox +latest +[0-9a-f]{12} +.* ago +[0-9.]+[kMG]?B$'
	run b images -q
	[[ $output =~ ^[0-9a-f]{12}$ ]]
	run b images --no-trunc -q
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	run b images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "busybox:latest" ]
	run b images --format 'table {{.Repository}}\t{{.Tag}}'
	expect '^REPOSITORY +TAG'
	run b images --digests
	expect '^REPOSITORY +TAG +DIGEST +IMAGE ID'
	run b images --format json
	[ "$(jq -r .Repository <<<"$output")" = busybox ]
	run b images nosuch
	[ "$output" = "$(printf 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE')" ]
}

@test "image inspect: Docker's document, --format templates, unknown names" {
	b pull -q busybox
	run --separate-stderr b image inspect busybox
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = busybox:latest ]
	[ "$(jq -r '.[0].GraphDriver.Name' <<<"$output")" = overlay2 ]
	[ "$(jq -r '.[0].RootFS.Type' <<<"$output")" = layers ]
	[ "$(jq -r '.[0].Config.Cmd[0]' <<<"$output")" = sh ]
	[ "$(jq -r '.[0].Os' <<<"$output")" = linux ]
	local id layer
	id=$(jq -r '.[0].Id' <<<"$output")
	layer=$(jq -r '.[0].RootFS.Layers[0]' <<<"$output")
	[ -d "$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$output")" ]
	[ -x "$BERTH_ROOT/layers/${layer#sha256:}/diff/bin/busybox" ]

	run b image inspect -f '{{.Id}} {{index .RepoTags 0}} {{json .Config.Cmd}}' busybox
	[ "$output" = "$id busybox:latest [\"sh\"]" ]
	run b inspect --format '{{.Architecture}}' "${id:7:12}"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	run --separate-stderr b image inspect busybox nosuch:1
	[ "$status" -eq 1 ]
	[ "$stderr" = "berth: No such image: nosuch:1" ]
	[ "$(jq length <<<"$output")" -eq 1 ]
	run --separate-stderr b image inspect 'Bad/Name'
	[ "$status" -eq 1 ]
	expect '^\[\]'
	[[ $stderr =~ "invalid reference format" ]]
}

@test "tag, rmi of one tag, rmi of the last tag removes layers and blobs" {
	b pull -q busybox
	run b tag busybox localhost:5000/mine/box:v1
	[ "$status" -eq 0 ]
	run b images --format '{{.Repository}}:{{.Tag}}'
	expect 'localhost:5000/mine/box:v1'
	expect 'busybox:latest'
	run --separate-stderr b tag busybox 'Bad:tag:x'
	[ "$status" -eq 125 ]

	# by id while two repositories hold it: refused without -f
	local id
	id=$(b images -q | head -n1)
	run --separate-stderr b rmi "$id"
	[ "$status" -eq 1 ]
	[[ $stderr =~ "image is referenced in multiple repositories" ]]

	run b rmi localhost:5000/mine/box:v1
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: localhost:5000/mine/box:v1" ]
	[ "$(count layers)" -eq 1 ]
	run b rmi busybox
	[ "$status" -eq 0 ]
	expect '^Untagged: busybox:latest'
	expect $'\nDeleted: sha256:[0-9a-f]{64}$'
	[ "$(count layers)" -eq 0 ]
	[ "$(count blobs/sha256)" -eq 0 ]
	[ "$(count tmp)" -eq 0 ]
	run b images -q
	[ -z "$output" ]
	run --separate-stderr b rmi busybox
	[ "$status" -eq 1 ]
	[ "$stderr" = "berth: No such image: busybox" ]
}

@test "image prune removes dangling images; history lists the layers" {
	b pull -q busybox
	run b history busybox
	[ "$status" -eq 0 ]
	expect '^IMAGE +CREATED +CREATED BY +SIZE +COMMENT'
	expect $'\n[0-9a-f]{12} '
	run b history -q busybox
	[[ $output =~ ^[0-9a-f]{12}$ ]]

	# untag: the image is dangling and listed as <none>
	b tag busybox keep:me
	b rmi busybox >/dev/null
	b rmi keep:me >/dev/null
	[ "$(count layers)" -eq 0 ]
	b pull -q busybox
	run b image prune -f
	[ "$status" -eq 0 ]
	expect 'Total reclaimed space: 0B'
	run b images -q
	[ -n "$output" ]
	run b image prune -a -f
	expect '^Deleted Images:'
	expect 'untagged: busybox:latest'
	expect 'Total reclaimed space: [0-9.]+[kM]B'
	[ "$(count layers)" -eq 0 ]
}

@test "concurrent pulls and removals of images sharing a layer keep the store whole" {
	local i pids=()
	for i in 1 2 3 4; do
		b pull -q busybox >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	[ "$(count layers)" -eq 1 ]
	b tag busybox other:1
	# removal of one tag while pulls run: the layer stays for the other
	pids=()
	for i in 1 2 3; do
		b pull -q busybox >/dev/null &
		pids+=($!)
	done
	b rmi other:1 >/dev/null
	for i in "${pids[@]}"; do wait "$i"; done
	run b image inspect -f '{{index .RootFS.Layers 0}}' busybox
	[ "$status" -eq 0 ]
	[ -x "$BERTH_ROOT/layers/${output#sha256:}/diff/bin/busybox" ]
}

# hostile_archive OUT KIND: a docker-archive whose one layer tries to escape
hostile_archive()
{
	python3 - "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, typ=tarfile.REGTYPE, data=b"", link=""):
        i = tarfile.TarInfo(name); i.type = typ; i.size = len(data); i.linkname = link
        t.addfile(i, io.BytesIO(data) if data else None)
    if kind == "traversal":
        add("../../berth-test-escaped", data=b"x")
    elif kind == "symlink":
        add("evil", tarfile.SYMTYPE, link="../../..")
        add("evil/berth-test-escaped", data=b"x")
    elif kind == "hardlink":
        add("ok", data=b"x")
        add("link", tarfile.LNKTYPE, link="../../../etc/passwd")
data = layer.getvalue()
diff = "sha256:" + hashlib.sha256(data).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
man = json.dumps([{"Config": cfg_name, "RepoTags": ["berth-test/hostile:1"],
                   "Layers": ["l/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, blob in ((cfg_name, cfg), ("l/layer.tar", data), ("manifest.json", man)):
        i = tarfile.TarInfo(name); i.size = len(blob); t.addfile(i, io.BytesIO(blob))
PY
}

@test "hostile layers (traversal, symlink and hardlink escapes) are refused and write nothing outside" {
	local kind
	for kind in traversal symlink hardlink; do
		hostile_archive "$BATS_TEST_TMPDIR/$kind.tar" "$kind"
		run --separate-stderr b load -i "$BATS_TEST_TMPDIR/$kind.tar"
		[ "$status" -eq 125 ]
		[[ $stderr =~ layer\ entry\ \' ]]
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		# nothing escaped anywhere a relative path could reach, nothing kept
		[ -z "$(find "$BATS_TEST_TMPDIR" / -xdev -maxdepth 3 -name 'berth-test-escaped' 2>/dev/null)" ]
		[ "$(count layers)" -eq 0 ]
		[ "$(count tmp)" -eq 0 ]
		run b images -q
		[ -z "$output" ]
	done
}
