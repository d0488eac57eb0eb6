#!/bin/sh
# cli_rtl.sh — the RTL is Verilog-2005 that all three open tools read, on the
# parameters `tessera sim --gen` generates:
#   verilator --lint-only -Wall   clean on four presets (both dataflows, int8,
#                                 int4, lightpe2; 1-, 2-, 8- and 16-byte ports)
#   iverilog -g2005               compiles ts_top without a message
#   yosys 0.23                    read_verilog (no -sv); hierarchy; proc; opt;
#                                 memory -nomap; check -assert on tiny-ice40:
#                                 the scratchpads are 12 memories (ts_ram banks)
#   synth_ice40 -dsp up to memory mapping (-run :map_ffram, ~10 s) on
#                                 tiny-ice40 (B = 2): every memory is block
#                                 RAM (none left for map_ffram to turn into
#                                 flip-flops), 28 SB_RAM40_4K
# Any warning that is not on the short list of expected ones below fails and is
# printed. Tools that are not installed are reported and skipped.
# TS_RTL_SYNTH=1 adds full synth_ice40 runs (about 2 min each on a loaded
# 2-core machine, so not by default) of tiny-ice40 and of
# tests/data/rtl/synth-ice40.json (B = 1) and prints their LUT / FF / BRAM /
# DSP counts; both must map every memory to SB_RAM40_4K.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_rtl.sh
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

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
	# The design is there, with the scratchpads as memories: tiny-ice40 (2x4
	# int8, B = 2) has 2 banks per input / weight scratchpad (2^ceil(log2 B),
	# rtl/ts_spad.v) and 4 columns x 2 banks of accumulators (NQ = 2 store
	# lanes, rtl/ts_acc.v): 12. Fewer means a scratchpad became registers.
	n=$(awk '$1 == "$mem_v2" { n = $2 } END { print n + 0 }' "$TMP/stat.txt" 2>/dev/null)
	if grep -q 'ts_top' "$TMP/stat.txt" 2>/dev/null && [ "$n" -eq 12 ]; then ok; else
		bad "yosys stat on tiny-ice40: $n memories, expected 12"
	fi

	# Block RAM mapping: synth_ice40 up to (not including) map_ffram, the pass
	# that would turn a memory it cannot map into flip-flops. Banks of
	# tiny-ice40: input 2 x 1024 x 16 bits (4 SB_RAM40_4K each), weight
	# 2 x 128 x 32 (2 each), accumulator 8 x 128 x 32 (2 each): 28.
	t="$TMP/tiny-ice40"
	if yosys -q -l "$TMP/bram.log" -p "read_verilog -DTS_GENERATED_PARAMS -I$t -Irtl rtl/ts_*.v; \
		synth_ice40 -dsp -top ts_top -run :map_ffram; tee -q -o $TMP/bram.txt stat" >/dev/null 2>&1; then ok; else
		bad "synth_ice40 -run :map_ffram on tiny-ice40:"; grep -i error "$TMP/bram.log" | head
	fi
	n=$(awk '$1 == "SB_RAM40_4K" { n = $2 } END { print n + 0 }' "$TMP/bram.txt" 2>/dev/null)
	m=$(awk '/Number of memories:/ { m = $4 } END { print m + 0 }' "$TMP/bram.txt" 2>/dev/null)
	if [ "$n" -eq 28 ] && [ "$m" -eq 0 ]; then ok; else
		bad "tiny-ice40: $n SB_RAM40_4K and $m unmapped memories, expected 28 and 0"
	fi

	# Full synthesis (TS_RTL_SYNTH=1): every memory still block RAM at the end.
	synth() {  # name, generated-params dir, minimum SB_RAM40_4K
		if yosys -q -l "$TMP/synth.log" -p "read_verilog -DTS_GENERATED_PARAMS -I$2 -Irtl rtl/ts_*.v; \
			synth_ice40 -dsp -top ts_top; tee -q -o $TMP/synth.txt stat" >/dev/null 2>&1; then ok; else
			bad "synth_ice40 on $1:"; grep -i error "$TMP/synth.log" | head
			return
		fi
		awk -v cfg="$1" '$1 ~ /^SB_(LUT4|RAM40_4K|MAC16)$/ { c[$1] = $2 }
			$1 ~ /^SB_DFF/ { ff += $2 }
			END { printf "cli_rtl: synth_ice40 -dsp %s: %d LUT4, %d FF, %d SB_RAM40_4K, %d SB_MAC16\n",
				cfg, c["SB_LUT4"], ff, c["SB_RAM40_4K"], c["SB_MAC16"] }' "$TMP/synth.txt"
		n=$(awk '$1 == "SB_RAM40_4K" { n = $2 } END { print n + 0 }' "$TMP/synth.txt")
		[ "$n" -ge "$3" ] && ok || bad "$1: $n SB_RAM40_4K, expected >= $3"
	}
	if [ "${TS_RTL_SYNTH:-0}" = 1 ]; then
		synth tiny-ice40 "$TMP/tiny-ice40" 28
		# B = 1: one bank per scratchpad, 2 accumulator columns
		gen tests/data/rtl/synth-ice40.json && synth synth-ice40 "$TMP/synth-ice40" 4
	fi
else
	echo "cli_rtl: yosys not installed, skipped"
fi

finish
