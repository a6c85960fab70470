/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flag table entries that several berth-runtime commands share (create, run, exec), with runc's help texts. */
#pragma once

#include <stddef.h>

#include "cli/runtime/options.h"

#define CLI_FLAG_BUNDLE(T, f)                                                                               \
	{                                                                                                   \
		"bundle", 'b', CLI_OPT_STRING, offsetof(T, f),                                              \
			"path to the root of the bundle directory, defaults to the current directory", NULL \
	}
#define CLI_FLAG_CONSOLE_SOCKET(T, f)                                                                                \
	{                                                                                                            \
		"console-socket", 0, CLI_OPT_STRING, offsetof(T, f),                                                 \
			"path to an AF_UNIX socket which will receive a file descriptor referencing the master end " \
			"of the "                                                                                    \
			"console's pseudoterminal",                                                                  \
			NULL                                                                                         \
	}
#define CLI_FLAG_PID_FILE(T, f)                                                                                    \
	{                                                                                                          \
		"pid-file", 0, CLI_OPT_STRING, offsetof(T, f), "specify the file to write the process id to", NULL \
	}
#define CLI_FLAG_NO_PIVOT(T, f)                                                                                   \
	{                                                                                                         \
		"no-pivot", 0, CLI_OPT_BOOL, offsetof(T, f),                                                      \
			"do not use pivot root to jail process inside rootfs.  This should be used whenever the " \
			"rootfs is on "                                                                           \
			"top of a ramdisk",                                                                       \
			NULL                                                                                      \
	}
#define CLI_FLAG_NO_NEW_KEYRING(T, f)                                                                               \
	{                                                                                                           \
		"no-new-keyring", 0, CLI_OPT_BOOL, offsetof(T, f),                                                  \
			"do not create a new session keyring for the container.  This will cause the container to " \
			"inherit "                                                                                  \
			"the calling processes session key",                                                        \
			NULL                                                                                        \
	}
#define CLI_FLAG_PRESERVE_FDS(T, f)                                                                                   \
	{                                                                                                             \
		"preserve-fds", 0, CLI_OPT_INT, offsetof(T, f),                                                       \
			"Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)", "0" \
	}
