#!/bin/sh
# cli_sdram.sh — the ULX3S SDRAM controller (rtl/boards/ts_sdram.v, docs/sdram.md):
#   verilator --lint-only -Wall  ts_sdram clean at AXI_DW 32, 64, 128, CL 2 and 3, at
#                                20, 25, 50, 100 and 143 MHz, AXI_AW 32
#   iverilog -g2005              tb_sdram (ts_axi4_master + ts_sdram) compiles silently
#   refusals at elaboration      CL 1, AXI_DW 16, a too narrow AXI_AW, a clock too slow
#                                for the refresh
#   the Verilated test           `make sdramsim` (cached in $BUILD/sdramsim/), then each
#                                sdram_test: random transfers through the memory port and
#                                the AXI4 master against a reference memory, every read byte
#                                checked, zero protocol violations of the chip model,
#                                AUTO REFRESH within tREFI; the latency and bandwidth lines
#                                printed (seed: TS_SEED, else the time; printed)
# TS_SDRAM_SYNTH=1 adds yosys synth_ecp5 of ts_sdram (AXI_DW 32, 25 MHz) and prints its
# cells. Tools that are not installed are reported and skipped.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_sdram.sh
# TS_SAN: the sanitizer flags the library was built with (make check-tests sets it).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
BUILD_DIR=$(dirname "$(dirname "$BIN")")
SEED=${TS_SEED:-$(date +%s)}
echo "cli_sdram: seed $SEED (TS_SEED=$SEED reproduces)"

if ! command -v verilator >/dev/null 2>&1; then
	echo "cli_sdram: verilator not installed: lint and simulation skipped"
	finish
	exit $?
fi

# lint PARAMS...: ts_sdram with -Wall, nothing printed
lint() {
	if verilator --lint-only -Wall -Irtl -Irtl/boards --top-module ts_sdram "$@" \
		rtl/boards/ts_sdram.v >"$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ]; then ok; else
		bad "verilator -Wall ts_sdram $*:"; head -20 "$TMP/lint"
	fi
}
for dw in 32 64 128; do
	for clk in 20000000 25000000 50000000; do lint -GAXI_DW=$dw -GCLK_HZ=$clk; done
	lint -GAXI_DW=$dw -GCLK_HZ=100000000 -GCL=3
	lint -GAXI_DW=$dw -GCLK_HZ=143000000 -GCL=3 -GFIFO_DEPTH=8
done
lint -GAXI_AW=32 -GAXI_IDW=4

if command -v iverilog >/dev/null 2>&1; then
	if iverilog -g2005 -Irtl -Irtl/boards -s tb_sdram -o "$TMP/sdram.vvp" sim/boards/tb_sdram.v \
		rtl/boards/ts_axi4_master.v rtl/boards/ts_sdram.v >"$TMP/iv" 2>&1 && [ ! -s "$TMP/iv" ]; then ok; else
		bad "iverilog -g2005 tb_sdram:"; head -20 "$TMP/iv"
	fi
fi

# refuse WHAT PARAMS...: ts_sdram with PARAMS fails naming WHAT
refuse() {
	what=$1
	shift
	if verilator --lint-only -Wall -Irtl -Irtl/boards --top-module ts_sdram "$@" \
		rtl/boards/ts_sdram.v >"$TMP/refuse" 2>&1; then
		bad "ts_sdram $*: elaborates, should be refused"
	elif grep -q "$what" "$TMP/refuse"; then ok; else
		bad "ts_sdram $*: refused without naming $what:"; head -5 "$TMP/refuse"
	fi
}
refuse ts_sdram_needs_cl_of_2_or_3 -GCL=1
refuse ts_sdram_needs_axi_dw_of_32_64_or_128 -GAXI_DW=16
refuse ts_sdram_needs_axi_aw_of_the_chip_bytes_at_least -GAXI_AW=24
refuse ts_sdram_timings_do_not_fit_clk_hz -GCLK_HZ=2000000

# The Verilated tests, built once (make's timestamps) and run.
if ${MAKE:-make} --no-print-directory -s BUILD="$BUILD_DIR" SAN="${TS_SAN:-}" sdramsim >"$TMP/make" 2>&1; then ok; else
	bad "make sdramsim:"; tail -30 "$TMP/make"
fi
SIMS=$(${MAKE:-make} --no-print-directory -s sdramsim-list)
for name in $SIMS; do
	sim=$BUILD_DIR/sdramsim/$name/sdram_test
	[ -x "$sim" ] || { bad "$name: no $sim"; continue; }
	"$sim" --seed "$SEED" >"$TMP/sim.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "^model: 0 violations$" "$TMP/sim.out" &&
		grep -q ": [1-9][0-9]* read bytes checked, 0 failed$" "$TMP/sim.out"; then
		ok
		grep -E "^(sdram_test: AXI|cost|first|sequential|  =|refresh)" "$TMP/sim.out" | sed "s/^/  $name: /"
	else
		bad "$name (seed $SEED, exit $rc):"; head -40 "$TMP/sim.out"
	fi
done
n=$(echo $SIMS | wc -w)
[ "$n" -ge 3 ] && ok || bad "make sdramsim-list: $n simulations, expected at least 3"

# a bad argument is refused with exit 2
sim=$BUILD_DIR/sdramsim/ulx3s25/sdram_test
if [ -x "$sim" ]; then
	"$sim" --transfers 0 >"$TMP/out" 2>&1
	[ $? -eq 2 ] && grep -q "must be 1..10000000" "$TMP/out" && ok || bad "sdram_test --transfers 0: $(cat "$TMP/out")"
fi

if [ "${TS_SDRAM_SYNTH:-0}" = 1 ]; then
	if command -v yosys >/dev/null 2>&1; then
		if yosys -q -l "$TMP/synth.log" -p "read_verilog -Irtl rtl/boards/ts_sdram.v; \
			synth_ecp5 -top ts_sdram; tee -q -o $TMP/stat.txt stat" >"$TMP/synth.out" 2>&1; then
			ok
			echo "  synth_ecp5 ts_sdram (AXI_DW 32, 25 MHz):" $(awk '$1 ~ /^(LUT4|TRELLIS_FF|CCU2C|PFUMX|L6MUX21|TRELLIS_DPR16X4|DP16KD)$/ \
				{ printf "%s %s, ", $1, $2 }' "$TMP/stat.txt")
		else
			bad "synth_ecp5 of ts_sdram:"; grep -i error "$TMP/synth.log" "$TMP/synth.out" | head -10
		fi
	else
		echo "cli_sdram: yosys not installed: synthesis skipped"
	fi
fi

finish
