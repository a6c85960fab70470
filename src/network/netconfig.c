/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth.json: the networking keys of Docker's daemon.json (bip, fixed-cidr,
 * mtu, dns, default-address-pools, ...) decoded into struct net_config, with
 * the JSON path in every error. Unknown keys are ignored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "network/ipam_internal.h"

/* Decoding context: the file's name and the JSON path of the value at hand. */
struct dec {
	const char *name;
	struct buf path;
	struct berth_error **err;
};

static int dec_fail(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int dec_fail(struct dec *d, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		abort();
	if (d->path.len > 0)
		return berth_error_set(d->err, 0, "%s: %s: %s", d->name, d->path.data, msg);
	return berth_error_set(d->err, 0, "%s: %s", d->name, msg);
}

static size_t dec_push(struct dec *d, const char *key, size_t index)
{
	size_t mark = d->path.len;

	if (key)
		buf_printf(&d->path, "%s%s", mark > 0 ? "." : "", key);
	else
		buf_printf(&d->path, "[%zu]", index);
	return mark;
}

static void dec_pop(struct dec *d, size_t mark)
{
	if (d->path.data && mark <= d->path.len) {
		d->path.len = mark;
		d->path.data[mark] = '\0';
	}
}

static int dec_string(struct dec *d, json_t *v, const char **ret)
{
	if (!json_is_string(v))
		return dec_fail(d, "expected string");
	*ret = json_string_value(v);
	return 0;
}

static int dec_bool(struct dec *d, json_t *v, bool *ret)
{
	if (!json_is_boolean(v))
		return dec_fail(d, "expected boolean");
	*ret = json_is_true(v);
	return 0;
}

static int dec_int(struct dec *d, json_t *v, long long lo, long long hi, long long *ret)
{
	if (!json_is_integer(v))
		return dec_fail(d, "expected integer");
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return dec_fail(d, "%lld is out of range %lld..%lld", (long long)json_integer_value(v), lo, hi);
	*ret = json_integer_value(v);
	return 0;
}

/* A prefix of family (0: either); host bits cleared when masked. */
static int dec_prefix(struct dec *d, json_t *v, int family, bool masked, struct net_prefix *ret)
{
	const char *s = NULL;
	struct net_prefix p;

	if (dec_string(d, v, &s) < 0)
		return -1;
	if (net_prefix_parse(s, &p, NULL) < 0)
		return dec_fail(d, "invalid CIDR address '%s'", s);
	if (family && p.addr.family != family)
		return dec_fail(d, "'%s' is not an %s prefix", s, family == AF_INET ? "IPv4" : "IPv6");
	*ret = masked ? net_prefix_masked(&p) : p;
	return 0;
}

/* An array of strings; with addresses, each must be an IP address. */
static int dec_strv(struct dec *d, json_t *v, bool addresses, char ***ret)
{
	_cleanup_strv_ char **out = xcalloc(1, sizeof(char *));
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return dec_fail(d, "expected array");
	json_array_foreach(v, i, e)
	{
		size_t mark = dec_push(d, NULL, i);
		struct net_ip a;
		const char *s = NULL;

		if (dec_string(d, e, &s) < 0)
			return -1;
		if (addresses && net_ip_parse(s, &a, NULL) < 0)
			return dec_fail(d, "invalid IP address '%s'", s);
		strv_push(&out, s);
		dec_pop(d, mark);
	}
	strv_free(*ret);
	*ret = TAKE_PTR(out);
	return 0;
}

static int dec_bip(struct dec *d, json_t *v, struct net_config *c)
{
	struct net_ip bcast;
	char want[NET_PREFIX_STRLEN];
	struct net_prefix p, m;

	if (dec_prefix(d, v, AF_INET, false, &p) < 0)
		return -1;
	/* bip is the bridge's own address, so it has host bits: 172.17.0.1/16, not 172.17.0.0/16 */
	m = net_prefix_masked(&p);
	net_prefix_gateway(&m, &m.addr);
	if (net_prefix_size(&p) > 2 &&
	    (net_prefix_is_masked(&p) || (net_prefix_broadcast(&p, &bcast) && net_ip_equal(&p.addr, &bcast))))
		return dec_fail(d, "'%s' is not a host address of its subnet (such as %s)", json_string_value(v),
				net_prefix_format(&m, want));
	c->bip = p;
	c->has_bip = true;
	return 0;
}

static int dec_pool(struct dec *d, json_t *v, struct net_pool *ret)
{
	json_t *base = json_object_get(v, "base"), *size = json_object_get(v, "size");
	long long n;
	size_t mark;

	if (!json_is_object(v))
		return dec_fail(d, "expected object");
	mark = dec_push(d, "base", 0);
	if (!base || json_is_null(base))
		return dec_fail(d, "required");
	if (dec_prefix(d, base, 0, true, &ret->base) < 0)
		return -1;
	dec_pop(d, mark);
	mark = dec_push(d, "size", 0);
	if (!size || json_is_null(size))
		return dec_fail(d, "required");
	if (dec_int(d, size, ret->base.len, net_ip_bits(&ret->base.addr), &n) < 0)
		return -1;
	dec_pop(d, mark);
	ret->size = (unsigned)n;
	return 0;
}

static int dec_pools(struct dec *d, json_t *v, struct net_config *c)
{
	_cleanup_free_ struct net_pool *pools = NULL;
	size_t i, n;
	json_t *e;

	if (!json_is_array(v))
		return dec_fail(d, "expected array");
	/* an empty list keeps Docker's defaults, as dockerd does */
	n = json_array_size(v);
	if (n == 0)
		return 0;
	pools = xcalloc(n, sizeof(*pools));
	json_array_foreach(v, i, e)
	{
		size_t mark = dec_push(d, NULL, i);

		if (dec_pool(d, e, &pools[i]) < 0)
			return -1;
		dec_pop(d, mark);
	}
	free(c->pools);
	c->pools = TAKE_PTR(pools);
	c->n_pools = n;
	return 0;
}

/* One top-level key. */
static int dec_member(struct dec *d, const char *key, json_t *v, struct net_config *c)
{
	long long n;
	const char *s = NULL;

	if (strcmp(key, "bip") == 0)
		return dec_bip(d, v, c);
	if (strcmp(key, "fixed-cidr") == 0)
		return dec_prefix(d, v, AF_INET, true, &c->fixed_cidr) < 0 ? -1 : (c->has_fixed_cidr = true, 0);
	if (strcmp(key, "fixed-cidr-v6") == 0)
		return dec_prefix(d, v, AF_INET6, true, &c->fixed_cidr_v6) < 0 ? -1 : (c->has_fixed_cidr_v6 = true, 0);
	if (strcmp(key, "ipv6") == 0)
		return dec_bool(d, v, &c->ipv6);
	if (strcmp(key, "mtu") == 0) {
		/* 0 is dockerd's "unset" */
		if (dec_int(d, v, 0, 65535, &n) < 0)
			return -1;
		if (n != 0 && n < 68)
			return dec_fail(d, "%lld is below the IPv4 minimum MTU 68", n);
		c->mtu = n ? (int)n : NET_DEFAULT_MTU;
		return 0;
	}
	if (strcmp(key, "bridge") == 0) {
		if (dec_string(d, v, &s) < 0)
			return -1;
		free(c->bridge);
		c->bridge = *s ? xstrdup(s) : NULL;
		return 0;
	}
	if (strcmp(key, "dns") == 0)
		return dec_strv(d, v, true, &c->dns);
	if (strcmp(key, "dns-search") == 0)
		return dec_strv(d, v, false, &c->dns_search);
	if (strcmp(key, "dns-opts") == 0)
		return dec_strv(d, v, false, &c->dns_opts);
	if (strcmp(key, "ip") == 0) {
		if (dec_string(d, v, &s) < 0)
			return -1;
		return net_ip_parse(s, &c->ip, NULL) < 0 ? dec_fail(d, "invalid IP address '%s'", s) : 0;
	}
	if (strcmp(key, "icc") == 0)
		return dec_bool(d, v, &c->icc);
	if (strcmp(key, "ip-masq") == 0)
		return dec_bool(d, v, &c->ip_masq);
	if (strcmp(key, "iptables") == 0)
		return dec_bool(d, v, &c->iptables);
	if (strcmp(key, "default-address-pools") == 0)
		return dec_pools(d, v, c);
	return 0;
}

/* Checks across keys, after all are read. */
static int validate(struct dec *d, struct net_config *c)
{
	struct net_prefix sub = net_prefix_masked(&c->bip);
	char a[NET_PREFIX_STRLEN], b[NET_PREFIX_STRLEN];

	if (c->has_bip && c->has_fixed_cidr && !net_prefix_contains_prefix(&sub, &c->fixed_cidr)) {
		dec_push(d, "fixed-cidr", 0);
		return dec_fail(d, "%s is not inside the subnet of bip, %s", net_prefix_format(&c->fixed_cidr, a),
				net_prefix_format(&sub, b));
	}
	return 0;
}

void net_config_init(struct net_config *ret)
{
	const struct net_pool *pools;
	size_t n;

	memset(ret, 0, sizeof(*ret));
	ret->mtu = NET_DEFAULT_MTU;
	ret->dns = xcalloc(1, sizeof(char *));
	ret->dns_search = xcalloc(1, sizeof(char *));
	ret->dns_opts = xcalloc(1, sizeof(char *));
	ret->ip.family = AF_INET;
	ret->icc = ret->ip_masq = ret->iptables = true;
	pools = net_pools_default(&n);
	ret->pools = xcalloc(n, sizeof(*ret->pools));
	memcpy(ret->pools, pools, n * sizeof(*pools));
	ret->n_pools = n;
}

void net_config_done(struct net_config *c)
{
	free(c->bridge);
	strv_free(c->dns);
	strv_free(c->dns_search);
	strv_free(c->dns_opts);
	free(c->pools);
	memset(c, 0, sizeof(*c));
}

int net_config_parse(const char *data, size_t len, const char *name, struct net_config *ret, struct berth_error **err)
{
	struct dec d = {.name = name, .err = err};
	json_error_t jerr;
	const char *key;
	json_t *root, *v;
	int r = 0;

	net_config_init(ret);
	root = json_loadb(data, len, 0, &jerr);
	if (!root)
		return berth_error_set(err, 0, "%s: line %d column %d: %s", name, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return dec_fail(&d, "expected object");
	}
	/* members in document order, so that the first error in the file is the one reported */
	json_object_foreach(root, key, v)
	{
		size_t mark;

		if (json_is_null(v))
			continue;
		mark = dec_push(&d, key, 0);
		r = dec_member(&d, key, v, ret);
		dec_pop(&d, mark);
		if (r < 0)
			break;
	}
	if (r == 0)
		r = validate(&d, ret);
	buf_done(&d.path);
	json_decref(root);
	return r;
}

int net_config_load(const char *path, struct net_config *ret, struct berth_error **err)
{
	_cleanup_error_ struct berth_error *e = NULL;
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (fs_read_file_at(AT_FDCWD, path, &data, &len, &e) < 0) {
		if (e->code == ENOENT) {
			net_config_init(ret);
			return 0;
		}
		net_config_init(ret);
		return berth_error_move(err, &e);
	}
	return net_config_parse(data, len, path, ret, err);
}
