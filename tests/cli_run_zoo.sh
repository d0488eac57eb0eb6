#!/bin/sh
# cli_run_zoo.sh — torchvision's ResNet-18 and MobileNet-V2 (seeded random weights,
# exported and quantized to QDQ by scripts/zoo_onnx.py: `make zoo` writes them into
# build/zoo) run whole with `tessera run` on the `edge` config:
#   --device host --requant onnx   == ONNX Runtime (all graph optimizations, which fuse the
#                                     QDQ patterns into integer kernels) on this CPU
#   --device desc / rtl --check    bit-exact with the golden model and with --device host,
#                                  device cycles == the cost model on every layer
# Run from the repo root; TS_ZOO names another directory of models.
set -u
. "$(dirname "$0")/cli_lib.sh"
need_bin

PY=/usr/bin/python3
ZOO=${TS_ZOO:-build/zoo}
ORT_PY=${TS_ORT_PY:-build/venv/bin/python}

for m in resnet18 mobilenet_v2; do
	if [ ! -f "$ZOO/$m.onnx" ] || [ ! -f "$ZOO/$m.in.npy" ]; then
		bad "$ZOO/$m.onnx: missing (make zoo writes it)"
		continue
	fi
	run 0 run -q --model "$ZOO/$m.onnx" --input "$ZOO/$m.in.npy" --requant onnx -o "$TMP/$m.onnx.npy"
	run 0 run -q --model "$ZOO/$m.onnx" --input "$ZOO/$m.in.npy" -o "$TMP/$m.hw.npy"
	if [ -x "$ORT_PY" ]; then
		if "$ORT_PY" scripts/ort_run.py "$ZOO/$m.onnx" "$ZOO/$m.in.npy" "$TMP/$m.ort.npy" --opt all \
			--compare "$TMP/$m.onnx.npy" >"$TMP/ort.out" 2>&1; then
			ok
		else
			bad "$m: --requant onnx differs from ONNX Runtime: $(tail -c 300 "$TMP/ort.out")"
		fi
	else
		bad "$ORT_PY: missing (make deps creates it)"
	fi
	for dev in desc rtl; do
		if run 0 run --model "$ZOO/$m.onnx" --input "$ZOO/$m.in.npy" --device $dev --check --json \
			-o "$TMP/$m.$dev.npy"; then
			if why=$($PY - "$TMP/out" "$TMP/$m.$dev.npy" "$TMP/$m.hw.npy" 2>&1 <<'EOF'
import json, sys, numpy as np
r = json.load(open(sys.argv[1]))
bad = [n["name"] for n in r["nodes"] if n["where"] == "device" and n["device_cycles"] != n["model_cycles"]]
assert not bad and r["layers"] >= 20 and r["mismatches"] == 0 and r["checked"] > 10**6, (bad, r["layers"], r["mismatches"], r["checked"])
a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
assert a.shape == b.shape and (a == b).all(), "output differs from --device host"
print("%d layers, %d outputs checked, %d cycles = model" % (r["layers"], r["checked"], r["device_cycles"]))
EOF
			); then
				ok
				echo "cli_run_zoo: $m on $dev: $why"
			else
				bad "$m on $dev: $why"
			fi
		fi
	done
done

finish
