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
# With BOARD_PTY (the Makefile's sim/boards/board_pty of the iCEBreaker top on its preset):
# a `uart` line, a small network through the UART bridge on a pseudo-terminal (board_pty
# --realtime: paced to the top's 12 MHz clock, so the line runs at its 1.5 Mbaud, if the
# simulation keeps up): layers/s, the bytes each way, and the time a real board would spend
# on the line (bytes x 10 bits / baud, at 1.5 Mbaud and at a real board's 115200) against
# the accelerator's (the cost model's cycles at 12 MHz). BENCH_RUN_ONLY=uart runs only that.
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

# uart: a small network on the iCEBreaker preset through board_pty (best of 3 runs).
bench_uart() {
	[ -x "${BOARD_PTY:-}" ] || { echo "run uart: no BOARD_PTY (make bench-run builds it): skipped"; return 0; }
	"$PY" tests/models/make_models.py "$TMP/uart" --seed 1 --only qdq_residual >/dev/null
	"$BOARD_PTY" --realtime --seed 1 >"$TMP/pty.out" 2>"$TMP/pty.err" &
	pty_pid=$!
	pts=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -n "$pts" ] || { sleep 0.2; pts=$(head -n 1 "$TMP/pty.out"); }
	done
	[ -n "$pts" ] || { echo "run uart: board_pty did not start: $(cat "$TMP/pty.err")"; kill $pty_pid; return 1; }
	for i in 1 2 3; do
		"$BIN" run --model "$TMP/uart/qdq_residual.onnx" --input "$TMP/uart/qdq_residual.in.npy" --config icebreaker \
			--device "uart:$pts,baud=1500000,latency_ms=100" --check --json -q >"$TMP/uart.$i.json"
	done
	kill $pty_pid
	wait $pty_pid || true
	"$PY" - "$TMP" "$(tail -n 1 "$TMP/pty.err")" <<'EOF'
import json, re, sys
tmp, pty = sys.argv[1:3]
runs = [json.load(open("%s/uart.%d.json" % (tmp, i))) for i in (1, 2, 3)]
r = min(runs, key=lambda x: x["wall_s"])
assert all(x["ok"] and x["mismatches"] == 0 and x["device_cycles"] == x["model_cycles"] for x in runs), \
    "uart runs not bit- and cycle-exact"
m = re.search(r"link: (\d+) requests, (\d+) bytes sent, (\d+) received, (\d+) retries", r["device_info"])
requests, sent, received, retries = map(int, m.groups())
rt = re.search(r"\(([0-9.]+) x real time\)", pty)
layers, accel_s = r["layers"], r["model_latency_ms"] / 1e3
def line_s(baud): return (sent + received) * 10.0 / baud
print("run uart          icebreaker: qdq_residual (%d layers, %d cycles) through board_pty --realtime at 1.5 Mbaud "
      "(the simulation at %s x real time): %.2f layers/s, %.3f s per network (best of 3; %d requests, %d bytes "
      "sent, %d received, %d retries)"
      % (layers, r["model_cycles"], rt.group(1) if rt else "?", layers / r["wall_s"], r["wall_s"], requests, sent,
         received, retries))
for baud in (1500000, 115200):
    u = line_s(baud)
    print("run uart          icebreaker: a real board at %7d baud: %.1f ms on the line (bytes x 10 bits / baud) vs "
          "%.2f ms in the accelerator (cycles at 12 MHz): the line takes %.1f x the accelerator's time, %.1f layers/s "
          "(plus %d request turnarounds: a USB adapter's latency, 1-16 ms each)"
          % (baud, 1e3 * u, 1e3 * accel_s, u / accel_s, layers / (u + accel_s), requests))
EOF
}
if [ "${BENCH_RUN_ONLY:-}" = uart ]; then
	bench_uart
	exit 0
fi

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
bench_uart
