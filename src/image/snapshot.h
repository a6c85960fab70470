/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: the overlay snapshotter: layer directories, short links, mount plans. */
#pragma once
