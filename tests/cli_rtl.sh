#!/bin/sh
# cli_rtl.sh — the RTL is Verilog-2005 that all three open tools read, on the
# parameters `tessera sim --gen` generates:
#   verilator --lint-only -Wall   clean on four presets (both dataflows, int8,
#                                 int4, lightpe2; 1-, 2-, 8- and 16-byte ports)
#   iverilog -g2005               compiles ts_top without a message
#   yosys 0.23                    read_verilog (no -sv); hierarchy; proc; opt;
#                                 memory -nomap; check -assert on tiny-ice40
# Any warning that is not on the short list of expected ones below fails and is
# printed. Tools that are not installed are reported and skipped.
# TS_RTL_SYNTH=1 adds a full synth_ice40 of tests/data/rtl/synth-ice40.json
# (about 75 s, so not by default): its two B = 1 scratchpads must map to
# SB_RAM40_4K block RAM (rtl/ts_spad.v).
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_rtl.sh
BIN=${TS_BIN:-build/bin/tessera}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cli_rtl.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

gen() {
	if "$BIN" sim --config "$1" --gen "$TMP/$(basename "$1" .json)" >"$TMP/gen.out" 2>&1; then ok; else
		bad "tessera sim --config $1 --gen: $(head -c 300 "$TMP/gen.out")"
		return 1
	fi
}

for cfg in tiny-ice40 ultra96 hx8k edge-lightpe; do
	gen $cfg || continue
	if command -v verilator >/dev/null 2>&1; then
		if verilator --lint-only -Wall +define+TS_GENERATED_PARAMS -I"$TMP/$cfg" -Irtl \
			--top-module ts_top rtl/*.v >"$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ]; then ok; else
			bad "verilator -Wall on $cfg:"; head -40 "$TMP/lint"
		fi
	fi
	if command -v iverilog >/dev/null 2>&1; then
		if iverilog -g2005 -DTS_GENERATED_PARAMS -I"$TMP/$cfg" -Irtl -s ts_top -o "$TMP/$cfg.vvp" \
			rtl/*.v >"$TMP/iv" 2>&1 && [ ! -s "$TMP/iv" ]; then ok; else
			bad "iverilog -g2005 on $cfg:"; head -40 "$TMP/iv"
		fi
	fi
done

# yosys: Verilog-2005 front end, elaboration and the generic passes. Expected
# warnings: unpacked arrays that generate blocks index with constants (the
# PE links) become plain registers.
if command -v yosys >/dev/null 2>&1; then
	if yosys -q -l "$TMP/yosys.log" -p "read_verilog -DTS_GENERATED_PARAMS -I$TMP/tiny-ice40 -Irtl rtl/ts_*.v; \
		hierarchy -check -top ts_top; proc; opt; memory -nomap; opt; check -assert; \
		tee -q -o $TMP/stat.txt stat" >"$TMP/yosys.out" 2>&1; then ok; else
		bad "yosys on tiny-ice40:"; grep -iE "error|warning" "$TMP/yosys.log" "$TMP/yosys.out" | head -20
	fi
	grep "^Warning:" "$TMP/yosys.log" | grep -v "Replacing memory .* with list of registers" >"$TMP/yw"
	if [ -s "$TMP/yw" ]; then bad "yosys warnings on tiny-ice40:"; head -20 "$TMP/yw"; else ok; fi
	# the design is there: memories for the three scratchpads, multipliers for 8 PEs
	if grep -q 'ts_top' "$TMP/stat.txt" 2>/dev/null && grep -qE '\$mem(_v2)?' "$TMP/stat.txt"; then ok; else
		bad "yosys stat on tiny-ice40: no memories: $(head -c 400 "$TMP/stat.txt" 2>/dev/null)"
	fi
	if [ "${TS_RTL_SYNTH:-0}" = 1 ] && gen tests/data/rtl/synth-ice40.json; then
		g="$TMP/synth-ice40"
		if yosys -q -l "$TMP/synth.log" -p "read_verilog -DTS_GENERATED_PARAMS -I$g -Irtl rtl/ts_*.v; \
			synth_ice40 -top ts_top; tee -q -o $TMP/synth.txt stat" >/dev/null 2>&1; then ok; else
			bad "synth_ice40 on synth-ice40.json:"; grep -i error "$TMP/synth.log" | head
		fi
		n=$(awk '$1 == "SB_RAM40_4K" { print $2 }' "$TMP/synth.txt" 2>/dev/null | tail -1)
		[ "${n:-0}" -ge 2 ] && ok || bad "synth-ice40: ${n:-0} SB_RAM40_4K, expected >= 2"
	fi
else
	echo "cli_rtl: yosys not installed, skipped"
fi

echo "cli_rtl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
