#!/bin/sh
# cli_eval.sh — `tessera eval`: output formats, the hand-derived cycle count
# of docs/timing.md §8 end to end, and bad input (exit 2, nothing on stdout).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
D=tests/data/eval

expect 0 "eval mobilenet_v2 on the default" -- "$BIN" eval --model mobilenet_v2
grep -q "^ *total" "$TMP/out" && ok || bad "table has no total line"
grep -q "board zcu104" "$TMP/out" && ok || bad "table has no board fit line"

# docs/timing.md §8: the 3x3x3 GEMM on the 2x2 WS example costs 442 cycles.
expect 0 "eval hand example" -- "$BIN" eval --config $D/hand_2x2.json --model $D/gemm3.csv --csv
cycles=$(sed -n 2p "$TMP/out" | cut -d, -f4)
[ "$cycles" = "442" ] && ok || bad "hand example: $cycles cycles, want 442"
head -1 "$TMP/out" | grep -q '^index,name,op,cycles,compute_cycles,dma_cycles,ctrl_cycles,macs,utilization,' \
	&& ok || bad "csv header changed"

# JSON: total cycles = sum over layers.
expect 0 "eval --json" -- "$BIN" eval --model resnet18 --config cloud --json
if command -v python3 >/dev/null; then
	python3 - "$TMP/out" <<'PY' && ok || bad "json: total != sum of layers, or malformed"
import json, sys
d = json.load(open(sys.argv[1]))
s = sum(l["cycles"] for l in d["layers"])
assert s == d["total"]["cycles"], (s, d["total"]["cycles"])
assert d["total"]["macs"] == 1814073344, d["total"]["macs"]
assert d["board"]["name"] == "zcu102"
PY
fi

expect 0 "eval --layer by name" -- "$BIN" eval --model resnet50 --layer layer4.2.conv3
[ "$(grep -c '^ *[0-9]' "$TMP/out")" -ge 1 ] && ok || bad "--layer printed no layer row"

# Bad input: exit 2, a message, nothing on stdout.
for args in "--model nosuch_model" "--model mobilenet_v2 --config nosuch.json" \
	"--model mobilenet_v2 --layer 9999" "--model mobilenet_v2 --bogus" "" \
	"--model mobilenet_v2 --json --csv" "--model mobilenet_v2 --format xml"; do
	# shellcheck disable=SC2086
	expect 2 "eval $args" -- "$BIN" eval $args
	[ -s "$TMP/out" ] && bad "eval $args: wrote to stdout"
	[ -s "$TMP/err" ] && ok || bad "eval $args: no message"
done
expect 0 "eval --help" -- "$BIN" eval --help

finish
