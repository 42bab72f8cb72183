"""Greedy text generation with the float model or the integer reference (the NumPy graph).

    /usr/bin/python3 models/fortunes/generate.py "prompt" [--integer] [--padded N] [--tokens 100]

--integer runs the integer graph one decode step at a time, each with exactly the cached tokens;
--padded N runs it as a fixed-size network would: caches of N slots, unused slots masked.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import integer_model  # noqa: E402
import model  # noqa: E402
import tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load_float(build_dir):
    checkpoint = torch.load(os.path.join(build_dir, "float.pt"))
    net = model.TinyLlama(checkpoint["vocab_size"])
    net.load_state_dict(checkpoint["state_dict"])
    return net.eval(), checkpoint


def load_quantized(build_dir):
    with np.load(os.path.join(build_dir, "quantized.npz")) as data:
        return {k: (v.item() if v.ndim == 0 else v) for k, v in data.items()}


def _stop(ids, prompt_length, max_new):
    return len(ids) - prompt_length >= max_new or ids[-1] == tokenizer.END_OF_TEXT or len(ids) >= model.MAX_CONTEXT


@torch.no_grad()
def float_greedy(net, prompt_ids, max_new):
    ids = list(prompt_ids)
    while not _stop(ids, len(prompt_ids), max_new):
        ids.append(int(net(torch.tensor([ids]))[0, -1].argmax()))
    return ids


def _greedy(step, prompt_ids, max_new):
    """Feeds the prompt, then the argmax of each step's logits; step(token, position) -> logits."""
    ids = list(prompt_ids)
    for position in range(model.MAX_CONTEXT):
        logits = step(ids[position], position)
        if position + 1 == len(ids):
            ids.append(int(np.argmax(logits)))
            if _stop(ids, len(prompt_ids), max_new):
                break
    return ids


def integer_greedy(q, prompt_ids, max_new):
    """Decode steps with exactly N cached tokens (the networks microLlamaN has)."""
    caches = integer_model.empty_caches()

    def step(token, position):
        nonlocal caches
        graph, logits, new = integer_model.build_step(q, np.array([[token]]), np.array([[position]]),
                                                      integer_model.causal_mask(1, position), caches)
        caches = [(graph[new[2 * i]], graph[new[2 * i + 1]]) for i in range(model.LAYERS)]
        return graph[logits][0, -1]

    return _greedy(step, prompt_ids, max_new)


def padded_greedy(q, prompt_ids, max_new, slots):
    """Decode steps of one fixed network with `slots` cache slots: slot p holds token p, the rest masked."""
    caches = integer_model.empty_caches(slots)

    def step(token, position):
        assert position < slots, "more tokens than cache slots"
        mask = np.zeros((1, slots + 1), np.int64)
        mask[0, position:slots] = -1
        graph, logits, new = integer_model.build_step(q, np.array([[token]]), np.array([[position]]), mask, caches)
        for i in range(model.LAYERS):
            for j in range(2):
                caches[i][j][:, :, position] = graph[new[2 * i + j]][:, :, slots]
        return graph[logits][0, -1]

    return _greedy(step, prompt_ids, max_new)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prompt")
    parser.add_argument("--build", default=os.path.join(HERE, "build"))
    parser.add_argument("--integer", action="store_true")
    parser.add_argument("--padded", type=int, help="cache slots of a fixed-size decode network")
    parser.add_argument("--tokens", type=int, default=100)
    args = parser.parse_args()
    tok = tokenizer.Tokenizer.load(os.path.join(args.build, "tokenizer.json"))
    prompt = tok.encode(args.prompt)
    if args.padded:
        ids = padded_greedy(load_quantized(args.build), prompt, args.tokens, args.padded)
    elif args.integer:
        ids = integer_greedy(load_quantized(args.build), prompt, args.tokens)
    else:
        ids = float_greedy(load_float(args.build)[0], prompt, args.tokens)
    print(tok.decode([i for i in ids if i != tokenizer.END_OF_TEXT]))


if __name__ == "__main__":
    main()
