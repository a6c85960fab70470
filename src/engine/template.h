/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: the --format template engine (Go text/template subset). */
#pragma once
