/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table-driven flag parser of berth-runtime: Go flag syntax, urfave/cli ordering rules. */
#include "cli/runtime/options.h"

#include <errno.h>
#include <string.h>

#include "base/base.h"

int cli_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -1;
}

/* A flag as written: dashes, name and optional "=value". */
struct flag_word {
	const char *text;  /* the whole argument */
	const char *name;  /* after the dashes */
	size_t name_len;   /* up to '=' or the end */
	const char *value; /* after '=', or NULL */
};

static int split_flag(const char *arg, struct flag_word *ret, struct berth_error **err)
{
	const char *name = arg + 1, *eq;

	if (*name == '-')
		name++;
	if (*name == '\0' || *name == '-' || *name == '=')
		return berth_error_set(err, 0, "bad flag syntax '%s'", arg);
	eq = strchr(name, '=');
	ret->text = arg;
	ret->name = name;
	ret->name_len = eq ? (size_t)(eq - name) : strlen(name);
	ret->value = eq ? eq + 1 : NULL;
	return 0;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const struct flag_word *w)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		if (strlen(o->name) == w->name_len && strncmp(o->name, w->name, w->name_len) == 0)
			return o;
		if (o->short_name && w->name_len == 1 && w->name[0] == o->short_name)
			return o;
	}
	return NULL;
}

static bool is_help_flag(const struct flag_word *w)
{
	return (w->name_len == 1 && w->name[0] == 'h') || (w->name_len == 4 && strncmp(w->name, "help", 4) == 0);
}

/* Length of the flag as written without "=value", for messages. */
static int flag_text_len(const struct flag_word *w)
{
	return (int)(w->name - w->text + (ptrdiff_t)w->name_len);
}

/* Store one flag's value into dst; *i moves past a separate value argument. */
static int set_opt(const struct cli_opt *o, void *dst, const struct flag_word *w, int argc, char **argv, int *i,
		   struct berth_error **err)
{
	char *field = (char *)dst + o->offset;
	const char *value = w->value;
	bool b;
	int n;

	if (o->type == CLI_OPT_BOOL) {
		if (!value) {
			*(bool *)field = true;
		} else if (cli_parse_bool(value, &b) == 0) {
			*(bool *)field = b;
		} else {
			return berth_error_set(err, 0, "invalid value '%s' for flag '%.*s': expected true or false",
					       value, flag_text_len(w), w->text);
		}
		return 0;
	}
	if (!value) {
		if (*i + 1 >= argc)
			return berth_error_set(err, 0, "flag '%.*s' needs an argument", flag_text_len(w), w->text);
		value = argv[++*i];
	}
	switch (o->type) {
	case CLI_OPT_STRING:
		*(const char **)field = value;
		break;
	case CLI_OPT_INT:
		if (parse_int(value, &n) < 0)
			return berth_error_set(err, 0, "invalid value '%s' for flag '%.*s'", value, flag_text_len(w),
					       w->text);
		*(int *)field = n;
		break;
	case CLI_OPT_STRV:
		strv_push((char ***)field, value);
		break;
	case CLI_OPT_BOOL:
		break;
	}
	return 0;
}

static void push_arg(struct cli_args *a, char *arg)
{
	a->args[a->n++] = arg;
}

int cli_parse(const struct cli_opt *opts, void *dst, int argc, char **argv, unsigned flags, struct cli_args *ret,
	      struct berth_error **err)
{
	struct cli_args a = {xcalloc((size_t)argc + 1, sizeof(char *)), 0, false};
	bool permute = flags & CLI_PARSE_PERMUTE, done = false;

	for (int i = 0; i < argc; i++) {
		const struct cli_opt *o;
		struct flag_word w = {0};
		char *arg = argv[i];

		if (done || (a.n > 0 && !permute)) {
			push_arg(&a, arg);
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			/* after a positional, urfave/cli leaves "--" among the arguments */
			if (a.n > 0)
				push_arg(&a, arg);
			done = true;
			continue;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			push_arg(&a, arg);
			continue;
		}
		if (split_flag(arg, &w, err) < 0)
			goto fail;
		o = find_opt(opts, &w);
		if (o) {
			if (set_opt(o, dst, &w, argc, argv, &i, err) < 0)
				goto fail;
		} else if (is_help_flag(&w)) {
			a.help = true;
		} else if (a.n > 0) {
			push_arg(&a, arg); /* not one of ours: urfave/cli keeps it as an argument */
		} else {
			berth_error_set(err, 0, "unknown flag '%.*s'", flag_text_len(&w), w.text);
			goto fail;
		}
	}
	*ret = a;
	return 0;
fail:
	cli_args_done(&a);
	return -1;
}

void cli_args_done(struct cli_args *a)
{
	free(a->args);
	a->args = NULL;
	a->n = 0;
}

void cli_opts_done(const struct cli_opt *opts, void *dst)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		if (o->type == CLI_OPT_STRV) {
			char ***field = (char ***)((char *)dst + o->offset);
			strv_free(*field);
			*field = NULL;
		}
	}
}

static char *opt_names(const struct cli_opt *o)
{
	const char *value = o->type == CLI_OPT_BOOL ? "" : " value";

	if (o->short_name)
		return xasprintf("--%s%s, -%c%s", o->name, value, o->short_name, value);
	return xasprintf("--%s%s", o->name, value);
}

void cli_opts_usage(const struct cli_opt *opts, struct buf *out)
{
	size_t width = 0;

	for (const struct cli_opt *o = opts; o && o->name; o++) {
		_cleanup_free_ char *names = opt_names(o);
		if (strlen(names) > width)
			width = strlen(names);
	}
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		_cleanup_free_ char *names = opt_names(o);
		buf_printf(out, "   %-*s  %s", (int)width, names, o->help ? o->help : "");
		if (o->deflt)
			buf_printf(out, " (default: %s)", o->deflt);
		buf_puts(out, "\n");
	}
}
