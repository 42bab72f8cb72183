"""Float Llama body of the microLlama family, trained here and then integerized by quantize.py.

Shapes follow Deeploy's INT8 microLlama: 8 layers, width 64, 16 heads of 4, a gated MLP of 256 with
Hardswish on the gate, RMSNorm, rotary positions as a per-position 4x4 matrix (x_rotated = x @ R(p)).
The token table is tied with the LM head. Attention logits are clamped to the window that the
integer softmax can represent (see quantize.py), so the float model trains with the same limit.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

LAYERS = 8
WIDTH = 64
HEADS = 16
HEAD_DIM = WIDTH // HEADS
FEED_FORWARD = 256
MAX_CONTEXT = 256
ROPE_BASE = 10000.0
RMS_EPS = 1e-5
# Attention logits (q.k / sqrt(head_dim)) are clamped to +-LOGIT_LIMIT nats; the integer softmax
# covers +-64 steps of ln2/L nats with L <= 6, i.e. at least +-7.39 nats.
LOGIT_LIMIT = 64 * math.log(2) / 6


def inverse_frequencies():
    return ROPE_BASE ** (-torch.arange(0, HEAD_DIM, 2, dtype=torch.float64) / HEAD_DIM)


def rotation_matrices(positions):
    """R(p) [len, 4, 4] with x @ R(p) = Llama's rotate-half RoPE of a 4-wide head at position p."""
    angles = positions.to(torch.float64)[:, None] * inverse_frequencies()[None, :]
    cos, sin = torch.cos(angles), torch.sin(angles)
    half = HEAD_DIM // 2
    rot = torch.zeros(len(positions), HEAD_DIM, HEAD_DIM, dtype=torch.float64)
    for i in range(half):
        rot[:, i, i] = cos[:, i]
        rot[:, i + half, i + half] = cos[:, i]
        rot[:, i, i + half] = sin[:, i]
        rot[:, i + half, i] = -sin[:, i]
    return rot.to(torch.float32)


class RMSNorm(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * self.weight


def rotate(x, cos, sin):
    """x @ R(p) computed elementwise (cheaper to train): x * cos + rotate_half(x) * sin."""
    half = HEAD_DIM // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(WIDTH, WIDTH, bias=False)
        self.k = nn.Linear(WIDTH, WIDTH, bias=False)
        self.v = nn.Linear(WIDTH, WIDTH, bias=False)
        self.o = nn.Linear(WIDTH, WIDTH, bias=False)

    def forward(self, x, cos, sin, causal_mask):
        batch, length, _ = x.shape
        heads = lambda t: t.view(batch, length, HEADS, HEAD_DIM).transpose(1, 2)
        q = rotate(heads(self.q(x)), cos, sin) * (1 / math.sqrt(HEAD_DIM))
        k = rotate(heads(self.k(x)), cos, sin)
        logits = q @ k.transpose(-1, -2)
        if self.clamp_logits:
            logits = logits.clamp(-LOGIT_LIMIT, LOGIT_LIMIT)
        out = F.softmax(logits + causal_mask, dim=-1) @ heads(self.v(x))
        return self.o(out.transpose(1, 2).reshape(batch, length, WIDTH))

    clamp_logits = True


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = nn.Linear(WIDTH, FEED_FORWARD, bias=False)
        self.up = nn.Linear(WIDTH, FEED_FORWARD, bias=False)
        self.down = nn.Linear(FEED_FORWARD, WIDTH, bias=False)

    def forward(self, x):
        return self.down(F.hardswish(self.gate(x)) * self.up(x))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm = RMSNorm(WIDTH)
        self.attention = Attention()
        self.mlp_norm = RMSNorm(WIDTH)
        self.mlp = MLP()

    def forward(self, x, cos, sin, causal_mask):
        x = x + self.attention(self.attention_norm(x), cos, sin, causal_mask)
        return x + self.mlp(self.mlp_norm(x))


class TinyLlama(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, WIDTH)
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))
        self.final_norm = RMSNorm(WIDTH)
        angles = torch.arange(MAX_CONTEXT, dtype=torch.float64)[:, None] * inverse_frequencies()[None, :]
        self.register_buffer("cos", torch.cos(angles).repeat(1, 2).float(), persistent=False)
        self.register_buffer("sin", torch.sin(angles).repeat(1, 2).float(), persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 if not name.endswith(("o.weight", "down.weight")) else 0.02 / math.sqrt(2 * LAYERS)
                nn.init.normal_(p, std=std)

    def forward(self, tokens):
        length = tokens.shape[1]
        causal_mask = torch.full((length, length), float("-inf")).triu(1)
        x = self.embedding(tokens)
        for layer in self.layers:
            x = layer(x, self.cos[:length], self.sin[:length], causal_mask)
        return self.final_norm(x) @ self.embedding.weight.t()
