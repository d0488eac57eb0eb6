#!/bin/sh
# cli_vboard.sh — `tessera vboard` as a process of its own, found by `tessera devices` and
# run on by `tessera run --device uio --sysroot DIR`, through sysfs + u-dma-buf and
# through the flattened device tree + reserved memory: outputs bit-exact with host and
# the golden model, cycles equal to the cost model; then every fault from the command
# line (a stalled memory port, a lost interrupt, a hardware error, the vboard killed
# from outside and by itself mid-run, a wrong ID or version, a wrong config, no device,
# a DMA region too small): exit 1 or 2 with a message, no output file, and no process
# or shared-memory object left behind. Run from the repo root.
set -u
. "$(dirname "$0")/cli_lib.sh"
need_bin

PY=/usr/bin/python3
SEED=${TS_SEED:-$(date +%s)}
echo "cli_vboard: seed $SEED (TS_SEED=$SEED to repeat)"
M=$TMP/models
mkdir -p "$M"
if ! $PY tests/models/make_models.py "$M" --seed "$SEED" --only qdq_residual,qop_u8,qdq_dwpw >"$TMP/gen.out" 2>&1; then
	bad "make_models.py: $(tail -c 400 "$TMP/gen.out")"
	finish
	exit 1
fi
CFG=tiny-ice40
VB_PID=

# vb_start DIR [ARGS...]: a vboard serving $CFG at DIR in the background; waits until
# it has written its pid file (the model may have to be built first).
vb_start() {
	dir=$1
	shift
	"$BIN" vboard --config $CFG --sysroot "$dir" -q "$@" >"$TMP/vb.out" 2>"$TMP/vb.err" &
	VB_PID=$!
	i=0
	while [ ! -f "$dir/vboard.pid" ] && [ $i -lt 1800 ] && kill -0 $VB_PID 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	if [ -f "$dir/vboard.pid" ] && grep -q "vboard: serving" "$TMP/vb.out"; then
		ok
	else
		bad "vboard $* did not start: $(head -c 300 "$TMP/vb.err")"
	fi
}

# vb_stop DIR: SIGTERM; it must exit 0 and remove everything it wrote under DIR.
vb_stop() {
	kill $VB_PID 2>/dev/null
	wait $VB_PID
	vrc=$?
	[ $vrc -eq 0 ] && ok || bad "vboard exit $vrc after SIGTERM: $(head -c 300 "$TMP/vb.err")"
	left=$(find "$1" -mindepth 1 2>/dev/null | head -3)
	[ -z "$left" ] && ok || bad "vboard left files under $1: $left"
	VB_PID=
}

# ---- both discovery paths: devices lists it, run on it is exact -------------------------
for flavor in sysfs fdt; do
	S=$TMP/root-$flavor
	mkdir -p "$S"
	flag=
	[ $flavor = fdt ] && flag=--fdt
	vb_start "$S" $flag
	if run 0 devices --sysroot "$S" --config $CFG --json; then
		if why=$($PY - "$TMP/out" $flavor <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); flavor = sys.argv[2]
d = r["devices"]
assert len(d) == 1, d
d = d[0]
want_dma = "reserved-memory" if flavor == "fdt" else "u-dma-buf"
assert d["node"] == "uio0" and d["name"] == "tessera" and d["how"] == flavor, d
assert d["usable"] and d["config_match"] is True and d["problem"] == "", d
assert d["id"] == 0x54535231 and d["version"] == 2 and d["reg_addr"] == 0x43c00000, d
assert d["dma"]["how"] == want_dma and d["dma"]["addr"] == 0x30000000 and d["dma"]["size"] == 64 << 20, d
names = [b["name"] for b in r["backends"]]
assert names[:5] == ["host", "rtl", "desc", "uio", "vboard"], names
EOF
		); then ok; else bad "devices --json ($flavor): $why"; fi
	fi
	run 0 devices --sysroot "$S" && expect_in "devices table" out "usable: --device uio:uio0"
	for m in qdq_residual qop_u8 qdq_dwpw; do
		[ -f "$M/$m.onnx" ] || { bad "no model $m"; continue; }
		run 0 run -q --model "$M/$m.onnx" --input "$M/$m.in.npy" -o "$TMP/$m.host.npy"
		if run 0 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" \
			--check --json -o "$TMP/$m.uio.npy"; then
			cp "$TMP/out" "$TMP/$m.uio.json"
			if why=$(cycles_exact "$TMP/$m.uio.json" 2>&1); then ok; else bad "$m uio $flavor: $why"; fi
			if why=$(npy_eq "$TMP/$m.uio.npy" "$TMP/$m.host.npy" 2>&1); then ok; else bad "$m uio $flavor vs host: $why"; fi
			expect_in "device_info $flavor" out "via $flavor"
		fi
	done
	vb_stop "$S"
done

# ---- faults ----------------------------------------------------------------------------
m=qdq_residual
S=$TMP/root-faults
mkdir -p "$S"

# the memory port stalls in the first run: exit 1 at the bound, reset, no output; the
# next run on the same vboard works
vb_start "$S" --fault stall@1
if run 1 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" -o "$TMP/stall.npy"; then
	expect_in "stall" err "did not finish within"
	expect_in "stall" err "SOFT_RESET"
fi
[ -e "$TMP/stall.npy" ] && bad "stall: wrote an output file" || ok
run 0 run -q --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" --check -o "$TMP/after.npy" &&
	{ if why=$(npy_eq "$TMP/after.npy" "$TMP/$m.host.npy" 2>&1); then ok; else bad "after the stall: $why"; fi; }
vb_stop "$S"

# --timeout on wall time: a stall in every run
vb_start "$S" --fault stall
run 1 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" --max-cycles 100000000000 \
	--timeout 0.5 -o "$TMP/stall.npy" && expect_in "timeout" err "did not finish within 0.5 s"
[ -e "$TMP/stall.npy" ] && bad "timeout: wrote an output file" || ok
vb_stop "$S"

# interrupts lost: finished by polling, a warning, the same output
vb_start "$S" --fault noirq
if run 0 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" --check -o "$TMP/noirq.npy"; then
	expect_in "noirq" err "ended without their interrupt"
	if why=$(npy_eq "$TMP/noirq.npy" "$TMP/$m.host.npy" 2>&1); then ok; else bad "noirq: $why"; fi
fi
vb_stop "$S"

# a hardware error in the second layer: exit 1 naming the node and the descriptor
vb_start "$S" --fault baddesc@2
if run 1 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" -o "$TMP/hw.npy"; then
	expect_in "hardware error" err "ERR_BAD_OPCODE at descriptor"
	expect_in "hardware error" err "node '"
fi
[ -e "$TMP/hw.npy" ] && bad "hardware error: wrote an output file" || ok
vb_stop "$S"

# wrong ID, wrong version, wrong config: exit 2 before anything runs
vb_start "$S" --fault id
run 2 run --model "$M/$m.onnx" --config $CFG --device uio --sysroot "$S" -o "$TMP/id.npy" && expect_in "id" err "not a tessera accelerator"
run 0 devices --sysroot "$S" && expect_in "devices id" out "no tessera bitstream loaded"
vb_stop "$S"
vb_start "$S" --fault version
run 2 run --model "$M/$m.onnx" --config $CFG --device uio --sysroot "$S" && expect_in "version" err "register map version 1"
vb_stop "$S"
vb_start "$S"
run 2 run --model "$M/$m.onnx" --config edge --device uio --sysroot "$S" && expect_in "config" err "not config 'edge'"
run 0 devices --sysroot "$S" --config edge && expect_in "devices config" out "not config 'edge'"
vb_stop "$S"
[ -e "$TMP/id.npy" ] && bad "id: wrote an output file" || ok

# no device: exit 2, the reason; devices explains it, exit 0
E=$TMP/empty
mkdir -p "$E"
run 2 run --model "$M/$m.onnx" --config $CFG --device uio --sysroot "$E" && expect_in "no device" err "sys/class/uio"
run 0 devices --sysroot "$E" && expect_in "devices none" out "none: no"
run 2 run --model "$M/$m.onnx" --device uio --sysroot "$TMP/no-such-dir"
run 2 run --model "$M/$m.onnx" --device desc --sysroot "$E"
run 2 vboard --fault nosuch
run 2 vboard --dma-size 1000

# a DMA region too small for the network's largest layer: exit 2 naming the layer
$PY - "$M/bigfc.onnx" <<'EOF'
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
rng = np.random.default_rng(1)
k, n = 1536, 1024
w = numpy_helper.from_array(rng.integers(-127, 128, (k, n), dtype=np.int8), "w")
inits = [w] + [numpy_helper.from_array(np.array(v, dt), nm) for nm, v, dt in
         [("xs", 0.05, np.float32), ("xz", 0, np.int8), ("ws", 0.01, np.float32), ("wz", 0, np.int8),
          ("ys", 0.2, np.float32), ("yz", 0, np.int8)]]
x = helper.make_tensor_value_info("x", TensorProto.INT8, [1, k])
y = helper.make_tensor_value_info("y", TensorProto.INT8, [1, n])
node = helper.make_node("QLinearMatMul", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"], name="bigfc")
g = helper.make_graph([node], "g", [x], [y], initializer=inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
EOF
vb_start "$S" --dma-size 1048576
run 2 run --model "$M/bigfc.onnx" --config $CFG --device uio --sysroot "$S" -o "$TMP/big.npy" &&
	expect_in "DMA too small" err "exceeds the uio device's memory (1048576 bytes at 0x30000000)"
[ -e "$TMP/big.npy" ] && bad "DMA too small: wrote an output file" || ok
vb_stop "$S"

# the vboard killed from outside mid-run: exit 1, the reason, no output, no hang
vb_start "$S"
"$BIN" run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" --batch 1024 \
	-o "$TMP/killed.npy" >"$TMP/kout" 2>"$TMP/kerr" &
RUN_PID=$!
sleep 1
kill -9 $VB_PID
wait $VB_PID 2>/dev/null
wait $RUN_PID
krc=$?
[ $krc -eq 1 ] && ok || bad "killed vboard: run exit $krc, want 1 ($(head -c 300 "$TMP/kerr"))"
grep -qF "the vboard process serving it has gone" "$TMP/kerr" && ok || bad "killed vboard: stderr lacks the reason: $(head -c 300 "$TMP/kerr")"
[ -e "$TMP/killed.npy" ] && bad "killed vboard: wrote an output file" || ok
rm -rf "$S"
mkdir -p "$S"
# ... and by itself (kill@N), on a --device vboard of its own
vb_start "$S" --fault kill@2
run 1 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device uio --sysroot "$S" -o "$TMP/killed.npy" &&
	expect_in "kill@2" err "has gone"
kill $VB_PID 2>/dev/null # (if it did not die)
wait $VB_PID 2>/dev/null
[ -e "$TMP/killed.npy" ] && bad "kill@2: wrote an output file" || ok

# --device vboard: a vboard of its own, started and stopped by the run
if run 0 run --model "$M/$m.onnx" --input "$M/$m.in.npy" --config $CFG --device vboard --check --json -o "$TMP/vb.npy"; then
	cp "$TMP/out" "$TMP/vb.json"
	if why=$(cycles_exact "$TMP/vb.json" 2>&1); then ok; else bad "--device vboard: $why"; fi
	if why=$(npy_eq "$TMP/vb.npy" "$TMP/$m.host.npy" 2>&1); then ok; else bad "--device vboard vs host: $why"; fi
fi

# nothing left behind: no vboard process of this test, no shared-memory object
sleep 0.2
left=$(ps -eo pid,args | grep -F "$TMP" | grep -v grep | head -3)
[ -z "$left" ] && ok || bad "processes left: $left"
shm=$(ls /dev/shm 2>/dev/null | grep -i tessera | head -3)
[ -z "$shm" ] && ok || bad "shared memory left in /dev/shm: $shm"
vb_tmp=$(ls -d "${TMPDIR:-/tmp}"/tessera-vboard-* 2>/dev/null | head -3)
[ -z "$vb_tmp" ] && ok || bad "temporary vboard trees left: $vb_tmp"

finish
