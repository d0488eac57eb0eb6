#!/usr/bin/python3
"""ref.py -- an independent numpy reference for tessera's quantized ONNX test networks.

Usage: ref.py MODEL.onnx IN.npy OUT.npy [--requant onnx|hw] [--output NAME] [--trace]

Written from the ONNX operator definitions (onnx.ai, opset 13; com.microsoft QLinearAdd
from ONNX Runtime's contrib operator docs), for exactly the operators the networks of
make_models.py and the zoo models use; anything else is an error naming the node.
Needs only numpy and onnx (Debian: python3-numpy, python3-onnx).

Integer layers -- QLinearConv, QLinearMatMul, and the QDQ patterns
DequantizeLinear(x), DequantizeLinear(w) [, DequantizeLinear(bias)] -> Conv / Gemm /
MatMul [-> Relu | Clip] -> QuantizeLinear, which are folded into one layer the way
deployment tools (and ONNX Runtime's optimizer) do -- are computed as ONNX Runtime does:
    acc  = sum((x - x_zp) * (w - w_zp[k])) + bias[k]         exact integer (int32 range)
  --requant onnx (default):
    s[k] = float32(float32(x_scale * w_scale[k]) / y_scale)   all float32
    y    = saturate(rint(float32(acc) * s[k]) + y_zp)          rint: half to even
  --requant hw (the accelerator's fixed-point requantization, ts_requant_acc):
    real = double(x_scale) * double(w_scale[k]) / double(y_scale)
    f, e = frexp(real), f in [0.5, 1); mult = floor(f * 2^31 + 0.5), shift = 31 - e
    (mult == 2^31: mult = 2^30, shift - 1; shift > 62: mult = floor(real * 2^62 + 0.5),
    shift = 62)
    y    = saturate(((acc * mult + 2^(shift - 1)) >> shift) + y_zp)
A fused Relu / Clip is a clamp of the quantized value to [Q(min), Q(max)] with
Q(v) = saturate(rint(float32(v) / y_scale) + y_zp) (Relu: min = 0); since Q is monotone
this equals quantizing the clipped real value. Every other node is evaluated literally
by its definition (DequantizeLinear -> float op -> QuantizeLinear in float32); the
requantization mode only changes the integer layers. See README.md beside this file for
the float details (reductions in double, Softmax in double).
"""
import argparse
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

# com.microsoft operators (ONNX Runtime's contrib operators) that ONNX Runtime's quantizer
# writes in QOperator form
MS_OPS = ("QLinearAdd", "QGemm", "QLinearGlobalAveragePool")
QRANGE = {np.dtype(np.int8): (-128, 127), np.dtype(np.uint8): (0, 255)}


class RefError(Exception):
    pass


def qrange(dtype):
    dt = np.dtype(dtype)
    if dt not in QRANGE:
        raise RefError("quantized type %s not supported (int8, uint8)" % dt)
    return QRANGE[dt]


def attrs_of(node):
    out = {}
    for a in node.attribute:
        v = onnx.helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        out[a.name] = v
    return out


# ---- linear quantization (QuantizeLinear / DequantizeLinear, opset 13) ---------------

def _per_axis(param, ndim, axis):
    """A scale / zero point: scalar (per tensor) or 1-D along axis (per channel)."""
    param = np.asarray(param)
    if param.size == 1:
        return param.reshape(())
    if param.ndim != 1:
        raise RefError("per-axis scale / zero point must be 1-D, got shape %s" % (param.shape,))
    shape = [1] * ndim
    shape[axis % ndim] = param.size
    return param.reshape(shape)


def quantize(x, scale, zp, axis=1, dtype=None):
    """y = saturate(rint(x / scale) + zp): float32 division, round half to even."""
    if dtype is None:
        dtype = np.uint8 if zp is None else np.asarray(zp).dtype
    if zp is None:
        zp = np.zeros(1, dtype)
    x = np.asarray(x, np.float32)
    s = _per_axis(np.asarray(scale, np.float32), x.ndim, axis)
    z = _per_axis(np.asarray(zp).astype(np.int64), x.ndim, axis)
    q = np.rint(np.divide(x, s, dtype=np.float32)).astype(np.float64) + z
    lo, hi = qrange(dtype)
    return np.clip(q, lo, hi).astype(dtype)


def quantize_scalar(v, scale, zp, dtype):
    return int(quantize(np.float32(v), scale, zp, 0, dtype))


def dequantize(q, scale, zp, axis=1):
    """y = (q - zp) * scale in float32."""
    q = np.asarray(q)
    if zp is None:
        zp = np.zeros(1, q.dtype)
    s = _per_axis(np.asarray(scale, np.float32), q.ndim, axis)
    z = _per_axis(np.asarray(zp).astype(np.int64), q.ndim, axis)
    d = (q.astype(np.int64) - z).astype(np.float32)
    return np.multiply(d, s, dtype=np.float32)


# ---- integer layers -------------------------------------------------------------------

def requant_from_scale(real):
    """Hardware multiplier and shift for a real scale (as ts_requant_from_scale)."""
    if not (math.isfinite(real) and real > 0):
        raise RefError("requant: scale %g must be finite and > 0" % real)
    f, e = math.frexp(real)
    mult = math.floor(f * 2147483648.0 + 0.5)
    shift = 31 - e
    if mult == 1 << 31:
        mult >>= 1
        shift -= 1
    if shift < 1:
        raise RefError("requant: scale %g too large (must be < 2^30)" % real)
    if shift > 62:
        mult = math.floor(math.ldexp(real, 62) + 0.5)
        shift = 62
        if mult < 1:
            raise RefError("requant: scale %g too small" % real)
    return mult, shift


def _hw_params(x_scale, w_scale, y_scale):
    pairs = [requant_from_scale(float(np.float32(x_scale)) * float(ws) / float(np.float32(y_scale)))
         for ws in np.asarray(w_scale, np.float32).reshape(-1)]
    return (np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64))


def requantize(acc, axis, x_scale, w_scale, y_scale, y_zp, y_dtype, lo=None, hi=None,
           mode="onnx"):
    """acc (int64, output channel along axis) -> y in y_dtype, clamped to [lo, hi]."""
    qmin, qmax = qrange(y_dtype)
    lo = qmin if lo is None else max(lo, qmin)
    hi = qmax if hi is None else min(hi, qmax)
    k = acc.shape[axis]
    w_scale = np.asarray(w_scale, np.float32).reshape(-1)
    if w_scale.size == 1:
        w_scale = np.repeat(w_scale, k)
    if w_scale.size != k:
        raise RefError("weight scale has %d values for %d output channels" % (w_scale.size, k))
    if np.abs(acc).max(initial=0) >= 1 << 31:
        raise RefError("accumulator %d outside int32" % np.abs(acc).max())
    shape = [1] * acc.ndim
    shape[axis] = k
    zp = int(np.asarray(y_zp).reshape(-1)[0])
    if mode == "onnx":
        s = np.multiply(np.float32(x_scale), w_scale, dtype=np.float32)
        s = np.divide(s, np.float32(y_scale), dtype=np.float32).reshape(shape)
        v = np.multiply(acc.astype(np.float32), s, dtype=np.float32)
        y = np.rint(v).astype(np.float64) + zp
    elif mode == "hw":
        mult, shift = _hw_params(x_scale, w_scale, y_scale)
        mult = mult.reshape(shape)
        shift = shift.reshape(shape)
        y = ((acc * mult + (np.int64(1) << (shift - 1))) >> shift) + zp
    else:
        raise RefError("requant mode '%s' (onnx, hw)" % mode)
    return np.clip(np.clip(y, qmin, qmax), lo, hi).astype(y_dtype)


def conv_acc(xq, x_zp, w, w_zp, bias, strides=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1), group=1):
    """int64 [N][K][P][Q] = sum (x - x_zp) * (w - w_zp[k]) + bias[k]; pads as ONNX
    (top, left, bottom, right); padding is x_zp (a real zero)."""
    n, c, h, wd = xq.shape
    k, cg, r, s = w.shape
    if c != cg * group or k % group:
        raise RefError("conv: %d input channels, weights [%d][%d], group %d" % (c, k, cg, group))
    x = xq.astype(np.int64) - int(np.asarray(x_zp).reshape(-1)[0])
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    wz = np.asarray(w_zp if w_zp is not None else 0).astype(np.int64).reshape(-1)
    wv = w.astype(np.int64) - (wz.reshape(-1, 1, 1, 1) if wz.size > 1 else wz[0])
    hp, wp = x.shape[2], x.shape[3]
    p = (hp - dil[0] * (r - 1) - 1) // strides[0] + 1
    q = (wp - dil[1] * (s - 1) - 1) // strides[1] + 1
    if p < 1 or q < 1:
        raise RefError("conv: empty output %dx%d" % (p, q))
    # im2col: [N][group][cg * r * s][P * Q]; products and sums are exact in float64
    cols = np.empty((n, c, r, s, p, q), np.float64)
    for i in range(r):
        for j in range(s):
            hs, ws = i * dil[0], j * dil[1]
            cols[:, :, i, j] = x[:, :, hs:hs + strides[0] * (p - 1) + 1:strides[0],
                         ws:ws + strides[1] * (q - 1) + 1:strides[1]]
    cols = cols.reshape(n, group, cg * r * s, p * q)
    wm = wv.reshape(group, k // group, cg * r * s).astype(np.float64)
    acc = np.matmul(wm[None], cols)  # [N][group][K/group][P*Q]
    acc = np.rint(acc).astype(np.int64).reshape(n, k, p, q)
    if bias is not None:
        acc += np.asarray(bias).astype(np.int64).reshape(1, k, 1, 1)
    return acc


def matmul_acc(aq, a_zp, b, b_zp, bias=None):
    """int64 [..., M, K] = (a - a_zp) @ (b - b_zp[k]) (+ bias[k]); b is [C][K]."""
    a = aq.astype(np.int64) - int(np.asarray(a_zp).reshape(-1)[0])
    bz = np.asarray(b_zp if b_zp is not None else 0).astype(np.int64).reshape(-1)
    bv = b.astype(np.int64) - (bz.reshape(1, -1) if bz.size > 1 else bz[0])
    acc = np.rint(np.matmul(a.astype(np.float64), bv.astype(np.float64))).astype(np.int64)
    if bias is not None:
        acc += np.asarray(bias).astype(np.int64)
    return acc


def _conv_geometry(at, w_shape):
    if at.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise RefError("auto_pad %s not supported (NOTSET with explicit pads)" % at["auto_pad"])
    ks = list(at.get("kernel_shape", w_shape[2:]))
    if len(w_shape) != 4 or ks != list(w_shape[2:]):
        raise RefError("conv: 2-D kernels only (weights %s, kernel_shape %s)" % (w_shape, ks))
    pads = list(at.get("pads", [0, 0, 0, 0]))
    return dict(strides=list(at.get("strides", [1, 1])), pads=pads,
            dil=list(at.get("dilations", [1, 1])), group=int(at.get("group", 1)))


# ---- float operators --------------------------------------------------------------

def _pool_windows(x, at, pad_value):
    if at.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise RefError("auto_pad %s not supported" % at["auto_pad"])
    if at.get("ceil_mode", 0):
        raise RefError("ceil_mode = 1 not supported")
    if any(d != 1 for d in at.get("dilations", [1, 1])):
        raise RefError("pool dilations not supported")
    if at.get("storage_order", 0):
        raise RefError("storage_order = 1 not supported")
    r, s = at["kernel_shape"]
    st = at.get("strides", [1, 1])
    pads = at.get("pads", [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
            constant_values=pad_value)
    p = (xp.shape[2] - r) // st[0] + 1
    q = (xp.shape[3] - s) // st[1] + 1
    win = np.empty(x.shape[:2] + (p, q, r * s), xp.dtype)
    for i in range(r):
        for j in range(s):
            win[..., i * s + j] = xp[:, :, i:i + st[0] * (p - 1) + 1:st[0],
                         j:j + st[1] * (q - 1) + 1:st[1]]
    return win, pads


def max_pool(x, at):
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    win, _ = _pool_windows(x, at, low)
    return win.max(axis=-1).astype(x.dtype)


def average_pool(x, at):
    """Mean over the window: sum in double (exact for dequantized inputs), divided in
    double by the window size (count_include_pad = 1) or by its in-image count, to float32."""
    x = np.asarray(x, np.float32)
    win, pads = _pool_windows(x.astype(np.float64), at, 0.0)
    total = win.sum(axis=-1)
    if at.get("count_include_pad", 0):
        count = np.float64(win.shape[-1])
    else:
        ones, _ = _pool_windows(np.ones((1, 1) + x.shape[2:]), at, 0.0)
        count = ones.sum(axis=-1)
    return (total / count).astype(np.float32)


def global_average_pool(x):
    x = np.asarray(x, np.float32)
    m = x.astype(np.float64).sum(axis=tuple(range(2, x.ndim)), keepdims=True)
    return (m / np.float64(np.prod(x.shape[2:]))).astype(np.float32)


def softmax(x, axis=-1):
    """In double: exp(x - max) / sum, rounded to float32."""
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(np.float32)


def reshape(x, shape, allowzero=0):
    shape = [int(v) for v in shape]
    if not allowzero:
        shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return x.reshape(shape)


# ---- the graph ------------------------------------------------------------------------

class Graph:
    """An ONNX model ready to run: constants, producers and consumers, folded layers."""

    def __init__(self, model):
        self.model = model
        g = model.graph
        self.consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        for n in g.node:
            if n.op_type == "Constant":
                at = attrs_of(n)
                if "value" not in at:
                    raise RefError("node '%s': Constant without 'value'" % n.name)
                self.consts[n.output[0]] = numpy_helper.to_array(at["value"])
        self.inputs = [i for i in g.input if i.name not in self.consts]
        self.outputs = [o.name for o in g.output]
        self.producer = {}
        self.consumers = {}
        for n in g.node:
            for o in n.output:
                self.producer[o] = n
            for i in n.input:
                if i:
                    self.consumers.setdefault(i, []).append(n)
        self.folded = {}   # id(Conv / Gemm / MatMul node) -> layer description
        self.skip = set()  # ids of nodes computed by a folded layer
        for n in g.node:
            if n.op_type in ("Conv", "Gemm", "MatMul"):
                self._fold(n)

    def const(self, name, what):
        if name not in self.consts:
            raise RefError("%s '%s' must be an initializer" % (what, name))
        return self.consts[name]

    def _dq_of(self, name):
        p = self.producer.get(name)
        return p if p is not None and p.op_type == "DequantizeLinear" else None

    def _fold(self, n):
        where = "node '%s' (%s)" % (n.name, n.op_type)
        dqx, dqw = self._dq_of(n.input[0]), self._dq_of(n.input[1])
        if dqx is None or dqw is None or dqx.input[0] in self.consts or \
           dqw.input[0] not in self.consts:
            raise RefError("%s: a float %s is only supported between DequantizeLinear "
                       "(activation, weights) and QuantizeLinear" % (where, n.op_type))
        at = attrs_of(n)
        w = self.consts[dqw.input[0]]
        w_scale = self.const(dqw.input[1], "weight scale")
        w_zp = self.consts[dqw.input[2]] if len(dqw.input) > 2 and dqw.input[2] else None
        w_axis = attrs_of(dqw).get("axis", 1) % max(w.ndim, 1)
        x_scale = self.const(dqx.input[1], "activation scale")
        x_zp = self.const(dqx.input[2], "activation zero point") \
            if len(dqx.input) > 2 and dqx.input[2] else np.uint8(0)
        layer = dict(x=dqx.input[0], x_scale=x_scale, x_zp=x_zp, w_zp=w_zp, w_scale=w_scale)
        if n.op_type == "Conv":
            k_axis = 0
            layer.update(kind="conv", w=w, geo=_conv_geometry(at, w.shape))
        elif n.op_type == "Gemm":
            if at.get("transA", 0) or at.get("alpha", 1.0) != 1.0 or at.get("beta", 1.0) != 1.0:
                raise RefError("%s: only transA = 0, alpha = beta = 1" % where)
            tb = at.get("transB", 0)
            k_axis = 0 if tb else 1
            layer.update(kind="matmul", w=w.T if tb else w)
        else:
            if w.ndim != 2:
                raise RefError("%s: weights must be 2-D" % where)
            k_axis = 1
            layer.update(kind="matmul", w=w)
        if np.asarray(w_scale).size > 1 and w_axis != k_axis:
            raise RefError("%s: weights quantized along axis %d, not the output channels (%d)"
                       % (where, w_axis, k_axis))
        bias = None
        if n.op_type in ("Conv", "Gemm") and len(n.input) > 2 and n.input[2]:
            dqb = self._dq_of(n.input[2])
            if dqb is None or dqb.input[0] not in self.consts:
                raise RefError("%s: bias must be DequantizeLinear of an int32 initializer" % where)
            bias = self.consts[dqb.input[0]]
            if bias.dtype != np.int32:
                raise RefError("%s: bias is %s; must be int32" % (where, bias.dtype))
            b_scale = np.asarray(self.const(dqb.input[1], "bias scale"), np.float32).reshape(-1)
            want = np.multiply(np.float32(x_scale), np.asarray(w_scale, np.float32).reshape(-1),
                       dtype=np.float32)
            if not np.allclose(b_scale, want, rtol=1e-5, atol=0):
                raise RefError("%s: bias scale is not x_scale * w_scale" % where)
        layer["bias"] = bias
        # the output chain: [Relu | Clip] -> QuantizeLinear, nothing else reading it
        out, chain = n.output[0], []
        cons = self.consumers.get(out, [])
        if len(cons) == 1 and cons[0].op_type in ("Relu", "Clip") and out not in self.outputs:
            chain.append(cons[0])
            out = cons[0].output[0]
            cons = self.consumers.get(out, [])
        if len(cons) != 1 or cons[0].op_type != "QuantizeLinear" or out in self.outputs:
            raise RefError("%s: output must go to one QuantizeLinear (optionally through "
                       "Relu / Clip) to be folded into an integer layer" % where)
        q = cons[0]
        layer["y_scale"] = self.const(q.input[1], "output scale")
        layer["y_zp"] = self.const(q.input[2], "output zero point") \
            if len(q.input) > 2 and q.input[2] else np.uint8(0)
        if np.asarray(layer["y_scale"]).size != 1:
            raise RefError("%s: per-channel output scale not supported" % where)
        layer["y"] = q.output[0]
        y_dtype = np.asarray(layer["y_zp"]).dtype
        lo = hi = None
        for act in chain:
            if act.op_type == "Relu":
                lo = quantize_scalar(0.0, layer["y_scale"], layer["y_zp"], y_dtype)
            else:
                cat = attrs_of(act)
                if "min" in cat or "max" in cat:
                    raise RefError("node '%s': Clip with attributes (opset < 11)" % act.name)
                if len(act.input) > 1 and act.input[1]:
                    lo = quantize_scalar(self.const(act.input[1], "Clip min"),
                                 layer["y_scale"], layer["y_zp"], y_dtype)
                if len(act.input) > 2 and act.input[2]:
                    hi = quantize_scalar(self.const(act.input[2], "Clip max"),
                                 layer["y_scale"], layer["y_zp"], y_dtype)
        layer.update(lo=lo, hi=hi, fused="+".join([n.op_type] + [a.op_type for a in chain]))
        self.folded[id(n)] = layer
        self.skip.update(id(a) for a in chain)
        self.skip.add(id(q))


def run_layer(layer, xq, mode):
    if layer["kind"] == "conv":
        acc = conv_acc(xq, layer["x_zp"], layer["w"], layer["w_zp"], layer["bias"], **layer["geo"])
        axis = 1
    else:
        acc = matmul_acc(xq, layer["x_zp"], layer["w"], layer["w_zp"], layer["bias"])
        axis = acc.ndim - 1
    y_dtype = np.asarray(layer["y_zp"]).dtype
    return requantize(acc, axis, layer["x_scale"], layer["w_scale"], layer["y_scale"],
              layer["y_zp"], y_dtype, layer["lo"], layer["hi"], mode)


def _opt(vals, i):
    return vals[i] if i < len(vals) else None


def run_node(g, n, vals, mode):
    """vals: the node's inputs (None for absent optional ones); returns its outputs."""
    op, at = n.op_type, attrs_of(n)
    where = "node '%s' (%s)" % (n.name, op)
    if n.domain not in ("", "ai.onnx") and not (n.domain == "com.microsoft" and op in MS_OPS):
        raise RefError("%s: domain '%s' not supported" % (where, n.domain))
    if op == "QuantizeLinear":
        zp = _opt(vals, 2)
        return [quantize(vals[0], vals[1], zp, at.get("axis", 1))]
    if op == "DequantizeLinear":
        return [dequantize(vals[0], vals[1], _opt(vals, 2), at.get("axis", 1))]
    if op == "QLinearConv":
        x, xs, xz, w, ws, wz, ys, yz = vals[:8]
        acc = conv_acc(x, xz, w, wz, _opt(vals, 8), **_conv_geometry(at, w.shape))
        return [requantize(acc, 1, xs, ws, ys, yz, np.asarray(yz).dtype, mode=mode)]
    if op == "QLinearMatMul":
        a, as_, az, b, bs, bz, ys, yz = vals
        if np.asarray(as_).size != 1 or b.ndim != 2:
            raise RefError("%s: per-row a_scale / non-2-D b not supported" % where)
        acc = matmul_acc(a, az, b, bz)
        return [requantize(acc, acc.ndim - 1, as_, bs, ys, yz, np.asarray(yz).dtype, mode=mode)]
    if op == "QGemm":
        a, as_, az, b, bs, bz = vals[:6]
        c, ys, yz = _opt(vals, 6), _opt(vals, 7), _opt(vals, 8)
        if at.get("transA", 0) or at.get("alpha", 1.0) != 1.0 or np.asarray(as_).size != 1:
            raise RefError("%s: only transA = 0, alpha = 1, per-tensor a_scale" % where)
        if ys is None:
            raise RefError("%s: float output (no y_scale) not supported" % where)
        if at.get("transB", 0):
            b = b.T
        acc = matmul_acc(a, az, b, bz, c)
        return [requantize(acc, acc.ndim - 1, as_, bs, ys, yz, np.asarray(yz).dtype, mode=mode)]
    if op == "QLinearGlobalAveragePool":
        x, xs, xz, ys, yz = vals
        if at.get("channels_last", 0):
            raise RefError("%s: channels_last = 1 not supported" % where)
        return [quantize(global_average_pool(dequantize(x, xs, xz)), ys, yz, 1, np.asarray(yz).dtype)]
    if op == "QLinearAdd":
        a, as_, az, b, bs, bz, cs, cz = vals
        s = np.add(dequantize(a, as_, az), dequantize(b, bs, bz), dtype=np.float32)
        return [quantize(s, cs, cz, 1, np.asarray(cz).dtype)]
    if op == "Add":
        return [np.add(np.asarray(vals[0], np.float32), np.asarray(vals[1], np.float32),
                   dtype=np.float32)]
    if op == "Relu":
        return [np.maximum(vals[0], np.zeros((), vals[0].dtype))]
    if op == "Clip":
        y = vals[0]
        if _opt(vals, 1) is not None:
            y = np.maximum(y, vals[1].astype(y.dtype))
        if _opt(vals, 2) is not None:
            y = np.minimum(y, vals[2].astype(y.dtype))
        return [y]
    if op == "MaxPool":
        if len(n.output) > 1 and n.output[1]:
            raise RefError("%s: Indices output not supported" % where)
        return [max_pool(vals[0], at)]
    if op == "AveragePool":
        return [average_pool(vals[0], at)]
    if op == "GlobalAveragePool":
        return [global_average_pool(vals[0])]
    if op == "Flatten":
        x = vals[0]
        axis = at.get("axis", 1)
        axis = axis + x.ndim if axis < 0 else axis
        return [x.reshape(int(np.prod(x.shape[:axis])), -1)]
    if op == "Reshape":
        return [reshape(vals[0], vals[1], at.get("allowzero", 0))]
    if op == "Transpose":
        return [np.transpose(vals[0], at.get("perm"))]
    if op == "Concat":
        return [np.concatenate(vals, axis=at["axis"])]
    if op == "Softmax":
        return [softmax(vals[0], at.get("axis", -1))]
    if op == "Identity":
        return [vals[0]]
    raise RefError("%s: operator not supported by the reference" % where)


def run(model, feeds, mode="onnx", outputs=None, trace=None):
    """Run model (a ModelProto or a Graph) on feeds {input name: array}; returns the
    values of outputs (default: the graph outputs) as a list."""
    g = model if isinstance(model, Graph) else Graph(model)
    env = dict(g.consts)
    for i in g.inputs:
        if i.name not in feeds:
            raise RefError("input '%s' not given" % i.name)
        want = onnx.helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type) \
            if hasattr(onnx.helper, "tensor_dtype_to_np_dtype") else \
            onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[i.type.tensor_type.elem_type]
        x = np.asarray(feeds[i.name])
        if x.dtype != want:
            raise RefError("input '%s' is %s; the graph wants %s" % (i.name, x.dtype, np.dtype(want)))
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in i.type.tensor_type.shape.dim]
        if len(dims) != x.ndim or any(d >= 0 and d != n for d, n in zip(dims, x.shape)):
            raise RefError("input '%s' has shape %s; the graph wants %s"
                           % (i.name, list(x.shape), [d if d >= 0 else "?" for d in dims]))
        env[i.name] = x
    want_out = list(outputs or g.outputs)
    for n in g.model.graph.node:
        if id(n) in g.skip or n.op_type == "Constant":
            continue
        layer = g.folded.get(id(n))
        if layer is not None:
            env[layer["y"]] = run_layer(layer, env[layer["x"]], mode)
            if trace:
                trace(n, layer["fused"], env[layer["y"]])
            continue
        vals = [env[i] if i else None for i in n.input]
        res = run_node(g, n, vals, mode)
        for name, v in zip(n.output, res):
            env[name] = v
        if trace:
            trace(n, n.op_type, res[0])
        if all(o in env for o in want_out):
            break
    missing = [o for o in want_out if o not in env]
    if missing:
        raise RefError("tensor(s) %s not computed" % ", ".join(missing))
    return [env[o] for o in want_out]


def last_quantized(model):
    """The quantized tensor behind the first graph output (through DequantizeLinear and
    Softmax), to compare two requantization modes in steps."""
    g = model if isinstance(model, Graph) else Graph(model)
    name = g.outputs[0]
    while name in g.producer and g.producer[name].op_type in ("DequantizeLinear", "Softmax"):
        name = g.producer[name].input[0]
    return name


def main(argv=None):
    ap = argparse.ArgumentParser(description="numpy reference for tessera's quantized ONNX networks")
    ap.add_argument("model")
    ap.add_argument("input", help=".npy in the graph input's type")
    ap.add_argument("output", help=".npy to write (the first graph output, or --output)")
    ap.add_argument("--requant", choices=("onnx", "hw"), default="onnx")
    ap.add_argument("--output", dest="tensor", help="write this tensor instead")
    ap.add_argument("--trace", action="store_true", help="print every node's output shape and type")
    a = ap.parse_args(argv)
    try:
        model = onnx.load(a.model)
        g = Graph(model)
        if len(g.inputs) != 1:
            raise RefError("%d graph inputs; one is supported" % len(g.inputs))
        x = np.load(a.input)

        def tr(n, what, v):
            print("%-24s %-20s %-8s %s" % (n.name or n.output[0], what, v.dtype, list(v.shape)))
        y = run(g, {g.inputs[0].name: x}, a.requant, [a.tensor] if a.tensor else None,
            tr if a.trace else None)[0]
    except (RefError, OSError, ValueError, KeyError) as e:
        print("ref.py: %s: %s" % (a.model, e), file=sys.stderr)
        return 2
    tmp = a.output + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, y)
    os.replace(tmp, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
