#!/usr/bin/env python3
"""zoo_onnx.py -- torchvision's ResNet-18 and MobileNet-V2 with seeded random weights,
exported to ONNX and quantized by ONNX Runtime's static quantizer, for `tessera run`.

Usage: build/venv/bin/python scripts/zoo_onnx.py OUTDIR [--model resnet18|mobilenet_v2|all]
           [--seed S] [--format qdq|qoperator] [--activations int8|uint8] [--calib N]
           [--full-range] [--keep-float]

Writes OUTDIR/NAME.onnx (int8 weights per channel, int32 biases, activations as chosen)
and OUTDIR/NAME.in.npy (a float32 [1, 3, 224, 224] input; the model's QuantizeLinear
quantizes it). The float model is made in eval mode (batch norms folded into the
convolutions by the exporter, opset 13) with torch.manual_seed(S); the batch-norm
statistics are seeded random too, so channels differ as in a trained network. Activation
ranges come from N seeded random calibration inputs (MinMax). Weights use 7 bits
(reduce_range, |w| <= 64) unless --full-range: ONNX Runtime's u8 x s8 kernels on x86
without VNNI saturate pairs of full-range products to int16, and then differ from the
ONNX definition that tessera and tests/models/ref.py follow. The same seed gives the same
bytes on one machine (the calibration ranges are float results of ONNX Runtime).
Needs Debian's python3-torch, python3-torchvision, python3-onnx and onnxruntime (make deps
puts it into build/venv).
"""
import argparse
import logging
import os
import shutil
import sys
import tempfile
import time

import numpy as np

MODELS = ("resnet18", "mobilenet_v2")
SHAPE = (1, 3, 224, 224)


def float_model(name, seed):
    import torch
    import torchvision
    torch.manual_seed(seed)
    net = getattr(torchvision.models, name)(weights=None)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=g))
                m.bias.copy_(0.1 * torch.randn(c, generator=g))
                m.running_mean.copy_(0.1 * torch.randn(c, generator=g))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=g))
    return net.eval()


def export(net, path):
    import torch
    x = torch.zeros(SHAPE)
    with torch.no_grad():
        torch.onnx.export(net, x, path, opset_version=13, input_names=["input"],
                          output_names=["output"], do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)


def inputs(seed, n):
    """n float32 inputs like normalized images: seeded normal values."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(SHAPE).astype(np.float32) for _ in range(n)]


def quantize(fp32, out, seed, fmt, act, calib, full_range):
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter(inputs(seed + 1000, calib))

        def get_next(self):
            x = next(self.it, None)
            return None if x is None else {"input": x}

    quantize_static(fp32, out, Reader(),
                    quant_format=QuantFormat.QDQ if fmt == "qdq" else QuantFormat.QOperator,
                    per_channel=True, reduce_range=not full_range,
                    weight_type=QuantType.QInt8,
                    activation_type=QuantType.QInt8 if act == "int8" else QuantType.QUInt8,
                    calibrate_method=CalibrationMethod.MinMax)


def make(name, outdir, a):
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix=".zoo_onnx.", dir=outdir)
    try:
        fp32 = os.path.join(tmp, name + ".fp32.onnx")
        export(float_model(name, a.seed), fp32)
        t1 = time.monotonic()
        q = os.path.join(tmp, name + ".onnx")
        quantize(fp32, q, a.seed, a.format, a.activations, a.calib, a.full_range)
        t2 = time.monotonic()
        x = inputs(a.seed + 2000, 1)[0]
        np.save(os.path.join(tmp, name + ".in.npy"), x)
        if a.keep_float:
            os.replace(fp32, os.path.join(outdir, name + ".fp32.onnx"))
        os.replace(os.path.join(tmp, name + ".in.npy"), os.path.join(outdir, name + ".in.npy"))
        os.replace(q, os.path.join(outdir, name + ".onnx"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    size = os.path.getsize(os.path.join(outdir, name + ".onnx"))
    print("zoo_onnx.py: %s: %s, %s activations, seed %d: %.1f MB; export %.1f s, quantize %.1f s"
          % (name, a.format, a.activations, a.seed, size / 1e6, t1 - t0, t2 - t1))


def main(argv=None):
    ap = argparse.ArgumentParser(description="export and quantize torchvision models for tessera")
    ap.add_argument("outdir")
    ap.add_argument("--model", choices=MODELS + ("all",), default="all")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--format", choices=("qdq", "qoperator"), default="qdq")
    ap.add_argument("--activations", choices=("int8", "uint8"), default="uint8")
    ap.add_argument("--calib", type=int, default=8, help="calibration inputs (default 8)")
    ap.add_argument("--full-range", action="store_true", help="8-bit weights (default 7-bit)")
    ap.add_argument("--keep-float", action="store_true", help="also keep NAME.fp32.onnx")
    a = ap.parse_args(argv)
    if a.calib < 1:
        ap.error("--calib must be >= 1")
    # the quantizer's advice (pre-processing, QDQ for int8) goes to the root logger
    logging.getLogger().setLevel(logging.ERROR)
    os.makedirs(a.outdir, exist_ok=True)
    for name in MODELS if a.model == "all" else (a.model,):
        make(name, a.outdir, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
