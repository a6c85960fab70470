/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Platforms in Go's names: the host's from uname, parsing "os/arch/variant"
 * as --platform does, matching with containerd's normalisation, and picking
 * a manifest out of an index.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "oci/internal.h"

static const char *const known_os[] = {
	"aix",	 "android", "darwin",  "dragonfly", "freebsd", "illumos", "ios",     "js",
	"linux", "netbsd",  "openbsd", "plan9",	    "solaris", "wasip1",  "windows", NULL,
};

static const char *const known_arch[] = {
	"386",	    "amd64", "arm",	"arm64",   "loong64", "mips", "mipsle", "mips64",
	"mips64le", "ppc64", "ppc64le", "riscv64", "s390x",   "wasm", NULL,
};

/* Architecture aliases (uname, Debian, containerd spellings) and the variant each implies. */
static const struct {
	const char *alias;
	const char *arch;
	const char *variant; /* NULL: keep the variant given */
} arch_aliases[] = {
	{"x86_64", "amd64", NULL},  {"x86-64", "amd64", NULL}, {"i386", "386", NULL},
	{"i486", "386", NULL},	    {"i586", "386", NULL},     {"i686", "386", NULL},
	{"aarch64", "arm64", NULL}, {"armhf", "arm", "v7"},    {"armel", "arm", "v6"},
	{"armv5l", "arm", "v5"},    {"armv6l", "arm", "v6"},   {"armv7l", "arm", "v7"},
	{"armv7", "arm", "v7"},	    {"armv8l", "arm", "v8"},   {"loongarch64", "loong64", NULL},
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* Canonical architecture and variant: *arch and *variant are replaced (owned strings, variant may be NULL). */
static void normalize(char **arch, char **variant)
{
	const char *v;

	for (size_t i = 0; i < sizeof(arch_aliases) / sizeof(arch_aliases[0]); i++) {
		if (strcmp(*arch, arch_aliases[i].alias) != 0)
			continue;
		free(*arch);
		*arch = xstrdup(arch_aliases[i].arch);
		if (arch_aliases[i].variant) {
			free(*variant);
			*variant = xstrdup(arch_aliases[i].variant);
		}
		break;
	}
	v = *variant;
	/* a bare number is a version: "8" is "v8" */
	if (v && v[0] >= '0' && v[0] <= '9') {
		char *nv = xasprintf("v%s", v);

		free(*variant);
		*variant = nv;
	}
	if (*variant && strcmp(*arch, "arm64") == 0 && strcmp(*variant, "v8.0") == 0) {
		free(*variant);
		*variant = xstrdup("v8");
	}
}

/* The variant an image of arch has when it names none, as containerd's matcher assumes; NULL: none implied. */
static const char *default_variant(const char *arch)
{
	if (strcmp(arch, "arm64") == 0)
		return "v8";
	if (strcmp(arch, "arm") == 0)
		return "v7";
	if (strcmp(arch, "amd64") == 0)
		return "v1";
	return NULL;
}

static char *canonical_variant(const char *arch, const char *variant)
{
	_cleanup_free_ char *a = xstrdup(arch);
	char *v = variant && *variant ? xstrdup(variant) : NULL;
	const char *def;

	normalize(&a, &v);
	def = default_variant(a);
	if (!v && def)
		v = xstrdup(def);
	return v;
}

int oci_platform_host(struct oci_platform **ret, struct berth_error **err)
{
	struct utsname u;
	struct oci_platform *p;

	if (uname(&u) < 0)
		return berth_error_set(err, errno, "uname");
	p = xcalloc(1, sizeof(*p));
	p->os = xstrdup("linux");
	p->architecture = xstrdup(u.machine);
	normalize(&p->architecture, &p->variant);
	if (strcmp(p->architecture, "arm64") == 0 && !p->variant)
		p->variant = xstrdup("v8");
	*ret = p;
	return 0;
}

static bool valid_part(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("_.-", *s)))
			return false;
	return true;
}

static char *lowercase(const char *s)
{
	char *r = xstrdup(s);

	for (char *p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

/* Fill p from the one part of "linux" or "arm64"; the rest comes from the host. */
static int parse_single(const char *s, char *part, struct oci_platform *p, struct berth_error **err)
{
	_cleanup_free_ char *arch = xstrdup(part), *variant = NULL;
	struct oci_platform *host = NULL;

	normalize(&arch, &variant);
	if (in_list(known_os, part)) {
		if (oci_platform_host(&host, err) < 0)
			return -1;
		p->os = xstrdup(part);
		p->architecture = TAKE_PTR(host->architecture);
		p->variant = TAKE_PTR(host->variant);
		oci_platform_free(host);
		return 0;
	}
	if (!in_list(known_arch, arch))
		return berth_error_set(err, 0, "invalid platform '%s': unknown operating system or architecture", s);
	p->os = xstrdup("linux");
	p->architecture = TAKE_PTR(arch);
	p->variant = TAKE_PTR(variant);
	return 0;
}

int oci_platform_parse(const char *s, struct oci_platform **ret, struct berth_error **err)
{
	static const char *const what[] = {"operating system", "architecture", "variant"};
	_cleanup_free_ char *lower = lowercase(s);
	char *parts[3] = {NULL};
	size_t n = 0;
	struct oci_platform *p;

	for (char *tok = lower, *slash;; tok = slash + 1) {
		if (n == 3)
			return berth_error_set(err, 0, "invalid platform '%s': expected os[/arch[/variant]]", s);
		parts[n++] = tok;
		slash = strchr(tok, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	for (size_t i = 0; i < n; i++)
		if (!valid_part(parts[i]))
			return berth_error_set(
				err, 0, "invalid platform '%s': %s '%s' must be letters, digits, '_', '.' or '-'", s,
				what[i], parts[i]);
	p = xcalloc(1, sizeof(*p));
	if (n == 1) {
		if (parse_single(s, parts[0], p, err) < 0) {
			oci_platform_free(p);
			return -1;
		}
	} else {
		p->os = xstrdup(parts[0]);
		p->architecture = xstrdup(parts[1]);
		p->variant = n == 3 ? xstrdup(parts[2]) : NULL;
		normalize(&p->architecture, &p->variant);
	}
	*ret = p;
	return 0;
}

char *oci_platform_format(const struct oci_platform *p)
{
	const char *os = p->os ? p->os : "unknown", *arch = p->architecture ? p->architecture : "unknown";

	if (p->variant && *p->variant)
		return xasprintf("%s/%s/%s", os, arch, p->variant);
	return xasprintf("%s/%s", os, arch);
}

/* 2: same os, arch and variant after defaults; 1: want names no variant and takes any; 0: no match. */
static int match_level(const struct oci_platform *want, const struct oci_platform *have)
{
	_cleanup_free_ char *want_arch = NULL, *have_arch = NULL, *want_variant = NULL, *have_variant = NULL;
	char *scratch = NULL;

	if (!want->os || !have->os || !want->architecture || !have->architecture)
		return 0;
	if (strcasecmp(want->os, have->os) != 0)
		return 0;
	want_arch = xstrdup(want->architecture);
	have_arch = xstrdup(have->architecture);
	normalize(&want_arch, &scratch);
	free(TAKE_PTR(scratch));
	normalize(&have_arch, &scratch);
	free(TAKE_PTR(scratch));
	if (strcmp(want_arch, have_arch) != 0)
		return 0;
	want_variant = canonical_variant(want->architecture, want->variant);
	have_variant = canonical_variant(have->architecture, have->variant);
	if (want_variant && have_variant && strcmp(want_variant, have_variant) == 0)
		return 2;
	if (!want_variant && !have_variant)
		return 2;
	/* arm and arm64 always have a variant by now; for the rest, no variant means any */
	if (!want->variant || !*want->variant)
		return strcmp(want_arch, "arm") != 0 && strcmp(want_arch, "arm64") != 0 ? 1 : 0;
	return 0;
}

bool oci_platform_match(const struct oci_platform *want, const struct oci_platform *have)
{
	return match_level(want, have) > 0;
}

static bool is_attestation(const struct oci_descriptor *d)
{
	for (size_t i = 0; i < d->n_annotations; i++)
		if (strcmp(d->annotations[i].key, OCI_ANNOTATION_REFERENCE_TYPE) == 0 &&
		    strcmp(d->annotations[i].value, "attestation-manifest") == 0)
			return true;
	return d->platform && d->platform->os && d->platform->architecture && strcmp(d->platform->os, "unknown") == 0 &&
	       strcmp(d->platform->architecture, "unknown") == 0;
}

int oci_index_select(const struct oci_index *ix, const struct oci_platform *want, struct berth_error **err)
{
	struct oci_platform *host = NULL;
	_cleanup_free_ char *name = NULL;
	int best = -1, best_level = 0;

	if (!want) {
		if (oci_platform_host(&host, err) < 0)
			return -1;
		want = host;
	}
	for (size_t i = 0; i < ix->n_manifests && best_level < 2; i++) {
		const struct oci_descriptor *d = &ix->manifests[i];
		int level;

		if (is_attestation(d))
			continue;
		if (!d->platform) {
			if (ix->n_manifests == 1)
				best = 0;
			continue;
		}
		level = match_level(want, d->platform);
		if (level > best_level) {
			best = (int)i;
			best_level = level;
		}
	}
	if (best < 0) {
		name = oci_platform_format(want);
		berth_error_set(err, 0, "no matching manifest for %s in the manifest list entries", name);
	}
	oci_platform_free(host);
	return best;
}

struct oci_platform *oci_platform_dup(const struct oci_platform *p)
{
	struct oci_platform *c = xcalloc(1, sizeof(*c));

	c->architecture = p->architecture ? xstrdup(p->architecture) : NULL;
	c->os = p->os ? xstrdup(p->os) : NULL;
	c->variant = p->variant ? xstrdup(p->variant) : NULL;
	c->os_version = p->os_version ? xstrdup(p->os_version) : NULL;
	c->os_features = p->os_features ? strv_copy(p->os_features) : NULL;
	return c;
}

void oci_platform_free(struct oci_platform *p)
{
	if (!p)
		return;
	free(p->architecture);
	free(p->os);
	free(p->variant);
	free(p->os_version);
	strv_free(p->os_features);
	free(p);
}
