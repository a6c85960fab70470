/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nftables executor: runs planned scripts through libnftables, loaded with
 * dlopen on first use so that a berth command that never touches the network
 * loads neither it nor its dependencies (libmnl, libnftnl, libjansson, ...).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* libnftables.h defines _GNU_SOURCE (empty); the build defines it as 1 and features.h has already seen it */
#undef _GNU_SOURCE
#include <nftables/libnftables.h>

#include "base/base.h"
#include "network/nft.h"

/* The few libnftables functions berth calls, looked up in libnftables.so.1. */
#define NFT_FUNCS(X)                 \
	X(nft_ctx_new)               \
	X(nft_ctx_free)              \
	X(nft_ctx_buffer_output)     \
	X(nft_ctx_buffer_error)      \
	X(nft_ctx_get_output_buffer) \
	X(nft_ctx_get_error_buffer)  \
	X(nft_run_cmd_from_buffer)

#define NFT_FIELD(f) __typeof__(f) *f;
struct nft_api {
	NFT_FUNCS(NFT_FIELD)
};

static struct nft_api api;
static bool api_loaded;

#define NFT_SONAME "libnftables.so.1"

/* Not thread-safe: berth's processes set up networks from one thread. */
static int api_load(struct berth_error **err)
{
	struct nft_api a;
	void *h;

	if (api_loaded)
		return 0;
	h = dlib_open(NFT_SONAME, err);
	if (!h)
		return berth_error_wrap(err, "networking needs libnftables");
#define NFT_LOAD(f)                                       \
	if (DLIB_RESOLVE(h, NFT_SONAME, a, f, err) < 0) { \
		dlclose(h);                               \
		return -1;                                \
	}
	NFT_FUNCS(NFT_LOAD)
#undef NFT_LOAD
	/* kept for the life of the process: the pointers above point into it */
	api = a;
	api_loaded = true;
	return 0;
}

/* The first line of libnftables' error output, "nftables: Error: ..."; a generic message when it said nothing. */
static int run_error(struct nft_ctx *ctx, struct berth_error **err)
{
	const char *e = api.nft_ctx_get_error_buffer(ctx);
	size_t n;

	if (!e || !*e)
		return berth_error_set(err, 0, "nftables: the command failed");
	n = strcspn(e, "\n");
	return berth_error_set(err, 0, "nftables: %.*s", (int)n, e);
}

/* Run script; on success *ret_output (when not NULL) gets what nft printed. */
static int run(const char *script, char **ret_output, struct berth_error **err)
{
	struct nft_ctx *ctx;
	int r;

	if (api_load(err) < 0)
		return -1;
	ctx = api.nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return berth_error_set(err, 0, "nftables: cannot create a context");
	/* buffered: libnftables would print to stdout and stderr otherwise */
	if (api.nft_ctx_buffer_output(ctx) < 0 || api.nft_ctx_buffer_error(ctx) < 0) {
		api.nft_ctx_free(ctx);
		return berth_error_set(err, 0, "nftables: cannot buffer the output");
	}
	r = api.nft_run_cmd_from_buffer(ctx, script);
	if (r != 0) {
		run_error(ctx, err);
		api.nft_ctx_free(ctx);
		return -1;
	}
	if (ret_output) {
		const char *out = api.nft_ctx_get_output_buffer(ctx);
		*ret_output = xstrdup(out ? out : "");
	}
	api.nft_ctx_free(ctx);
	return 0;
}

int net_nft_script_run(const char *script, struct berth_error **err)
{
	return run(script, NULL, err);
}

int net_nft_rules_apply(const struct net_nft_model *m, struct berth_error **err)
{
	_cleanup_free_ char *script = net_nft_plan_build(m, err);

	if (!script)
		return -1;
	if (run(script, NULL, err) < 0)
		return berth_error_wrap(err, "apply nftables table '%s'", m->table ? m->table : NET_NFT_TABLE_DEFAULT);
	return 0;
}

int net_nft_table_remove(const char *table, struct berth_error **err)
{
	_cleanup_free_ char *script = net_nft_plan_remove(table, err);

	if (!script)
		return -1;
	if (run(script, NULL, err) < 0)
		return berth_error_wrap(err, "remove nftables table '%s'", table ? table : NET_NFT_TABLE_DEFAULT);
	return 0;
}

/* Whether "table inet NAME" is among the inet tables ("list tables" prints one per line). */
static int table_exists(const char *table, bool *ret, struct berth_error **err)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *line = xasprintf("table inet %s", table);
	size_t n = strlen(line);

	if (run("list tables inet", &out, err) < 0)
		return -1;
	*ret = false;
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == '\0'))
			*ret = true;
	return 0;
}

int net_nft_table_list(const char *table, char **ret_text, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *list_err = NULL;
	_cleanup_free_ char *script = net_nft_plan_list(table, err);
	char *out = NULL;
	bool exists;

	if (!script)
		return -1;
	table = table ? table : NET_NFT_TABLE_DEFAULT;
	if (run(script, &out, &list_err) == 0) {
		*ret_text = out;
		return 0;
	}
	/* a missing table is an answer, not an error (the message would depend on strerror) */
	if (table_exists(table, &exists, err) < 0)
		return -1;
	if (exists) {
		berth_error_move(err, &list_err);
		return berth_error_wrap(err, "list nftables table '%s'", table);
	}
	*ret_text = NULL;
	return 0;
}
