"""Exports decode steps (and a prefill) and checks that deeploy reproduces the NumPy integer reference
exactly, with its reference interpreter and with the generated C.

    /usr/bin/python3 models/fortunes/validate.py [--deeploy build/deeploy] [--cached 1 4 32] [--work DIR]

For each case, runs `deeploy run DIR/network.onnx --inputs DIR/inputs.npz --engine E -o out.npz`
for E in reference, c, and compares every output with DIR/outputs.npz (exact integers).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))


def compare(expected_path, actual_path):
    """Differences as text; empty when every output is equal (matched by position)."""
    problems = []
    with np.load(expected_path) as expected, np.load(actual_path) as actual:
        if len(expected.files) != len(actual.files):
            return [f"{len(actual.files)} outputs, expected {len(expected.files)}"]
        for want_name, got_name in zip(expected.files, actual.files):
            want, got = expected[want_name].astype(np.int64), actual[got_name].astype(np.int64)
            if want.shape != got.shape:
                problems.append(f"{got_name}: shape {got.shape}, expected {want.shape}")
            elif not np.array_equal(want, got):
                problems.append(f"{got_name}: {(want != got).sum()} of {want.size} differ")
    return problems


def run_case(deeploy, directory, engine):
    out = os.path.join(directory, f"deeploy_{engine}.npz")
    command = [deeploy, "run", os.path.join(directory, "network.onnx"), "--inputs",
               os.path.join(directory, "inputs.npz"), "--engine", engine, "-o", out]
    start = time.time()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.time() - start
    if result.returncode != 0:
        return f"deeploy failed ({result.returncode}): {result.stderr.strip()[-500:]}", seconds
    problems = compare(os.path.join(directory, "outputs.npz"), out)
    return ("exact" if not problems else "; ".join(problems)), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deeploy", default=os.path.join(REPOSITORY, "build", "deeploy"))
    parser.add_argument("--build", default=os.path.join(HERE, "build"))
    parser.add_argument("--work", default=os.path.join(HERE, "build", "validation"))
    parser.add_argument("--cached", type=int, nargs="*", default=[1, 4, 32])
    parser.add_argument("--slots", type=int, nargs="*", default=[255], help="decode networks with masked slots")
    parser.add_argument("--prefill", type=int, nargs="*", default=[16])
    parser.add_argument("--engines", nargs="*", default=["reference", "c"])
    args = parser.parse_args()
    cases = [(f"decode_{n}", ["decode", "--cached", str(n)]) for n in args.cached]
    cases += [(f"decode_{n}_slots", ["decode", "--cached", str(n), "--slots"]) for n in args.slots]
    cases += [(f"prefill_{t}", ["prefill", "--tokens", str(t)]) for t in args.prefill]
    failures = 0
    for name, export_args in cases:
        directory = os.path.join(args.work, name)
        subprocess.run([sys.executable, os.path.join(HERE, "export.py"), *export_args, "--build", args.build,
                        "-o", directory], check=True, capture_output=True)
        for engine in args.engines:
            verdict, seconds = run_case(args.deeploy, directory, engine)
            failures += verdict != "exact"
            print(f"{name:18s} {engine:9s} {verdict}  ({seconds:.1f} s)", flush=True)
    passed = len(cases) * len(args.engines) - failures
    print(f"{passed} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
