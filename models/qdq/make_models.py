"""Writes three networks in onnxruntime's QDQ form (QuantizeLinear / DequantizeLinear around float ops)
with random weights, calibrated here in float: `cnn` (convolutions with Relu and Clip, pooling, a
residual Add and a Relu of its own, a classifier Gemm), `attention` (a transformer block: projections,
multi-head attention with run-time products, Softmax in float, a gating Mul, residual Add) and `pool`
(average pooling, padded and counting the padding, then unpadded). Activations are uint8 (cnn) or int8
with non-zero zero points (attention, pool), weights int8 per output channel, biases int32, as
onnxruntime's static quantizer writes them. Each folder gets network.onnx and inputs.npz; reference.js (onnxruntime-node)
adds outputs.npz.

    /usr/bin/python3 models/qdq/make_models.py OUT_DIR
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(20261207)


class QdqGraph:
    """Builds a QDQ graph while computing the float reference of every tensor for calibration."""

    def __init__(self, activation_type):
        self.nodes, self.inits, self.values, self.params = [], [], {}, {}
        self.activation_type = activation_type
        self.counter = 0

    def name(self, base):
        self.counter += 1
        return f"{base}_{self.counter}"

    def const(self, base, array):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, value, **attrs):
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.values[out] = value
        return out

    def activation_params(self, value):
        lo, hi = min(float(value.min()), 0.0), max(float(value.max()), 0.0)
        qmin, qmax = (0, 255) if self.activation_type == np.uint8 else (-128, 127)
        scale = np.float32(max(hi - lo, 1e-6) / (qmax - qmin))
        zero = np.clip(np.round(qmin - lo / scale), qmin, qmax).astype(self.activation_type)
        return scale, zero

    def quantize(self, tensor, as_output=False):
        """Q then DQ of a float tensor (onnxruntime's pair on every activation)."""
        value = self.values[tensor]
        scale, zero = self.activation_params(value)
        s, z = self.const("scale", scale), self.const("zero_point", zero)
        q = self.name("q")
        self.nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [q], name=q))
        info = np.iinfo(self.activation_type)
        qv = np.clip(np.round(value / scale) + zero.astype(np.int64), info.min, info.max)
        if as_output:
            return q
        dq = self.name("dq")
        self.nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [dq], name=dq))
        self.values[dq] = ((qv - zero.astype(np.int64)) * scale).astype(np.float32)
        self.params[dq] = scale
        return dq

    def weights(self, w, axis):
        """Per-channel symmetric int8 weights behind a DequantizeLinear."""
        reduce_axes = tuple(d for d in range(w.ndim) if d != axis)
        scale = (np.abs(w).max(axis=reduce_axes) / 127.0).astype(np.float32)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
        qn, sn = self.const("weight", q), self.const("weight_scale", scale)
        zn = self.const("weight_zero", np.zeros_like(scale, dtype=np.int8))
        dq = self.name("dq_weight")
        self.nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [dq], name=dq, axis=axis))
        self.values[dq] = (q.astype(np.float32) * scale.reshape(shape)).astype(np.float32)
        return dq, scale

    def quantized_constant(self, value):
        """A constant stored quantized like the activations, behind a DequantizeLinear."""
        scale, zero = self.activation_params(value)
        info = np.iinfo(self.activation_type)
        q = np.clip(np.round(value / scale) + zero.astype(np.int64), info.min, info.max).astype(self.activation_type)
        dq = self.name("dq_constant")
        self.nodes.append(helper.make_node("DequantizeLinear", [self.const("constant", q), self.const("scale", scale),
                                                                 self.const("zero_point", zero)], [dq], name=dq))
        self.values[dq] = ((q.astype(np.int64) - zero.astype(np.int64)) * scale).astype(np.float32)
        return dq

    def bias(self, b, input_scale, weight_scale):
        scale = (input_scale * weight_scale).astype(np.float32)
        q = np.round(b / scale).astype(np.int32)
        qn, sn = self.const("bias", q), self.const("bias_scale", scale)
        zn = self.const("bias_zero", np.zeros_like(q))
        dq = self.name("dq_bias")
        self.nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [dq], name=dq, axis=0))
        self.values[dq] = (q * scale).astype(np.float32)
        return dq

    def model(self, inputs, outputs, name):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def conv_float(x, w, b, stride, pad):
    import torch
    y = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=stride, padding=pad)
    return y.numpy()


def make_cnn():
    g = QdqGraph(np.uint8)
    batch = 4
    x = RNG.normal(size=(batch, 3, 16, 16)).astype(np.float32)
    g.values["input"] = x
    h = g.quantize("input")

    def conv(h, cin, cout, k, stride, pad, activation=None):
        w = (RNG.normal(size=(cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
        b = (RNG.normal(size=cout) * 0.1).astype(np.float32)
        wd, ws = g.weights(w, 0)
        bd = g.bias(b, g.params[h], ws)
        y = conv_float(g.values[h], g.values[wd], g.values[bd], stride, pad)
        out = g.node("Conv", [h, wd, bd], y, pads=[pad] * 4, strides=[stride] * 2, kernel_shape=[k, k])
        if activation == "relu":
            out = g.node("Relu", [out], np.maximum(y, 0))
        elif activation == "relu6":
            lo, hi = g.const("clip_min", np.float32(0)), g.const("clip_max", np.float32(6))
            out = g.node("Clip", [out, lo, hi], np.clip(y, 0, 6))
        return g.quantize(out)

    h = conv(h, 3, 8, 3, 1, 1, "relu")
    v = g.values[h]
    pooled = v.reshape(batch, 8, 8, 2, 8, 2).max(axis=(3, 5))
    h = g.quantize(g.node("MaxPool", [h], pooled, kernel_shape=[2, 2], strides=[2, 2]))
    skip = h
    h = conv(h, 8, 8, 3, 1, 1)
    h = g.quantize(g.node("Add", [h, skip], g.values[h] + g.values[skip]))
    h = g.quantize(g.node("Relu", [h], np.maximum(g.values[h], 0)))
    h = conv(h, 8, 16, 3, 2, 1, "relu6")
    features = g.nodes[-2].output[0]  # the QuantizeLinear before the DequantizeLinear conv() ends with
    h = g.quantize(g.node("GlobalAveragePool", [h], g.values[h].mean(axis=(2, 3), keepdims=True)))
    h = g.quantize(g.node("Flatten", [h], g.values[h].reshape(batch, 16), axis=1))
    w = (RNG.normal(size=(10, 16)) / 4).astype(np.float32)
    wd, ws = g.weights(w, 0)
    bd = g.bias((RNG.normal(size=10) * 0.1).astype(np.float32), g.params[h], ws)
    y = g.values[h] @ g.values[wd].T + g.values[bd]
    out = g.quantize(g.node("Gemm", [h, wd, bd], y, transB=1), as_output=True)
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 3, 16, 16])]
    outputs = [helper.make_tensor_value_info(out, TensorProto.UINT8, [batch, 10]),
               helper.make_tensor_value_info(features, TensorProto.UINT8, [batch, 16, 4, 4])]
    return g.model(inputs, outputs, "qdq_cnn"), {"input": x}


def softmax(v):
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_attention():
    g = QdqGraph(np.int8)
    seq, dim, heads = 16, 32, 4
    head = dim // heads
    x = RNG.normal(size=(1, seq, dim)).astype(np.float32) + 0.3
    g.values["input"] = x
    h = g.quantize("input")

    def linear(h, with_bias):
        w = (RNG.normal(size=(dim, dim)) / np.sqrt(dim)).astype(np.float32)
        wd, ws = g.weights(w, 1)
        y = g.values[h] @ g.values[wd]
        out = g.node("MatMul", [h, wd], y)
        if with_bias:
            out = g.quantize(out)
            bq = g.quantized_constant((RNG.normal(size=dim) * 0.2).astype(np.float32))
            out = g.node("Add", [out, bq], g.values[out] + g.values[bq])
        return g.quantize(out)

    def split_heads(h, transpose_last):
        shape = g.const("shape", np.array([1, seq, heads, head], dtype=np.int64))
        r = g.quantize(g.node("Reshape", [h, shape], g.values[h].reshape(1, seq, heads, head)))
        perm = [0, 2, 3, 1] if transpose_last else [0, 2, 1, 3]
        return g.quantize(g.node("Transpose", [r, ], np.transpose(g.values[r], perm), perm=perm))

    q = split_heads(linear(h, False), False)
    k = split_heads(linear(h, False), True)
    v = split_heads(linear(h, False), False)
    scores = g.quantize(g.node("MatMul", [q, k], g.values[q] @ g.values[k]))
    weights = g.quantize(g.node("Softmax", [scores], softmax(g.values[scores]), axis=-1))
    context = g.quantize(g.node("MatMul", [weights, v], g.values[weights] @ g.values[v]))
    merged = g.quantize(g.node("Transpose", [context], np.transpose(g.values[context], [0, 2, 1, 3]), perm=[0, 2, 1, 3]))
    shape = g.const("shape", np.array([1, seq, dim], dtype=np.int64))
    merged = g.quantize(g.node("Reshape", [merged, shape], g.values[merged].reshape(1, seq, dim)))
    projected = linear(merged, True)
    gate = linear(h, False)
    projected = g.quantize(g.node("Mul", [projected, gate], g.values[projected] * g.values[gate]))
    out = g.quantize(g.node("Add", [projected, h], g.values[projected] + g.values[h]), as_output=True)
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, seq, dim])]
    outputs = [helper.make_tensor_value_info(out, TensorProto.INT8, [1, seq, dim])]
    return g.model(inputs, outputs, "qdq_attention"), {"input": x}


def make_pool():
    import torch
    g = QdqGraph(np.int8)
    x = RNG.normal(size=(2, 6, 12, 12)).astype(np.float32) + 0.5
    g.values["input"] = x
    h = g.quantize("input")
    padded = torch.nn.functional.avg_pool2d(torch.from_numpy(g.values[h]), 3, 2, 1, count_include_pad=True).numpy()
    h = g.quantize(g.node("AveragePool", [h], padded, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                          count_include_pad=1))
    pooled = torch.nn.functional.avg_pool2d(torch.from_numpy(g.values[h]), 2, 2).numpy()
    out = g.quantize(g.node("AveragePool", [h], pooled, kernel_shape=[2, 2], strides=[2, 2]), as_output=True)
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 6, 12, 12])]
    outputs = [helper.make_tensor_value_info(out, TensorProto.INT8, [2, 6, 3, 3])]
    return g.model(inputs, outputs, "qdq_pool"), {"input": x}


def main():
    out = Path(sys.argv[1])
    for name, make in (("cnn", make_cnn), ("attention", make_attention), ("pool", make_pool)):
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        model, inputs = make()
        onnx.save(model, str(folder / "network.onnx"))
        np.savez(folder / "inputs.npz", **{f"arr_{i}": v for i, v in enumerate(inputs.values())})
        print(f"{folder}: {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
