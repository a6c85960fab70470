#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make berth's built-in default image: busybox from Debian's busybox-static,
# imported and saved with the berth just built, as a docker-archive tagged
# busybox:latest. Reproducible: fixed owners, modes, order and times.
#
# Usage: mkimage-busybox.sh BERTH OUT.tar [BUSYBOX]
set -euo pipefail

berth=${1:?usage: mkimage-busybox.sh BERTH OUT.tar [BUSYBOX]}
out=${2:?usage: mkimage-busybox.sh BERTH OUT.tar [BUSYBOX]}
busybox=${3:-/bin/busybox}
epoch=${SOURCE_DATE_EPOCH:-1700000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-mkimage-XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
	echo "mkimage-busybox.sh: no static busybox at '$busybox' (Debian: apt-get install busybox-static)" >&2
	exit 1
fi

r=$work/rootfs
mkdir -p "$r"/{bin,dev,etc,home,proc,root,sys,tmp,usr/sbin,var/spool/mail,var/www}
chmod 1777 "$r/tmp"
chmod 700 "$r/root"
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln "$r/bin/busybox" "$r/bin/$a"
done
cat >"$r/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$r/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:12:
www-data:x:33:
operator:x:37:
users:x:100:
nogroup:x:65534:
GROUP
find "$r" -exec touch -h -d "@$epoch" {} +

tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" --format=posix \
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	-cf "$work/rootfs.tar" -C "$r" .

# A private root: nothing of the machine's berth is read or written.
b=("$berth" --root "$work/root" --runroot "$work/run")
SOURCE_DATE_EPOCH=$epoch "${b[@]}" import \
	-c 'CMD ["sh"]' \
	-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	-m "berth built-in busybox $("$busybox" 2>&1 | head -n1 | awk '{print $2}')" \
	"$work/rootfs.tar" busybox:latest >/dev/null
"${b[@]}" save -o "$out.tmp" busybox:latest
chmod 0644 "$out.tmp"
mv "$out.tmp" "$out"
