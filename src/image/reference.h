/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image/: image references with Docker's normalisation. */
#pragma once
