/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facade of base/: the one header other modules include. No container knowledge. */
#pragma once

#include "base/cleanup.h"
#include "base/digest.h"
#include "base/dlib.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/proc.h"
#include "base/strv.h"
