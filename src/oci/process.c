/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "process" object of config.json (and runc exec's process.json): user,
 * args, env, capabilities as bit masks, rlimits.
 */
#include <string.h>

#include "oci/internal.h"

_Static_assert(sizeof(uid_t) == sizeof(uint32_t), "uid_t is 32 bits");
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");
_Static_assert(sizeof(mode_t) == sizeof(uint32_t), "mode_t is 32 bits");

static const struct oci_field console_fields[] = {
	OCI_FIELD("height", oci_dec_uint, struct oci_process, console_height, 0),
	OCI_FIELD("width", oci_dec_uint, struct oci_process, console_width, 0),
	OCI_FIELD_END,
};

static int dec_console_size(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_process *p = out;

	if (oci_dec_object(d, v, console_fields, p) < 0)
		return -1;
	p->has_console_size = true;
	return 0;
}

static const struct oci_field user_fields[] = {
	OCI_FIELD("uid", oci_dec_uint32, struct oci_user, uid, 0),
	OCI_FIELD("gid", oci_dec_uint32, struct oci_user, gid, 0),
	OCI_FIELD_HAS("umask", oci_dec_uint32, struct oci_user, umask, has_umask, 0),
	OCI_FIELD_ARRAY("additionalGids", oci_dec_uint32, struct oci_user, additional_gids, n_additional_gids, 0),
	OCI_FIELD("username", oci_dec_string_or_null, struct oci_user, username, 0),
	OCI_FIELD_END,
};

static int dec_user(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, user_fields, out);
}

/* A capability list as a bit mask; unknown names are warned about and skipped, as runc does. */
static int dec_cap_set(struct oci_dec *d, json_t *v, void *out)
{
	uint64_t *mask = out;
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return oci_dec_fail(d, "expected array");
	*mask = 0;
	json_array_foreach(v, i, e)
	{
		size_t mark = oci_dec_push_index(d, i);
		_cleanup_free_ char *name = NULL;
		int cap;

		if (oci_dec_string(d, e, &name) < 0)
			return -1;
		cap = oci_cap_from_name(name);
		if (cap < 0)
			log_warn("%s: %s: unknown capability '%s', ignoring", d->name, d->path.data, name);
		else
			*mask |= UINT64_C(1) << cap;
		oci_dec_pop(d, mark);
	}
	return 0;
}

static const struct oci_field caps_fields[] = {
	OCI_FIELD("bounding", dec_cap_set, struct oci_capabilities, bounding, 0),
	OCI_FIELD("effective", dec_cap_set, struct oci_capabilities, effective, 0),
	OCI_FIELD("inheritable", dec_cap_set, struct oci_capabilities, inheritable, 0),
	OCI_FIELD("permitted", dec_cap_set, struct oci_capabilities, permitted, 0),
	OCI_FIELD("ambient", dec_cap_set, struct oci_capabilities, ambient, 0),
	OCI_FIELD_END,
};

static int dec_caps(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, caps_fields, out);
}

static int dec_rlimit_type(struct oci_dec *d, json_t *v, void *out)
{
	struct oci_rlimit *r = out;

	if (oci_dec_string(d, v, &r->name) < 0)
		return -1;
	r->type = oci_rlimit_from_name(r->name);
	if (r->type < 0)
		return oci_dec_fail(d, "unknown rlimit '%s'", r->name);
	return 0;
}

static const struct oci_field rlimit_fields[] = {
	OCI_FIELD_FLAT("type", dec_rlimit_type, OCI_F_REQUIRED),
	OCI_FIELD("hard", oci_dec_uint64, struct oci_rlimit, hard, 0),
	OCI_FIELD("soft", oci_dec_uint64, struct oci_rlimit, soft, 0),
	OCI_FIELD_END,
};

static int dec_rlimit(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, rlimit_fields, out);
}

static const struct oci_field process_fields[] = {
	OCI_FIELD("terminal", oci_dec_bool, struct oci_process, terminal, 0),
	OCI_FIELD_FLAT("consoleSize", dec_console_size, 0),
	OCI_FIELD("user", dec_user, struct oci_process, user, 0),
	OCI_FIELD("args", oci_dec_strv, struct oci_process, args, 0),
	OCI_FIELD("commandLine", oci_dec_string_or_null, struct oci_process, command_line, 0),
	OCI_FIELD("env", oci_dec_strv, struct oci_process, env, 0),
	OCI_FIELD("cwd", oci_dec_string_or_null, struct oci_process, cwd, 0),
	OCI_FIELD_HAS("capabilities", dec_caps, struct oci_process, caps, has_capabilities, 0),
	OCI_FIELD_ARRAY("rlimits", dec_rlimit, struct oci_process, rlimits, n_rlimits, 0),
	OCI_FIELD("noNewPrivileges", oci_dec_bool, struct oci_process, no_new_privileges, 0),
	OCI_FIELD("apparmorProfile", oci_dec_string_or_null, struct oci_process, apparmor_profile, 0),
	OCI_FIELD_HAS("oomScoreAdj", oci_dec_int, struct oci_process, oom_score_adj, has_oom_score_adj, 0),
	OCI_FIELD("selinuxLabel", oci_dec_string_or_null, struct oci_process, selinux_label, 0),
	OCI_FIELD_END,
};

int oci_dec_process(struct oci_dec *d, json_t *v, void *out)
{
	return oci_dec_object(d, v, process_fields, out);
}

/*
 * process.json is checked here too, with the rules runc's exec applies to it
 * (args not empty, cwd absolute), because nothing else will see it before it runs.
 */
int oci_process_parse(const char *data, size_t len, const char *name, struct oci_process **ret,
		      struct berth_error **err)
{
	struct oci_dec d = {.name = name ? name : "process.json", .err = err};
	_cleanup_json_ json_t *root = NULL;
	struct oci_process *p;
	int r;

	root = oci_json_load(data, len, d.name, &d.bigints, err);
	if (!root)
		return -1;
	p = xcalloc(1, sizeof(*p));
	r = oci_dec_object(&d, root, process_fields, p);
	buf_done(&d.path);
	if (r == 0)
		r = oci_process_check(p, d.name, "", err);
	if (r < 0) {
		oci_process_free(p);
		return -1;
	}
	*ret = p;
	return 0;
}

void oci_process_done(struct oci_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	free(p->command_line);
	strv_free(p->env);
	free(p->cwd);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].name);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	memset(p, 0, sizeof(*p));
}

void oci_process_free(struct oci_process *p)
{
	oci_process_done(p);
	free(p);
}
