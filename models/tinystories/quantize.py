"""Post-training quantization of stories260K into deeploy's integer dialect (integer_model.py), its
negative log-likelihood against the float model, and the integer steps in Deeploy's test layout.

    /usr/bin/python3 models/tinystories/quantize.py [--checkpoint FILE] [--samples FILE] [--golden FILE] [-o DIR]

Calibration: a float64 NumPy forward (float_points) over the first 32 stories of samples_t1.npz, each
read as one causal prefill, gives every quantized point's 99.99th percentile of |value| (per channel the
maximum for the MLP's u and m) and per layer the 99.9th percentile of the attention rows' maxima.
Measure: the mean NLL (nats/token) of the integer reference (its int32 logits times logit_scale) and of
the float64 forward on the last 16 stories, every position whose next token exists, each story as one
prefill of its tokens with a causal mask and empty caches. The steps are written only when the integer
NLL is within 3% of the float one:

- DIR/int8_decode_511: one token after 511 cache slots, the example at position 255 of the golden "Once
  upon a time" run (caches holding the integer model's rows of its first 255 tokens, the rest zero and
  masked), as import_float.py's float_decode_511;
- DIR/int8_prefill_16: its first 16 tokens into empty caches [1, 4, 0, 8] with a causal mask;
each as network.onnx, inputs.npz and outputs.npz (input_i / output_i in graph order; the outputs are the
integer reference's), and generation.json (logit_scale, the tokenizer relative to the folder), which
deeploy generate and score read. DIR defaults to this folder.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import import_float  # noqa: E402
import integer_model  # noqa: E402

CALIBRATION = slice(0, 32)
EVALUATION = slice(32, 48)
ACTIVATION_PERCENTILE = 99.99
SCORE_TOP_PERCENTILE = 99.9
GOAL = 1.03  # integer NLL at most this times the float NLL


# ---------------------------------------------------------------- the float model, in float64

def load(path):
    c, w = import_float.load_checkpoint(path)
    return c, {name: value.astype(np.float64) for name, value in w.items()}


def rmsnorm(x, gain):
    return gain * x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + float(import_float.EPS))


def float_points(c, w, tokens):
    """The float64 values at every point the integer graph quantizes, for one story read in one causal
    prefill (tokens [T]); `scores` are the scaled attention scores, the masked ones at -inf."""
    steps, head, group = len(tokens), c.dim // c.heads, c.heads // c.kv_heads
    rotation = import_float.rotation_matrices(c).astype(np.float64)[:steps]
    hidden = np.triu(np.ones((steps, steps), bool), 1)
    points = {}
    x = w["embedding"][tokens]
    for layer in range(c.layers):
        p = f"L{layer}."
        n1 = rmsnorm(x, w["rms_att"][layer])
        q, k, v = n1 @ w["wq"][layer].T, n1 @ w["wk"][layer].T, n1 @ w["wv"][layer].T
        qr = np.einsum("thi,tij->thj", q.reshape(steps, c.heads, head), rotation)
        kr = np.einsum("thi,tij->thj", k.reshape(steps, c.kv_heads, head), rotation)
        keys = np.repeat(kr.transpose(1, 0, 2), group, axis=0)
        values = np.repeat(v.reshape(steps, c.kv_heads, head).transpose(1, 0, 2), group, axis=0)
        scores = np.where(hidden, -np.inf, qr.transpose(1, 0, 2) @ keys.transpose(0, 2, 1) / math.sqrt(head))
        probs = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs /= probs.sum(axis=-1, keepdims=True)
        ao = probs @ values
        b1 = ao.transpose(1, 0, 2).reshape(steps, c.dim) @ w["wo"][layer].T
        x1 = x + b1
        n2 = rmsnorm(x1, w["rms_ffn"][layer])
        gate, up = n2 @ w["w1"][layer].T, n2 @ w["w3"][layer].T
        h = gate / (1 + np.exp(-gate))
        b2 = (h * up) @ w["w2"][layer].T
        points.update({p + "x": x, p + "n1": n1, p + "v": v, p + "qr": qr, p + "kr": kr, p + "scores": scores,
                       p + "ao": ao, p + "b1": b1, p + "x1": x1, p + "n2": n2, p + "g": gate, p + "u": up, p + "h": h,
                       p + "m": h * up, p + "b2": b2})
        x = x1 + b2
    points["final_x"] = x
    points["f"] = rmsnorm(x, w["rms_final"])
    points["logits"] = points["f"] @ w["embedding"].T
    return points


def calibrate(c, w, calibration):
    """The clipping peaks of |value| per point (u_c, m_c: per channel) and per layer the scores' window top."""
    values, row_max = {}, {}
    for tokens in calibration:
        for name, value in float_points(c, w, tokens).items():
            if name.endswith("scores"):
                row_max.setdefault(name, []).append(value.max(axis=-1).ravel())
            else:
                values.setdefault(name, []).append(np.abs(value).reshape(-1, value.shape[-1]))
    peaks = {}
    for name, parts in values.items():
        a = np.concatenate(parts)
        peaks[name] = float(np.percentile(a, ACTIVATION_PERCENTILE))
        if name.endswith((".u", ".m")):
            peaks[name + "_c"] = a.max(axis=0)
    tops = [float(np.percentile(np.concatenate(row_max[f"L{layer}.scores"]), SCORE_TOP_PERCENTILE))
            for layer in range(c.layers)]
    return peaks, tops


# ---------------------------------------------------------------- negative log-likelihood

def nll(logits, tokens):
    """Summed -log softmax(logits[t])[tokens[t + 1]] over the positions whose next token exists, and their count."""
    target = tokens[1:]
    logits = logits[:-1].astype(np.float64)
    top = logits.max(axis=-1)
    log_total = np.log(np.exp(logits - top[:, None]).sum(axis=-1)) + top
    return float((log_total - logits[np.arange(len(target)), target]).sum()), len(target)


def prefill(q, tokens):
    """The integer step reading tokens [T] into empty caches with a causal mask."""
    steps = len(tokens)
    return integer_model.build_step(q, tokens[None], np.arange(steps)[None], import_float.causal_mask(steps),
                                    integer_model.empty_caches(q["config"]))


def integer_nll(q, tokens):
    graph, logits, _ = prefill(q, tokens)
    return nll(graph[logits][0] * q["logit_scale"], tokens)


def mean_nll(results):
    total, count = map(sum, zip(*results))
    return total / count, count


def stories(path, which):
    """The stories' valid tokens (BOS first, the -1 padding dropped)."""
    with np.load(path) as data:
        return [row[row >= 0] for row in data["tokens"][which]]


# ---------------------------------------------------------------- the steps

def decode_step(q, tokens, history, slots):
    """tokens[history] after caches of `slots` rows whose first `history` rows hold the integer model's
    rows of the earlier tokens, the others zero and masked."""
    graph, _, grown = prefill(q, tokens[:history])
    padding = [(0, 0), (0, 0), (0, slots - history), (0, 0)]
    caches = [(np.pad(graph[grown[2 * i]], padding), np.pad(graph[grown[2 * i + 1]], padding))
              for i in range(q["config"].layers)]
    mask = np.zeros((1, slots + 1), np.int64)
    mask[0, history:slots] = -1
    return integer_model.build_step(q, tokens[None, history:history + 1], np.array([[history]]), mask, caches)[0]


def write_step(graph, name, directory, q, tokenizer):
    model = graph.to_onnx(name)
    model.producer_name = "deeploy models/tinystories"
    import_float.write_step(directory, model, [graph[n].astype(t) for n, t in graph.inputs],
                            [graph[n].astype(graph.types[n]) for n in graph.outputs])
    # deeploy generate and score read the size of one integer logit step and the tokenizer from here.
    with open(os.path.join(directory, "generation.json"), "w") as f:
        json.dump({"logit_scale": q["logit_scale"],
                   "tokenizer": os.path.relpath(os.path.abspath(tokenizer), os.path.abspath(directory)),
                   "note": "nats per integer logit unit; llama2.c tokenizer of stories260K relative to this file"}, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=os.path.join(import_float.SHARED, "stories260K.bin"))
    parser.add_argument("--samples", default=os.path.join(import_float.SHARED, "samples_t1.npz"))
    parser.add_argument("--golden", default=os.path.join(import_float.SHARED, import_float.GOLDEN[0]))
    parser.add_argument("--tokenizer", default=os.path.join(import_float.SHARED, "tok512.bin"))
    parser.add_argument("-o", "--out", default=HERE)
    args = parser.parse_args()
    start = time.time()
    c, w = load(args.checkpoint)
    peaks, tops = calibrate(c, w, stories(args.samples, CALIBRATION))
    q = integer_model.quantize(c, w, peaks, tops)
    evaluation = stories(args.samples, EVALUATION)
    float_result, count = mean_nll([nll(float_points(c, w, tokens)["logits"], tokens) for tokens in evaluation])
    integer_result, _ = mean_nll([integer_nll(q, tokens) for tokens in evaluation])
    ratio = integer_result / float_result
    print(f"mean NLL over the last {len(evaluation)} stories ({count} tokens): float {float_result:.4f}, "
          f"integer {integer_result:.4f} nats/token (x {ratio:.4f}); logit_scale {q['logit_scale']:.6g}; "
          f"{time.time() - start:.0f} s")
    if ratio > GOAL:
        raise SystemExit(f"the integer NLL is more than {GOAL} x the float one: no steps written")
    with np.load(args.golden) as data:
        golden = data["tokens"].astype(np.int64)
    write_step(decode_step(q, golden, 255, 511), "stories260K_int8_1_after_511",
               os.path.join(args.out, "int8_decode_511"), q, args.tokenizer)
    write_step(prefill(q, golden[:16])[0], "stories260K_int8_16_after_0",
               os.path.join(args.out, "int8_prefill_16"), q, args.tokenizer)


if __name__ == "__main__":
    main()
