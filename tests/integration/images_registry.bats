#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth login, logout, push, pull and manifest inspect against a real
# docker-registry with htpasswd auth (one per file), each test on a private
# berth root: round trips into empty roots, shared layers, a multi-arch
# index, and a corrupted blob that must leave nothing behind.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}
load registry_helpers
load helpers/netenv

# The fixtures: docker-archives of generated layers, and an OCI index of two
# platforms pushed by plain HTTP. Deterministic: the same seed gives the same layer.
write_fixture_tool()
{
	cat >"$1" <<-'EOF'
		import base64, gzip, hashlib, io, json, platform, sys, tarfile, urllib.request

		def sha(b):
		    return "sha256:" + hashlib.sha256(b).hexdigest()

		def layer(seed):
		    buf = io.BytesIO()
		    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
		        d = tarfile.TarInfo(seed)
		        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 0
		        t.addfile(d)
		        data = (seed + "\n").encode() * 1000
		        f = tarfile.TarInfo(seed + "/data")
		        f.size, f.mode, f.mtime = len(data), 0o644, 0
		        t.addfile(f, io.BytesIO(data))
		    return buf.getvalue()

		def config(arch, tars):
		    return json.dumps({"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
		                       "config": {"Cmd": ["sh"]},
		                       "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in tars]}}).encode()

		def host_arch():
		    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())

		def add(t, name, data):
		    i = tarfile.TarInfo(name)
		    i.size, i.mtime = len(data), 0
		    t.addfile(i, io.BytesIO(data))

		def archive(out, tag, seeds):
		    tars = [layer(s) for s in seeds]
		    cfg = config(host_arch(), tars)
		    names = [sha(x)[7:] + "/layer.tar" for x in tars]
		    with tarfile.open(out, "w") as t:
		        for n, x in zip(names, tars):
		            add(t, n, x)
		        add(t, sha(cfg)[7:] + ".json", cfg)
		        add(t, "manifest.json", json.dumps([{"Config": sha(cfg)[7:] + ".json", "RepoTags": [tag],
		                                             "Layers": names}]).encode())

		class Registry:
		    def __init__(self, host, repo, user, password):
		        self.base, self.repo = "http://" + host, repo
		        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

		    def call(self, method, url, data=None, ctype=None):
		        req = urllib.request.Request(url if url.startswith("http") else self.base + url, data=data, method=method)
		        req.add_header("Authorization", self.auth)
		        if ctype:
		            req.add_header("Content-Type", ctype)
		        return urllib.request.urlopen(req)

		    def blob(self, data):
		        loc = self.call("POST", f"/v2/{self.repo}/blobs/uploads/").headers["Location"]
		        loc = loc if loc.startswith("http") else self.base + loc
		        self.call("PUT", loc + ("&" if "?" in loc else "?") + "digest=" + sha(data), data,
		                  "application/octet-stream")
		        return {"digest": sha(data), "size": len(data)}

		    def manifest(self, ref, mtype, doc):
		        data = json.dumps(doc).encode()
		        self.call("PUT", f"/v2/{self.repo}/manifests/{ref}", data, mtype)
		        return {"mediaType": mtype, "digest": sha(data), "size": len(data)}

		def image(reg, arch, seeds):
		    tars = [layer(s) for s in seeds]
		    cfg = config(arch, tars)
		    layers = [dict(reg.blob(gzip.compress(x, mtime=0)), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
		              for x in tars]
		    c = dict(reg.blob(cfg), mediaType="application/vnd.oci.image.config.v1+json")
		    doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": c,
		           "layers": layers}
		    return reg.manifest(sha(json.dumps(doc).encode()), doc["mediaType"], doc)

		def index(host, repo, tag, user, password):
		    reg = Registry(host, repo, user, password)
		    entries = []
		    for arch in ("amd64", "arm64"):
		        d = image(reg, arch, ["idxbase", "idx-" + arch])
		        d["platform"] = {"architecture": arch, "os": "linux"}
		        entries.append(d)
		    doc = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
		    print(reg.manifest(tag, doc["mediaType"], doc)["digest"])

		if sys.argv[1] == "archive":
		    archive(sys.argv[2], sys.argv[3], sys.argv[4:])
		else:
		    index(*sys.argv[2:7])
	EOF
}

setup_file()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	[ -f "$REPO/build/data/busybox.tar" ] || skip "built-in image not built"
	command -v python3 >/dev/null || skip "no python3"
	export FIX=$BATS_FILE_TMPDIR/fixtures
	mkdir -p "$FIX"
	write_fixture_tool "$FIX/tool.py"
	python3 "$FIX/tool.py" archive "$FIX/three.tar" berth-test-three:v1 base mid top
	python3 "$FIX/tool.py" archive "$FIX/sibling.tar" berth-test-sibling:v1 base sibling
	python3 "$FIX/tool.py" archive "$FIX/corrupt.tar" berth-test-corrupt:v1 corrupt-only
	registry_start basic
	export REGISTRY_HOST REGISTRY_DIR REGISTRY_STORAGE REGISTRY_PID REGISTRY_USER REGISTRY_PASS
}

teardown_file()
{
	registry_stop
}

setup()
{
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	CFG=$BATS_TEST_TMPDIR/cfg
	R=$REGISTRY_HOST/berth-test
}

teardown()
{
	rm -rf "$BATS_TEST_TMPDIR/root" "$BATS_TEST_TMPDIR/root2" "$BATS_TEST_TMPDIR/run" "$CFG"
	berth_test_net_cleanup
}

b() { timeout -k 5 120 "$BERTH" --config "$CFG" "$@"; }

expect()
{
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in:"
		echo "$output"
		return 1
	}
}

# entries under ROOT/DIR (blobs/sha256, layers, tmp), not counting the l/ links and locks
count() { find "$BERTH_ROOT/$1" -mindepth 1 -maxdepth 1 ! -name l ! -name '*.lock' ! -name empty | wc -l; }

login() { b login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_HOST" <<<"$REGISTRY_PASS" >/dev/null; }

# push_fixture NAME: load fixtures/NAME.tar into the current root and push it as $R/NAME:v1.
push_fixture()
{
	b load -q -i "$FIX/$1.tar" >/dev/null
	b tag "berth-test-$1:v1" "$R/$1:v1"
	b push -q "$R/$1:v1" >/dev/null
}

# fresh_root: what follows runs on a new, empty root.
fresh_root()
{
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root2
	rm -rf "$BERTH_ROOT"
}

@test "login: a wrong password is one clear line, the right one is stored; logout forgets it" {
	run --separate-stderr b login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_HOST" <<<"wrong"
	[ "$status" -ne 0 ]
	[ "$stderr" = "berth: login to '$REGISTRY_HOST': unauthorized: incorrect username or password" ]
	[ ! -e "$CFG/config.json" ]

	run --separate-stderr b login "$REGISTRY_HOST" </dev/null
	[ "$status" -ne 0 ]
	[ "$stderr" = "Error: Cannot perform an interactive login from a non TTY device" ]

	run --separate-stderr b login -u "$REGISTRY_USER" -p x --password-stdin "$REGISTRY_HOST" </dev/null
	[ "$status" -ne 0 ]
	[ "$stderr" = "berth: --password and --password-stdin are mutually exclusive" ]

	run --separate-stderr b login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_HOST" <<<"$REGISTRY_PASS"
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded" ]
	[ "$(stat -c %a "$CFG/config.json")" = 600 ]
	[ "$(jq -r --arg h "$REGISTRY_HOST" '.auths[$h].auth' "$CFG/config.json" | base64 -d)" = "$REGISTRY_USER:$REGISTRY_PASS" ]

	run b logout "$REGISTRY_HOST"
	[ "$status" -eq 0 ]
	[ "$output" = "Removing login credentials for $REGISTRY_HOST" ]
	run b logout "$REGISTRY_HOST"
	[ "$output" = "Not logged in to $REGISTRY_HOST" ]
	run b logout
	[ "$output" = "Not logged in to https://index.docker.io/v1/" ]

	# without credentials the registry refuses
	run --separate-stderr b pull "$R/nothing:v1"
	[ "$status" -eq 125 ]
	[[ $stderr =~ unauthorized ]]
}

@test "push then pull into an empty root: same image, RepoDigests, and a second pull adds nothing" {
	login
	b pull -q busybox >/dev/null
	b tag busybox "$R/busybox:v1"
	run --separate-stderr b push "$R/busybox:v1"
	[ "$status" -eq 0 ]
	expect "^The push refers to repository \\[$R/busybox\\]"
	expect ': Pushed'
	expect $'\nv1: digest: sha256:[0-9a-f]{64} size: [0-9]+$'
	local digest id
	digest=$(grep -o 'sha256:[0-9a-f]*' <<<"${lines[-1]}")
	id=$(b image inspect --format '{{.Id}}' busybox)
	# pushing again finds every blob there
	run b push "$R/busybox:v1"
	expect ': Layer already exists'
	run b image inspect --format '{{json .RepoDigests}}' busybox
	expect "$R/busybox@$digest"

	push_fixture three
	b rmi "$R/three:v1" berth-test-three:v1 >/dev/null

	fresh_root
	run --separate-stderr b pull "$R/three:v1"
	[ "$status" -eq 0 ]
	expect '^v1: Pulling from berth-test/three'
	[ "$(grep -c ': Pulling fs layer$' <<<"$output")" -eq 3 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 3 ]
	expect $'\nDigest: sha256:[0-9a-f]{64}\n'
	expect "Status: Downloaded newer image for $R/three:v1"
	local pulled
	pulled=$(sed -n 's/^Digest: //p' <<<"$output")
	run b image inspect "$R/three:v1"
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$R/three@$pulled" ]
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" -eq 3 ]
	[ "$(find "$BERTH_ROOT/layers" -path '*/diff/*/data' | wc -l)" -eq 3 ]

	local blobs layers
	blobs=$(count blobs/sha256)
	layers=$(count layers)
	run b pull "$R/three:v1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 3 ]
	[[ ! $output =~ 'Pull complete' ]]
	expect "Status: Image is up to date for $R/three:v1"
	[ "$(count blobs/sha256)" -eq "$blobs" ]
	[ "$(count layers)" -eq "$layers" ]
	[ "$(b images -q | wc -l)" -eq 1 ]

	# the busybox image comes back as it was pushed
	run b pull "$R/busybox:v1"
	[ "$status" -eq 0 ]
	[ "$(b image inspect --format '{{.Id}}' "$R/busybox:v1")" = "$id" ]
	run b pull "$R/busybox@$digest"
	[ "$status" -eq 0 ]
}

@test "a second image sharing the base layer downloads only its own" {
	login
	push_fixture three
	push_fixture sibling
	fresh_root
	b pull -q "$R/three:v1" >/dev/null
	run b pull "$R/sibling:v1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 1 ]
	[ "$(grep -c ': Pull complete$' <<<"$output")" -eq 1 ]
	[ "$(b images -q | wc -l)" -eq 2 ]
}

@test "a multi-platform index: the host's manifest, --platform picks another, an absent one fails" {
	login
	local host other index
	host=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
	other=$([ "$host" = arm64 ] && echo amd64 || echo arm64)
	index=$(python3 "$FIX/tool.py" index "$REGISTRY_HOST" berth-test/multi v1 "$REGISTRY_USER" "$REGISTRY_PASS")

	run b manifest inspect "$R/multi:v1"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.manifests | length' <<<"$output")" -eq 2 ]
	[[ ${lines[1]} == '   "schemaVersion": 2,' ]]
	run b manifest inspect -v "$R/multi:v1"
	[ "$(jq -r '.[1].Descriptor.platform.architecture' <<<"$output")" = arm64 ]

	run b pull "$R/multi:v1"
	[ "$status" -eq 0 ]
	expect "Digest: $index"
	[ "$(b image inspect --format '{{.Architecture}}' "$R/multi:v1")" = "$host" ]
	run b image inspect --format '{{json .RepoDigests}}' "$R/multi:v1"
	expect "$R/multi@$index"

	run b pull --platform "linux/$other" "$R/multi:v1"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Already exists$' <<<"$output")" -eq 1 ]
	[ "$(b image inspect --format '{{.Architecture}}' "$R/multi:v1")" = "$other" ]

	run --separate-stderr b pull --platform linux/s390x "$R/multi:v1"
	[ "$status" -eq 125 ]
	[ "$stderr" = "berth: no matching manifest for linux/s390x in the manifest list entries" ]
}

@test "a blob corrupted in the registry is refused by digest and leaves no layer, blob or row" {
	login
	push_fixture corrupt
	local layer size
	layer=$(b manifest inspect "$R/corrupt:v1" | jq -r '.layers[0].digest')
	size=$(stat -c %s "$(registry_blob_file "$layer")")
	head -c "$size" /dev/zero >"$(registry_blob_file "$layer")"

	fresh_root
	run --separate-stderr b pull "$R/corrupt:v1"
	[ "$status" -eq 125 ]
	[[ $stderr =~ ^berth:\ .*blob\ $layer.*digest\ mismatch ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[ "$(count blobs/sha256)" -eq 0 ]
	[ "$(count layers)" -eq 0 ]
	[ "$(count tmp)" -eq 0 ]
	[ -z "$(b images -q)" ]
}

@test "unknown names: Docker's messages, and nothing is stored" {
	login
	run --separate-stderr b pull "$R/nosuch:v9"
	[ "$status" -eq 125 ]
	[ "$stderr" = "berth: manifest for $R/nosuch:v9 not found: manifest unknown: manifest unknown" ]
	[ "$(count blobs/sha256)" -eq 0 ]
	run --separate-stderr b push "$R/nosuch:v9"
	[ "$status" -eq 125 ]
	[ "$stderr" = "berth: An image does not exist locally with the tag: $R/nosuch" ]
	run --separate-stderr b manifest inspect "$R/nosuch:v9"
	[ "$status" -eq 125 ]
	[ "$stderr" = "berth: no such manifest: $R/nosuch:v9" ]
}
