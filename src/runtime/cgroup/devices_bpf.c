/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device rules on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program generated
 * from the OCI rules (a pure function, unit tested with an interpreter), and
 * loading and attaching it with bpf(2).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/base.h"
#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static size_t emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	p->v = realloc(p->v, (p->n + 1) * sizeof(*p->v));
	if (!p->v)
		abort();
	p->v[p->n] = (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return p->n++;
}

static int32_t access_bits(const char *access)
{
	int32_t bits = 0;

	for (const char *c = access; *c; c++)
		bits |= *c == 'r' ? BPF_DEVCG_ACC_READ : *c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
	return bits;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/*
 * One rule: a chain of "if it does not match, go to the next block" jumps,
 * then return allow. Registers: r2 device type, r3 access, r4 major, r5
 * minor, r1 scratch. Returns true when the rule matches everything.
 */
static bool emit_rule(struct prog *p, const struct oci_device_rule *rule)
{
	int32_t bits = access_bits(rule->access);
	size_t jumps[4], n_jumps = 0;

	if (rule->type != 'a')
		jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
					rule->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	if (bits != ACC_ALL) {
		emit(p, BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
		if (rule->allow) {
			/* allow only when every requested access is in the rule */
			emit(p, BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, ACC_ALL & ~bits);
			jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0);
		} else {
			/* deny as soon as one requested access is in the rule */
			emit(p, BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, bits);
			jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0, 0);
		}
	}
	if (rule->major >= 0)
		jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)rule->major);
	if (rule->minor >= 0)
		jumps[n_jumps++] = emit(p, BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)rule->minor);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, rule->allow ? 1 : 0);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < n_jumps; i++)
		p->v[jumps[i]].off = (int16_t)(p->n - jumps[i] - 1);
	return n_jumps == 0;
}

int cg_devices_bpf_build(const struct oci_device_rule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n,
			 struct berth_error **err)
{
	struct prog p = {0};
	bool terminal = false;

	for (size_t i = 0; i < n; i++)
		if (rules[i].major > INT32_MAX || rules[i].minor > INT32_MAX)
			return berth_error_set(err, 0, "device rule %zu: major or minor number out of range", i);
	/* ctx->access_type is (access << 16) | type */
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
	emit(&p, BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0);
	emit(&p, BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
	/* the last matching rule wins: test from the end; a rule matching everything ends the program */
	for (size_t i = n; i > 0 && !terminal; i--)
		terminal = emit_rule(&p, &rules[i - 1]);
	/* the verifier rejects unreachable code, so the default deny only follows a conditional rule */
	if (!terminal) {
		emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	*ret = p.v;
	*ret_n = p.n;
	return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load(const struct bpf_insn *insns, size_t n, struct berth_error **err)
{
	static char log[16384];
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uintptr_t) "GPL";
	fd = bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != EACCES)
		return berth_error_set(err, errno, "load eBPF device program");
	/* again with the verifier's log, for the message */
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	log[0] = '\0';
	fd = bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	return berth_error_set(err, errno, "load eBPF device program (verifier: %.200s)", log);
}

/* Detach the programs that were attached before ours (an update replaces the rules). */
static void detach_old(int dirfd, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		union bpf_attr attr;
		_cleanup_close_ int fd = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = ids[i];
		fd = bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0) {
			log_warn("open eBPF device program %u: %s, ignoring", ids[i], strerror(errno));
			continue;
		}
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)dirfd;
		attr.attach_bpf_fd = (uint32_t)fd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
			log_warn("detach eBPF device program %u: %s, ignoring", ids[i], strerror(errno));
	}
}

int cg_devices_bpf_attach(int dirfd, const struct bpf_insn *insns, size_t n, struct berth_error **err)
{
	_cleanup_close_ int prog = -1;
	uint32_t ids[64];
	union bpf_attr attr;
	size_t n_old = 0;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dirfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = sizeof(ids) / sizeof(ids[0]);
	if (bpf(BPF_PROG_QUERY, &attr) == 0)
		n_old = attr.query.prog_cnt;
	prog = load(insns, n, err);
	if (prog < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dirfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return berth_error_set(err, errno, "attach eBPF device program");
	/* ours is in before the old ones go, so no moment runs without rules */
	detach_old(dirfd, ids, n_old);
	return 0;
}
