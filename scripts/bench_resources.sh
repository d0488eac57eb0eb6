#!/bin/sh
# bench_resources.sh — synthesize a sweep of configs (tests/data/resources/configs/)
# with yosys for each FPGA family, record the cell counts in
# tests/data/resources/synth.json and print the resource model's estimates against them.
#
# Usage: sh scripts/bench_resources.sh [BIN]      (from the repository root; `make bench-resources`)
#   BIN          the tessera CLI (default build/bin/tessera); writes the generated includes
#   BENCH        the table printer (default build/bench/bench_resources)
#   JOBS         parallel yosys runs (default 2)
#   RESYNTH=1    synthesize again even when build/resources/ holds a result for the same
#                RTL, generated parameters, flow and yosys version
#   PRINT_ONLY=1 no synthesis: print the table from the committed tests/data/resources/synth.json
#                (it says when that data was taken on other RTL than the working tree's)
#   COLLECT_ONLY=1  no synthesis: gather what build/resources/ holds into synth.json
#   CONFIGS      config names to (re)synthesize (default: each flow's list below)
#   FLOWS        flows to run (default: all below)
#   SLOW=1       also the slow configs (SLOW_CONFIGS below; about 20 min more)
#   MODULES=1    synthesize the module tables instead: ts_pe (every PE type, dataflow,
#                16/32/48 accumulator bits) and one ts_requant lane with the outputs a STORE
#                of 1/4/8/16-bit outputs reads (32/40/48 bits; the serial lane of
#                requant.cycles 2..32 at 32 bits and 8-bit outputs) alone, per flow, into
#                tests/data/resources/modules.json (entries whose module RTL is unchanged
#                are kept)
#
# Flows (yosys 0.23; every flow flattens the design, as a bitstream build does):
#   ice40        synth_ice40 -dsp                       iCEBreaker (UP5K): SB_MAC16 multipliers
#   ice40-nodsp  synth_ice40                            HX8K: no DSPs, multipliers in LUTs
#   ecp5         synth_ecp5                             ULX3S (ECP5-85F)
#   xc7          synth_xilinx -family xc7 -noiopad      PYNQ-Z2 (Zynq-7020)
#   xcup         synth_xilinx -family xcup -noiopad     ZCU102 (UltraScale+; also ultra96, zcu104, u250)
#   ice40-hier   synth_ice40 -dsp -noflatten            per-module counts, for the modules' formulas
#   ecp5-hier    synth_ecp5 -noflatten                  the same for ECP5
#   xc7-hier     synth_xilinx -family xc7 -noiopad      the same for Xilinx (Series 7; UltraScale+ takes them)
#   top-icebreaker, top-hx8k, top-ulx3s   the board top (rtl/boards/) of `tessera gen --board`,
#                synthesized as its build.sh does, for one small config: the board's overhead
#                over the core (scripts/fit_resources.py subtracts the core's point)
# How cells count as resources (the "counts" of each point; raw cells are kept too):
#   LUT: iCE40 SB_LUT4; ECP5 LUT4 + 2 per CCU2C (a carry cell occupies two LUT4 sites)
#        + 4 per TRELLIS_DPR16X4; Xilinx LUT1..LUT6, INV + SRL16E/SRLC32E + the LUTs of
#        LUT RAMs (RAM32M/RAM64M 4, RAM32X1D/RAM64X1D 2, ...).
#   FF: SB_DFF*, TRELLIS_FF, FD*. DSP: SB_MAC16, MULT18X18D, DSP48E1/E2.
#   BRAM: SB_RAM40_4K; DP16KD + PDPW16KD; RAMB36 + ceil(RAMB18 / 2) (two RAMB18 share
#   one BRAM36 site). URAM: SB_SPRAM256KA, URAM288.
# Every point records the hash of the core RTL (rtl/ts_*.v, rtl/*.vh) it was taken on, and the
# board-top points that of rtl/boards/ too; the table says which points are stale.
set -eu

BIN=${1:-build/bin/tessera}
BENCH=${BENCH:-build/bench/bench_resources}
DATA=tests/data/resources
OUT=$DATA/synth.json
CACHE=build/resources
JOBS=${JOBS:-2}
ALL_FLOWS="ice40 ice40-nodsp ecp5 xc7 xcup ice40-hier ecp5-hier xc7-hier top-icebreaker top-hx8k top-ulx3s"
FLOWS=${FLOWS:-$ALL_FLOWS}
# The configs of each flow (CONFIGS narrows them): iCE40 takes all, the other
# flows fewer, so that the sweep runs in about 35 min with JOBS=2 on a 2-core
# machine. a3x5-int8-ws and a6x6-int4-ws are held out of the fit (fit_resources.py).
# SLOW_CONFIGS take 7 and 13 min on iCE40 alone (B = 3 bytes, and 8x8 with 8-byte
# beats): only with SLOW=1; their committed points are printed (and checked) all the same.
# EDGE_CONFIGS are whole-board configs synthesized for one Xilinx flow only (SLOW=1):
# edge, the default preset, with synth_xilinx -family xc7 (the PYNQ-Z2's part).
SLOW_CONFIGS="a3x5-int8-ws a8x8-int8-ws"
EDGE_CONFIGS="edge"
ALL_CONFIGS=$(for f in "$DATA"/configs/*.json; do
	c=$(basename "$f" .json)
	case " $SLOW_CONFIGS " in *" $c "*) [ "${SLOW:-0}" = 1 ] || continue ;; esac
	case " $EDGE_CONFIGS " in *" $c "*) continue ;; esac
	echo "$c"
done | tr '\n' ' ')
SUB_CONFIGS="tiny-ice40 a1x1-int8-ws a2x2-int4-os a8x4-lp2-ws a2x8-int16-ws a6x6-int4-ws"
XCUP_CONFIGS="tiny-ice40 a1x1-int8-ws a2x8-int16-ws a6x6-int4-ws"
NODSP_CONFIGS="hx8k a1x1-int8-ws a2x2-int4-os a6x6-int4-ws"
HIER_CONFIGS="tiny-ice40 icebreaker a1x1-int8-ws a2x2-int4-os a4x4-int16-os a8x4-lp2-ws a2x8-int16-ws hx8k a4x4-bin-os a4x8-lp1-ws a4x4-int8-os"
HIER_SUB_CONFIGS="tiny-ice40 a1x1-int8-ws a2x2-int4-os a4x4-int16-os a4x4-int8-os a8x4-lp2-ws a2x8-int16-ws a4x4-bin-os"
TOP_CONFIG=a1x1-int8-ws  # at 20 MHz: a clock every board's PLL makes
flow_configs() {
	case $1 in
	ice40) echo "$ALL_CONFIGS" ;;
	ice40-hier) echo "$HIER_CONFIGS" ;;
	*-hier) echo "$HIER_SUB_CONFIGS" ;;
	ice40-nodsp) echo "$NODSP_CONFIGS" ;;
	xcup) echo "$XCUP_CONFIGS" ;;
	xc7) if [ "${SLOW:-0}" = 1 ]; then echo "$SUB_CONFIGS $EDGE_CONFIGS"; else echo "$SUB_CONFIGS"; fi ;;
	top-*) echo "$TOP_CONFIG" ;;
	*) echo "$SUB_CONFIGS" ;;
	esac
}

flow_script() {
	case $1 in
	ice40) echo "synth_ice40 -dsp -top ts_top" ;;
	ice40-nodsp) echo "synth_ice40 -top ts_top" ;;
	ice40-hier) echo "synth_ice40 -dsp -noflatten -top ts_top" ;;
	ecp5-hier) echo "synth_ecp5 -noflatten -top ts_top" ;;
	xc7-hier) echo "synth_xilinx -family xc7 -noiopad -top ts_top" ;;
	ecp5) echo "synth_ecp5 -top ts_top" ;;
	xc7) echo "synth_xilinx -family xc7 -flatten -noiopad -top ts_top" ;;
	xcup) echo "synth_xilinx -family xcup -flatten -noiopad -top ts_top" ;;
	top-icebreaker | top-hx8k | top-ulx3s) echo "build.sh of tessera gen --board ${1#top-}" ;;
	*) echo "bench_resources: unknown flow '$1'" >&2; return 2 ;;
	esac
}

# The hash of the core RTL (and with "boards" of the board tops too).
rtl_hash() {
	if [ "${1:-}" = boards ]; then
		cat rtl/ts_*.v rtl/*.vh rtl/boards/*.v | sha256sum | cut -c1-16
	else
		cat rtl/ts_*.v rtl/*.vh | sha256sum | cut -c1-16
	fi
}

# One synthesis: config name, flow. Result in $CACHE/<config>/<flow>-<key>/stat.txt.
synth_one() {
	cfg=$1 flow=$2
	gen=$CACHE/$cfg/gen
	script=$(flow_script "$flow")
	# a board top also depends on the board RTL and the config's clock (its PLL)
	case $flow in top-*) extra="rtl/boards/*.v $DATA/configs/$cfg.json" ;; *) extra= ;; esac
	# shellcheck disable=SC2086
	key=$( (yosys -V; echo "$script"; cat rtl/ts_*.v rtl/*.vh $extra "$gen"/tessera_params.vh "$gen"/ts_contract.vh) |
		sha256sum | cut -c1-16)
	dir=$CACHE/$cfg/$flow-$key
	echo "$dir" >"$CACHE/$cfg/$flow.current"
	if [ -s "$dir/seconds" ] && [ "${RESYNTH:-0}" != 1 ]; then
		echo "bench_resources: $cfg $flow: cached ($dir)"
		return 0
	fi
	if [ "${COLLECT_ONLY:-0}" = 1 ]; then
		echo "bench_resources: $cfg $flow: not synthesized yet (COLLECT_ONLY)"
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "bench_resources: $cfg $flow: $script ..."
	t0=$(date +%s)
	case $flow in
	top-*)
		# The package's own yosys line (build.sh), its stat as text into stat.txt.
		board=${flow#top-}
		"$BIN" gen --config "$DATA/configs/$cfg.json" --board "$board" --force --out "$dir/pkg" >/dev/null
		line=$(grep '^"\$YOSYS" -q -l out/yosys.log' "$dir/pkg/build.sh" |
			sed -e 's/ -json out\/tessera.json//' -e 's/tee -q -o out\/stat.json stat -json/tee -q -o out\/stat.txt stat/')
		[ -n "$line" ] || { echo "bench_resources: no yosys line in $dir/pkg/build.sh" >&2; return 1; }
		mkdir -p "$dir/pkg/out"
		if ! (cd "$dir/pkg" && YOSYS=yosys eval "$line") >"$dir/yosys.out" 2>&1; then
			echo "bench_resources: $cfg $flow: yosys failed, see $dir/pkg/out/yosys.log" >&2
			return 1
		fi
		cp "$dir/pkg/out/stat.txt" "$dir/stat.txt"
		echo boards >"$dir/rtl_scope"
		;;
	*)
		if ! yosys -q -l "$dir/yosys.log" -p "read_verilog -DTS_GENERATED_PARAMS -I$gen -Irtl rtl/ts_*.v; \
			$script; tee -q -o $dir/stat.txt stat" >"$dir/yosys.out" 2>&1; then
			echo "bench_resources: $cfg $flow: yosys failed, see $dir/yosys.log" >&2
			return 1
		fi
		echo core >"$dir/rtl_scope"
		;;
	esac
	t1=$(date +%s)
	echo "$script" >"$dir/script"
	rtl_hash "$(cat "$dir/rtl_scope")" >"$dir/rtl"
	echo $((t1 - t0)) >"$dir/seconds"
	echo "bench_resources: $cfg $flow: $((t1 - t0)) s"
}

if [ "${1:-}" = --one ]; then
	shift
	BIN=build/bin/tessera
	synth_one "$1" "$2"
	exit $?
fi

if [ "${MODULES:-0}" = 1 ]; then
	command -v yosys >/dev/null 2>&1 || { echo "bench_resources: yosys not installed" >&2; exit 2; }
	[ -x "$BIN" ] || { echo "bench_resources: $BIN not built (make)" >&2; exit 2; }
	exec /usr/bin/python3 - "$DATA/modules.json" "$BIN" <<'EOF'
# One module alone per flow and parameter set; raw cell counts, as in synth.json.
import hashlib, json, os, shutil, subprocess, sys, tempfile
out, tessera = sys.argv[1:3]
FLOWS = {"ice40": "synth_ice40 -dsp -top {m}", "ice40-nodsp": "synth_ice40 -top {m}",
         "ecp5": "synth_ecp5 -top {m}", "xc7": "synth_xilinx -family xc7 -flatten -noiopad -top {m}",
         "xcup": "synth_xilinx -family xcup -flatten -noiopad -top {m}"}
# A requantizer lane with only the outputs the STORE path reads for OB-bit outputs.
RQW = """module rqw #(parameter ACC_BITS = 32, parameter OB = 8, parameter RQC = 1) (
	input clk_i, en1_i, en2_i, step_i, input [ACC_BITS-1:0] acc_i, input [31:0] bias_i, input [30:0] mult_i,
	input [5:0] shift_i, input [15:0] zp_i, lo_i, hi_i, output [(OB == 1 ? 1 : OB)-1:0] out_o);
	wire [15:0] y; wire pos;
	ts_requant #(.ACC_BITS(ACC_BITS), .RQC(RQC)) u (.clk_i(clk_i), .en1_i(en1_i), .en2_i(en2_i),
		.step_i(step_i), .acc_i(acc_i),
		.bias_i(bias_i), .mult_i(mult_i), .shift_i(shift_i), .zp_i(zp_i), .lo_i(lo_i), .hi_i(hi_i),
		.y_o(y), .pos_o(pos));
	generate if (OB == 1) begin : g1 assign out_o = pos; end
	else begin : gn assign out_o = y[OB-1:0]; end endgenerate
endmodule
"""
res = json.load(open(out)) if os.path.exists(out) else {}
tmp = tempfile.mkdtemp(prefix="bench_resources.")
with open(os.path.join(tmp, "rqw.v"), "w") as f:
    f.write(RQW)
subprocess.run([tessera, "gen", "--config", "tiny-ice40", "--out", os.path.join(tmp, "g")], check=True,
               stdout=subprocess.DEVNULL)
gen = os.path.join(tmp, "g")
version = subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip()
def rtl_hash(files):
    h = hashlib.sha256()
    for f in files:
        h.update(open(f, "rb").read())
    return h.hexdigest()[:16]
def run(key, files, mod, params, flow):
    # an entry is redone when its module's RTL changed (the hash of its files)
    h = rtl_hash(files)
    if key in res and res[key].get("rtl") == h:
        return
    ch = " ".join("-set %s %s" % kv for kv in params.items())
    stat = os.path.join(tmp, "stat.txt")
    p = subprocess.run(["yosys", "-q", "-p", "read_verilog -I%s -Irtl %s; chparam %s %s; %s; tee -q -o %s stat" %
                        (gen, " ".join(files), ch, mod, FLOWS[flow].format(m=mod), stat)],
                       capture_output=True, text=True)
    if p.returncode:
        sys.exit("bench_resources: %s: yosys failed: %s" % (key, p.stderr[-300:]))
    cells, on = {}, False
    for line in open(stat).read().splitlines():
        t = line.split()
        if "Number of cells" in line:
            on = True
        elif on and len(t) == 2 and t[1].isdigit():
            cells[t[0]] = int(t[1])
        elif on and not t:
            on = False
    res[key] = {"cells": cells, "yosys": version, "rtl": h}
    with open(out, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    print("bench_resources: %s" % key)
for flow in FLOWS:
    for pe in range(6):
        for df in (0, 1):
            for acc in (16, 32, 48):
                if pe == 0 and acc < 32:
                    continue
                run("%s|ts_pe|ACC_BITS=%d,DATAFLOW=%d,PE=%d" % (flow, acc, df, pe), ["rtl/ts_pe.v"], "ts_pe",
                    {"PE": pe, "DATAFLOW": df, "ACC_BITS": acc}, flow)
    for acc in (32, 40, 48):
        for ob in (1, 4, 8, 16):
            run("%s|rqw|ACC_BITS=%d,OB=%d" % (flow, acc, ob), ["rtl/ts_requant.v", os.path.join(tmp, "rqw.v")],
                "rqw", {"ACC_BITS": acc, "OB": ob}, flow)
    # the serial lane (requant.cycles M > 1) at 32-bit accumulators and 8-bit outputs;
    # the model scales the one-cycle lane's table by it
    for rqc in (2, 4, 8, 16, 32):
        run("%s|rqw|ACC_BITS=32,OB=8,RQC=%d" % (flow, rqc), ["rtl/ts_requant.v", os.path.join(tmp, "rqw.v")],
            "rqw", {"ACC_BITS": 32, "OB": 8, "RQC": rqc}, flow)
shutil.rmtree(tmp)
EOF
fi

if [ "${SLOW:-0}" = 1 ]; then
	CONFIGS=${CONFIGS:-$ALL_CONFIGS $EDGE_CONFIGS}
else
	CONFIGS=${CONFIGS:-$ALL_CONFIGS}
fi

if [ "${PRINT_ONLY:-0}" != 1 ]; then
	if ! command -v yosys >/dev/null 2>&1; then
		echo "bench_resources: yosys not installed; printing the committed data" >&2
		PRINT_ONLY=1
	fi
fi

if [ "${PRINT_ONLY:-0}" != 1 ]; then
	[ -x "$BIN" ] || { echo "bench_resources: $BIN not built (make)" >&2; exit 2; }
	jobs=$CACHE/jobs.$$.txt  # one per run: runs of other flows may overlap
	mkdir -p "$CACHE"
	: >"$jobs"
	for cfg in $CONFIGS; do
		[ -f "$DATA/configs/$cfg.json" ] || { echo "bench_resources: no config $cfg" >&2; exit 2; }
		mkdir -p "$CACHE/$cfg"
		"$BIN" gen --config "$DATA/configs/$cfg.json" --out "$CACHE/$cfg/gen" >/dev/null
		"$BIN" config show --json "$DATA/configs/$cfg.json" >"$CACHE/$cfg/hwcfg.json"
	done
	# Flow by flow, so that an interrupted sweep has whole flows.
	for flow in $FLOWS; do
		flow_script "$flow" >/dev/null
		for cfg in $CONFIGS; do
			case " $(flow_configs "$flow") " in *" $cfg "*) ;; *) continue ;; esac
			echo "$cfg $flow" >>"$jobs"
		done
	done
	t0=$(date +%s)
	status=0
	xargs -r -P "$JOBS" -L 1 sh "$0" --one <"$jobs" || status=$?
	echo "bench_resources: synthesis took $(($(date +%s) - t0)) s with JOBS=$JOBS"
	[ "$status" = 0 ] || echo "bench_resources: some syntheses failed (see above); kept the others" >&2
	/usr/bin/python3 - "$CACHE" "$OUT" "$DATA/configs" "$jobs" <<'EOF'
# Collect the results of this run's jobs (synthesized now or cached for the
# same key) into synth.json; points of other configs / flows keep their
# committed entry.
import json, os, subprocess, sys
cache, out, cfgdir, jobs = sys.argv[1:5]

LUTRAM_LUTS = {"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X1D": 2,
               "RAM64X1D": 2, "RAM128X1D": 4, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2,
               "RAM256X1S": 4, "RAM512X1S": 8}

def counts(flow, cells):
    g = lambda k: cells.get(k, 0)
    c = {}
    if flow.startswith("ice40") or flow in ("top-icebreaker", "top-hx8k"):
        c["lut"] = g("SB_LUT4")
        c["ff"] = sum(v for k, v in cells.items() if k.startswith("SB_DFF"))
        c["dsp"] = g("SB_MAC16")
        c["bram"] = g("SB_RAM40_4K")
        c["uram"] = g("SB_SPRAM256KA")
    elif flow in ("ecp5", "ecp5-hier", "top-ulx3s"):
        c["lut"] = g("LUT4") + 2 * g("CCU2C") + 4 * g("TRELLIS_DPR16X4")
        c["ff"] = g("TRELLIS_FF")
        c["dsp"] = g("MULT18X18D")
        c["bram"] = g("DP16KD") + g("PDPW16KD")
        c["uram"] = 0
    else:
        c["lut"] = (sum(v for k, v in cells.items() if k in ("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV"))
                    + g("SRL16E") + g("SRLC32E")
                    + sum(LUTRAM_LUTS.get(k, 0) * v for k, v in cells.items()))
        c["ff"] = sum(v for k, v in cells.items() if k in ("FDRE", "FDSE", "FDCE", "FDPE"))
        c["dsp"] = g("DSP48E1") + g("DSP48E2")
        r36 = g("RAMB36E1") + g("RAMB36E2")
        r18 = g("RAMB18E1") + g("RAMB18E2")
        c["bram"] = r36 + (r18 + 1) // 2
        c["uram"] = g("URAM288")
    return c

def parse_stat(text):
    """yosys' stat text: cells by type of each module section, and the
    instance counts of the design hierarchy section."""
    mods, inst, cur, in_cells = {}, {}, None, False
    for line in text.splitlines():
        t = line.split()
        if line.startswith("=== ") and line.endswith(" ==="):
            cur, in_cells = line[4:-4], False
            mods[cur] = {}
        elif cur is None or not t:
            in_cells = False
        elif line.strip().startswith("Number of cells:"):
            in_cells = True
        elif in_cells and len(t) == 2 and t[1].isdigit():
            mods[cur][t[0]] = int(t[1])
        elif cur == "design hierarchy" and len(t) == 2 and t[1].isdigit() and not line.strip().startswith("Number"):
            inst[t[0]] = int(t[1])
    return mods, inst

old = {}
if os.path.exists(out):
    with open(out) as f:
        for p in json.load(f).get("points", []):
            old[(p["config"], p["flow"])] = p
version = subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip()
points = dict(old)
for line in open(jobs):
    cfg, flow = line.split()
    cur = os.path.join(cache, cfg, flow + ".current")
    if not os.path.exists(cur):
        continue
    d = open(cur).read().strip()
    if not os.path.exists(os.path.join(d, "seconds")):
        continue
    with open(os.path.join(cache, cfg, "hwcfg.json")) as f:
        hw = json.load(f)
    with open(os.path.join(cfgdir, cfg + ".json")) as f:
        src = json.load(f)
    with open(os.path.join(d, "script")) as f:
        script = f.read().strip()
    with open(os.path.join(d, "seconds")) as f:
        secs = int(f.read())
    with open(os.path.join(d, "rtl")) as f:
        rtl = f.read().strip()
    with open(os.path.join(d, "stat.txt")) as f:
        mods, inst = parse_stat(f.read())
    p = {"config": cfg, "flow": flow, "source": src, "hwcfg": hw, "yosys": version,
         "script": script, "seconds": secs, "rtl": rtl}
    if flow.endswith("-hier"):
        # Per module (yosys' parameter hash dropped): its cells times its
        # instances, children not included; "design" is the sum.
        p["modules"] = {}
        for name, cells in mods.items():
            if name == "design hierarchy":
                continue
            short = name.split("\\")[-1] if name.startswith("$paramod$") else \
                name.split("\\")[1] if name.startswith("$paramod\\") else name
            e = p["modules"].setdefault(short, {"instances": 0, "cells": {}})
            n = inst.get(name, 1)
            e["instances"] += n
            for k, v in cells.items():
                e["cells"][k] = e["cells"].get(k, 0) + n * v
        for e in p["modules"].values():
            e["counts"] = counts(flow, e["cells"])
        p["cells"] = mods["design hierarchy"]
    else:
        # the one module of a flattened design (ts_top, or the board top)
        p["cells"] = list(mods.values())[0]
    p["counts"] = counts(flow, p["cells"])
    points[(cfg, flow)] = p
res = {"what": "yosys cell counts of rtl/ for the configs in tests/data/resources/configs/ "
               "(scripts/bench_resources.sh); counts: lut, ff, dsp, bram, uram as the script's "
               "header defines them; rtl: the hash of the RTL a point was taken on",
       "points": [points[k] for k in sorted(points)]}
with open(out, "w") as f:
    json.dump(res, f, indent=1, sort_keys=True)
    f.write("\n")
print("bench_resources: %d points in %s" % (len(points), out))
EOF
	rm -f "$jobs"
fi

# Points taken on other RTL than the working tree's: the table still prints, with a warning.
[ -f "$OUT" ] || { echo "bench_resources: no $OUT: run without PRINT_ONLY" >&2; exit 2; }
/usr/bin/python3 - "$OUT" "$(rtl_hash)" "$(rtl_hash boards)" <<'EOF'
import json, sys
out, core, boards = sys.argv[1:4]
stale = [p for p in json.load(open(out))["points"]
         if p.get("rtl") != (boards if p["flow"].startswith("top-") else core)]
if stale:
    print("bench_resources: WARNING: %d of the points in %s were synthesized from other RTL than "
          "rtl/ now (stale: run make bench-resources to redo them): %s" %
          (len(stale), out, ", ".join("%s/%s" % (p["config"], p["flow"]) for p in stale[:8]) +
           (", ..." if len(stale) > 8 else "")))
EOF

[ -x "$BENCH" ] || { echo "bench_resources: $BENCH not built (make $BENCH)" >&2; exit 2; }
"$BENCH" "$OUT"
