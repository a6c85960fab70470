/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The value parsers behind `berth run`/`create` flags, one per docker value syntax:
 * sizes, durations, CPUs, ports, volumes, mounts, env files, ulimits, devices, restart
 * policies, id maps. Messages are the reason only ("invalid size: '1x'"); the caller
 * adds the flag ("invalid argument \"1x\" for \"-m, --memory\" flag: ...") where docker does.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct berth_error;

/* docker's RAMInBytes: "512m", "1.5g", "10 KiB" (binary units). Error "invalid size: '<s>'". */
int bcli_run_parse_ram(const char *s, int64_t *ret, struct berth_error **err);
/* Go's time.ParseDuration into nanoseconds: "1m30s", "500ms", "-2h", "0"; Go's messages. */
int bcli_run_parse_duration(const char *s, int64_t *ret, struct berth_error **err);
/* --cpus: a rational number ("1.5", "3/2", "2e-1") times 1e9, exactly; docker's messages. */
int bcli_run_parse_cpus(const char *s, int64_t *ret, struct berth_error **err);
/* Go's strconv.ParseInt(s, 10, bits) / ParseUint(s, 10, bits), with its messages. */
int bcli_run_parse_goint(const char *s, int bits, int64_t *ret, struct berth_error **err);
int bcli_run_parse_gouint(const char *s, int bits, uint64_t *ret, struct berth_error **err);
/* net.ParseIP: an IPv4 or IPv6 address (no brackets, no zone). */
bool bcli_run_ip_valid(const char *s);

/* "nofile=1024[:2048]" -> {"Name","Soft","Hard"} (new reference). */
int bcli_run_parse_ulimit(const char *s, json_t **ret, struct berth_error **err);
/* Validate a --device value as docker's flag does ("bad format for path: …", "bad mode specified: …"). */
int bcli_run_device_validate(const char *s, struct berth_error **err);
/* "/dev/sda[:/dev/xvda][:rwm]" -> {"PathOnHost","PathInContainer","CgroupPermissions"}. */
int bcli_run_parse_device(const char *s, json_t **ret, struct berth_error **err);
/* "no|always|unless-stopped|on-failure[:N]" -> {"Name","MaximumRetryCount"}, validated. */
int bcli_run_parse_restart(const char *s, json_t **ret, struct berth_error **err);
/* Podman's "container_id:host_id:amount" -> {"ContainerID","HostID","Size"}. */
int bcli_run_parse_idmap(const char *s, json_t **ret, struct berth_error **err);

/*
 * -p: "[ip:][hostPort[-end]:]containerPort[-end][/proto]" or the long syntax
 * "target=80,published=8080,protocol=udp"; adds "80/tcp" keys to exposed and
 * [{"HostIp","HostPort"}] entries to bindings, ranges expanded as docker does.
 */
int bcli_run_publish_add(const char *spec, json_t *exposed, json_t *bindings, struct berth_error **err);
/* --expose: "80", "8000-8010/udp" into exposed. */
int bcli_run_expose_add(const char *spec, json_t *exposed, struct berth_error **err);

/*
 * -v: "src:dst[:opts]" appends to binds (a "./rel" source made absolute),
 * "/dst" alone sets volumes["/dst"] = {}. Error "invalid volume specification: '<spec>'…".
 */
int bcli_run_volume_add(const char *spec, json_t *binds, json_t *volumes, struct berth_error **err);
/* --mount csv ("type=bind,source=/a,target=/b,readonly") -> a HostConfig.Mounts entry. */
int bcli_run_parse_mount(const char *csv, json_t **ret, struct berth_error **err);
/* Go's encoding/csv reading one record: fields, quotes with "" inside; NULL-terminated. */
int bcli_run_csv_split(const char *s, char ***ret, struct berth_error **err);

/*
 * One --env-file/--label-file: KEY=value lines appended to *env; blank lines and
 * "#" comments skipped; "KEY" alone takes the value from the environment when
 * lookup (dropped when unset or !lookup).
 */
int bcli_run_env_file_read(const char *path, bool lookup, char ***env, struct berth_error **err);
/* -e: "KEY=value" kept, "KEY" resolved from the environment (dropped when unset). */
int bcli_run_env_add(const char *s, char ***env, struct berth_error **err);
/* --security-opt: validated; "seccomp=PATH" read and replaced by "seccomp=<compact json>". Caller frees *ret. */
int bcli_run_security_opt(const char *s, char **ret, struct berth_error **err);
