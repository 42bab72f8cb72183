"""An integer graph in Deeploy's dialect that is evaluated in NumPy while it is built and can be
written as ONNX, so the integer reference and the exported network are one and the same thing.

Every value is an int64 NumPy array holding the natural integer values. The formulas are those of
shared/notes/operators.md (and deeploy's ops/*.cpp): >> is an arithmetic shift, tdiv truncates.
Node attributes are stored as Deeploy's INT8 microLlama stores them (RequantShift: float tensors
div/n_levels_out/signed; iSoftmax: float tensors; iRMSNorm, iHardswish, TrueIntegerDiv: ints).
"""
import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT8_RANGE = (-128, 127)
# Result types of the operators whose output type does not follow their first input.
OUTPUT_TYPES = {"RequantShift": np.int8, "iRMSNorm": np.int8, "iSoftmax": np.uint8, "MatMul": np.int32, "Add": np.int32,
                "Mul": np.int32, "iHardswish": np.int32, "TrueIntegerDiv": np.int32, "Gather": None}
ONNX_TYPES = {np.int8: TensorProto.INT8, np.uint8: TensorProto.UINT8, np.int16: TensorProto.INT16,
              np.int32: TensorProto.INT32, np.int64: TensorProto.INT64, np.float32: TensorProto.FLOAT}


def tdiv(a, b):
    """C division: truncates toward zero."""
    q = np.abs(a) // np.abs(b)
    return np.where((a < 0) != (b < 0), -q, q)


def softmax_coefficients(log2):
    """I-BERT's exp(x) ~ 0.3585 (x + 1.353)^2 + 0.344 on [-ln2, 0] in steps of ln2 / log2."""
    coeff_b = int(round(1.353 * log2 / math.log(2)))
    base_c = 0.344 / (0.3585 * (math.log(2) / log2) ** 2)
    coeff_a = max(1, (1 << 20) // int(coeff_b ** 2 + base_c))
    return coeff_a, coeff_b, int(round(coeff_a * base_c))


def _float_tensor(value):
    return numpy_helper.from_array(np.array([value], dtype=np.float32))


class Graph:
    def __init__(self):
        self.values = {}
        self.types = {}    # element type of every value, as deeploy infers it
        self.nodes = []
        self.initializers = {}
        self.inputs = []   # (name, element type)
        self.outputs = []
        self._counter = 0

    # ---- bookkeeping ----
    def _name(self, hint):
        self._counter += 1
        return f"{hint}_{self._counter}"

    def _node(self, op, inputs, value, hint, **attributes):
        out = self._name(hint)
        self.values[out] = np.asarray(value, dtype=np.int64)
        self.types[out] = OUTPUT_TYPES.get(op) or self.types[inputs[0]]
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attributes))
        return out

    def input(self, name, value, dtype):
        value = np.asarray(value)
        lo, hi = np.iinfo(dtype).min, np.iinfo(dtype).max
        assert value.size == 0 or (value.min() >= lo and value.max() <= hi), f"input {name} exceeds {dtype}"
        self.values[name] = value.astype(np.int64)
        self.types[name] = dtype
        self.inputs.append((name, dtype))
        return name

    def constant(self, name, value, dtype):
        value = np.asarray(value)
        assert np.array_equal(value.astype(dtype), value), f"constant {name} does not fit {dtype}"
        if name not in self.initializers:
            self.initializers[name] = value.astype(dtype)
            self.values[name] = value.astype(np.int64)
            self.types[name] = dtype
        return name

    def mark_output(self, name):
        self.outputs.append(name)

    def __getitem__(self, name):
        return self.values[name]

    # ---- operators ----
    def requant(self, x, mul, add=0, div=1 << 16, hint="rq"):
        """RequantShift to signed int8: (x * mul + add + div / 2) >> log2(div), clamped."""
        mul, add = int(mul), int(add)
        shift = int(math.log2(div))
        y = np.clip((self[x] * mul + add + (div >> 1)) >> shift, *INT8_RANGE)
        mul_name = self.constant(f"rq_mul_{mul}", np.array(mul, dtype=np.float32), np.float32)
        add_name = self.constant(f"rq_add_{add}", np.array(add, dtype=np.float32), np.float32)
        return self._node("RequantShift", [x, mul_name, add_name], y, hint, div=_float_tensor(div),
                          n_levels_out=_float_tensor(256), signed=_float_tensor(1))

    def matmul(self, a, b, hint="matmul"):
        return self._node("MatMul", [a, b], np.matmul(self[a], self[b]), hint)

    def add(self, a, b, hint="add"):
        return self._node("Add", [a, b], self[a] + self[b], hint)

    def mul(self, a, b, hint="mul"):
        return self._node("Mul", [a, b], self[a] * self[b], hint)

    def concat(self, parts, axis, hint="concat"):
        return self._node("Concat", parts, np.concatenate([self[p] for p in parts], axis=axis), hint, axis=axis)

    def reshape(self, x, shape, hint="reshape"):
        shape_name = self.constant("shape_" + "_".join(map(str, shape)), np.array(shape, dtype=np.int64), np.int64)
        return self._node("Reshape", [x, shape_name], self[x].reshape(shape), hint)

    def transpose(self, x, perm, hint="transpose"):
        return self._node("Transpose", [x], self[x].transpose(perm), hint, perm=list(perm))

    def gather(self, table, indices, hint="gather"):
        return self._node("Gather", [table, indices], np.take(self[table], self[indices], axis=0), hint, axis=0)

    def irmsnorm(self, x, weight, D=1 << 16, hint="irmsnorm"):
        """std = isqrt(floor(sum x^2 / L) + 1); y = clamp(tdiv(x * w, std) >> log2(D))."""
        v = self[x]
        mean_square = (v * v).sum(axis=-1, keepdims=True) // v.shape[-1] + 1
        std = np.vectorize(math.isqrt, otypes=[np.int64])(mean_square)
        y = np.clip(tdiv(v * self[weight], std) >> int(math.log2(D)), *INT8_RANGE)
        return self._node("iRMSNorm", [x, weight], y, hint, D=D, n_levels=256)

    def isoftmax(self, x, coeff_a, coeff_b, coeff_c, log2, hint="isoftmax"):
        """I-BERT polynomial exponential per halving of log2 steps; unsigned output in [0, 255]."""
        v = self[x]
        t = v - v.max(axis=-1, keepdims=True)
        z = np.clip(-tdiv(t, log2), 0, 31)
        p = t + z * log2
        e = ((coeff_a * (p + coeff_b) ** 2 + coeff_c) >> z) & 0xFFFFFFFF
        total = e.sum(axis=-1, keepdims=True)
        y = np.where(total == 0, 0, e * 255 // np.maximum(total, 1))
        return self._node("iSoftmax", [x], y, hint, coeffA=_float_tensor(coeff_a), coeffB=_float_tensor(coeff_b),
                          coeffC=_float_tensor(coeff_c), log2=_float_tensor(log2), n_levels=_float_tensor(256))

    def ihardswish(self, x, one_over_six, three, six, hint="ihardswish"):
        """t = clamp(x + three, 0, six) * one_over_six * x (int32)."""
        v = self[x]
        y = np.clip(v + three, 0, six) * one_over_six * v
        return self._node("iHardswish", [x], y, hint, one_over_six=one_over_six, six=six, three=three)

    def true_integer_div(self, x, Delta, eps, eta, y, hint="trueintegerdiv"):
        """x * floor(Delta * eta / (y * eta + eps))."""
        factor = (Delta * eta) // (y * eta + eps)
        return self._node("TrueIntegerDiv", [x], self[x] * factor, hint, Delta=Delta, eps=eps, eta=eta, y=y)

    # ---- ONNX ----
    def to_onnx(self, name):
        def value_info(tensor, dtype):
            return helper.make_tensor_value_info(tensor, ONNX_TYPES[dtype], list(self.values[tensor].shape))

        inputs = [value_info(n, t) for n, t in self.inputs]
        outputs = [value_info(o, self.types[o]) for o in self.outputs]
        initializers = [numpy_helper.from_array(a, n) for n, a in self.initializers.items()]
        graph = helper.make_graph(self.nodes, name, inputs, outputs, initializers)
        model = helper.make_model(graph, producer_name="deeploy models/fortunes",
                                  opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        return model


def save(model, path):
    onnx.save(model, path)
