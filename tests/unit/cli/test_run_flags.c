/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/berth/run_*.c: docker's run/create flags into the ContainerCreate body, value parsers, messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/berth/run_flags.h"
#include "cli/berth/run_parse.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static int parse(char **argv, struct bcli_run_request *r, struct berth_error **err)
{
	return bcli_run_parse((int)strv_length(argv), argv, r, err);
}

/* body at "Config.Cmd"-style path, or NULL */
static json_t *at(json_t *body, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;
	json_t *v = body;

	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	return v;
}

static void assert_json_at(json_t *body, const char *path, const char *want)
{
	json_error_t jerr;
	json_t *w = json_loads(want, JSON_DECODE_ANY, &jerr), *got = at(body, path);

	if (!w)
		fail_msg("bad expected json '%s': %s", want, jerr.text);
	if (!got || !json_equal(got, w)) {
		char *s = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		json_decref(w);
		fail_msg("%s: want %s, got %s", path, want, s ? s : "(missing)");
	}
	json_decref(w);
}

struct case_ {
	char **argv;
	const char *path, *want;
};

static void test_table(void **state)
{
	const struct case_ cases[] = {
		{ARGV("busybox"), "Config.Cmd", "null"},
		{ARGV("busybox"), "Config.Image", "\"busybox\""},
		{ARGV("busybox"), "Config.AttachStdout", "true"},
		{ARGV("busybox"), "Config.AttachStdin", "false"},
		{ARGV("busybox"), "HostConfig.NetworkMode", "\"default\""},
		{ARGV("busybox"), "HostConfig.RestartPolicy", "{\"Name\":\"no\",\"MaximumRetryCount\":0}"},
		{ARGV("busybox"), "HostConfig.LogConfig", "{\"Type\":\"json-file\",\"Config\":{}}"},
		{ARGV("busybox"), "HostConfig.Binds", "null"},
		{ARGV("busybox"), "HostConfig.Dns", "[]"},
		{ARGV("busybox"), "HostConfig.MemorySwappiness", "-1"},
		{ARGV("busybox"), "HostConfig.PidsLimit", "null"},
		{ARGV("busybox"), "HostConfig.Init", "null"},
		{ARGV("busybox"), "Config.Env", "null"},
		{ARGV("busybox"), "Config.Labels", "{}"},
		{ARGV("busybox"), "Config.Volumes", "{}"},
		{ARGV("busybox"), "Config.Entrypoint", "null"},
		{ARGV("busybox"), "NetworkingConfig", "{\"EndpointsConfig\":{}}"},
		{ARGV("-m", "512m", "busybox"), "HostConfig.Memory", "536870912"},
		{ARGV("--memory=1.5g", "busybox"), "HostConfig.Memory", "1610612736"},
		{ARGV("--memory-swap", "-1", "busybox"), "HostConfig.MemorySwap", "-1"},
		{ARGV("--memory-reservation", "10k", "busybox"), "HostConfig.MemoryReservation", "10240"},
		{ARGV("--shm-size", "64MiB", "busybox"), "HostConfig.ShmSize", "67108864"},
		{ARGV("--cpus", "1.5", "busybox"), "HostConfig.NanoCpus", "1500000000"},
		{ARGV("-c", "512", "--cpu-quota", "50000", "busybox"), "HostConfig.CpuShares", "512"},
		{ARGV("--cpu-quota", "50000", "busybox"), "HostConfig.CpuQuota", "50000"},
		{ARGV("--cpuset-cpus", "0-3", "busybox"), "HostConfig.CpusetCpus", "\"0-3\""},
		{ARGV("--blkio-weight", "300", "busybox"), "HostConfig.BlkioWeight", "300"},
		{ARGV("--pids-limit", "100", "busybox"), "HostConfig.PidsLimit", "100"},
		{ARGV("--oom-kill-disable", "--oom-score-adj", "-500", "busybox"), "HostConfig.OomScoreAdj", "-500"},
		{ARGV("--oom-kill-disable", "busybox"), "HostConfig.OomKillDisable", "true"},
		{ARGV("--memory-swappiness", "10", "busybox"), "HostConfig.MemorySwappiness", "10"},
		{ARGV("-p", "8080:80", "busybox"), "HostConfig.PortBindings",
		 "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}"},
		{ARGV("-p", "8080:80", "busybox"), "Config.ExposedPorts", "{\"80/tcp\":{}}"},
		{ARGV("-p", "127.0.0.1:8000-8001:80-81/udp", "busybox"), "HostConfig.PortBindings",
		 "{\"80/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8000\"}],"
		 "\"81/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8001\"}]}"},
		{ARGV("-p", "[::1]:80:80", "busybox"), "HostConfig.PortBindings",
		 "{\"80/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"80\"}]}"},
		{ARGV("-p", "8000-8010:80", "busybox"), "HostConfig.PortBindings",
		 "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8000-8010\"}]}"},
		{ARGV("-p", "80", "-p", "9090:80", "busybox"), "HostConfig.PortBindings",
		 "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"},{\"HostIp\":\"\",\"HostPort\":\"9090\"}]}"},
		{ARGV("-p", "published=8080,target=80,protocol=udp", "busybox"), "HostConfig.PortBindings",
		 "{\"80/udp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}"},
		{ARGV("--expose", "7000-7002/udp", "--expose", "9", "busybox"), "Config.ExposedPorts",
		 "{\"7000/udp\":{},\"7001/udp\":{},\"7002/udp\":{},\"9/tcp\":{}}"},
		{ARGV("-P", "busybox"), "HostConfig.PublishAllPorts", "true"},
		{ARGV("-v", "/src:/dst:ro", "-v", "vol:/data", "-v", "/anon", "busybox"), "HostConfig.Binds",
		 "[\"/src:/dst:ro\",\"vol:/data\"]"},
		{ARGV("-v", "/src:/dst:ro", "-v", "/anon", "busybox"), "Config.Volumes", "{\"/anon\":{}}"},
		{ARGV("-v", "/a:/b:rw,z,rshared,nocopy", "busybox"), "HostConfig.Binds",
		 "[\"/a:/b:rw,z,rshared,nocopy\"]"},
		{ARGV("--mount", "type=bind,source=/a,target=/b,readonly,bind-propagation=rslave", "busybox"),
		 "HostConfig.Mounts",
		 "[{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/b\",\"ReadOnly\":true,"
		 "\"BindOptions\":{\"Propagation\":\"rslave\"}}]"},
		{ARGV("--mount", "type=volume,src=v,dst=/d,volume-nocopy,volume-opt=o=a=b", "busybox"),
		 "HostConfig.Mounts",
		 "[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/d\",\"VolumeOptions\":{\"NoCopy\":true,"
		 "\"DriverConfig\":{\"Options\":{\"o\":\"a=b\"}}}}]"},
		{ARGV("--mount", "type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770", "busybox"),
		 "HostConfig.Mounts",
		 "[{\"Type\":\"tmpfs\",\"Target\":\"/t\",\"TmpfsOptions\":{\"SizeBytes\":67108864,\"Mode\":1016}}]"},
		{ARGV("--tmpfs", "/run:rw,size=64m", "--tmpfs", "/tmp", "busybox"), "HostConfig.Tmpfs",
		 "{\"/run\":\"rw,size=64m\",\"/tmp\":\"\"}"},
		{ARGV("--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=1", "busybox"),
		 "HostConfig.Sysctls", "{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\"}"},
		{ARGV("--ulimit", "nofile=1024:2048", "--ulimit", "nproc=10", "--ulimit", "nofile=5", "busybox"),
		 "HostConfig.Ulimits",
		 "[{\"Name\":\"nproc\",\"Soft\":10,\"Hard\":10},{\"Name\":\"nofile\",\"Soft\":5,\"Hard\":5}]"},
		{ARGV("--device", "/dev/sda:/dev/xvda:rwm", "--device", "/dev/fuse", "--device", "/dev/nbd0:r",
		      "busybox"),
		 "HostConfig.Devices",
		 "[{\"PathOnHost\":\"/dev/sda\",\"PathInContainer\":\"/dev/xvda\",\"CgroupPermissions\":\"rwm\"},"
		 "{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":\"/dev/fuse\",\"CgroupPermissions\":\"rwm\"},"
		 "{\"PathOnHost\":\"/dev/nbd0\",\"PathInContainer\":\"/dev/nbd0\",\"CgroupPermissions\":\"r\"}]"},
		{ARGV("--restart", "on-failure:3", "busybox"), "HostConfig.RestartPolicy",
		 "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}"},
		{ARGV("--restart", "unless-stopped", "busybox"), "HostConfig.RestartPolicy",
		 "{\"Name\":\"unless-stopped\",\"MaximumRetryCount\":0}"},
		{ARGV("--rm", "--restart", "no", "busybox"), "HostConfig.AutoRemove", "true"},
		{ARGV("--security-opt", "no-new-privileges", "--security-opt", "label:disable", "busybox"),
		 "HostConfig.SecurityOpt", "[\"no-new-privileges\",\"label:disable\"]"},
		{ARGV("--security-opt", "seccomp=unconfined", "busybox"), "HostConfig.SecurityOpt",
		 "[\"seccomp=unconfined\"]"},
		{ARGV("--security-opt", "systempaths=unconfined", "busybox"), "HostConfig.MaskedPaths", "[]"},
		{ARGV("--dns", "8.8.8.8", "--dns", "2001:db8:0::1", "--dns-search", "example.com", "--dns-option",
		      "ndots:2", "busybox"),
		 "HostConfig.Dns", "[\"8.8.8.8\",\"2001:db8::1\"]"},
		{ARGV("--dns-search", "example.com", "busybox"), "HostConfig.DnsSearch", "[\"example.com\"]"},
		{ARGV("--dns-option", "ndots:2", "busybox"), "HostConfig.DnsOptions", "[\"ndots:2\"]"},
		{ARGV("--add-host", "db:10.0.0.2", "--add-host", "v6:::1", "busybox"), "HostConfig.ExtraHosts",
		 "[\"db:10.0.0.2\",\"v6:::1\"]"},
		{ARGV("--mac-address", "92:d0:c6:0a:29:33", "busybox"), "Config.MacAddress", "\"92:d0:c6:0a:29:33\""},
		{ARGV("--network", "net1", "--network-alias", "web", "--ip", "10.1.0.5", "busybox"),
		 "NetworkingConfig.EndpointsConfig",
		 "{\"net1\":{\"Aliases\":[\"web\"],\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.5\",\"IPv6Address\":\"\"}}"
		 "}"},
		{ARGV("--network", "host", "busybox"), "HostConfig.NetworkMode", "\"host\""},
		{ARGV("--link", "db:alias", "busybox"), "HostConfig.Links", "[\"db:alias\"]"},
		{ARGV("-h", "box", "--domainname", "example.org", "busybox"), "Config.Hostname", "\"box\""},
		{ARGV("--domainname", "example.org", "busybox"), "Config.Domainname", "\"example.org\""},
		{ARGV("-u", "1000:1000", "-w", "/srv", "busybox"), "Config.User", "\"1000:1000\""},
		{ARGV("-w", "/srv", "busybox"), "Config.WorkingDir", "\"/srv\""},
		{ARGV("--entrypoint", "/bin/sh", "busybox"), "Config.Entrypoint", "[\"/bin/sh\"]"},
		{ARGV("--entrypoint=", "busybox"), "Config.Entrypoint", "[\"\"]"},
		{ARGV("--health-cmd", "curl -f localhost", "--health-interval", "1m30s", "--health-retries", "3",
		      "--health-timeout", "500ms", "--health-start-period", "2h", "busybox"),
		 "Config.Healthcheck",
		 "{\"Test\":[\"CMD-SHELL\",\"curl -f localhost\"],\"Interval\":90000000000,\"Retries\":3,"
		 "\"Timeout\":500000000,\"StartPeriod\":7200000000000}"},
		{ARGV("--no-healthcheck", "busybox"), "Config.Healthcheck", "{\"Test\":[\"NONE\"]}"},
		{ARGV("--cap-add", "NET_ADMIN", "--cap-drop", "ALL", "busybox"), "HostConfig.CapAdd",
		 "[\"NET_ADMIN\"]"},
		{ARGV("--cap-drop", "ALL", "busybox"), "HostConfig.CapDrop", "[\"ALL\"]"},
		{ARGV("--privileged", "--read-only", "--init", "busybox"), "HostConfig.Privileged", "true"},
		{ARGV("--read-only", "busybox"), "HostConfig.ReadonlyRootfs", "true"},
		{ARGV("--init", "busybox"), "HostConfig.Init", "true"},
		{ARGV("--stop-signal", "SIGINT", "--stop-timeout", "30", "busybox"), "Config.StopSignal", "\"SIGINT\""},
		{ARGV("--stop-timeout", "30", "busybox"), "Config.StopTimeout", "30"},
		{ARGV("--pid", "host", "--ipc", "container:x", "busybox"), "HostConfig.PidMode", "\"host\""},
		{ARGV("--ipc", "shareable", "busybox"), "HostConfig.IpcMode", "\"shareable\""},
		{ARGV("--uts", "host", "--userns", "host", "--cgroupns", "private", "busybox"),
		 "HostConfig.CgroupnsMode", "\"private\""},
		{ARGV("--cgroup-parent", "/my", "busybox"), "HostConfig.CgroupParent", "\"/my\""},
		{ARGV("--log-driver", "none", "busybox"), "HostConfig.LogConfig", "{\"Type\":\"none\",\"Config\":{}}"},
		{ARGV("--log-opt", "max-size=10m", "busybox"), "HostConfig.LogConfig",
		 "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10m\"}}"},
		{ARGV("--group-add", "audio", "busybox"), "HostConfig.GroupAdd", "[\"audio\"]"},
		{ARGV("-l", "a=b", "-l", "c", "busybox"), "Config.Labels", "{\"a\":\"b\",\"c\":\"\"}"},
		{ARGV("--volumes-from", "other:ro", "busybox"), "HostConfig.VolumesFrom", "[\"other:ro\"]"},
		{ARGV("--runtime", "/usr/bin/runc", "busybox"), "HostConfig.Runtime", "\"/usr/bin/runc\""},
		{ARGV("--cidfile", "/tmp/cid", "busybox"), "HostConfig.ContainerIDFile", "\"/tmp/cid\""},
		{ARGV("--uidmap", "0:100000:65536", "--gidmap", "0:200000:1000", "busybox"),
		 "HostConfig.BerthIDMappings",
		 "{\"UIDMap\":[{\"ContainerID\":0,\"HostID\":100000,\"Size\":65536}],"
		 "\"GIDMap\":[{\"ContainerID\":0,\"HostID\":200000,\"Size\":1000}]}"},
		{ARGV("-a", "STDERR", "busybox"), "Config.AttachStdout", "false"},
		{ARGV("-a", "STDERR", "busybox"), "Config.AttachStderr", "true"},
		{ARGV("-d", "-i", "busybox"), "Config.AttachStdin", "false"},
		{ARGV("-d", "-i", "busybox"), "Config.OpenStdin", "true"},
		{ARGV("-d", "-i", "busybox"), "Config.StdinOnce", "false"},
		{ARGV("-e", "A=1", "-e", "B=", "busybox"), "Config.Env", "[\"A=1\",\"B=\"]"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct bcli_run_request r;

		if (parse(cases[i].argv, &r, &err) < 0)
			fail_msg("case %zu (%s): %s", i, cases[i].path, err->msg);
		assert_json_at(r.body, cases[i].path, cases[i].want);
		bcli_run_request_done(&r);
	}
}

static void test_it_rm_command(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	struct bcli_run_request r;

	(void)state;
	assert_int_equal(parse(ARGV("-it", "--rm", "busybox", "sh", "-c", "echo hi"), &r, &err), 0);
	assert_json_at(r.body, "Config.Cmd", "[\"sh\",\"-c\",\"echo hi\"]");
	assert_json_at(r.body, "Config.Tty", "true");
	assert_json_at(r.body, "Config.OpenStdin", "true");
	assert_json_at(r.body, "Config.StdinOnce", "true");
	assert_json_at(r.body, "Config.AttachStdin", "true");
	assert_json_at(r.body, "HostConfig.AutoRemove", "true");
	assert_true(r.tty && r.interactive && r.rm && r.sig_proxy && !r.detach);
	assert_string_equal(r.pull, "missing");
	assert_int_equal(strv_length(r.attach), 3);
	bcli_run_request_done(&r);

	/* flags after the image belong to the command */
	assert_int_equal(parse(ARGV("--name", "web", "busybox", "ls", "-l", "--name", "x", "-d"), &r, &err), 0);
	assert_json_at(r.body, "Config.Cmd", "[\"ls\",\"-l\",\"--name\",\"x\",\"-d\"]");
	assert_string_equal(r.name, "web");
	assert_false(r.detach);
	bcli_run_request_done(&r);

	assert_int_equal(parse(ARGV("-d", "--pull", "never", "-q", "--platform", "linux/arm64", "--detach-keys",
				    "ctrl-x", "--sig-proxy=false", "img"),
			       &r, &err),
			 0);
	assert_true(r.detach && r.quiet && !r.sig_proxy);
	assert_string_equal(r.pull, "never");
	assert_string_equal(r.platform, "linux/arm64");
	assert_string_equal(r.detach_keys, "ctrl-x");
	assert_null(r.attach[0]);
	assert_json_at(r.body, "Config.AttachStdout", "false");
	bcli_run_request_done(&r);
}

struct err_case {
	char **argv;
	const char *msg;
};

static void test_errors(void **state)
{
	const struct err_case cases[] = {
		{ARGV("-m", "1x", "busybox"), "invalid argument \"1x\" for \"-m, --memory\" flag: invalid size: '1x'"},
		{ARGV("--memory-swap", "-2", "b"),
		 "invalid argument \"-2\" for \"--memory-swap\" flag: invalid size: '-2'"},
		{ARGV("--cpus", "abc", "b"),
		 "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number"},
		{ARGV("--cpus", "0.0000000001", "b"),
		 "invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise"},
		{ARGV("-p", "target", "b"), "Invalid containerPort: target"},
		{ARGV("-p", "target=80,published", "b"),
		 "invalid publish opts format (should be name=value but got 'published')"},
		{ARGV("-p", "abc", "b"), "Invalid containerPort: abc"},
		{ARGV("-p", "x:80", "b"), "Invalid hostPort: x"},
		{ARGV("-p", "1.2.3:80:80", "b"), "Invalid ip address: 1.2.3"},
		{ARGV("-p", "80/xyz", "b"), "Invalid proto: xyz"},
		{ARGV("-p", "80:", "b"), "No port specified: 80:<empty>"},
		{ARGV("-p", "8000-8001:80-82", "b"),
		 "Invalid ranges specified for container and host Ports: 80-82 and 8000-8001"},
		{ARGV("--expose", "1:2", "b"), "invalid port format for --expose: 1:2"},
		{ARGV("--expose", "x", "b"),
		 "invalid range format for --expose: x, error: strconv.ParseUint: parsing \"x\": invalid syntax"},
		{ARGV("--restart", "on-failure:x", "b"), "maximum retry count must be an integer"},
		{ARGV("--restart", "a:b:c", "b"), "invalid restart policy format"},
		{ARGV("--restart", "on-failure:-1", "b"),
		 "invalid restart policy: maximum retry count cannot be negative"},
		{ARGV("--restart", "always:3", "b"),
		 "invalid restart policy: maximum retry count can only be used with 'on-failure'"},
		{ARGV("--restart", "sometimes", "b"), "invalid restart policy: unknown policy 'sometimes'; use one of "
						      "'no', 'always', 'on-failure', or 'unless-stopped'"},
		{ARGV("--rm", "--restart", "always", "b"), "Conflicting options: --restart and --rm"},
		{ARGV("--ulimit", "nofile", "b"),
		 "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile"},
		{ARGV("--ulimit", "bogus=1", "b"),
		 "invalid argument \"bogus=1\" for \"--ulimit\" flag: invalid ulimit type: bogus"},
		{ARGV("--ulimit", "nofile=20:10", "b"),
		 "invalid argument \"nofile=20:10\" for \"--ulimit\" flag: ulimit soft limit must be less than or "
		 "equal to hard limit: 20 > 10"},
		{ARGV("-e", "=x", "b"),
		 "invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x"},
		{ARGV("--no-healthcheck", "--health-cmd", "true", "b"),
		 "--no-healthcheck conflicts with --health-* options"},
		{ARGV("--health-interval", "-1s", "b"), "--health-interval cannot be negative"},
		{ARGV("--health-retries", "-1", "b"), "--health-retries cannot be negative"},
		{ARGV("--health-timeout", "5", "b"),
		 "invalid argument \"5\" for \"--health-timeout\" flag: time: missing unit in duration \"5\""},
		{ARGV("-w", "rel", "b"), "the working directory 'rel' is invalid, it needs to be an absolute path"},
		{ARGV("--pull", "sometimes", "b"),
		 "invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\""},
		{ARGV("-d", "-a", "stdout", "b"), "Conflicting options: -a and -d"},
		{ARGV("-a", "stdfoo", "b"),
		 "invalid argument \"stdfoo\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR"},
		{ARGV("-v", "/a:/b:xyz", "b"), "invalid mode: xyz"},
		{ARGV("-v", "/a:rw", "b"), "invalid volume specification: '/a:rw'"},
		{ARGV("-v", "/a:/b:ro:x", "b"), "invalid volume specification: '/a:/b:ro:x'"},
		{ARGV("-v", "/a:rel", "b"), "invalid volume specification: '/a:rel': invalid mount config for type "
					    "\"bind\": invalid mount path: 'rel' mount path must be absolute"},
		{ARGV("--mount", "type=bind,source=/a", "b"),
		 "invalid argument \"type=bind,source=/a\" for \"--mount\" flag: target is required"},
		{ARGV("--mount", "type=volume,target=/a,bind-propagation=shared", "b"),
		 "invalid argument \"type=volume,target=/a,bind-propagation=shared\" for \"--mount\" flag: cannot mix "
		 "'bind-*' options with mount type 'volume'"},
		{ARGV("--mount", "target=/a,foo=bar", "b"),
		 "invalid argument \"target=/a,foo=bar\" for \"--mount\" flag: unexpected key 'foo' in 'foo=bar'"},
		{ARGV("--mount", "target=/a,bogus", "b"), "invalid argument \"target=/a,bogus\" for \"--mount\" flag: "
							  "invalid field 'bogus' must be a key=value pair"},
		{ARGV("--device", "/dev/sda:/dev/xvda:rwx", "b"),
		 "invalid argument \"/dev/sda:/dev/xvda:rwx\" for \"--device\" flag: bad mode specified: rwx"},
		{ARGV("--device", "/dev/sda:xvda", "b"),
		 "invalid argument \"/dev/sda:xvda\" for \"--device\" flag: xvda is not an absolute path"},
		{ARGV("--sysctl", "kernel.hostname=x", "b"), "invalid argument \"kernel.hostname=x\" for \"--sysctl\" "
							     "flag: sysctl 'kernel.hostname=x' is not allowed"},
		{ARGV("--security-opt", "seccomp", "b"), "Invalid --security-opt: \"seccomp\""},
		{ARGV("--security-opt", "seccomp=/nonexistent/p.json", "b"),
		 "opening seccomp profile (/nonexistent/p.json) failed: open '/nonexistent/p.json': No such file or "
		 "directory"},
		{ARGV("--add-host", "db", "b"),
		 "invalid argument \"db\" for \"--add-host\" flag: bad format for add-host: \"db\""},
		{ARGV("--add-host", "db:1.2.3", "b"),
		 "invalid argument \"db:1.2.3\" for \"--add-host\" flag: invalid IP address in add-host: \"1.2.3\""},
		{ARGV("--dns", "x", "b"),
		 "invalid argument \"x\" for \"--dns\" flag: IP address is not correctly formatted: x"},
		{ARGV("--dns-search", "-bad", "b"),
		 "invalid argument \"-bad\" for \"--dns-search\" flag: -bad is not a valid domain"},
		{ARGV("--mac-address", "zz", "b"), "zz is not a valid mac address"},
		{ARGV("--pid", "bogus", "b"), "--pid: invalid PID mode"},
		{ARGV("--ipc", "container:", "b"), "--ipc: invalid IPC mode"},
		{ARGV("--uts", "private", "b"), "--uts: invalid UTS mode"},
		{ARGV("--cgroupns", "x", "b"), "--cgroupns: invalid CGROUP mode"},
		{ARGV("--memory-swappiness", "101", "b"), "invalid value: 101. Valid memory swappiness range is 0-100"},
		{ARGV("--network-alias", "a", "b"),
		 "network-scoped aliases are only supported for user-defined networks"},
		{ARGV("--network", "host", "--network", "mynet", "b"),
		 "conflicting options: cannot attach both user-defined and non-user-defined network-modes"},
		{ARGV("--log-driver", "none", "--log-opt", "a=b", "b"), "invalid logging opts for driver none"},
		{ARGV("--uidmap", "0:1", "b"), "invalid argument \"0:1\" for \"--uidmap\" flag: invalid id mapping "
					       "'0:1': want container_id:host_id:amount"},
		{ARGV("--stop-timeout", "x", "b"),
		 "invalid argument \"x\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing \"x\": invalid syntax"},
		{ARGV("-l", "=v", "b"),
		 "invalid argument \"=v\" for \"-l, --label\" flag: invalid label '=v': empty name"},
		{ARGV("--gpus", "all", "b"), "unknown flag: --gpus"},
		{ARGV("-it"), "\"run\" requires at least 1 argument"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		struct bcli_run_request r;

		if (parse(cases[i].argv, &r, &err) == 0) {
			bcli_run_request_done(&r);
			fail_msg("case %zu: no error, want '%s'", i, cases[i].msg);
		}
		assert_non_null(err);
		if (strcmp(err->msg, cases[i].msg) != 0)
			fail_msg("case %zu: want '%s', got '%s'", i, cases[i].msg, err->msg);
	}
}

static void test_sizes(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} ok[] = {{"0", 0},
		  {"512", 512},
		  {"512b", 512},
		  {"1k", 1024},
		  {"1K", 1024},
		  {"1kb", 1024},
		  {"1KiB", 1024},
		  {"512m", 536870912},
		  {"1g", 1073741824},
		  {"1.5g", 1610612736},
		  {"10 MB", 10485760},
		  {"2t", 2199023255552LL},
		  {"1p", 1125899906842624LL}};
	static const char *const bad[] = {"", "1x", "-1", "m", "1.", ".5m", "1kk", "1  ", "1gb2"};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(bcli_run_parse_ram(ok[i].in, &v, NULL), 0);
		assert_int_equal(v, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;
		_cleanup_free_ char *want = xasprintf("invalid size: '%s'", bad[i]);

		assert_int_equal(bcli_run_parse_ram(bad[i], &v, &err), -1);
		assert_string_equal(err->msg, want);
	}
}

static void test_durations(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} ok[] = {{"0", 0},
		  {"1m30s", 90000000000LL},
		  {"500ms", 500000000},
		  {"2h", 7200000000000LL},
		  {"-1s", -1000000000},
		  {"1.5s", 1500000000},
		  {"10us", 10000},
		  {"3ns", 3},
		  {"1h2m3s4ms", 3723004000000LL}};
	static const struct {
		const char *in, *msg;
	} bad[] = {{"", "time: invalid duration \"\""},
		   {"5", "time: missing unit in duration \"5\""},
		   {"1x", "time: unknown unit \"x\" in duration \"1x\""},
		   {"abc", "time: invalid duration \"abc\""},
		   {".s", "time: invalid duration \".s\""}};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(bcli_run_parse_duration(ok[i].in, &v, NULL), 0);
		assert_int_equal(v, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct berth_error *err = NULL;

		assert_int_equal(bcli_run_parse_duration(bad[i].in, &v, &err), -1);
		assert_string_equal(err->msg, bad[i].msg);
	}
}

static void test_cpus(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} ok[] = {{"1", 1000000000},   {"1.5", 1500000000}, {"0.01", 10000000},
		  {"3/2", 1500000000}, {"2e-1", 200000000}, {"0", 0}};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(bcli_run_parse_cpus(ok[i].in, &v, NULL), 0);
		assert_int_equal(v, ok[i].want);
	}
	assert_int_equal(bcli_run_parse_cpus("1/0", &v, NULL), -1);
	assert_int_equal(bcli_run_parse_cpus("", &v, NULL), -1);
	assert_int_equal(bcli_run_parse_cpus("1.5.1", &v, NULL), -1);
}

static void test_ports_direct(void **state)
{
	json_t *exposed = json_object(), *bindings = json_object();
	json_t *want;

	(void)state;
	assert_int_equal(bcli_run_publish_add("0.0.0.0:5000-5001:6000-6001/SCTP", exposed, bindings, NULL), 0);
	assert_int_equal(bcli_run_publish_add("[2001:db8::1]::53/udp", exposed, bindings, NULL), 0);
	want = json_loads("{\"6000/sctp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"5000\"}],"
			  "\"6001/sctp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"5001\"}],"
			  "\"53/udp\":[{\"HostIp\":\"2001:db8::1\",\"HostPort\":\"\"}]}",
			  0, NULL);
	assert_true(json_equal(bindings, want));
	assert_int_equal(json_object_size(exposed), 3);
	json_decref(want);
	json_decref(exposed);
	json_decref(bindings);
}

static void test_csv(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	_cleanup_strv_ char **f = NULL;

	(void)state;
	assert_int_equal(bcli_run_csv_split("type=bind,\"source=/a,b\",target=\"\"", &f, NULL), -1);
	assert_int_equal(bcli_run_csv_split("type=bind,\"source=/a,b\",\"target=/x\"\"y\"", &f, NULL), 0);
	assert_int_equal(strv_length(f), 3);
	assert_string_equal(f[1], "source=/a,b");
	assert_string_equal(f[2], "target=/x\"y");
	assert_int_equal(bcli_run_csv_split("a,\"b", NULL, &err), -1);
	assert_string_equal(err->msg, "parse error on line 1, column 5: extraneous or missing \" in quoted-field");
	berth_error_free(&err);
	assert_int_equal(bcli_run_csv_split("a,b\"c", NULL, &err), -1);
	assert_string_equal(err->msg, "parse error on line 1, column 4: bare \" in non-quoted-field");
}

static void test_mount_dot_source(void **state)
{
	char cwd[4096];
	_cleanup_free_ char *want = NULL;
	json_t *m = NULL, *binds = json_array(), *vols = json_object();

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	want = fs_path_join(cwd, "sub");
	assert_int_equal(bcli_run_parse_mount("type=bind,src=./sub,dst=/x,ro=false", &m, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(m, "Source")), want);
	assert_true(json_is_false(json_object_get(m, "ReadOnly")));
	json_decref(m);
	assert_int_equal(bcli_run_volume_add("./sub:/x", binds, vols, NULL), 0);
	assert_true(strncmp(json_string_value(json_array_get(binds, 0)), want, strlen(want)) == 0);
	json_decref(binds);
	json_decref(vols);
}

static char *write_temp(const char *dir, const char *name, const char *text)
{
	char *path = fs_path_join(dir, name);
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_files(void **state)
{
	char dir[] = "/tmp/test-run-flags-XXXXXX";
	_cleanup_free_ char *env = NULL, *labels = NULL, *bad = NULL, *seccomp = NULL, *notjson = NULL;
	_cleanup_free_ char *sec_arg = NULL, *nj_arg = NULL, *nj_msg = NULL;
	_cleanup_error_ struct berth_error *err = NULL;
	struct bcli_run_request r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	env = write_temp(dir, "env", "\xef\xbb\xbf# comment\n\nA=1\r\n  B=x y \nFROM_ENV\nUNSET_VAR_P2\nC=a=b\n");
	labels = write_temp(dir, "labels", "l1=v1\nl2\n# x\n");
	bad = write_temp(dir, "bad", "A B=1\n");
	seccomp = write_temp(dir, "seccomp.json", "{ \"defaultAction\" : \"SCMP_ACT_ALLOW\",\n \"syscalls\": [] }\n");
	notjson = write_temp(dir, "nj.json", "{nope");
	setenv("FROM_ENV", "fromenv", 1);
	setenv("DASH_E", "de", 1);
	unsetenv("UNSET_VAR_P2");

	assert_int_equal(parse(ARGV("--env-file", env, "-e", "A=2", "-e", "DASH_E", "-e", "UNSET_VAR_P2",
				    "--label-file", labels, "-l", "l1=override", "img"),
			       &r, &err),
			 0);
	assert_null(err);
	assert_json_at(r.body, "Config.Env",
		       "[\"A=1\",\"B=x y \",\"FROM_ENV=fromenv\",\"C=a=b\",\"A=2\",\"DASH_E=de\"]");
	assert_json_at(r.body, "Config.Labels", "{\"l1\":\"override\"}");
	bcli_run_request_done(&r);

	assert_int_equal(parse(ARGV("--env-file", bad, "img"), &r, &err), -1);
	assert_string_equal(err->msg, "poorly formatted environment: variable 'A B' contains whitespaces");
	berth_error_free(&err);

	sec_arg = xasprintf("seccomp=%s", seccomp);
	assert_int_equal(parse(ARGV("--security-opt", sec_arg, "img"), &r, &err), 0);
	assert_json_at(r.body, "HostConfig.SecurityOpt",
		       "[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\",\\\"syscalls\\\":[]}\"]");
	bcli_run_request_done(&r);

	nj_arg = xasprintf("seccomp=%s", notjson);
	assert_int_equal(parse(ARGV("--security-opt", nj_arg, "img"), &r, &err), -1);
	nj_msg = xasprintf("compacting json for seccomp profile (%s) failed: ", notjson);
	assert_true(strncmp(err->msg, nj_msg, strlen(nj_msg)) == 0);

	assert_int_equal(fs_rm_rf_at(AT_FDCWD, dir, NULL), 0);
}

static void test_direct_parsers(void **state)
{
	_cleanup_error_ struct berth_error *err = NULL;
	json_t *j = NULL;

	(void)state;
	assert_int_equal(bcli_run_parse_ulimit("core=-1", &j, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "Hard")), -1);
	json_decref(j);
	assert_int_equal(bcli_run_parse_ulimit("nofile=1:2:3", &j, &err), -1);
	assert_string_equal(err->msg, "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`");
	berth_error_free(&err);
	assert_int_equal(bcli_run_parse_ulimit("nofile=x", &j, &err), -1);
	assert_string_equal(err->msg, "strconv.ParseInt: parsing \"x\": invalid syntax");
	berth_error_free(&err);

	assert_int_equal(bcli_run_parse_device("/dev/sda:rw", &j, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(j, "CgroupPermissions")), "rw");
	assert_string_equal(json_string_value(json_object_get(j, "PathInContainer")), "/dev/sda");
	json_decref(j);
	assert_int_equal(bcli_run_device_validate("a:b:c:d", &err), -1);
	assert_string_equal(err->msg, "bad format for path: a:b:c:d");
	berth_error_free(&err);

	assert_int_equal(bcli_run_parse_restart("always", &j, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(j, "Name")), "always");
	json_decref(j);
	assert_int_equal(bcli_run_parse_restart(":3", &j, &err), -1);
	assert_string_equal(err->msg, "invalid restart policy format");
}

static void test_create_table(void **state)
{
	struct bcli_run_flags f;
	struct bcli_args a = {0};
	_cleanup_error_ struct berth_error *err = NULL;
	struct bcli_run_request r;
	struct buf help = {NULL, 0, 0};

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(bcli_parse(bcli_create_opts, &f, 2, ARGV("-d", "img"), BCLI_PARSE_NO_INTERSPERSED, &a, &err),
			 -1);
	assert_string_equal(err->msg, "unknown shorthand flag: 'd' in -d");
	bcli_opts_done(bcli_create_opts, &f);
	memset(&f, 0, sizeof(f));
	assert_int_equal(
		bcli_parse(bcli_create_opts, &f, 3, ARGV("-i", "img", "sh"), BCLI_PARSE_NO_INTERSPERSED, &a, NULL), 0);
	assert_int_equal(bcli_run_request_build(&f, &a, &r, NULL), 0);
	assert_false(r.sig_proxy);
	assert_json_at(r.body, "Config.AttachStdin", "true");
	assert_json_at(r.body, "Config.Cmd", "[\"sh\"]");
	bcli_run_request_done(&r);
	bcli_args_done(&a);
	bcli_opts_done(bcli_create_opts, &f);

	bcli_opts_usage(bcli_run_opts, 0, &help);
	assert_non_null(strstr(help.data, "  -m, --memory bytes"));
	assert_non_null(strstr(help.data, "--sig-proxy "));
	buf_done(&help);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_it_rm_command),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_ports_direct),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_mount_dot_source),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_direct_parsers),
		cmocka_unit_test(test_create_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
