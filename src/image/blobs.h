/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: the content-addressed blob store. */
#pragma once
