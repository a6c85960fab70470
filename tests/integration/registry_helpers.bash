# SPDX-License-Identifier: GPL-2.0-or-later
# A private docker-registry (Debian's docker-registry) for one test: a free
# port on 127.0.0.1, storage and config in a temp dir, optional htpasswd
# (Basic) auth or a Bearer token proxy in front. registry_stop undoes it all
# and is safe to call twice or after a failed start.
# shellcheck shell=bash
# shellcheck disable=SC2034 # REGISTRY_* are read by the tests that load this

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
REGISTRY_USER=berth-test-user
REGISTRY_PASS=berth-test-pass
REGISTRY_DIR=
REGISTRY_PID=
REGISTRY_PROXY_PID=

# A TCP port nobody listens on now.
registry_free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_wait HOST [SCHEME]: until GET /v2/ answers (200 or 401), at most 15 s.
registry_wait()
{
	local _ code
	for _ in $(seq 150); do
		code=$(curl -ks -o /dev/null -w '%{http_code}' "${2:-http}://$1/v2/" 2>/dev/null)
		[ "$code" = 200 ] || [ "$code" = 401 ] && return 0
		sleep 0.1
	done
	echo "# registry on $1 did not answer" >&3
	return 1
}

# registry_start [none|basic|bearer|tls]: start a registry and set REGISTRY_HOST
# (what clients talk to), REGISTRY_STORAGE, REGISTRY_DIR and REGISTRY_TOKEN_LOG.
# basic: htpasswd auth in the registry; bearer: the registry without auth
# behind tests/helpers/registry_token_proxy.py; tls: https with a
# self-signed certificate, no auth.
registry_start()
{
	local mode=${1:-basic} port auth='' tls='' scheme=http
	[ -x "$REGISTRY_BIN" ] || skip "no $REGISTRY_BIN"
	REGISTRY_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/berth-test-registry-XXXXXX")
	REGISTRY_STORAGE=$REGISTRY_DIR/storage
	REGISTRY_TOKEN_LOG=$REGISTRY_DIR/token.log
	: >"$REGISTRY_TOKEN_LOG"
	port=$(registry_free_port)
	if [ "$mode" = basic ]; then
		htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASS" >"$REGISTRY_DIR/htpasswd"
		auth="auth:
  htpasswd:
    realm: berth-test-realm
    path: $REGISTRY_DIR/htpasswd"
	fi
	if [ "$mode" = tls ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
			-keyout "$REGISTRY_DIR/key.pem" -out "$REGISTRY_DIR/cert.pem" >/dev/null 2>&1 || return 1
		tls="  tls:
    certificate: $REGISTRY_DIR/cert.pem
    key: $REGISTRY_DIR/key.pem"
		scheme=https
	fi
	cat >"$REGISTRY_DIR/config.yml" <<-EOF
		version: 0.1
		log:
		  level: error
		  accesslog:
		    disabled: true
		storage:
		  filesystem:
		    rootdirectory: $REGISTRY_STORAGE
		  delete:
		    enabled: true
		http:
		  addr: 127.0.0.1:$port
		  secret: berth-test-secret
		$tls
		$auth
	EOF
	"$REGISTRY_BIN" serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/registry.log" 2>&1 3>&- &
	REGISTRY_PID=$!
	registry_wait "127.0.0.1:$port" "$scheme" || return 1
	REGISTRY_HOST=127.0.0.1:$port
	if [ "$mode" = bearer ]; then
		local pport
		pport=$(registry_free_port)
		python3 "$REPO/tests/helpers/registry_token_proxy.py" "$pport" "$port" \
			"$REGISTRY_USER" "$REGISTRY_PASS" "$REGISTRY_TOKEN_LOG" \
			>"$REGISTRY_DIR/proxy.log" 2>&1 3>&- &
		REGISTRY_PROXY_PID=$!
		registry_wait "127.0.0.1:$pport" || return 1
		REGISTRY_HOST=127.0.0.1:$pport
	fi
}

registry_stop()
{
	local pid
	for pid in $REGISTRY_PROXY_PID $REGISTRY_PID; do
		# wait reaps it (its status is the signal's, never an error here)
		kill "$pid" 2>/dev/null && { wait "$pid" 2>/dev/null || true; }
	done
	REGISTRY_PROXY_PID=
	REGISTRY_PID=
	[ -n "$REGISTRY_DIR" ] && rm -rf "$REGISTRY_DIR"
	REGISTRY_DIR=
	return 0
}

# registry_blob_file DIGEST: where the registry's filesystem driver keeps a blob's bytes.
registry_blob_file()
{
	local hex=${1#sha256:}
	echo "$REGISTRY_STORAGE/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}
