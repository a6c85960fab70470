/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding of every linux.resources field (memory, cpu, pids, blockIO,
 * hugepageLimits, network, rdma, unified) and the errors that name their
 * JSON paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "base/base.h"
#include "oci/oci.h"

#define WRAP(res) "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"linux\": {\"resources\": " res "}}"

static struct oci_config *parse(const char *json)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	if (oci_config_parse(json, strlen(json), "config.json", &c, &err) < 0)
		fail_msg("parse: %s", err->msg);
	return c;
}

static void expect_error(const char *json, const char *msg)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct oci_config *c = NULL;

	if (oci_config_parse(json, strlen(json), "config.json", &c, &err) == 0) {
		oci_config_free(c);
		fail_msg("no error for %s", json);
	}
	assert_string_equal(err->msg, msg);
}

static void test_memory_cpu(void **state)
{
	struct oci_config *c = parse(WRAP(
		"{\"memory\": {\"limit\": 1048576, \"reservation\": 524288, \"swap\": 2097152, \"kernel\": -1, "
		"\"kernelTCP\": 4096, \"swappiness\": 18446744073709551615, \"disableOOMKiller\": true, "
		"\"useHierarchy\": true, \"checkBeforeUpdate\": false}, "
		"\"cpu\": {\"shares\": 512, \"quota\": 50000, \"burst\": 10000, \"period\": 100000, "
		"\"realtimeRuntime\": 950, \"realtimePeriod\": 1000, \"cpus\": \"0-1\", \"mems\": \"0\", \"idle\": 1}, "
		"\"pids\": {\"limit\": 32}}"));
	const struct oci_resources *r = &c->linux_.resources;

	assert_true(r->has_memory_limit && r->memory_limit == 1048576);
	assert_true(r->has_memory_reservation && r->memory_reservation == 524288);
	assert_true(r->has_memory_swap && r->memory_swap == 2097152);
	assert_true(r->has_memory_kernel && r->memory_kernel == -1);
	assert_true(r->has_memory_kernel_tcp && r->memory_kernel_tcp == 4096);
	assert_true(r->has_memory_swappiness && r->memory_swappiness == UINT64_MAX);
	assert_true(r->has_disable_oom_killer && r->disable_oom_killer);
	assert_true(r->has_memory_use_hierarchy && r->memory_use_hierarchy);
	assert_true(r->has_memory_check_before_update && !r->memory_check_before_update);
	assert_true(r->has_cpu_shares && r->cpu_shares == 512);
	assert_true(r->has_cpu_quota && r->cpu_quota == 50000);
	assert_true(r->has_cpu_burst && r->cpu_burst == 10000);
	assert_true(r->has_cpu_period && r->cpu_period == 100000);
	assert_true(r->has_cpu_rt_runtime && r->cpu_rt_runtime == 950);
	assert_true(r->has_cpu_rt_period && r->cpu_rt_period == 1000);
	assert_true(r->has_cpu_idle && r->cpu_idle == 1);
	assert_string_equal(r->cpu_cpus, "0-1");
	assert_string_equal(r->cpu_mems, "0");
	assert_true(r->has_pids_limit && r->pids_limit == 32);
	oci_config_free(c);
}

static void test_blockio(void **state)
{
	struct oci_config *c =
		parse(WRAP("{\"blockIO\": {\"weight\": 300, \"leafWeight\": 200, "
			   "\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 500, \"leafWeight\": 300}, "
			   "{\"major\": 8, \"minor\": 16}], "
			   "\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}], "
			   "\"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 2}], "
			   "\"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 3}], "
			   "\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 1, \"rate\": 4}, "
			   "{\"major\": 9, \"minor\": 2, \"rate\": 5}]}}"));
	const struct oci_resources *r = &c->linux_.resources;

	assert_true(r->has_blkio_weight && r->blkio_weight == 300);
	assert_true(r->has_blkio_leaf_weight && r->blkio_leaf_weight == 200);
	assert_int_equal(r->n_blkio_weight_devices, 2);
	assert_true(r->blkio_weight_devices[0].has_weight && r->blkio_weight_devices[0].weight == 500);
	assert_true(r->blkio_weight_devices[0].has_leaf_weight && r->blkio_weight_devices[0].leaf_weight == 300);
	assert_false(r->blkio_weight_devices[1].has_weight || r->blkio_weight_devices[1].has_leaf_weight);
	assert_int_equal(r->blkio_weight_devices[1].minor, 16);
	assert_int_equal(r->n_blkio_throttle[OCI_THROTTLE_READ_BPS], 1);
	assert_int_equal(r->blkio_throttle[OCI_THROTTLE_READ_BPS][0].rate, 1048576);
	assert_int_equal(r->blkio_throttle[OCI_THROTTLE_WRITE_BPS][0].rate, 2);
	assert_int_equal(r->blkio_throttle[OCI_THROTTLE_READ_IOPS][0].rate, 3);
	assert_int_equal(r->n_blkio_throttle[OCI_THROTTLE_WRITE_IOPS], 2);
	assert_int_equal(r->blkio_throttle[OCI_THROTTLE_WRITE_IOPS][1].major, 9);
	assert_int_equal(r->blkio_throttle[OCI_THROTTLE_WRITE_IOPS][1].rate, 5);
	oci_config_free(c);
}

static void test_hugetlb_network_rdma_unified(void **state)
{
	struct oci_config *c = parse(WRAP(
		"{\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 209715200}, {\"pageSize\": \"1GB\", "
		"\"limit\": 0}], "
		"\"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 500}, "
		"{\"name\": \"lo\", \"priority\": 1}]}, "
		"\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000}, \"mlx4_0\": {\"hcaObjects\": 7}}, "
		"\"unified\": {\"memory.high\": \"1000000\"}}"));
	const struct oci_resources *r = &c->linux_.resources;

	assert_int_equal(r->n_hugepage_limits, 2);
	assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
	assert_int_equal(r->hugepage_limits[0].limit, 209715200);
	assert_string_equal(r->hugepage_limits[1].page_size, "1GB");
	assert_true(r->has_net_class_id && r->net_class_id == 1048577);
	assert_int_equal(r->n_net_priorities, 2);
	assert_string_equal(r->net_priorities[0].name, "eth0");
	assert_int_equal(r->net_priorities[0].priority, 500);
	assert_int_equal(r->n_rdma, 2);
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct oci_rdma_limit *l = &r->rdma[i];

		if (strcmp(l->device, "mlx5_1") == 0)
			assert_true(l->has_hca_handles && l->hca_handles == 3 && l->has_hca_objects &&
				    l->hca_objects == 10000);
		else
			assert_true(strcmp(l->device, "mlx4_0") == 0 && !l->has_hca_handles && l->hca_objects == 7);
	}
	assert_string_equal(r->unified[0], "memory.high");
	assert_string_equal(r->unified[1], "1000000");
	assert_non_null(r->raw_json);
	oci_config_free(c);
}

static void test_absent_and_null(void **state)
{
	struct oci_config *c =
		parse(WRAP("{\"blockIO\": null, \"network\": {}, \"rdma\": {}, \"hugepageLimits\": []}"));
	const struct oci_resources *r = &c->linux_.resources;

	assert_false(r->has_blkio_weight || r->has_net_class_id || r->has_cpu_idle || r->has_memory_kernel);
	assert_int_equal(r->n_rdma, 0);
	assert_int_equal(r->n_hugepage_limits, 0);
	oci_config_free(c);
}

static void test_errors(void **state)
{
	expect_error(WRAP("{\"blockIO\": {\"weight\": 70000}}"),
		     "config.json: linux.resources.blockIO.weight: value 70000 out of range [0, 65535]");
	expect_error(WRAP("{\"blockIO\": {\"weightDevice\": [{\"minor\": 0}]}}"),
		     "config.json: linux.resources.blockIO.weightDevice[0].major: required");
	expect_error(WRAP("{\"blockIO\": {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": -1}]}}"),
		     "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: value -1 out of range [0, "
		     "18446744073709551615]");
	expect_error(WRAP("{\"hugepageLimits\": [{\"limit\": 1}]}"),
		     "config.json: linux.resources.hugepageLimits[0].pageSize: required");
	expect_error(WRAP("{\"network\": {\"classID\": \"x\"}}"),
		     "config.json: linux.resources.network.classID: expected integer");
	expect_error(WRAP("{\"rdma\": {\"mlx5_1\": {\"hcaHandles\": -3}}}"),
		     "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: value -3 out of range [0, 4294967295]");
	expect_error(WRAP("{\"rdma\": []}"), "config.json: linux.resources.rdma: expected object");
	expect_error(WRAP("{\"cpu\": {\"idle\": true}}"), "config.json: linux.resources.cpu.idle: expected integer");
	expect_error(WRAP("{\"memory\": {\"useHierarchy\": 1}}"),
		     "config.json: linux.resources.memory.useHierarchy: expected boolean");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_cpu),
		cmocka_unit_test(test_blockio),
		cmocka_unit_test(test_hugetlb_network_rdma_unified),
		cmocka_unit_test(test_absent_and_null),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
