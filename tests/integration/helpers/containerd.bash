# SPDX-License-Identifier: GPL-2.0-or-later
# A private containerd for containerd.bats: its own root, state, sockets and
# namespace under one temp dir, the local busybox image imported, and a
# teardown that stops it and removes its shims, mounts and cgroups.
# shellcheck shell=bash

# ctrd_start: start containerd, wait for its socket, import the image. Sets
# and exports CTRD_DIR, CTRD_SOCK, CTRD_NS, CTRD_IMAGE, RT_PATH, RUNC_ROOT.
ctrd_start()
{
	local i
	RT_PATH=$(command -v "$RUNTIME") || return 1
	# short and outside BATS_RUN_TMPDIR: unix socket paths are limited to 108 bytes
	CTRD_DIR=$(mktemp -d /tmp/berth-ctrd-XXXXXX)
	CTRD_SOCK=$CTRD_DIR/c.sock
	CTRD_NS=berth-test-ctrd-$(printf '%04x%04x' $RANDOM $RANDOM)
	CTRD_IMAGE=localhost/berth-test/busybox:latest
	RUNC_ROOT=$CTRD_DIR/runc
	export RT_PATH CTRD_DIR CTRD_SOCK CTRD_NS CTRD_IMAGE RUNC_ROOT
	# the shims keep their sockets under /run/containerd
	[ -e /run/containerd ] || touch "$CTRD_DIR/made-run-containerd"
	mkdir -p "$CTRD_DIR"/{tmp,opt}
	cat >"$CTRD_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTRD_DIR/root"
		state = "$CTRD_DIR/state"
		temp = "$CTRD_DIR/tmp"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing",
		  "io.containerd.tracing.processor.v1.otlp"]
		[grpc]
		  address = "$CTRD_SOCK"
		[ttrpc]
		  address = "$CTRD_SOCK.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTRD_DIR/opt"
	EOF
	# from a subshell: not our child, so no zombie whatever shell stops it
	(containerd --config "$CTRD_DIR/config.toml" </dev/null >"$CTRD_DIR/containerd.log" 2>&1 3>&- &
		echo $! >"$CTRD_DIR/containerd.pid")
	for ((i = 0; i < 200; i++)); do
		ctr -a "$CTRD_SOCK" version >/dev/null 2>&1 && break
		sleep 0.05
	done
	if ! ctr -a "$CTRD_SOCK" version >/dev/null 2>&1; then
		echo "# containerd did not start:" >&3
		sed 's/^/# /' "$CTRD_DIR/containerd.log" | tail -n 20 >&3
		return 1
	fi
	"$REPO/tests/integration/helpers/busybox-image.sh" "$CTRD_DIR/image" &&
		c images import "$CTRD_DIR/image/busybox-oci.tar" >/dev/null
}

# c ARGS...: ctr on our socket and namespace
c() { timeout -k 5 "${BERTH_TEST_TIMEOUT:-60}" ctr -a "$CTRD_SOCK" -n "$CTRD_NS" "$@"; }

# c_run ARGS...: ctr run with the runtime under test and its own state root;
# fifos in our dir (ctr leaves those of detached processes behind)
c_run() { c run --fifo-dir "$CTRD_DIR/fifo" --runc-binary "$RT_PATH" --runc-root "$RUNC_ROOT" "$@"; }

# c_exec ARGS...: ctr task exec, fifos in our dir
c_exec() { c task exec --fifo-dir "$CTRD_DIR/fifo" "$@"; }

# c_cmdline ARGS...: ctr on our socket and namespace as one shell-quoted line, for script(1)
c_cmdline() { printf '%q ' ctr -a "$CTRD_SOCK" -n "$CTRD_NS" "$@"; }

# task_status ID: RUNNING, PAUSED, STOPPED… or nothing
task_status() { c task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
task_status_is() { [ "$(task_status "$1")" = "$2" ]; }

# rt_ids: the containers the runtime under test still has in the shim's root
rt_ids() { [ -d "$RUNC_ROOT/$CTRD_NS" ] && "$RT_PATH" --root "$RUNC_ROOT/$CTRD_NS" list -q 2>/dev/null; }

# ctrd_clear: kill and remove every task and container of our namespace
ctrd_clear()
{
	local id
	[ -n "${CTRD_SOCK:-}" ] || return 0
	for id in $(c task ls -q 2>/dev/null); do
		c task kill -s KILL "$id" >/dev/null 2>&1
		c task rm -f "$id" >/dev/null 2>&1
	done
	for id in $(c containers ls -q 2>/dev/null); do
		c containers rm "$id" >/dev/null 2>&1
	done
}

# ctrd_stop: everything ctrd_start made, also after a failure midway
ctrd_stop()
{
	local pid p d i
	[ -n "${CTRD_DIR:-}" ] && [ -n "${CTRD_NS:-}" ] && [ -d "$CTRD_DIR" ] || return 0
	pid=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		ctrd_clear
		c images rm "$CTRD_IMAGE" >/dev/null 2>&1
		c namespaces rm "$CTRD_NS" >/dev/null 2>&1
		kill "$pid"
		for ((i = 0; i < 100; i++)); do
			[ "$(ps -o stat= -p "$pid" 2>/dev/null)" ] || break
			[[ $(ps -o stat= -p "$pid") == Z* ]] && break
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null
	fi
	# shims that outlived containerd, and what they ran
	for p in $(pgrep -f -- "-address $CTRD_SOCK( |\$)"); do
		kill -9 "$p" 2>/dev/null
	done
	for d in $(cgroups_named "$CTRD_NS"); do
		xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
	done
	for d in $(mounts_under "$CTRD_DIR"); do
		umount -l "$d" 2>/dev/null
	done
	for d in $(cgroups_named "$CTRD_NS"); do
		wait_for 2 rmdir "$d" 2>/dev/null
	done
	if [ -e "$CTRD_DIR/made-run-containerd" ]; then
		rmdir /run/containerd/s /run/containerd 2>/dev/null
	fi
	rm -rf "$CTRD_DIR"
	return 0
}
