# SPDX-License-Identifier: GPL-2.0-or-later
# Shared fixtures of the engine's bats files (berth's docker command line): a
# private state root per test with the built-in busybox image, `b` (berth with
# a timeout), `expect` (a regex against $output), and a teardown that removes
# every container and mount the test made, even after a failure.
# shellcheck shell=bash

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}

load helpers/netenv

b() { timeout -k 5 60 "$BERTH" "$@"; }

# expect REGEX: $output matches (a multi-line regex is fine)
expect()
{
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in:"
		echo "$output"
		return 1
	}
}

# Its own default bridge, subnet and nftables table per test (helpers/netenv.bash).
engine_setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
	b pull -q busybox >/dev/null
}

engine_teardown()
{
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	grep -q " $BATS_TEST_TMPDIR" /proc/self/mountinfo &&
		grep " $BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r umount -l
	berth_test_net_cleanup
	rm -rf "$BERTH_ROOT" "$BERTH_RUNROOT"
}
