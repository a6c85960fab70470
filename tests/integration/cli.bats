#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# berth's command line itself: help texts, usage errors in Docker's shapes
# (exit 125), -v and version. Needs neither root nor any state.

bats_require_minimum_version 1.5.0

load helpers/netenv

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO/build/src/cli/berth}

setup()
{
	[ -x "$BERTH" ] || skip "berth '$BERTH' not built"
	# a private state root, although none of these commands should touch it
	export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
	berth_test_net_env
}

# expect REGEX: $output matches (a multi-line regex is fine)
expect()
{
	[[ $output =~ $1 ]] || {
		echo "expected /$1/ in:"
		echo "$output"
		return 1
	}
}

@test "help: berth, berth --help and berth help print the sections, exit 0" {
	local a
	for a in "" --help help -D; do
		run --separate-stderr "$BERTH" $a
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		expect '^Usage:  berth \[OPTIONS\] COMMAND'
		expect $'\nCommon Commands:\n(  [a-z]+ +[A-Z][^\n]*\n)*  version     Show the berth version information\n'
		expect $'\nManagement Commands:\n(  [a-z]+ +[A-Z][^\n]*\n)*  system      Manage berth\n'
		expect $'\nGlobal Options:\n'
		expect '      --root string +Root directory'
		expect '  -D, --debug +Enable debug mode'
		expect "Run 'berth COMMAND --help' for more information on a command\\.$"
	done
}

@test "help: global defaults come from the environment" {
	BERTH_ROOT=/srv/b DOCKER_CONFIG=/srv/dc run --separate-stderr "$BERTH" --help
	[ "$status" -eq 0 ]
	expect '\(default "/srv/b"\)'
	expect '\(default "/srv/dc"\)'
}

@test "help: a command's help in Docker's layout, four ways" {
	local a
	for a in "info --help" "help info" "system info --help" "help system info"; do
		run --separate-stderr "$BERTH" $a
		[ "$status" -eq 0 ]
		expect '^Usage:  berth (system )?info'
		expect $'\n\nDisplay system-wide information\n\nAliases:\n  berth system info, berth info\n'
	done
}

@test "help: a management group lists its subcommands" {
	local a
	for a in system "system --help" "help system"; do
		run --separate-stderr "$BERTH" $a
		[ "$status" -eq 0 ]
		expect $'^Usage:  berth system COMMAND\n\nManage berth\n\nCommands:\n(  [a-z]+ +[A-Z][^\n]*\n)*  info        Display'
		expect "Run 'berth system COMMAND --help' for more information on a command\\.$"
	done
}

@test "help: berth image --help lists the image subcommands" {
	run --separate-stderr "$BERTH" image --help
	if [ "$status" -eq 125 ]; then
		skip "no image command registered yet"
	fi
	[ "$status" -eq 0 ]
	expect $'^Usage:  berth image COMMAND\n\nManage images\n\nCommands:\n'
}

@test "errors: unknown command, exit 125" {
	run --separate-stderr "$BERTH" foo
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[ "$stderr" = $'berth: unknown command: berth foo\n\nRun \'berth --help\' for more information' ]

	run --separate-stderr "$BERTH" system foo
	[ "$status" -eq 125 ]
	[ "$stderr" = $'berth: unknown command: berth system foo\n\nUsage:  berth system COMMAND\n\nRun \'berth system --help\' for more information' ]

	run --separate-stderr "$BERTH" help foo
	[ "$status" -eq 125 ]
	[ "$stderr" = "unknown help topic: foo" ]
}

@test "errors: unknown flags and missing values, exit 125" {
	run --separate-stderr "$BERTH" version --foo
	[ "$status" -eq 125 ]
	[ "$stderr" = $'unknown flag: --foo\n\nUsage:  berth version\n\nRun \'berth version --help\' for more information' ]

	run --separate-stderr "$BERTH" -x info
	[ "$status" -eq 125 ]
	[ "$stderr" = $'unknown shorthand flag: \'x\' in -x\n\nUsage:  berth [OPTIONS] COMMAND [ARG...]\n\nRun \'berth --help\' for more information' ]

	run --separate-stderr "$BERTH" --log-level
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[[ $stderr == "flag needs an argument: --log-level"* ]]

	run --separate-stderr "$BERTH" -l
	[ "$status" -eq 125 ]
	[[ $stderr == "flag needs an argument: 'l' in -l"* ]]

	run --separate-stderr "$BERTH" info --help=maybe
	[ "$status" -eq 125 ]
	[[ $stderr == 'invalid argument "maybe" for "--help" flag: strconv.ParseBool: parsing "maybe": invalid syntax'* ]]
}

@test "errors: global flags go before the command" {
	run --separate-stderr "$BERTH" info --debug
	[ "$status" -eq 125 ]
	[[ $stderr == "unknown flag: --debug"* ]]
}

@test "errors: wrong argument count, exit 125" {
	run --separate-stderr "$BERTH" version extra
	[ "$status" -eq 125 ]
	[ "$stderr" = $'berth: \'berth version\' accepts no arguments\n\nUsage:  berth version\n\nRun \'berth version --help\' for more information' ]

	run --separate-stderr "$BERTH" system info extra
	[ "$status" -eq 125 ]
	[[ $stderr == "berth: 'berth system info' accepts no arguments"* ]]
}

@test "errors: a bad --log-level" {
	run --separate-stderr "$BERTH" --log-level=loud info
	[ "$status" -eq 125 ]
	[ "$stderr" = "berth: unable to parse logging level: loud" ]
}

@test "berth -v and --version print one line, as docker -v" {
	local a
	for a in -v --version "-D -v" "-v info"; do
		run --separate-stderr "$BERTH" $a
		[ "$status" -eq 0 ]
		expect '^berth version [0-9]+\.[0-9]+\.[0-9]+, build [0-9a-f]+$'
	done
}

@test "berth version: client and engine sections" {
	run --separate-stderr "$BERTH" version
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expect $'^Client:\n Version:           [0-9]+\\.[0-9]+\\.[0-9]+\n API version:       1\\.41\n'
	expect $'\n Go version:        C\n Git commit:        [0-9a-f]+\n Built:             [A-Z][a-z]{2} '
	expect $'\n OS/Arch:           linux/[a-z0-9]+\n\nServer: berth\n Engine:\n  Version:          [0-9.]+\n'
	expect $'\n  Experimental:     false$'
}

@test "berth info: the state root it was given" {
	run --separate-stderr "$BERTH" --root "$BATS_TEST_TMPDIR/elsewhere" info
	[ "$status" -eq 0 ]
	expect $'^Client:\n Version:    '
	expect "Docker Root Dir: $BATS_TEST_TMPDIR/elsewhere"

	run --separate-stderr "$BERTH" info
	[ "$status" -eq 0 ]
	expect "Docker Root Dir: $BATS_TEST_TMPDIR/root"
}
