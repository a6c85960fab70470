/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table-driven command line parsing with runc's (urfave/cli + Go flag) rules:
 * -flag and --flag alike, -flag=value, bool flags with =true/false, repeated
 * list flags, "--" ending flags, and optionally flags after positionals.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct berth_error;
struct buf;

enum cli_opt_type {
	CLI_OPT_BOOL,	/* bool; "--x", "--x=true", "--x=false" */
	CLI_OPT_STRING, /* const char *, points into argv; last one wins */
	CLI_OPT_INT,	/* int, decimal */
	CLI_OPT_STRV,	/* char **, every occurrence appended (copies; see cli_opts_done) */
};

/* One flag: names without dashes; offset of its field in the command's options struct. */
struct cli_opt {
	const char *name; /* long name: "bundle" */
	char short_name;  /* 'b', or 0 */
	enum cli_opt_type type;
	size_t offset;	   /* offsetof(struct <cmd>_opts, field) */
	const char *help;  /* one line for the usage text */
	const char *deflt; /* shown as "(default: …)" in the usage text, or NULL */
};

/* The table ends with an entry whose name is NULL. */
#define CLI_OPT_END                                  \
	{                                            \
		NULL, 0, CLI_OPT_BOOL, 0, NULL, NULL \
	}

enum cli_parse_flags {
	/*
	 * Known flags are taken anywhere before "--", also after positionals
	 * (urfave/cli's argument reordering); an unknown flag after the first
	 * positional is a positional. Without it parsing stops at the first
	 * positional and everything after it is positional (runc exec, ps).
	 */
	CLI_PARSE_PERMUTE = 1 << 0,
};

struct cli_args {
	char **args; /* positionals, NULL-terminated; the strings point into argv */
	int n;
	bool help; /* -h, --help (or -help) was given */
};

/*
 * Parse argv[0..argc) against opts, filling the struct at dst (zeroed by the
 * caller). On success *ret holds the positionals (free with cli_args_done);
 * on failure err says which flag was wrong ("unknown flag '--foo'") and
 * STRV fields filled so far are still owned by dst (cli_opts_done frees them).
 */
int cli_parse(const struct cli_opt *opts, void *dst, int argc, char **argv, unsigned flags, struct cli_args *ret,
	      struct berth_error **err);
void cli_args_done(struct cli_args *a);
/* Free the STRV fields of dst. */
void cli_opts_done(const struct cli_opt *opts, void *dst);

/* Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. -1 when neither. */
int cli_parse_bool(const char *s, bool *ret);

/* Append runc-style OPTIONS lines for opts ("   --bundle value, -b value  help"), aligned. */
void cli_opts_usage(const struct cli_opt *opts, struct buf *out);
