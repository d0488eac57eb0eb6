#!/usr/bin/python3
"""make_models.py -- small quantized ONNX networks with weights for tessera's tests.

Usage: make_models.py OUTDIR [--seed S] [--only NAME[,NAME...]]

Writes for every network NAME (README.md beside this file lists them):
  NAME.onnx       the model (onnx.helper, opset 13; QLinearAdd from com.microsoft)
  NAME.in.npy     an input in the graph input's own type
  NAME.ref.npy    its output by ref.py, --requant onnx (ONNX Runtime's semantics)
  NAME.refhw.npy  its output by ref.py, --requant hw (the accelerator's multiplier/shift)
and prints one line per network: nodes, integer layers, MACs, and how many outputs the two
requantization modes give differently (and by how many quantization steps at most).

Weights, biases and inputs are seeded random; activation scales and zero points are
calibrated on the network's own input (ranges shrunk a little so some values saturate,
and some Relu / Clip layers calibrated before the activation so the clamp is active).
Needs only numpy and onnx (Debian: python3-numpy, python3-onnx). The same seed gives
the same bytes.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref  # noqa: E402

DEFAULT_SEED = 14
ELEM = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int8): TensorProto.INT8,
        np.dtype(np.uint8): TensorProto.UINT8, np.dtype(np.int32): TensorProto.INT32,
        np.dtype(np.int64): TensorProto.INT64}


def qparams(real, dtype, symmetric=False, shrink=0.95):
    """Scale and zero point mapping the range of real (with 0) onto dtype's range."""
    qmin, qmax = ref.qrange(dtype)
    lo = min(float(np.min(real)), 0.0) * shrink
    hi = max(float(np.max(real)), 0.0) * shrink
    if symmetric:
        m = max(-lo, hi) or 1.0
        scale = m / (qmax if dtype == np.int8 else (qmax - qmin) / 2)
        zp = 0 if dtype == np.int8 else 128
    else:
        if hi - lo <= 0:
            hi = lo + 1.0
        scale = (hi - lo) / (qmax - qmin)
        zp = int(np.clip(round(qmin - lo / scale), qmin, qmax))
    return np.float32(scale), np.array(zp, dtype)


def pow2_of(v):
    """The power of two nearest to v (float32)."""
    return np.float32(2.0) ** np.round(np.log2(np.asarray(v, np.float64))).astype(np.float32)


class Net:
    """A graph under construction, evaluated by ref.py as it grows (for calibration)."""
    # Weights are uniform in -wmax..wmax: 7-bit by default (ONNX Runtime's reduce_range),
    # since ONNX Runtime's u8 x s8 kernels on x86 without VNNI (AVX2 vpmaddubsw) saturate
    # pairs of products to int16 with full-range weights and then differ from the
    # definition; the QOperator int8 networks use the full range (exact there).
    wmax = 63

    def __init__(self, name, seed, index):
        self.name = name
        self.rng = np.random.default_rng([seed, index])
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.feeds = {}
        self.qp = {}           # quantized tensor -> (scale, zero point)
        self.count = {}
        self.ms_domain = False
        self.layers = 0
        self.macs = 0

    # ---- plumbing ---------------------------------------------------------------------
    def fresh(self, base):
        self.count[base] = self.count.get(base, 0) + 1
        return "%s%d" % (base, self.count[base])

    def const(self, name, value):
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, base=None, domain=None, **attrs):
        name = self.fresh(base or op.lower())
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, domain=domain, **attrs))
        return name

    def model(self):
        g = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        ops = [helper.make_opsetid("", 13)]
        if self.ms_domain:
            ops.append(helper.make_opsetid("com.microsoft", 1))
        m = helper.make_model(g, opset_imports=ops, producer_name="tessera make_models.py")
        m.ir_version = 7  # ONNX 1.8+ readers (opset 13)
        return m

    def value(self, name):
        return ref.run(self.model(), self.feeds, "onnx", [name])[0]

    # ---- inputs, outputs, quantization ----------------------------------------------------
    def input(self, name, shape, dtype=np.float32, qp=None):
        if dtype == np.float32:
            x = self.rng.standard_normal(shape).astype(np.float32)
        else:
            qmin, qmax = ref.qrange(dtype)
            x = self.rng.integers(qmin, qmax + 1, shape).astype(dtype)
            self.qp[name] = qp
        self.inputs.append(helper.make_tensor_value_info(name, ELEM[np.dtype(dtype)], list(shape)))
        self.feeds[name] = x
        return name

    def output(self, name):
        v = self.value(name)
        self.outputs.append(helper.make_tensor_value_info(name, ELEM[v.dtype], list(v.shape)))

    def quant(self, x, dtype=np.int8, qp=None, symmetric=False, pow2=False):
        if qp is None:
            qp = qparams(self.value(x), dtype, symmetric)
            if pow2:
                qp = (pow2_of(qp[0]), qp[1])
        base = self.fresh("q")
        s = self.const(base + ".scale", np.float32(qp[0]))
        z = self.const(base + ".zp", np.asarray(qp[1]))
        self.nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [base], name=base))
        self.qp[base] = qp
        return base

    def dq(self, q):
        s, z = self.qp[q]
        base = self.fresh("dq")
        self.nodes.append(helper.make_node("DequantizeLinear", [
            q, self.const(base + ".scale", np.float32(s)), self.const(base + ".zp", np.asarray(z))],
            [base], name=base))
        return base

    def passthrough(self, op, inputs, **attrs):
        """An operator on quantized values that keeps the scale and zero point."""
        y = self.node(op, inputs, **attrs)
        self.qp[y] = self.qp[inputs[0]]
        return y

    # ---- integer layers ---------------------------------------------------------------------
    def _weights_and_scales(self, x, w, acc0, axis, per_channel, target, bias):
        """Per-channel (or per-tensor) weight scales giving outputs of about target
        standard deviation, and an int32 bias of about half the accumulator's spread."""
        x_s = float(self.qp[x][0])
        red = tuple(i for i in range(acc0.ndim) if i != axis)
        if acc0.size // acc0.shape[axis] >= 8:
            spread = acc0.std(axis=red) + 1.0
        else:  # too few values per channel (an FC layer on one vector): all channels
            spread = np.full(acc0.shape[axis], acc0.std() + 1.0)
        w_s = target / (x_s * spread) * self.rng.uniform(0.6, 1.4, spread.shape)
        if not per_channel:
            w_s = np.full(1, w_s.mean())
        w_s = w_s.astype(np.float32)
        b = np.rint(self.rng.normal(0.0, 0.5, spread.shape) * spread).astype(np.int32) \
            if bias else None
        return w_s, b

    def _out_qparams(self, acc, axis, x, w_s, act, calib, y_dtype, yq):
        if yq is not None:
            return yq
        shape = [1] * acc.ndim
        shape[axis] = -1
        real = acc * float(self.qp[x][0]) * np.broadcast_to(w_s, (acc.shape[axis],)).reshape(shape)
        if calib == "post" and act == "relu":
            real = np.maximum(real, 0)
        elif calib == "post" and act == "relu6":
            real = np.clip(real, 0, 6)
        return qparams(real, y_dtype)

    def conv(self, x, k, ks, form, stride=1, pads=None, dil=1, group=1, act=None, bias=True,
             per_channel=True, target=1.0, calib="post", y_dtype=np.int8, yq=None, xdq=None,
             pow2=False, wmax=None):
        """QDQ: DQ(x), DQ(w), DQ(bias) -> Conv [-> Relu | Clip(0, 6)] -> Q (xdq: an
        existing DequantizeLinear of x to read); QOperator: QLinearConv (act only through
        the calibrated output range). pow2: x, w (per tensor) and y scales powers of two,
        so the rescale is exactly 2^-n and ties (.5) are frequent: ONNX rounds them to
        even, the hardware up."""
        xv = self.value(x)
        c = xv.shape[1]
        pads = list(pads if pads is not None else [ks // 2 * dil] * 4)
        geo = dict(strides=[stride, stride], pads=pads, dil=[dil, dil], group=group)
        wmax = wmax or self.wmax
        w = self.rng.integers(-wmax, wmax + 1, (k, c // group, ks, ks)).astype(np.int8)
        acc0 = ref.conv_acc(xv, self.qp[x][1], w, 0, None, **geo)
        w_s, b = self._weights_and_scales(x, w, acc0, 1, per_channel, target, bias)
        if pow2:
            assert not per_channel and pow2_of(self.qp[x][0]) == self.qp[x][0]
            w_s = pow2_of(w_s)
        acc = acc0 + (b.astype(np.int64).reshape(1, k, 1, 1) if b is not None else 0)
        ys, yz = self._out_qparams(acc, 1, x, w_s, act, calib, y_dtype, yq)
        if pow2:
            ys = pow2_of(ys)
        name = self.fresh("conv")
        at = dict(kernel_shape=[ks, ks], strides=[stride, stride], pads=pads,
                  dilations=[dil, dil], group=group)
        w_zp = np.zeros(w_s.shape, np.int8)
        self.layers += 1
        self.macs += int(np.prod(acc.shape)) * (c // group) * ks * ks
        if form == "qop":
            ins = [x, self.const(name + ".x_scale", np.float32(self.qp[x][0])),
                   self.const(name + ".x_zp", np.asarray(self.qp[x][1])),
                   self.const(name + ".w", w),
                   self.const(name + ".w_scale", w_s if per_channel else w_s.reshape(())),
                   self.const(name + ".w_zp", w_zp if per_channel else w_zp.reshape(())),
                   self.const(name + ".y_scale", np.float32(ys)), self.const(name + ".y_zp", yz)]
            if b is not None:
                ins.append(self.const(name + ".bias", b))
            self.nodes.append(helper.make_node("QLinearConv", ins, [name], name=name, **at))
            self.qp[name] = (ys, yz)
            return name
        ins = [xdq or self.dq(x), self._dq_const(name + ".w", w, w_s, w_zp, 0)]
        if b is not None:
            b_s = np.multiply(np.float32(self.qp[x][0]), w_s, dtype=np.float32)
            ins.append(self._dq_const(name + ".bias", b, b_s, np.zeros(b_s.shape, np.int32), 0))
        self.nodes.append(helper.make_node("Conv", ins, [name + ".f"], name=name, **at))
        return self._act_and_quant(name, name + ".f", act, ys, yz)

    def _dq_const(self, name, q, scale, zp, axis):
        if scale.size == 1:
            scale, zp = scale.reshape(()), zp.reshape(())
        self.const(name, q)
        self.nodes.append(helper.make_node("DequantizeLinear", [
            name, self.const(name + ".scale", scale), self.const(name + ".zp", zp)],
            [name + ".dq"], name=name + ".dq", axis=axis))
        return name + ".dq"

    def _act_and_quant(self, name, f, act, ys, yz):
        if act == "relu":
            self.nodes.append(helper.make_node("Relu", [f], [name + ".relu"], name=name + ".relu"))
            f = name + ".relu"
        elif act == "relu6":
            self.nodes.append(helper.make_node("Clip", [
                f, self.const(name + ".min", np.float32(0)), self.const(name + ".max", np.float32(6))],
                [name + ".clip"], name=name + ".clip"))
            f = name + ".clip"
        return self.quant(f, yz.dtype, (ys, yz))

    def matmul(self, x, k, form, op="MatMul", act=None, bias=None, per_channel=True, target=1.0,
               calib="post", y_dtype=np.int8, yq=None, wmax=None):
        """x [..., C] times int8 weights -> [..., K]. QDQ: DQ -> MatMul (weights [C][K],
        per column) or Gemm (transB = 1, weights [K][C], bias) [-> Relu] -> Q;
        QOperator: QLinearMatMul."""
        xv = self.value(x)
        c = xv.shape[-1]
        if bias is None:
            bias = op == "Gemm"
        wmax = wmax or self.wmax
        wt = self.rng.integers(-wmax, wmax + 1, (c, k)).astype(np.int8)  # [C][K]
        acc0 = ref.matmul_acc(xv, self.qp[x][1], wt, 0)
        axis = acc0.ndim - 1
        w_s, b = self._weights_and_scales(x, wt, acc0, axis, per_channel, target, bias)
        acc = acc0 + (b.astype(np.int64) if b is not None else 0)
        ys, yz = self._out_qparams(acc, axis, x, w_s, act, calib, y_dtype, yq)
        name = self.fresh(op.lower() if form == "qdq" else "qmatmul")
        w_zp = np.zeros(w_s.shape, np.int8)
        self.layers += 1
        self.macs += int(np.prod(acc.shape)) * c
        if form == "qop":
            if b is not None or act:
                raise ValueError("QLinearMatMul has no bias or activation")
            ws_c = w_s.reshape(()) if w_s.size == 1 else w_s
            ins = [x, self.const(name + ".a_scale", np.float32(self.qp[x][0])),
                   self.const(name + ".a_zp", np.asarray(self.qp[x][1])),
                   self.const(name + ".b", wt), self.const(name + ".b_scale", ws_c),
                   self.const(name + ".b_zp", w_zp.reshape(ws_c.shape)),
                   self.const(name + ".y_scale", np.float32(ys)), self.const(name + ".y_zp", yz)]
            self.nodes.append(helper.make_node("QLinearMatMul", ins, [name], name=name))
            self.qp[name] = (ys, yz)
            return name
        if op == "Gemm":
            ins = [self.dq(x), self._dq_const(name + ".w", np.ascontiguousarray(wt.T), w_s, w_zp, 0)]
            if b is not None:
                b_s = np.multiply(np.float32(self.qp[x][0]), w_s, dtype=np.float32)
                ins.append(self._dq_const(name + ".bias", b, b_s, np.zeros(b_s.shape, np.int32), 0))
            self.nodes.append(helper.make_node("Gemm", ins, [name + ".f"], name=name, transB=1))
        else:
            if b is not None:
                raise ValueError("MatMul has no bias")
            ins = [self.dq(x), self._dq_const(name + ".w", wt, w_s, w_zp, 1)]
            self.nodes.append(helper.make_node("MatMul", ins, [name + ".f"], name=name))
        return self._act_and_quant(name, name + ".f", act, ys, yz)

    def add(self, a, b, form, act=None, y_dtype=np.int8, dqa=None):
        """Residual add with requantization. QDQ: DQ(a), DQ(b) -> Add [-> Relu] -> Q;
        QOperator: com.microsoft QLinearAdd (Relu only through the output range)."""
        va = ref.dequantize(self.value(a), *self.qp[a])
        vb = ref.dequantize(self.value(b), *self.qp[b])
        real = np.add(va, vb, dtype=np.float32)
        if act == "relu":
            real = np.maximum(real, 0)
        yq = qparams(real, y_dtype)
        if form == "qop":
            self.ms_domain = True
            name = self.fresh("qadd")
            ins = [a, self.const(name + ".a_scale", np.float32(self.qp[a][0])),
                   self.const(name + ".a_zp", np.asarray(self.qp[a][1])),
                   b, self.const(name + ".b_scale", np.float32(self.qp[b][0])),
                   self.const(name + ".b_zp", np.asarray(self.qp[b][1])),
                   self.const(name + ".c_scale", yq[0]), self.const(name + ".c_zp", yq[1])]
            self.nodes.append(helper.make_node("QLinearAdd", ins, [name], name=name,
                                               domain="com.microsoft"))
            self.qp[name] = yq
            return name
        f = self.node("Add", [dqa or self.dq(a), self.dq(b)])
        if act == "relu":
            f = self.node("Relu", [f])
        return self.quant(f, y_dtype, yq)

    def float_op(self, op, q, y_dtype=np.int8, same_qp=False, **attrs):
        """A float operator between DequantizeLinear and QuantizeLinear (same_qp: the
        output quantized like the input, as quantizers do for MaxPool)."""
        f = self.node(op, [self.dq(q)], **attrs)
        return self.quant(f, y_dtype, self.qp[q] if same_qp else None)


# ---- the networks ---------------------------------------------------------------------------

def qop_conv(n):
    """(a) QOperator: QuantizeLinear -> QLinearConv (per-channel int8 weights, int32 bias)
    -> QLinearConv (stride 2, output range from 0: a ReLU) -> DequantizeLinear; weights
    in the full int8 range -127..127."""
    x = n.input("input", [1, 3, 16, 16])
    q = n.quant(x, np.int8)
    a = n.conv(q, 16, 3, "qop", wmax=127)
    b = n.conv(a, 24, 3, "qop", stride=2, act="relu", wmax=127)
    n.output(n.node("DequantizeLinear", [b, n.const("out.scale", np.float32(n.qp[b][0])),
                                          n.const("out.zp", n.qp[b][1])], base="output"))


def qdq_conv(n):
    """(b) QDQ chains DQ -> Conv -> Relu -> Q: a 3x3, a dilated 3x3 without bias (Relu
    calibrated before the activation: the clamp is active), a 1x1 without activation."""
    x = n.input("input", [1, 4, 12, 12])
    q = n.quant(x, np.int8)
    a = n.conv(q, 16, 3, "qdq", act="relu")
    b = n.conv(a, 16, 3, "qdq", dil=2, act="relu", bias=False, calib="pre")
    c = n.conv(b, 8, 1, "qdq")
    n.output(n.node("DequantizeLinear", [c, n.const("out.scale", np.float32(n.qp[c][0])),
                                          n.const("out.zp", n.qp[c][1])], base="output"))


def qdq_residual(n):
    """(c) residual block, QDQ: conv-relu, conv, DQ(x) + DQ(conv) -> Add -> Relu -> Q;
    one DequantizeLinear of the input feeds both the first conv and the Add; int8 output."""
    x = n.input("input", [1, 8, 10, 10])
    q = n.quant(x, np.int8)
    shared = n.dq(q)
    a = n.conv(q, 8, 3, "qdq", act="relu", xdq=shared)
    b = n.conv(a, 8, 3, "qdq")
    s = n.add(q, b, "qdq", act="relu", dqa=shared)
    n.output(s)


def qop_residual(n):
    """(c) residual block, QOperator: QLinearConv (ReLU by range), QLinearConv,
    com.microsoft QLinearAdd (ReLU by range), DequantizeLinear; full-range weights."""
    x = n.input("input", [1, 8, 10, 10])
    q = n.quant(x, np.int8)
    a = n.conv(q, 8, 3, "qop", act="relu", wmax=127)
    b = n.conv(a, 8, 3, "qop", wmax=127)
    s = n.add(q, b, "qop", act="relu")
    n.output(n.node("DequantizeLinear", [s, n.const("out.scale", np.float32(n.qp[s][0])),
                                          n.const("out.zp", n.qp[s][1])], base="output"))


def qdq_dwpw(n):
    """(d) MobileNet-style: depthwise 3x3 (group = C) and pointwise 1x1 convs with
    Clip(0, 6) (ReLU6; outputs large enough that 6 clamps), a stride-2 depthwise, and
    a linear 1x1 bottleneck."""
    x = n.input("input", [1, 16, 12, 12])
    q = n.quant(x, np.int8)
    a = n.conv(q, 16, 3, "qdq", group=16, act="relu6", target=4.0, calib="pre")
    b = n.conv(a, 32, 1, "qdq", act="relu6", target=4.0, calib="pre")
    c = n.conv(b, 32, 3, "qdq", group=32, stride=2, act="relu6", target=4.0)
    d = n.conv(c, 16, 1, "qdq")
    n.output(n.node("DequantizeLinear", [d, n.const("out.scale", np.float32(n.qp[d][0])),
                                          n.const("out.zp", n.qp[d][1])], base="output"))


def qdq_fc(n):
    """(e) FC head: conv-relu, DQ -> GlobalAveragePool -> Q, Flatten (int8),
    DQ -> Gemm (transB = 1, bias) -> Relu -> Q, DQ -> MatMul -> Q, DQ -> Softmax."""
    x = n.input("input", [1, 16, 6, 6])
    q = n.quant(x, np.int8)
    a = n.conv(q, 32, 3, "qdq", act="relu")
    g = n.float_op("GlobalAveragePool", a)
    f = n.passthrough("Flatten", [g], axis=1)
    h = n.matmul(f, 24, "qdq", op="Gemm", act="relu")
    o = n.matmul(h, 10, "qdq", op="MatMul", target=2.0)
    n.output(n.node("Softmax", [n.dq(o)], axis=-1, base="output"))


def qop_u8(n):
    """(f) uint8 activations with nonzero zero points, per-tensor int8 weights, QOperator:
    a uint8 graph input -> QLinearConv -> QLinearConv (stride 2) -> Flatten ->
    QLinearMatMul -> uint8 graph output. The convs have power-of-two scales (exact
    rescale 2^-n: frequent ties, where the two requantization modes differ)."""
    x = n.input("input", [1, 3, 12, 12], np.uint8, (np.float32(2.0 ** -6), np.array(131, np.uint8)))
    a = n.conv(x, 16, 3, "qop", per_channel=False, y_dtype=np.uint8, pow2=True)
    b = n.conv(a, 16, 3, "qop", stride=2, per_channel=False, y_dtype=np.uint8, pow2=True)
    f = n.passthrough("Flatten", [b], axis=1)
    o = n.matmul(f, 10, "qop", per_channel=False, y_dtype=np.uint8, target=2.0)
    n.output(o)


def qdq_u8(n):
    """(f) uint8 activations with nonzero zero points, per-tensor int8 weights, QDQ:
    conv (uint8 output, zp inside the range), conv -> Relu calibrated before the Relu
    (zero point > 0: the clamp at zp is active), 1x1 conv, DequantizeLinear. All scales
    are powers of two and the last conv has small weights (|w| <= 7): its rescale is
    2^-n with small n, so ties are frequent and the two requantization modes differ."""
    x = n.input("input", [1, 4, 10, 10])
    q = n.quant(x, np.uint8, pow2=True)
    a = n.conv(q, 12, 3, "qdq", per_channel=False, y_dtype=np.uint8, pow2=True)
    b = n.conv(a, 12, 3, "qdq", per_channel=False, act="relu", calib="pre", y_dtype=np.uint8,
               pow2=True)
    c = n.conv(b, 6, 1, "qdq", per_channel=False, y_dtype=np.uint8, pow2=True, wmax=7)
    n.output(n.node("DequantizeLinear", [c, n.const("out.scale", np.float32(n.qp[c][0])),
                                          n.const("out.zp", n.qp[c][1])], base="output"))


def qdq_pool(n):
    """(g) pooling in the middle: MaxPool 2x2/2 on the int8 input, conv-relu,
    DQ -> AveragePool 3x3/1 pad 1 (count_include_pad = 0) -> Q, conv with pads
    (0, 0, 2, 2), DQ -> MaxPool 3x3/2 pad 1 -> Q (same quantization),
    DQ -> AveragePool 2x2/1 pads (0, 0, 1, 1) count_include_pad = 1 -> Q."""
    x = n.input("input", [1, 8, 16, 16])
    q = n.quant(x, np.int8)
    m = n.passthrough("MaxPool", [q], kernel_shape=[2, 2], strides=[2, 2])
    a = n.conv(m, 16, 3, "qdq", act="relu")
    v = n.float_op("AveragePool", a, kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1])
    c = n.conv(v, 16, 3, "qdq", pads=[0, 0, 2, 2])
    m2 = n.float_op("MaxPool", c, same_qp=True, kernel_shape=[3, 3], strides=[2, 2],
                    pads=[1, 1, 1, 1])
    v2 = n.float_op("AveragePool", m2, kernel_shape=[2, 2], strides=[1, 1], pads=[0, 0, 1, 1],
                    count_include_pad=1)
    n.output(n.node("DequantizeLinear", [v2, n.const("out.scale", np.float32(n.qp[v2][0])),
                                          n.const("out.zp", n.qp[v2][1])], base="output"))


def qdq_encoder(n):
    """(h) an encoder piece on [1, 8 tokens, 16]: two MatMuls with weights (one with Relu)
    sharing output quantization, int8 Concat, Reshape to 4 heads, Transpose, a batched
    MatMul with weights, Transpose and Reshape back, an output MatMul, and a residual
    DQ + DQ -> Add -> Q."""
    x = n.input("input", [1, 8, 16])
    q = n.quant(x, np.int8)
    a = n.matmul(q, 16, "qdq")
    b = n.matmul(q, 16, "qdq", act="relu", yq=n.qp[a])
    c = n.passthrough("Concat", [a, b], axis=2)
    r = n.passthrough("Reshape", [c, n.const("heads.shape", np.array([1, 8, 4, 8], np.int64))])
    t = n.passthrough("Transpose", [r], perm=[0, 2, 1, 3])
    m = n.matmul(t, 8, "qdq", act="relu")
    t2 = n.passthrough("Transpose", [m], perm=[0, 2, 1, 3])
    r2 = n.passthrough("Reshape", [t2, n.const("merge.shape", np.array([1, 8, 32], np.int64))])
    o = n.matmul(r2, 16, "qdq")
    s = n.add(q, o, "qdq")
    n.output(n.node("DequantizeLinear", [s, n.const("out.scale", np.float32(n.qp[s][0])),
                                          n.const("out.zp", n.qp[s][1])], base="output"))


NETWORKS = [qop_conv, qdq_conv, qdq_residual, qop_residual, qdq_dwpw, qdq_fc, qop_u8, qdq_u8,
            qdq_pool, qdq_encoder]


def mode_diff(model, feeds):
    """Outputs that differ between --requant onnx and hw: count, total, max steps."""
    t = ref.last_quantized(model)
    y0 = ref.run(model, feeds, "onnx", [t])[0].astype(np.int64)
    y1 = ref.run(model, feeds, "hw", [t])[0].astype(np.int64)
    d = np.abs(y0 - y1)
    return int((d != 0).sum()), d.size, int(d.max(initial=0))


def write_atomic(path, data):
    """Bytes, or an array as .npy, written to path through a temporary file."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        if isinstance(data, bytes):
            f.write(data)
        else:
            np.save(f, data)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="write tessera's small quantized ONNX test networks")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--only", help="comma-separated network names")
    a = ap.parse_args(argv)
    names = [f.__name__ for f in NETWORKS]
    only = a.only.split(",") if a.only else names
    bad = [o for o in only if o not in names]
    if bad:
        print("make_models.py: unknown network %s (%s)" % (", ".join(bad), ", ".join(names)),
              file=sys.stderr)
        return 2
    os.makedirs(a.outdir, exist_ok=True)
    print("make_models.py: seed %d -> %s" % (a.seed, a.outdir))
    print("%-14s %5s %6s %8s  %s" % ("network", "nodes", "layers", "MACs", "onnx vs hw requant"))
    for i, f in enumerate(NETWORKS):
        if f.__name__ not in only:
            continue
        n = Net(f.__name__, a.seed, i)
        f(n)
        m = n.model()
        onnx.checker.check_model(m)
        base = os.path.join(a.outdir, n.name)
        feeds = n.feeds
        y = ref.run(m, feeds, "onnx")[0]
        yhw = ref.run(m, feeds, "hw")[0]
        write_atomic(base + ".onnx", m.SerializeToString())
        for suffix, v in ((".in.npy", feeds[n.inputs[0].name]), (".ref.npy", y), (".refhw.npy", yhw)):
            write_atomic(base + suffix, v)
        nd, tot, steps = mode_diff(m, feeds)
        print("%-14s %5d %6d %8d  %d of %d outputs differ, by at most %d step%s"
              % (n.name, len(m.graph.node), n.layers, n.macs, nd, tot, steps, "" if steps == 1 else "s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
