#!/bin/sh
# cli_run.sh — `tessera run` on whole quantized ONNX networks with weights, written by
# tests/models/make_models.py (QOperator and QDQ, residual blocks, depthwise + pointwise,
# an FC head, per-channel weights, uint8 activations with zero points, pooling, an encoder
# piece; a seed printed below), against tests/models/ref.py, a numpy reference written
# from the ONNX operator definitions:
#   --device host --requant onnx   == ref.py (ONNX Runtime's semantics)
#   --device host (hw)             == ref.py --requant hw
#   --device desc / rtl / vboard --check
#                                  bit-exact with the golden model, and the same output
#                                  as host; every layer's device cycles == the cost model
# and the errors: unsupported operator, bad flags, missing files, --requant onnx on a
# device, a wrong input type — exit 2 and no output file. Run from the repo root.
set -u
. "$(dirname "$0")/cli_lib.sh"
need_bin

PY=/usr/bin/python3
SEED=${TS_SEED:-$(date +%s)}
echo "cli_run: seed $SEED (TS_SEED=$SEED to repeat)"
M=$TMP/models
mkdir -p "$M"
if ! $PY tests/models/make_models.py "$M" --seed "$SEED" >"$TMP/gen.out" 2>&1; then
	bad "make_models.py: $(tail -c 400 "$TMP/gen.out")"
	finish
	exit 1
fi
MODELS=$(cd "$M" && ls *.onnx | sed 's/\.onnx$//')
[ -n "$MODELS" ] && ok || bad "make_models.py wrote no model"

# Float outputs (after Softmax) may differ from numpy's exp in the last bits.
tol_of() {
	case "$1" in *fc*) echo 1e-6 ;; *) echo 0 ;; esac
}

for m in $MODELS; do
	tol=$(tol_of "$m")
	# host, both semantics, against the numpy reference
	if run 0 run -q --model "$M/$m.onnx" --input "$M/$m.in.npy" --requant onnx -o "$TMP/$m.onnx.npy"; then
		if why=$(npy_eq "$TMP/$m.onnx.npy" "$M/$m.ref.npy" "$tol" 2>&1); then ok; else bad "$m host onnx vs ref.py: $why"; fi
	fi
	if run 0 run -q --model "$M/$m.onnx" --input "$M/$m.in.npy" -o "$TMP/$m.hw.npy"; then
		if why=$(npy_eq "$TMP/$m.hw.npy" "$M/$m.refhw.npy" "$tol" 2>&1); then ok; else bad "$m host hw vs ref.py --requant hw: $why"; fi
	fi
	# the descriptor model on a weight- and an output-stationary config
	for cfg in edge ultra96; do
		if run 0 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $cfg --device desc --check --json \
			-o "$TMP/$m.desc.npy"; then
			cp "$TMP/out" "$TMP/$m.desc.json"
			if why=$(cycles_exact "$TMP/$m.desc.json" 2>&1); then ok; else bad "$m desc $cfg: $why"; fi
			if why=$(npy_eq "$TMP/$m.desc.npy" "$TMP/$m.hw.npy" 2>&1); then ok; else bad "$m desc $cfg vs host: $why"; fi
		fi
	done
	# the Verilated RTL (the small preset the other suites build), in this process and as
	# a board served by a process of its own (reached through UIO)
	for dev in rtl vboard; do
		if run 0 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config tiny-ice40 --device $dev --check --json \
			-o "$TMP/$m.$dev.npy"; then
			cp "$TMP/out" "$TMP/$m.$dev.json"
			if why=$(cycles_exact "$TMP/$m.$dev.json" 2>&1); then ok; else bad "$m $dev: $why"; fi
			if why=$(npy_eq "$TMP/$m.$dev.npy" "$TMP/$m.hw.npy" 2>&1); then ok; else bad "$m $dev vs host: $why"; fi
		fi
	done
	# the two semantics compared on the host: a report, exit 0
	if run 0 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --check; then
		expect_in "$m host --check" out "between hw and onnx requantization"
		grep -F "check:" "$TMP/out" | sed "s/^/cli_run: $m: /"
	fi
done

# --batch: the input repeated, every image's output the same as alone
m=qdq_residual
if [ -f "$M/$m.onnx" ] && run 0 run -q --model "$M/$m.onnx" --input "$M/$m.in.npy" --batch 3 --device desc -o "$TMP/b3.npy"; then
	if why=$($PY - "$TMP/b3.npy" "$TMP/$m.hw.npy" 2>&1 <<'EOF'
import sys, numpy as np
b, one = np.load(sys.argv[1]), np.load(sys.argv[2])
assert b.shape[0] == 3 and all((b[i:i+1] == one).all() for i in range(3)), (b.shape, one.shape)
EOF
	); then ok; else bad "--batch 3: $why"; fi
fi
# a random input (no --input) prints its seed in --json and runs
run 0 run --model "$M/qdq_conv.onnx" --seed 7 --json --device desc --check && expect_in "random input" out '"seed": 7'

# a layer that does not finish within --max-cycles: exit 1 naming the node and the limit,
# no output file (the device is soft-reset; the same run with room works)
if run 1 run --model "$M/qdq_residual.onnx" --input "$M/qdq_residual.in.npy" --device desc --max-cycles 500 \
	-o "$TMP/hang.npy"; then
	expect_in "--max-cycles" err "node 'conv1'"
	expect_in "--max-cycles" err "did not finish within 500 cycles"
fi
[ -e "$TMP/hang.npy" ] && bad "--max-cycles: wrote an output file" || ok
run 2 run --model "$M/qdq_residual.onnx" --max-cycles 0

# ---- errors: exit 2, one message, no output file --------------------------------------
$PY - "$M/unsupported.onnx" <<'EOF'
import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
g = helper.make_graph([helper.make_node("Erf", ["x"], ["y"], name="the_erf")], "g", [x], [y])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
EOF
run 2 run --model "$M/unsupported.onnx" -o "$TMP/none.npy" && expect_in "unsupported op" err "the_erf" &&
	expect_in "unsupported op" err "Erf"
[ -e "$TMP/none.npy" ] && bad "unsupported op: wrote an output file" || ok
run 2 run --model "$M/qdq_conv.onnx" --device nosuch
run 2 run --model "$M/qdq_conv.onnx" --requant float
run 2 run --model "$M/qdq_conv.onnx" --batch 0
run 2 run --model "$M/no-such.onnx" && expect_in "missing model" err "no-such.onnx"
run 2 run --model "$M/qdq_conv.onnx" --device desc --requant onnx -o "$TMP/none.npy" &&
	expect_in "onnx on a device" err "host"
run 2 run --model "$M/qdq_conv.onnx" --config edge-lightpe --device desc -o "$TMP/none.npy" &&
	expect_in "lightpe config" err "int8"
# an input of the wrong type
$PY -c "import numpy as np; np.save('$TMP/wrong.npy', np.zeros((1, 2), np.int32))"
run 2 run --model "$M/qdq_conv.onnx" --input "$TMP/wrong.npy" -o "$TMP/none.npy"
run 2 run --model "$M/qdq_conv.onnx" --input "$M/qdq_conv.onnx" -o "$TMP/none.npy"
[ -e "$TMP/none.npy" ] && bad "an error wrote an output file" || ok

finish
