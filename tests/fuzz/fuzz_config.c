/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the config.json decoder: oci_config_parse, then
 * oci_config_validate and oci_config_free; the same bytes as a process.json.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "oci/oci.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* unknown capabilities are warnings: keep the fuzzer's output readable */
	berth_log_set_level(BERTH_LOG_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error *err = NULL;
	struct oci_config *c = NULL;
	struct oci_process *p = NULL;

	if (oci_config_parse((const char *)data, size, "config.json", &c, &err) == 0) {
		oci_config_validate(c, "config.json", &err);
		oci_config_free(c);
	}
	berth_error_free(&err);
	if (oci_process_parse((const char *)data, size, "process.json", &p, &err) == 0)
		oci_process_free(p);
	berth_error_free(&err);
	return 0;
}
