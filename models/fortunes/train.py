"""Trains the BPE tokenizer and the float TinyLlama on the fortunes (or --text FILE), on 2 CPU threads.

    /usr/bin/python3 models/fortunes/train.py [--text FILE] [--steps N] [--out DIR]

Writes DIR/tokenizer.json, DIR/float.pt (weights, settings, losses, timings). Fixed seeds: the same
command on the same machine gives the same weights.
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")  # must precede loading numpy and torch
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import model  # noqa: E402
import tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def token_stream(tok, texts):
    ids = []
    for text in texts:
        ids.extend(tok.encode(text))
        ids.append(tokenizer.END_OF_TEXT)
    return torch.tensor(ids, dtype=torch.long)


def batches(stream, batch_size, context, generator):
    starts = torch.randint(0, len(stream) - context - 1, (batch_size,), generator=generator)
    rows = torch.stack([stream[s:s + context + 1] for s in starts.tolist()])
    return rows[:, :-1], rows[:, 1:]


@torch.no_grad()
def mean_loss(net, stream, context, max_windows=64):
    net.eval()
    losses = []
    for start in range(0, min(len(stream) - 1, max_windows * context), context):
        window = stream[start:start + context + 1]
        logits = net(window[None, :-1])
        losses.append(F.cross_entropy(logits[0], window[1:], reduction="sum").item() / (len(window) - 1))
    net.train()
    return float(np.mean(losses))


def learning_rate(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text", help="train on this text file instead of the fortunes")
    parser.add_argument("--out", default=os.path.join(HERE, "build"))
    parser.add_argument("--vocab", type=int, default=512)
    parser.add_argument("--steps", type=int, default=700)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    start, cpu_start = time.time(), time.process_time()

    train_texts, validation_texts = corpus.load(args.text, seed=args.seed)
    tok = tokenizer.train(train_texts, args.vocab)
    tok.save(os.path.join(args.out, "tokenizer.json"))
    train_stream = token_stream(tok, train_texts)
    validation_stream = token_stream(tok, validation_texts)
    text_bytes = sum(len(t.encode()) for t in train_texts)
    tokenizer_seconds = time.time() - start
    print(f"{len(train_texts)} documents, {text_bytes} bytes -> {len(train_stream)} tokens "
          f"({text_bytes / len(train_stream):.2f} bytes/token); tokenizer {tokenizer_seconds:.0f} s", flush=True)

    net = model.TinyLlama(tok.vocab_size)
    print(f"{sum(p.numel() for p in net.parameters())} parameters", flush=True)
    decay = [p for p in net.parameters() if p.dim() == 2]
    no_decay = [p for p in net.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    generator = torch.Generator().manual_seed(args.seed)
    train_start = time.time()
    history = []
    for step in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args.steps, args.lr, warmup=max(1, min(100, args.steps // 10)))
        inputs, targets = batches(train_stream, args.batch, args.context, generator)
        loss = F.cross_entropy(net(inputs).flatten(0, 1), targets.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
        history.append(loss.item())
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step:5d}  loss {np.mean(history[-100:]):.3f}  {time.time() - train_start:6.0f} s", flush=True)
    train_seconds = time.time() - train_start
    validation_loss = mean_loss(net, validation_stream, args.context)
    summary = {
        "steps": args.steps, "batch": args.batch, "context": args.context, "lr": args.lr, "seed": args.seed,
        "train_tokens": len(train_stream), "bytes_per_token": text_bytes / len(train_stream),
        "tokenizer_seconds": tokenizer_seconds, "train_seconds": train_seconds,
        "total_seconds": time.time() - start, "cpu_seconds": time.process_time() - cpu_start,
        "final_train_loss": float(np.mean(history[-100:])),
        "validation_loss": validation_loss, "torch": torch.__version__, "text": args.text or "fortunes",
    }
    print(json.dumps(summary, indent=1))
    torch.save({"state_dict": net.state_dict(), "vocab_size": tok.vocab_size, "summary": summary},
               os.path.join(args.out, "float.pt"))


if __name__ == "__main__":
    main()
