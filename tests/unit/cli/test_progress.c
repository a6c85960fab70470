/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of cli/berth/progress.c: Docker's bar, plain lines, in-place redraws on a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/berth/progress.h"
#include "engine/engine.h"

static void test_bar(void **state)
{
	char *s;

	(void)state;
	s = bcli_progress_bar(0, 0, true);
	assert_string_equal(s, "");
	free(s);
	s = bcli_progress_bar(1200000, -1, true);
	assert_string_equal(s, "   1.2MB");
	free(s);
	s = bcli_progress_bar(1200000, 3400000, false);
	assert_string_equal(s, "   1.2MB/3.4MB");
	free(s);
	s = bcli_progress_bar(1700000, 3400000, true);
	assert_string_equal(s, "[=========================>                         ]    1.7MB/3.4MB");
	free(s);
	s = bcli_progress_bar(3400000, 3400000, true);
	assert_string_equal(s, "[==================================================>]    3.4MB/3.4MB");
	free(s);
	/* more than announced never overflows the bar */
	s = bcli_progress_bar(9000000, 3400000, true);
	assert_non_null(strstr(s, "=>]"));
	free(s);
}

/* Run a short pull's worth of events through a renderer and return what it wrote. */
static char *render(bool tty, bool quiet)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct bcli_progress *pr = bcli_progress_new(f, tty, 0, quiet);
	struct eng_progress p = {0};

	assert_non_null(f);
	bcli_progress_bind(pr, &p);
	p.line(p.data, "v1", "Pulling from a/b");
	p.line(p.data, "aaa", "Pulling fs layer");
	p.line(p.data, "bbb", "Pulling fs layer");
	p.bytes(p.data, "aaa", "Downloading", 10, 10);
	p.line(p.data, "aaa", "Pull complete");
	p.line(p.data, NULL, "Digest: sha256:x");
	p.line(p.data, "ccc", "Pushed");
	bcli_progress_free(pr);
	fclose(f);
	return text;
}

static void test_plain(void **state)
{
	char *s = render(false, false);

	(void)state;
	assert_string_equal(s, "v1: Pulling from a/b\n"
			       "aaa: Pulling fs layer\n"
			       "bbb: Pulling fs layer\n"
			       "aaa: Pull complete\n"
			       "Digest: sha256:x\n"
			       "ccc: Pushed\n");
	free(s);
}

static void test_quiet(void **state)
{
	char *s = render(true, true);

	(void)state;
	assert_string_equal(s, "");
	free(s);
}

static void test_terminal(void **state)
{
	char *s = render(true, false);

	(void)state;
	/* aaa is the second of three rows: two up, redraw, one back down */
	assert_string_equal(s, "\033[2K\rv1: Pulling from a/b\n"
			       "\033[2K\raaa: Pulling fs layer\n"
			       "\033[2K\rbbb: Pulling fs layer\n"
			       "\033[2A\033[2K\raaa: Downloading [==================================================>]"
			       "      10B/10B\n\033[1B"
			       "\033[2A\033[2K\raaa: Pull complete\n\033[1B"
			       "Digest: sha256:x\n"
			       "\033[2K\rccc: Pushed\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
