/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facade of engine/: Docker semantics, the only module that composes the
 * others (image/, store/, runtime/, network/).
 */
#pragma once

#include "engine/attach.h"
#include "engine/container.h"
#include "engine/container_ops.h"
#include "engine/context.h"
#include "engine/health.h"
#include "engine/events.h"
#include "engine/image.h"
#include "engine/logs.h"
#include "engine/names.h"
#include "engine/network.h"
#include "engine/netwire.h"
#include "engine/ns.h"
#include "engine/spec.h"
#include "engine/template.h"
#include "engine/units.h"
#include "engine/volume.h"
