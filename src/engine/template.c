/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Docker's CLI conventions around --format: the "table" prefix and the \t, \n escapes. */
#include <string.h>

#include "engine/template_internal.h"

bool eng_template_is_table(const char *format, const char **ret_rest)
{
	bool table = strncmp(format, "table", 5) == 0;

	if (table) {
		format += 5;
		while (*format == ' ')
			format++;
	}
	if (ret_rest)
		*ret_rest = format;
	return table;
}

char *eng_template_unescape(const char *format)
{
	struct buf b = {0};

	buf_append(&b, "", 0);
	for (const char *p = format; *p; p++) {
		/* left to right, without overlap, as Go's strings.NewReplacer */
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			buf_puts(&b, p[1] == 't' ? "\t" : "\n");
			p++;
		} else {
			buf_append(&b, p, 1);
		}
	}
	return buf_steal(&b);
}

char *eng_template_preformat(const char *format, bool *ret_table)
{
	_cleanup_free_ char *trimmed = NULL;
	const char *rest;
	size_t n;
	bool table = eng_template_is_table(format, &rest);

	n = strlen(rest);
	while (n > 0 && rest[n - 1] == ' ')
		n--;
	trimmed = strndup(rest, n);
	if (!trimmed)
		abort();
	if (ret_table)
		*ret_table = table;
	return eng_template_unescape(trimmed);
}
