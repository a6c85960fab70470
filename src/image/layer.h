/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: layer unpack (tar to a directory with overlay whiteouts) and diff (directory to tar). */
#pragma once
