#!/bin/sh
# cli_config.sh — `tessera config` end to end: exit codes, stdout/stderr,
# no output on error, round trip of --json through a file.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_config.sh
set -eu

# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
DATA=tests/data/config
SHOW_LAST=300

# run ARGS...: run the binary, keep stdout/stderr in files and the exit code in rc.
run() {
	if "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"; then rc=0; else rc=$?; fi
}

need_bin

# ---- check -----------------------------------------------------------------
run config check edge
expect_rc "check edge" 0
if [ "$(cat "$TMP/out")" = "ok  edge  12x16 int8 ws @ 150 MHz on zcu104" ]; then ok; else bad "check edge: summary line"; fi

run config check "$DATA/good_full.json" tiny-ice40 "$DATA/good_preset.json"
expect_rc "check three" 0
if [ "$(wc -l <"$TMP/out")" -eq 3 ]; then ok; else bad "check three: 3 lines"; fi
expect_in "check three" out "8x24 int16 os @ 187.5 MHz on zcu104"
expect_in "check three" out "2x4 int8 ws @ 25 MHz on ulx3s"
expect_in "check three" out "32x64 int8 os @ 300 MHz on zcu102"

run config check "$DATA/bad_spad_small.json"
expect_rc "check bad spad" 2
expect_stdout_empty "check bad spad"
expect_in "check bad spad" err "$DATA/bad_spad_small.json:5:34: scratchpad.weight_bytes = 100 cannot hold one 16x16 int8 weight tile (256 bytes)"

# a good one before the bad one: still nothing on stdout
run config check edge "$DATA/bad_board.json" cloud
expect_rc "check good+bad" 2
expect_stdout_empty "check good+bad"
expect_in "check good+bad" err "$DATA/bad_board.json:2:12: board = \"zedboard\""

run config check "$DATA/no_such_file.json"
expect_rc "check missing file" 2
expect_stdout_empty "check missing file"
expect_in "check missing file" err "no_such_file.json: cannot open"

for f in "$DATA"/bad_*.json; do
	run config check "$f"
	expect_rc "check $f" 2
	expect_stdout_empty "check $f"
	expect_in "check $f" err "$f:"
done

run config check --json edge
expect_rc "check --json" 0
expect_in "check --json" out '"summary": "12x16 int8 ws @ 150 MHz on zcu104"'

# ---- usage -----------------------------------------------------------------
run config --help
expect_rc "--help" 0
expect_in "--help" out "usage: tessera config"

run config check --bogus edge
expect_rc "unknown flag" 2
expect_stdout_empty "unknown flag"
expect_in "unknown flag" err "unknown option '--bogus'"

run config
expect_rc "no subcommand" 2
run config frobnicate
expect_rc "unknown subcommand" 2
run config check
expect_rc "check without args" 2
run config show edge cloud
expect_rc "show two args" 2
run config presets extra
expect_rc "presets with arg" 2
expect_stdout_empty "presets with arg"

# ---- show ------------------------------------------------------------------
run config show edge
expect_rc "show edge" 0
expect_in "show edge" out "board          zcu104 (xczu7ev-ffvc1156-2, zynqmp)"
expect_in "show edge" out "weight spad    32768 bytes (32 KiB)"
expect_in "show edge" out "dram           8 B/cycle (1.20 GB/s at 150 MHz)"
expect_in "show edge" out "array          12 x 16 (192 PEs)"

run config show "$DATA/good_full.json"
expect_rc "show file" 0
expect_in "show file" out "sparse unit    bitmap, coo, rlc; 8 lanes"

run config show "$DATA/bad_pe.json"
expect_rc "show bad" 2
expect_stdout_empty "show bad"
expect_in "show bad" err "$DATA/bad_pe.json:4:11: array.pe = \"int7\""

# --json through a file reads back to the same config
run config show --json "$DATA/good_preset.json"
expect_rc "show --json" 0
cp "$TMP/out" "$TMP/rt.json"
run config show "$TMP/rt.json" --json
expect_rc "show --json round trip" 0
if cmp -s "$TMP/out" "$TMP/rt.json"; then ok; else bad "show --json round trip: output differs"; fi
expect_in "show --json" out '"name": "cloud-fast"'

# ---- presets, boards -------------------------------------------------------
run config presets
expect_rc "presets" 0
for p in tiny-ice40 edge cloud cloud-u250 edge-lightpe ultra96 hx8k; do
	if grep -q "^$p " "$TMP/out"; then ok; else bad "presets: no row for $p"; fi
	run config check "$p"
	expect_rc "check preset $p" 0
	run config presets
done
run config presets --json
expect_rc "presets --json" 0
expect_in "presets --json" out '"name": "tiny-ice40"'

run config boards
expect_rc "boards" 0
if [ "$(wc -l <"$TMP/out")" -eq 9 ]; then ok; else bad "boards: header + 8 rows"; fi
expect_in "boards" out "zcu104      xczu7ev-ffvc1156-2"
run config boards --json
expect_rc "boards --json" 0
expect_in "boards --json" out '"part": "ice40up5k-sg48"'

finish
