#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make a one-layer busybox image from Debian's busybox-static with umoci, with
# no registry, and export it with skopeo for containerd, Podman and Docker.
#
# Usage: busybox-image.sh OUTDIR
# Writes OUTDIR/busybox-oci.tar (oci-archive) and OUTDIR/busybox-docker.tar
# (docker-archive) of localhost/berth-test/busybox:latest, whose rootfs has
# /run and /var as Debian images do, and OUTDIR/bare-docker.tar of
# localhost/berth-test/busybox:bare, which has neither (as docker.io/busybox).
set -euo pipefail

out=${1:?usage: busybox-image.sh OUTDIR}
busybox=${BUSYBOX:-/bin/busybox}
name=localhost/berth-test/busybox
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-image-XXXXXX")
trap 'rm -rf "$work"' EXIT

# fill_rootfs DIR [EXTRA-DIR...]: busybox, its applets, passwd and group
fill_rootfs()
{
	local r=$1 a
	shift
	mkdir -p "$r"/{bin,dev,etc,proc,root,sys,tmp} "${@/#/$r/}"
	chmod 1777 "$r/tmp"
	cp "$busybox" "$r/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
}

# make_tag TAG [EXTRA-DIR...]: one tag of the layout, with its own layer
make_tag()
{
	local tag=$1
	shift
	umoci new --image "$work/oci:$tag"
	umoci unpack --image "$work/oci:$tag" "$work/bundle-$tag" >/dev/null
	fill_rootfs "$work/bundle-$tag/rootfs" "$@"
	umoci repack --image "$work/oci:$tag" "$work/bundle-$tag"
	umoci config --image "$work/oci:$tag" --config.cmd sh \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

# skopeo as root keeps a blob-info cache in /var/lib/containers/cache: give it
# a private, empty /var/lib so that making a test image leaves nothing there
sk()
{
	if [ "$(id -u)" -eq 0 ]; then
		unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /var/lib && exec skopeo "$@"' sh "$@"
	else
		skopeo "$@"
	fi
}

mkdir -p "$out"
umoci init --layout "$work/oci"
make_tag latest run var
make_tag bare
sk copy -q "oci:$work/oci:latest" "oci-archive:$out/busybox-oci.tar:$name:latest"
sk copy -q "oci:$work/oci:latest" "docker-archive:$out/busybox-docker.tar:$name:latest"
sk copy -q "oci:$work/oci:bare" "docker-archive:$out/bare-docker.tar:$name:bare"
