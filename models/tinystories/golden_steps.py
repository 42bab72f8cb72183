"""Writes one prefill step per golden run of stories260K: all its tokens (256) into empty caches, with
the golden logits of every position as the expected logits (and the NumPy reference's caches), so one
`deeploy test` run checks every position of a golden file. For CI, into a build folder; not committed.

    /usr/bin/python3 models/tinystories/golden_steps.py -o DIR [--checkpoint FILE] [--golden DIR]

DIR gets float_prefill_256_<golden name>/ with network.onnx, inputs.npz, outputs.npz.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_float  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=os.path.join(import_float.SHARED, "stories260K.bin"))
    parser.add_argument("--golden", default=import_float.SHARED, help="folder of the golden greedy_*.npz files")
    parser.add_argument("-o", "--out", required=True)
    args = parser.parse_args()
    c, w = import_float.load_checkpoint(args.checkpoint)
    for name in import_float.GOLDEN:
        golden = import_float.load_golden(args.golden, name)
        import_float.check_golden(c, w, golden, name)
        stem = os.path.splitext(name)[0].removeprefix("greedy_")
        steps = len(golden["tokens"])
        import_float.write_step(os.path.join(args.out, f"float_prefill_{steps}_{stem}"),
                                *import_float.prefill_step(c, w, golden, steps))


if __name__ == "__main__":
    main()
