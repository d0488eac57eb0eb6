# vitis_hls.tcl — the compute tile (hls/README.md) through Vitis HLS: C simulation with the
# testbench against the golden model, C synthesis, optional C/RTL co-simulation, and export
# as a Vivado IP. From the repository root, after `make` (csim links the golden model from
# build/lib/libtessera.a):
#   vitis_hls -f hls/vitis_hls.tcl                 (2024.1 and older)
#   vitis-run --mode hls --tcl hls/vitis_hls.tcl   (2024.2 and newer)
# The array comes from the environment (defaults: the "edge" preset's, int8 12 x 16):
#   TS_TILE_PE (INT8, INT4, INT16), TS_TILE_ROWS, TS_TILE_COLS, TS_TILE_ACC_BITS,
#   TS_TILE_M_MAX, TS_TILE_K_MAX (ts_tile.h); TS_HLS_PART (default xczu3eg-sbva484-1, the
#   Ultra96's ZU3EG), TS_HLS_CLOCK_NS (default 5: 200 MHz), TS_HLS_COSIM=1 adds cosim_design,
#   TS_HLS_PROJECT (default build/hls/vitis/<pe>-<rows>x<cols>).
# Vitis HLS is not installed where this is tested: tests/cli_hls.sh runs the script with the
# commands stubbed, which checks the order and the files, not the tool's verdict.

proc env_or {name default} {
	if {[info exists ::env($name)] && $::env($name) ne ""} {
		return $::env($name)
	}
	return $default
}

set root    [file normalize [file join [file dirname [info script]] ..]]
set pe      [env_or TS_TILE_PE INT8]
set rows    [env_or TS_TILE_ROWS 12]
set cols    [env_or TS_TILE_COLS 16]
set accb    [env_or TS_TILE_ACC_BITS 32]
set m_max   [env_or TS_TILE_M_MAX 64]
set k_max   [env_or TS_TILE_K_MAX 256]
set part    [env_or TS_HLS_PART xczu3eg-sbva484-1]
set period  [env_or TS_HLS_CLOCK_NS 5]
set project [env_or TS_HLS_PROJECT [file join $root build hls vitis [string tolower $pe]-${rows}x${cols}]]

set defs   "-DTS_TILE_PE=$pe -DTS_TILE_ROWS=$rows -DTS_TILE_COLS=$cols -DTS_TILE_ACC_BITS=$accb -DTS_TILE_M_MAX=$m_max -DTS_TILE_K_MAX=$k_max"
set cflags "-std=c++14 $defs -I[file join $root hls] -I[file join $root host include]"

open_project -reset $project
set_top ts_tile
add_files [file join $root hls ts_tile.cpp] -cflags $cflags
add_files [file join $root hls ts_tile.h] -cflags $cflags
add_files -tb [file join $root hls tb_tile.cpp] -cflags $cflags

open_solution -reset solution1 -flow_target vivado
set_part $part
create_clock -period $period -name default
config_export -format ip_catalog -rtl verilog

# The golden model (ts_ref_gemm, ts_requant_acc) from the library `make` builds.
set golden "[file join $root build lib libtessera.a] -lm -pthread"
csim_design -ldflags $golden -argv "--tiles 3000"
csynth_design
if {[env_or TS_HLS_COSIM 0]} {
	# RTL simulation is slow: a few tiles
	cosim_design -ldflags $golden -argv "--tiles 20"
}
export_design -format ip_catalog
close_project
exit
