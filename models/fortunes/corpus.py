"""Training text: the fortune databases of Debian's fortunes packages, or the user's own text file."""
import glob
import os
import random

FORTUNE_DIR = "/usr/share/games/fortunes"
SKIPPED_DATABASES = {"ascii-art"}  # pictures, not text
VALIDATION_FRACTION = 0.02


def fortune_texts(directory=FORTUNE_DIR):
    texts = []
    for path in sorted(glob.glob(os.path.join(directory, "*"))):
        name = os.path.basename(path)
        if "." in name or name in SKIPPED_DATABASES or os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            texts.extend(t.strip("\n") + "\n" for t in f.read().split("\n%\n"))
    return [t for t in texts if t.strip()]


def file_texts(path):
    """A plain text file; blank-line separated paragraphs become the documents."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return [p.strip("\n") + "\n" for p in f.read().split("\n\n") if p.strip()]


def load(text_file=None, seed=0):
    """(train, validation) lists of documents, split by a fixed shuffle."""
    texts = file_texts(text_file) if text_file else fortune_texts()
    random.Random(seed).shuffle(texts)
    held_out = max(1, int(len(texts) * VALIDATION_FRACTION))
    return texts[held_out:], texts[:held_out]
