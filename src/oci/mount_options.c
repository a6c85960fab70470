/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mount option words of config.json: MS_* flags to set or clear, propagation, and filesystem data. */
#include <string.h>
#include <sys/mount.h>

#include "oci/internal.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The words runc knows (its parseMountOptions); "clear" words remove the flag. */
static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} flag_words[] = {
	{"acl", false, MS_POSIXACL},
	{"async", true, MS_SYNCHRONOUS},
	{"atime", true, MS_NOATIME},
	{"bind", false, MS_BIND},
	{"defaults", false, 0},
	{"dev", true, MS_NODEV},
	{"diratime", true, MS_NODIRATIME},
	{"dirsync", false, MS_DIRSYNC},
	{"exec", true, MS_NOEXEC},
	{"iversion", false, MS_I_VERSION},
	{"lazytime", false, MS_LAZYTIME},
	{"loud", true, MS_SILENT},
	{"mand", false, MS_MANDLOCK},
	{"noacl", true, MS_POSIXACL},
	{"noatime", false, MS_NOATIME},
	{"nodev", false, MS_NODEV},
	{"nodiratime", false, MS_NODIRATIME},
	{"noexec", false, MS_NOEXEC},
	{"noiversion", true, MS_I_VERSION},
	{"nolazytime", true, MS_LAZYTIME},
	{"nomand", true, MS_MANDLOCK},
	{"norelatime", true, MS_RELATIME},
	{"nostrictatime", true, MS_STRICTATIME},
	{"nosuid", false, MS_NOSUID},
	{"nosymfollow", false, MS_NOSYMFOLLOW},
	{"rbind", false, MS_BIND | MS_REC},
	{"relatime", false, MS_RELATIME},
	{"remount", false, MS_REMOUNT},
	{"ro", false, MS_RDONLY},
	{"rw", true, MS_RDONLY},
	{"silent", false, MS_SILENT},
	{"strictatime", false, MS_STRICTATIME},
	{"suid", true, MS_NOSUID},
	{"sync", false, MS_SYNCHRONOUS},
};

static const struct {
	const char *name;
	unsigned long flags;
} propagation_words[] = {
	{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
	{"shared", MS_SHARED},	       {"rshared", MS_SHARED | MS_REC},
	{"slave", MS_SLAVE},	       {"rslave", MS_SLAVE | MS_REC},
	{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Words recognised but not acted on yet (they must not reach the filesystem as data). */
static const char *const ignored_words[] = {"tmpcopyup", "idmap", "ridmap"};

int oci_propagation_from_name(const char *name, unsigned long *ret)
{
	for (size_t i = 0; i < N_ELEMENTS(propagation_words); i++)
		if (strcmp(propagation_words[i].name, name) == 0) {
			*ret = propagation_words[i].flags;
			return 0;
		}
	return -1;
}

static bool apply_flag_word(struct oci_mount *m, const char *opt)
{
	for (size_t i = 0; i < N_ELEMENTS(flag_words); i++) {
		if (strcmp(flag_words[i].name, opt) != 0)
			continue;
		/* later words override earlier ones, as in mount(8) */
		if (flag_words[i].clear) {
			m->flags &= ~flag_words[i].flag;
			m->clear_flags |= flag_words[i].flag;
		} else {
			m->flags |= flag_words[i].flag;
			m->clear_flags &= ~flag_words[i].flag;
		}
		return true;
	}
	return false;
}

static bool is_ignored_word(const char *opt)
{
	for (size_t i = 0; i < N_ELEMENTS(ignored_words); i++)
		if (strcmp(ignored_words[i], opt) == 0)
			return true;
	return false;
}

void oci_mount_parse_options(struct oci_mount *m)
{
	struct buf data = {0};

	m->flags = 0;
	m->clear_flags = 0;
	m->propagation = 0;
	free(m->data);
	m->data = NULL;
	for (char **o = m->options; o && *o; o++) {
		const char *opt = *o;

		if (!*opt || apply_flag_word(m, opt) || is_ignored_word(opt))
			continue;
		/* one propagation type: the last word wins */
		if (oci_propagation_from_name(opt, &m->propagation) == 0)
			continue;
		if (data.len > 0)
			buf_puts(&data, ",");
		buf_puts(&data, opt);
	}
	/* a mount of type "bind" is a bind mount even when the options do not say so */
	if (m->type && strcmp(m->type, "bind") == 0)
		m->flags |= MS_BIND;
	m->is_bind = (m->flags & MS_BIND) != 0;
	if (data.len > 0)
		m->data = buf_steal(&data);
	else
		buf_done(&data);
}
