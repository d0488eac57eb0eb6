#!/bin/sh
# cli_axi.sh — the AXI4 memory master and the Zynq top (rtl/boards/ts_axi4_master.v,
# ts_board_zynq.v; docs/axi.md):
#   verilator --lint-only -Wall  ts_board_zynq clean on tiny-ice40 (B 2), the 3-byte
#                                tests/data/axi/b3.json and hx8k (B 1, serial requantizer)
#                                at AXI_DW 32, 64, 128, and on ultra96 (B 16) at 128;
#                                AXI_AW 32 and 49, AXI_IDW 4
#   iverilog -g2005              ts_board_zynq compiles without a message
#   refusals at elaboration      B wider than the bus, AXI_DW 256
#   the Verilated top            `make axisim` (cached in $BUILD/axisim/), then each
#                                axi_test: random layers at random bases, run through the
#                                AXI4-Lite registers against an AXI slave with random stalls
#                                (0, 0.1, 0.3) under a per-cycle protocol checker, outputs
#                                bit-exact with the golden model, nothing else written,
#                                CYCLES at or above the cost model's ideal port (the
#                                difference printed); SLVERR in AXI_STATUS
#                                (seed: TS_SEED, else the time; printed)
# TS_AXI_SYNTH=1 adds yosys synth_xilinx of ts_axi4_master (AXI_DW 64, B 3) and prints
# its cells. Tools that are not installed are reported and skipped.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_axi.sh
# TS_SAN: the sanitizer flags the library was built with (make check-tests sets it).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin
BUILD_DIR=$(dirname "$(dirname "$BIN")")
SEED=${TS_SEED:-$(date +%s)}
echo "cli_axi: seed $SEED (TS_SEED=$SEED reproduces)"

if ! command -v verilator >/dev/null 2>&1; then
	echo "cli_axi: verilator not installed: lint and simulation skipped"
	finish
	exit $?
fi

# lint CONFIG PARAMS...: ts_board_zynq with -Wall, nothing printed
lint() {
	cfg=$1
	shift
	if verilator --lint-only -Wall +define+TS_GENERATED_PARAMS -I"$TMP/$cfg" -Irtl -Irtl/boards \
		--top-module ts_board_zynq "$@" rtl/*.v rtl/boards/*.v >"$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ]; then ok; else
		bad "verilator -Wall ts_board_zynq on $cfg $*:"; head -20 "$TMP/lint"
	fi
}
for cfg in tiny-ice40 tests/data/axi/b3.json hx8k ultra96; do
	name=$(basename "$cfg" .json)
	"$BIN" gen --config "$cfg" --out "$TMP/$name" >"$TMP/gen.out" 2>&1 || { bad "gen $cfg: $(cat "$TMP/gen.out")"; continue; }
	if [ "$name" = ultra96 ]; then
		lint $name -GAXI_DW=128
	else
		for dw in 32 64 128; do lint $name -GAXI_DW=$dw; done
	fi
done
lint b3 -GAXI_AW=32
lint b3 -GAXI_AW=49 -GAXI_IDW=4

if command -v iverilog >/dev/null 2>&1; then
	if iverilog -g2005 -DTS_GENERATED_PARAMS -I"$TMP/b3" -Irtl -Irtl/boards -s ts_board_zynq \
		-o "$TMP/zynq.vvp" rtl/*.v rtl/boards/*.v >"$TMP/iv" 2>&1 && [ ! -s "$TMP/iv" ]; then ok; else
		bad "iverilog -g2005 ts_board_zynq:"; head -20 "$TMP/iv"
	fi
fi

# refuse WHAT PARAMS...: ts_axi4_master with PARAMS fails naming WHAT
refuse() {
	what=$1
	shift
	if verilator --lint-only -Wall -Irtl -Irtl/boards --top-module ts_axi4_master "$@" \
		rtl/boards/ts_axi4_master.v >"$TMP/refuse" 2>&1; then
		bad "ts_axi4_master $*: elaborates, should be refused"
	elif grep -q "$what" "$TMP/refuse"; then ok; else
		bad "ts_axi4_master $*: refused without naming $what:"; head -5 "$TMP/refuse"
	fi
}
refuse ts_axi4_master_needs_b_from_1_to_axi_dw_over_8 -GAXI_DW=64 -GB=9
refuse ts_axi4_master_needs_axi_dw_of_32_64_or_128 -GAXI_DW=256 -GB=8

# The Verilated tops, built once (make's timestamps) and run.
if ${MAKE:-make} --no-print-directory -s -j2 BUILD="$BUILD_DIR" SAN="${TS_SAN:-}" axisim >"$TMP/make" 2>&1; then ok; else
	bad "make axisim:"; tail -30 "$TMP/make"
fi
SIMS=$(${MAKE:-make} --no-print-directory -s axisim-list)
for s in $SIMS; do
	name=${s%%:*}
	cfg=${s#*:}
	sim=$BUILD_DIR/axisim/$name/axi_test
	[ -x "$sim" ] || { bad "$name: no $sim"; continue; }
	"$sim" --config "$cfg" --seed "$SEED" >"$TMP/sim.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q ": [1-9][0-9]* passed, 0 failed$" "$TMP/sim.out"; then
		ok
		grep -E "^(stall|long|errors)" "$TMP/sim.out" | sed "s/^/  $name: /"
	else
		bad "$name (seed $SEED, exit $rc):"; cat "$TMP/sim.out"
	fi
done
n=$(echo $SIMS | wc -w)
[ "$n" -ge 3 ] && ok || bad "make axisim-list: $n simulations, expected at least 3"

# a bad --config is refused with exit 2
sim=$BUILD_DIR/axisim/b3/axi_test
if [ -x "$sim" ]; then
	"$sim" --config tiny-ice40 >"$TMP/out" 2>&1
	[ $? -eq 2 ] && grep -q "bytes per cycle" "$TMP/out" && ok || bad "axi_test for B 3 on tiny-ice40: $(cat "$TMP/out")"
fi

if [ "${TS_AXI_SYNTH:-0}" = 1 ]; then
	if command -v yosys >/dev/null 2>&1; then
		if yosys -q -l "$TMP/synth.log" -p "read_verilog -Irtl rtl/boards/ts_axi4_master.v; \
			chparam -set AXI_DW 64 -set B 3 ts_axi4_master; synth_xilinx -flatten -family xc7 -noiopad \
			-top ts_axi4_master; tee -q -o $TMP/stat.txt stat" >"$TMP/synth.out" 2>&1; then
			ok
			echo "  synth_xilinx ts_axi4_master (AXI_DW 64, B 3):" $(awk '$1 ~ /^(LUT|FD|CARRY|MUXF)/ \
				{ printf "%s %s, ", $1, $2 }' "$TMP/stat.txt")
		else
			bad "synth_xilinx of ts_axi4_master:"; grep -i error "$TMP/synth.log" "$TMP/synth.out" | head -10
		fi
	else
		echo "cli_axi: yosys not installed: synthesis skipped"
	fi
fi

finish
