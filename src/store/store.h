/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facade of store/: the SQLite schema, migrations and row access. Persists; never decides. */
#pragma once
