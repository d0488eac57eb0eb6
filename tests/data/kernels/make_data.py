#!/usr/bin/env python3
"""make_data.py — writes the small ONNX node-test directories used by tests/test_onnx_ops.c
(run from the repo root: python3 tests/data/kernels/make_data.py). Hand-encoded protobuf
(field numbers from onnx.proto), so it needs no onnx package.

matmulinteger_small: MatMulInteger, A uint8 2x3 [1..6] (zp 1), B uint8 3x2 [2..7] (zp 2):
  (A - 1)(B - 2) = [[0 1 2], [3 4 5]] . [[0 1], [2 3], [4 5]] = [[10 13], [28 40]]
matmulinteger_wrong: the same with the last expected value changed to 41 (must fail)."""
import os
import struct


def varint(v):
    out = b""
    v &= (1 << 64) - 1
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(field, wire):
    return varint(field << 3 | wire)


def f_varint(field, v):
    return key(field, 0) + varint(v)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return key(field, 2) + varint(len(data)) + data


def tensor(name, dtype, dims, raw):
    return b"".join(f_varint(1, d) for d in dims) + f_varint(2, dtype) + f_bytes(8, name) + f_bytes(9, raw)


def model(op, inputs, outputs):
    node = b"".join(f_bytes(1, i) for i in inputs) + b"".join(f_bytes(2, o) for o in outputs)
    node += f_bytes(3, "node0") + f_bytes(4, op)
    graph = f_bytes(1, node) + f_bytes(2, "g")
    graph += b"".join(f_bytes(11, f_bytes(1, i)) for i in inputs)
    graph += b"".join(f_bytes(12, f_bytes(1, o)) for o in outputs)
    opset = f_bytes(1, "") + f_varint(2, 13)
    return f_varint(1, 7) + f_bytes(8, opset) + f_bytes(7, graph)


UINT8, INT32 = 2, 6


def write(dirname, want):
    base = os.path.join("tests", "data", "kernels", dirname)
    os.makedirs(os.path.join(base, "test_data_set_0"), exist_ok=True)
    with open(os.path.join(base, "model.onnx"), "wb") as f:
        f.write(model("MatMulInteger", ["A", "B", "a_zero_point", "b_zero_point"], ["Y"]))
    ins = [
        tensor("A", UINT8, [2, 3], bytes([1, 2, 3, 4, 5, 6])),
        tensor("B", UINT8, [3, 2], bytes([2, 3, 4, 5, 6, 7])),
        tensor("a_zero_point", UINT8, [], bytes([1])),
        tensor("b_zero_point", UINT8, [], bytes([2])),
    ]
    for i, t in enumerate(ins):
        with open(os.path.join(base, "test_data_set_0", "input_%d.pb" % i), "wb") as f:
            f.write(t)
    with open(os.path.join(base, "test_data_set_0", "output_0.pb"), "wb") as f:
        f.write(tensor("Y", INT32, [2, 2], struct.pack("<4i", *want)))


write("matmulinteger_small", [10, 13, 28, 40])
write("matmulinteger_wrong", [10, 13, 28, 41])
