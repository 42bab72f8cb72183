"""Integerizes the trained float model with a calibration set and checks the integer reference.

    /usr/bin/python3 models/fortunes/quantize.py [--build DIR] [--prompt TEXT]

Writes DIR/quantized.npz (int8 weights, int32 norm weights, RequantShift muls, iHardswish and
iSoftmax constants) and DIR/quantized.json (the losses and samples below). Prints the held-out loss
of the float and of the integer model (the integer logits times their scale), and greedy samples of
the float model, the integer model (exact caches) and the integer model with masked cache slots.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")  # must precede loading numpy and torch
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import generate  # noqa: E402
import integer_model  # noqa: E402
import train  # noqa: E402
import tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def windows(stream, count, length, seed):
    generator = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, len(stream) - length - 1, (count,), generator=generator).tolist()
    return [stream[s:s + length + 1] for s in starts]


def integer_loss(q, window):
    """Mean cross entropy of the integer model's logits (int32 times logit_scale) over one window."""
    ids = window[:-1].tolist()
    graph, logits, _ = integer_model.build_step(q, np.array([ids]), np.arange(len(ids))[None],
                                                integer_model.causal_mask(len(ids)), integer_model.empty_caches())
    real = torch.tensor(graph[logits][0] * q["logit_scale"], dtype=torch.float64)
    return F.cross_entropy(real, window[1:]).item()


@torch.no_grad()
def float_loss(net, window):
    return F.cross_entropy(net(window[None, :-1])[0], window[1:]).item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(HERE, "build"))
    parser.add_argument("--calibration", type=int, default=64, help="calibration windows of --context tokens")
    parser.add_argument("--evaluation", type=int, default=32, help="held-out windows to score")
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--prompt", action="append", help="sample prompt (repeatable)")
    parser.add_argument("--sample-tokens", type=int, default=60)
    args = parser.parse_args()
    torch.set_num_threads(2)
    start = time.time()
    net, checkpoint = generate.load_float(args.build)
    settings = checkpoint["summary"]
    tok = tokenizer.Tokenizer.load(os.path.join(args.build, "tokenizer.json"))
    text_file = None if settings["text"] == "fortunes" else settings["text"]
    train_texts, validation_texts = corpus.load(text_file, seed=settings["seed"])
    train_stream = train.token_stream(tok, train_texts[:2000])
    validation_stream = train.token_stream(tok, validation_texts)

    calibration = [w[None, :-1] for w in windows(train_stream, args.calibration, args.context, seed=1)]
    peaks = integer_model.calibrate(net, calibration)
    q = integer_model.quantize(net, peaks)
    np.savez(os.path.join(args.build, "quantized.npz"), **q)
    logit_peak = max(v for k, v in peaks.items() if k.endswith("logits"))
    print(f"calibrated on {args.calibration} x {args.context} tokens; largest attention logit {logit_peak:.2f}")

    evaluation = windows(validation_stream, args.evaluation, args.context, seed=2)
    losses = {"float": float(np.mean([float_loss(net, w) for w in evaluation])),
              "integer": float(np.mean([integer_loss(q, w) for w in evaluation]))}
    print(f"held-out loss over {args.evaluation} x {args.context} tokens: float {losses['float']:.3f}, "
          f"integer {losses['integer']:.3f} nats/token")

    samples = []
    for prompt in args.prompt or ["The meaning of life is", "Q: What do you call", "A computer"]:
        ids = tok.encode(prompt)
        texts = {
            "float": generate.float_greedy(net, ids, args.sample_tokens),
            "integer": generate.integer_greedy(q, ids, args.sample_tokens),
            "integer, 255 masked slots": generate.padded_greedy(q, ids, args.sample_tokens, 255),
        }
        for kind, out in texts.items():
            text = tok.decode([i for i in out if i != tokenizer.END_OF_TEXT])
            samples.append({"prompt": prompt, "kind": kind, "text": text})
            print(f"--- {kind}:\n{text}")
    report = {"losses": losses, "largest_attention_logit": logit_peak, "samples": samples,
              "seconds": time.time() - start}
    with open(os.path.join(args.build, "quantized.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(f"{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
