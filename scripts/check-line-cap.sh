#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fail when a file in src/ or tests/ has more than 1000 lines (CONVENTIONS.md).
# Fuzz corpora are data, not code, and are not counted.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cap=${LINE_CAP:-1000}
bad=0
while IFS= read -r -d '' f; do
	n=$(wc -l <"$f")
	if [ "$n" -gt "$cap" ]; then
		echo "${f#"$top"/}: $n lines (cap $cap)" >&2
		bad=$((bad + 1))
	fi
done < <(cd "$top" && find "$top/src" "$top/tests" -type f -not -path '*/corpus/*' -print0)

if [ "$bad" -ne 0 ]; then
	echo "check-line-cap: $bad file(s) over $cap lines" >&2
	exit 1
fi
echo "check-line-cap: ok"
