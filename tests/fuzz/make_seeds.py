"""Writes the fuzzers' seed corpora into tests/fuzz/corpus/<target>/: small ONNX models of the main op
families (float and integer, a shape computation folded by type inference), the project's QDQ pool network,
tiny npz archives and npy arrays of several dtypes and layouts, the shipped platform files, and tiny
tokenizers of both formats prefixed with a text (the tokenizer fuzzer's input layout).

    /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import io
import json
import shutil
import struct
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
RNG = np.random.default_rng(18)


def model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "seed", inputs, outputs, [numpy_helper.from_array(a, n) for n, a in initializers])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m.SerializeToString()


def value(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def float_conv_net():
    w = RNG.standard_normal((4, 2, 3, 3)).astype(np.float32)
    b = RNG.standard_normal(4).astype(np.float32)
    fc = RNG.standard_normal((4, 3)).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("GlobalAveragePool", ["p"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"]),
             helper.make_node("Gemm", ["f", "fc"], ["y0"], transA=0, transB=0),
             helper.make_node("Softmax", ["y0"], ["y"], axis=-1)]
    return model(nodes, [value("x", TensorProto.FLOAT, [1, 2, 8, 8])], [value("y", TensorProto.FLOAT, [1, 3])],
                 [("w", w), ("b", b), ("fc", fc)])


def integer_matmul_net():
    w = RNG.integers(-128, 127, (8, 4), dtype=np.int8)
    nodes = [helper.make_node("MatMulInteger", ["x", "w"], ["m"]),
             helper.make_node("Add", ["m", "bias"], ["a"]),
             helper.make_node("Transpose", ["a"], ["y"], perm=[1, 0])]
    return model(nodes, [value("x", TensorProto.INT8, [2, 8])], [value("y", TensorProto.INT32, [4, 2])],
                 [("w", w), ("bias", np.arange(4, dtype=np.int32))])


def shape_computation_net():
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Gather", ["s", "i"], ["d"], axis=0),
             helper.make_node("Concat", ["d", "minus_one"], ["new_shape"], axis=0),
             helper.make_node("Reshape", ["x", "new_shape"], ["r"]),
             helper.make_node("ReduceMean", ["r"], ["y"], axes=[1], keepdims=0)]
    return model(nodes, [value("x", TensorProto.FLOAT, [3, 4, 5])], [value("y", TensorProto.FLOAT, [3])],
                 [("i", np.array([0], dtype=np.int64)), ("minus_one", np.array([-1], dtype=np.int64))])


def elementwise_net():
    nodes = [helper.make_node("Mul", ["x", "x"], ["m"]),
             helper.make_node("Sub", ["m", "c"], ["s"]),
             helper.make_node("Clip", ["s", "lo", "hi"], ["k"]),
             helper.make_node("Slice", ["k", "starts", "ends"], ["sl"]),
             helper.make_node("Concat", ["sl", "sl"], ["y"], axis=1)]
    return model(nodes, [value("x", TensorProto.FLOAT, [2, 6])], [value("y", TensorProto.FLOAT, [2, 8])],
                 [("c", np.float32([1.5])), ("lo", np.float32(-1)), ("hi", np.float32(4)),
                  ("starts", np.array([0, 1], dtype=np.int64)), ("ends", np.array([2, 5], dtype=np.int64))])


def onnx_seeds():
    seeds = {"conv.onnx": float_conv_net(), "matmul_integer.onnx": integer_matmul_net(),
             "shape_computation.onnx": shape_computation_net(), "elementwise.onnx": elementwise_net(),
             "qdq_pool.onnx": (ROOT / "models" / "qdq" / "pool" / "network.onnx").read_bytes()}
    for m in seeds.values():
        onnx.checker.check_model(onnx.load_from_string(m))
    return seeds


def npy_bytes(array):
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def npz_bytes(arrays, compression):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, array in arrays.items():
            archive.writestr(name + ".npy", npy_bytes(array))
    return out.getvalue()


def npz_seeds():
    arrays = {"x": np.arange(6, dtype=np.int8).reshape(2, 3), "w": np.float32([[0.5, -1], [2, 3]]),
              "flag": np.array([True, False]), "scalar": np.int64(7)}
    return {"stored.npz": npz_bytes(arrays, zipfile.ZIP_STORED),
            "deflated.npz": npz_bytes(arrays, zipfile.ZIP_DEFLATED),
            "fortran_big_endian.npz": npz_bytes({"f": np.asfortranarray(np.arange(6, dtype=">i4").reshape(2, 3)),
                                                 "d": np.float64([1.25, -2])}, zipfile.ZIP_DEFLATED),
            "uint16.npy": npy_bytes(np.arange(5, dtype=np.uint16)),
            "empty.npy": npy_bytes(np.zeros((0, 3), dtype=np.float32))}


def platform_seeds():
    return {p.name: p.read_bytes() for p in sorted((ROOT / "targets").glob("*.json"))}


def llama2_tokenizer():
    """<unk>, BOS, EOS, the 256 byte tokens, then a few pieces with scores (llama2.c's tokenizer.bin)."""
    pieces = [("<unk>", 0.0), ("\n<s>\n", 0.0), ("\n</s>\n", 0.0)]
    pieces += [(f"<0x{b:02X}>", 0.0) for b in range(256)]
    pieces += [(" ", -1.0), ("a", -2.0), ("n", -2.5), ("an", -3.0), (" a", -3.5), (" an", -4.0), ("é", -5.0)]
    encoded = [p.encode() for p, _ in pieces]
    out = struct.pack("<i", max(len(e) for e in encoded))
    for (_, score), e in zip(pieces, encoded):
        out += struct.pack("<fi", score, len(e)) + e
    return out


def bpe_tokenizer():
    merges = [[32, 97], [97, 110], [257, 110], [104, 105]]
    return json.dumps({"type": "byte-level BPE", "vocab_size": 257 + len(merges), "end_of_text": 256,
                       "first_merge_id": 257, "pretokenize_regex": " ?[A-Za-z]+| ?[0-9]+|\\s+|.", "merges": merges}).encode()


def tokenizer_input(is_bpe, text, file):
    encoded = text.encode()
    return bytes([1 if is_bpe else 0, len(encoded)]) + encoded + file


def tokenizer_seeds():
    return {"llama2_banana.bin": tokenizer_input(False, "a banana, an élan", llama2_tokenizer()),
            "llama2_empty_text.bin": tokenizer_input(False, "", llama2_tokenizer()),
            "bpe_hi_an.bin": tokenizer_input(True, "hi an ant 42\n", bpe_tokenizer())}


def write(target, seeds):
    directory = CORPUS / target
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for name, data in seeds.items():
        (directory / name).write_bytes(data)


def main():
    onnx_models = onnx_seeds()
    write("onnx_loader", onnx_models)
    write("compile", onnx_models)
    write("npz", npz_seeds())
    write("platform", platform_seeds())
    write("tokenizer", tokenizer_seeds())


if __name__ == "__main__":
    main()
