#!/usr/bin/env python3
"""A float MobileNetV2 (alpha 0.5, 128x128x3 input) in the form Keras exports it through tf2onnx, with random
weights (fixed seed), written as a deeploy test: network.onnx, inputs.npz and outputs.npz (torch's outputs).

Keras/tf2onnx style: every Conv has no bias and is followed by a BatchNormalization node (kept: exported with
TrainingMode.PRESERVE from a model in eval mode, which leaves the Conv/BN folding to the compiler), ReLU6 is
Clip(0, 6), the stride-2 depthwise convolutions read an explicit zero Pad (bottom and right by one: Keras's
correct_pad for even sizes) and pad nothing themselves, as does the first convolution (Keras's Conv1_pad),
residual Adds, a global average pool and a Gemm classifier.

    /usr/bin/python3 models/mobilenetv2/make_model.py -o build/mobilenetv2
"""
import argparse
import os

import numpy as np
import onnx
from onnx import numpy_helper
import torch
from torch import nn

ALPHA = 0.5
SIZE = 128
CLASSES = 1000
# (expansion t, output channels c, repeats n, first stride s) of MobileNetV2.
BLOCKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def make_divisible(value, divisor=8):
    """Keras's channel rounding: to a multiple of divisor, never below 90% of value."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn(inputs, outputs, kernel=1, stride=1, groups=1, padding=0, relu6=True):
    layers = [nn.Conv2d(inputs, outputs, kernel, stride, padding, groups=groups, bias=False), nn.BatchNorm2d(outputs)]
    if relu6:
        layers.append(nn.ReLU6())
    return layers


class InvertedResidual(nn.Module):
    def __init__(self, inputs, outputs, expansion, stride):
        super().__init__()
        hidden = inputs * expansion
        layers = conv_bn(inputs, hidden) if expansion != 1 else []
        if stride == 2:
            layers.append(nn.ZeroPad2d((0, 1, 0, 1)))
            layers += conv_bn(hidden, hidden, 3, 2, groups=hidden)
        else:
            layers += conv_bn(hidden, hidden, 3, 1, groups=hidden, padding=1)
        layers += conv_bn(hidden, outputs, relu6=False)
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and inputs == outputs

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        channels = make_divisible(32 * ALPHA)
        layers = [nn.ZeroPad2d((0, 1, 0, 1))] + conv_bn(3, channels, 3, 2)
        for expansion, c, repeats, stride in BLOCKS:
            outputs = make_divisible(c * ALPHA)
            for r in range(repeats):
                layers.append(InvertedResidual(channels, outputs, expansion, stride if r == 0 else 1))
                channels = outputs
        layers += conv_bn(channels, 1280)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(1280, CLASSES)

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


def randomize_batch_norms(model, generator):
    """Batch-norm statistics and affine parameters away from the identity, as a trained network's are."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=generator) * 0.5 + 0.5
            m.bias.data = torch.randn(n, generator=generator) * 0.1
            m.running_mean.data = torch.randn(n, generator=generator) * 0.1
            m.running_var.data = torch.rand(n, generator=generator) + 0.5


def simplify_pads(path):
    """torch computes each Pad's pads with a chain of shape nodes: written as the constant they give, as
    tf2onnx writes them, and the chains removed."""
    model = onnx.load(path)
    graph = model.graph
    pads = numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, 1, 1], dtype=np.int64), "pads_bottom_right")
    graph.initializer.append(pads)
    for node in graph.node:
        if node.op_type == "Pad":
            del node.input[2:]  # the constant value: zero by default
            node.input[1] = pads.name
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(graph.node):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", required=True, help="the test folder to write")
    args = parser.parse_args()
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    model = MobileNetV2()
    randomize_batch_norms(model, generator)
    model.eval()
    x = torch.rand(1, 3, SIZE, SIZE, generator=generator) * 2 - 1
    with torch.no_grad():
        y = model(x)
    os.makedirs(args.output, exist_ok=True)
    torch.onnx.export(model, x, os.path.join(args.output, "network.onnx"), opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"])
    simplify_pads(os.path.join(args.output, "network.onnx"))
    np.savez(os.path.join(args.output, "inputs.npz"), input_0=x.numpy())
    np.savez(os.path.join(args.output, "outputs.npz"), output_0=y.numpy())


if __name__ == "__main__":
    main()
