#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The registry client (src/image/registry*.c) against a real docker-registry,
# through tests/helpers/registry_probe: Basic auth, Bearer tokens through a
# token proxy, blobs and manifests both ways, and refused corrupt content.
# Needs no root.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
PROBE=${REGISTRY_PROBE:-$REPO/build/tests/helpers/registry_probe}
load registry_helpers

setup()
{
	[ -x "$PROBE" ] || skip "no $PROBE (build first)"
	WORK=$(mktemp -d "${BATS_TMPDIR:-/tmp}/berth-test-probe-XXXXXX")
	NAME=berth-test/app/$(printf '%04x' $RANDOM)
}

teardown()
{
	registry_stop
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
}

probe() { "$PROBE" --user "$REGISTRY_USER" --password "$REGISTRY_PASS" "$REGISTRY_HOST" "$@"; }

sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

# make_image: a config blob, a layer blob and an OCI manifest naming them in $WORK.
make_image()
{
	head -c 300000 /dev/urandom >"$WORK/layer"
	echo '{"architecture":"amd64","os":"linux"}' >"$WORK/config"
	LAYER=$(sha "$WORK/layer")
	CONFIG=$(sha "$WORK/config")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}' \
		"$CONFIG" "$(stat -c %s "$WORK/config")" "$LAYER" 300000 >"$WORK/manifest.json"
	MANIFEST=$(sha "$WORK/manifest.json")
}

# push_image: blobs then the manifest under tag v1, checking each answer.
push_image()
{
	run probe push-blob "$NAME" "$WORK/layer"
	[ "$status" -eq 0 ]
	[ "$output" = "$LAYER pushed 300000" ]
	run probe push-blob "$NAME" "$WORK/config"
	[ "$status" -eq 0 ]
	run probe put-manifest "$NAME" v1 application/vnd.oci.image.manifest.v1+json "$WORK/manifest.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$MANIFEST" ]
}

# pull_image_check: manifest by tag and by digest, then both blobs, all equal to what was pushed.
pull_image_check()
{
	run probe get-manifest "$NAME" v1 "$WORK/got.json"
	[ "$status" -eq 0 ]
	[ "$output" = "application/vnd.oci.image.manifest.v1+json $MANIFEST $(stat -c %s "$WORK/manifest.json")" ]
	cmp "$WORK/manifest.json" "$WORK/got.json"
	run probe get-manifest "$NAME" "$MANIFEST" "$WORK/got2.json"
	[ "$status" -eq 0 ]
	cmp "$WORK/manifest.json" "$WORK/got2.json"
	run probe get-blob "$NAME" "$LAYER" "$WORK/layer.out" 300000
	[ "$status" -eq 0 ]
	[ "$output" = 300000 ]
	cmp "$WORK/layer" "$WORK/layer.out"
	run probe get-blob "$NAME" "$CONFIG" "$WORK/config.out"
	[ "$status" -eq 0 ]
	cmp "$WORK/config" "$WORK/config.out"
}

@test "registry: basic auth login, and a wrong password is one clear line" {
	registry_start basic
	run probe login
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded" ]
	run "$PROBE" --user "$REGISTRY_USER" --password wrong "$REGISTRY_HOST" login
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: login to '$REGISTRY_HOST': unauthorized: incorrect username or password" ]
	run "$PROBE" "$REGISTRY_HOST" blob-exists "$NAME" "sha256:$(printf '%064d' 0)"
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: pull from '$REGISTRY_HOST': unauthorized: authentication required" ]
}

@test "registry: basic auth push and pull of blobs and a manifest" {
	registry_start basic
	make_image
	push_image
	pull_image_check
	# a second push of the same blob is skipped
	run probe push-blob "$NAME" "$WORK/layer"
	[ "$status" -eq 0 ]
	[ "$output" = "$LAYER exists 0" ]
	run probe blob-exists "$NAME" "$LAYER"
	[ "$output" = "yes 300000" ]
	run probe head-manifest "$NAME" v1
	[ "$status" -eq 0 ]
	[ "$output" = "yes application/vnd.oci.image.manifest.v1+json $MANIFEST $(stat -c %s "$WORK/manifest.json")" ]
	run probe head-manifest "$NAME" v2
	[ "$output" = "no" ]
	run probe parallel-get "$NAME" "$WORK" "$LAYER" "$CONFIG" "$LAYER" "$CONFIG"
	[ "$status" -eq 0 ]
	[ "$output" = "4 blobs" ]
	cmp "$WORK/layer" "$WORK/${LAYER#sha256:}"
}

@test "registry: unknown manifests and blobs read as docker says" {
	registry_start basic
	run probe get-manifest "$NAME" nosuchtag "$WORK/x"
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: manifest for $NAME:nosuchtag not found: manifest unknown: manifest unknown" ]
	local zero
	zero=sha256:$(printf '%064d' 0)
	run probe get-blob "$NAME" "$zero" "$WORK/x"
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: blob $zero not found: blob unknown: blob unknown to registry" ]
	run probe blob-exists "$NAME" "$zero"
	[ "$output" = "no" ]
}

@test "registry: corrupt blobs and manifests are refused" {
	registry_start basic
	make_image
	push_image
	# same size, other bytes: only the digest can tell
	head -c 300000 /dev/urandom >"$(registry_blob_file "$LAYER")"
	run probe get-blob "$NAME" "$LAYER" "$WORK/layer.out" 300000
	[ "$status" -eq 1 ]
	[[ $output == "registry_probe: blob $LAYER: digest mismatch (got sha256:"* ]]
	# a body longer than the descriptor says stops early
	run probe get-blob "$NAME" "$CONFIG" "$WORK/config.out" 5
	[ "$status" -eq 1 ]
	[[ $output == *"body longer than the expected 5 bytes" ]]
	# the manifest's bytes change under its digest
	sed -i 's/amd64/arm64/; s/schemaVersion/schemaversion/' "$(registry_blob_file "$MANIFEST")"
	run probe get-manifest "$NAME" "$MANIFEST" "$WORK/got.json"
	[ "$status" -eq 1 ]
	[[ $output == "registry_probe: manifest for $NAME@$MANIFEST: digest mismatch (got sha256:"* ]]
	run probe get-manifest "$NAME" v1 "$WORK/got.json"
	[ "$status" -eq 1 ]
	[[ $output == "registry_probe: manifest for $NAME:v1: registry says $MANIFEST, content is sha256:"* ]]
}

@test "registry: bearer tokens from a token server, cached per scope" {
	registry_start bearer
	run probe login
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded" ]
	run "$PROBE" --user "$REGISTRY_USER" --password wrong "$REGISTRY_HOST" login
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: login to '$REGISTRY_HOST': unauthorized: incorrect username or password" ]
	run "$PROBE" --user "$REGISTRY_USER" --password wrong "$REGISTRY_HOST" get-manifest "$NAME" v1 "$WORK/x"
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: pull from '$REGISTRY_HOST': unauthorized: incorrect username or password" ]
	make_image
	: >"$REGISTRY_TOKEN_LOG"
	push_image
	# one token per process and scope (three probes: two blobs and a manifest)
	[ "$(grep -c "^token repository:$NAME:pull,push$" "$REGISTRY_TOKEN_LOG")" -eq 3 ]
	pull_image_check
	run probe parallel-get "$NAME" "$WORK" "$LAYER" "$CONFIG" "$LAYER" "$CONFIG"
	[ "$status" -eq 0 ]
	# the four threads of the last probe shared one pull token
	[ "$(tail -n 1 "$REGISTRY_TOKEN_LOG")" = "token repository:$NAME:pull" ]
	[ "$(grep -c "^token repository:$NAME:pull$" "$REGISTRY_TOKEN_LOG")" -eq 5 ]
}

@test "registry: credentials come from config.json" {
	registry_start basic
	mkdir -p "$WORK/docker"
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY_HOST" \
		"$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0)" >"$WORK/docker/config.json"
	run "$PROBE" --config "$WORK/docker" "$REGISTRY_HOST" login
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded" ]
	run "$PROBE" "$REGISTRY_HOST" login
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: login to '$REGISTRY_HOST': no username and password given" ]
	run "$PROBE" --config "$WORK/docker" "$REGISTRY_HOST" blob-exists "$NAME" "sha256:$(printf '%064d' 0)"
	[ "$status" -eq 0 ]
	[ "$output" = "no" ]
}

@test "registry: https first, plain http for a local registry without TLS" {
	registry_start none
	run "$PROBE" "$REGISTRY_HOST" ping
	[ "$status" -eq 0 ]
	[ "$output" = "http://$REGISTRY_HOST" ]
	registry_stop
	registry_start tls
	# local registries are insecure by default: the self-signed certificate is not checked
	run "$PROBE" "$REGISTRY_HOST" ping
	[ "$status" -eq 0 ]
	[ "$output" = "https://$REGISTRY_HOST" ]
	make_image
	run "$PROBE" "$REGISTRY_HOST" push-blob "$NAME" "$WORK/layer"
	[ "$status" -eq 0 ]
	run "$PROBE" "$REGISTRY_HOST" get-blob "$NAME" "$LAYER" "$WORK/layer.out"
	[ "$status" -eq 0 ]
	cmp "$WORK/layer" "$WORK/layer.out"
}

@test "registry: network errors name the host" {
	local port
	port=$(registry_free_port)
	run "$PROBE" "127.0.0.1:$port" ping
	[ "$status" -eq 1 ]
	[ "$output" = "registry_probe: connect to '127.0.0.1:$port': Couldn't connect to server" ]
	run "$PROBE" "127.0.0.1:$port" get-manifest a/b latest "$WORK/x"
	[ "$output" = "registry_probe: pull from '127.0.0.1:$port': Couldn't connect to server" ]
}
