#!/bin/sh
# cli_hls.sh — the HLS compute tile (hls/, hls/README.md), C-simulated with g++:
#   the arrays       `make hls` (cached in $BUILD/hls/): each HLS_CONFIGS testbench built with
#                    -Wall -Wextra -Werror; those named after a preset have its rows, cols, PE
#                    type and accumulator width (`tessera config show --json`)
#   csim             each testbench: thousands of random tiles and edge cases bit-exact with
#                    the golden model, the refusals, its coverage (seed: TS_SEED, else the
#                    time; printed); the same seed prints the same lines
#   bad arguments    exit 2 with a message
#   mutants          ts_tile.cpp broken on purpose in a scratch copy (rounding, ties, bias,
#                    clamp, K padding, shift bits, multiplier bit 31, accumulator width): the
#                    testbench must report mismatches for each
#   vitis_hls.tcl    run by tclsh with the Vitis HLS commands stubbed: the flow's commands in
#                    order, every file it adds exists (Vitis HLS itself is not installed here)
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_hls.sh
# TS_SAN: the sanitizer flags the library was built with (make check-tests sets it).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin
BUILD_DIR=$(dirname "$(dirname "$BIN")")
LIB=$BUILD_DIR/lib/libtessera.a
SEED=${TS_SEED:-$(date +%s)}
echo "cli_hls: seed $SEED (TS_SEED=$SEED reproduces)"

if ! command -v g++ >/dev/null 2>&1; then
	echo "cli_hls: g++ not installed: skipped"
	finish
	exit $?
fi

if ${MAKE:-make} --no-print-directory -s BUILD="$BUILD_DIR" SAN="${TS_SAN:-}" hls >"$TMP/make" 2>&1; then ok; else
	bad "make hls:"; tail -30 "$TMP/make"
fi
CONFIGS=$(${MAKE:-make} --no-print-directory -s hls-list)
n=$(echo $CONFIGS | wc -w)
[ "$n" -ge 4 ] && ok || bad "make hls-list: $n configurations, expected at least 4"

presets=0
for c in $CONFIGS; do
	IFS=: read -r name pe rows cols acc kmax <<EOF2
$c
EOF2
	# a preset's array: the same rows, cols, PE and accumulator width
	if "$BIN" config show "$name" --json >"$TMP/cfg.json" 2>/dev/null; then
		presets=$((presets + 1))
		want=$(printf '"rows": %s, "cols": %s, "dataflow": "[a-z]*", "pe": "%s", "acc_bits": %s' \
			"$rows" "$cols" "$(echo "$pe" | tr 'A-Z' 'a-z')" "$acc")
		if grep -q "\"array\": { $want }" "$TMP/cfg.json"; then ok; else
			bad "HLS_CONFIGS $c is not preset $name's array: $(grep '"array"' "$TMP/cfg.json")"
		fi
	fi
	tb=$BUILD_DIR/hls/$name/tb_tile
	[ -x "$tb" ] || { bad "$name: no $tb"; continue; }
	TS_SEED=$SEED "$tb" >"$TMP/csim.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "^hls csim: [1-9][0-9]* tiles, [1-9][0-9]* outputs, 0 mismatches$" "$TMP/csim.out"; then
		ok
		grep "tiles,\|unclamped" "$TMP/csim.out" | sed "s/^hls csim: /  $name: /"
	else
		bad "csim $name (seed $SEED, exit $rc):"; head -30 "$TMP/csim.out"
	fi
done
[ "$presets" -ge 3 ] && ok || bad "HLS_CONFIGS: $presets presets' arrays, expected at least 3"

# one seed, one output
tb=$BUILD_DIR/hls/edge/tb_tile
if [ -x "$tb" ]; then
	"$tb" --seed 12345 --tiles 300 >"$TMP/r1" 2>&1
	TS_SEED=12345 "$tb" --tiles 300 >"$TMP/r2" 2>&1
	if cmp -s "$TMP/r1" "$TMP/r2" && grep -q "seed 12345" "$TMP/r1"; then ok; else bad "seed 12345: two runs differ"; fi
	"$tb" --seed 12346 --tiles 300 >"$TMP/r3" 2>&1
	if ! cmp -s "$TMP/r1" "$TMP/r3"; then ok; else bad "seeds 12345 and 12346 print the same"; fi
	# bad arguments: exit 2 and a message naming the value
	expect 2 "tb_tile --tiles 0" -- "$tb" --tiles 0
	expect_in "tb_tile --tiles 0" err "a tile count 1..1000000"
	expect 2 "tb_tile --frobnicate" -- "$tb" --frobnicate
	expect_in "tb_tile --frobnicate" err "unknown argument '--frobnicate'"
	expect 2 "TS_SEED=abc tb_tile" -- env TS_SEED=abc "$tb"
	expect_in "TS_SEED=abc" err "TS_SEED 'abc' must be a non-negative integer"
fi

# mutant NAME CONFIG SED: ts_tile.cpp with SED applied (it must change the file) must fail csim.
mutant() {
	mname=$1; cfg=$2; edit=$3
	mkdir -p "$TMP/mut"
	cp hls/ts_tile.h hls/tb_tile.cpp "$TMP/mut/"
	sed "$edit" hls/ts_tile.cpp >"$TMP/mut/ts_tile.cpp"
	if cmp -s hls/ts_tile.cpp "$TMP/mut/ts_tile.cpp"; then
		bad "mutant $mname: the edit '$edit' no longer matches hls/ts_tile.cpp"
		return
	fi
	defs=$(echo "$CONFIGS" | tr ' ' '\n' | grep "^$cfg:" |
		awk -F: '{ printf "-DTS_TILE_PE=%s -DTS_TILE_ROWS=%s -DTS_TILE_COLS=%s -DTS_TILE_ACC_BITS=%s -DTS_TILE_K_MAX=%s", $2, $3, $4, $5, $6 }')
	# a mutant may overflow where the tile cannot (mult-bit-31): under UBSan (make asan) that
	# is the mutant's own fault, not what it is run for
	san=${TS_SAN:+$TS_SAN -fno-sanitize=signed-integer-overflow}
	# shellcheck disable=SC2086
	if ! g++ -std=c++14 -O1 -w $san $defs -I"$TMP/mut" -Ihost/include "$TMP/mut/ts_tile.cpp" \
		"$TMP/mut/tb_tile.cpp" "$LIB" -lm -pthread -o "$TMP/mut/tb" >"$TMP/mut.log" 2>&1; then
		bad "mutant $mname: does not build:"; head -5 "$TMP/mut.log"
		return
	fi
	TS_SEED=$SEED "$TMP/mut/tb" --tiles 1500 >"$TMP/mut.out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -q "^hls csim: .* [1-9][0-9]* mismatches$" "$TMP/mut.out"; then
		ok
		echo "  mutant $mname ($cfg): $(grep 'mismatches$' "$TMP/mut.out" | sed 's/^hls csim: //')"
	else
		bad "mutant $mname ($cfg, seed $SEED): not caught (exit $rc):"; tail -3 "$TMP/mut.out"
	fi
}
mutant truncate     edge  's/((p >> (shift - 1)) + 1) >> 1/(p >> (shift - 1)) >> 1/'
# round half down, -(round half up of -p): differs on exact ties only
mutant half-down    edge  's/((p >> (shift - 1)) + 1) >> 1/-((((-p) >> (shift - 1)) + 1) >> 1)/'
mutant no-bias      edge  's/int64_t s = (int64_t)acc + q.bias;/int64_t s = (int64_t)acc;/'
mutant no-lo-clamp  edge  's/if (y < lo)/if (y < TS_TILE_QMIN)/'
mutant k-truncated  edge  '/compute(elem_t abuf/,/chunks:/s/(k + R - 1) \/ R/k \/ R/'
mutant shift-5-bits tiny-ice40 's/q.shift & 63u/q.shift \& 31u/'
mutant mult-bit-31  tiny-ice40 's/q.mult & 0x7fffffffu/q.mult/'
mutant acc-32-bits  hx8k  's/return (int32_t)(v >= full \/ 2 ? v - full : v);/return (int32_t)u;/'

# The Vitis HLS script, with its commands stubbed (each records its name and arguments).
if command -v tclsh >/dev/null 2>&1; then
	cat >"$TMP/stub.tcl" <<'EOF2'
set ::calls {}
foreach cmd {open_project set_top add_files open_solution set_part create_clock config_export
	csim_design csynth_design cosim_design export_design close_project} {
	proc $cmd {args} "lappend ::calls \[concat $cmd \$args\]"
}
proc exit {args} {}
source [lindex $argv 0]
foreach c $::calls { puts $c }
EOF2
	TS_HLS_COSIM=1 tclsh "$TMP/stub.tcl" hls/vitis_hls.tcl >"$TMP/tcl.out" 2>"$TMP/tcl.err"
	rc=$?
	order=$(awk '{ print $1 }' "$TMP/tcl.out" | uniq | tr '\n' ' ')
	want="open_project set_top add_files open_solution set_part create_clock config_export csim_design csynth_design cosim_design export_design close_project "
	if [ $rc -eq 0 ] && [ "$order" = "$want" ]; then ok; else
		bad "vitis_hls.tcl (exit $rc): commands '$order', want '$want'; $(head -c 300 "$TMP/tcl.err")"
	fi
	grep -q "^set_top ts_tile" "$TMP/tcl.out" && ok || bad "vitis_hls.tcl: set_top is not ts_tile"
	grep -q "^set_part xczu" "$TMP/tcl.out" && ok || bad "vitis_hls.tcl: set_part is not a Zynq UltraScale+ part"
	grep -q -- "-DTS_TILE_ROWS=12 -DTS_TILE_COLS=16" "$TMP/tcl.out" && ok || bad "vitis_hls.tcl: edge's array not in -cflags"
	# every file it adds exists
	missing=$(grep "^add_files" "$TMP/tcl.out" | tr -d '{}' | tr ' ' '\n' | grep '\.\(cpp\|h\)$' |
		while read -r f; do [ -f "$f" ] || echo "$f"; done)
	[ -z "$missing" ] && ok || bad "vitis_hls.tcl adds missing files: $missing"
	# another array through the environment
	TS_TILE_PE=INT4 TS_TILE_ROWS=4 TS_TILE_COLS=3 TS_TILE_ACC_BITS=16 tclsh "$TMP/stub.tcl" hls/vitis_hls.tcl >"$TMP/tcl.out" 2>&1
	grep -q -- "-DTS_TILE_PE=INT4 -DTS_TILE_ROWS=4 -DTS_TILE_COLS=3 -DTS_TILE_ACC_BITS=16" "$TMP/tcl.out" && ok ||
		bad "vitis_hls.tcl: TS_TILE_* from the environment not in -cflags"
	grep -q "^cosim_design" "$TMP/tcl.out" && bad "vitis_hls.tcl: cosim without TS_HLS_COSIM=1" || ok
else
	echo "cli_hls: tclsh not installed: vitis_hls.tcl not checked"
fi

finish
