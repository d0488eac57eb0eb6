#!/usr/bin/python3
"""fit_resources.py — fit the LUT / FF coefficients of host/src/model/resources.c
to the synthesis data (tests/data/resources/synth.json, modules.json) and
rewrite its "BEGIN fitted" block. Run from the repository root after
scripts/bench_resources.sh; then rebuild and check with make bench-resources.

The features mirror resources.c (rest_luts, rtl_ffs, the PE and lane tables):
change both together. Least squares per flow over the configs not held out.
"""
import json
import re
import sys

import numpy as np

DATA = "tests/data/resources/"
SRC = "host/src/model/resources.c"
HELD_OUT = ("a3x5-int8-ws", "a6x6-int4-ws", "a2x8-int16-ws")  # as in tests/bench/bench_resources.c
FLOWS = ["ice40", "ice40-nodsp", "ecp5", "xc7", "xcup"]       # resources.c's flow enum order
PES = [("int16", 16, 16), ("int8", 8, 8), ("int4", 4, 4), ("lightpe1", 4, 8), ("lightpe2", 8, 8),
       ("binary", 1, 1)]                                        # name, wbits, abits (pe.def)
QREC_BITS = 32 + 31 + 6
LUTRAM_LUTS = {"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8, "RAM32X1D": 2, "RAM64X1D": 2,
               "RAM128X1D": 4, "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM256X1S": 4}


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


def odd(v):
    while v and v % 2 == 0:
        v //= 2
    return v


def rtl(hw):
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
    p["BSW"] = clog2(p["NBK"])
    p["CW"] = clog2(p["C"])
    return p


def tab3(t, x, x0, dx):
    u = (x - x0) / dx
    if u <= 0:
        return t[0]
    if u >= 2:
        return t[2]
    i = 0 if u < 1 else 1
    return t[i] + (t[i + 1] - t[i]) * (u - i)


def cells_of(mods, key):
    if key not in mods and "--partial" in sys.argv:
        key = "ice40|" + key.split("|", 1)[1]
    return mods[key]["cells"]


def module_tables(mods):
    """pe_lut/ff[flow][pe][df][3] at 16/32/48 bits; rq_lut/ff[flow][ob][3] at 32/40/48 bits."""
    pe_l = [[[[0] * 3 for _ in range(2)] for _ in PES] for _ in FLOWS]
    pe_f = [[[[0] * 3 for _ in range(2)] for _ in PES] for _ in FLOWS]
    rq_l = [[[0] * 3 for _ in range(4)] for _ in FLOWS]
    rq_f = [[[0] * 3 for _ in range(4)] for _ in FLOWS]
    for fi, fl in enumerate(FLOWS):
        for pe in range(len(PES)):
            for df in (0, 1):
                for i, acc in enumerate((16, 32, 48)):
                    k = "%s|ts_pe|ACC_BITS=%d,DATAFLOW=%d,PE=%d" % (fl, max(acc, 32 if pe == 0 else 16), df, pe)
                    pe_l[fi][pe][df][i], pe_f[fi][pe][df][i] = counts(fl, cells_of(mods, k))
        for oi, ob in enumerate((1, 4, 8, 16)):
            for i, acc in enumerate((32, 40, 48)):
                k = "%s|rqw|ACC_BITS=%d,OB=%d" % (fl, acc, ob)
                rq_l[fi][oi][i], rq_f[fi][oi][i] = counts(fl, cells_of(mods, k))
    return pe_l, pe_f, rq_l, rq_f


def ob_index(ob):
    return {1: 0, 4: 1, 8: 2, 16: 3}[ob]


def rest_feats(p):
    """The feature vectors of rest_luts (before its coefficients)."""
    nq, nbk, b, ws = p["NQ"], p["NBK"], p["B"], 0 if p["os"] else 1
    acc = [nq * p["ACC"] * (nbk - 1), ws * nbk * p["ACC"], nbk]
    t5 = nq * nbk * p["RAW"] if odd(p["RAW"]) > 1 else 0
    st = [1, nq * QREC_BITS * (p["C"] - 1), t5, b, nq]
    s = [1, 0, 0, 0, 0]
    for wbytes, aw in ((p["A_WB"], p["A_AW"]), (p["W_WB"], p["W_AW"])):
        raw = aw - p["NBW"] if aw > p["NBW"] else 1
        s[1] += b
        s[2] += b * p["NB"] * wbytes
        if odd(raw) > 1:
            s[3] += b * p["NB"] * raw
        if p["NB"] > 1 and odd(wbytes) > 1:
            s[4] += b * p["NB"] * wbytes
    q = [1, p["C"] * b]
    return acc, st, s, q


def rtl_ffs(p):
    r, c, nq, nbk = p["R"], p["C"], p["NQ"], p["NBK"]
    tw = p["NRW"] + p["RAW"]
    if not p["os"]:
        skew = p["AB"] * r * (r - 1) / 2
        acc = nq * p["BSW"] + (r + c - 1) * (1 + tw)
    else:
        skew = (p["AB"] + 1) * r * (r + 1) / 2 + p["WB"] * c * (c + 1) / 2
        acc = nq * p["BSW"]
    spad = 0
    for wbytes, aw in ((p["A_WB"], p["A_AW"]), (p["W_WB"], p["W_AW"])):
        ow = clog2(wbytes + 1)
        raw = aw - p["NBW"] if aw > p["NBW"] else 1
        sw = p["NBW"] if p["NBW"] else 1
        spad += aw + 3 * ow + 16 + 64 + p["NB"] * (1 + raw + 9 * wbytes) + sw
    storer = 240 + nq * (p["CW"] + QREC_BITS + 4 + p["BSW"]) + 3 + 4 * p["B"] + nbk * (1 + p["RAW"])
    qtab = c * QREC_BITS + p["CW"] + 37
    return skew, spad + acc + storer + qtab


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


def mem_luts_ffs(fam, p):
    """LUT RAM sites and flip-flop memory bits of the banks (mems_of)."""
    lut = ff = 0
    for count, width, lane, depth in ((p["NB"], p["R"] * p["AB"], 8, -(-p["D_IN"] // p["NB"])),
                                      (p["NB"], p["C"] * p["WB"], 8, -(-p["D_W"] // p["NB"])),
                                      (p["NBK"], p["ACC"], p["ACC"], -(-p["D_ACC"] // p["NR"]))):
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


def bits(v):
    return max(1, v.bit_length())


def soft_ab(p):
    """a x b of the decode and index multipliers without DSPs (dsp_of's soft_ab on an HX part)."""
    ab = 0
    ro = odd(p["RAW"])
    if ro > 1:
        ab += p["NQ"] * 32 * bits(ro)
    ab += 2 * 16 * 32
    var = p["AB"] != 8 or p["WB"] != 8
    if p["WB"] != p["AB"]:
        ab += 2 * 16 * 32
    elif var:
        ab += 2 * 16 * bits(max(p["AB"], 8))
    ab += 2 * 32 * 29 if var else 32 * 17 + 32 * 29
    if p["B"] & (p["B"] - 1):
        ab += 32 * bits(odd(p["B"]))
    for wbytes, aw in ((p["A_WB"], p["A_AW"]), (p["W_WB"], p["W_AW"])):
        raw = aw - p["NBW"] if aw > p["NBW"] else 1
        if odd(raw) > 1:
            ab += p["B"] * aw * bits(odd(raw))
        if p["NB"] > 1 and odd(wbytes) > 1:
            ab += (p["B"] + 1) * aw * bits(odd(wbytes))
    return ab


def lstsq(rows, ys):
    c, *_ = np.linalg.lstsq(np.array(rows, float), np.array(ys, float), rcond=None)
    return c


def main():
    synth = json.load(open(DATA + "synth.json"))["points"]
    mods = json.load(open(DATA + "modules.json"))
    pe_l, pe_f, rq_l, rq_f = module_tables(mods)
    # the modules' structure: iCE40 per-module (-noflatten) synthesis
    hier = [x for x in synth if x["flow"] == "ice40-hier" and x["config"] not in HELD_OUT]
    fa, fs, fsp, fq, ya, ys, ysp, yq, yctrl = [], [], [], [], [], [], [], [], []
    for x in hier:
        p = rtl(x["hwcfg"])
        a, s, sp, q = rest_feats(p)
        m = {k: counts("ice40", v["cells"])[0] for k, v in x["modules"].items()}
        fa.append(a), fs.append(s), fsp.append(sp), fq.append(q)
        ya.append(m.get("ts_acc", 0)), ys.append(m.get("ts_storer", 0))
        ysp.append(m.get("ts_spad", 0) + m.get("ts_ram", 0)), yq.append(m.get("ts_qtab", 0))
        other = sum(m.get(k, 0) for k in ("ts_dma", "ts_axil_regs", "ts_top", "ts_array"))
        yctrl.append(m.get("ts_ctrl", 0) / (m.get("ts_ctrl", 0) + other))
    k_acc, k_st, k_sp, k_q = lstsq(fa, ya), lstsq(fs, ys), lstsq(fsp, ysp), lstsq(fq, yq)
    k_ctrl_share = float(np.mean(yctrl))

    def rest(p):  # (ts_acc + ts_storer, ts_spad + ts_qtab) iCE40 LUT4
        a, s, sp, q = rest_feats(p)
        return float(np.dot(k_acc, a) + np.dot(k_st, s)), float(np.dot(k_sp, sp) + np.dot(k_q, q))

    k_lut, k_ff = [], []
    for fi, fl in enumerate(FLOWS):
        fam = "ice40" if fl.startswith("ice40") else fl
        pts = [x for x in synth if x["flow"] == fl and x["config"] not in HELD_OUT]
        rl, yl, rf, yf = [], [], [], []
        for x in pts:
            p = rtl(x["hwcfg"])
            pes = p["R"] * p["C"]
            pe = pes * tab3(pe_l[fi][p["pe"]][1 if p["os"] else 0], p["ACC"], 16, 16)
            rq = p["NQ"] * tab3(rq_l[fi][ob_index(p["OB"])], p["ACC"], 32, 8)
            lut, ff = counts(fl, x["cells"])
            mlut, mff = mem_luts_ffs(fam, p)
            r1, r2 = rest(p)
            rl.append([1, pe, rq, r1, r2, soft_ab(p)]), yl.append(lut - mlut)
            pf = tab3(pe_f[fi][p["pe"]][1 if p["os"] else 0], p["ACC"], 16, 16)
            if not p["os"]:
                pff = pes * (pf - p["WB"] - 1) - p["R"] * p["AB"]
            else:
                pff = pes * pf - p["R"] * (p["AB"] + 1) - p["C"] * p["WB"]
            rqf = p["NQ"] * tab3(rq_f[fi][ob_index(p["OB"])], p["ACC"], 32, 8)
            skew, bits_ = rtl_ffs(p)
            rf.append([1, pff + rqf + bits_, skew]), yf.append(ff - mff)
        if fl == "ice40-nodsp" and len(pts) >= 3:
            # few points: iCE40's coefficients, the fixed part and the soft multipliers fitted
            base = k_lut[0]
            c = lstsq([[r[0], r[5]] for r in rl],
                      [y - sum(base[i] * r[i] for i in (1, 2, 3, 4)) for r, y in zip(rl, yl)])
            k_lut.append([c[0], base[1], base[2], base[3], base[4], c[1]])
            cf = k_ff[0]
            c = lstsq([[r[0]] for r in rf], [y - cf[1] * r[1] - cf[2] * r[2] for r, y in zip(rf, yf)])
            k_ff.append([c[0], cf[1], cf[2]])
        elif fi == 0:
            # one coefficient for all the rest modules (10+ points)
            c = lstsq([[r[0], r[1], r[2], r[3] + r[4]] for r in rl], yl)
            k_lut.append([c[0], c[1], c[2], c[3], c[3], 0.0])
            k_ff.append(list(lstsq(rf, yf)))
        elif len(pts) >= 4:
            # the PE and lane tables are this flow's own; the share flattening saves
            # of them is taken from iCE40; the fixed part and the rest modules in two
            # groups (multiplexers: ts_acc, ts_storer; counters: ts_spad, ts_qtab)
            # scale differently from iCE40's LUT4 on LUT6 and carry-cell families
            base = k_lut[0]
            c = lstsq([[r[0], r[3], r[4]] for r in rl], [y - base[1] * r[1] - base[2] * r[2] for r, y in zip(rl, yl)])
            k_lut.append([c[0], base[1], base[2], c[1], c[2], 0.0])
            k_ff.append(list(lstsq(rf, yf)))
        elif "--partial" in sys.argv:
            print("fit_resources: %s: %d points, too few: iCE40's coefficients (--partial)" % (fl, len(pts)))
            k_lut.append(list(k_lut[0]))
            k_ff.append(list(k_ff[0]))
        else:
            sys.exit("fit_resources: %s: %d points, too few" % (fl, len(pts)))
        print("%-12s %2d points  lut %s  ff %s" % (fl, len(pts), np.round(k_lut[-1], 4), np.round(k_ff[-1], 4)))

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
           "/* iCE40 LUT4 of ts_acc, ts_storer, ts_spad, ts_qtab (rest_luts); ts_ctrl's share of the fixed part */",
           "static const double k_acc[3] = %s;" % arr(list(k_acc), "%.6g"),
           "static const double k_storer[5] = %s;" % arr(list(k_st), "%.6g"),
           "static const double k_spad[5] = %s;" % arr(list(k_sp), "%.6g"),
           "static const double k_qtab[2] = %s;" % arr(list(k_q), "%.6g"),
           "static const double k_ctrl_share = %.6g;" % k_ctrl_share,
           "/* per flow: LUT fixed, pe, rq, acc + storer, spad + qtab, soft; FF fixed, var, skew */",
           "static const double k_lut[FL_COUNT][6] = %s;" % arr(k_lut, "%.6g"),
           "static const double k_ff[FL_COUNT][3] = %s;" % arr(k_ff, "%.6g"),
           "/* END fitted */"]
    src = open(SRC).read()
    new = re.sub(r"/\* BEGIN fitted.*?/\* END fitted \*/", lambda m: "\n".join(out), src, flags=re.S)
    open(SRC, "w").write(new)
    print("fit_resources: wrote the fitted block of %s" % SRC)


if __name__ == "__main__":
    sys.exit(main())
