#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth load, save and import on a private root: skopeo's docker-archive and
# oci-archive (plain and gzip'd), what Podman and skopeo make of berth save,
# round trips, import --change, and corrupt archives that must leave nothing.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}
IMAGE=localhost/berth-test/busybox:latest

# bats 1.8 cannot skip from setup_file: a missing tool is noted and each test skips
setup_file()
{
	local t
	export MISSING= IMAGES=$BATS_FILE_TMPDIR/images
	for t in umoci skopeo; do
		command -v "$t" >/dev/null || MISSING="$MISSING $t"
	done
	[ -n "$MISSING" ] || "$REPO/tests/integration/helpers/busybox-image.sh" "$IMAGES"
}

setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	[ -z "$MISSING" ] || skip "not installed:$MISSING (scripts/install-deps.sh)"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
}

teardown()
{
	rm -rf "$BATS_TEST_TMPDIR/root" "$BATS_TEST_TMPDIR/run" "$BATS_TEST_TMPDIR/podman" "$BATS_TEST_TMPDIR/work"
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

# files under ROOT/DIR (blobs/sha256, layers, tmp), not counting the l/ links and locks
count() { find "$BERTH_ROOT/$1" -mindepth 1 -maxdepth 1 ! -name l ! -name '*.lock' ! -name empty 2>/dev/null | wc -l; }

# podman with a private store under the test dir (and a private /var/lib for its blob-info cache)
pm()
{
	local d=$BATS_TEST_TMPDIR/podman
	mkdir -p "$d"
	# shellcheck disable=SC2016
	unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /var/lib && exec "$@"' sh \
		timeout -k 5 120 podman --root "$d/root" --runroot "$d/run" --tmpdir "$d/tmp" --storage-driver vfs "$@"
}

@test "load -i a docker-archive: output, images, one layer and its tar kept" {
	run --separate-stderr b load -i "$IMAGES/busybox-docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $IMAGE" ]
	run b images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "$IMAGE" ]
	[ "$(count layers)" -eq 1 ]
	# the config and the uncompressed layer; the legacy json and VERSION are not kept
	[ "$(count blobs/sha256)" -eq 2 ]
	[ "$(count tmp)" -eq 0 ]
	run b image inspect --format '{{.Config.Cmd}}' "$IMAGE"
	[ "$output" = "[sh]" ]
	# loading it again changes nothing
	run b load -i "$IMAGES/busybox-docker.tar"
	[ "$status" -eq 0 ]
	[ "$(count layers)" -eq 1 ]
	[ "$(count blobs/sha256)" -eq 2 ]
}

@test "load an oci-archive from stdin, and a gzip'd one, gives the same image id" {
	run --separate-stderr b load <"$IMAGES/busybox-oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $IMAGE" ]
	id=$(b images -q --no-trunc)
	[[ $id =~ ^sha256:[0-9a-f]{64}$ ]]
	# config, manifest, compressed layer
	[ "$(count blobs/sha256)" -eq 3 ]
	[ "$(count layers)" -eq 1 ]
	rm -rf "$BERTH_ROOT" "$BERTH_RUNROOT"
	gzip -c "$IMAGES/busybox-oci.tar" >"$BATS_TEST_TMPDIR/oci.tar.gz"
	run --separate-stderr b load -q -i "$BATS_TEST_TMPDIR/oci.tar.gz"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $IMAGE" ]
	[ "$(b images -q --no-trunc)" = "$id" ]
	run b image load -i "$IMAGES/busybox-docker.tar"
	[ "$status" -eq 0 ]
	[ "$(b images -q --no-trunc)" = "$id" ]
}

@test "save: podman loads it, skopeo reads it as docker-archive and oci-archive" {
	command -v podman >/dev/null || skip "podman not installed"
	b load -i "$IMAGES/busybox-docker.tar"
	id=$(b images -q --no-trunc)
	run b save -o "$BATS_TEST_TMPDIR/saved.tar" "$IMAGE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run tar tf "$BATS_TEST_TMPDIR/saved.tar"
	expect '^blobs/'
	expect $'\nindex.json\nmanifest.json\noci-layout\nrepositories$'
	run skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/saved.tar"
	[ "$status" -eq 0 ]
	[ "$(jq -r .Layers[0] <<<"$output")" = "$(b image inspect --format '{{index .RootFS.Layers 0}}' "$IMAGE")" ]
	run skopeo inspect --config "oci-archive:$BATS_TEST_TMPDIR/saved.tar"
	[ "$status" -eq 0 ]
	run pm load -i "$BATS_TEST_TMPDIR/saved.tar"
	[ "$status" -eq 0 ]
	expect "Loaded image: $IMAGE"
	run pm images --no-trunc --format '{{.ID}}'
	[ "sha256:$output" = "$id" ] || [ "$output" = "$id" ]
}

@test "save | load into an empty root keeps the image id; an id saves untagged" {
	b load -i "$IMAGES/busybox-docker.tar"
	id=$(b images -q --no-trunc)
	b tag "$IMAGE" other:1
	b save "$IMAGE" other:1 >"$BATS_TEST_TMPDIR/both.tar"
	b save "${id#sha256:}" >"$BATS_TEST_TMPDIR/byid.tar"
	# the same images give the same bytes
	b save "$IMAGE" other:1 | cmp - "$BATS_TEST_TMPDIR/both.tar"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	run --separate-stderr b load -i "$BATS_TEST_TMPDIR/both.tar"
	[ "$status" -eq 0 ]
	[ "$output" = $'Loaded image: '"$IMAGE"$'\nLoaded image: other:1' ]
	[ "$(b images -q --no-trunc | sort -u)" = "$id" ]
	rm -rf "$BERTH_ROOT"
	run --separate-stderr b load -i "$BATS_TEST_TMPDIR/byid.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image ID: $id" ]
	rm -rf "$BERTH_ROOT"
}

@test "save refuses a terminal and unknown images" {
	run --separate-stderr b save nosuch:1 >/dev/null
	[ "$status" -eq 125 ]
	[[ $stderr =~ "No such image: nosuch:1" ]]
	[ -z "$output" ]
	command -v script >/dev/null || skip "script not installed"
	run script -qec "$BERTH save nosuch" /dev/null
	expect 'cowardly refusing to save to a terminal. Use the -o flag or redirect'
}

@test "import a rootfs tarball with --change, --message and a tag" {
	local r=$BATS_TEST_TMPDIR/work/rootfs
	mkdir -p "$r/bin"
	cp /bin/busybox "$r/bin/busybox"
	tar -C "$r" -cf "$BATS_TEST_TMPDIR/work/rootfs.tar" .
	run --separate-stderr b import -c 'CMD ["sh"]' -c 'ENV A=1' -c 'ENV B two words' -c 'EXPOSE 80 53/udp' \
		-c 'WORKDIR /srv' -c 'LABEL x="a b"' "$BATS_TEST_TMPDIR/work/rootfs.tar" imp:1
	[ "$status" -eq 0 ]
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	[ "$(b images -q --no-trunc imp:1)" = "$id" ]
	[ "$(b image inspect --format '{{json .Config.Cmd}}' imp:1)" = '["sh"]' ]
	[ "$(b image inspect --format '{{json .Config.Env}}' imp:1)" = '["A=1","B=two words"]' ]
	[ "$(b image inspect --format '{{.Config.WorkingDir}}' imp:1)" = /srv ]
	[ "$(b image inspect --format '{{index .Config.Labels "x"}}' imp:1)" = "a b" ]
	run b image inspect --format '{{json .Config.ExposedPorts}}' imp:1
	expect '"53/udp"' && expect '"80/tcp"'
	run b history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' imp:1
	[ "$output" = "berth import|Imported from -" ]
	# gzip'd from stdin, with a message and a platform, untagged
	gzip -c "$BATS_TEST_TMPDIR/work/rootfs.tar" >"$BATS_TEST_TMPDIR/work/rootfs.tar.gz"
	run --separate-stderr b image import -m hello --platform linux/arm64 -c 'ENTRYPOINT echo hi' - \
		<"$BATS_TEST_TMPDIR/work/rootfs.tar.gz"
	[ "$status" -eq 0 ]
	id2=$output
	[ "$(b image inspect --format '{{.Architecture}}' "$id2")" = arm64 ]
	[ "$(b image inspect --format '{{json .Config.Entrypoint}}' "$id2")" = '["/bin/sh","-c","echo hi"]' ]
	[ "$(b history --format '{{.Comment}}' "$id2")" = hello ]
	# the same rootfs is one layer
	[ "$(count layers)" -eq 1 ]
}

@test "import refuses URLs and changes Docker does not allow, before storing anything" {
	run --separate-stderr b import http://example.com/rootfs.tar
	[ "$status" -eq 125 ]
	[[ $stderr =~ "importing from a URL is not supported: 'http://example.com/rootfs.tar'" ]]
	run --separate-stderr b import -c 'RUN true' - </dev/null
	[ "$status" -eq 125 ]
	[[ $stderr =~ "RUN is not a valid change command" ]]
	[ "$(count blobs/sha256)" -eq 0 ]
}

@test "a corrupt archive fails with one line, exit 125, and leaves no blob, layer or row" {
	local w=$BATS_TEST_TMPDIR/work f
	mkdir -p "$w/oci"
	b load -i "$IMAGES/bare-docker.tar"
	blobs=$(count blobs/sha256) layers=$(count layers)
	rows=$(b images -q --no-trunc)

	head -c 1500000 "$IMAGES/busybox-docker.tar" >"$w/truncated.tar"
	run --separate-stderr b load -i "$w/truncated.tar"
	[ "$status" -eq 125 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ $stderr =~ Truncated ]]

	tar -C "$w/oci" -xf "$IMAGES/busybox-oci.tar"
	chmod -R u+w "$w/oci"
	f=$(find "$w/oci/blobs/sha256" -type f -size +100k)
	echo garbage >>"$f"
	tar -C "$w/oci" -cf "$w/wrong.tar" .
	run --separate-stderr b load -i "$w/wrong.tar"
	[ "$status" -eq 125 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ $stderr =~ "archive entry 'blobs/sha256/${f##*/}': content does not match its name" ]]

	[ "$(count blobs/sha256)" -eq "$blobs" ]
	[ "$(count layers)" -eq "$layers" ]
	[ "$(count tmp)" -eq 0 ]
	[ "$(b images -q --no-trunc)" = "$rows" ]
}
