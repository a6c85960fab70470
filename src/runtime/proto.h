/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent/child setup protocol of the runtime, over a SOCK_SEQPACKET pair.
 * One message is one datagram: struct rt_msg, fds attached with SCM_RIGHTS.
 *
 *   parent                                   child (future container init / exec'd process)
 *   clone3 ───────────────────────────────▶  waits for GO
 *   uid/gid maps
 *   GO (code = child's pid) ──────────────▶  joins/creates namespaces, mounts, /dev
 *   cgroup placement (the first v1 attach
 *   waits for an RCU grace period, ~8 ms:
 *   the child's setup runs meanwhile)
 *   CGROUP ───────────────────────────────▶  (awaited before the cgroup namespace, hooks or READY)
 *                              ◀────────────  HOOKS        (only when prestart/createRuntime hooks exist)
 *   runs prestart + createRuntime hooks
 *   HOOKS_DONE ───────────────────────────▶  createContainer hooks, pivot_root, masks,
 *                                             sysctl, cwd, executable lookup
 *                              ◀────────────  PTY + master fd (process.terminal only)
 *                              ◀────────────  SECCOMP + listener fd (SCMP_ACT_NOTIFY only)
 *                              ◀────────────  READY
 *   (run/exec) START ─────────────────────▶  (create: waits on exec.fifo instead)
 *                                             startContainer hooks, rlimits, identity, execve
 *   With a user namespace joined by path, an intermediate process joins it and
 *   clones the init, sends PID (code = the init's pid) and exits first.
 *   At any point the child may send ERROR (code = errno, text = message) and exit;
 *   the parent turns it into its own error. EOF before READY means the child died.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct berth_error;

enum rt_msg_type {
	RT_MSG_GO = 1,
	RT_MSG_HOOKS,
	RT_MSG_HOOKS_DONE,
	RT_MSG_PTY,
	RT_MSG_READY,
	RT_MSG_START,
	RT_MSG_ERROR,
	RT_MSG_CGROUP,
	RT_MSG_PID,
	RT_MSG_SECCOMP,
};

#define RT_MSG_TEXT_MAX 2048

struct rt_msg {
	uint32_t type;
	int32_t code;
	char text[RT_MSG_TEXT_MAX];
};

/* Send a message (with one fd when fd >= 0). */
int rt_msg_send(int sock, enum rt_msg_type type, int code, const char *text, int fd, struct berth_error **err);
/*
 * Receive one message. *ret_fd (may be NULL) gets an attached fd or -1.
 * EOF is an error "setup process exited unexpectedly"; an RT_MSG_ERROR from
 * the peer becomes *err with its text and -1 is returned.
 */
int rt_msg_recv(int sock, struct rt_msg *ret, int *ret_fd, struct berth_error **err);
/* Receive and require a given type. */
int rt_msg_expect(int sock, enum rt_msg_type type, int *ret_fd, struct berth_error **err);
/* Child side: report err to the parent as RT_MSG_ERROR (best effort) and _exit(1). */
__attribute__((noreturn)) void rt_msg_fail(int sock, struct berth_error *err);
