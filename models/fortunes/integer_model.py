"""The integer TinyLlama: post-training quantization of the float model and its integer graph.

Quantization (per tensor, symmetric, int8): every weight matrix gets scale max|W| / 127; every
activation point gets max|a| / 127 over a calibration set of training text. A RequantShift from
scale s_in to s_out has mul = round(2^16 * s_in / s_out), div = 2^16, add = 0 (as in microLlama).

The graph of one step for T new tokens after N cached ones (build_step):
  token [1,T] int32 -> Gather(embedding int8 [V,64])  ............... x (residual, int8)
  position [1,T] int32 -> Gather(rotations int8 [256,4,4]) .......... R = round(127 * R(p)) [1,T,4,4]
  mask [T, N+T] int8 (0 = attend, -1 = masked)
  per layer: microLlama's decoder layer (see STRUCTURE.md), the caches [1,16,N,4] in, [1,16,N+T,4] out
  iRMSNorm(final) -> MatMul(embedding^T) ............................ logits int32 [1,T,V]
"""
import math

import numpy as np
import torch

import intgraph
import model

RQ_DIV = 1 << 16
NORM_D = 1 << 16
# iSoftmax input steps per halving of an attention weight. The scores pass an int8 clamp and are
# then halved (TrueIntegerDiv by sqrt(head_dim) = 2), so unmasked scores lie in [-64, 63]; the mask
# adds -256, so a masked score is clamped to -128, at least 64 steps = 16 halvings below every row
# maximum: weight 2^-16 relative to the best key, whatever the scores (causal prefill included).
SOFTMAX_LOG2 = 4
HARDSWISH_ONE_OVER_SIX = 1
TRUE_DIV = dict(Delta=16384, eps=1, eta=200000, y=2)  # as microLlama: x * 8191, then RQ mul 4 -> x / 2
TRUE_DIV_RQ_MUL = 4
ROTATION_ONE = 127
PROB_RQ_MUL = 1 << 15  # softmax output [0, 255] -> [0, 127]


def _requant(scale_in, target_scale):
    """mul of a RequantShift from scale_in towards target_scale, and the exact output scale it gives."""
    mul = max(1, int(round(RQ_DIV * scale_in / target_scale)))
    return mul, scale_in * RQ_DIV / mul


# ---------------------------------------------------------------- calibration (float)

def float_points(net, tokens):
    """The float values at every point the integer graph quantizes, for tokens [1, T]."""
    points = {}
    length = tokens.shape[1]
    cos, sin = net.cos[:length], net.sin[:length]
    mask = torch.full((length, length), float("-inf")).triu(1)
    heads = lambda t: t.view(1, length, model.HEADS, model.HEAD_DIM).transpose(1, 2)
    x = net.embedding(tokens)
    for index, layer in enumerate(net.layers):
        p = f"L{index}."
        att = layer.attention
        n1 = layer.attention_norm(x)
        q, k, v = att.q(n1), att.k(n1), att.v(n1)
        qr, kr = model.rotate(heads(q), cos, sin), model.rotate(heads(k), cos, sin)
        logits = qr @ kr.transpose(-1, -2) / math.sqrt(model.HEAD_DIM)
        ao = torch.softmax(logits.clamp(-model.LOGIT_LIMIT, model.LOGIT_LIMIT) + mask, -1) @ heads(v)
        b1 = att.o(ao.transpose(1, 2).reshape(1, length, model.WIDTH))
        x1 = x + b1
        n2 = layer.mlp_norm(x1)
        g, u = layer.mlp.gate(n2), layer.mlp.up(n2)
        h = torch.nn.functional.hardswish(g)
        b2 = layer.mlp.down(h * u)
        x2 = x1 + b2
        points.update({p + "x": x, p + "n1": n1, p + "q": q, p + "k": k, p + "v": v, p + "qr": qr, p + "kr": kr,
                       p + "logits": logits, p + "ao": ao, p + "b1": b1, p + "x1": x1, p + "n2": n2, p + "g": g,
                       p + "h": h, p + "u": u, p + "m": h * u, p + "b2": b2})
        x = x2
    points["final_x"] = x
    points["f"] = net.final_norm(x)
    return points


@torch.no_grad()
def calibrate(net, windows):
    """max |value| of every point over the calibration windows (each a [1, T] token tensor)."""
    peaks = {}
    for tokens in windows:
        for name, value in float_points(net, tokens).items():
            peaks[name] = max(peaks.get(name, 0.0), float(value.abs().max()))
    return peaks


# ---------------------------------------------------------------- integer parameters

def _weight(matrix):
    """torch Linear weight [out, in] -> int8 [in, out] for x @ W, and its scale."""
    w = matrix.detach().double().numpy().T
    scale = np.abs(w).max() / 127
    return np.round(w / scale).astype(np.int8), scale


def _norm_weight(gain, out_scale):
    return np.round(gain.detach().double().numpy() * NORM_D / out_scale).astype(np.int32)


def quantize(net, peaks):
    """The integer parameters: a flat dict of int8/int32 arrays and Python ints (muls, attributes).

    Each RequantShift's output scale is taken from its rounded mul, so rounding a mul changes
    where the next scale lies, not the values the float model would have."""
    s = {name: peak / 127 for name, peak in peaks.items()}
    q = {}
    embedding, s_x = _weight(net.embedding.weight)  # int8 [64, V]: the LM head; its transpose is the token table
    q["embedding"] = embedding.T.copy()
    rotations = model.rotation_matrices(torch.arange(model.MAX_CONTEXT)).double().numpy()
    q["rotations"] = np.round(rotations * ROTATION_ONE).astype(np.int8)
    s_logit = math.log(2) / SOFTMAX_LOG2
    s_prob = 2 / 255
    for index, layer in enumerate(net.layers):
        p = f"L{index}."
        att, mlp = layer.attention, layer.mlp
        q[p + "norm1"] = _norm_weight(layer.attention_norm.weight, s[p + "n1"])
        act = {}
        for name, linear in (("q", att.q), ("k", att.k), ("v", att.v)):
            q[p + "w" + name], s_w = _weight(linear.weight)
            q[p + "mul_" + name], act[name] = _requant(s[p + "n1"] * s_w, s[p + name])
        # the rotation keeps norms but may grow one coordinate: own scales after it
        q[p + "mul_qr"], s_qr = _requant(act["q"] / ROTATION_ONE, s[p + "qr"])
        q[p + "mul_kr"], s_kr = _requant(act["k"] / ROTATION_ONE, s[p + "kr"])
        q[p + "mul_scores"], _ = _requant(s_qr * s_kr, s_logit)
        q[p + "mul_ao"], s_ao = _requant(s_prob * act["v"], s[p + "ao"])
        q[p + "wo"], s_wo = _weight(att.o.weight)
        q[p + "mul_b1"], s_add1 = _requant(s_ao * s_wo, max(s_x, s[p + "b1"]))
        q[p + "mul_res1"], _ = _requant(s_x, s_add1)
        q[p + "mul_x1"], s_x1 = _requant(s_add1, s[p + "x1"])
        q[p + "norm2"] = _norm_weight(layer.mlp_norm.weight, s[p + "n2"])
        q[p + "wg"], s_wg = _weight(mlp.gate.weight)
        q[p + "mul_g"], s_g = _requant(s[p + "n2"] * s_wg, s[p + "g"])
        three = int(round(3 / s_g))
        q[p + "hardswish_three"], q[p + "hardswish_six"] = three, 2 * three
        # hardswish(s_g x) ~ (s_g x) (s' clamp(x + three, 0, six)) / 6 with s' = 3 / three ~ s_g
        q[p + "mul_h"], s_h = _requant(s_g * (3 / three) / (6 * HARDSWISH_ONE_OVER_SIX), s[p + "h"])
        q[p + "wu"], s_wu = _weight(mlp.up.weight)
        q[p + "mul_u"], s_u = _requant(s[p + "n2"] * s_wu, s[p + "u"])
        q[p + "mul_m"], s_m = _requant(s_h * s_u, s[p + "m"])
        q[p + "wd"], s_wd = _weight(mlp.down.weight)
        q[p + "mul_b2"], s_add2 = _requant(s_m * s_wd, max(s_x1, s[p + "b2"]))
        q[p + "mul_res2"], _ = _requant(s_x1, s_add2)
        next_peak = s[f"L{index + 1}.x"] if index + 1 < model.LAYERS else s["final_x"]
        q[p + "mul_x2"], s_x = _requant(s_add2, next_peak)
    q["final_norm"] = _norm_weight(net.final_norm.weight, s["f"])
    q["logit_scale"] = s["f"] * np.abs(net.embedding.weight.detach().double().numpy()).max() / 127
    return q


# ---------------------------------------------------------------- integer graph

def build_step(q, tokens, positions, mask, caches):
    """One step of T tokens after N cached ones; returns the graph, the logits name and the new caches.

    tokens, positions: [1, T] ints; mask: [T, N + T] of 0 (attend) / -1 (masked);
    caches: per layer (keys, values) int8 [1, 16, N, 4] (rotated keys, as the step returns them).
    """
    g = intgraph.Graph()
    length = tokens.shape[1]
    token = g.input("token", tokens, np.int32)
    position = g.input("position", positions, np.int32)
    mask_in = g.input("mask", mask, np.int8)
    cache_inputs = []
    for index, (keys, values) in enumerate(caches):
        cache_inputs.append((g.input(f"key_cache_{index}", keys, np.int8),
                             g.input(f"value_cache_{index}", values, np.int8)))
    embedding = g.constant("embedding", q["embedding"], np.int8)
    rotations = g.gather(g.constant("rotations", q["rotations"], np.int8), position, hint="rotation")
    mask_rq = g.requant(mask_in, 128 * RQ_DIV, hint="mask")  # -1 -> -128
    mask_rq = g.add(mask_rq, mask_rq, hint="mask")  # -256: beyond the int8 range of any score
    x = g.gather(embedding, token, hint="embedding")
    new_caches = []
    for index in range(model.LAYERS):
        x, key_out, value_out = _decoder_layer(g, q, f"L{index}.", x, rotations, mask_rq, *cache_inputs[index], length)
        new_caches += [key_out, value_out]
    final = g.irmsnorm(x, g.constant("final_norm", q["final_norm"], np.int32), NORM_D, hint="final_norm")
    head = g.constant("lm_head", q["embedding"].T.copy(), np.int8)
    logits = g.matmul(final, head, hint="logits")
    g.mark_output(logits)
    for name in new_caches:
        g.mark_output(name)
    return g, logits, new_caches


def _project(g, q, p, x, name):
    return g.requant(g.matmul(x, g.constant(p + "w" + name, q[p + "w" + name], np.int8), hint=p + name),
                     q[p + "mul_" + name], hint=p + name)


def _heads(g, x, length, hint):
    return g.reshape(x, [1, length, model.HEADS, model.HEAD_DIM], hint=hint)


def _decoder_layer(g, q, p, x, rotations, mask_rq, key_cache, value_cache, length):
    n1 = g.irmsnorm(x, g.constant(p + "norm1", q[p + "norm1"], np.int32), NORM_D, hint=p + "norm1")
    identity = RQ_DIV
    # keys: project, rotate, [1,16,T,4], append to the cache
    k = g.requant(g.matmul(_heads(g, _project(g, q, p, n1, "k"), length, p + "k"), rotations, hint=p + "rope_k"),
                  q[p + "mul_kr"], hint=p + "rope_k")
    k = g.requant(g.transpose(k, [0, 2, 1, 3], hint=p + "k"), identity, hint=p + "k")
    keys = g.requant(g.concat([key_cache, k], axis=-2, hint=p + "keys"), identity, hint=p + "keys")
    # queries
    qr = g.requant(g.matmul(_heads(g, _project(g, q, p, n1, "q"), length, p + "q"), rotations, hint=p + "rope_q"),
                   q[p + "mul_qr"], hint=p + "rope_q")
    qr = g.transpose(qr, [0, 2, 1, 3], hint=p + "q")
    # scores / sqrt(4), mask, softmax
    scores = g.requant(g.matmul(qr, g.transpose(keys, [0, 1, 3, 2], hint=p + "keys_t"), hint=p + "scores"),
                       q[p + "mul_scores"], hint=p + "scores")
    scores = g.requant(g.true_integer_div(scores, hint=p + "scale", **TRUE_DIV), TRUE_DIV_RQ_MUL, hint=p + "scale")
    scores = g.requant(g.add(scores, mask_rq, hint=p + "masked"), identity, hint=p + "masked")
    probs = g.requant(g.isoftmax(scores, *intgraph.softmax_coefficients(SOFTMAX_LOG2), SOFTMAX_LOG2, hint=p + "softmax"),
                      PROB_RQ_MUL, hint=p + "probs")
    # values
    v = g.requant(g.transpose(_heads(g, _project(g, q, p, n1, "v"), length, p + "v"), [0, 2, 1, 3], hint=p + "v"),
                  identity, hint=p + "v")
    values = g.requant(g.concat([value_cache, v], axis=-2, hint=p + "values"), identity, hint=p + "values")
    ao = g.requant(g.matmul(probs, values, hint=p + "attend"), q[p + "mul_ao"], hint=p + "attend")
    ao = g.reshape(g.transpose(ao, [0, 2, 1, 3], hint=p + "attend"), [1, length, model.WIDTH], hint=p + "attend")
    b1 = g.requant(g.matmul(ao, g.constant(p + "wo", q[p + "wo"], np.int8), hint=p + "o"), q[p + "mul_b1"], hint=p + "o")
    x1 = g.add(g.requant(x, q[p + "mul_res1"], hint=p + "residual1"), b1, hint=p + "residual1")
    x1 = g.requant(x1, q[p + "mul_x1"], hint=p + "residual1")
    # gated MLP with Hardswish on the gate
    n2 = g.irmsnorm(x1, g.constant(p + "norm2", q[p + "norm2"], np.int32), NORM_D, hint=p + "norm2")
    gate = _project(g, q, p, n2, "g")
    three, six = q[p + "hardswish_three"], q[p + "hardswish_six"]
    h = g.requant(g.ihardswish(gate, HARDSWISH_ONE_OVER_SIX, three, six, hint=p + "hardswish"), q[p + "mul_h"],
                  hint=p + "hardswish")
    m = g.requant(g.mul(h, _project(g, q, p, n2, "u"), hint=p + "gated"), q[p + "mul_m"], hint=p + "gated")
    b2 = g.requant(g.matmul(m, g.constant(p + "wd", q[p + "wd"], np.int8), hint=p + "down"), q[p + "mul_b2"],
                   hint=p + "down")
    x2 = g.add(g.requant(x1, q[p + "mul_res2"], hint=p + "residual2"), b2, hint=p + "residual2")
    return g.requant(x2, q[p + "mul_x2"], hint=p + "residual2"), keys, values


def empty_caches(cached=0):
    shape = (1, model.HEADS, cached, model.HEAD_DIM)
    return [(np.zeros(shape, np.int64), np.zeros(shape, np.int64)) for _ in range(model.LAYERS)]


def causal_mask(length, cached=0):
    """[T, N + T]: new token t sees the N cached ones and new ones up to itself."""
    return -np.triu(np.ones((length, cached + length), np.int64), cached + 1)
