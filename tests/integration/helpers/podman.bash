# SPDX-License-Identifier: GPL-2.0-or-later
# A private Podman for podman.bats: its own store, run root, tmpdir,
# containers.conf (cgroupfs, file events, no shared network config) and cgroup
# parent under one temp dir, the local busybox images loaded.
# shellcheck shell=bash

# pm_start: write the config, load the images. Sets and exports PM_DIR,
# PM_CONF (ulimits clamped as PEERS.md says), PM_CONF_DEFAULT (Podman's own
# ulimits), PM_CGROUP, PM_IMAGE, PM_BARE_IMAGE, RT_PATH.
pm_start()
{
	RT_PATH=$(command -v "$RUNTIME") || return 1
	PM_DIR=$(mktemp -d /tmp/berth-podman-XXXXXX)
	PM_CGROUP=/berth-test-podman-$(printf '%04x%04x' $RANDOM $RANDOM)
	PM_IMAGE=localhost/berth-test/busybox:latest
	PM_BARE_IMAGE=localhost/berth-test/busybox:bare
	PM_CONF=$PM_DIR/containers.conf
	PM_CONF_DEFAULT=$PM_DIR/containers-default-ulimits.conf
	export RT_PATH PM_DIR PM_CGROUP PM_IMAGE PM_BARE_IMAGE PM_CONF PM_CONF_DEFAULT
	mkdir -p "$PM_DIR/net"
	cat >"$PM_CONF_DEFAULT" <<-EOF
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		[network]
		network_config_dir = "$PM_DIR/net"
	EOF
	# nofile and nproc 1048576 are above this machine's hard limits
	{
		echo '[containers]'
		echo 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]'
		cat "$PM_CONF_DEFAULT"
	} >"$PM_CONF"
	cat >"$PM_DIR/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		runroot = "$PM_DIR/runroot"
		graphroot = "$PM_DIR/root"
	EOF
	"$REPO/tests/integration/helpers/busybox-image.sh" "$PM_DIR/image" &&
		pm_load "$PM_DIR/image/busybox-docker.tar" && pm_load "$PM_DIR/image/bare-docker.tar"
}

# pm_load ARCHIVE: podman load, with a private empty /var/lib: whatever its
# --root, Podman keeps a blob-info cache in /var/lib/containers/cache
pm_load()
{
	# shellcheck disable=SC2016
	unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /var/lib && exec "$@"' sh \
		env CONTAINERS_CONF="$PM_CONF" CONTAINERS_STORAGE_CONF="$PM_DIR/storage.conf" \
		podman --root "$PM_DIR/root" --runroot "$PM_DIR/runroot" --tmpdir "$PM_DIR/tmp" load -q -i "$1" >/dev/null
}

# pm ARGS...: podman with the private store and the runtime under test; the
# runtime keeps its default --root, so Podman's own cleanup process (which
# does not pass --runtime-flag on) deletes what it created
pm()
{
	CONTAINERS_CONF=${PM_CONF_OVERRIDE:-$PM_CONF} CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf \
		timeout -k 5 "${BERTH_TEST_TIMEOUT:-60}" podman --root "$PM_DIR/root" --runroot "$PM_DIR/runroot" \
		--tmpdir "$PM_DIR/tmp" --runtime "$RT_PATH" "$@"
}

# pm_cmdline ARGS...: pm as one shell-quoted command line, for script(1)
pm_cmdline()
{
	printf '%q ' env CONTAINERS_CONF="${PM_CONF_OVERRIDE:-$PM_CONF}" CONTAINERS_STORAGE_CONF="$PM_DIR/storage.conf" \
		podman --root "$PM_DIR/root" --runroot "$PM_DIR/runroot" --tmpdir "$PM_DIR/tmp" --runtime "$RT_PATH" "$@"
}

# pm_run ARGS...: podman run in our cgroup parent, without a network
pm_run() { pm run --cgroup-parent "$PM_CGROUP" --network none "$@"; }

# pm_pid NAME: the container's init pid on the host
pm_pid() { pm inspect --format '{{.State.Pid}}' "$1"; }

# cgroup_file PID CONTROLLER FILE: the path of a v1 controller's file of PID
cgroup_file()
{
	local p
	p=$(awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup")
	[ -n "$p" ] && echo "/sys/fs/cgroup/$2$p/$3"
}

# pm_clear: remove every container of the private store
pm_clear() { [ -z "${PM_DIR:-}" ] || pm rm -a -f -t 0 >/dev/null 2>&1 || true; }

# pm_stop: everything pm_start made, also after a failure midway
pm_stop()
{
	local d p
	[ -n "${PM_DIR:-}" ] && [ -n "${PM_CGROUP:-}" ] && [ -d "$PM_DIR" ] || return 0
	pm_clear
	for p in $(pgrep -f -- "conmon .*$PM_DIR/"); do
		kill -9 "$p" 2>/dev/null
	done
	for d in $(cgroups_named "${PM_CGROUP#/}"); do
		xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
	done
	for d in $(mounts_under "$PM_DIR"); do
		umount -l "$d" 2>/dev/null
	done
	for d in $(cgroups_named "${PM_CGROUP#/}"); do
		wait_for 2 rmdir "$d" 2>/dev/null
	done
	rm -rf "$PM_DIR"
	return 0
}
