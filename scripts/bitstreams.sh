#!/bin/sh
# bitstreams.sh — the open-tool boards' bitstreams (`make bitstreams`, docs/boards.md). For
# each board with a config bitstreams/<board>.json: `tessera synth` into
# $BUILD/bitstreams/<board>/; when the config fits and meets timing, its bitstream (.bin
# for iCE40, .bit for ECP5) and its report (report.json, report.txt: tessera's table,
# versions.txt) go into bitstreams/<board>/ and its row into bitstreams/README.md. A config
# that does not fit or misses timing is named with the reason, nothing of it is written,
# and the script exits 1 at the end.
# --check rebuilds in $BUILD/bitstreams/ and compares the cells used, fits, timing met
# and the clock with the committed reports, writing nothing in bitstreams/; exit 1 on a
# difference (boards without a committed report are skipped).
# --readme only rewrites bitstreams/README.md's table from the committed reports.
# Usage: sh scripts/bitstreams.sh [--check | --readme] [BOARD...]   (default: every bitstreams/*.json)
# Environment: TS_BIN (build/bin/tessera), BUILD (build), PYTHON (/usr/bin/python3).
# Run from the repository root. Synthesis runs one board at a time (minutes each).
set -u
BIN=${TS_BIN:-build/bin/tessera}
BUILD=${BUILD:-build}
PY=${PYTHON:-/usr/bin/python3}
mode=build
case ${1:-} in
--check) mode=check; shift ;;
--readme) mode=readme; shift ;;
esac
boards=$*
[ -n "$boards" ] || boards=$(for f in bitstreams/*.json; do basename "$f" .json; done)
[ $mode = readme ] && boards=""
[ -x "$BIN" ] || { echo "bitstreams: $BIN is not built (make)" >&2; exit 2; }
mkdir -p "$BUILD/bitstreams"

failed=""
for b in $boards; do
	cfg=bitstreams/$b.json
	out=$BUILD/bitstreams/$b
	if [ ! -f "$cfg" ]; then
		echo "bitstreams: $b: no $cfg"
		failed="$failed $b"
		continue
	fi
	rm -f "$out.report.json" "$out.report.txt" "$out.err"
	echo "bitstreams: $b: tessera synth --config $cfg --board $b --out $out ..."
	"$BIN" synth --config "$cfg" --board "$b" --out "$out" --report "$out.report.json" \
		>"$out.report.txt" 2>"$out.err"
	rc=$?
	# what the run says, and (build) the files of a good one copied, (check) the comparison
	if ! "$PY" - "$mode" "$b" "$cfg" "$out" "$rc" "$BUILD" <<'EOF'
import hashlib, json, os, shutil, subprocess, sys

mode, board, cfg, out, rc, build = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
rep_path, txt_path, err_path = out + ".report.json", out + ".report.txt", out + ".err"
dest = os.path.join("bitstreams", board)

def say(msg):
    print("bitstreams: %s: %s" % (board, msg))

def last_error():
    lines = [l.strip() for l in open(err_path) if l.strip() and " into " not in l]
    return lines[-1] if lines else "(no message)"

if not os.path.exists(rep_path):
    if rc == 2:
        say("refused before synthesis: " + last_error())
    elif "does not fit" in last_error():
        say("does NOT fit (not written): " + last_error())
    else:
        say("FAILED (exit %d): %s" % (rc, last_error()))
    sys.exit(1)
r = json.load(open(rep_path))
res = {x["name"]: x for x in r["resources"]}
p = r["pnr"] or {}
summary = ", ".join("%s %d/%d" % (n, res[n]["used"], res[n]["available"]) for n in ("lut", "ff", "dsp", "bram", "uram")
                    if res[n]["available"] or res[n]["used"])
clock = r["clock"]
fmax = "Fmax %.2f MHz for %.4g MHz" % (p.get("fmax_mhz", 0), clock["made_mhz"])

def committed_view(x):
    """What --check compares: the cells, fits, timing met, the clock."""
    pn = x["pnr"] or {}
    return {"resources": {y["name"]: [y["used"], y["available"]] for y in x["resources"]}, "fits": x["fits"],
            "placed": x["placed"], "pnr_cells": pn.get("used"), "timing_met": pn.get("timing_met"),
            "made_mhz": x["clock"]["made_mhz"], "pll": x["clock"]["pll"], "settings": x["clock"]["settings"]}

if mode == "check":
    old_path = os.path.join(dest, "report.json")
    if not os.path.exists(old_path):
        say("no committed report (%s): nothing to compare; this run: %s; %s" % (old_path, summary, fmax))
        sys.exit(0)
    old = json.load(open(old_path))
    a, n = committed_view(old), committed_view(r)
    diff = [k for k in a if a[k] != n[k]]
    if diff:
        for k in diff:
            say("DIFFERS in %s: committed %s, now %s" % (k, a[k], n[k]))
        sys.exit(1)
    same = "n/a"
    if p.get("bitstream") and os.path.exists(p["bitstream"]):
        ext = os.path.splitext(p["bitstream"])[1]
        mine = os.path.join(dest, "tessera" + ext)
        if os.path.exists(mine):
            h = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
            same = "byte-identical" if h(mine) == h(p["bitstream"]) else "not byte-identical"
    say("as committed (%s; %s; timing %s); bitstream %s" %
        (summary, fmax, "met" if p.get("timing_met") else "NOT met", same))
    sys.exit(0)

if not r["fits"]:
    say("does NOT fit %s: %s (not written)" % (r["board"], summary))
    sys.exit(1)
if not r["placed"]:
    say("no board top: no bitstream (not written)")
    sys.exit(1)
if not p["timing_met"]:
    say("misses timing: %s (%s); lower clock_mhz in %s (not written)" % (fmax, clock["pll"] or "no PLL", cfg))
    sys.exit(1)
if rc != 0:
    say("FAILED (exit %d): %s" % (rc, last_error()))
    sys.exit(1)

# A good one: the bitstream, the report without this machine's paths, the table, the versions.
def rel(path):
    path = path or ""
    if path.startswith(build.rstrip("/") + "/"):
        return "build/" + path[len(build.rstrip("/")) + 1:]
    return path
yowasp = ""
nextpnr = r["tools"].get("nextpnr") or ""
if os.path.basename(nextpnr).startswith("yowasp-"):
    py = os.path.join(os.path.dirname(nextpnr), "python")
    pkg = os.path.basename(nextpnr)
    try:
        v = subprocess.run([py, "-c", "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))", pkg],
                           capture_output=True, text=True, check=True).stdout.strip()
        yowasp = "%s %s" % (pkg, v)
    except (OSError, subprocess.CalledProcessError):
        yowasp = pkg
shutil.rmtree(dest, ignore_errors=True)
os.makedirs(dest)
ext = os.path.splitext(p["bitstream"])[1]
shutil.copyfile(p["bitstream"], os.path.join(dest, "tessera" + ext))
r["dir"] = rel(r["dir"])
p["bitstream"] = "tessera" + ext
for k in ("yosys", "nextpnr", "pack"):
    if r["tools"].get(k):
        r["tools"][k] = os.path.basename(r["tools"][k])
with open(os.path.join(dest, "report.json"), "w") as f:
    json.dump(r, f, indent=2)
    f.write("\n")
txt = open(txt_path).read().replace(build.rstrip("/") + "/", "build/")
open(os.path.join(dest, "report.txt"), "w").write(txt)
with open(os.path.join(dest, "versions.txt"), "w") as f:
    f.write("%s\n%s\n" % (r["tools"]["yosys_version"], r["tools"]["nextpnr_version"]))
    if yowasp:
        f.write("%s (PyPI)\n" % yowasp)
shutil.copyfile(cfg, os.path.join(dest, "config.json"))
say("fits and meets timing: %s; %s; %.0f s: written to %s/" % (summary, fmax, r["seconds"], dest))
EOF
	then
		failed="$failed $b"
	fi
done

# bitstreams/README.md: the table of what is committed, between its markers
if [ "$mode" != check ]; then
	TS_BIN=$BIN "$PY" - <<'EOF' || failed="$failed README.md"
import glob, json, os, re, subprocess
path = "bitstreams/README.md"

def array_of(c, cfg_path):
    """The config's array; a config from a preset shows it through `tessera config show`."""
    if "rows" in c.get("array", {}):
        return c["array"]
    try:
        out = subprocess.run([os.environ["TS_BIN"], "config", "show", cfg_path, "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out).get("array", {})
    except (OSError, subprocess.CalledProcessError, ValueError):
        return {}
begin, end = "<!-- bitstreams:table -->", "<!-- /bitstreams:table -->"
rows = ["| board | config | array | LUT4 | FF | DSP | block RAM | Fmax / clock (MHz) | timing | build | yosys | nextpnr |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|"]
for rep in sorted(glob.glob("bitstreams/*/report.json")):
    d = os.path.dirname(rep)
    r = json.load(open(rep))
    c = json.load(open(os.path.join(d, "config.json")))
    a = array_of(c, os.path.join(d, "config.json"))
    res = {x["name"]: x for x in r["resources"]}
    cell = lambda n: "%d / %d" % (res[n]["used"], res[n]["available"])
    p = r["pnr"]
    ver = [l.strip() for l in open(os.path.join(d, "versions.txt"))]
    yosys = re.sub(r" \(git sha1 .*\)", "", ver[0]) if ver else ""
    m = re.search(r"\(Version ([^)]*)\)", ver[1]) if len(ver) > 1 else None
    nextpnr = "nextpnr " + m.group(1).replace("nextpnr-", "") if m else (ver[1] if len(ver) > 1 else "")
    if len(ver) > 2:
        nextpnr += " (%s)" % ver[2].replace(" (PyPI)", "")
    clock = "%.4g / %.4g" % (p["fmax_mhz"], r["clock"]["made_mhz"])
    if r["clock"]["pll"]:
        clock += " (%s)" % r["clock"]["pll"]
    rows.append("| %s | `%s` | %sx%s %s | %s | %s | %s | %s | %s | %s | %.0f s | %s | %s |" % (
        r["board"], os.path.basename(d) + ".json", a.get("rows", "?"), a.get("cols", "?"), a.get("pe", ""),
        cell("lut"), cell("ff"), cell("dsp"), cell("bram"), clock, "met" if p["timing_met"] else "NOT met",
        r["seconds"], yosys, nextpnr))
if len(rows) == 2:
    rows.append("| (none yet) | | | | | | | | | | | |")
text = open(path).read() if os.path.exists(path) else begin + "\n" + end + "\n"
if begin not in text or end not in text:
    raise SystemExit("bitstreams: %s lacks its markers %s ... %s" % (path, begin, end))
head, rest = text.split(begin, 1)
tail = rest.split(end, 1)[1]
open(path, "w").write(head + begin + "\n" + "\n".join(rows) + "\n" + end + tail)
EOF
fi

if [ -n "$failed" ]; then
	echo "bitstreams: not built or not as committed:$failed"
	exit 1
fi
echo "bitstreams: all built as asked ($mode)"
