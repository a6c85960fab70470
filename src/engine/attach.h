/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: attaching to a container's stdio (docker attach, run in the
 * foreground, start -a) through its monitor's socket, and docker exec.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct berth_error;
struct eng;

/*
 * The attach protocol. The monitor of a running container listens on
 * <runroot>/containers/<id>/attach.sock (SOCK_SEQPACKET, mode 0600). Each
 * packet is one message: a type byte, then its payload (integers big-endian):
 *
 *   HELLO      client → monitor, first: u8 streams (ENG_ATTACH_STREAM_*),
 *              u16 rows, u16 cols (the client's terminal; 0 0: none)
 *   STDIN      client → monitor: bytes for the container's stdin
 *   STDIN_EOF  client → monitor: the client's stdin ended
 *   RESIZE     client → monitor: u16 rows, u16 cols (TIOCSWINSZ on the pty)
 *   STDOUT     monitor → client: bytes the container wrote (with a tty, all of its output)
 *   STDERR     monitor → client: bytes the container wrote to stderr (no tty)
 *   ERROR      monitor → client: the process could not be started (text)
 *   EXIT       monitor → client: i32 exit code, once the process is reaped
 *              and its State recorded, before any AutoRemove
 *
 * Several clients may attach; output goes to each client that asked for the
 * stream, and to the log. What was written before a client attached is not
 * replayed (docker's behaviour): a foreground run starts its monitor with
 * attach_wait, which creates the process, reports it ready, waits up to 30 s
 * for the first client's HELLO (its window size is applied first) and only
 * then starts the process. The monitor closes every client after the EXIT
 * and the AutoRemove (or before a restart), so a client that reads until
 * EOF knows the container is gone.
 *
 * Stdin: with Config.OpenStdin the monitor keeps the container's stdin (a
 * pipe, or the pty master) open and writes clients' STDIN to it; with
 * StdinOnce and no tty it closes it when a client that attached stdin sends
 * STDIN_EOF or goes away (docker's semantics). Without OpenStdin the
 * container's stdin is /dev/null and STDIN is dropped.
 */
enum eng_attach_type {
	ENG_ATTACH_HELLO = 1,
	ENG_ATTACH_STDIN = 2,
	ENG_ATTACH_STDIN_EOF = 3,
	ENG_ATTACH_RESIZE = 4,
	ENG_ATTACH_STDOUT = 5,
	ENG_ATTACH_STDERR = 6,
	ENG_ATTACH_ERROR = 7,
	ENG_ATTACH_EXIT = 8,
};

#define ENG_ATTACH_STREAM_STDIN 0x1
#define ENG_ATTACH_STREAM_STDOUT 0x2
#define ENG_ATTACH_STREAM_STDERR 0x4

/* The largest payload of a data message, and the largest packet. */
#define ENG_ATTACH_DATA_MAX 32768
#define ENG_ATTACH_PACKET_MAX (1 + ENG_ATTACH_DATA_MAX)

/* One decoded message; data points into the packet it was decoded from. */
struct eng_attach_msg {
	uint8_t type;
	uint8_t streams;     /* HELLO */
	uint16_t rows, cols; /* HELLO, RESIZE */
	int32_t code;	     /* EXIT */
	const uint8_t *data; /* STDIN, STDOUT, STDERR, ERROR */
	size_t len;
};

/*
 * Encode m into buf (ENG_ATTACH_PACKET_MAX bytes suffice). Returns the
 * packet's length, or -1 for an unknown type or data over ENG_ATTACH_DATA_MAX.
 */
int eng_attach_msg_encode(const struct eng_attach_msg *m, uint8_t *buf, size_t size);
/* Decode one packet. -1 when the type is unknown or the payload has the wrong size; ret then undefined. */
int eng_attach_msg_decode(const uint8_t *buf, size_t len, struct eng_attach_msg *ret);
/* Encode and send m on a SEQPACKET socket (MSG_NOSIGNAL). */
int eng_attach_msg_send(int fd, const struct eng_attach_msg *m, struct berth_error **err);

/* ---- detach keys ---------------------------------------------------------- */

#define ENG_DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define ENG_DETACH_KEYS_MAX 16

/*
 * Parse docker's detach-key syntax: keys separated by ",", each a single
 * character, "ctrl-<c>" with c in a-z @ [ \ ] ^ _ (ctrl-a = 0x01, ctrl-@ = 0,
 * ctrl-[ = 0x1b ...) or "DEL" (0x7f); "" is no key at all. ret gets up to
 * ENG_DETACH_KEYS_MAX bytes, *ret_n their count. Error (an empty piece
 * too): "invalid detach keys (SPEC) provided".
 */
int eng_detach_keys_parse(const char *spec, uint8_t *ret, size_t *ret_n, struct berth_error **err);

/* Recognises the detach sequence in a byte stream, across reads. */
struct eng_detach_matcher {
	uint8_t keys[ENG_DETACH_KEYS_MAX];
	size_t n;	/* 0: never detach */
	size_t matched; /* a prefix of keys seen and held back */
};
/*
 * Feed len bytes of input. The bytes to forward are written to out (room for
 * len + ENG_DETACH_KEYS_MAX bytes), their count to *ret_out_len: a partial
 * match is held back until the next byte decides, and released when it turns
 * out not to be the sequence. Returns true when the sequence completed: then
 * the rest of in is dropped.
 */
bool eng_detach_feed(struct eng_detach_matcher *m, const uint8_t *in, size_t len, uint8_t *out, size_t *ret_out_len);

/* ---- unix sockets ------------------------------------------------------------ */

/*
 * A unix socket of type (SOCK_STREAM, SOCK_SEQPACKET) bound and listening at
 * path (mode 0600; a stale file is replaced), or connected to it. A path
 * longer than sun_path is reached through its directory's /proc/self/fd entry.
 */
int eng_unix_listen(const char *path, int type, struct berth_error **err);
int eng_unix_connect(const char *path, int type, struct berth_error **err);

/* ---- attach (client side) ----------------------------------------------------- */

struct eng_attach_opts {
	bool in, out, err;	 /* the streams wanted; in is dropped when the container has no OpenStdin */
	bool sig_proxy;		 /* forward signals the client gets to the container (not with a tty, as docker) */
	const char *detach_keys; /* NULL or "": ENG_DETACH_KEYS_DEFAULT (docker's flag default) */
	bool starting;		 /* the container's monitor waits for us (attach_wait): it is not running yet */
};
/*
 * docker attach, in this process: connect to the monitor of container name,
 * send HELLO (with the terminal's size when the container has a tty), copy
 * fd 0 to STDIN (detach keys recognised when the container has a tty, as
 * dockerd), STDOUT to fd 1 and STDERR to fd 2,
 * send RESIZE on SIGWINCH, forward signals with sig_proxy, until the EXIT
 * and the end of the connection. The local terminal is put in raw mode when
 * the container has a tty and stdin is attached and is a terminal, and
 * restored on every way out (SIGINT, SIGTERM, SIGHUP and SIGQUIT end the
 * attach when they are not forwarded: *ret_code is then 128 + the signal).
 * Returns 0 with *ret_code the container's exit code, or 0 and
 * *ret_detached (may be NULL) true when the user detached (the container
 * runs on). -1 with *err set when the container does not run ("You cannot
 * attach to a stopped container, start it first"), the detach keys are
 * invalid, the socket cannot be reached, or the monitor reported an ERROR
 * (its message: the process could not be started).
 */
int eng_ctr_attach(struct eng *e, const char *name, const struct eng_attach_opts *o, int *ret_code, bool *ret_detached,
		   struct berth_error **err);

/* ---- exec --------------------------------------------------------------------- */

struct eng_exec_opts {
	char **args;	     /* the command; at least one */
	char **env;	     /* KEY=VALUE, over the container's environment */
	const char *user;    /* "user", "uid", "user:group", "uid:gid" in the container; NULL: its Config.User */
	const char *workdir; /* NULL: the container's */
	bool interactive;    /* -i: the process reads fd 0 (else /dev/null) */
	bool tty;	     /* -t: a pty, proxied to fds 0-2 (raw mode when fd 0 is a terminal and -i) */
	bool detach;	     /* -d: return once the process runs; its stdio is /dev/null */
	bool privileged;     /* every capability */
};
/*
 * docker exec, in this process, without the monitor: a process.json from
 * the container's config.json with the options applied (the user resolved
 * against the container's /etc/passwd and /etc/group, HOME set for it, TERM
 * with a tty, the terminal's size) run by the runtime library (rt_exec).
 * Without a tty the process shares this process's fds 1 and 2 (and 0 with
 * interactive); with one this process receives the pty master through a
 * console socket and proxies it. Returns 0 with *ret_code the process's exit
 * code (128 + signal when killed; 0 with detach). -1 with *err set when the
 * container does not run ("container NAME is not running"), or the process
 * could not be started: that message begins "OCI runtime exec failed: "
 * (eng_exec_error_code gives docker's exit code for a message).
 */
int eng_ctr_exec(struct eng *e, const char *name, const struct eng_exec_opts *o, int *ret_code,
		 struct berth_error **err);
/* docker exec's exit code for an eng_ctr_exec error: 127 command not found, 126 cannot run, 1 otherwise. */
int eng_exec_error_code(const char *msg);
