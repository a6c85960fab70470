/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `berth run`/`create` flags into the ContainerCreate body: the Config half, ports, and the CLI-only settings. */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/run_internal.h"
#include "cli/berth/run_parse.h"

int run_flag_error(struct berth_error **err, const char *value, const char *display)
{
	return berth_error_wrap(err, "invalid argument \"%s\" for \"%s\" flag", value, display);
}

int run_bytes_set(json_t *obj, const char *key, const char *value, const char *display, bool allow_unlimited,
		  struct berth_error **err)
{
	int64_t n = 0;

	if (value && allow_unlimited && strcmp(value, "-1") == 0)
		n = -1;
	else if (value && bcli_run_parse_ram(value, &n, err) < 0)
		return run_flag_error(err, value, display);
	json_object_set_new(obj, key, json_integer(n));
	return 0;
}

json_t *run_strv_json(char *const *v, bool empty_array)
{
	json_t *a;

	if (!v && !empty_array)
		return json_null();
	a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* -a values, lowercased, each one of docker's three streams. */
static int attach_streams(const struct bcli_run_flags *f, bool want[3], struct berth_error **err)
{
	static const char *const names[] = {"stdin", "stdout", "stderr"};

	for (size_t i = 0; f->attach && f->attach[i]; i++) {
		size_t k = 0;

		for (; k < 3; k++)
			if (strcasecmp(f->attach[i], names[k]) == 0)
				break;
		if (k == 3) {
			berth_error_set(err, 0, "valid streams are STDIN, STDOUT and STDERR");
			return run_flag_error(err, f->attach[i], "-a, --attach");
		}
		want[k] = true;
	}
	if (!f->attach) {
		want[1] = true;
		want[2] = true;
	}
	want[0] |= f->interactive;
	if (f->detach) {
		if (f->attach)
			return berth_error_set(err, 0, "Conflicting options: -a and -d");
		want[0] = want[1] = want[2] = false;
	}
	return 0;
}

/* --env-file first, then -e, so that -e overrides. */
static int build_env(const struct bcli_run_flags *f, json_t *config, struct berth_error **err)
{
	_cleanup_strv_ char **env = NULL;

	for (size_t i = 0; f->env_file && f->env_file[i]; i++)
		if (bcli_run_env_file_read(f->env_file[i], true, &env, err) < 0)
			return -1;
	for (size_t i = 0; f->env && f->env[i]; i++)
		if (bcli_run_env_add(f->env[i], &env, err) < 0)
			return run_flag_error(err, f->env[i], "-e, --env");
	json_object_set_new(config, "Env", run_strv_json(env, false));
	return 0;
}

static int build_labels(const struct bcli_run_flags *f, json_t *config, struct berth_error **err)
{
	_cleanup_strv_ char **kv = NULL;
	json_t *labels = json_object();

	json_object_set_new(config, "Labels", labels);
	for (size_t i = 0; f->label && f->label[i]; i++) {
		const char *l = f->label[i], *k = l + strspn(l, " \t");

		if (*k == '=' || !*k) {
			berth_error_set(err, 0, "invalid label '%s': empty name", l);
			return run_flag_error(err, l, "-l, --label");
		}
	}
	for (size_t i = 0; f->label_file && f->label_file[i]; i++)
		if (bcli_run_env_file_read(f->label_file[i], false, &kv, err) < 0)
			return -1;
	for (size_t i = 0; f->label && f->label[i]; i++)
		strv_push(&kv, f->label[i]);
	for (size_t i = 0; kv && kv[i]; i++) {
		char *eq = strchr(kv[i], '=');

		if (eq)
			*eq = '\0';
		json_object_set_new(labels, kv[i], json_string(eq ? eq + 1 : ""));
	}
	return 0;
}

static int health_duration(json_t *hc, const char *key, const char *value, const char *flag, struct berth_error **err)
{
	_cleanup_free_ char *display = xasprintf("--%s", flag);
	int64_t ns;

	if (!value)
		return 0;
	if (bcli_run_parse_duration(value, &ns, err) < 0)
		return run_flag_error(err, value, display);
	if (ns < 0)
		return berth_error_set(err, 0, "--%s cannot be negative", flag);
	if (ns)
		json_object_set_new(hc, key, json_integer(ns));
	return 0;
}

static int build_health(const struct bcli_run_flags *f, json_t *config, struct berth_error **err)
{
	json_t *hc = json_object();
	bool any;

	json_object_set_new(config, "Healthcheck", hc);
	if (health_duration(hc, "Interval", f->health_interval, "health-interval", err) < 0 ||
	    health_duration(hc, "Timeout", f->health_timeout, "health-timeout", err) < 0 ||
	    health_duration(hc, "StartPeriod", f->health_start_period, "health-start-period", err) < 0 ||
	    health_duration(hc, "StartInterval", f->health_start_interval, "health-start-interval", err) < 0)
		return -1;
	any = (f->health_cmd && *f->health_cmd) || json_object_size(hc) > 0 || f->health_retries != 0;
	if (f->no_healthcheck) {
		if (any)
			return berth_error_set(err, 0, "--no-healthcheck conflicts with --health-* options");
		json_object_clear(hc);
		json_object_set_new(hc, "Test", json_pack("[s]", "NONE"));
		return 0;
	}
	if (!any) {
		json_object_del(config, "Healthcheck");
		return 0;
	}
	if (f->health_retries < 0)
		return berth_error_set(err, 0, "--health-retries cannot be negative");
	if (f->health_cmd && *f->health_cmd)
		json_object_set_new(hc, "Test", json_pack("[s,s]", "CMD-SHELL", f->health_cmd));
	if (f->health_retries)
		json_object_set_new(hc, "Retries", json_integer(f->health_retries));
	return 0;
}

static int build_ports(const struct bcli_run_flags *f, struct run_build *b, struct berth_error **err)
{
	json_t *exposed = json_object(), *bindings = json_object();

	json_object_set_new(b->config, "ExposedPorts", exposed);
	json_object_set_new(b->host, "PortBindings", bindings);
	for (size_t i = 0; f->publish && f->publish[i]; i++)
		if (bcli_run_publish_add(f->publish[i], exposed, bindings, err) < 0)
			return -1;
	for (size_t i = 0; f->expose && f->expose[i]; i++)
		if (bcli_run_expose_add(f->expose[i], exposed, err) < 0)
			return -1;
	if (json_object_size(exposed) == 0)
		json_object_del(b->config, "ExposedPorts");
	return 0;
}

/* Image, Cmd, Entrypoint and the plain string fields. */
static void build_process(const struct bcli_run_flags *f, const struct bcli_args *args, json_t *config)
{
	json_t *cmd = json_null();

	if (args->n > 1) {
		cmd = json_array();
		for (int i = 1; i < args->n; i++)
			json_array_append_new(cmd, json_string(args->args[i]));
	}
	json_object_set_new(config, "Hostname", json_string(f->hostname ? f->hostname : ""));
	json_object_set_new(config, "Domainname", json_string(f->domainname ? f->domainname : ""));
	json_object_set_new(config, "User", json_string(f->user ? f->user : ""));
	json_object_set_new(config, "Tty", json_boolean(f->tty));
	json_object_set_new(config, "OpenStdin", json_boolean(f->interactive));
	json_object_set_new(config, "StdinOnce", json_boolean(f->interactive && !f->detach));
	json_object_set_new(config, "Cmd", cmd);
	json_object_set_new(config, "Image", json_string(args->args[0]));
	json_object_set_new(config, "WorkingDir", json_string(f->workdir ? f->workdir : ""));
	/* "--entrypoint=" resets the image's entrypoint: [""] */
	json_object_set_new(config, "Entrypoint", f->entrypoint ? json_pack("[s]", f->entrypoint) : json_null());
	json_object_set_new(config, "OnBuild", json_null());
	if (f->stop_signal && *f->stop_signal)
		json_object_set_new(config, "StopSignal", json_string(f->stop_signal));
	if (f->mac_address && *f->mac_address)
		json_object_set_new(config, "MacAddress", json_string(f->mac_address));
}

/* The checks docker's CLI (and dockerd, which berth has none of) make before anything else. */
static int check_flags(const struct bcli_run_flags *f, struct berth_error **err)
{
	const char *pull = f->pull ? f->pull : "missing";

	if (strcmp(pull, "missing") && strcmp(pull, "always") && strcmp(pull, "never"))
		return berth_error_set(
			err, 0, "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", pull);
	if (f->workdir && *f->workdir && *f->workdir != '/')
		return berth_error_set(err, 0, "the working directory '%s' is invalid, it needs to be an absolute path",
				       f->workdir);
	if (f->stop_timeout) {
		int64_t n;

		if (bcli_run_parse_goint(f->stop_timeout, 32, &n, err) < 0)
			return run_flag_error(err, f->stop_timeout, "--stop-timeout");
	}
	return 0;
}

static int build_config(struct run_build *b, const struct bcli_args *args, bool want[3], struct berth_error **err)
{
	const struct bcli_run_flags *f = b->f;

	if (check_flags(f, err) < 0 || attach_streams(f, want, err) < 0)
		return -1;
	build_process(f, args, b->config);
	json_object_set_new(b->config, "AttachStdin", json_boolean(want[0]));
	json_object_set_new(b->config, "AttachStdout", json_boolean(want[1]));
	json_object_set_new(b->config, "AttachStderr", json_boolean(want[2]));
	if (f->stop_timeout)
		json_object_set_new(b->config, "StopTimeout", json_integer(strtol(f->stop_timeout, NULL, 10)));
	if (build_env(f, b->config, err) < 0 || build_labels(f, b->config, err) < 0 ||
	    build_health(f, b->config, err) < 0 || build_ports(f, b, err) < 0)
		return -1;
	return 0;
}

static void fill_request(const struct bcli_run_flags *f, const bool want[3], struct bcli_run_request *r)
{
	static const char *const names[] = {"stdin", "stdout", "stderr"};

	r->name = f->name ? xstrdup(f->name) : NULL;
	r->pull = xstrdup(f->pull ? f->pull : "missing");
	r->platform = f->platform ? xstrdup(f->platform) : NULL;
	r->detach = f->detach;
	r->interactive = f->interactive;
	r->tty = f->tty;
	r->rm = f->rm;
	r->sig_proxy = f->sig_proxy;
	r->quiet = f->quiet;
	r->detach_keys = f->detach_keys ? xstrdup(f->detach_keys) : NULL;
	r->cidfile = f->cidfile ? xstrdup(f->cidfile) : NULL;
	r->attach = xcalloc(4, sizeof(char *));
	for (size_t i = 0, n = 0; i < 3; i++)
		if (want[i])
			r->attach[n++] = xstrdup(names[i]);
}

int bcli_run_request_build(const struct bcli_run_flags *f, const struct bcli_args *args, struct bcli_run_request *ret,
			   struct berth_error **err)
{
	struct run_build b = {.f = f, .config = json_object(), .host = json_object(), .networking = json_object()};
	bool want[3] = {false, false, false};
	json_t *body =
		json_pack("{s:o,s:o,s:o}", "Config", b.config, "HostConfig", b.host, "NetworkingConfig", b.networking);

	if (args->n < 1) {
		json_decref(body);
		return berth_error_set(err, 0, "no image given");
	}
	if (build_config(&b, args, want, err) < 0 || run_build_host(&b, err) < 0 || run_build_network(&b, err) < 0) {
		json_decref(body);
		return -1;
	}
	memset(ret, 0, sizeof(*ret));
	ret->body = body;
	fill_request(f, want, ret);
	return 0;
}

void bcli_run_request_done(struct bcli_run_request *r)
{
	json_decref(r->body);
	free(r->name);
	free(r->pull);
	free(r->platform);
	free(r->detach_keys);
	free(r->cidfile);
	strv_free(r->attach);
	memset(r, 0, sizeof(*r));
}
