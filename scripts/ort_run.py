#!/usr/bin/env python3
"""ort_run.py -- run an ONNX model with ONNX Runtime (CPU), the independent runtime that
tessera's outputs are compared against.

Usage: build/venv/bin/python scripts/ort_run.py MODEL.onnx IN.npy OUT.npy
           [--opt disable|basic|extended|all] [--output NAME] [--compare REF.npy]
       build/venv/bin/python scripts/ort_run.py --selftest

--opt    graph optimizations: disable (default; every node runs as written, so a QDQ
         graph computes DequantizeLinear -> float Conv -> QuantizeLinear) or a level
         (basic and above fuse QDQ patterns into QLinearConv / QLinearMatMul, the
         integer semantics tessera and tests/models/ref.py follow).
--output write this graph output (default: the first).
--compare print how OUT differs from REF.npy (count, max difference; in quantization
         steps for integer outputs) and exit 1 if it differs.
--selftest checks the installation (make deps runs it): the quantizer imports, and a
         QuantizeLinear -> QLinearConv model built here runs and gives the integers of
         the definition.
One thread (intra- and inter-op), so runs are deterministic. The input is fed in its own
type: it must match the graph input's.
"""
import argparse
import sys

import numpy as np

LEVELS = ("disable", "basic", "extended", "all")


def session(model, opt="disable"):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = {
        "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}[opt]
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def run(model, x, opt="disable", output=None):
    s = session(model, opt)
    ins = s.get_inputs()
    if len(ins) != 1:
        raise ValueError("%d graph inputs; one is supported" % len(ins))
    names = [o.name for o in s.get_outputs()]
    if output is not None and output not in names:
        raise ValueError("no graph output '%s' (%s)" % (output, ", ".join(names)))
    return s.run([output or names[0]], {ins[0].name: x})[0]


def compare(y, r):
    """(differing elements, total, max |difference|) of two arrays of one shape."""
    if y.shape != r.shape:
        raise ValueError("shape %s vs reference %s" % (y.shape, r.shape))
    if y.dtype.kind in "iu":
        d = np.abs(y.astype(np.int64) - r.astype(np.int64))
    else:
        d = np.abs(y.astype(np.float64) - r.astype(np.float64))
    return int((d != 0).sum()), d.size, d.max(initial=0)


def selftest():
    """The installed onnxruntime imports (with its quantizer), runs a small QLinearConv
    model with numpy and onnx as installed, and computes what the definition says."""
    import onnx
    import onnxruntime as ort
    import onnxruntime.quantization  # noqa: F401  (fails with an onnx it cannot use)
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    w = rng.integers(-63, 64, (3, 2, 3, 3)).astype(np.int8)
    inits = [numpy_helper.from_array(v, n) for n, v in (
        ("xs", np.float32(0.05)), ("xz", np.int8(3)), ("w", w), ("ws", np.float32(0.01)),
        ("wz", np.int8(0)), ("ys", np.float32(0.07)), ("yz", np.int8(-2)))]
    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["q"]),
             helper.make_node("QLinearConv", ["q", "xs", "xz", "w", "ws", "wz", "ys", "yz"],
                              ["y"], pads=[1, 1, 1, 1])]
    g = helper.make_graph(nodes, "selftest",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
                          [helper.make_tensor_value_info("y", TensorProto.INT8, [1, 3, 5, 5])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    y = session(m.SerializeToString()).run(None, {"x": x})[0]
    q = np.clip(np.rint(x / np.float32(0.05)) + 3, -128, 127) - 3
    qp = np.pad(q, ((0, 0), (0, 0), (1, 1), (1, 1)))
    acc = np.zeros((1, 3, 5, 5))
    for i in range(3):
        for j in range(3):
            acc += np.einsum("kc,nchw->nkhw", w[:, :, i, j].astype(np.float64),
                             qp[:, :, i:i + 5, j:j + 5])
    s = np.float32(np.float32(np.float32(0.05) * np.float32(0.01)) / np.float32(0.07))
    want = np.clip(np.rint(acc.astype(np.float32) * s) - 2, -128, 127).astype(np.int8)
    if not np.array_equal(y, want):
        print("ort_run.py: selftest: onnxruntime %s gives %d wrong values"
              % (ort.__version__, int((y != want).sum())), file=sys.stderr)
        return 1
    print("ort_run.py: onnxruntime %s, numpy %s, onnx %s: ok"
          % (ort.__version__, np.__version__, onnx.__version__), file=sys.stderr)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="run an ONNX model with ONNX Runtime (CPU)")
    ap.add_argument("model", nargs="?")
    ap.add_argument("input", nargs="?")
    ap.add_argument("output", nargs="?")
    ap.add_argument("--selftest", action="store_true", help="check the installation")
    ap.add_argument("--opt", choices=LEVELS, default="disable")
    ap.add_argument("--output", dest="name")
    ap.add_argument("--compare", metavar="REF.npy")
    ap.add_argument("--time", type=int, metavar="N", default=0,
                    help="also time N runs after one warm-up and print images/s")
    a = ap.parse_args(argv)
    if a.selftest:
        return selftest()
    if not a.output:
        ap.error("MODEL, IN.npy and OUT.npy are required")
    try:
        x = np.load(a.input)
        y = run(a.model, x, a.opt, a.name)
    except Exception as e:  # ORT raises its own exception types
        print("ort_run.py: %s: %s" % (a.model, e), file=sys.stderr)
        return 2
    np.save(a.output, y)
    if a.time > 0:
        import time
        s = session(a.model, a.opt)
        feed = {s.get_inputs()[0].name: x}
        s.run(None, feed)
        t0 = time.perf_counter()
        for _ in range(a.time):
            s.run(None, feed)
        dt = time.perf_counter() - t0
        print("%.2f images/s (%d runs, opt %s, one thread)" % (a.time * x.shape[0] / dt, a.time, a.opt))
    if a.compare:
        r = np.load(a.compare)
        nd, tot, mx = compare(y, r)
        print("%s: %d of %d outputs differ from %s (max %s)" % (a.model, nd, tot, a.compare, mx))
        return 1 if nd else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
