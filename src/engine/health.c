/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Docker's HEALTHCHECK rules, pure: Config.Healthcheck decoded with the
 * defaults, a probe result applied to State.Health, the probe schedule and
 * docker ps's status suffix. health_run.c runs the probes.
 */
#include <string.h>

#include "base/base.h"
#include "engine/engine.h"

static int64_t duration_or(json_t *hc, const char *key, int64_t dflt)
{
	json_int_t v = json_integer_value(json_object_get(hc, key));

	return v > 0 ? (int64_t)v : dflt;
}

/* The shell of CMD-SHELL: Config.Shell when set, else /bin/sh -c. */
static int push_shell(char ***argv, json_t *shell, struct berth_error **err)
{
	json_t *v;
	size_t i;

	if (!json_is_array(shell) || json_array_size(shell) == 0) {
		strv_push(argv, "/bin/sh");
		strv_push(argv, "-c");
		return 0;
	}
	json_array_foreach(shell, i, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, 0, "Config.Shell[%zu]: expected string", i);
		strv_push(argv, json_string_value(v));
	}
	return 0;
}

int eng_health_config_parse(json_t *hc, json_t *shell, struct eng_health_config *ret, struct berth_error **err)
{
	json_t *test = json_object_get(hc, "Test"), *v;
	_cleanup_strv_ char **argv = NULL;
	const char *kind;
	size_t i;

	memset(ret, 0, sizeof(*ret));
	if (!json_is_array(test) || json_array_size(test) == 0)
		return 0;
	json_array_foreach(test, i, v) if (!json_is_string(v)) return berth_error_set(
		err, 0, "Healthcheck.Test[%zu]: expected string", i);
	kind = json_string_value(json_array_get(test, 0));
	if (!strcmp(kind, "NONE"))
		return 0;
	argv = xcalloc(1, sizeof(char *));
	if (!strcmp(kind, "CMD-SHELL") && push_shell(&argv, shell, err) < 0)
		return -1;
	else if (strcmp(kind, "CMD") && strcmp(kind, "CMD-SHELL"))
		return berth_error_set(err, 0, "Healthcheck.Test: unknown type '%s'", kind);
	for (i = 1; i < json_array_size(test); i++)
		strv_push(&argv, json_string_value(json_array_get(test, i)));
	if (json_array_size(test) < 2)
		return berth_error_set(err, 0, "Healthcheck.Test: %s needs a command", kind);
	ret->argv = TAKE_PTR(argv);
	ret->interval_ns = duration_or(hc, "Interval", ENG_HEALTH_INTERVAL_NS);
	ret->timeout_ns = duration_or(hc, "Timeout", ENG_HEALTH_TIMEOUT_NS);
	ret->start_period_ns = duration_or(hc, "StartPeriod", 0);
	ret->start_interval_ns = duration_or(hc, "StartInterval", ENG_HEALTH_START_INTERVAL_NS);
	ret->retries = (int)duration_or(hc, "Retries", ENG_HEALTH_RETRIES);
	return 0;
}

void eng_health_config_done(struct eng_health_config *c)
{
	strv_free(c->argv);
	c->argv = NULL;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80		   ? 1
		     : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
		     : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		     : s[0] >= 0xf0 && s[0] < 0xf5 ? 4
						   : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong three- and four-byte forms, surrogates, beyond U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* A JSON string of the output: invalid UTF-8 bytes become U+FFFD, as Go's encoder writes them. */
static json_t *output_json(const char *s)
{
	size_t n = s ? strlen(s) : 0, o = 0;
	_cleanup_free_ char *buf = xmalloc(n * 3 + 1);

	for (size_t i = 0; i < n;) {
		size_t len = utf8_len((const unsigned char *)s + i, n - i);

		if (len == 0) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(buf + o, s + i, len);
		o += len;
		i += len;
	}
	return json_stringn(buf, o);
}

static json_t *log_entry(const struct eng_health_result *r)
{
	_cleanup_free_ char *start = eng_time_rfc3339(r->start_sec, r->start_nsec);
	_cleanup_free_ char *end = eng_time_rfc3339(r->end_sec, r->end_nsec);
	json_t *o = json_object();

	json_object_set_new(o, "Start", json_string(start));
	json_object_set_new(o, "End", json_string(end));
	json_object_set_new(o, "ExitCode", json_integer(r->exit_code));
	json_object_set_new(o, "Output", output_json(r->output));
	return o;
}

void eng_health_record(json_t *health, const struct eng_health_result *r, int retries, bool in_start_period)
{
	json_t *log = json_object_get(health, "Log");
	const char *status = json_string_value(json_object_get(health, "Status"));
	json_int_t streak = json_integer_value(json_object_get(health, "FailingStreak"));

	if (!status || !*status)
		status = ENG_HEALTH_STARTING;
	if (retries <= 0)
		retries = ENG_HEALTH_RETRIES;
	if (r->exit_code == 0) {
		streak = 0;
		status = ENG_HEALTH_HEALTHY;
	} else if (!(in_start_period && !strcmp(status, ENG_HEALTH_STARTING))) {
		/* a failure during the start period does not count until a first success */
		if (++streak >= retries)
			status = ENG_HEALTH_UNHEALTHY;
	}
	/* json_string copies status before the old value it may point into is released */
	json_object_set_new(health, "Status", json_string(status));
	json_object_set_new(health, "FailingStreak", json_integer(streak));
	if (!json_is_array(log)) {
		log = json_array();
		json_object_set_new(health, "Log", log);
	}
	while (json_array_size(log) >= ENG_HEALTH_LOG_ENTRIES)
		json_array_remove(log, 0);
	json_array_append_new(log, log_entry(r));
}

int64_t eng_health_next_delay(const struct eng_health_config *c, const char *status, int64_t since_start_ns)
{
	if (since_start_ns >= c->start_period_ns)
		return c->interval_ns;
	if (status && !strcmp(status, ENG_HEALTH_STARTING))
		return c->start_interval_ns;
	return c->interval_ns;
}

char *eng_health_suffix(json_t *state)
{
	const char *status = json_string_value(json_object_get(json_object_get(state, "Health"), "Status"));

	if (!json_is_true(json_object_get(state, "Running")) || json_is_true(json_object_get(state, "Paused")) ||
	    json_is_true(json_object_get(state, "Restarting")) || !status || !*status || !strcmp(status, "none"))
		return xstrdup("");
	if (!strcmp(status, ENG_HEALTH_STARTING))
		return xstrdup(" (health: starting)");
	return xasprintf(" (%s)", status);
}
