#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fail when a C file in src/ or tests/ differs from what clang-format makes of it
# with the checked-in .clang-format. Fix with: clang-format -i FILE
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mapfile -d '' files < <(find src tests -type f \( -name '*.c' -o -name '*.h' \) -not -path '*/corpus/*' -print0 | sort -z)
if [ ${#files[@]} -eq 0 ]; then
	echo "check-format: no files"
	exit 0
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
	echo "check-format: files above differ from .clang-format (run clang-format -i FILE)" >&2
	exit 1
fi
echo "check-format: ok (${#files[@]} files)"
