#!/bin/sh
# cli_run_zoo.sh — torchvision's ResNet-18 and MobileNet-V2 (seeded random weights,
# exported and quantized to QDQ by scripts/zoo_onnx.py: `make zoo` writes them into
# build/zoo) run whole with `tessera run` on the `edge` config:
#   --device host --requant onnx   == ONNX Runtime (all graph optimizations, which fuse the
#                                     QDQ patterns into integer kernels) on this CPU
#   --device desc / rtl (both) / vboard (MobileNet-V2) --check
#                                  bit-exact with the golden model and with --device host,
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
	# vboard (the same Verilated model behind UIO in another process) on one of them: what
	# it adds over rtl is the process boundary, which one network exercises
	devs="desc rtl"; [ $m = mobilenet_v2 ] && devs="desc rtl vboard"
	for dev in $devs; do
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

# The QOperator form of both (QLinearConv, QLinearAdd, QLinearGlobalAveragePool and
# ONNX Runtime's QGemm): == ONNX Runtime on the host, bit-exact and cycle-exact on desc.
for m in resnet18 mobilenet_v2; do
	if [ ! -f "$ZOO/qop/$m.onnx" ]; then
		bad "$ZOO/qop/$m.onnx: missing (make zoo writes it)"
		continue
	fi
	if run 0 run -q --model "$ZOO/qop/$m.onnx" --input "$ZOO/qop/$m.in.npy" --requant onnx -o "$TMP/qop.$m.npy" &&
		[ -x "$ORT_PY" ]; then
		if "$ORT_PY" scripts/ort_run.py "$ZOO/qop/$m.onnx" "$ZOO/qop/$m.in.npy" "$TMP/qop.$m.ort.npy" --opt all \
			--compare "$TMP/qop.$m.npy" >"$TMP/ort.out" 2>&1; then ok; else
			bad "qop $m: --requant onnx differs from ONNX Runtime: $(tail -c 300 "$TMP/ort.out")"; fi
	fi
	if run 0 run --model "$ZOO/qop/$m.onnx" --input "$ZOO/qop/$m.in.npy" --device desc --check --json; then
		if why=$($PY - "$TMP/out" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
bad = [n["name"] for n in r["nodes"] if n["where"] == "device" and n["device_cycles"] != n["model_cycles"]]
assert not bad and r["layers"] >= 20 and r["mismatches"] == 0, (bad, r["layers"], r["mismatches"])
assert any(n["op"] == "QGemm" for n in r["nodes"]), "no QGemm layer"
EOF
		); then ok; else bad "qop $m on desc: $why"; fi
	fi
done

# An image input (PNG and JPEG, written here with PIL): tessera's decoding, preprocessing
# and top-5 against PIL + torchvision's transforms (Resize on the tensor, antialias=False,
# CenterCrop, Normalize) and ONNX Runtime on that tensor (tests/test_tensor_io.c checks
# the preprocessing values themselves).
m=resnet18
if [ -f "$ZOO/$m.onnx" ] && [ -x "$ORT_PY" ]; then
	if "$PY" - "$TMP" <<'EOF'
import sys, numpy as np
from PIL import Image
rng = np.random.default_rng(5)
# a smooth random picture (low frequencies), 300 x 260, so resizing matters
y, x = np.mgrid[0:260, 0:300] / 40.0
img = np.stack([np.sin(x * rng.uniform(0.5, 2) + y * rng.uniform(0.5, 2) + rng.uniform(0, 6)) for _ in range(3)], -1)
img = ((img + 1) * 127.5).clip(0, 255).astype(np.uint8)
Image.fromarray(img).save(sys.argv[1] + "/img.png")
Image.fromarray(img).save(sys.argv[1] + "/img.jpg", quality=95)
EOF
	then ok; else bad "writing the test images"; fi
	for ext in png jpg; do
		"$PY" - "$TMP/img.$ext" "$TMP/img.$ext.npy" <<'EOF'
import sys, numpy as np, torch
from PIL import Image
import torchvision.transforms.functional as F
t = F.to_tensor(Image.open(sys.argv[1]).convert("RGB"))
t = F.resize(t, 256, antialias=False)
t = F.center_crop(t, 224)
t = F.normalize(t, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
np.save(sys.argv[2], t.unsqueeze(0).numpy().astype(np.float32))
EOF
		"$ORT_PY" scripts/ort_run.py "$ZOO/$m.onnx" "$TMP/img.$ext.npy" "$TMP/img.$ext.ort.npy" --opt all >/dev/null 2>&1
		if run 0 run --model "$ZOO/$m.onnx" --input "$TMP/img.$ext" --requant onnx --json -q; then
			if why=$("$PY" - "$TMP/out" "$TMP/img.$ext.ort.npy" 2>&1 <<'EOF'
import json, sys, numpy as np
r = json.load(open(sys.argv[1]))
ort = np.load(sys.argv[2])[0]
want = [int(i) for i in np.argsort(-ort, kind="stable")[:5]]
got = [t["index"] for t in r["top5"]]
# float32 preprocessing that differs in the last bits may move a QuantizeLinear rounding and
# so swap near-tied scores: the same top-1 and at least 4 of the same top-5
assert got[0] == want[0] and len(set(got) & set(want)) >= 4, "top-5 %s, torchvision + ONNX Runtime %s" % (got, want)
print("top-5 %s" % got)
EOF
			); then ok; echo "cli_run_zoo: $m $ext input: $why"; else bad "$m $ext input: $why"; fi
		fi
	done
	run 0 run --model "$ZOO/$m.onnx" --input "$TMP/img.png" && expect_in "image input" out "top1: class"
fi

finish
