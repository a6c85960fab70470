/* SPDX-License-Identifier: GPL-2.0-or-later */
/* -e/--env, --env-file and --label-file of `berth run`: docker's KEY=value files and environment pass-through. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/run_parse.h"

/* One line of a KEY=value file (BOM and "\r" already gone). */
static int env_line(const char *raw, bool lookup, char ***env, struct berth_error **err)
{
	const char *line = raw, *eq;
	_cleanup_free_ char *var = NULL;
	size_t vlen;

	while (*line == ' ' || *line == '\t' || *line == '\n' || *line == '\v' || *line == '\f' || *line == '\r')
		line++;
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	vlen = eq ? (size_t)(eq - line) : strlen(line);
	var = strndup(line, vlen);
	if (strpbrk(var, " \t"))
		return berth_error_set(err, 0, "poorly formatted environment: variable '%s' contains whitespaces", var);
	if (!*var)
		return berth_error_set(err, 0, "poorly formatted environment: no variable name on line '%s'", line);
	if (eq) {
		strv_push_take(env, xasprintf("%s=%s", var, eq + 1));
	} else if (lookup) {
		const char *value = getenv(var);

		if (value)
			strv_push_take(env, xasprintf("%s=%s", var, value));
	}
	return 0;
}

int bcli_run_env_file_read(const char *path, bool lookup, char ***env, struct berth_error **err)
{
	_cleanup_free_ char *text = NULL;
	char *line, *next;
	size_t len = 0;

	if (fs_read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
		return -1;
	if (strlen(text) != len)
		return berth_error_set(err, 0, "env file '%s' holds a NUL byte", path);
	line = text;
	if (strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	for (; line && *line; line = next) {
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (env_line(line, lookup, env, err) < 0)
			return -1;
	}
	return 0;
}

int bcli_run_env_add(const char *s, char ***env, struct berth_error **err)
{
	const char *value;

	if (!*s || *s == '=')
		return berth_error_set(err, 0, "invalid environment variable: %s", s);
	if (strchr(s, '=')) {
		strv_push(env, s);
		return 0;
	}
	value = getenv(s);
	if (value)
		strv_push_take(env, xasprintf("%s=%s", s, value));
	return 0;
}
