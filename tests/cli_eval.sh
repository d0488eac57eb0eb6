#!/bin/sh
# cli_eval.sh — `tessera eval`: output formats, the hand-derived cycle count
# of docs/timing.md §8 end to end, and bad input (exit 2, nothing on stdout).
T=${TS_BIN:-build/bin/tessera}
D=tests/data/eval
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- command...: checks the exit code; stdout/stderr kept in $tmp
expect() {
	code=$1; what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$code" ]; then ok; else bad "$what: exit $rc, want $code ($(head -c 300 "$tmp/err"))"; fi
}

expect 0 "eval mobilenet_v2 on the default" -- "$T" eval --model mobilenet_v2
grep -q "^ *total" "$tmp/out" && ok || bad "table has no total line"
grep -q "board pynq-z2" "$tmp/out" && ok || bad "table has no board fit line"

# docs/timing.md §8: the 3x3x3 GEMM on the 2x2 WS example costs 371 cycles.
expect 0 "eval hand example" -- "$T" eval --config $D/hand_2x2.json --model $D/gemm3.csv --csv
cycles=$(sed -n 2p "$tmp/out" | cut -d, -f4)
[ "$cycles" = "371" ] && ok || bad "hand example: $cycles cycles, want 371"
head -1 "$tmp/out" | grep -q '^index,name,op,cycles,compute_cycles,dma_cycles,ctrl_cycles,macs,utilization,' \
	&& ok || bad "csv header changed"

# JSON: total cycles = sum over layers.
expect 0 "eval --json" -- "$T" eval --model resnet18 --config cloud --json
if command -v python3 >/dev/null; then
	python3 - "$tmp/out" <<'PY' && ok || bad "json: total != sum of layers, or malformed"
import json, sys
d = json.load(open(sys.argv[1]))
s = sum(l["cycles"] for l in d["layers"])
assert s == d["total"]["cycles"], (s, d["total"]["cycles"])
assert d["total"]["macs"] == 1814073344, d["total"]["macs"]
assert d["board"]["name"] == "zcu102"
PY
fi

expect 0 "eval --layer by name" -- "$T" eval --model resnet50 --layer layer4.2.conv3
[ "$(grep -c '^ *[0-9]' "$tmp/out")" -ge 1 ] && ok || bad "--layer printed no layer row"

# Bad input: exit 2, a message, nothing on stdout.
for args in "--model nosuch_model" "--model mobilenet_v2 --config nosuch.json" \
	"--model mobilenet_v2 --layer 9999" "--model mobilenet_v2 --bogus" "" \
	"--model mobilenet_v2 --json --csv" "--model mobilenet_v2 --format xml"; do
	# shellcheck disable=SC2086
	expect 2 "eval $args" -- "$T" eval $args
	[ -s "$tmp/out" ] && bad "eval $args: wrote to stdout"
	[ -s "$tmp/err" ] && ok || bad "eval $args: no message"
done
expect 0 "eval --help" -- "$T" eval --help

echo "cli_eval: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
