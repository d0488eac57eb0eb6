#!/usr/bin/python3
"""net_models.py — the small ONNX networks of tests/test_net.c, with what tessera must read
from them. Usage: net_models.py OUTDIR (Debian's python3-onnx and python3-numpy).

For every model NAME it writes OUTDIR/NAME.onnx and OUTDIR/NAME.expect, lines of
"key values...": the load options and outcome (fold, status, msg), the nodes left, and for
each integer layer every ts_net_qlayer field, computed here from the ONNX definitions
(float32 where ONNX Runtime computes in float32; the hardware multiplier and shift from the
double scale). Floats are written as exact hexadecimal (float.hex). Deterministic: fixed
seeds, no randomness between runs."""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = np.float32
DT = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.uint8): TensorProto.UINT8,
      np.dtype(np.int8): TensorProto.INT8, np.dtype(np.int32): TensorProto.INT32,
      np.dtype(np.int64): TensorProto.INT64}


def init(name, arr):
    return numpy_helper.from_array(np.asarray(arr), name)


def vinfo(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(name, nodes, inputs, outputs, inits=(), opset=13, value_info=()):
    g = helper.make_graph(nodes, name, list(inputs), list(outputs), initializer=list(inits),
                          value_info=list(value_info))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


# ---- the reference values -------------------------------------------------------------------

def hexf(v):
    return float(v).hex()


def mult_shift(real):
    """The largest multiplier m < 2^31 with m * 2^-shift ~ real: shift is the smallest with
    real * 2^shift >= 2^30, m = real * 2^shift rounded half up (2^31: one bit less)."""
    shift = 0
    while real * 2.0 ** shift < 2.0 ** 30:
        shift += 1
    m = math.floor(real * 2.0 ** shift + 0.5)
    if m == 2 ** 31:
        m //= 2
        shift -= 1
    assert 1 <= shift <= 62 and 2 ** 30 <= m < 2 ** 31
    return m, shift


def qrange(dt):
    return (0, 255) if dt == np.uint8 else (-128, 127)


def quantize(v, scale, zp, dt):
    """ONNX QuantizeLinear of one value: rint(v / scale) in float32, + zp, saturated."""
    lo, hi = qrange(dt)
    return int(min(hi, max(lo, int(np.rint(F32(v) / F32(scale))) + zp)))


class Layer:
    """The expected ts_net_qlayer of one folded node."""

    def __init__(self, kind, x_scale, x_zp, x_dt, w_kc, w_scale, w_zp, y_scale, y_zp, y_dt):
        self.kind = kind
        self.x_scale, self.x_zp, self.x_dt = F32(x_scale), int(x_zp), x_dt
        self.y_scale, self.y_zp, self.y_dt = F32(y_scale), int(y_zp), y_dt
        k = w_kc.shape[0]
        self.w = w_kc  # [K][C/g][R][S] or [K][C], as stored
        self.w_scale = np.broadcast_to(np.asarray(w_scale, F32).reshape(-1), (k,)).copy()
        self.w_zp = np.broadcast_to(np.asarray(w_zp, np.int64).reshape(-1), (k,)).copy()
        self.bias = np.zeros(k, np.int64)
        self.lo, self.hi = qrange(y_dt)
        self.fields = {}

    def int_bias(self, b):
        self.bias = np.asarray(b, np.int64).reshape(-1)

    def float_bias(self, b):
        """round half to even of b / (x_scale * w_scale[k]), in float32."""
        s = self.x_scale * self.w_scale
        self.bias = np.rint(np.asarray(b, F32).reshape(-1) / s).astype(np.int64)

    def rescaled_bias(self, b, bs):
        """An int32 bias at another scale bs: dequantized (float32 b * bs) and quantized."""
        self.float_bias(np.asarray(b, np.int32).astype(F32) * F32(bs))

    def relu(self):
        self.lo = max(self.lo, self.y_zp)

    def clip(self, lo=None, hi=None):
        if lo is not None:
            self.lo = max(self.lo, quantize(lo, self.y_scale, self.y_zp, self.y_dt))
        if hi is not None:
            self.hi = min(self.hi, quantize(hi, self.y_scale, self.y_zp, self.y_dt))

    def lines(self, index, x_name, y_name, fused, **conv):
        k = self.w.shape[0]
        c = self.w.shape[1] * conv.get("groups", 1)
        r, s = (self.w.shape[2], self.w.shape[3]) if self.kind == 0 else (1, 1)
        out = [f"layer {index}", f"in {x_name}", f"out {y_name}", f"kind {self.kind}",
               f"k {k}", f"c {c}", f"r {r}", f"s {s}"]
        for key, default in (("groups", 1), ("stride_h", 1), ("stride_w", 1), ("dil_h", 1),
                             ("dil_w", 1), ("pad_top", 0), ("pad_left", 0), ("pad_bottom", 0),
                             ("pad_right", 0)):
            out.append(f"{key} {conv.get(key, default)}")
        out.append(f"auto_pad {conv.get('auto_pad', 'NOTSET')}")
        dtc = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8}
        out += [f"x_scale {hexf(self.x_scale)}", f"y_scale {hexf(self.y_scale)}",
                f"x_zp {self.x_zp}", f"y_zp {self.y_zp}",
                f"x_dtype {dtc[self.x_dt]}", f"y_dtype {dtc[self.y_dt]}",
                f"lo {self.lo}", f"hi {self.hi}", f"fused {fused}"]
        out.append("w " + " ".join(str(int(v)) for v in self.w.reshape(-1)))
        out.append("w_zp " + " ".join(str(int(v)) for v in self.w_zp))
        out.append("bias " + " ".join(str(int(v)) for v in self.bias))
        out.append("w_scale " + " ".join(hexf(v) for v in self.w_scale))
        # ONNX Runtime's order, float32: (x_scale * w_scale) / y_scale
        onnx_scale = (self.x_scale * self.w_scale) / self.y_scale
        assert onnx_scale.dtype == np.float32
        out.append("onnx_scale " + " ".join(hexf(v) for v in onnx_scale))
        ms = [mult_shift(float(self.x_scale) * float(ws) / float(self.y_scale)) for ws in self.w_scale]
        out.append("mult " + " ".join(str(m) for m, _ in ms))
        out.append("shift " + " ".join(str(sh) for _, sh in ms))
        return out


# ---- the models --------------------------------------------------------------------------------

MODELS = {}


def case(fn):
    MODELS[fn.__name__] = fn
    return fn


def conv_weights(rng, k, cg, r, s, dt=np.int8):
    lo, hi = (-127, 128) if dt == np.int8 else (0, 256)
    return rng.integers(lo, hi, size=(k, cg, r, s)).astype(dt)


@case
def qop_conv(rng):
    """QLinearConv: uint8 x, int8 weights with per-channel scales, int32 bias, pads, strides."""
    w = conv_weights(rng, 4, 3, 3, 3)
    ws = rng.uniform(0.001, 0.01, 4).astype(F32)
    b = rng.integers(-500, 500, 4).astype(np.int32)
    inits = [init("xs", F32(0.05)), init("xz", np.uint8(128)), init("w", w), init("ws", ws),
             init("wz", np.zeros(4, np.int8)), init("ys", F32(0.1)), init("yz", np.uint8(120)),
             init("b", b)]
    n = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                         name="qconv", pads=[1, 1, 1, 1], strides=[2, 2])
    m = model("qop_conv", [n], [vinfo("x", TensorProto.UINT8, [1, 3, 6, 6])],
              [vinfo("y", TensorProto.UINT8, None)], inits)
    L = Layer(0, 0.05, 128, np.uint8, w, ws, 0, 0.1, 120, np.uint8)
    L.int_bias(b)
    exp = ["fold 1", "status OK", "nodes 1", "node 0 QLinearConv qconv 1", "inputs x", "outputs y"]
    exp += L.lines(0, "x", "y", "QLinearConv", stride_h=2, stride_w=2, pad_top=1, pad_left=1,
                   pad_bottom=1, pad_right=1)
    return m, exp


@case
def qop_conv_u8w(rng):
    """QLinearConv: int8 x, uint8 weights (zero point 130: stored as int8 w - 128, zp 2), one
    scale, groups, dilations, auto_pad, no bias."""
    w = conv_weights(rng, 6, 2, 3, 3, np.uint8)
    inits = [init("xs", F32(0.02)), init("xz", np.int8(-3)), init("w", w), init("ws", F32(0.004)),
             init("wz", np.uint8(130)), init("ys", F32(0.07)), init("yz", np.int8(5))]
    n = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"],
                         name="gconv", group=2, dilations=[2, 2], auto_pad="SAME_UPPER")
    m = model("qop_conv_u8w", [n], [vinfo("x", TensorProto.INT8, [1, 4, 7, 7])],
              [vinfo("y", TensorProto.INT8, None)], inits)
    L = Layer(0, 0.02, -3, np.int8, (w.astype(np.int64) - 128), 0.004, 130 - 128, 0.07, 5, np.int8)
    exp = ["fold 1", "status OK", "nodes 1", "node 0 QLinearConv gconv 1"]
    exp += L.lines(0, "x", "y", "QLinearConv", groups=2, dil_h=2, dil_w=2, auto_pad="SAME_UPPER")
    return m, exp


@case
def qop_matmul(rng):
    """QLinearMatMul: uint8 a [2,3,8], constant int8 b [8,5] with per-column scales and zero
    points, stored as [5][8]."""
    bw = rng.integers(-128, 128, size=(8, 5)).astype(np.int8)
    bs = rng.uniform(0.002, 0.02, 5).astype(F32)
    bz = np.array([0, 1, -2, 3, 0], np.int8)
    inits = [init("as", F32(0.03)), init("az", np.uint8(100)), init("b", bw), init("bs", bs),
             init("bz", bz), init("ys", F32(0.25)), init("yz", np.uint8(128))]
    n = helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"],
                         name="qmm")
    m = model("qop_matmul", [n], [vinfo("a", TensorProto.UINT8, [2, 3, 8])],
              [vinfo("y", TensorProto.UINT8, None)], inits)
    L = Layer(1, 0.03, 100, np.uint8, bw.T, bs, bz, 0.25, 128, np.uint8)
    exp = ["fold 1", "status OK", "nodes 1", "node 0 QLinearMatMul qmm 1"]
    exp += L.lines(0, "a", "y", "QLinearMatMul")
    return m, exp


def qdq_edges(x_dt, xs, xz, ys, yz, y_dt):
    """Float x -> QuantizeLinear -> DequantizeLinear -> (layer) ... -> QuantizeLinear -> yq ->
    DequantizeLinear -> float y."""
    inits = [init("xs", F32(xs)), init("xz", x_dt(xz)), init("ys", F32(ys)), init("yz", y_dt(yz))]
    head = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_in"),
            helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in")]
    tail = [helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out"),
            helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="dq_out")]
    return inits, head, tail


@case
def qdq_conv_relu(rng):
    """QDQ Conv + Relu: int8 activations, per-channel int8 weights (axis 0), int32 bias through
    a DequantizeLinear at x_scale * w_scale; Relu -> lo = y_zp."""
    xs, ys = F32(0.04), F32(0.06)
    w = conv_weights(rng, 8, 4, 3, 3)
    ws = rng.uniform(0.002, 0.02, 8).astype(F32)
    b = rng.integers(-3000, 3000, 8).astype(np.int32)
    inits, head, tail = qdq_edges(np.int8, xs, -2, ys, -5, np.int8)
    inits += [init("w", w), init("ws", ws), init("wz", np.zeros(8, np.int8)), init("b", b),
              init("bs", xs * ws), init("bz", np.zeros(8, np.int32))]
    body = [helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="dq_w", axis=0),
            helper.make_node("DequantizeLinear", ["b", "bs", "bz"], ["bd"], name="dq_b", axis=0),
            helper.make_node("Conv", ["xd", "wd", "bd"], ["cf"], name="conv", pads=[1, 1, 1, 1]),
            helper.make_node("Relu", ["cf"], ["yf"], name="relu")]
    m = model("qdq_conv_relu", head + body + tail, [vinfo("x", TensorProto.FLOAT, [1, 4, 5, 5])],
              [vinfo("y", TensorProto.FLOAT, None)], inits)
    L = Layer(0, xs, -2, np.int8, w, ws, 0, ys, -5, np.int8)
    L.int_bias(b)
    L.relu()
    exp = ["fold 1", "status OK", "nodes 3", "node 0 QuantizeLinear q_in 0", "node 1 Conv conv 1",
           "node 2 DequantizeLinear dq_out 0", "inputs x", "outputs y"]
    exp += L.lines(1, "xq", "yq", "QDQ Conv+Relu", pad_top=1, pad_left=1, pad_bottom=1, pad_right=1)
    return m, exp


@case
def qdq_conv_clip(rng):
    """QDQ Conv + Clip (opset 13: min / max inputs from Constant nodes): uint8 activations from
    a graph input, one weight scale, a float bias (quantized here); scales and zero points from
    Constant nodes (value, value_float)."""
    xs, ys, wsc = F32(0.02), F32(0.03), F32(0.005)
    w = conv_weights(rng, 5, 3, 1, 1)
    b = rng.uniform(-0.5, 0.5, 5).astype(F32)
    consts = [
        helper.make_node("Constant", [], ["xs"], name="c_xs",
                         value=helper.make_tensor("v", TensorProto.FLOAT, [], [float(xs)])),
        helper.make_node("Constant", [], ["xz"], name="c_xz",
                         value=helper.make_tensor("v", TensorProto.UINT8, [], [7])),
        helper.make_node("Constant", [], ["ys"], name="c_ys", value_float=float(ys)),
        helper.make_node("Constant", [], ["lo"], name="c_lo", value_float=0.0),
        helper.make_node("Constant", [], ["hi"], name="c_hi", value_float=6.0),
    ]
    inits = [init("w", w), init("ws", wsc), init("wz", np.int8(0)), init("b", b), init("yz", np.uint8(10))]
    nodes = consts + [
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
        helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="dq_w"),
        helper.make_node("Conv", ["xd", "wd", "b"], ["cf"], name="conv1x1"),
        helper.make_node("Clip", ["cf", "lo", "hi"], ["yf"], name="clip"),
        helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out"),
    ]
    m = model("qdq_conv_clip", nodes, [vinfo("xq", TensorProto.UINT8, [1, 3, 4, 4])],
              [vinfo("yq", TensorProto.UINT8, None)], inits)
    L = Layer(0, xs, 7, np.uint8, w, wsc, 0, ys, 10, np.uint8)
    L.float_bias(b)
    L.clip(0.0, 6.0)
    exp = ["fold 1", "status OK", "nodes 1", "node 0 Conv conv1x1 1", "inputs xq", "outputs yq",
           "tensors 2"]
    exp += L.lines(0, "xq", "yq", "QDQ Conv+Clip")
    return m, exp


@case
def qdq_conv_clip6(rng):
    """Opset 10: Clip with min / max attributes, per-tensor DequantizeLinear without axis."""
    xs, ys, wsc = F32(0.05), F32(0.01), F32(0.003)
    w = conv_weights(rng, 3, 2, 2, 2)
    inits, head, tail = qdq_edges(np.int8, xs, 0, ys, 0, np.int8)
    inits += [init("w", w), init("ws", wsc), init("wz", np.int8(0))]
    body = [helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="dq_w"),
            helper.make_node("Conv", ["xd", "wd"], ["cf"], name="conv"),
            helper.make_node("Clip", ["cf"], ["yf"], name="clip6", min=-1.0, max=1.0)]
    m = model("qdq_conv_clip6", head + body + tail, [vinfo("x", TensorProto.FLOAT, [1, 2, 3, 3])],
              [vinfo("y", TensorProto.FLOAT, None)], inits, opset=10)
    L = Layer(0, xs, 0, np.int8, w, wsc, 0, ys, 0, np.int8)
    L.clip(-1.0, 1.0)
    exp = ["fold 1", "status OK", "nodes 3", "node 1 Conv conv 1"]
    exp += L.lines(1, "xq", "yq", "QDQ Conv+Clip")
    return m, exp


@case
def qdq_gemm_transb(rng):
    """QDQ Gemm transB = 1: uint8 x [2,16], weights [10,16] per channel along axis 0, int32 bias
    through a DequantizeLinear."""
    xs, ys = F32(0.01), F32(0.2)
    w = rng.integers(-127, 128, size=(10, 16)).astype(np.int8)
    ws = rng.uniform(0.001, 0.05, 10).astype(F32)
    b = rng.integers(-10000, 10000, 10).astype(np.int32)
    inits = [init("xs", xs), init("xz", np.uint8(3)), init("ys", ys), init("yz", np.uint8(0)),
             init("w", w), init("ws", ws), init("b", b), init("bs", xs * ws)]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], name="dq_w", axis=0),
             helper.make_node("DequantizeLinear", ["b", "bs"], ["bd"], name="dq_b", axis=0),
             helper.make_node("Gemm", ["xd", "wd", "bd"], ["yf"], name="fc", transB=1),
             helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out")]
    m = model("qdq_gemm_transb", nodes, [vinfo("xq", TensorProto.UINT8, [2, 16])],
              [vinfo("yq", TensorProto.UINT8, None)], inits)
    L = Layer(1, xs, 3, np.uint8, w, ws, 0, ys, 0, np.uint8)
    L.int_bias(b)
    exp = ["fold 1", "status OK", "nodes 1", "node 0 Gemm fc 1"]
    exp += L.lines(0, "xq", "yq", "QDQ Gemm")
    return m, exp


@case
def qdq_gemm(rng):
    """QDQ Gemm transB = 0 (alpha = beta = 1 written out): int8 x, weights [16,10] per channel
    along axis 1 (stored transposed), float bias [1,10], Relu."""
    xs, ys = F32(0.015), F32(0.11)
    w = rng.integers(-127, 128, size=(16, 10)).astype(np.int8)
    ws = rng.uniform(0.001, 0.05, 10).astype(F32)
    b = rng.uniform(-2, 2, (1, 10)).astype(F32)
    inits = [init("xs", xs), init("xz", np.int8(1)), init("ys", ys), init("yz", np.int8(-20)),
             init("w", w), init("ws", ws), init("wz", np.zeros(10, np.int8)), init("b", b)]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="dq_w", axis=1),
             helper.make_node("Gemm", ["xd", "wd", "b"], ["g"], name="fc", alpha=1.0, beta=1.0, transB=0),
             helper.make_node("Relu", ["g"], ["yf"], name="relu"),
             helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out")]
    m = model("qdq_gemm", nodes, [vinfo("xq", TensorProto.INT8, [3, 16])],
              [vinfo("yq", TensorProto.INT8, None)], inits)
    L = Layer(1, xs, 1, np.int8, w.T, ws, 0, ys, -20, np.int8)
    L.float_bias(b)
    L.relu()
    exp = ["fold 1", "status OK", "nodes 1", "node 0 Gemm fc 1"]
    exp += L.lines(0, "xq", "yq", "QDQ Gemm+Relu")
    return m, exp


@case
def qdq_matmul(rng):
    """QDQ MatMul: int8 x [2,3,12], weights [12,7] per channel along axis -1, Clip with only a
    min (an initializer; max absent)."""
    xs, ys = F32(0.02), F32(0.05)
    w = rng.integers(-127, 128, size=(12, 7)).astype(np.int8)
    ws = rng.uniform(0.001, 0.05, 7).astype(F32)
    inits = [init("xs", xs), init("xz", np.int8(0)), init("ys", ys), init("yz", np.int8(3)),
             init("w", w), init("ws", ws), init("wz", np.zeros(7, np.int8)), init("lo", F32(-0.5))]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], name="dq_w", axis=-1),
             helper.make_node("MatMul", ["xd", "wd"], ["mm"], name="matmul"),
             helper.make_node("Clip", ["mm", "lo", ""], ["yf"], name="clip"),
             helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out")]
    m = model("qdq_matmul", nodes, [vinfo("xq", TensorProto.INT8, [2, 3, 12])],
              [vinfo("yq", TensorProto.INT8, None)], inits)
    L = Layer(1, xs, 0, np.int8, w.T, ws, 0, ys, 3, np.int8)
    L.clip(-0.5, None)
    exp = ["fold 1", "status OK", "nodes 1", "node 0 MatMul matmul 1"]
    exp += L.lines(0, "xq", "yq", "QDQ MatMul+Clip")
    return m, exp


@case
def qdq_shared(rng):
    """Two QDQ Convs sharing the input and weight DequantizeLinear nodes; the input's
    DequantizeLinear is also read by a Relu (a graph output), so it stays, the weights' goes."""
    xs, wsc = F32(0.03), F32(0.004)
    w = conv_weights(rng, 2, 2, 1, 1)
    inits = [init("xs", xs), init("xz", np.uint8(128)), init("w", w), init("ws", wsc),
             init("ys1", F32(0.05)), init("yz1", np.uint8(100)), init("ys2", F32(0.07)),
             init("yz2", np.int8(-7))]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], name="dq_w"),
             helper.make_node("Conv", ["xd", "wd"], ["c1"], name="conv_a"),
             helper.make_node("QuantizeLinear", ["c1", "ys1", "yz1"], ["y1"], name="q_a"),
             helper.make_node("Conv", ["xd", "wd"], ["c2"], name="conv_b"),
             helper.make_node("Relu", ["c2"], ["r2"], name="relu_b"),
             helper.make_node("QuantizeLinear", ["r2", "ys2", "yz2"], ["y2"], name="q_b"),
             helper.make_node("Relu", ["xd"], ["xr"], name="relu_x")]
    m = model("qdq_shared", nodes, [vinfo("xq", TensorProto.UINT8, [1, 2, 3, 3])],
              [vinfo("y1", TensorProto.UINT8, None), vinfo("y2", TensorProto.INT8, None),
               vinfo("xr", TensorProto.FLOAT, None)], inits)
    a = Layer(0, xs, 128, np.uint8, w, wsc, 0, F32(0.05), 100, np.uint8)
    b = Layer(0, xs, 128, np.uint8, w, wsc, 0, F32(0.07), -7, np.int8)
    b.relu()
    exp = ["fold 1", "status OK", "nodes 4", "node 0 DequantizeLinear dq_in 0", "node 1 Conv conv_a 1",
           "node 2 Conv conv_b 1", "node 3 Relu relu_x 0", "outputs y1 y2 xr"]
    exp += a.lines(1, "xq", "y1", "QDQ Conv") + b.lines(2, "xq", "y2", "QDQ Conv+Relu")
    return m, exp


@case
def qdq_bias_rescale(rng):
    """A QDQ Conv whose int32 bias is dequantized at a scale other than x_scale * w_scale: the
    bias is requantized (float32 b * b_scale / (x_scale * w_scale[k]), half to even)."""
    xs, ys = F32(0.02), F32(0.1)
    w = conv_weights(rng, 3, 2, 1, 1)
    ws = np.array([0.01, 0.003, 0.007], F32)
    b = np.array([1001, -2500, 333], np.int32)
    bs = F32(0.00031)
    inits = [init("xs", xs), init("xz", np.int8(0)), init("ys", ys), init("yz", np.int8(0)),
             init("w", w), init("ws", ws), init("b", b), init("bs", bs)]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], name="dq_w", axis=0),
             helper.make_node("DequantizeLinear", ["b", "bs"], ["bd"], name="dq_b"),
             helper.make_node("Conv", ["xd", "wd", "bd"], ["cf"], name="conv"),
             helper.make_node("QuantizeLinear", ["cf", "ys", "yz"], ["yq"], name="q_out")]
    m = model("qdq_bias_rescale", nodes, [vinfo("xq", TensorProto.INT8, [1, 2, 2, 2])],
              [vinfo("yq", TensorProto.INT8, None)], inits)
    L = Layer(0, xs, 0, np.int8, w, ws, 0, ys, 0, np.int8)
    L.rescaled_bias(b, bs)
    assert list(L.bias) != list(b)
    exp = ["fold 1", "status OK", "nodes 1"] + L.lines(0, "xq", "yq", "QDQ Conv")
    return m, exp


def gemm_with(rng, name, **attrs):
    xs, ys = F32(0.01), F32(0.2)
    w = rng.integers(-127, 128, size=(4, 6)).astype(np.int8)
    inits = [init("xs", xs), init("xz", np.uint8(0)), init("ys", ys), init("yz", np.uint8(0)),
             init("w", w), init("ws", F32(0.01))]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], name="dq_w"),
             helper.make_node("Gemm", ["xd", "wd"], ["yf"], name="odd_gemm", **attrs),
             helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out")]
    return model(name, nodes, [vinfo("xq", TensorProto.UINT8, [2, 4])],
                 [vinfo("yq", TensorProto.UINT8, None)], inits)


@case
def gemm_alpha(rng):
    """Gemm with alpha 0.5: not folded (a host Gemm, or unsupported naming it)."""
    return gemm_with(rng, "gemm_alpha", alpha=0.5), ["fold 1", "unfolded odd_gemm Gemm"]


@case
def gemm_trans_a(rng):
    """Gemm with transA 1: not folded."""
    return gemm_with(rng, "gemm_trans_a", transA=1), ["fold 1", "unfolded odd_gemm Gemm"]


@case
def conv_float_out(rng):
    """A QDQ Conv whose output is read by two nodes (not only a QuantizeLinear): not folded."""
    xs = F32(0.05)
    w = conv_weights(rng, 2, 1, 1, 1)
    inits = [init("xs", xs), init("xz", np.int8(0)), init("ys", F32(0.1)), init("yz", np.int8(0)),
             init("w", w), init("ws", F32(0.01))]
    nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w", "ws"], ["wd"], name="dq_w"),
             helper.make_node("Conv", ["xd", "wd"], ["cf"], name="shared_conv"),
             helper.make_node("QuantizeLinear", ["cf", "ys", "yz"], ["yq"], name="q_out")]
    m = model("conv_float_out", nodes, [vinfo("xq", TensorProto.INT8, [1, 1, 2, 2])],
              [vinfo("yq", TensorProto.INT8, None), vinfo("cf", TensorProto.FLOAT, None)], inits)
    return m, ["fold 1", "unfolded shared_conv Conv"]


@case
def scale_too_large(rng):
    """QLinearConv whose channel 2 scale x_scale * w_scale / y_scale = 2e10 has no multiplier
    and shift: an error naming the node and the channel."""
    w = conv_weights(rng, 4, 1, 1, 1)
    inits = [init("xs", F32(0.5)), init("xz", np.uint8(0)), init("w", w),
             init("ws", np.array([0.01, 0.02, 1e10, 0.03], F32)), init("wz", np.int8(0)),
             init("ys", F32(0.25)), init("yz", np.uint8(0))]
    n = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"], name="huge")
    m = model("scale_too_large", [n], [vinfo("x", TensorProto.UINT8, [1, 1, 2, 2])],
              [vinfo("y", TensorProto.UINT8, None)], inits)
    return m, ["fold 1", "status UNSUPPORTED", "msg node 'huge' (QLinearConv)", "msg output channel 2"]


@case
def unsupported_op(rng):
    """An operator tessera does not run, read by the output: named with its node."""
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["q"], name="fine"),
             helper.make_node("NoSuchOp", ["q"], ["y"], name="mystery")]
    m = model("unsupported_op", nodes, [vinfo("x", TensorProto.FLOAT, [2])],
              [vinfo("y", TensorProto.FLOAT, None)], [init("s", F32(1))])
    return m, ["fold 0", "status UNSUPPORTED", "msg node 'mystery' (NoSuchOp)", "msg 'NoSuchOp'"]


@case
def foreign_domain(rng):
    """An operator of another domain."""
    n = helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="ms_q", domain="com.example")
    m = model("foreign_domain", [n], [vinfo("x", TensorProto.FLOAT, [2])],
              [vinfo("y", TensorProto.UINT8, None)], [init("s", F32(1))])
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    return m, ["fold 1", "status UNSUPPORTED", "msg node 'ms_q' (QuantizeLinear)", "msg 'com.example'"]


@case
def bad_attribute(rng):
    """A supported operator with an attribute tessera does not take."""
    n = helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q_odd", frobnicate=3)
    m = model("bad_attribute", [n], [vinfo("x", TensorProto.FLOAT, [2])],
              [vinfo("y", TensorProto.UINT8, None)], [init("s", F32(1))])
    return m, ["fold 0", "status UNSUPPORTED", "msg node 'q_odd' (QuantizeLinear)", "msg 'frobnicate'"]


@case
def not_topological(rng):
    """The second node's output read by the first."""
    nodes = [helper.make_node("DequantizeLinear", ["q", "s"], ["y"], name="first"),
             helper.make_node("QuantizeLinear", ["x", "s"], ["q"], name="second")]
    m = model("not_topological", nodes, [vinfo("x", TensorProto.FLOAT, [2])],
              [vinfo("y", TensorProto.FLOAT, None)], [init("s", F32(1))])
    return m, ["fold 0", "status INPUT", "msg node 'first' (DequantizeLinear)", "msg input 'q'",
               "msg topological order"]


@case
def undefined_input(rng):
    n = helper.make_node("QuantizeLinear", ["x", "nowhere"], ["y"], name="lost")
    m = model("undefined_input", [n], [vinfo("x", TensorProto.FLOAT, [2])],
              [vinfo("y", TensorProto.UINT8, None)])
    return m, ["fold 0", "status INPUT", "msg node 'lost' (QuantizeLinear)", "msg input 'nowhere'"]


@case
def bad_initializer(rng):
    """An initializer whose raw data does not fill its shape."""
    t = TensorProto()
    t.name = "s"
    t.data_type = TensorProto.FLOAT
    t.dims.extend([4])
    t.raw_data = b"\0" * 12
    n = helper.make_node("QuantizeLinear", ["x", "s"], ["y"], name="q")
    m = model("bad_initializer", [n], [vinfo("x", TensorProto.FLOAT, [4])],
              [vinfo("y", TensorProto.UINT8, None)], [t])
    return m, ["fold 0", "status INPUT", "msg initializer 's'", "msg 3 values stored, shape needs 4"]


@case
def host_run(rng):
    """fold = 0, run on the host: QuantizeLinear (scale from a Constant value_float) ->
    MatMulInteger and DequantizeLinear; a dead branch (an unknown operator reading an int64
    Constant) and an unread int64 initializer are dropped before anything runs."""
    x = np.array([[0.5, -1.25, 3.0, 0.0], [2.0, 1.0, -0.75, 10.0]], F32)
    s, zp = F32(0.25), np.uint8(10)
    b = rng.integers(-128, 128, size=(4, 3)).astype(np.int8)
    nodes = [helper.make_node("Constant", [], ["s"], name="c_s", value_float=float(s)),
             helper.make_node("Constant", [], ["shape"], name="c_shape", value_ints=[1, 2, 3]),
             helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["q"], name="quant"),
             helper.make_node("NoSuchOp", ["q", "shape"], ["unused"], name="dead"),
             helper.make_node("MatMulInteger", ["q", "b", "zp"], ["acc"], name="mmi"),
             helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["xr"], name="dequant")]
    inits = [init("zp", zp), init("b", b), init("unread", np.arange(3, dtype=np.int64))]
    m = model("host_run", nodes, [vinfo("x", TensorProto.FLOAT, [2, 4])],
              [vinfo("acc", TensorProto.INT32, None), vinfo("xr", TensorProto.FLOAT, None),
               vinfo("q", TensorProto.UINT8, None)], inits)
    q = np.clip(np.rint(x / s) + 10, 0, 255).astype(np.int64)
    acc = (q - 10) @ b.astype(np.int64)
    xr = ((q - 10) * s).astype(F32)
    exp = ["fold 0", "status OK", "nodes 3", "node 0 QuantizeLinear quant 0", "node 1 MatMulInteger mmi 0",
           "node 2 DequantizeLinear dequant 0", "inputs x", "outputs acc xr q",
           "input 1 2 2 4 " + " ".join(hexf(v) for v in x.reshape(-1)),
           "output 6 2 2 3 " + " ".join(str(int(v)) for v in acc.reshape(-1)),
           "output 1 2 2 4 " + " ".join(hexf(v) for v in xr.reshape(-1)),
           "output 2 2 2 4 " + " ".join(str(int(v)) for v in q.reshape(-1))]
    return m, exp


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: net_models.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for i, (name, fn) in enumerate(sorted(MODELS.items())):
        rng = np.random.default_rng(1000 + i)
        m, exp = fn(rng)
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
        with open(os.path.join(out, name + ".expect"), "w") as f:
            f.write("\n".join(exp) + "\n")


if __name__ == "__main__":
    main()
