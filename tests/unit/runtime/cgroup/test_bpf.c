/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup v2 device program generator, checked by running the generated
 * instructions in a tiny interpreter of the eBPF subset it uses.
 */
#include "fixture.h"

#include "oci/oci.h"
#include "runtime/cgroup/internal.h"

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

/* Run prog on one device access; fails the test on anything outside the subset or a jump out of range. */
static int run(const struct bpf_insn *prog, size_t n, int type, int access, uint32_t major, uint32_t minor)
{
	struct bpf_cgroup_dev_ctx ctx = {
		.access_type = (uint32_t)(access << 16 | type), .major = major, .minor = minor};
	uint64_t reg[11] = {0};
	size_t pc = 0;

	reg[1] = (uint64_t)(uintptr_t)&ctx;
	for (int steps = 0; steps < 10000; steps++) {
		assert_true(pc < n);
		const struct bpf_insn *i = &prog[pc++];
		uint64_t k = (uint64_t)(int64_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, 1);
			assert_true(i->off >= 0 && i->off + 4 <= (int)sizeof(ctx));
			reg[i->dst_reg] = *(uint32_t *)((char *)&ctx + i->off);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg[i->dst_reg] = (uint32_t)(reg[i->dst_reg] & (uint32_t)i->imm);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = k;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (reg[i->dst_reg] != k)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (reg[i->dst_reg] == k)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)reg[0];
		default:
			fail_msg("unexpected opcode 0x%x at %zu", i->code, pc - 1);
		}
	}
	fail_msg("program does not end");
	return -1;
}

struct prog {
	struct bpf_insn *v;
	size_t n;
};

static struct prog build(const struct oci_device_rule *rules, size_t n)
{
	struct prog p = {0};
	struct berth_error *err = NULL;

	assert_int_equal(cg_devices_bpf_build(rules, n, &p.v, &p.n, &err), 0);
	assert_null(err);
	/* no unreachable tail: the verifier would refuse it */
	assert_int_equal(p.v[p.n - 1].code, BPF_JMP | BPF_EXIT);
	return p;
}

static void test_runc_default(void **state)
{
	struct oci_device_rule rules[16] = {{false, 'a', -1, -1, "rwm"}};
	size_t n_def = 0;
	const struct oci_device_rule *def = cg_default_device_rules(&n_def);
	struct prog p;

	memcpy(&rules[1], def, n_def * sizeof(*def));
	p = build(rules, 1 + n_def);
	assert_int_equal(run(p.v, p.n, CHR, R | W, 1, 3), 1);	/* /dev/null */
	assert_int_equal(run(p.v, p.n, CHR, R, 1, 9), 1);	/* /dev/urandom */
	assert_int_equal(run(p.v, p.n, CHR, R | W, 136, 7), 1); /* /dev/pts/7 */
	assert_int_equal(run(p.v, p.n, CHR, R | W, 5, 2), 1);	/* /dev/ptmx */
	assert_int_equal(run(p.v, p.n, CHR, R | W, 10, 200), 1);
	assert_int_equal(run(p.v, p.n, CHR, R | W, 4, 1), 0); /* a tty */
	assert_int_equal(run(p.v, p.n, CHR, M, 4, 1), 1);     /* but mknod is fine */
	assert_int_equal(run(p.v, p.n, BLK, R, 8, 0), 0);     /* /dev/sda */
	assert_int_equal(run(p.v, p.n, BLK, M, 8, 0), 1);
	assert_int_equal(run(p.v, p.n, BLK, R, 1, 3), 0); /* a block device 1:3 is not /dev/null */
	free(p.v);
}

static void test_allow_all(void **state)
{
	const struct oci_device_rule rules[] = {{false, 'c', 1, 3, "rwm"}, {true, 'a', -1, -1, "rwm"}};
	struct prog p = build(rules, 2);

	/* the last rule matches everything: the earlier one is never reached and no default follows */
	assert_int_equal(p.n, 6 + 2);
	assert_int_equal(run(p.v, p.n, CHR, R | W, 1, 3), 1);
	assert_int_equal(run(p.v, p.n, BLK, R | W | M, 259, 1), 1);
	free(p.v);
}

static void test_later_deny(void **state)
{
	const struct oci_device_rule rules[] = {{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}};
	struct prog p = build(rules, 2);

	assert_int_equal(run(p.v, p.n, CHR, R, 1, 3), 1);
	assert_int_equal(run(p.v, p.n, CHR, W, 1, 3), 0);
	assert_int_equal(run(p.v, p.n, CHR, R | W, 1, 3), 0);
	assert_int_equal(run(p.v, p.n, CHR, W, 1, 5), 1);
	free(p.v);
}

static void test_partial_access(void **state)
{
	const struct oci_device_rule rules[] = {{false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 5, "r"}};
	struct prog p = build(rules, 2);

	/* allowing needs every requested access in the rule */
	assert_int_equal(run(p.v, p.n, CHR, R, 1, 5), 1);
	assert_int_equal(run(p.v, p.n, CHR, W, 1, 5), 0);
	assert_int_equal(run(p.v, p.n, CHR, R | W, 1, 5), 0);
	assert_int_equal(run(p.v, p.n, CHR, R, 1, 6), 0);
	free(p.v);
}

static void test_no_rules(void **state)
{
	struct prog p = build(NULL, 0);

	assert_int_equal(run(p.v, p.n, CHR, R, 1, 3), 0);
	free(p.v);
}

static void test_out_of_range(void **state)
{
	const struct oci_device_rule rules[] = {{true, 'c', 1LL << 33, 0, "r"}};
	struct bpf_insn *v = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;

	assert_int_equal(cg_devices_bpf_build(rules, 1, &v, &n, &err), -1);
	assert_null(v);
	assert_non_null(strstr(err->msg, "out of range"));
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runc_default), cmocka_unit_test(test_allow_all),
		cmocka_unit_test(test_later_deny),   cmocka_unit_test(test_partial_access),
		cmocka_unit_test(test_no_rules),     cmocka_unit_test(test_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
