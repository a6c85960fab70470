#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Console-socket receiver for the terminal tests: listen on a unix socket,
# take one pty master fd (SCM_RIGHTS) and copy what it reads to stdout.
import array
import os
import select
import socket
import sys
import time


def recv_fd(conn):
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    if not fds:
        raise SystemExit("recvtty: no fd received")
    return fds[0]


def copy_out(fd, deadline):
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: every slave side is closed
            return
        if not data:
            return
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: recvtty.py SOCKET [SECONDS]")
    path = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    deadline = time.monotonic() + seconds
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(seconds)
    conn, _ = srv.accept()
    fd = recv_fd(conn)
    conn.close()
    srv.close()
    os.unlink(path)
    copy_out(fd, deadline)
    os.close(fd)


if __name__ == "__main__":
    main()
