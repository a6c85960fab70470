/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth's flag parser: pflag's syntax, messages and help layout, table-driven. */
#include "cli/berth/options.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

/* The implicit --help stands after the last table entry. */
#define NOT_FOUND SIZE_MAX

struct parser {
	const struct bcli_opt *opts;
	size_t n_opts;
	void *dst;
	bool h_free; /* no flag claims 'h': -h asks for help */
	struct bcli_args a;
};

int bcli_parse_bool(const char *s, bool *ret)
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

/* strconv.ParseInt(s, 0, 64) narrowed to int; NULL on success, else Go's reason. */
static const char *parse_go_int(const char *s, int *ret)
{
	const char *p = s;
	char *end = NULL;
	long long v;

	if (*p == '+' || *p == '-')
		p++;
	/* strtoll would skip blanks and take a lone sign; Go takes neither */
	if (*p < '0' || *p > '9')
		return "invalid syntax";
	errno = 0;
	v = strtoll(s, &end, 0);
	if (*end != '\0')
		return "invalid syntax";
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return "value out of range";
	*ret = (int)v;
	return NULL;
}

/* "-n, --last" or "--last", as pflag names a flag in messages. */
static char *flag_display(const struct parser *p, size_t idx)
{
	if (idx == p->n_opts)
		return xstrdup("--help");
	if (p->opts[idx].shorthand)
		return xasprintf("-%c, --%s", p->opts[idx].shorthand, p->opts[idx].name);
	return xasprintf("--%s", p->opts[idx].name);
}

static int invalid_argument(const struct parser *p, size_t idx, const char *value, const char *func, const char *why,
			    struct berth_error **err)
{
	_cleanup_free_ char *display = flag_display(p, idx);

	return berth_error_set(err, 0, "invalid argument \"%s\" for \"%s\" flag: strconv.%s: parsing \"%s\": %s", value,
			       display, func, value, why);
}

/* Store value into the field of flag idx. */
static int set_value(struct parser *p, size_t idx, const char *value, struct berth_error **err)
{
	const struct bcli_opt *o = idx < p->n_opts ? &p->opts[idx] : NULL;
	enum bcli_opt_type type = o ? o->type : BCLI_OPT_BOOL;
	char *field = o ? (char *)p->dst + o->offset : NULL;
	const char *why;
	bool b;
	int n;

	switch (type) {
	case BCLI_OPT_BOOL:
		if (bcli_parse_bool(value, &b) < 0)
			return invalid_argument(p, idx, value, "ParseBool", "invalid syntax", err);
		if (o)
			*(bool *)field = b;
		else
			p->a.help = b;
		break;
	case BCLI_OPT_STRING:
		*(const char **)field = value;
		break;
	case BCLI_OPT_INT:
		why = parse_go_int(value, &n);
		if (why)
			return invalid_argument(p, idx, value, "ParseInt", why, err);
		*(int *)field = n;
		break;
	case BCLI_OPT_LIST:
		strv_push((char ***)field, value);
		break;
	}
	if (o)
		p->a.changed[idx] = true;
	return 0;
}

static size_t find_long(const struct parser *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->n_opts; i++)
		if (strlen(p->opts[i].name) == len && strncmp(p->opts[i].name, name, len) == 0)
			return i;
	if (len == 4 && strncmp(name, "help", 4) == 0)
		return p->n_opts;
	return NOT_FOUND;
}

static size_t find_short(const struct parser *p, char c)
{
	for (size_t i = 0; i < p->n_opts; i++)
		if (p->opts[i].shorthand == c)
			return i;
	if (c == 'h' && p->h_free)
		return p->n_opts;
	return NOT_FOUND;
}

static bool is_bool(const struct parser *p, size_t idx)
{
	return idx == p->n_opts || p->opts[idx].type == BCLI_OPT_BOOL;
}

/* "--name", "--name=value", "--name value"; *i moves past a separate value. */
static int parse_long(struct parser *p, int argc, char **argv, int *i, struct berth_error **err)
{
	const char *arg = argv[*i], *name = arg + 2, *eq, *value;
	size_t len, idx;

	if (*name == '-' || *name == '=')
		return berth_error_set(err, 0, "bad flag syntax: %s", arg);
	eq = strchr(name, '=');
	len = eq ? (size_t)(eq - name) : strlen(name);
	idx = find_long(p, name, len);
	if (idx == NOT_FOUND)
		return berth_error_set(err, 0, "unknown flag: --%.*s", (int)len, name);
	if (eq)
		value = eq + 1;
	else if (is_bool(p, idx))
		value = "true";
	else if (*i + 1 < argc)
		value = argv[++*i];
	else
		return berth_error_set(err, 0, "flag needs an argument: %s", arg);
	return set_value(p, idx, value, err);
}

static void quote_char(char c, char ret[8])
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(ret, 8, "'%c'", c);
	else
		snprintf(ret, 8, "'\\x%02x'", (unsigned char)c);
}

/* "-abc", "-nvalue", "-n=value", "-n value": pflag's parseSingleShortArg in a loop. */
static int parse_shorts(struct parser *p, int argc, char **argv, int *i, struct berth_error **err)
{
	const char *s = argv[*i] + 1, *value;
	char q[8];

	while (*s) {
		size_t idx = find_short(p, *s);

		quote_char(*s, q);
		if (idx == NOT_FOUND)
			return berth_error_set(err, 0, "unknown shorthand flag: %s in -%s", q, s);
		if (s[1] == '=' && s[2] != '\0') {
			value = s + 2;
			s += strlen(s);
		} else if (is_bool(p, idx)) {
			value = "true";
			s++;
		} else if (s[1] != '\0') {
			value = s + 1;
			s += strlen(s);
		} else if (*i + 1 < argc) {
			value = argv[++*i];
			s++;
		} else {
			return berth_error_set(err, 0, "flag needs an argument: %s in -%s", q, s);
		}
		if (set_value(p, idx, value, err) < 0)
			return -1;
	}
	return 0;
}

/* Defaults go in before the flags, so that a flag given overrides them. */
static int apply_defaults(struct parser *p, struct berth_error **err)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		if (!p->opts[i].deflt || p->opts[i].type == BCLI_OPT_LIST)
			continue;
		if (set_value(p, i, p->opts[i].deflt, err) < 0)
			return berth_error_wrap(err, "default of '--%s'", p->opts[i].name);
		p->a.changed[i] = false;
	}
	return 0;
}

static void push_arg(struct bcli_args *a, char *arg)
{
	a->args[a->n++] = arg;
}

static int parse_all(struct parser *p, int argc, char **argv, unsigned flags, struct berth_error **err)
{
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];

		if (p->a.dash_at >= 0) {
			push_arg(&p->a, arg);
		} else if (arg[0] != '-' || arg[1] == '\0') {
			push_arg(&p->a, arg);
			/* the rest belongs to the first positional, "--" included */
			if (flags & BCLI_PARSE_NO_INTERSPERSED)
				while (++i < argc)
					push_arg(&p->a, argv[i]);
		} else if (strcmp(arg, "--") == 0) {
			p->a.dash_at = p->a.n;
		} else if (arg[1] == '-') {
			if (parse_long(p, argc, argv, &i, err) < 0)
				return -1;
		} else if (parse_shorts(p, argc, argv, &i, err) < 0) {
			return -1;
		}
	}
	return 0;
}

int bcli_parse(const struct bcli_opt *opts, void *dst, int argc, char **argv, unsigned flags, struct bcli_args *ret,
	       struct berth_error **err)
{
	struct parser p = {.opts = opts, .dst = dst, .h_free = false};

	while (opts && opts[p.n_opts].name)
		p.n_opts++;
	p.h_free = find_short(&p, 'h') == NOT_FOUND;
	p.a.args = xcalloc((size_t)argc + 1, sizeof(char *));
	p.a.changed = xcalloc(p.n_opts + 1, sizeof(bool));
	p.a.dash_at = -1;
	if (apply_defaults(&p, err) < 0 || parse_all(&p, argc, argv, flags, err) < 0) {
		bcli_args_done(&p.a);
		return -1;
	}
	*ret = p.a;
	return 0;
}

void bcli_args_done(struct bcli_args *a)
{
	free(a->args);
	free(a->changed);
	a->args = NULL;
	a->changed = NULL;
	a->n = 0;
}

void bcli_opts_done(const struct bcli_opt *opts, void *dst)
{
	for (const struct bcli_opt *o = opts; o && o->name; o++) {
		if (o->type == BCLI_OPT_LIST) {
			char ***field = (char ***)((char *)dst + o->offset);
			strv_free(*field);
			*field = NULL;
		}
	}
}

bool bcli_args_changed(const struct bcli_args *a, const struct bcli_opt *opts, const char *name)
{
	for (size_t i = 0; opts && opts[i].name; i++)
		if (strcmp(opts[i].name, name) == 0)
			return a->changed && a->changed[i];
	return false;
}

/* pflag's type word: the varname given, else the Go type docker's flags show. */
static const char *opt_varname(const struct bcli_opt *o)
{
	static const char *const by_type[] = {
		[BCLI_OPT_BOOL] = "",
		[BCLI_OPT_STRING] = "string",
		[BCLI_OPT_INT] = "int",
		[BCLI_OPT_LIST] = "list",
	};

	return o->varname ? o->varname : by_type[o->type];
}

static bool default_is_zero(const struct bcli_opt *o)
{
	const char *d = o->deflt;

	return !d || !*d || (o->type == BCLI_OPT_BOOL && strcmp(d, "false") == 0) ||
	       (o->type == BCLI_OPT_INT && strcmp(d, "0") == 0);
}

/* s[0..len) with every newline followed by indent spaces. */
static void append_indented(struct buf *out, const char *s, size_t len, int indent)
{
	for (size_t k = 0; k < len; k++) {
		buf_append(out, &s[k], 1);
		if (s[k] == '\n')
			buf_printf(out, "%*s", indent, "");
	}
}

/*
 * pflag's wrapN: split s at the last blank within width, unless the whole
 * rest fits within width + slop; a newline before that blank wins.
 */
static size_t wrap_split(const char *s, int width, int slop, size_t *ret_next)
{
	size_t len = strlen(s), blank = 0, nl = 0;

	if ((size_t)(width + slop) > len)
		goto whole;
	for (size_t k = 0; k < (size_t)width; k++) {
		if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')
			blank = k;
		if (s[k] == '\n')
			nl = k;
	}
	if (blank == 0)
		goto whole;
	if (nl > 0 && nl < blank)
		blank = nl;
	*ret_next = blank + 1;
	return blank;
whole:
	*ret_next = len;
	return len;
}

/* pflag's wrap: the first line continues the caller's, the others start at indent. */
static void wrap_usage(struct buf *out, int indent, int cols, const char *s)
{
	const int slop = 5;
	int width = cols - indent;
	bool first = true;

	if (cols <= 0) {
		append_indented(out, s, strlen(s), indent);
		return;
	}
	if (width < 24) {
		/* no room beside the flags: the text goes below them */
		indent = 16;
		width = cols - indent;
		buf_printf(out, "\n%*s", indent, "");
	}
	if (width < 24) {
		append_indented(out, s, strlen(s), indent);
		return;
	}
	while (first || *s) {
		size_t next, n = wrap_split(s, width - slop, slop, &next);

		if (!first)
			buf_printf(out, "\n%*s", indent, "");
		append_indented(out, s, n, indent);
		s += next;
		first = false;
	}
}

static char *flag_names(const struct bcli_opt *o)
{
	const char *var = opt_varname(o);
	const char *sep = *var ? " " : "";

	if (o->shorthand)
		return xasprintf("  -%c, --%s%s%s", o->shorthand, o->name, sep, var);
	return xasprintf("      --%s%s%s", o->name, sep, var);
}

static int opt_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct bcli_opt *const *)a)->name, (*(const struct bcli_opt *const *)b)->name);
}

/* The visible flags of opts sorted by name, as pflag lists them. */
static size_t visible_sorted(const struct bcli_opt *opts, const struct bcli_opt ***ret)
{
	size_t n = 0, total = 0;

	while (opts && opts[total].name)
		total++;
	*ret = xcalloc(total + 1, sizeof(**ret));
	for (size_t i = 0; i < total; i++)
		if (!opts[i].hidden)
			(*ret)[n++] = &opts[i];
	qsort(*ret, n, sizeof(**ret), opt_cmp);
	return n;
}

void bcli_opts_usage(const struct bcli_opt *opts, int cols, struct buf *out)
{
	_cleanup_free_ const struct bcli_opt **v = NULL;
	size_t n = visible_sorted(opts, &v);
	int maxlen = 0;

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *names = flag_names(v[i]);
		if ((int)strlen(names) + 1 > maxlen)
			maxlen = (int)strlen(names) + 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct bcli_opt *o = v[i];
		_cleanup_free_ char *names = flag_names(o), *usage = NULL;
		const char *help = o->help ? o->help : "";

		if (default_is_zero(o))
			usage = xstrdup(help);
		else if (o->type == BCLI_OPT_STRING)
			usage = xasprintf("%s (default \"%s\")", help, o->deflt);
		else
			usage = xasprintf("%s (default %s)", help, o->deflt);
		/* Go's Fprintln puts a blank on both sides of the padding */
		buf_printf(out, "%s %*s ", names, maxlen - (int)strlen(names), "");
		wrap_usage(out, maxlen + 2, cols, usage);
		buf_puts(out, "\n");
	}
}
