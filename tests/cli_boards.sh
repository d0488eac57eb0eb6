#!/bin/sh
# cli_boards.sh — the board tops of rtl/boards/ (docs/boards.md):
#   verilator --lint-only -Wall  each top clean on tiny-ice40, icebreaker and hx8k (1- and
#                                2-byte ports, latencies 2 and 4) and edge (8 bytes)
#   iverilog -g2005              each top compiles without a message
#   the PLL                      each top with PLL = 1 (its default dividers) lints clean;
#                                outside synthesis the PLL is a pass-through that checks its
#                                dividers make CLK_HZ: another CLK_HZ is refused
#   refusals at elaboration      a memory latency below 2, a bad memory size
#   the Verilated tops           `make boardsim` (cached in $BUILD/boardsim/), then each
#                                sim/boards/board_test: ID, INFO, three layers through
#                                the UART bit-exact with the golden model and
#                                cycle-exact with the cost model, faults on the wire
#                                recovered (seed: TS_SEED, else the time; printed)
#   scripts/bitstreams.sh        with a stand-in for tessera synth: what it writes for a
#                                board that fits and meets timing (bitstream, reports without
#                                this machine's paths, README row), the reason and nothing
#                                written for the others, exit 1; --check equal and different
# TS_BOARD_SYNTH=1 adds yosys synthesis (minutes each) and prints the cells: synth_ice40
# -dsp of the iCEBreaker top on the icebreaker preset, synth_ecp5 of the ULX3S top on
# tiny-ice40, synth_ice40
# of the HX8K top (no DSPs on the part) on the hx8k preset.
# Tools that are not installed are reported and skipped.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_boards.sh
# TS_SAN: the sanitizer flags the library was built with (make check-tests sets it).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin
BUILD_DIR=$(dirname "$(dirname "$BIN")")
SEED=${TS_SEED:-$(date +%s)}
TOPS="icebreaker hx8k ulx3s"
echo "cli_boards: seed $SEED (TS_SEED=$SEED reproduces)"

for cfg in tiny-ice40 icebreaker hx8k edge; do
	"$BIN" gen --config $cfg --out "$TMP/$cfg" >"$TMP/gen.out" 2>&1 || { bad "gen $cfg: $(cat "$TMP/gen.out")"; continue; }
	for top in $TOPS; do
		if command -v verilator >/dev/null 2>&1; then
			if verilator --lint-only -Wall +define+TS_GENERATED_PARAMS -I"$TMP/$cfg" -Irtl -Irtl/boards \
				--top-module ts_board_$top rtl/*.v rtl/boards/*.v >"$TMP/lint" 2>&1 && [ ! -s "$TMP/lint" ]; then ok; else
				bad "verilator -Wall ts_board_$top on $cfg:"; head -20 "$TMP/lint"
			fi
		fi
		if command -v iverilog >/dev/null 2>&1 && [ $cfg = tiny-ice40 ]; then
			if iverilog -g2005 -DTS_GENERATED_PARAMS -I"$TMP/$cfg" -Irtl -Irtl/boards -s ts_board_$top \
				-o "$TMP/$top.vvp" rtl/*.v rtl/boards/*.v >"$TMP/iv" 2>&1 && [ ! -s "$TMP/iv" ]; then ok; else
				bad "iverilog -g2005 ts_board_$top:"; head -20 "$TMP/iv"
			fi
		fi
	done
done

# refuse MODULE PARAMS... WHAT: elaboration of MODULE with PARAMS fails naming WHAT
refuse() {
	command -v verilator >/dev/null 2>&1 || return 0
	module=$1; what=$2; shift 2
	# the module's file; what it instantiates is found in rtl/boards, ts_func.vh in rtl
	if verilator --lint-only -Wall -I"$TMP/tiny-ice40" -Irtl -Irtl/boards --top-module "$module" "$@" \
		"rtl/boards/$module.v" >"$TMP/refuse" 2>&1; then
		bad "$module $*: elaborates, should be refused"
	elif grep -q "$what" "$TMP/refuse"; then ok; else
		bad "$module $*: refused without naming $what:"; head -5 "$TMP/refuse"
	fi
}
refuse ts_board_mem ts_board_mem_needs_dram_latency_of_at_least_2 -GLATENCY=1
refuse ts_board_mem ts_board_mem_size_must_be_2_to_aw_and_8_words -GMEM_BYTES=100000
refuse ts_uart_rx ts_uart_rx_needs_at_least_4_clocks_per_bit -GCLKS_PER_BIT=3

# The tops with their PLL (the default dividers: 12 MHz -> 24 MHz on the iCEBreaker, 48 MHz
# on the HX8K, 25 MHz -> 50 MHz on the ULX3S): clean, and refused for a CLK_HZ they do not make.
if command -v verilator >/dev/null 2>&1; then
	for t in icebreaker:24000000 hx8k:48000000 ulx3s:50000000; do
		top=${t%%:*}
		hz=${t#*:}
		if verilator --lint-only -Wall +define+TS_GENERATED_PARAMS -I"$TMP/tiny-ice40" -Irtl -Irtl/boards \
			--top-module ts_board_$top -GPLL=1 -GCLK_HZ=$hz rtl/*.v rtl/boards/*.v >"$TMP/lint" 2>&1 &&
			[ ! -s "$TMP/lint" ]; then ok; else
			bad "verilator -Wall ts_board_$top with its PLL at $hz Hz:"; head -10 "$TMP/lint"
		fi
		if verilator --lint-only -Wall +define+TS_GENERATED_PARAMS -I"$TMP/tiny-ice40" -Irtl -Irtl/boards \
			--top-module ts_board_$top -GPLL=1 -GCLK_HZ=30000000 rtl/*.v rtl/boards/*.v >"$TMP/lint" 2>&1; then
			bad "ts_board_$top with its PLL's dividers and CLK_HZ 30 MHz: elaborates, should be refused"
		elif grep -q ts_board_pll_settings_do_not_make_clk_hz "$TMP/lint"; then ok; else
			bad "ts_board_$top, PLL and CLK_HZ 30 MHz: refused without naming the PLL:"; head -5 "$TMP/lint"
		fi
	done
fi

# The Verilated tops, built once (make's timestamps) and run.
if ! command -v verilator >/dev/null 2>&1; then
	echo "cli_boards: verilator not installed: the board simulations are skipped"
else
	if ${MAKE:-make} --no-print-directory -s -j2 BUILD="$BUILD_DIR" SAN="${TS_SAN:-}" boardsim >"$TMP/make" 2>&1; then ok; else
		bad "make boardsim:"; tail -30 "$TMP/make"
	fi
	# the simulations of the Makefile's list (a build tree may hold older ones)
	SIMS=$(${MAKE:-make} --no-print-directory -s boardsim-list)
	for name in $SIMS; do
		sim=$BUILD_DIR/boardsim/$name/board_test
		[ -x "$sim" ] || { bad "$name: no $sim"; continue; }
		cfg=${name#*-}
		"$sim" --config "$cfg" --seed "$SEED" >"$TMP/sim.out" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && grep -q ": [1-9][0-9]* passed, 0 failed$" "$TMP/sim.out"; then
			ok
			grep -E "^(layer|link)" "$TMP/sim.out" | sed "s/^/  $name: /"
		else
			bad "$name (seed $SEED, exit $rc):"; cat "$TMP/sim.out"
		fi
	done
	n=$(echo $SIMS | wc -w)
	[ "$n" -eq 3 ] && ok || bad "make boardsim-list: $n board simulations, expected 3"
fi

# scripts/bitstreams.sh with a stand-in for tessera synth (the real one takes minutes per
# board): in a scratch tree, board "good" fits and meets timing, "slow" misses it, "big"
# does not fit, "refused" is refused before synthesis; then --check against what was written.
S=$TMP/bs
mkdir -p "$S/bitstreams" "$S/bin"
for b in good slow big refused; do printf '{ "name": "%s", "array": { "rows": 2, "cols": 2, "pe": "int8" } }\n' $b >"$S/bitstreams/$b.json"; done
printf '# bitstreams\n\nhand-written text\n\n<!-- bitstreams:table -->\n<!-- /bitstreams:table -->\n\nmore text\n' >"$S/bitstreams/README.md"
cat >"$S/bin/tessera" <<'EOF'
#!/bin/sh
# stand-in for `tessera synth --config C --board B --out DIR --report FILE`: a canned result per board
while [ $# -gt 0 ]; do case $1 in --board) b=$2; shift ;; --out) out=$2; shift ;; --report) rep=$2; shift ;; esac; shift; done
lut=${LUT:-1000}
case $b in
refused) echo "tessera synth: config refused on $b: clock_mhz 48: cannot make it" >&2; exit 2 ;;
big) lut=99999 ;;
esac
fits=true; met=true; rc=0; fmax=30.5
[ $b = big ] && { fits=false; rc=1; }
[ $b = slow ] && { met=false; rc=1; fmax=19.25; }
mkdir -p "$out/out" && printf 'BITSTREAM-%s' "$b" >"$out/out/tessera.bit"
cat >"$rep" <<JSON
{"config": "$b", "board": "$b", "family": "ecp5", "dir": "$out", "placed": true, "resources": [
 {"name": "lut", "used": $lut, "available": 83640, "model": 1}, {"name": "ff", "used": 500, "available": 83640, "model": 1},
 {"name": "dsp", "used": 4, "available": 156, "model": 1}, {"name": "bram", "used": 9, "available": 208, "model": 1},
 {"name": "uram", "used": 0, "available": 0, "model": 0}], "fits": $fits,
 "pnr": {"cell_type": "TRELLIS_COMB", "used": 1200, "available": 83640, "fmax_mhz": $fmax, "clock_mhz": 25, "timing_met": $met, "bitstream": "$out/out/tessera.bit"},
 "clock": {"asked_mhz": 25, "made_mhz": 25.0, "oscillator_mhz": 25, "pll": null, "settings": null},
 "tools": {"yosys": "/usr/bin/yosys", "yosys_version": "Yosys 0.23", "nextpnr": "/opt/x/nextpnr-ecp5", "nextpnr_version": "nextpnr-0.11", "pack": "/opt/x/ecppack"},
 "seconds": 12.0}
JSON
echo "$b: the table"
exit $rc
EOF
chmod +x "$S/bin/tessera"
(cd "$S" && TS_BIN=bin/tessera BUILD=out sh "$OLDPWD/scripts/bitstreams.sh") >"$TMP/bs.out" 2>&1
[ $? -eq 1 ] && ok || bad "bitstreams.sh with failing boards: exit $?, expected 1"
for want in "good: fits and meets timing: lut 1000/83640" "slow: misses timing: Fmax 19.25 MHz for 25 MHz" \
	"big: does NOT fit big: lut 99999/83640" "refused: refused before synthesis: tessera synth: config refused" \
	"not built or not as committed: big refused slow"; do
	grep -qF "$want" "$TMP/bs.out" && ok || bad "bitstreams.sh: output lacks '$want': $(cat "$TMP/bs.out")"
done
[ "$(cat "$S/bitstreams/good/tessera.bit" 2>/dev/null)" = BITSTREAM-good ] && ok || bad "bitstreams.sh: good's bitstream not copied"
for f in report.json report.txt versions.txt config.json; do [ -s "$S/bitstreams/good/$f" ] && ok || bad "bitstreams.sh: no good/$f"; done
ls -d "$S/bitstreams/slow" "$S/bitstreams/big" "$S/bitstreams/refused" 2>/dev/null | grep -q . &&
	bad "bitstreams.sh: wrote a failing board's directory: $(ls "$S/bitstreams")" || ok
grep -q '"nextpnr": "nextpnr-ecp5"' "$S/bitstreams/good/report.json" && ! grep -q '/opt/x\|"dir": "/' "$S/bitstreams/good/report.json" &&
	ok || bad "bitstreams.sh: report.json keeps this machine's paths: $(grep -E 'dir|nextpnr' "$S/bitstreams/good/report.json")"
grep -q "^| good | \`good.json\` | 2x2 int8 | 1000 / 83640 | 500 / 83640 | 4 / 156 | 9 / 208 | 30.5 / 25 | met |" "$S/bitstreams/README.md" &&
	grep -q "^hand-written text" "$S/bitstreams/README.md" && grep -q "^more text" "$S/bitstreams/README.md" && ok ||
	bad "bitstreams.sh: README.md: $(cat "$S/bitstreams/README.md")"
# --check: the same result passes; other cells fail
(cd "$S" && TS_BIN=bin/tessera BUILD=out sh "$OLDPWD/scripts/bitstreams.sh" --check good) >"$TMP/bs.out" 2>&1
[ $? -eq 0 ] && grep -q "good: as committed .* bitstream byte-identical" "$TMP/bs.out" && ok || bad "bitstreams.sh --check good: $(cat "$TMP/bs.out")"
(cd "$S" && LUT=1001 TS_BIN=bin/tessera BUILD=out sh "$OLDPWD/scripts/bitstreams.sh" --check good) >"$TMP/bs.out" 2>&1
[ $? -eq 1 ] && grep -q "good: DIFFERS in resources" "$TMP/bs.out" && ok || bad "bitstreams.sh --check, other LUTs: $(cat "$TMP/bs.out")"

# synth CMD TOP CONFIG: yosys synthesis of a board top, its cell counts printed
synth() {
	cmd=$1; top=$2; cfg=$3
	if yosys -q -l "$TMP/synth-$top.log" -p "read_verilog -DTS_GENERATED_PARAMS -I$TMP/$cfg -Irtl \
		-Irtl/boards rtl/ts_*.v rtl/boards/ts_*.v; $cmd -top ts_board_$top; tee -q -o $TMP/stat-$top.txt stat" \
		>"$TMP/synth.out" 2>&1; then ok; else
		bad "$cmd of ts_board_$top on $cfg:"; grep -iE "error" "$TMP/synth-$top.log" "$TMP/synth.out" | head -10
		return
	fi
	echo "  $cmd ts_board_$top ($cfg):" $(awk '$1 ~ /^(SB_|LUT4|TRELLIS|MULT18|DP16KD|CCU2C|PFUMX|L6MUX)/ \
		{ printf "%s %s, ", $1, $2 }' "$TMP/stat-$top.txt")
}
if [ "${TS_BOARD_SYNTH:-0}" = 1 ]; then
	if command -v yosys >/dev/null 2>&1; then
		synth "synth_ice40 -dsp" icebreaker icebreaker
		synth "synth_ice40" hx8k hx8k
		synth "synth_ecp5" ulx3s tiny-ice40
	else
		echo "cli_boards: yosys not installed: synthesis skipped"
	fi
fi

finish
