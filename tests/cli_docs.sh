#!/bin/sh
# cli_docs.sh — docs/cli.md against the real machine output: every schema table
# of the document (a table after "<!-- schema: NAME -->") must list exactly the
# JSON keys (with their types), CSV columns (in order) or SQLite columns that
# the commands print, no more and no fewer. `sim` needs a Verilator build and is
# checked only with TS_DOCS_SIM=1. Run from the repo root:
#   TS_BIN=build/bin/tessera sh tests/cli_docs.sh
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin
DOC=docs/cli.md
IMP=tests/data/import
KER=tests/data/kernels

if ! command -v python3 >/dev/null 2>&1; then
	bad "python3 is needed to read the JSON output"
	finish
	exit
fi

# save NAME WANT ARGS...: run the binary, keep its stdout as $TMP/NAME
save() {
	name=$1
	shift
	run "$@" && cp "$TMP/out" "$TMP/$name"
}

save hwcfg 0 config show edge-sparse --json
save check 0 config check edge cloud --json
save presets 0 config presets --json
save boards 0 config boards --json
save mlist 0 models list --json
save mshow 0 models show $IMP/small_cnn.onnx --json
save mshowcsv 0 models show $IMP/small_cnn.onnx --csv
save mimport 0 models import $IMP/small_cnn.onnx --json
save mimport_o 0 models import $IMP/small_cnn.onnx -o "$TMP/small.csv" --json
save eval 0 eval --model alexnet --json
save evalcsv 0 eval --model alexnet --csv
save quant 0 quant --model $IMP/small_cnn.onnx --quiet --json
save onnx 1 onnx-test --json $KER/matmulinteger_small $KER/matmulinteger_wrong
save search 0 search --model alexnet -a ga -n 50 --db "$TMP/s.db" -o "$TMP/design.json" --json
save search_arr 0 search --model alexnet --formulation array -a random -n 50 --db "$TMP/s.db" --json
# REINFORCE's first evaluation is infeasible under this budget: the null keys
save search_none 0 search --model vgg16 -a reinforce -n 1 --budget eiot --json
save report 0 report --db "$TMP/s.db" -o "$TMP/plots" --json
# a small QDQ network written by tests/models/make_models.py (Debian's python3-onnx)
if /usr/bin/python3 tests/models/make_models.py "$TMP/m" --only qdq_conv >/dev/null 2>&1; then ok; else
	bad "tests/models/make_models.py failed"; fi
save run 0 run --model "$TMP/m/qdq_conv.onnx" --device desc --check --json -q -o "$TMP/run.npy"
# a sysroot as Linux shows a board: a tessera device (its register page a plain file that
# reads like the `edge` preset's) beside a GPIO, and a u-dma-buf
/usr/bin/python3 - "$TMP/sysroot" <<'EOF'
import os, struct, sys
root = sys.argv[1]
def put(rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data.encode() if isinstance(data, str) else data)
regs = bytearray(4096)
for off, v in [(0x0, 0x54535231), (0x4, 2), (0x40, 12), (0x44, 16), (0x48, 1 | 0 << 8 | 32 << 16 | 1 << 24),
               (0x4C, 5461), (0x50, 2048), (0x54, 1024), (0x58, 8)]:
    struct.pack_into("<I", regs, off, v)
for n, name, compat, addr in [(0, "tessera", "tessera,accel-1.0", 0x43c00000), (1, "gpio", "xlnx,axi-gpio-2.0", 0x41200000)]:
    u = "sys/class/uio/uio%d/" % n
    put(u + "name", name + "\n")
    put(u + "version", "devicetree\n")
    put(u + "maps/map0/addr", "0x%016x\n" % addr)
    put(u + "maps/map0/size", "0x0000000000001000\n")
    put(u + "maps/map0/offset", "0x0\n")
    put(u + "maps/map0/name", "regs\n")
    put(u + "device/of_node/compatible", compat + "\0")
    put("dev/uio%d" % n, regs if n == 0 else bytes(4096))
put("sys/class/u-dma-buf/udmabuf0/phys_addr", "0x0000000030000000\n")
put("sys/class/u-dma-buf/udmabuf0/size", "67108864\n")
put("dev/udmabuf0", b"")
EOF
save devices 0 devices --sysroot "$TMP/sysroot" --config edge --json
# deploy on a Zynq board: the tree above with the overlay configfs; its uio0 (the `edge`
# registers at 0x43c00000, pynq-z2's address) is the device found and matches `edge`
mkdir -p "$TMP/sysroot/sys/kernel/config/device-tree/overlays"
printf '\252\231\125\146' >"$TMP/zynq.bin"
save deploy 0 deploy --board pynq-z2 --config edge --bitstream "$TMP/zynq.bin" --sysroot "$TMP/sysroot" --timeout 0 --json
checks="hwcfg=hwcfg config-check=check config-presets=presets config-boards=boards
models-list=mlist models-show=mshow models-show-csv=mshowcsv:csv models-import=mimport
models-import=mimport_o eval-json=eval eval-csv=evalcsv:csv quant-json=quant
onnx-test-json=onnx search-json=search search-json=search_arr search-json=search_none
search-design=design.json sqlite-runs=s.db:sqlite:runs sqlite-evals=s.db:sqlite:evals
report-json=report run-json=run devices-json=devices deploy-json=deploy"
if [ "${TS_DOCS_SIM:-0}" = 1 ]; then
	save sim 0 sim --config tiny-ice40 --model tests/data/sim/tiny.csv --layer 3 --seed 1 --json -q
	checks="$checks sim-json=sim"
else
	echo "cli_docs: sim-json not checked (TS_DOCS_SIM=1 checks it; builds a Verilator model)"
	checks="$checks sim-json=-"
fi
if [ "${TS_DOCS_SYNTH:-0}" = 1 ]; then
	save synth 0 synth --config hx8k --out "$TMP/synth" --force --json
	checks="$checks synth-json=synth"
else
	echo "cli_docs: synth-json not checked (TS_DOCS_SYNTH=1 checks it; runs yosys for minutes)"
	checks="$checks synth-json=-"
fi

# One line per check: "ok WHAT" or "FAIL WHAT: why".
# shellcheck disable=SC2086
python3 - "$DOC" "$TMP" $checks >"$TMP/result" 2>&1 <<'PY'
import csv, json, re, sqlite3, sys

doc, tmp, specs = sys.argv[1], sys.argv[2], sys.argv[3:]

# ---- the schema tables of the document: name -> [(key, type)] in order
schemas, cur = {}, None
for line in open(doc, encoding="utf-8"):
    m = re.match(r"<!-- schema: ([a-z0-9-]+) -->", line)
    if m:
        cur = schemas.setdefault(m.group(1), [])
        continue
    if cur is None:
        continue
    if not line.startswith("|"):
        if cur:
            cur = None
        continue
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    for i, c in enumerate(cells):
        m = re.fullmatch(r"`([^`]+)`", c)
        if m:
            cur.append((m.group(1), cells[i + 1] if i + 1 < len(cells) else ""))
            break

def alternatives(t):
    return [a.strip() for a in t.split(" or ")]

def refs(t):
    return [a.strip("`") for a in alternatives(t) if a.strip("`") in schemas and a.startswith("`")]

def type_ok(v, t):
    for a in alternatives(t):
        w = a.split()[0] if a else ""
        if (w == "int" and isinstance(v, int) and not isinstance(v, bool)) or \
           (w == "number" and isinstance(v, (int, float)) and not isinstance(v, bool)) or \
           (w == "string" and isinstance(v, str)) or (w == "bool" and isinstance(v, bool)) or \
           (w == "object" and isinstance(v, dict)) or (w == "null" and v is None):
            return True
        if w == "array" and isinstance(v, list):
            elem = a.split()[-1]
            if all(type_ok(x, elem) for x in v):
                return True
    return False

def check_json(name, value):
    """Errors of value against schema name (an empty list when it matches)."""
    rows = dict(schemas[name])
    seen, errs = set(), []
    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                p = f"{path}.{k}" if path else k
                visit(x, p)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, (dict, list)):
                    walk(x, path + "[]")
    def visit(x, p):
        seen.add(p)
        if p not in rows:
            errs.append(f"key '{p}' is not documented")
            return
        t = rows[p]
        r = refs(t)
        if r:
            if x is None and "null" in alternatives(t):
                return
            if not any(not check_json(s, x) for s in r):
                errs.append(f"'{p}' matches none of {r}: " + "; ".join(check_json(r[0], x)[:3]))
            return
        if not type_ok(x, t):
            errs.append(f"'{p}' is {type(x).__name__} {json.dumps(x)[:40]}, documented {t}")
        walk(x, p)
    walk(value, "")
    errs += [f"documented key '{p}' not in the output" for p in rows if p not in seen]
    return list(dict.fromkeys(errs))

def check_csv(name, path):
    want = [k for k, _ in schemas[name]]
    rows = list(csv.reader(open(path, encoding="utf-8")))
    if not rows or rows[0] != want:
        return [f"header {rows[0] if rows else None} != documented {want}"]
    errs = []
    for r in rows[1:]:
        if len(r) != len(want):
            errs.append(f"row of {len(r)} cells: {r[:3]}")
        for cell, (col, t) in zip(r, schemas[name]):
            num = r"-?\d+" if t.startswith("int") else r"-?[0-9.]+(e[-+]?\d+)?|nan|inf"
            if cell and not t.startswith("string") and not re.fullmatch(num, cell):
                errs.append(f"column {col}: '{cell}' is not {t}")
    return errs[:5]

def check_sqlite(name, path, table):
    got = [(r[1], r[2]) for r in sqlite3.connect(path).execute(f"PRAGMA table_info({table})")]
    want = list(schemas[name])
    return [] if got == want else [f"table {table}: {got} != documented {want}"]

checked = set()
for spec in specs:
    name, _, src = spec.partition("=")
    file, _, kind = src.partition(":")
    checked.add(name)
    what = f"{name} ({file})"
    if name not in schemas:
        print(f"FAIL {what}: no schema table '{name}' in {doc}")
        continue
    if file == "-":
        continue
    try:
        if kind == "csv":
            errs = check_csv(name, f"{tmp}/{file}")
        elif kind.startswith("sqlite"):
            errs = check_sqlite(name, f"{tmp}/{file}", kind.split(":")[1])
        else:
            errs = check_json(name, json.load(open(f"{tmp}/{file}", encoding="utf-8")))
    except (OSError, ValueError, sqlite3.Error) as e:
        errs = [f"cannot read: {e}"]
    print(f"FAIL {what}: " + "; ".join(errs[:5]) if errs else f"ok {what}")
for name in sorted(set(schemas) - checked):
    print(f"FAIL {name}: schema table in {doc} that this test does not check")
PY
[ $? -eq 0 ] || bad "the checker failed: $(tail -3 "$TMP/result")"
while read -r status rest; do
	case $status in
	ok) ok ;;
	FAIL) bad "$rest" ;;
	*) bad "checker: $status $rest" ;;
	esac
done <"$TMP/result"
finish
