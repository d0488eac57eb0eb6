#!/usr/bin/python3
"""fit_resources.py — fit the LUT / FF coefficients and the board-top table of
host/src/model/resources.c to the synthesis data (tests/data/resources/synth.json,
modules.json) and rewrite its "BEGIN fitted" and "BEGIN board tops" blocks.
Run from the repository root after scripts/bench_resources.sh; then rebuild and
check with make bench-resources (or PRINT_ONLY=1 sh scripts/bench_resources.sh).

How (resources.c's LUT and FF section says the same from the C side):
1. The modules apart from the PEs and requantizer lanes (ts_acc, ts_storer,
   ts_spad with its ts_ram banks, ts_qtab, ts_array, and ts_ctrl with ts_dma,
   ts_axil_regs, ts_top) are linear in a few features of the RTL parameters
   (FEATS: the same list and formulas as feats() in resources.c); each module's
   coefficients are least squares over the per-module synthesis of its
   family (MODFAMS: ice40-hier for iCE40, ecp5-hier for ECP5, xc7-hier for
   Series 7 and UltraScale+), LUT and flip-flops in that family's terms.
2. The PE and the lane come from tables of the module synthesized alone per
   flow (modules.json). Per flow, the flattened total is
       LUT = fixed + pe x (PE table x PEs) + rq x (lane table x lanes)
             + rest x (sum of the modules of 1) + LUT RAM and flip-flop memories
   and the same for FF, least squares of the relative error (each point's
   row divided by its count). iCE40 fits pe, rq and rest for LUT (fixed 0:
   the modules' formulas carry ts_ctrl's) and all four for FF; the other
   flows take pe from iCE40 (how much flattening trims of a PE) and fit fixed
   and one scale of lanes and modules for LUT, and take pe and rq from iCE40
   and fit fixed and rest for FF.
Configs in HELD_OUT take part in no fit (bench_resources.c reports them apart).
"""
import json
import re
import sys

import numpy as np

DATA = "tests/data/resources/"
SRC = "host/src/model/resources.c"
HELD_OUT = ("a3x5-int8-ws", "a6x6-int4-ws")  # as in tests/bench/bench_resources.c
FLOWS = ["ice40", "ice40-nodsp", "ecp5", "xc7", "xcup"]  # resources.c's flow enum order
# The families of the module formulas (resources.c's modfam enum order): name, per-module
# flow, the flattened flow whose terms count its cells
MODFAMS = [("ice40", "ice40-hier", "ice40"), ("ecp5", "ecp5-hier", "ecp5"), ("xilinx", "xc7-hier", "xc7")]


def modfam(flow):
    return 0 if flow.startswith("ice40") else 1 if flow == "ecp5" else 2


def ram_family(flow):
    """The RAMS key of a flow: its FPGA family's block and LUT RAMs."""
    return "ice40" if flow.startswith("ice40") else flow
PES = [("int16", 16, 16), ("int8", 8, 8), ("int4", 4, 4), ("lightpe1", 4, 8), ("lightpe2", 8, 8),
       ("binary", 1, 1)]  # name, wbits, abits (pe.def)
QREC_BITS = 32 + 31 + 6
LUTRAM_LUTS = {"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X1D": 2, "RAM64X1D": 2,
               "RAM128X1D": 4, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4}
# The board tops: flow of the top, flow of the same config's core, board (resources.c's table)
TOPS = [("top-icebreaker", "ice40", "icebreaker"), ("top-hx8k", "ice40-nodsp", "hx8k"),
        ("top-ulx3s", "ecp5", "ulx3s")]


def counts(flow, cells):
    """LUT and FF as scripts/bench_resources.sh counts them."""
    g = lambda k: cells.get(k, 0)
    if flow.startswith("ice40"):
        return g("SB_LUT4"), sum(v for k, v in cells.items() if k.startswith("SB_DFF"))
    if flow == "ecp5":
        return g("LUT4") + 2 * g("CCU2C") + 4 * g("TRELLIS_DPR16X4"), g("TRELLIS_FF")
    lut = (sum(v for k, v in cells.items() if k in ("LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6", "INV"))
           + g("SRL16E") + g("SRLC32E") + sum(LUTRAM_LUTS.get(k, 0) * v for k, v in cells.items()))
    return lut, sum(v for k, v in cells.items() if k in ("FDRE", "FDSE", "FDCE", "FDPE"))


def clog2(v):  # the RTL's: at least 1
    c, x = 1, 2
    while x < v:
        c += 1
        x *= 2
    return c


def rtl(hw):
    """ts_top's localparams of a config (resources.c rtl_of)."""
    a, s = hw["array"], hw["scratchpad"]
    pe = [x[0] for x in PES].index(a["pe"])
    wb, ab = PES[pe][1], PES[pe][2]
    p = dict(pe=pe, os=a["dataflow"] == "os", R=a["rows"], C=a["cols"], AB=ab, WB=wb, OB=ab, ACC=a["acc_bits"],
             B=hw["dram"]["bytes_per_cycle"])
    p["A_WB"] = (p["R"] * ab + 7) // 8
    p["W_WB"] = (p["C"] * wb + 7) // 8
    p["D_IN"] = max(1, s["input_bytes"] // p["A_WB"])
    p["D_W"] = max(1, s["weight_bytes"] // p["W_WB"])
    p["D_ACC"] = max(1, s["acc_bytes"] // (p["C"] * p["ACC"] // 8))
    p["A_AW"], p["W_AW"] = clog2(p["D_IN"]), clog2(p["D_W"])
    p["NBW"] = 0 if p["B"] == 1 else clog2(p["B"])
    p["NB"] = 1 << p["NBW"]
    p["NQ"] = p["B"] * (1 if ab >= 8 else 8 // ab)
    p["NRW"] = 0 if p["NQ"] == 1 else clog2(p["NQ"])
    p["NR"] = 1 << p["NRW"]
    p["RAW"] = clog2(-(-p["D_ACC"] // p["NR"]))
    p["NBK"] = p["C"] << p["NRW"]
    p["DW"] = clog2(max(p["D_IN"], p["D_W"], p["D_ACC"], p["C"]) + 1)
    p["RQC"] = hw.get("requant", {}).get("cycles", 1)
    return p


# The features (resources.c feats(), same order) and which of them each module uses.
FEATS = ["one", "acc_mux", "acc_rmw", "nbk", "qtab_wr", "tab_mux", "bank_rows", "b", "nq",
         "spad_scatter", "spad_walk", "spad_rmux", "dw", "skew", "cols", "spad_bytes", "rbdw", "lane_rows"]


def feats(p):
    ws = 0 if p["os"] else 1
    r, c = p["R"], p["C"]
    if p["os"]:
        skew = (p["AB"] + 1) * r * (r + 1) / 2 + p["WB"] * c * (c + 1) / 2
    else:
        skew = p["AB"] * r * (r - 1) / 2
    wbytes = p["A_WB"] + p["W_WB"]
    return dict(
        one=1,
        acc_mux=p["NQ"] * p["ACC"] * (p["NBK"] - 1),  # ts_acc: each lane's bank multiplexer
        acc_rmw=ws * p["NBK"] * p["ACC"],             # ts_acc: WS read-modify-write adders
        nbk=p["NBK"],
        qtab_wr=c * p["B"],                           # ts_qtab: entry bytes from any beat byte
        tab_mux=p["NQ"] * QREC_BITS * (c - 1),        # ts_storer: each lane's table entry
        bank_rows=p["NBK"] * p["RAW"],                # ts_storer: bank row addresses
        b=p["B"],
        nq=p["NQ"],
        spad_scatter=p["B"] * p["NB"] * wbytes,       # ts_spad: beat bytes into bank bytes
        spad_walk=p["B"] * (p["A_AW"] + p["W_AW"]),   # ts_spad: the per-byte walk
        spad_rmux=(p["NB"] - 1) * wbytes,             # ts_spad: the bank read multiplexer
        dw=p["DW"],                                   # ts_ctrl: depth-wide decode arithmetic
        skew=skew,                                    # ts_array: input (and OS weight) skew
        cols=c,                                       # ts_qtab: one table entry per column
        spad_bytes=p["NB"] * wbytes,                  # ts_spad: the banks' write registers
        rbdw=clog2(max(p["A_WB"], p["W_WB"]) + 1),    # ts_ctrl: an A or W row's bytes (RBDW)
        lane_rows=p["NQ"] * p["NBK"] * p["RAW"],      # ts_storer: each lane's bank row write
    )


# module: (synthesis modules, candidate LUT feature sets, candidate FF feature sets).
# Each set names what the RTL says grows; fit_modules takes the set of each
# module with the smallest leave-one-out error over the per-module synthesis.
MODULES = [
    ("acc", ("ts_acc",), [("acc_mux", "acc_rmw", "nbk")], [("one", "nbk", "nq")]),
    ("storer", ("ts_storer",), [("one", "bank_rows"), ("one", "b", "bank_rows"), ("one", "bank_rows", "nq")],
     [("one", "nq", "nbk")]),
    ("spad", ("ts_spad", "ts_ram"), [("one", "spad_scatter", "spad_walk")], [("one", "spad_bytes", "b")]),
    ("qtab", ("ts_qtab",), [("one", "qtab_wr")], [("one", "cols")]),
    ("array", ("ts_array",), [("one",)], [("skew",)]),
    ("ctrl", ("ts_ctrl", "ts_dma", "ts_axil_regs", "ts_top"), [("one", "rbdw")], [("one", "dw")]),
]


def tab3(t, x, x0, dx):
    u = (x - x0) / dx
    if u <= 0:
        return t[0]
    if u >= 2:
        return t[2]
    i = 0 if u < 1 else 1
    return t[i] + (t[i + 1] - t[i]) * (u - i)


def module_tables(mods):
    """pe_lut/ff[flow][pe][df][3] at 16/32/48 bits; rq_lut/ff[flow][ob][3] at 32/40/48 bits;
    rs_lut/ff[flow][6]: the lane at requant.cycles 1, 2 .. 32 (32 bits, 8-bit outputs)."""
    pe_l = [[[[0] * 3 for _ in range(2)] for _ in PES] for _ in FLOWS]
    pe_f = [[[[0] * 3 for _ in range(2)] for _ in PES] for _ in FLOWS]
    rq_l = [[[0] * 3 for _ in range(4)] for _ in FLOWS]
    rq_f = [[[0] * 3 for _ in range(4)] for _ in FLOWS]
    for fi, fl in enumerate(FLOWS):
        for pe in range(len(PES)):
            for df in (0, 1):
                for i, acc in enumerate((16, 32, 48)):
                    k = "%s|ts_pe|ACC_BITS=%d,DATAFLOW=%d,PE=%d" % (fl, max(acc, 32 if pe == 0 else 16), df, pe)
                    pe_l[fi][pe][df][i], pe_f[fi][pe][df][i] = counts(fl, mods[k]["cells"])
        for oi, ob in enumerate((1, 4, 8, 16)):
            for i, acc in enumerate((32, 40, 48)):
                k = "%s|rqw|ACC_BITS=%d,OB=%d" % (fl, acc, ob)
                rq_l[fi][oi][i], rq_f[fi][oi][i] = counts(fl, mods[k]["cells"])
    rs_l = [[0] * 6 for _ in FLOWS]
    rs_f = [[0] * 6 for _ in FLOWS]
    for fi, fl in enumerate(FLOWS):
        for i in range(6):
            k = "%s|rqw|ACC_BITS=32,OB=8%s" % (fl, ",RQC=%d" % (1 << i) if i else "")
            rs_l[fi][i], rs_f[fi][i] = counts(fl, mods[k]["cells"])
    return pe_l, pe_f, rq_l, rq_f, rs_l, rs_f


def rq_lane(tab, ser, p):
    """One requantizer lane of p (resources.c: the table, scaled for a serial lane)."""
    i = p["RQC"].bit_length() - 1
    return tab3(tab[ob_index(p["OB"])], p["ACC"], 32, 8) * (ser[i] / ser[0] if ser[0] else 1)


def ob_index(ob):
    return {1: 0, 4: 1, 8: 2, 16: 3}[ob]


# memory_libmap emulation: resources.c's ram_def tables and ram_geom / map_memory
def D(kind, abits, dbits, byte, wr_min, wr_max, rd_max, cost, ws, luts):
    return dict(kind=kind, abits=abits, dbits=dbits, byte=byte, wr_min=wr_min, wr_max=wr_max, rd_max=rd_max,
                cost=cost, ws=ws, luts=luts)


RAMS = {
    "ice40": [D("b", 11, [2, 4, 8, 16], 0, 0, 2, 3, 64, 0, 0), D("b", 11, [2, 4, 8, 16], 1, 3, 3, 3, 64, 0, 0)],
    "ecp5": [D("l", 4, [4], 0, 0, 0, 0, 4, 0, 4), D("b", 14, [1, 2, 4, 9, 18], 9, 0, 4, 4, 128, 0, 0),
             D("b", 14, [1, 2, 4, 9, 18, 36], 9, 5, 5, 5, 128, 0, 0)],
    "xc7": [D("l", 5, [4], 0, 0, 0, 0, 8, 8, 4), D("l", 6, [2], 0, 0, 0, 0, 8, 8, 4), D("l", 7, [1], 0, 0, 0, 0, 8, 8, 4),
            D("l", 5, [2], 0, 0, 0, 0, 7, 7, 4), D("l", 6, [1], 0, 0, 0, 0, 7, 7, 4), D("l", 5, [6], 0, 0, 0, 0, 8, 7, 4),
            D("l", 6, [3], 0, 0, 0, 0, 8, 7, 4), D("h", 14, [1, 2, 4, 9, 18], 9, 0, 4, 4, 129, 0, 0),
            D("b", 15, [1, 2, 4, 9, 18, 36], 9, 0, 5, 5, 257, 0, 0), D("h", 14, [1, 2, 4, 9, 18, 36], 9, 0, 5, 5, 129, 0, 0),
            D("b", 15, [1, 2, 4, 9, 18, 36, 72], 9, 0, 6, 6, 257, 0, 0)],
    "xcup": [D("l", 5, [8], 0, 0, 0, 0, 16, 16, 8), D("l", 6, [4], 0, 0, 0, 0, 16, 16, 8), D("l", 7, [2], 0, 0, 0, 0, 16, 16, 8),
             D("l", 8, [1], 0, 0, 0, 0, 16, 16, 8), D("l", 5, [4], 0, 0, 0, 0, 16, 16, 8), D("l", 6, [2], 0, 0, 0, 0, 16, 16, 8),
             D("l", 5, [2], 0, 0, 0, 0, 16, 16, 8), D("l", 6, [1], 0, 0, 0, 0, 16, 16, 8), D("l", 5, [14], 0, 0, 0, 0, 16, 16, 8),
             D("l", 6, [7], 0, 0, 0, 0, 16, 16, 8), D("h", 14, [1, 2, 4, 9, 18], 9, 0, 4, 4, 129, 0, 0),
             D("b", 15, [1, 2, 4, 9, 18, 36], 9, 0, 5, 5, 257, 0, 0), D("h", 14, [1, 2, 4, 9, 18, 36], 9, 0, 5, 5, 129, 0, 0),
             D("b", 15, [1, 2, 4, 9, 18, 36, 72], 9, 0, 6, 6, 257, 0, 0)],
}


def ram_geom(df, width, lane, depth):
    byte_log2 = 0
    for i, x in enumerate(df["dbits"]):
        if df["byte"] >= x:
            byte_log2 = i
    if not df["byte"]:
        byte_log2 = len(df["dbits"]) - 1
    lanes = -(-width // lane)
    got, best, best_int = False, None, 0
    for base in range(len(df["dbits"])):
        unit = min(base, df["wr_max"], df["rd_max"])
        if unit != base and got:
            break
        if base < df["wr_min"] and base < byte_log2:
            continue
        uw = df["dbits"][unit]
        eb = df["byte"] if df["byte"] and df["byte"] <= uw else uw
        full, part = width // lane, width % lane
        sw = full * (-(-lane // eb) * eb) + ((-(-part // eb) * eb) if part else 0)
        mult_a = -(-depth // (1 << (df["abits"] - base)))
        repl = -(-(mult_a * sw) // uw)
        c = (df["cost"] - df["ws"]) * repl + df["ws"] * mult_a * width / uw
        c += 0.5 * (mult_a - 1) * width + (0.5 * mult_a * lanes if mult_a != 1 else 0) + 2
        if not got or c < best_int:
            best, best_int, got = (c, repl), int(c), True
    return best


def mem_luts_ffs(fam, p, parts=("spad", "spad", "acc")):
    """LUT RAM sites and flip-flop memory bits of the banks (mems_of): of the
    scratchpads and the accumulators, or of those named in parts."""
    lut = ff = 0
    for part, (count, width, lane, depth) in zip(
            ("spad", "spad", "acc"),
            ((p["NB"], p["R"] * p["AB"], 8, -(-p["D_IN"] // p["NB"])),
             (p["NB"], p["C"] * p["WB"], 8, -(-p["D_W"] // p["NB"])),
             (p["NBK"], p["ACC"], p["ACC"], -(-p["D_ACC"] // p["NR"])))):
        if part not in parts:
            continue
        best, cells, kind, luts = float(int(width * depth)), 0, None, 0
        for df in RAMS[fam]:
            g = ram_geom(df, width, lane, depth)
            if g and g[0] < best:
                best, cells, kind, luts = float(int(g[0])), g[1], df["kind"], df["luts"]
        if kind is None:
            ff += count * width * depth
            lut += count * width * depth // 2
        elif kind == "l":
            lut += count * cells * luts
    return lut, ff


def lstsq(rows, ys):
    c, *_ = np.linalg.lstsq(np.array(rows, float), np.array(ys, float), rcond=None)
    return c


def lstsq_rel(rows, ys, totals):
    """Least squares of the error relative to each point's total count."""
    w = [1.0 / max(t, 1) for t in totals]
    return lstsq([[v * wi for v in r] for r, wi in zip(rows, w)], [y * wi for y, wi in zip(ys, w)])


def fit_modules(synth, hflow, cflow):
    """k[module][feature] for LUT and FF from one family's per-module synthesis."""
    hier = [x for x in synth if x["flow"] == hflow and x["config"] not in HELD_OUT]
    if len(hier) < 4:
        return None
    k_lut = [[0.0] * len(FEATS) for _ in MODULES]
    k_ff = [[0.0] * len(FEATS) for _ in MODULES]
    F = [feats(rtl(x["hwcfg"])) for x in hier]
    for mi, (name, syn, fl, ff) in enumerate(MODULES):
        for kind, cands, k in ((0, fl, k_lut), (1, ff, k_ff)):
            # the banks' LUT RAM and flip-flop memories are priced apart (mem_luts_ffs)
            fam = ram_family(cflow)
            ys = [sum(counts(cflow, x["modules"][m]["cells"])[kind] for m in syn if m in x["modules"]) -
                  (mem_luts_ffs(fam, rtl(x["hwcfg"]), (name,))[kind] if name in ("spad", "acc") else 0)
                  for x in hier]
            best = None
            for use in cands:
                rows = [[f[u] for u in use] for f in F]
                loo = 0
                for i in range(len(rows)):
                    c = lstsq(rows[:i] + rows[i + 1:], ys[:i] + ys[i + 1:])
                    loo = max(loo, abs(np.dot(c, rows[i]) - ys[i]))
                if best is None or loo < best[0]:
                    best = (loo, use, lstsq(rows, ys))
            loo, use, c = best
            for u, v in zip(use, c):
                k[mi][FEATS.index(u)] = float(v)
            print("%-10s module %-7s %-3s %-36s leave-one-out worst |error| %5.0f (%d configs, %d..%d)" %
                  (hflow, name, ("lut", "ff")[kind], ",".join(use), loo, len(ys), min(ys), max(ys)))
    return k_lut, k_ff


def rest_of(k, p):
    f = feats(p)
    return sum(sum(k[mi][j] * f[FEATS[j]] for j in range(len(FEATS))) for mi in range(len(MODULES)))


def pe_ff_all(pf, p):
    """The PE alone keeps outputs the array does not read: WS the forwarded
    weight and valid, the last column's activation (OS also the last row's
    weight and the valid bits)."""
    pes = p["R"] * p["C"]
    if not p["os"]:
        return pes * (pf - p["WB"] - 1) - p["R"] * p["AB"]
    return pes * pf - p["R"] * (p["AB"] + 1) - p["C"] * p["WB"]


def main():
    synth = json.load(open(DATA + "synth.json"))["points"]
    mods = json.load(open(DATA + "modules.json"))
    pe_l, pe_f, rq_l, rq_f, rs_l, rs_f = module_tables(mods)
    km_lut, km_ff = [], []
    for name, hflow, cflow in MODFAMS:
        k = fit_modules(synth, hflow, cflow)
        if k is None and not km_lut:
            sys.exit("fit_resources: too few %s points" % hflow)
        if k is None:
            print("fit_resources: too few %s points: %s takes iCE40's module formulas" % (hflow, name))
            k = (km_lut[0], km_ff[0])
        km_lut.append(k[0])
        km_ff.append(k[1])

    k_lut, k_ff = [], []
    for fi, fl in enumerate(FLOWS):
        fam = ram_family(fl)
        pts = [x for x in synth if x["flow"] == fl and x["config"] not in HELD_OUT]
        rl, yl, rf, yf, tl, tf = [], [], [], [], [], []
        for x in pts:
            p = rtl(x["hwcfg"])
            df = 1 if p["os"] else 0
            pe = p["R"] * p["C"] * tab3(pe_l[fi][p["pe"]][df], p["ACC"], 16, 16)
            rq = p["NQ"] * rq_lane(rq_l[fi], rs_l[fi], p)
            lut, ff = counts(fl, x["cells"])
            mlut, mff = mem_luts_ffs(fam, p)
            mf = modfam(fl)
            rl.append([1, pe, rq, rest_of(km_lut[mf], p)]), yl.append(lut - mlut), tl.append(lut)
            pff = pe_ff_all(tab3(pe_f[fi][p["pe"]][df], p["ACC"], 16, 16), p)
            rqf = p["NQ"] * rq_lane(rq_f[fi], rs_f[fi], p)
            rf.append([1, pff, rqf, rest_of(km_ff[mf], p)]), yf.append(ff - mff), tf.append(ff)
        if fi == 0:
            if len(pts) < 6:
                sys.exit("fit_resources: ice40: %d points, too few" % len(pts))
            # LUT without a fixed part: the modules' formulas carry ts_ctrl's
            # (with one, the fit trades it against the scales and generalizes worse)
            k_lut.append([0.0] + [float(v) for v in lstsq_rel([r[1:] for r in rl], yl, tl)])
            k_ff.append([float(v) for v in lstsq_rel(rf, yf, tf)])
        elif len(pts) >= 3:
            # LUT: pe from iCE40 (how much flattening trims of a PE), fixed and
            # one scale of the lanes and the modules fitted (this family's LUT
            # against iCE40's LUT4); FF: pe and rq from iCE40, fixed and rest fitted
            c = lstsq_rel([[r[0], r[2] + r[3]] for r in rl], [y - k_lut[0][1] * r[1] for r, y in zip(rl, yl)], tl)
            k_lut.append([float(c[0]), k_lut[0][1], float(c[1]), float(c[1])])
            base = k_ff[0]
            c = lstsq_rel([[r[0], r[3]] for r in rf], [y - base[1] * r[1] - base[2] * r[2] for r, y in zip(rf, yf)], tf)
            k_ff.append([float(c[0]), base[1], base[2], float(c[1])])
        elif "--partial" in sys.argv:
            print("fit_resources: %s: %d points, too few: iCE40's coefficients (--partial)" % (fl, len(pts)))
            k_lut.append(list(k_lut[0]))
            k_ff.append(list(k_ff[0]))
        else:
            sys.exit("fit_resources: %s: %d points, too few (--partial takes iCE40's)" % (fl, len(pts)))
        print("%-12s %2d points  lut %s  ff %s" % (fl, len(pts), np.round(k_lut[-1], 4), np.round(k_ff[-1], 4)))

    # the board tops: the top's point minus the core's of the same config and flow
    tops = []
    by = {(x["config"], x["flow"]): x for x in synth}
    for tflow, cflow, board in TOPS:
        t = [x for x in synth if x["flow"] == tflow]
        if not t:
            print("fit_resources: no %s point: %s's board top left out" % (tflow, board))
            continue
        core = by.get((t[0]["config"], cflow))
        if not core:
            sys.exit("fit_resources: %s of %s has no %s point to subtract" % (tflow, t[0]["config"], cflow))
        d = [t[0]["counts"][k] - core["counts"][k] for k in ("lut", "ff", "dsp", "bram", "uram")]
        tops.append((board, d, t[0]["config"]))
        print("board top %-10s (%s) lut %+d ff %+d dsp %+d bram %+d uram %+d" % ((board, t[0]["config"]) + tuple(d)))

    def arr(v, fmt):
        if isinstance(v, (list, tuple)):
            return "{ " + ", ".join(arr(x, fmt) for x in v) + " }"
        return fmt % v

    out = ["/* BEGIN fitted (scripts/fit_resources.py) */",
           "/* ts_pe alone: LUT and FF by flow, PE type, dataflow (ws, os), at 16 / 32 / 48 accumulator bits */",
           "static const uint16_t pe_lut[FL_COUNT][TS_PE_COUNT][2][3] = %s;" % arr(pe_l, "%d"),
           "static const uint16_t pe_ff[FL_COUNT][TS_PE_COUNT][2][3] = %s;" % arr(pe_f, "%d"),
           "/* one requantizer lane by flow and output bits (1, 4, 8, 16), at 32 / 40 / 48 accumulator bits */",
           "static const uint16_t rq_lut[FL_COUNT][4][3] = %s;" % arr(rq_l, "%d"),
           "static const uint16_t rq_ff[FL_COUNT][4][3] = %s;" % arr(rq_f, "%d"),
           "/* the lane at requant.cycles 1, 2, 4 .. 32 (32 bits, 8-bit outputs): scales a serial lane */",
           "static const uint16_t rq_ser_lut[FL_COUNT][6] = %s;" % arr(rs_l, "%d"),
           "static const uint16_t rq_ser_ff[FL_COUNT][6] = %s;" % arr(rs_f, "%d"),
           "/* LUT and flip-flops of the other modules: coefficients of feats() per family and module */",
           "static const double k_mod_lut[MF_COUNT][MOD_COUNT][F_COUNT] = %s;" % arr(km_lut, "%.6g"),
           "static const double k_mod_ff[MF_COUNT][MOD_COUNT][F_COUNT] = %s;" % arr(km_ff, "%.6g"),
           "/* per flow: fixed, pe, rq, rest (LUT, then FF) */",
           "static const double k_lut[FL_COUNT][4] = %s;" % arr(k_lut, "%.6g"),
           "static const double k_ff[FL_COUNT][4] = %s;" % arr(k_ff, "%.6g"),
           "/* END fitted */"]
    top = ["/* BEGIN board tops (scripts/fit_resources.py) */", "static const board_top board_tops[] = {"]
    for board, d, cfg in tops:
        top.append("\t{ \"%s\", { %d, %d, %d, %d, %d } }, /* top-%s of %s */" % ((board,) + tuple(d) + (board, cfg)))
    top += ["};", "/* END board tops */"]
    src = open(SRC).read()
    src = re.sub(r"/\* BEGIN fitted.*?/\* END fitted \*/", lambda m: "\n".join(out), src, flags=re.S)
    src = re.sub(r"/\* BEGIN board tops.*?/\* END board tops \*/", lambda m: "\n".join(top), src, flags=re.S)
    open(SRC, "w").write(src)
    print("fit_resources: wrote the fitted blocks of %s" % SRC)


if __name__ == "__main__":
    sys.exit(main())
