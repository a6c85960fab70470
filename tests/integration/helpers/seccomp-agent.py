#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# A minimal seccomp agent for the SCMP_ACT_NOTIFY test: listen on a unix
# socket, take one message (runc's ContainerProcessState JSON) with the
# listener fd, print the JSON and "fd received", close the fd (the notified
# syscalls then fail with ENOSYS) and exit.
import array
import socket
import sys


def main():
    path, timeout = sys.argv[1], float(sys.argv[2])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(timeout)
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    print(msg.decode())
    print("fd received" if fds else "no fd")
    sys.stdout.flush()
    for fd in fds:
        socket.close(fd)
    conn.close()
    srv.close()


if __name__ == "__main__":
    main()
