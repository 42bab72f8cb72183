"""Adds outputs.npz, computed by onnxruntime (npm's onnxruntime-node), to each folder holding network.onnx
and inputs.npz.

    /usr/bin/python3 models/qdq/reference.py NODE_MODULES_DIR FOLDER...

NODE_MODULES_DIR holds onnxruntime-node (`ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`).
"""
import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np


def main():
    modules, folders = sys.argv[1], [Path(f) for f in sys.argv[2:]]
    script = Path(__file__).with_name("reference.js")
    for folder in folders:
        inputs = np.load(folder / "inputs.npz")
        given = [{"type": str(a.dtype), "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}
                 for a in (inputs[k] for k in sorted(inputs.files, key=lambda k: int(k.split("_")[1])))]
        (folder / "inputs.json").write_text(json.dumps(given))
        env = dict(os.environ, NODE_PATH=modules)
        subprocess.run(["node", str(script), str(folder)], check=True, env=env)
        outputs = json.loads((folder / "outputs.json").read_text())
        arrays = {f"arr_{i}": np.frombuffer(base64.b64decode(o["data"]), dtype=o["type"]).reshape(o["shape"])
                  for i, o in enumerate(outputs)}
        np.savez(folder / "outputs.npz", **arrays)
        for name in ("inputs.json", "outputs.json"):
            (folder / name).unlink()
        print(f"{folder}: {', '.join(f'{a.dtype}{list(a.shape)}' for a in arrays.values())}")


if __name__ == "__main__":
    main()
