/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seed articles' namespace tools for tests/integration/seeds.bats: join the
 * namespace behind a /proc/PID/ns file and run a command there (their set_ns
 * program), and ask ioctl_ns for a namespace's parent or owning user namespace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: seeds-ns setns NSFILE CMD [ARG...]\n"
			"       seeds-ns parent|userns NSFILE\n");
	return 2;
}

/* setns NSFILE CMD...: as the article's set_ns, join then exec CMD */
static int do_setns(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("open");
		return 1;
	}
	if (setns(fd, 0) < 0) {
		perror("setns");
		return 1;
	}
	close(fd);
	execvp(argv[1], &argv[1]);
	perror("execvp");
	return 127;
}

/* parent|userns NSFILE: print the inode number of the namespace the ioctl returns */
static int do_ioctl(unsigned long request, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rel;

	if (fd < 0) {
		perror("open");
		return 1;
	}
	rel = ioctl(fd, request);
	if (rel < 0) {
		perror("ioctl");
		return 1;
	}
	if (fstat(rel, &st) < 0) {
		perror("fstat");
		return 1;
	}
	printf("%llu\n", (unsigned long long)st.st_ino);
	close(rel);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "setns") == 0)
		return do_setns(&argv[2]);
	if (argc == 3 && strcmp(argv[1], "parent") == 0)
		return do_ioctl(NS_GET_PARENT, argv[2]);
	if (argc == 3 && strcmp(argv[1], "userns") == 0)
		return do_ioctl(NS_GET_USERNS, argv[2]);
	return usage();
}
