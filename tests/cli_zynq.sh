#!/bin/sh
# cli_zynq.sh — `tessera gen --board B` for the Zynq boards (PYNQ-Z2, Ultra96, ZCU102,
# ZCU104): the package's Vivado project (vivado/tessera.tcl, vivado/build.sh; docs/zynq.md)
# ties up with the package's other outputs: the register page, the interrupt and the DMA
# region of its device-tree overlay (dt/tessera.dts), the part (tessera config boards), the
# clock and the memory port (config.json), the HP port's width per family. The tcl runs
# in tclsh with Vivado's commands stubbed (they record their arguments and answer as
# Vivado would), so the commands it issues are checked with their values, and its own
# checks are made to fail: a DDR window that misses the DMA region, negative slack.
# vivado/build.sh without Vivado: exit 2 and a message. A config whose memory port is
# wider than the HP port gets no Vivado project, and build.sh says why.
# The RTL: rtl/boards/ts_board_zynq.v and ts_axi4_master.v must be there (FAIL otherwise),
# the top with the IP integrator's interface attributes; each package's top passes verilator -Wall and yosys' hierarchy check with the AXI_DW /
# AXI_AW the tcl sets; yosys synth_xilinx maps the PYNQ-Z2 top with the core as a black
# box (the board top's own cells; the core is build.sh's), LUT/FF/DSP/BRAM printed.
# TS_ZYNQ_SYNTH=1 maps every board's whole design, core included (minutes each).
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_zynq.sh
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin

for f in rtl/boards/ts_board_zynq.v rtl/boards/ts_axi4_master.v; do
	[ -f "$f" ] && ok || bad "$f is missing: the Zynq packages have no board top and no Vivado project"
done
# the IP integrator's attributes the module reference needs (UG994): aclk clocks both AXI
# interfaces and aresetn, the reset is active low, the interrupt a level
for a in 'ASSOCIATED_BUSIF s_axi:m_axi' 'ASSOCIATED_RESET aresetn' 'POLARITY ACTIVE_LOW' 'SENSITIVITY LEVEL_HIGH'; do
	grep -q "X_INTERFACE_PARAMETER = \"[^\"]*$a" rtl/boards/ts_board_zynq.v 2>/dev/null && ok ||
		bad "rtl/boards/ts_board_zynq.v: no X_INTERFACE_PARAMETER with $a"
done

# One config per board that fits it; the PYNQ-Z2's is the small one yosys maps.
cat >"$TMP/pynq-z2.json" <<'EOF'
{ "preset": "tiny-ice40", "name": "z7-small", "board": "pynq-z2", "array": { "rows": 2, "cols": 2 }, "clock_mhz": 100,
  "scratchpad": { "input_bytes": 256, "weight_bytes": 256, "acc_bytes": 512 }, "dram": { "bytes_per_cycle": 8, "latency": 30 } }
EOF
printf '{ "preset": "edge", "name": "edge-zcu102", "board": "zcu102", "clock_mhz": 250 }\n' >"$TMP/zcu102.json"
# the ultra96 preset is bigger than its part by the resource model: a 2x2 with its 16-byte port
printf '{ "preset": "ultra96", "name": "u96-small", "array": { "rows": 2, "cols": 2 },
  "scratchpad": { "input_bytes": 512, "weight_bytes": 512, "acc_bytes": 1024 } }\n' >"$TMP/ultra96.json"
cfg_of() {
	case $1 in
	pynq-z2 | zcu102 | ultra96) echo "$TMP/$1.json" ;;
	zcu104) echo edge ;;
	esac
}

"$BIN" config boards --json >"$TMP/boards.json" 2>"$TMP/err" && ok || bad "config boards --json: $(cat "$TMP/err")"

# The Vivado commands as tclsh stubs: each call is printed ("call NAME ARGS"); get_* return
# the object names they were given; get_property answers from the environment of the run
# (DRY_RANGE: the DDR segment's range; DRY_WNS; DRY_ACT: the PS's actual clock). The .bit
# the run "made" is 3 MB, so write_cfgmem's -size is 4.
cat >"$TMP/dry.tcl" <<'EOF'
set script [lindex $argv 0]
set dir [file join [file dirname [file normalize $script]] .. out dry]
file mkdir $dir
set f [open [file join $dir tessera_bd_wrapper.bit] w]
puts -nonewline $f [string repeat x 3000000]
close $f
proc env {name dflt} { if {[info exists ::env($name)]} { return $::env($name) } else { return $dflt } }
proc call {args} { puts "call [join $args { }]" }
foreach cmd {create_project set_property add_files update_compile_order create_bd_design apply_bd_automation
	connect_bd_intf_net connect_bd_net assign_bd_address validate_bd_design save_bd_design generate_target
	launch_runs wait_on_run open_run report_utilization report_timing_summary write_cfgmem write_hw_platform} {
	proc $cmd {args} "call $cmd {*}\$args; return {}"
}
proc current_project {} { return project }
proc current_fileset {} { return sources_1 }
proc get_board_parts {args} { return [env DRY_BOARD_PART {}] }
proc get_ipdefs {args} { return "[lindex [split [lindex $args end] :] 2]:9.9" }
proc create_bd_cell {args} { call create_bd_cell {*}$args; return [lindex $args end] }
proc get_files {args} { return [lindex $args end] }
foreach cmd {get_bd_pins get_bd_intf_pins get_bd_addr_spaces get_runs} { proc $cmd {args} { return [lindex $args end] } }
proc get_bd_addr_segs {args} {
	if {[lsearch $args -of_objects] >= 0} { return SEG_ddr }
	return [lindex $args end]
}
proc make_wrapper {args} { call make_wrapper {*}$args; return tessera_bd_wrapper.v }
proc get_property {name obj} {
	switch -glob -- $name {
		CONFIG.*ACT*FREQMHZ { return [env DRY_ACT $::ts_clock_mhz] }
		CONFIG.ASSOCIATED_BUSIF { return s_axi:m_axi }
		OFFSET { return 0x0 }
		RANGE { return [env DRY_RANGE 0x20000000] }
		PROGRESS { return 100% }
		STATS.WNS { return [env DRY_WNS 0.25] }
		DIRECTORY { return $::dir }
		default { error "dry run: get_property $name of $obj is not stubbed" }
	}
}
rename exit real_exit
proc exit {{code 0}} { puts "exit $code"; return -code return }
source $script
rename exit {}
rename real_exit exit
puts "done"
EOF

HAVE_TCLSH=0
if command -v tclsh >/dev/null 2>&1; then HAVE_TCLSH=1; else echo "cli_zynq: no tclsh: the tcl's dry runs are skipped"; fi

# hex_eq A B: two numbers (hex or decimal) are equal
hex_eq() { [ -n "$1" ] && [ -n "$2" ] && [ "$(printf '%d' "$1")" -eq "$(printf '%d' "$2")" ]; }
# tcl_var PKG NAME: the value of "set NAME VALUE" in PKG's tcl
tcl_var() { sed -n "s/^set $2  *\\([^ ]*\\)\$/\\1/p" "$1/vivado/tessera.tcl" | tr -d '{}'; }

for b in pynq-z2 ultra96 zcu102 zcu104; do
	P=$TMP/pkg-$b
	cfg=$(cfg_of $b)
	run 0 gen --config "$cfg" --board "$b" --out "$P" || continue
	T=$P/vivado/tessera.tcl
	for f in vivado/tessera.tcl vivado/build.sh rtl/boards/ts_board_zynq.v rtl/boards/ts_axi4_master.v dt/tessera.dts; do
		[ -s "$P/$f" ] && ok || bad "$b: the package has no $f"
	done
	[ -f "$T" ] || continue
	[ -x "$P/vivado/build.sh" ] && ok || bad "$b: vivado/build.sh is not executable"
	grep -q "vivado/tessera.tcl\$" "$P/MANIFEST" && ok || bad "$b: the MANIFEST lacks vivado/tessera.tcl"
	grep -q "^# The bitstream: vivado/build.sh" "$P/build.sh" && ok || bad "$b: build.sh does not point to vivado/build.sh"
	grep -q "^# Pins: none" "$T" && ok || bad "$b: the tcl's header does not say it needs no pins"

	# the board, the config and the overlay against the tcl's values
	family=$($PY -c "import json,sys; print([x['family'] for x in json.load(open(sys.argv[1])) if x['name'] == sys.argv[2]][0])" "$TMP/boards.json" "$b")
	part=$($PY -c "import json,sys; print([x['part'] for x in json.load(open(sys.argv[1])) if x['name'] == sys.argv[2]][0])" "$TMP/boards.json" "$b")
	clock=$($PY -c "import json,sys; print('%g' % json.load(open(sys.argv[1]))['clock_mhz'])" "$P/config.json")
	bpc=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['dram']['bytes_per_cycle'])" "$P/config.json")
	# the overlay: reg, interrupts and the reserved region (one or two cells per number)
	if ! ov=$($PY - "$P/dt/tessera.dts" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
def cells(node):
    m = re.search(node + r'@[0-9a-f]+\s*\{(.*?)\};', t, re.S)
    v = [int(x, 16) for x in re.search(r'\breg\s*=\s*<([^>]*)>', m.group(1)).group(1).split()]
    n = len(v) // 2
    join = lambda w: sum(x << (32 * (len(w) - 1 - i)) for i, x in enumerate(w))
    return join(v[:n]), join(v[n:]), m.group(1)
reg, reg_size, acc = cells(r'\btessera')
dma, dma_size, _ = cells(r'\btessera_dma')
irq = re.search(r'interrupts\s*=\s*<0\s+(\d+)\s+4>', acc).group(1)
print(hex(reg), hex(reg_size), irq, hex(dma), hex(dma_size))
EOF
	); then
		bad "$b: cannot read reg / interrupts / the DMA region from dt/tessera.dts"
		continue
	fi
	set -- $ov
	ov_reg=$1 ov_reg_size=$2 ov_irq=$3 ov_dma=$4 ov_dma_size=$5
	case $family in
	zynq7) dw=64 aw=32 dw_prop="CONFIG.PCW_S_AXI_HP0_DATA_WIDTH $dw" clk_prop=CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ
		irq_pin=ps/IRQ_F2P hp=ps/S_AXI_HP0 ddr_seg=ps/S_AXI_HP0/HP0_DDR_LOWOCM window=0x40000000 ;;
	zynqmp) dw=128 aw=49 dw_prop="CONFIG.PSU__SAXIGP2__DATA_WIDTH $dw" clk_prop=CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ
		irq_pin=ps/pl_ps_irq0 hp=ps/S_AXI_HP0_FPD ddr_seg=ps/SAXIGP2/HP0_DDR_LOW window=0x80000000 ;;
	*) bad "$b: family $family is not a Zynq"; continue ;;
	esac
	case $(tcl_var "$P" ts_part) in
	"$part" | "$part"-[ei]) ok ;;
	*) bad "$b: the tcl's part $(tcl_var "$P" ts_part) is not $part (tessera config boards)" ;;
	esac
	hex_eq "$(tcl_var "$P" ts_reg_addr)" "$ov_reg" && ok || bad "$b: the tcl's register page $(tcl_var "$P" ts_reg_addr) is not the overlay's reg $ov_reg"
	hex_eq "$ov_reg_size" 0x1000 && ok || bad "$b: the overlay's reg size $ov_reg_size is not the 4K the tcl assigns"
	[ "$(tcl_var "$P" ts_irq_spi)" = "$ov_irq" ] && ok || bad "$b: the tcl's SPI $(tcl_var "$P" ts_irq_spi) is not the overlay's $ov_irq"
	hex_eq "$(tcl_var "$P" ts_dma_addr)" "$ov_dma" && hex_eq "$(tcl_var "$P" ts_dma_size)" "$ov_dma_size" && ok ||
		bad "$b: the tcl's DMA region $(tcl_var "$P" ts_dma_addr) + $(tcl_var "$P" ts_dma_size) is not the overlay's $ov_dma + $ov_dma_size"
	[ $((ov_dma + ov_dma_size)) -le $((window)) ] && ok || bad "$b: the DMA region $ov_dma + $ov_dma_size is beyond the HP port's DDR window $window"
	[ "$(tcl_var "$P" ts_axi_dw)" = $dw ] && [ "$(tcl_var "$P" ts_axi_aw)" = $aw ] && ok ||
		bad "$b: AXI_DW / AXI_AW $(tcl_var "$P" ts_axi_dw) / $(tcl_var "$P" ts_axi_aw), expected $dw / $aw ($family)"
	[ "$(tcl_var "$P" ts_clock_mhz)" = "$clock" ] && ok || bad "$b: the tcl's clock $(tcl_var "$P" ts_clock_mhz) is not the config's $clock MHz"
	[ "$(tcl_var "$P" ts_dram_bpc)" = "$bpc" ] && [ "$bpc" -le $((dw / 8)) ] && ok ||
		bad "$b: the memory port: tcl $(tcl_var "$P" ts_dram_bpc), config $bpc bytes, HP port $((dw / 8))"

	# the tcl run with Vivado's commands stubbed: what it asks Vivado to do
	if [ $HAVE_TCLSH = 1 ]; then
		D=$TMP/dry-$b
		DRY_RANGE=$window tclsh "$TMP/dry.tcl" "$T" >"$D" 2>"$TMP/err" && tail -1 "$D" | grep -qx done && ok ||
			bad "$b: the tcl does not run through in tclsh: $(tail -3 "$TMP/err") $(tail -1 "$D")"
		expect_call() { # WHAT LINE: the dry run issued exactly LINE
			grep -qxF -- "call $2" "$D" && ok || bad "$b: the tcl does not $1: no 'call $2' in $(grep -F "call ${2%% *}" "$D" | head -3)"
		}
		expect_call "create the project for the part" "create_project -force tessera $P/out/vivado/project -part $(tcl_var "$P" ts_part)"
		expect_call "assign the overlay's register page" "assign_bd_address -target_address_space ps/Data -offset $(tcl_var "$P" ts_reg_addr) -range 4K ts/s_axi/reg0"
		expect_call "map the HP port's DDR" "assign_bd_address -target_address_space ts/m_axi $ddr_seg"
		expect_call "set ts_board_zynq's widths" "set_property -dict CONFIG.AXI_DW $dw CONFIG.AXI_AW $aw CONFIG.AXI_IDW 1 ts"
		expect_call "connect the interrupt" "connect_bd_net ts/irq $irq_pin"
		expect_call "connect the memory port" "connect_bd_intf_net smc_mem/M00_AXI $hp"
		expect_call "add the module reference" "create_bd_cell -type module -reference ts_board_zynq ts"
		expect_call "write the FPGA manager's .bin" "write_cfgmem -force -format BIN -size 4 -interface SMAPx32 -disablebitswap -loadbit up 0x0 $P/out/tessera.bit $P/out/tessera.bin"
		expect_call "export the hardware" "write_hw_platform -fixed -include_bit -force -file $P/out/tessera.xsa"
		expect_call "build the bitstream" "launch_runs impl_1 -to_step write_bitstream -jobs 2"
		expect_call "validate the design" "validate_bd_design"
		ps_props=$(grep "^call set_property -dict CONFIG.P[CS][WU]_" "$D")
		case " $ps_props " in
		*" $dw_prop "*) ok ;;
		*) bad "$b: the PS's HP port is not $dw_prop: $ps_props" ;;
		esac
		case " $ps_props " in
		*" $clk_prop $clock "*) ok ;;
		*) bad "$b: the PS's PL clock is not $clk_prop $clock: $ps_props" ;;
		esac
		grep -q "^exit" "$D" && bad "$b: the dry run exited: $(grep '^exit' "$D")" || ok
		grep -q "WARNING" "$D" && bad "$b: a warning with the PS making exactly $clock MHz: $(grep WARNING "$D")" || ok
		# its own checks: a DDR window that misses the DMA region, slack below 0, another clock
		DRY_RANGE=$ov_dma tclsh "$TMP/dry.tcl" "$T" >"$D.narrow" 2>"$TMP/err"
		[ $? -ne 0 ] && grep -q "the DMA region .* is outside SEG_ddr" "$TMP/err" && ok ||
			bad "$b: a DDR window of $ov_dma bytes does not stop the tcl: $(tail -2 "$TMP/err")"
		DRY_RANGE=$window DRY_WNS=-0.4 tclsh "$TMP/dry.tcl" "$T" >"$D.wns" 2>"$TMP/err"
		grep -qx "exit 1" "$D.wns" && grep -q "timing not met" "$D.wns" && ok || bad "$b: negative slack does not exit 1: $(tail -3 "$D.wns")"
		DRY_RANGE=$window DRY_ACT=$((${clock%.*} * 9 / 10)) tclsh "$TMP/dry.tcl" "$T" >"$D.act" 2>"$TMP/err"
		grep -q "WARNING: the PS makes .* MHz, not the config's $clock MHz" "$D.act" && ok || bad "$b: a PS clock 10 % off is not reported"
	fi

	# vivado/build.sh without Vivado: exit 2, one message
	VIVADO=$TMP/no-vivado sh "$P/vivado/build.sh" >"$TMP/out" 2>"$TMP/err"
	[ $? -eq 2 ] && grep -q "is not on PATH: this flow needs AMD Vivado" "$TMP/err" && ok ||
		bad "$b: vivado/build.sh without Vivado: $(cat "$TMP/err")"

	# the RTL with the tcl's parameters: verilator -Wall, yosys' elaboration
	if command -v verilator >/dev/null 2>&1; then
		(cd "$P" && verilator --lint-only -Wall +define+TS_GENERATED_PARAMS -Irtl/include -Irtl -Irtl/boards \
			--top-module ts_board_zynq -GAXI_DW=$dw -GAXI_AW=$aw rtl/ts_*.v rtl/boards/*.v) >"$TMP/lint" 2>&1 &&
			[ ! -s "$TMP/lint" ] && ok || bad "$b: verilator -Wall on ts_board_zynq: $(head -c 400 "$TMP/lint")"
	fi
	(cd "$P" && yosys -q -p "read_verilog -DTS_GENERATED_PARAMS -Irtl/include -Irtl rtl/ts_*.v rtl/boards/*.v; \
		chparam -set AXI_DW $dw -set AXI_AW $aw ts_board_zynq; hierarchy -check -top ts_board_zynq") >"$TMP/ys" 2>&1 &&
		ok || bad "$b: yosys hierarchy of ts_board_zynq: $(head -c 400 "$TMP/ys")"
done

# cells_of STAT.JSON: "LUT FF DSP BRAM36 BLACKBOXES" of yosys' stat -json (Xilinx cells)
cells_of() {
	$PY - "$1" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["design"]["num_cells_by_type"]
g = lambda *k: sum(c.get(x, 0) for x in k)
print(g(*["LUT%d" % i for i in range(1, 7)]), g("FDRE", "FDSE", "FDCE", "FDPE"), g("DSP48E1", "DSP48E2"),
      g("RAMB36E1", "RAMB36E2") + (g("RAMB18E1", "RAMB18E2") + 1) // 2, g("ts_top"))
EOF
}

# yosys synth_xilinx: the PYNQ-Z2 top with the core a black box (the top's own cells)
P=$TMP/pkg-pynq-z2
if [ -f "$P/rtl/boards/ts_board_zynq.v" ]; then
	t0=$(date +%s)
	(cd "$P" && yosys -q -p "read_verilog -DTS_GENERATED_PARAMS -Irtl/include -Irtl rtl/ts_*.v rtl/boards/*.v; \
		chparam -set AXI_DW 64 -set AXI_AW 32 ts_board_zynq; hierarchy -top ts_board_zynq; blackbox ts_top; \
		synth_xilinx -flatten -family xc7 -noiopad -top ts_board_zynq; tee -q -o top.json stat -json") >"$TMP/ys" 2>&1 &&
		ok || bad "pynq-z2: yosys synth_xilinx of ts_board_zynq: $(grep -m3 ERROR "$TMP/ys")"
	if [ -f "$P/top.json" ]; then
		set -- $(cells_of "$P/top.json")
		echo "  pynq-z2 ts_board_zynq without the core (AXI_DW 64, B 8): $1 LUT, $2 FF, $3 DSP, $4 BRAM36; $(($(date +%s) - t0)) s"
		# the master keeps at least a bus word and an address; it has no multiplier or RAM
		[ "$1" -gt 100 ] && [ "$2" -ge 96 ] && [ "$3" -eq 0 ] && [ "$4" -eq 0 ] && [ "$5" -eq 1 ] && ok ||
			bad "pynq-z2: the board top's cells: $* (LUT FF DSP BRAM ts_top)"
	fi
fi

# TS_ZYNQ_SYNTH=1: every board's whole design (the core too) against its part
if [ "${TS_ZYNQ_SYNTH:-0}" = 1 ]; then
	for b in pynq-z2 ultra96 zcu102 zcu104; do
		P=$TMP/pkg-$b
		[ -f "$P/vivado/tessera.tcl" ] || continue
		dw=$(tcl_var "$P" ts_axi_dw) aw=$(tcl_var "$P" ts_axi_aw)
		fam=$([ "$dw" = 64 ] && echo xc7 || echo xcup)
		t0=$(date +%s)
		(cd "$P" && yosys -q -p "read_verilog -DTS_GENERATED_PARAMS -Irtl/include -Irtl rtl/ts_*.v rtl/boards/*.v; \
			chparam -set AXI_DW $dw -set AXI_AW $aw ts_board_zynq; \
			synth_xilinx -flatten -family $fam -noiopad -top ts_board_zynq; tee -q -o all.json stat -json") >"$TMP/ys" 2>&1 &&
			ok || bad "$b: yosys synth_xilinx of the whole design: $(grep -m3 ERROR "$TMP/ys")"
		[ -f "$P/all.json" ] || continue
		set -- $(cells_of "$P/all.json")
		avail=$($PY -c "import json,sys; x=[x for x in json.load(open(sys.argv[1])) if x['name'] == sys.argv[2]][0]; print(x['lut'], x['ff'], x['dsp'], x['bram'])" "$TMP/boards.json" "$b")
		echo "  $b ts_board_zynq + core ($(tcl_var "$P" ts_dram_bpc) B/beat): $1 LUT, $2 FF, $3 DSP, $4 BRAM36 of $avail; $(($(date +%s) - t0)) s"
		set -- "$@" $avail
		[ "$1" -le "$6" ] && [ "$2" -le "$7" ] && [ "$3" -le "$8" ] && [ "$4" -le "$9" ] && [ "$1" -gt 0 ] && ok ||
			bad "$b: the whole design does not fit: $*"
	done
fi

# a memory port wider than the HP port: the package without a Vivado project, and why
run 0 gen --config cloud --board zcu102 --out "$TMP/pkg-cloud" --force &&
	{ [ ! -e "$TMP/pkg-cloud/vivado" ] && [ ! -e "$TMP/pkg-cloud/rtl/boards" ] && ok || bad "cloud on zcu102: a Vivado project for a 32-byte port"; }
grep -qF "No Vivado project in this package: dram.bytes_per_cycle 32 is wider than the 128-bit S_AXI_HP0_FPD port" \
	"$TMP/pkg-cloud/build.sh" && ok || bad "cloud on zcu102: build.sh does not say why there is no Vivado project: $(sed -n 3,4p "$TMP/pkg-cloud/build.sh")"
# boards of other families get none
run 0 gen --config tiny-ice40 --board ulx3s --out "$TMP/pkg-ulx3s" &&
	{ [ ! -e "$TMP/pkg-ulx3s/vivado" ] && [ ! -e "$TMP/pkg-ulx3s/rtl/boards/ts_board_zynq.v" ] && ok || bad "ulx3s: a Zynq file in its package"; }

finish
