"""Imports llama2.c's stories260K checkpoint as float32 ONNX steps in deeploy's KV-cache convention,
with a NumPy reference forward that follows llama2.c's run.c and is checked against its golden logits.

    /usr/bin/python3 models/tinystories/import_float.py [--checkpoint FILE] [--golden DIR] [-o DIR]

Writes DIR/float_decode_511 (one token at position 255 after 511 cache slots: rows 0..254 hold the
"Once upon a time" run, the rest are zero and masked; expected logits: golden logits[255]) and
DIR/float_prefill_16 (its first 16 tokens into empty caches; expected logits: golden logits[0:16]),
each as network.onnx, inputs.npz, outputs.npz (input_i / output_i in graph order). DIR defaults to
this folder, the checkpoint and golden files to ../shared/models/stories260K/ beside the repository.

A step reads T tokens after N cached rows:
  inputs  token [1,T] int32, position [1,T] int32, mask [T,N+T] int8 (0 attend, -1 masked),
          key_cache_i, value_cache_i [1,KV,N,head_size] float32 (keys rotated), i = 0..layers-1;
  outputs logits [1,T,vocab] float32, then each cache with the step's rows appended [1,KV,N+T,head_size].
"""
import argparse
import json
import ctypes
import ctypes.util
import os
from collections import namedtuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "models", "stories260K")
GOLDEN = ("greedy_once_upon_a_time.npz", "greedy_lily_and_ben_were.npz")
# The requirement on every logit: |logit - golden| <= TOLERANCE * max(1, |golden|).
TOLERANCE = 1e-4
EPS = np.float32(1e-5)
# Masked scores get -1e9 added: their exp underflows to exactly 0 whatever the score.
MASK_SCALE = np.float32(1e9)
F32 = np.float32

Config = namedtuple("Config", "dim hidden layers heads kv_heads vocab seq_len")


def _libm(name, arguments=1):
    """The C library's float function, element-wise: run.c's cosf, sinf, powf and expf. NumPy's float32
    functions, and double ones rounded to float, differ from glibc's in the last bit now and then; with
    glibc's (the golden run's) the reference reproduces the golden logits bit for bit."""
    function = getattr(ctypes.CDLL(ctypes.util.find_library("m")), name)
    function.restype, function.argtypes = ctypes.c_float, [ctypes.c_float] * arguments
    elementwise = np.frompyfunc(function, arguments, 1)
    return lambda *x: np.asarray(elementwise(*(np.asarray(v, F32) for v in x)), F32)


cosf, sinf, expf, powf = _libm("cosf"), _libm("sinf"), _libm("expf"), _libm("powf", 2)


# ---- the checkpoint ----

def load_checkpoint(path):
    """llama2.c's format: 7 int32 (the Config), then float32 arrays, matrices row-major [out, in]."""
    with open(path, "rb") as f:
        data = f.read()
    c = Config(*(int(v) for v in np.frombuffer(data, np.int32, 7)))
    if c.vocab <= 0:
        raise ValueError("the checkpoint has a separate classifier; only a shared one is supported")
    head = c.dim // c.heads
    kv_dim = head * c.kv_heads
    floats = np.frombuffer(data, np.float32, offset=28)
    shapes = [("embedding", (c.vocab, c.dim)), ("rms_att", (c.layers, c.dim)), ("wq", (c.layers, c.dim, c.dim)),
              ("wk", (c.layers, kv_dim, c.dim)), ("wv", (c.layers, kv_dim, c.dim)), ("wo", (c.layers, c.dim, c.dim)),
              ("rms_ffn", (c.layers, c.dim)), ("w1", (c.layers, c.hidden, c.dim)), ("w2", (c.layers, c.dim, c.hidden)),
              ("w3", (c.layers, c.hidden, c.dim)), ("rms_final", (c.dim,))]
    w, at = {}, 0
    for name, shape in shapes:
        size = int(np.prod(shape))
        w[name] = floats[at:at + size].reshape(shape)
        at += size
    # Then two unused RoPE tables of seq_len * head / 2 floats each, and nothing else.
    if at + c.seq_len * head != floats.size:
        raise ValueError(f"{path}: {floats.size} floats, expected {at + c.seq_len * head}")
    return c, w


def rope_tables(c):
    """cos and sin [seq_len, head/2] as run.c computes them: for the pair (i, i+1) of a head, frequency
    1 / powf(10000, i / head) times the position, in float32."""
    head = c.dim // c.heads
    i = np.arange(0, head, 2, dtype=F32)
    freq = F32(1) / powf(np.full_like(i, 10000), i / F32(head))
    angle = np.arange(c.seq_len, dtype=F32)[:, None] * freq
    return cosf(angle), sinf(angle)


def rotation_matrices(c):
    """[seq_len, head, head]: a row vector of one head times R[p] is its rotation at position p (2x2
    blocks [[c, s], [-s, c]]); the zeros add nothing, so a product gives run.c's v0*c - v1*s, v0*s + v1*c."""
    cos, sin = rope_tables(c)
    head = c.dim // c.heads
    r = np.zeros((c.seq_len, head, head), F32)
    even = np.arange(0, head, 2)
    r[:, even, even] = cos
    r[:, even, even + 1] = sin
    r[:, even + 1, even] = -sin
    r[:, even + 1, even + 1] = cos
    return r


# ---- the NumPy reference: run.c's operations in float32, its sums in its order ----

def matmul(x, w):
    """x [T, in] times W [out, in] transposed, each output summed over in = 0, 1, ... as run.c's matmul."""
    y = np.zeros((x.shape[0], w.shape[0]), F32)
    for j in range(w.shape[1]):
        y += x[:, j:j + 1] * w[:, j]
    return y


def rmsnorm(x, weight):
    ss = np.zeros(x.shape[0], F32)
    for j in range(x.shape[1]):
        ss += x[:, j] * x[:, j]
    ss = F32(1) / np.sqrt(ss / F32(x.shape[1]) + EPS)
    return weight * (ss[:, None] * x)


def rotate(x, cos, sin):
    """x [T, heads, head] at the positions of cos, sin [T, head/2]: run.c's RoPE."""
    v0, v1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[:, None], sin[:, None]
    out = np.empty_like(x)
    out[..., 0::2] = v0 * c - v1 * s
    out[..., 1::2] = v0 * s + v1 * c
    return out


def attention(q, keys, values, visible, head):
    """q [heads, T, head], keys/values [kv_heads, R, head], visible [T, R]: run.c's attention of each
    query head over the visible rows, summed in row order (invisible rows add exact zeros)."""
    group = q.shape[0] // keys.shape[0]
    k, v = np.repeat(keys, group, axis=0), np.repeat(values, group, axis=0)
    scores = np.zeros((q.shape[0], q.shape[1], k.shape[1]), F32)
    for i in range(head):
        scores += q[:, :, None, i] * k[:, None, :, i]
    scores /= np.sqrt(F32(head))
    visible = np.broadcast_to(visible, scores.shape)
    shifted = scores - np.where(visible, scores, -np.inf).max(axis=-1, keepdims=True)
    e = np.zeros_like(scores)
    e[visible] = expf(shifted[visible])
    total = np.zeros(e.shape[:2], F32)
    for r in range(e.shape[2]):
        total += e[:, :, r]
    p = e / total[:, :, None]
    out = np.zeros(q.shape, F32)
    for r in range(e.shape[2]):
        out += p[:, :, r:r + 1] * v[:, r][:, None]
    return out


def forward(c, w, tokens, positions, mask, caches):
    """One step: tokens, positions [T], mask [T, N+T] (0 attend), caches [(keys, values)] of
    [kv_heads, N, head] per layer. Returns logits [T, vocab] and the caches with the new rows appended."""
    head = c.dim // c.heads
    cos, sin = rope_tables(c)
    cos, sin = cos[positions], sin[positions]
    visible = mask == 0
    steps = len(tokens)
    x = w["embedding"][tokens]
    grown = []
    for layer, (key_cache, value_cache) in enumerate(caches):
        h = rmsnorm(x, w["rms_att"][layer])
        q = rotate(matmul(h, w["wq"][layer]).reshape(steps, c.heads, head), cos, sin)
        k = rotate(matmul(h, w["wk"][layer]).reshape(steps, c.kv_heads, head), cos, sin)
        v = matmul(h, w["wv"][layer]).reshape(steps, c.kv_heads, head)
        keys = np.concatenate([key_cache, k.transpose(1, 0, 2)], axis=1)
        values = np.concatenate([value_cache, v.transpose(1, 0, 2)], axis=1)
        grown.append((keys, values))
        a = attention(q.transpose(1, 0, 2), keys, values, visible, head)
        x = x + matmul(a.transpose(1, 0, 2).reshape(steps, c.dim), w["wo"][layer])
        h = rmsnorm(x, w["rms_ffn"][layer])
        gate, up = matmul(h, w["w1"][layer]), matmul(h, w["w3"][layer])
        gate = gate * (F32(1) / (F32(1) + expf(-gate)))
        x = x + matmul(gate * up, w["w2"][layer])
    return matmul(rmsnorm(x, w["rms_final"]), w["embedding"]), grown


def empty_caches(c):
    shape = (c.kv_heads, 0, c.dim // c.heads)
    return [(np.zeros(shape, F32), np.zeros(shape, F32)) for _ in range(c.layers)]


def causal_mask(steps, cached=0):
    """[T, N+T] int8: row t attends to the N cached rows and the new rows up to t."""
    mask = np.zeros((steps, cached + steps), np.int8)
    mask[:, cached:] = -np.triu(np.ones((steps, steps), np.int8), 1)
    return mask


def golden_error(logits, golden):
    """Largest absolute error and largest error relative to max(1, |golden|)."""
    diff = np.abs(logits.astype(np.float64) - golden)
    return diff.max(), (diff / np.maximum(1.0, np.abs(golden))).max()


# ---- the ONNX step ----

class GraphBuilder:
    def __init__(self):
        self.nodes, self.initializers, self._count = [], [], 0

    def const(self, name, value):
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type, inputs, hint, output=None, **attributes):
        """A node named hint_<count>; its output has that name too unless `output` is given."""
        self._count += 1
        name = f"{hint}_{self._count}"
        out = output or name
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=name, **attributes))
        return out


def build_step(c, w, steps, cached):
    """The step reading `steps` tokens after `cached` rows, as an ONNX model."""
    head = c.dim // c.heads
    group = c.heads // c.kv_heads
    g = GraphBuilder()
    shapes = {}

    def reshape(x, dims, hint):
        key = tuple(dims)
        if key not in shapes:
            shapes[key] = g.const(f"shape_{'x'.join(map(str, dims))}", np.array(dims, np.int64))
        return g.op("Reshape", [x, shapes[key]], hint)

    def rmsnorm_nodes(x, weight, hint):
        # run.c: ss = sum(x^2) / dim + eps; ss = 1 / sqrtf(ss); out = weight * (ss * x).
        ss = g.op("ReduceMean", [g.op("Mul", [x, x], hint)], hint, axes=[-1], keepdims=1)
        inv = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [ss, eps], hint)], hint)], hint)
        return g.op("Mul", [weight, g.op("Mul", [inv, x], hint)], hint)

    def linear(x, matrix, name):
        return g.op("MatMul", [x, g.const(name, matrix.T)], name)

    eps = g.const("eps", np.array(EPS, F32))
    scale = g.const("sqrt_head_size", np.sqrt(F32(head)))
    mask_scale = g.const("mask_scale", MASK_SCALE)
    x = g.op("Gather", [g.const("embedding", w["embedding"]), "token"], "embedding")
    rotation = g.op("Gather", [g.const("rotation", rotation_matrices(c)), "position"], "rotation")
    # The queries of kv head j are heads group*j .. group*j + group-1, as rows [group*T] (head-major):
    # the mask repeats once per head of a group.
    mask = g.op("Concat", ["mask"] * group, "mask", axis=0) if group > 1 else "mask"
    mask = g.op("Mul", [g.op("Cast", [mask], "mask", to=TensorProto.FLOAT), mask_scale], "mask")
    outputs = []
    for layer in range(c.layers):
        L = f"L{layer}."
        h = rmsnorm_nodes(x, g.const(L + "rms_att", w["rms_att"][layer]), L + "norm1")
        q = reshape(linear(h, w["wq"][layer], L + "wq"), [1, steps, c.heads, head], L + "q")
        q = g.op("Transpose", [g.op("MatMul", [q, rotation], L + "rope_q")], L + "q", perm=[0, 2, 1, 3])
        q = reshape(q, [1, c.kv_heads, group * steps, head], L + "q")
        k = reshape(linear(h, w["wk"][layer], L + "wk"), [1, steps, c.kv_heads, head], L + "k")
        k = g.op("Transpose", [g.op("MatMul", [k, rotation], L + "rope_k")], L + "k", perm=[0, 2, 1, 3])
        keys = g.op("Concat", [f"key_cache_{layer}", k], L + "keys", f"key_cache_{layer}_out", axis=-2)
        v = reshape(linear(h, w["wv"][layer], L + "wv"), [1, steps, c.kv_heads, head], L + "v")
        v = g.op("Transpose", [v], L + "v", perm=[0, 2, 1, 3])
        values = g.op("Concat", [f"value_cache_{layer}", v], L + "values", f"value_cache_{layer}_out", axis=-2)
        outputs += [keys, values]
        scores = g.op("MatMul", [q, g.op("Transpose", [keys], L + "keys_t", perm=[0, 1, 3, 2])], L + "scores")
        scores = g.op("Add", [g.op("Div", [scores, scale], L + "scale"), mask], L + "masked")
        probs = g.op("Softmax", [scores], L + "softmax", axis=-1)
        a = reshape(g.op("MatMul", [probs, values], L + "attend"), [1, c.heads, steps, head], L + "attend")
        a = reshape(g.op("Transpose", [a], L + "attend", perm=[0, 2, 1, 3]), [1, steps, c.dim], L + "attend")
        x = g.op("Add", [x, linear(a, w["wo"][layer], L + "wo")], L + "residual1")
        h = rmsnorm_nodes(x, g.const(L + "rms_ffn", w["rms_ffn"][layer]), L + "norm2")
        gate, up = linear(h, w["w1"][layer], L + "w1"), linear(h, w["w3"][layer], L + "w3")
        silu = g.op("Mul", [gate, g.op("Sigmoid", [gate], L + "silu")], L + "silu")
        x = g.op("Add", [x, linear(g.op("Mul", [silu, up], L + "gated"), w["w2"][layer], L + "w2")], L + "residual2")
    x = rmsnorm_nodes(x, g.const("rms_final", w["rms_final"]), "norm_final")
    logits = g.op("MatMul", [x, g.const("classifier", w["embedding"].T)], "logits", "logits")

    cache = [1, c.kv_heads, cached, head]
    inputs = [helper.make_tensor_value_info("token", TensorProto.INT32, [1, steps]),
              helper.make_tensor_value_info("position", TensorProto.INT32, [1, steps]),
              helper.make_tensor_value_info("mask", TensorProto.INT8, [steps, cached + steps])]
    for layer in range(c.layers):
        inputs += [helper.make_tensor_value_info(f"{kind}_cache_{layer}", TensorProto.FLOAT, cache)
                   for kind in ("key", "value")]
    grown = [1, c.kv_heads, cached + steps, head]
    graph_outputs = [helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, steps, c.vocab])]
    graph_outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, grown) for o in outputs]
    name = f"stories260K_float_{steps}_after_{cached}"
    graph = helper.make_graph(g.nodes, name, inputs, graph_outputs, g.initializers)
    model = helper.make_model(graph, producer_name="deeploy models/tinystories",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# ---- example steps in Deeploy's test layout ----

def step_arrays(c, w, tokens, positions, mask, caches):
    """The step's inputs in graph order and the reference's outputs."""
    logits, grown = forward(c, w, tokens, positions, mask, caches)
    inputs = [tokens[None].astype(np.int32), positions[None].astype(np.int32), mask]
    inputs += [cache[None] for pair in caches for cache in pair]
    return inputs, [logits[None]] + [cache[None] for pair in grown for cache in pair]


def prefill_step(c, w, golden, steps):
    """The first `steps` golden tokens into empty caches; expected logits: the golden ones."""
    tokens = golden["tokens"][:steps]
    inputs, outputs = step_arrays(c, w, tokens, np.arange(steps), causal_mask(steps), empty_caches(c))
    outputs[0] = golden["logits"][None, :steps]
    return build_step(c, w, steps, 0), inputs, outputs


def decode_step(c, w, golden, history, slots):
    """Golden token `history` after caches of `slots` rows whose first `history` rows hold the earlier
    golden tokens (the others zero and masked); expected logits: the golden ones."""
    _, grown = forward(c, w, golden["tokens"][:history], np.arange(history), causal_mask(history), empty_caches(c))
    padding = [(0, 0), (0, slots - history), (0, 0)]
    caches = [(np.pad(k, padding), np.pad(v, padding)) for k, v in grown]
    mask = np.zeros((1, slots + 1), np.int8)
    mask[0, history:slots] = -1
    inputs, outputs = step_arrays(c, w, golden["tokens"][history:history + 1], np.array([history]), mask, caches)
    outputs[0] = golden["logits"][None, history:history + 1]
    return build_step(c, w, 1, slots), inputs, outputs


def write_step(directory, model, inputs, outputs):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "network.onnx")
    onnx.save(model, path)
    np.savez_compressed(os.path.join(directory, "inputs.npz"), **{f"input_{i}": a for i, a in enumerate(inputs)})
    np.savez_compressed(os.path.join(directory, "outputs.npz"), **{f"output_{i}": a for i, a in enumerate(outputs)})
    print(f"{path}: {model.graph.name}, {len(model.graph.node)} nodes, {os.path.getsize(path)} bytes")


def load_golden(directory, name):
    with np.load(os.path.join(directory, name)) as data:
        return {"tokens": data["tokens"], "logits": data["logits"]}


def check_golden(c, w, golden, name):
    """The reference over a whole golden run in one prefill; fails beyond the issue's tolerance."""
    steps = len(golden["tokens"])
    logits, _ = forward(c, w, golden["tokens"], np.arange(steps), causal_mask(steps), empty_caches(c))
    absolute, relative = golden_error(logits, golden["logits"])
    print(f"{name}: NumPy reference against llama2.c over {logits.size} logits: "
          f"max abs error {absolute:.3g}, max error relative to max(1, |golden|) {relative:.3g}")
    if relative > TOLERANCE:
        raise SystemExit(f"{name}: the reference misses the golden logits by more than {TOLERANCE} (relative)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=os.path.join(SHARED, "stories260K.bin"))
    parser.add_argument("--golden", default=SHARED, help="folder of the golden greedy_*.npz files")
    parser.add_argument("--tokenizer", default=None, help="llama2.c tokenizer (default: tok512.bin beside the checkpoint)")
    parser.add_argument("-o", "--out", default=HERE)
    args = parser.parse_args()
    tokenizer = args.tokenizer or os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "tok512.bin")
    c, w = load_checkpoint(args.checkpoint)
    goldens = {name: load_golden(args.golden, name) for name in GOLDEN}
    for name, golden in goldens.items():
        check_golden(c, w, golden, name)
    once = goldens[GOLDEN[0]]
    write_step(os.path.join(args.out, "float_decode_511"), *decode_step(c, w, once, 255, 511))
    write_step(os.path.join(args.out, "float_prefill_16"), *prefill_step(c, w, once, 16))
    # deeploy generate finds the tokenizer through this file (it is read from the shared copy, not copied).
    with open(os.path.join(args.out, "generation.json"), "w") as f:
        json.dump({"tokenizer": os.path.relpath(os.path.abspath(tokenizer), os.path.abspath(args.out)),
                   "note": "llama2.c tokenizer of stories260K, relative to this file (deeploy generate)"}, f)


if __name__ == "__main__":
    main()
