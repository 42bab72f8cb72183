"""Byte-level BPE tokenizer small enough to re-implement in a few lines of C++.

Ids 0..255 are the bytes, id 256 ends a text (one fortune), ids 257.. are merges in the order they
were learned. Text is first cut into chunks by PRETOKENIZE (a space sticks to the word after it);
merges never cross a chunk. Encoding a chunk applies, again and again, the learned merge of lowest
rank among its adjacent pairs. The JSON file holds the merges and every token's bytes (hex).
"""
import collections
import json
import re

END_OF_TEXT = 256
FIRST_MERGE_ID = 257
PRETOKENIZE = r" ?[A-Za-z]+| ?[0-9]+| ?[^ \t\n\r\f\vA-Za-z0-9]+|\n+| +(?![^ \t\n\r\f\v])| +|[\t\r\f\v]+"
_chunk_pattern = re.compile(PRETOKENIZE)


def chunks(text):
    return [c.encode("utf-8") for c in _chunk_pattern.findall(text)]


def train(texts, vocab_size):
    """Learns vocab_size - 257 merges from the chunk counts of texts (ties: the smaller pair)."""
    chunk_counts = collections.Counter()
    for text in texts:
        chunk_counts.update(chunks(text))
    words = [list(c) for c in chunk_counts]
    counts = list(chunk_counts.values())
    pair_counts = collections.Counter()
    words_with_pair = collections.defaultdict(set)
    for index, (word, count) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += count
            words_with_pair[pair].add(index)
    merges = []
    for new_id in range(FIRST_MERGE_ID, vocab_size):
        candidates = [(count, pair) for pair, count in pair_counts.items() if count > 0]
        if not candidates:
            break
        best = max(candidates, key=lambda item: (item[0], -item[1][0], -item[1][1]))[1]
        merges.append(best)
        # Only the words holding the pair change: take their pairs out, merge, put them back.
        for index in sorted(words_with_pair.pop(best)):
            word, count = words[index], counts[index]
            for pair in zip(word, word[1:]):
                pair_counts[pair] -= count
            words[index] = word = _merge_pair(word, best, new_id)
            for pair in zip(word, word[1:]):
                pair_counts[pair] += count
                words_with_pair[pair].add(index)
        pair_counts.pop(best, None)
    return Tokenizer(merges)


def _merge_pair(word, pair, new_id):
    merged, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            merged.append(new_id)
            i += 2
        else:
            merged.append(word[i])
            i += 1
    return merged


class Tokenizer:
    def __init__(self, merges):
        self.merges = [tuple(m) for m in merges]
        self.rank = {pair: r for r, pair in enumerate(self.merges)}
        self.token_bytes = [bytes([b]) for b in range(256)] + [b""]
        for a, b in self.merges:
            self.token_bytes.append(self.token_bytes[a] + self.token_bytes[b])
        self._cache = {}

    @property
    def vocab_size(self):
        return len(self.token_bytes)

    def encode_chunk(self, chunk):
        if chunk in self._cache:
            return self._cache[chunk]
        word = list(chunk)
        while len(word) > 1:
            ranked = [(self.rank.get(p, len(self.rank)), i) for i, p in enumerate(zip(word, word[1:]))]
            best_rank, _ = min(ranked)
            if best_rank == len(self.rank):
                break
            word = _merge_pair(word, self.merges[best_rank], FIRST_MERGE_ID + best_rank)
        self._cache[chunk] = word
        return word

    def encode(self, text):
        ids = []
        for chunk in chunks(text):
            ids.extend(self.encode_chunk(chunk))
        return ids

    def decode(self, ids):
        return b"".join(self.token_bytes[i] for i in ids).decode("utf-8", errors="replace")

    def save(self, path):
        doc = {
            "type": "byte-level BPE",
            "vocab_size": self.vocab_size,
            "end_of_text": END_OF_TEXT,
            "first_merge_id": FIRST_MERGE_ID,
            "pretokenize_regex": PRETOKENIZE,
            "merges": [list(m) for m in self.merges],
            "token_bytes_hex": [t.hex() for t in self.token_bytes],
        }
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")

    @staticmethod
    def load(path):
        with open(path) as f:
            return Tokenizer(json.load(f)["merges"])
