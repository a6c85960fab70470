/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facade of image/: references, the blob store, layer unpack and diff, the
 * overlay snapshotter, archives and the registry client. Produces rootfs
 * paths and image records as structs; never starts anything and never
 * touches the database (the engine composes image/ and store/).
 */
#pragma once

#include "image/reference.h"
#include "image/layer.h"
#include "image/blobs.h"
#include "image/snapshot.h"
#include "image/registry.h"
#include "image/archives.h"
/* libarchive loaded on first use, for the engine's cp */
#include "image/ext_archive.h"
