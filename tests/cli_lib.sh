# cli_lib.sh — what the CLI test scripts (tests/cli_*.sh) share; not a test
# itself. A script sources it relative to its own location, after its own
# `set` options:
#   . "$(dirname "$0")/cli_lib.sh"
# and ends with `finish`. POSIX sh. It provides:
#   BIN          the binary under test: $TS_BIN, else build/bin/tessera
#   CLI_NAME     the script's name without .sh (cli_models), for messages
#   TMP          a temporary directory, removed on exit, Ctrl-C or SIGTERM
#   pass, fail   the counters; ok and bad MESSAGE... count one check
#   run WANT ARGS...          the binary with ARGS, one check on its exit code
#   expect CODE WHAT -- CMD...  CMD, one check on its exit code
#   expect_rc / expect_in / expect_stdout_empty  checks on the last run of a
#                script's own `run` that sets rc (cli_config.sh, cli_kernels.sh)
#   need_bin     stop with one failure when $BIN is not built
#   finish       the summary line "CLI_NAME: N passed, M failed"; its status
#                is 0 only when nothing failed
# Every command's stdout goes to $TMP/out and its stderr to $TMP/err.

BIN=${TS_BIN:-build/bin/tessera}
CLI_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/$CLI_NAME.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass=0
fail=0

ok() { pass=$((pass + 1)); }

# bad MESSAGE...: one failed check. With SHOW_LAST set (a byte count), also the
# exit code $rc and the start of stdout and stderr of the last command.
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	if [ -n "${SHOW_LAST:-}" ]; then
		echo "  exit $rc; stdout: $(head -c "$SHOW_LAST" "$TMP/out")"
		echo "  stderr: $(head -c "$SHOW_LAST" "$TMP/err")"
	fi
}

# run EXPECTED_RC ARGS...: runs the binary, stdout in $TMP/out, stderr in
# $TMP/err, exit code in rc; returns 1 (and counts a failure) when the exit
# code is not EXPECTED_RC. Not for scripts under `set -e`.
run() {
	want=$1
	shift
	"$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "tessera $* -> exit $rc, expected $want; stderr: $(head -c 300 "$TMP/err")"
		return 1
	fi
	ok
	return 0
}

# expect CODE DESCRIPTION -- command...: checks the exit code of the command.
expect() {
	code=$1; what=$2; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq "$code" ]; then ok; else bad "$what: exit $rc, want $code ($(head -c 300 "$TMP/err"))"; fi
}

# expect_rc WHAT CODE: the exit code in rc is CODE
expect_rc() {
	if [ "$rc" -eq "$2" ]; then ok; else bad "$1: expected exit $2"; fi
}
# expect_stdout_empty WHAT
expect_stdout_empty() {
	if [ ! -s "$TMP/out" ]; then ok; else bad "$1: stdout not empty"; fi
}
# expect_in WHAT FILE(out|err) FIXED-STRING
expect_in() {
	if grep -qF -- "$3" "$TMP/$2"; then ok; else bad "$1: $2 lacks '$3'"; fi
}

need_bin() {
	[ -x "$BIN" ] && return 0
	echo "FAIL: $BIN not built"
	echo "$CLI_NAME: 0 passed, 1 failed"
	exit 1
}

finish() {
	echo "$CLI_NAME: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
