"""Writes the integer TinyLlama as ONNX networks in Deeploy's test layout, with example inputs and the
outputs of the NumPy integer reference (the same graph, evaluated while it is built).

    /usr/bin/python3 models/fortunes/export.py decode --cached N  [--slots] -o DIR
    /usr/bin/python3 models/fortunes/export.py prefill --tokens T -o DIR

decode: one step of one token after N cached ones (as microLlamaN). The example caches come from
the integer model reading N tokens of held-out text; with --slots they are N cache slots of which
only the first half are filled (the rest zero and masked), as a generation loop with one fixed-size
network uses them. prefill: T tokens with empty caches (as microLlama1_parallel, for T tokens).
DIR gets network.onnx, inputs.npz, outputs.npz (input_i / output_i in graph order).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import generate  # noqa: E402
import integer_model  # noqa: E402
import intgraph  # noqa: E402
import model  # noqa: E402
import tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def example_tokens(tok, count, settings):
    """count tokens of the held-out text of training (documents joined by end-of-text)."""
    ids = []
    text_file = None if settings["text"] == "fortunes" else settings["text"]
    for text in corpus.load(text_file, seed=settings["seed"])[1]:
        ids += tok.encode(text) + [tokenizer.END_OF_TEXT]
        if len(ids) > count:
            return ids[:count]
    raise ValueError("not enough held-out text")


def prefill_step(q, ids):
    length = len(ids)
    return integer_model.build_step(q, np.array([ids]), np.arange(length)[None], integer_model.causal_mask(length),
                                    integer_model.empty_caches())


def decode_step(q, ids, slots):
    """The step that reads ids[-1] after the others; with slots, caches of that many slots."""
    history, token = ids[:-1], ids[-1]
    filled = len(history)
    if filled:
        graph, _, new = prefill_step(q, history)
        caches = [(graph[new[2 * i]], graph[new[2 * i + 1]]) for i in range(model.LAYERS)]
    else:
        caches = integer_model.empty_caches()
    cached = slots or filled
    mask = np.zeros((1, cached + 1), np.int64)
    if slots:
        padding = [(0, 0), (0, 0), (0, slots - filled), (0, 0)]
        caches = [(np.pad(k, padding), np.pad(v, padding)) for k, v in caches]
        mask[0, filled:slots] = -1
    return integer_model.build_step(q, np.array([[token]]), np.array([[filled]]), mask, caches)


def write(graph, name, directory):
    os.makedirs(directory, exist_ok=True)
    intgraph.save(graph.to_onnx(name), os.path.join(directory, "network.onnx"))
    np.savez_compressed(os.path.join(directory, "inputs.npz"),
             **{f"input_{i}": graph[n].astype(t) for i, (n, t) in enumerate(graph.inputs)})
    np.savez_compressed(os.path.join(directory, "outputs.npz"),
             **{f"output_{i}": graph[n].astype(graph.types[n]) for i, n in enumerate(graph.outputs)})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["decode", "prefill"])
    parser.add_argument("--cached", type=int, default=1, help="decode: cached tokens N (cache slots with --slots)")
    parser.add_argument("--slots", action="store_true", help="decode: half-filled, masked caches of N slots")
    parser.add_argument("--tokens", type=int, default=8, help="prefill: tokens T")
    parser.add_argument("--build", default=os.path.join(HERE, "build"))
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    q = generate.load_quantized(args.build)
    settings = generate.load_float(args.build)[1]["summary"]
    tok = tokenizer.Tokenizer.load(os.path.join(args.build, "tokenizer.json"))
    if args.kind == "decode":
        assert 0 <= args.cached < model.MAX_CONTEXT
        history = args.cached // 2 if args.slots else args.cached
        graph, _, _ = decode_step(q, example_tokens(tok, history + 1, settings), args.cached if args.slots else 0)
        name = f"fortunes_decode_{args.cached}{'_slots' if args.slots else ''}"
    else:
        assert 1 <= args.tokens <= model.MAX_CONTEXT
        graph, _, _ = prefill_step(q, example_tokens(tok, args.tokens, settings))
        name = f"fortunes_prefill_{args.tokens}"
    write(graph, name, args.out)
    # deeploy generate --temperature needs the size of one integer logit step in nats.
    with open(os.path.join(HERE, "generation.json"), "w") as f:
        json.dump({"logit_scale": float(q["logit_scale"]),
                   "note": "nats per integer logit unit (deeploy generate --temperature)"}, f)
    size = os.path.getsize(os.path.join(args.out, "network.onnx"))
    print(f"{args.out}/network.onnx: {name}, {len(graph.nodes)} nodes, {size} bytes")


if __name__ == "__main__":
    main()
