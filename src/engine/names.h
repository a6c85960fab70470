/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/: container ids and names as Docker makes and checks them. */
#pragma once

struct berth_error;

/*
 * Fill out with a new container id: 64 lowercase hex digits from getrandom()
 * and a NUL. As Docker does, an id whose 12-character short form is all
 * digits is drawn again, so that a short id is never taken for a number.
 * Cannot fail (aborts when the kernel has no randomness to give).
 */
void eng_id_generate(char out[65]);

/*
 * A new random name of Docker's form "adjective_surname" ("eager_lovelace").
 * When retry > 0 (the caller's previous name was taken) a random digit is
 * appended ("eager_lovelace7"). Never "boring_wozniak". Caller frees.
 */
char *eng_name_generate(unsigned retry);

/*
 * Check a container name against Docker's rule [a-zA-Z0-9][a-zA-Z0-9_.-]+
 * (one leading '/' is tolerated). 0 when valid; -1 with *err set (EINVAL,
 * Docker's message "Invalid container name (NAME), only [a-zA-Z0-9][a-zA-Z0-9_.-]
 * are allowed") otherwise.
 */
int eng_name_validate(const char *name, struct berth_error **err);
