/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the --format template engine: the input is parsed as a
 * template and executed against a fixed inspect-like document, with small
 * output, string and step limits so that no input loops or grows for long.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/template_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *doc;

static const char doc_json[] =
	"{\"Name\":\"/web\",\"Id\":\"abc123\",\"State\":{\"Pid\":1234,\"Running\":true,\"Status\":\"running\","
	"\"Health\":null},\"Config\":{\"Labels\":{\"com.x\":\"y\",\"a\":\"b\"},\"Env\":[\"A=1\",\"B=2\"]},"
	"\"Mounts\":[{\"Source\":\"/src\"},{\"Source\":\"/s2\"}],\"Args\":[\"-c\",\"echo\"],\"Port\":80,"
	"\"Ratio\":1.5,\"Big\":1e300,\"Tiny\":-5e-324,\"Empty\":\"\",\"List\":[],\"Obj\":{},\"Html\":\"<a&b>\","
	"\"Num\":[1,2,3,-9223372036854775808,9223372036854775807],\"Mixed\":[1,\"a\",null,true,{\"k\":[\"v\"]}]}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	doc = json_loads(doc_json, 0, NULL);
	if (!doc)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tpl_limits lim = {.max_output = 1 << 16, .max_string = 1 << 16, .max_steps = 20000};
	struct berth_error *err = NULL;
	struct eng_template *t = NULL;
	struct buf out = {0};
	char *text = strndup((const char *)data, size);

	if (!text)
		abort();
	if (eng_template_parse(text, &t, &err) == 0) {
		tpl_exec_limited(t, doc, &out, &lim, &err);
		eng_template_free(t);
	}
	berth_error_free(&err);
	buf_done(&out);
	free(text);
	return 0;
}
