/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth's flag parser with Docker's (spf13/pflag) rules: --name value, --name=value,
 * -n value, -nvalue, -n=value, combined bool shorthands (-itd), "--" ending flags,
 * repeated list flags appending, and interspersed flags switched per command.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct berth_error;
struct buf;

enum bcli_opt_type {
	BCLI_OPT_BOOL,	 /* bool; "--x", "--x=false", "-x"; never takes the next argument */
	BCLI_OPT_STRING, /* const char *, points into argv or at the default; last one wins */
	BCLI_OPT_INT,	 /* int; Go's strconv.ParseInt base 0 ("10", "0x1f", "-1") */
	BCLI_OPT_LIST,	 /* char **, every occurrence appended (copies; free with bcli_opts_done) */
};

/*
 * One flag of a command: names without dashes and the offset of its field in
 * the command's options struct. Types pflag has and this parser lacks (duration,
 * bytes, uint64, maps) are BCLI_OPT_STRING with a varname; the command parses them.
 */
struct bcli_opt {
	const char *name; /* long name: "publish" */
	char shorthand;	  /* 'p', or 0 */
	enum bcli_opt_type type;
	size_t offset;	     /* offsetof(struct <cmd>_opts, field) */
	const char *help;    /* usage text; may hold "\n" for extra lines */
	const char *deflt;   /* default, applied before parsing and shown "(default …)"; NULL: zero */
	const char *varname; /* the type word of the help ("duration", "bytes", "filter"); NULL: by type */
	bool hidden;	     /* parsed but left out of the help */
};

/* The table ends with an entry whose name is NULL. */
#define BCLI_OPT_END                                               \
	{                                                          \
		NULL, 0, BCLI_OPT_BOOL, 0, NULL, NULL, NULL, false \
	}

enum bcli_parse_flags {
	/*
	 * Stop at the first positional: it and everything after it are positionals,
	 * "--" included (docker run/create/exec: the container's command follows
	 * the image). Without it flags may follow positionals, as pflag's default.
	 */
	BCLI_PARSE_NO_INTERSPERSED = 1 << 0,
};

struct bcli_args {
	char **args; /* positionals, NULL-terminated; the strings point into argv */
	int n;
	int dash_at;   /* positionals before a "--" that ended the flags, -1 without one (cobra's ArgsLenAtDash) */
	bool help;     /* --help, or -h when the table has no 'h' */
	bool *changed; /* per table entry: given on the command line (cobra's Flag.Changed) */
};

/*
 * Parse argv[0..argc) against opts, filling the struct at dst: first every
 * default (dst zeroed by the caller), then the flags as given. --help (and -h
 * when free) is implicit. On success *ret holds the positionals (free with
 * bcli_args_done). On failure err holds pflag's message ("unknown flag: --foo",
 * "flag needs an argument: 'n' in -n", "invalid argument \"x\" for \"-n, --last\"
 * flag: strconv.ParseInt: parsing \"x\": invalid syntax"), *ret is untouched and
 * LIST fields filled so far still belong to dst (bcli_opts_done frees them).
 */
int bcli_parse(const struct bcli_opt *opts, void *dst, int argc, char **argv, unsigned flags, struct bcli_args *ret,
	       struct berth_error **err);
void bcli_args_done(struct bcli_args *a);
/* Free the LIST fields of dst. */
void bcli_opts_done(const struct bcli_opt *opts, void *dst);
/* Whether the flag named name (long name) was given; false for names not in opts. */
bool bcli_args_changed(const struct bcli_args *a, const struct bcli_opt *opts, const char *name);

/* Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. -1 when neither. */
int bcli_parse_bool(const char *s, bool *ret);

/*
 * Append pflag's FlagUsagesWrapped(cols) for the visible flags of opts (docker
 * hides --help): "  -n, --last int   Show n last created containers (default -1)",
 * the usage column aligned, text wrapped at cols as pflag does (0: no wrapping).
 */
void bcli_opts_usage(const struct bcli_opt *opts, int cols, struct buf *out);

/*
 * Table entries: BCLI_FLAG(name, shorthand, type, struct, field, help) and
 * BCLI_FLAGX(..., default, varname) for a default or a help type word.
 */
#define BCLI_FLAG(name, sh, type, st, field, help)                           \
	{                                                                    \
		name, sh, type, offsetof(st, field), help, NULL, NULL, false \
	}
#define BCLI_FLAGX(name, sh, type, st, field, help, deflt, varname)              \
	{                                                                        \
		name, sh, type, offsetof(st, field), help, deflt, varname, false \
	}
