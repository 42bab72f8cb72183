"""Writes a small float CNN (torch export: Conv+Relu, MaxPool, Conv, residual Add, Conv+ReLU6 (Clip),
global average pooling, Gemm) with calibration and validation inputs, for `deeploy quantize`:
OUT/network.onnx, OUT/calibration.npz (32 samples), OUT/validation.npz (32 others), OUT/inputs.npz and
OUT/outputs.npz (one sample and torch's output, for `deeploy test`).

    /usr/bin/python3 models/qdq/make_float_cnn.py OUT
"""
import sys
from pathlib import Path

import numpy as np
import torch


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.body = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.down = torch.nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.head = torch.nn.Linear(32, 10)

    def forward(self, x):
        h = torch.max_pool2d(torch.relu(self.stem(x)), 2)
        h = h + self.body(h)
        h = torch.clamp(self.down(h), 0, 6)
        return self.head(torch.flatten(torch.mean(h, dim=(2, 3), keepdim=True), 1))


def images(rng, count):
    """Smooth random images (low-frequency noise), so activations have structure."""
    coarse = rng.normal(size=(count, 1, 3, 4, 4)).astype(np.float32)
    return np.repeat(np.repeat(coarse, 4, axis=3), 4, axis=4) + 0.2 * rng.normal(size=(count, 1, 3, 16, 16)).astype(np.float32)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(7)
    model = SmallCnn().eval()
    example = torch.zeros(1, 3, 16, 16)
    torch.onnx.export(model, example, str(out / "network.onnx"), opset_version=13, input_names=["image"], output_names=["logits"])
    rng = np.random.default_rng(11)
    np.savez(out / "calibration.npz", image=images(rng, 32))
    validation = images(rng, 32)
    np.savez(out / "validation.npz", image=validation)
    with torch.no_grad():
        logits = model(torch.from_numpy(validation[0])).numpy()
    np.savez(out / "inputs.npz", image=validation[0])
    np.savez(out / "outputs.npz", logits=logits)


if __name__ == "__main__":
    main()
