#!/bin/sh
# bench_run.sh — `make bench-run`: whole networks (torchvision's ResNet-18 and MobileNet-V2
# with seeded random weights, quantized by scripts/zoo_onnx.py) on the `edge` config:
# images/s on the desc, rtl and vboard devices, the share of wall time spent in host code
# (conversions, packing, im2col, glue operators) vs the device, the modelled on-board
# latency (the cost model's cycles at the config's clock; equal to the rtl's cycles), and
# what the process boundary of the vboard (the same Verilated model in a process of its
# own, reached through UIO: shared-memory registers, an interrupt FIFO) costs against rtl.
# Peers measured in the same run: the golden model on the host (`--device host`) and
# ONNX Runtime on this CPU (scripts/ort_run.py).
# Usage: scripts/bench_run.sh BIN ZOO_DIR PYTHON [CONFIG]
set -eu
BIN=$1
ZOO=$2
PY=$3
CFG=${4:-edge}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench_run.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

field() { # field JSON KEY
	"$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"
}

echo "bench-run: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; config $CFG"
for m in resnet18 mobilenet_v2; do
	model=$ZOO/$m.onnx
	in=$ZOO/$m.in.npy
	for dev in host desc rtl vboard; do
		# the rtl device builds (or loads) its Verilated model before the timed part
		"$BIN" run --model "$model" --input "$in" --config "$CFG" --device $dev --json -q >"$TMP/$dev.json"
	done
	"$PY" - "$TMP" "$m" "$CFG" <<'EOF'
import json, sys
tmp, m, cfg = sys.argv[1:4]
r = {d: json.load(open("%s/%s.json" % (tmp, d))) for d in ("host", "desc", "rtl", "vboard")}
def ips(x): return 1.0 / x["wall_s"] if x["wall_s"] > 0 else 0.0
def share(x):
    w = x["wall_s"] or 1.0
    return 100.0 * x["host_s"] / w, 100.0 * x["device_s"] / w
assert r["rtl"]["device_cycles"] == r["rtl"]["model_cycles"], "rtl cycles differ from the cost model"
assert r["vboard"]["device_cycles"] == r["vboard"]["model_cycles"], "vboard cycles differ from the cost model"
hd, dd = share(r["desc"])
hr, dr = share(r["rtl"])
print("run %-13s %s: desc %.3f images/s (host %.0f %%, device %.0f %%) | rtl %.4f images/s (host %.1f %%, "
      "device %.1f %%, %.2f M cycles/s) | golden model on the host %.2f images/s | modelled on-board latency "
      "%.2f ms (%d cycles, rtl cycles equal) | rtl / host golden %.4f"
      % (m, cfg, ips(r["desc"]), hd, dd, ips(r["rtl"]), hr, dr,
         r["rtl"]["device_cycles"] / r["rtl"]["device_s"] / 1e6 if r["rtl"]["device_s"] else 0,
         ips(r["host"]), r["rtl"]["model_latency_ms"], r["rtl"]["model_cycles"],
         ips(r["rtl"]) / ips(r["host"]) if ips(r["host"]) else 0))
v, t = r["vboard"], r["rtl"]
layers = v["layers"] or 1
print("run %-13s %s: vboard %.4f images/s (host %.1f %%, device %.1f %%, %.2f M cycles/s) | process boundary "
      "vs rtl: wall x%.3f, device time %+.1f %% (%+.2f ms per layer run), %d interrupts lost"
      % (m, cfg, ips(v), *share(v), v["device_cycles"] / v["device_s"] / 1e6 if v["device_s"] else 0,
         v["wall_s"] / t["wall_s"] if t["wall_s"] else 0,
         100.0 * (v["device_s"] / t["device_s"] - 1) if t["device_s"] else 0,
         1e3 * (v["device_s"] - t["device_s"]) / layers, v["irq_lost"]))
EOF
	if [ -x "${ORT_PY:-}" ]; then
		"$ORT_PY" scripts/ort_run.py "$model" "$in" "$TMP/ort.npy" --opt all --time 10 2>&1 | sed "s/^/run $m onnxruntime: /" || true
	fi
done

# The process boundary alone: the smallest network (one 3x3 convolution, a few thousand
# cycles), whose device time is mostly the round trip: registers, doorbell, interrupt.
"$PY" tests/models/make_models.py "$TMP/small" --seed 1 --only qdq_conv >/dev/null
for dev in rtl vboard; do
	for i in 1 2 3 4 5; do
		"$BIN" run --model "$TMP/small/qdq_conv.onnx" --input "$TMP/small/qdq_conv.in.npy" --config "$CFG" \
			--device $dev --json -q >"$TMP/small.$dev.$i.json"
	done
done
"$PY" - "$TMP" "$CFG" <<'EOF'
import json, sys
tmp, cfg = sys.argv[1:3]
best = {}
for dev in ("rtl", "vboard"):
    runs = [json.load(open("%s/small.%s.%d.json" % (tmp, dev, i))) for i in range(1, 6)]
    best[dev] = min(r["device_s"] / (r["layers"] or 1) for r in runs)
    cycles = runs[0]["device_cycles"]
print("run one-layer   %s: a %d-cycle layer run takes %.3f ms on rtl, %.3f ms on vboard: the process boundary "
      "adds %.3f ms per layer run (best of 5)" % (cfg, cycles, 1e3 * best["rtl"], 1e3 * best["vboard"],
                                                 1e3 * (best["vboard"] - best["rtl"])))
EOF
