/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container ids (64 random hex digits) and generated names of Docker's form
 * "adjective_surname" from our own word lists, and the name validity rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/names.h"

/* Word lists read best as plain rows. */
/* clang-format off */
/* Moods and qualities. */
static const char *const adjectives[] = {
	"affable", "agile", "amiable", "amused", "ardent", "artful", "astute", "blissful",
	"blithe", "bold", "boring", "brave", "breezy", "bright", "brisk", "buoyant",
	"calm", "candid", "caring", "cheerful", "chipper", "clever", "composed", "cordial",
	"crafty", "curious", "dapper", "daring", "dauntless", "deft", "devoted", "diligent",
	"dreamy", "drowsy", "dutiful", "eager", "earnest", "elated", "eloquent", "enchanted",
	"fearless", "feisty", "fervent", "fond", "frank", "friendly", "frisky", "gallant",
	"genial", "gentle", "giddy", "gleeful", "glowing", "gracious", "grateful", "gutsy",
	"hardy", "hearty", "hopeful", "humble", "jaunty", "jolly", "jovial", "joyful",
	"keen", "kindly", "lively", "loyal", "lucid", "mellow", "merry", "mindful",
	"modest", "nimble", "noble", "patient", "peppy", "perky", "placid", "playful",
	"plucky", "poised", "proud", "quiet", "quirky", "radiant", "resolute", "rested",
	"rosy", "serene", "sincere", "sleepy", "snappy", "spirited", "sprightly", "steady",
	"stoic", "sunny", "tender", "thoughtful", "tranquil", "upbeat", "valiant", "vibrant",
	"vigilant", "wise", "witty", "zany", "zealous", "zesty",
};

/* Scientists, engineers and hackers of note. */
static const char *const surnames[] = {
	"abel", "adleman", "agnesi", "aho", "aiken", "allen", "ampere", "anning",
	"archimedes", "atanasoff", "avogadro", "babbage", "backus", "banach", "bardeen", "bartik",
	"bassi", "bell", "bellovin", "bernoulli", "bernstein", "blum", "bohr", "boltzmann",
	"boole", "bose", "bragg", "brahe", "brattain", "cantor", "carnot", "carson",
	"cavendish", "cerf", "chandrasekhar", "chebyshev", "clarke", "conway", "cook", "copernicus",
	"corbato", "cori", "cray", "crick", "curie", "dalton", "darwin", "dedekind",
	"descartes", "diffie", "dijkstra", "dirac", "doudna", "draper", "dwork", "eckert",
	"einstein", "engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman",
	"fibonacci", "fleming", "floyd", "fourier", "franklin", "fresnel", "galois", "gauss",
	"germain", "gibbs", "goldwasser", "goodall", "gosling", "haber", "hamilton", "hamming",
	"hartree", "hawking", "heisenberg", "hellman", "herschel", "hertz", "hilbert", "hoare",
	"hodgkin", "hollerith", "hopcroft", "hopper", "hubble", "huffman", "huygens", "hypatia",
	"jacquard", "jemison", "johnson", "joule", "kahan", "kaminsky", "karp", "kay",
	"kelvin", "kepler", "kernighan", "khorana", "kilburn", "kilby", "kleene", "knuth",
	"koblitz", "kolmogorov", "kovalevskaya", "lamarr", "lamport", "lampson", "laplace", "lavoisier",
	"leavitt", "leibniz", "lemaitre", "levin", "liskov", "lovelace", "mandelbrot", "marconi",
	"mauchly", "maxwell", "mccarthy", "mcclintock", "meitner", "mendel", "mendeleev", "merkle",
	"metcalfe", "micali", "michelson", "milner", "minsky", "mirzakhani", "mitnick", "moore",
	"morse", "napier", "nash", "neumann", "newton", "nightingale", "nobel", "noether",
	"noyce", "nygaard", "ohm", "oppenheimer", "pascal", "pasteur", "pauli", "pauling",
	"perlis", "perlman", "pike", "planck", "poincare", "postel", "rabin", "ramanujan",
	"raymond", "ride", "ritchie", "rivest", "rubin", "rutherford", "sagan", "salk",
	"sammet", "schneier", "shamir", "shannon", "shockley", "sipser", "somerville", "stallman",
	"stibitz", "stroustrup", "sutherland", "swartz", "tanenbaum", "tarjan", "tesla", "thacker",
	"thompson", "torvalds", "turing", "ullman", "vaughan", "volta", "wallace", "watt",
	"wheeler", "widom", "wiles", "wilkes", "wing", "wirth", "wozniak", "wright",
	"wu", "yalow", "yao", "yonath", "zimmermann", "zuse",
};
/* clang-format on */

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void random_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOSYS) {
			/* Kernels before 3.17: read the same pool through the device. */
			_cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

			if (fd < 0 || read(fd, p, len) != (ssize_t)len)
				abort();
			return;
		}
		if (n <= 0)
			abort();
		p += n;
		len -= (size_t)n;
	}
}

/* Uniform in [0, n): draws again above the largest multiple of n, so no index is favoured. */
static size_t random_below(size_t n)
{
	uint32_t limit = UINT32_MAX - UINT32_MAX % (uint32_t)n, v;

	do
		random_fill(&v, sizeof(v));
	while (v >= limit);
	return v % (uint32_t)n;
}

void eng_id_generate(char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[32];
	bool digits_only;

	do {
		random_fill(raw, sizeof(raw));
		for (size_t i = 0; i < sizeof(raw); i++) {
			out[2 * i] = hex[raw[i] >> 4];
			out[2 * i + 1] = hex[raw[i] & 0xf];
		}
		out[64] = '\0';
		digits_only = strspn(out, "0123456789") >= 12;
	} while (digits_only);
}

char *eng_name_generate(unsigned retry)
{
	for (;;) {
		const char *adj = adjectives[random_below(N_ELEMS(adjectives))];
		const char *sur = surnames[random_below(N_ELEMS(surnames))];

		/* Steve Wozniak is not boring (Docker's rule too). */
		if (strcmp(adj, "boring") == 0 && strcmp(sur, "wozniak") == 0)
			continue;
		if (retry > 0)
			return xasprintf("%s_%s%zu", adj, sur, random_below(10));
		return xasprintf("%s_%s", adj, sur);
	}
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int eng_name_validate(const char *name, struct berth_error **err)
{
	const char *p = name && name[0] == '/' ? name + 1 : name;
	bool ok = p && is_alnum(p[0]) && p[1] != '\0';

	for (size_t i = 1; ok && p[i]; i++)
		ok = is_alnum(p[i]) || p[i] == '_' || p[i] == '.' || p[i] == '-';
	if (ok)
		return 0;
	/* Docker's wording, capital letter included, for scripts that match it; no strerror suffix. */
	berth_error_set(err, 0, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
			name ? name : "");
	if (err && *err)
		(*err)->code = EINVAL;
	return -1;
}
