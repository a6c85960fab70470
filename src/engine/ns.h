/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine/: the namespaces of running containers and of the host as /proc shows
 * them (berth ns ls, berth ns limits), and running a host binary inside a
 * container's namespaces (berth ns enter). The /proc walking takes the proc
 * root as a parameter so that unit tests point it at a fake tree.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct berth_error;
struct eng;

/* The namespace types, in the order berth lists them. */
enum eng_ns_type {
	ENG_NS_MNT,
	ENG_NS_PID,
	ENG_NS_UTS,
	ENG_NS_IPC,
	ENG_NS_NET,
	ENG_NS_USER,
	ENG_NS_CGROUP,
	ENG_NS_TIME,
	ENG_NS_COUNT,
};
#define ENG_NS_MASK(t) (1u << (t))
#define ENG_NS_MASK_ALL ((1u << ENG_NS_COUNT) - 1)

/* The name /proc/PID/ns gives type t ("mnt", "net", ...); NULL out of range. */
const char *eng_ns_type_name(enum eng_ns_type t);

/*
 * A -t list such as "net,mnt" into a mask of ENG_NS_MASK(type): the names of
 * /proc/PID/ns, "mount" and "network" as aliases, and "all" for every type.
 * An empty list or item, or an unknown name, is an error naming it.
 */
int eng_ns_types_parse(const char *list, unsigned *ret_mask, struct berth_error **err);

/*
 * The inode of a /proc/PID/ns link target of type t: "net:[4026531840]" gives
 * 4026531840. Any other shape, or another type's name, is an error.
 */
int eng_ns_link_parse(const char *link, enum eng_ns_type t, uint64_t *ret_ino, struct berth_error **err);

/*
 * The inode of PROC/PID/ns/TYPE; 0 when it cannot be read (the process is
 * gone, no permission, a kernel without that type) or is malformed.
 */
uint64_t eng_ns_inode(const char *proc, pid_t pid, enum eng_ns_type t);

/* How many processes are in one namespace. */
struct eng_ns_count {
	enum eng_ns_type type;
	uint64_t ino;
	unsigned procs;
};
/* Every namespace the processes under a proc root are in, sorted by type then inode. */
struct eng_ns_census {
	struct eng_ns_count *v;
	size_t n;
};
/* Walk PROC/[0-9]* /ns/ *; unreadable processes are left out. Release with eng_ns_census_done. */
int eng_ns_census_take(const char *proc, struct eng_ns_census *ret, struct berth_error **err);
void eng_ns_census_done(struct eng_ns_census *c);
/* How many processes the census found in (t, ino); 0 for none. */
unsigned eng_ns_census_procs(const struct eng_ns_census *c, enum eng_ns_type t, uint64_t ino);
/* How many distinct namespaces of type t the census found. */
size_t eng_ns_census_distinct(const struct eng_ns_census *c, enum eng_ns_type t);

/* A running container's init, by the name berth shows for it. */
struct eng_ns_member {
	const char *name;
	pid_t pid;
};

/*
 * The rows of berth ns ls under a proc root: {"Type", "NS" (inode), "Procs",
 * "Owner", "Path"}, ordered by type. only >= 0: the namespaces of members[only]
 * alone; only < 0: those of every member and of the host, one row per
 * namespace. The host's namespaces are those of PROC/1 (of PROC/2, kthreadd,
 * where PID 1's cannot be read). Owner is "host" for a namespace of the host
 * (a container sharing it does not own it), else the names of the members
 * whose init is in it joined by ",", else "-". Path is PROC/PID/ns/TYPE of
 * the shown member, or of the host or first owner.
 */
int eng_ns_rows_build(const char *proc, const struct eng_ns_member *members, size_t n, ssize_t only, json_t **ret,
		      struct berth_error **err);

/*
 * The rows of berth ns limits under a proc root: {"Type", "InUse" (distinct
 * namespaces of the census), "Limit" (PROC/sys/user/max_TYPE_namespaces, or
 * "-" when the kernel has none)}, one per type.
 */
int eng_ns_limits_build(const char *proc, json_t **ret, struct berth_error **err);

/*
 * berth ns ls: name NULL: every running container's namespaces and the
 * host's; else the namespaces of that container, which must be running.
 */
int eng_ns_list(struct eng *e, const char *name, json_t **ret, struct berth_error **err);

/*
 * berth ns enter: run argv (argv[0] a HOST binary, looked up on the caller's
 * PATH before entering) in the namespaces of types (a non-empty mask) of the
 * running container's init, as nsenter does: user first (then uid/gid 0
 * there), namespaces the caller already shares skipped, a fork after the pid
 * and time namespaces so that the command is in them, and the binary opened
 * before the mount namespace (the path need not exist there; a dynamically
 * linked one needs its loader in the container). stdin/out/err and the
 * environment are the caller's. *ret_code gets the command's exit code
 * (128+signal). An error when it could not be started: a message holding
 * "not found" (127) or "ermission denied" (126) as eng_start_error_code reads.
 */
int eng_ns_enter(struct eng *e, const char *name, unsigned types, char *const *argv, int *ret_code,
		 struct berth_error **err);
