/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files the engine writes for a container, as dockerd does: its
 * directory with the overlay's upper, work and merged directories, and
 * /etc/hostname, /etc/hosts and /etc/resolv.conf to bind-mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/network_internal.h"
#include "network/network.h"
#include "sys/sys.h"

static const char hosts_base[] = "127.0.0.1\tlocalhost\n"
				 "::1\tlocalhost ip6-localhost ip6-loopback\n"
				 "fe00::0\tip6-localnet\n"
				 "ff00::0\tip6-mcastprefix\n"
				 "ff02::1\tip6-allnodes\n"
				 "ff02::2\tip6-allrouters\n";

/* A nameserver on the host's loopback cannot be reached from another network namespace. */
static bool is_loopback_nameserver(const char *line)
{
	const char *p = line + strlen("nameserver");

	while (*p == ' ' || *p == '\t')
		p++;
	return !strncmp(p, "127.", 4) || !strncmp(p, "::1", 3);
}

/*
 * The host's resolv.conf: as it is with the host's network, without
 * loopback nameservers otherwise; Docker's fallback to public resolvers when
 * none is left.
 */
char *eng_resolv_conf(bool host_network)
{
	_cleanup_free_ char *host = NULL;
	struct buf out = {0};
	bool any = false;
	char *save = NULL;

	if (fs_read_file_at(AT_FDCWD, "/etc/resolv.conf", &host, NULL, NULL) < 0)
		host = xstrdup("");
	if (host_network)
		return TAKE_PTR(host);
	for (char *l = strtok_r(host, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "nameserver", 10)) {
			if (is_loopback_nameserver(l))
				continue;
			any = true;
		}
		buf_printf(&out, "%s\n", l);
	}
	if (!any)
		buf_puts(&out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	return buf_steal(&out);
}

long long eng_idmap_host_id(json_t *hc, const char *which, long long id)
{
	json_t *m = json_object_get(json_object_get(hc, "BerthIDMappings"), which), *v;
	size_t i;

	if (!json_array_size(m))
		m = json_object_get(json_object_get(hc, "BerthIDMappings"),
				    strcmp(which, "UIDMap") ? "UIDMap" : "GIDMap");
	json_array_foreach(m, i, v)
	{
		long long c = json_integer_value(json_object_get(v, "ContainerID"));
		long long n = json_integer_value(json_object_get(v, "Size"));

		if (id >= c && id < c + n)
			return json_integer_value(json_object_get(v, "HostID")) + (id - c);
	}
	return -1;
}

static long long mapped_root(json_t *hc, const char *which)
{
	return eng_idmap_host_id(hc, which, 0);
}

/*
 * With a user namespace the container's root is an unprivileged host id: it
 * must reach the bundle (traverse the directory) and own what it writes to.
 */
static int chown_for_userns(int dfd, json_t *hc, const char *dir, struct berth_error **err)
{
	long long uid = mapped_root(hc, "UIDMap"), gid = mapped_root(hc, "GIDMap");
	static const char *const owned[] = {"upper", "work", "merged"};

	_cleanup_free_ char *parent = xstrdup(dir), *root = NULL;
	char *slash;

	if (uid < 0 && gid < 0)
		return 0;
	/* <root>/containers/<id>: the root and containers/ must be traversable too (0711: no listing) */
	slash = strrchr(parent, '/');
	*slash = '\0';
	root = xstrdup(parent);
	slash = strrchr(root, '/');
	*slash = '\0';
	if (fchmod(dfd, 0711) < 0 || chmod(parent, 0711) < 0 || chmod(root, 0711) < 0)
		return berth_error_set(err, errno, "make '%s' reachable for the user namespace", dir);
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (fchownat(dfd, owned[i], (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
			return berth_error_set(err, errno, "chown '%s/%s'", dir, owned[i]);
	return 0;
}

/* json list of strings joined with sep, or NULL when empty. */
static char *joined(json_t *list, const char *prefix, const char *sep)
{
	struct buf b = {0};
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (json_string_value(v))
		buf_printf(&b, "%s%s", b.len ? sep : prefix, json_string_value(v));
	return b.len ? buf_steal(&b) : NULL;
}

/*
 * --dns, --dns-search, --dns-option (else berth.json's "dns"), as Docker:
 * each replaces the host's lines of its kind.
 */
static void custom_resolv(json_t *hc, char **resolv)
{
	_cleanup_free_ char *ns = joined(json_object_get(hc, "Dns"), "nameserver ", "\nnameserver ");
	_cleanup_free_ char *search = joined(json_object_get(hc, "DnsSearch"), "search ", " ");
	_cleanup_free_ char *opts = joined(json_object_get(hc, "DnsOptions"), "options ", " ");
	struct net_config cfg;
	struct buf out = {0};
	char *save = NULL;

	if (!ns && net_config_load(eng_net_config_path(), &cfg, NULL) == 0) {
		for (size_t i = 0; cfg.dns && cfg.dns[i]; i++)
			ns = ns ? xasprintf("%s\nnameserver %s", (char *)TAKE_PTR(ns), cfg.dns[i])
				: xasprintf("nameserver %s", cfg.dns[i]);
		net_config_done(&cfg);
	}
	if (!ns && !search && !opts)
		return;
	for (char *l = strtok_r(*resolv, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if ((ns && !strncmp(l, "nameserver", 10)) ||
		    (search && (!strncmp(l, "search", 6) || !strncmp(l, "domain", 6))) ||
		    (opts && !strncmp(l, "options", 7)))
			continue;
		buf_printf(&out, "%s\n", l);
	}
	if (search)
		buf_printf(&out, "%s\n", search);
	if (ns)
		buf_printf(&out, "%s\n", ns);
	if (opts)
		buf_printf(&out, "%s\n", opts);
	free(*resolv);
	*resolv = buf_steal(&out);
}

static int write_file(int dirfd, const char *name, const char *content, struct berth_error **err)
{
	return fs_write_file_atomic_at(dirfd, name, content, strlen(content), 0644, err);
}

int eng_ctr_files_create(struct eng *e, const char *id, json_t *doc, struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, id), *hostname = NULL, *hosts = NULL, *resolv = NULL;
	_cleanup_close_ int dfd = -1;
	json_t *config = json_object_get(doc, "Config"), *hc = json_object_get(doc, "HostConfig");
	const char *net = json_string_value(json_object_get(hc, "NetworkMode"));
	const char *host = json_string_value(json_object_get(config, "Hostname"));
	bool host_net = net && !strcmp(net, "host");
	size_t i;
	json_t *v;

	if (fs_mkdir_p_at(AT_FDCWD, dir, 0710, err) < 0)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		berth_error_set(err, errno, "open '%s'", dir);
		goto fail;
	}
	hostname = xasprintf("%s\n", host ? host : id);
	hosts = xstrdup(hosts_base);
	/* --add-host entries, as "host:ip" */
	json_array_foreach(json_object_get(hc, "ExtraHosts"), i, v)
	{
		const char *s = json_string_value(v), *colon = s ? strchr(s, ':') : NULL;
		char *more;

		if (!colon)
			continue;
		more = xasprintf("%s%s\t%.*s\n", hosts, colon + 1, (int)(colon - s), s);
		free(hosts);
		hosts = more;
	}
	resolv = eng_resolv_conf(host_net);
	custom_resolv(hc, &resolv);
	if (mkdirat(dfd, "upper", 0755) < 0 || mkdirat(dfd, "work", 0700) < 0 || mkdirat(dfd, "merged", 0755) < 0) {
		berth_error_set(err, errno, "create '%s'", dir);
		goto fail;
	}
	if (write_file(dfd, "hostname", hostname, err) < 0 || write_file(dfd, "hosts", hosts, err) < 0 ||
	    write_file(dfd, "resolv.conf", resolv, err) < 0 || chown_for_userns(dfd, hc, dir, err) < 0)
		goto fail;
	return 0;
fail:
	fs_rm_rf_at(AT_FDCWD, dir, NULL);
	return -1;
}

/* "C H N\n" lines of one BerthIDMappings list (the other one when it is empty). */
static char *map_lines(json_t *hc, const char *which, const char *other)
{
	json_t *m = json_object_get(json_object_get(hc, "BerthIDMappings"), which), *v;
	struct buf b = {0};
	size_t i;

	if (!json_array_size(m))
		m = json_object_get(json_object_get(hc, "BerthIDMappings"), other);
	json_array_foreach(m, i, v)
		buf_printf(&b, "%lld %lld %lld\n", (long long)json_integer_value(json_object_get(v, "ContainerID")),
			   (long long)json_integer_value(json_object_get(v, "HostID")),
			   (long long)json_integer_value(json_object_get(v, "Size")));
	return b.data ? buf_steal(&b) : NULL;
}

int eng_ctr_userns_fd(json_t *hc, int *ret_fd, struct berth_error **err)
{
	_cleanup_free_ char *uid = map_lines(hc, "UIDMap", "GIDMap"), *gid = map_lines(hc, "GIDMap", "UIDMap");

	*ret_fd = -1;
	if (!uid || !gid)
		return 0;
	*ret_fd = sys_userns_fd(uid, gid);
	if (*ret_fd < 0)
		return berth_error_set(err, errno, "user namespace for the id mappings");
	return 0;
}
