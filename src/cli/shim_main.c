/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-shim: what serves a long-running container after its monitor's handoff (engine/shim.c). */
#include "engine/engine.h"

int main(int argc, char **argv)
{
	return eng_shim_main(argc, argv);
}
