/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What commands.c (registry, dispatch) and help.c (help texts) share inside cli/berth. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cli/berth/commands.h"

/* A management command: a name that groups subcommands ("berth image ls"). */
struct bcli_group {
	const char *name;
	const char *summary;
};

/* Every registered command, in registry order. */
const struct bcli_command *const *bcli_registry(size_t *ret_n);
/* Every group, registered commands or not. */
const struct bcli_group *bcli_groups(size_t *ret_n);
/* The name of c at the top level ("images" for "image ls"), NULL when it lives only in its group. */
const char *bcli_top_name(const struct bcli_command *c);
/* The command called name (or an alias) at the top level, or NULL. */
const struct bcli_command *bcli_find_top(const char *name);
/* The command called name (or an alias) in group g, or NULL. */
const struct bcli_command *bcli_find_sub(const struct bcli_group *g, const char *name);
/* The group called name when it has a registered command, else NULL. */
const struct bcli_group *bcli_find_group(const char *name);
/* Whether some command sits in g; with visible_only, some not hidden one. */
bool bcli_group_has(const struct bcli_group *g, bool visible_only);

/* Parse argv (after the command's name), check the argument count and run c as path. Returns the exit code. */
int bcli_run_command(const struct bcli_ctx *ctx, const struct bcli_command *c, const char *path, int argc, char **argv);

/* "berth image ls [OPTIONS] [REPOSITORY[:TAG]]": path and usage (caller frees). */
char *bcli_usage_line(const struct bcli_command *c, const char *path);
/* The help of c called as path, on stdout. */
void bcli_help_command(const struct bcli_command *c, const char *path);
/* The help of group g (its commands), on stdout. */
void bcli_help_group(const struct bcli_group *g);
