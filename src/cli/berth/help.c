/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth's help texts in Docker's layout: the program's sections, a group's commands, one command's flags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/internal.h"

/* cobra pads command names to at least this width */
#define MIN_NAME_PADDING 11

/* Docker's "Common Commands", in Docker's order; those berth has are listed. */
static const char *const common_commands[] = {
	"run", "exec", "ps", "build", "pull", "push", "images", "login", "logout", "search", "version", "info",
};

struct entry {
	const char *name;
	const char *summary;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static bool is_common(const char *name)
{
	for (size_t i = 0; i < sizeof(common_commands) / sizeof(common_commands[0]); i++)
		if (strcmp(common_commands[i], name) == 0)
			return true;
	return false;
}

static int name_padding(const struct entry *e, size_t n, int pad)
{
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(e[i].name) > pad)
			pad = (int)strlen(e[i].name);
	return pad;
}

static void list_section(struct buf *b, const char *title, const struct entry *e, size_t n, int pad)
{
	if (n == 0)
		return;
	buf_printf(b, "\n%s:\n", title);
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "  %-*s %s\n", pad, e[i].name, e[i].summary ? e[i].summary : "");
}

static bool has_visible_flags(const struct bcli_opt *opts)
{
	for (const struct bcli_opt *o = opts; o && o->name; o++)
		if (!o->hidden)
			return true;
	return false;
}

char *bcli_usage_line(const struct bcli_command *c, const char *path)
{
	if (c->usage && *c->usage)
		return xasprintf("%s %s", path, c->usage);
	if (!c->usage && has_visible_flags(c->opts))
		return xasprintf("%s [OPTIONS]", path);
	return xstrdup(path);
}

/* Every path that reaches c: "berth image ls, berth image list, berth images". */
static void append_aliases(struct buf *b, const struct bcli_command *c)
{
	_cleanup_strv_ char **paths = NULL;
	const char *top = bcli_top_name(c);
	const char *prefix = c->group ? c->group : "";
	const char *sep = c->group ? " " : "";

	strv_push_take(&paths, xasprintf(BCLI_PROG " %s%s%s", prefix, sep, c->name));
	for (const char *const *a = c->aliases; a && *a; a++)
		strv_push_take(&paths, xasprintf(BCLI_PROG " %s%s%s", prefix, sep, *a));
	if (c->group && top)
		strv_push_take(&paths, xasprintf(BCLI_PROG " %s", top));
	if (strv_length(paths) < 2)
		return;
	buf_puts(b, "\nAliases:\n  ");
	for (size_t i = 0; paths[i]; i++)
		buf_printf(b, "%s%s", i ? ", " : "", paths[i]);
	buf_puts(b, "\n");
}

void bcli_help_command(const struct bcli_command *c, const char *path)
{
	_cleanup_(buf_done) struct buf b = {0};
	_cleanup_free_ char *usage = bcli_usage_line(c, path);
	const char *text = c->description ? c->description : c->summary;

	buf_printf(&b, "Usage:  %s\n\n%s\n", usage, text ? text : "");
	append_aliases(&b, c);
	if (has_visible_flags(c->opts)) {
		buf_puts(&b, "\nOptions:\n");
		bcli_opts_usage(c->opts, bcli_help_cols(), &b);
	}
	fputs(b.data, stdout);
}

void bcli_help_group(const struct bcli_group *g)
{
	_cleanup_(buf_done) struct buf b = {0};
	size_t n_reg, n = 0;
	const struct bcli_command *const *reg = bcli_registry(&n_reg);
	_cleanup_free_ struct entry *e = xcalloc(n_reg + 1, sizeof(*e));

	for (size_t i = 0; i < n_reg; i++)
		if (reg[i]->group && strcmp(reg[i]->group, g->name) == 0 && !reg[i]->hidden)
			e[n++] = (struct entry){reg[i]->name, reg[i]->summary};
	qsort(e, n, sizeof(*e), entry_cmp);
	buf_printf(&b, "Usage:  " BCLI_PROG " %s COMMAND\n\n%s\n", g->name, g->summary);
	list_section(&b, "Commands", e, n, name_padding(e, n, MIN_NAME_PADDING));
	buf_printf(&b, "\nRun '" BCLI_PROG " %s COMMAND --help' for more information on a command.\n", g->name);
	fputs(b.data, stdout);
}

/* Common commands in Docker's order, the rest of the top level sorted. */
static void top_commands(struct entry *common, size_t *n_common, struct entry *rest, size_t *n_rest)
{
	size_t n_reg;
	const struct bcli_command *const *reg = bcli_registry(&n_reg);

	*n_common = *n_rest = 0;
	for (size_t k = 0; k < sizeof(common_commands) / sizeof(common_commands[0]); k++) {
		const struct bcli_command *c = bcli_find_top(common_commands[k]);
		if (c && !c->hidden)
			common[(*n_common)++] = (struct entry){common_commands[k], c->summary};
	}
	for (size_t i = 0; i < n_reg; i++) {
		const char *top = bcli_top_name(reg[i]);
		if (top && !reg[i]->hidden && !is_common(top))
			rest[(*n_rest)++] = (struct entry){top, reg[i]->summary};
	}
	qsort(rest, *n_rest, sizeof(*rest), entry_cmp);
}

void bcli_help_main(const struct bcli_opt *global_opts)
{
	_cleanup_(buf_done) struct buf b = {0};
	size_t n_reg, n_groups, n_common, n_rest, n_mgmt = 0;
	const struct bcli_group *groups = bcli_groups(&n_groups);
	_cleanup_free_ struct entry *common = NULL, *rest = NULL, *mgmt = NULL;
	int pad;

	bcli_registry(&n_reg);
	common = xcalloc(n_reg + 1, sizeof(*common));
	rest = xcalloc(n_reg + 1, sizeof(*rest));
	mgmt = xcalloc(n_groups + 1, sizeof(*mgmt));
	top_commands(common, &n_common, rest, &n_rest);
	for (size_t i = 0; i < n_groups; i++)
		if (bcli_group_has(&groups[i], true))
			mgmt[n_mgmt++] = (struct entry){groups[i].name, groups[i].summary};
	pad = name_padding(common, n_common, MIN_NAME_PADDING);
	pad = name_padding(rest, n_rest, pad);
	pad = name_padding(mgmt, n_mgmt, pad);

	buf_puts(&b, "Usage:  " BCLI_PROG " [OPTIONS] COMMAND\n\n"
		     "A daemonless container engine with Docker's command line\n");
	list_section(&b, "Common Commands", common, n_common, pad);
	list_section(&b, "Management Commands", mgmt, n_mgmt, pad);
	list_section(&b, "Commands", rest, n_rest, pad);
	if (has_visible_flags(global_opts)) {
		buf_puts(&b, "\nGlobal Options:\n");
		bcli_opts_usage(global_opts, bcli_help_cols(), &b);
	}
	buf_puts(&b, "\nRun '" BCLI_PROG " COMMAND --help' for more information on a command.\n");
	fputs(b.data, stdout);
}
