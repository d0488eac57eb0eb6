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
#   npy_eq A B [TOL]   .npy files of the same dtype and shape, equal (float: within TOL)
#   cycles_exact JSON  a `run --json`: every device layer's cycles equal the model's and
#                non-zero, no --check mismatch, no lost interrupt
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

# Python of the Debian packages (numpy) for the helpers below.
PY=${PY:-/usr/bin/python3}

# npy_eq A B [TOL]: same dtype and shape, equal (float: |a - b| <= TOL, default 0)
npy_eq() {
	$PY - "$1" "$2" "${3:-0}" <<'EOF'
import sys, numpy as np
a, b, tol = np.load(sys.argv[1]), np.load(sys.argv[2]), float(sys.argv[3])
if a.dtype != b.dtype or a.shape != b.shape:
    sys.exit("dtype/shape %s%s vs %s%s" % (a.dtype, a.shape, b.dtype, b.shape))
d = np.abs(a.astype(np.float64) - b.astype(np.float64))
if d.size and d.max() > tol:
    i = int(np.argmax(d))
    sys.exit("%d of %d differ, max %g at flat index %d (%r vs %r)" % ((d > tol).sum(), d.size, d.max(), i, a.flat[i], b.flat[i]))
EOF
}

# cycles_exact JSON: a `tessera run --json` where every device layer's device_cycles ==
# model_cycles (and > 0), with no --check mismatch and no lost interrupt
cycles_exact() {
	$PY - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [(n["name"], n["device_cycles"], n["model_cycles"]) for n in r["nodes"]
       if n["where"] == "device" and (n["device_cycles"] != n["model_cycles"] or n["device_cycles"] == 0)]
if bad or not r["layers"] or r["mismatches"] or not r["ok"] or r["irq_lost"]:
    sys.exit("layers %d mismatches %d ok %s irq_lost %d cycle differences %s" % (r["layers"], r["mismatches"], r["ok"], r["irq_lost"], bad))
EOF
}
