#!/usr/bin/env python3
"""Compiles a deeploy test folder's network and fails unless its activation arena is at most MAX_BYTES.

    check_arena.py DEEPLOY TEST_DIR MAX_BYTES
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    deeploy, folder, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([deeploy, "compile", os.path.join(folder, "network.onnx"), "--inputs",
                        os.path.join(folder, "inputs.npz"), "-o", out], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "report.json")) as f:
            arena = json.load(f)["arena_bytes"]
    print(f"activation arena: {arena} B (at most {limit} B)")
    if arena > limit:
        sys.exit(1)


if __name__ == "__main__":
    main()
