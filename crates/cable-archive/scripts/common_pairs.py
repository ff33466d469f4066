#!/usr/bin/env python3
"""Write the common-pair list of the `pairs` field (src/common_pairs.txt): the adjacent pairs of
content words found as a phrase in at least 1% of the cables' subjects and paragraphs, both of
whose words are in at least 10% of the cables, and not already pairs of two common words
(src/common_words.txt). Tokenised as common_words.py does.

These are the set phrases of the field ("human rights", "law enforcement", "armed forces",
"peace process"): their words are not common enough for the common-word list, yet common
enough that a phrase query reading both words' positions reads them in a tenth or more of the
archive. Indexing a fixed list of pairs adds one term per occurrence, and at most this many
distinct terms, unlike a longer word list, whose pairs multiply (BENCHMARKS.md, session 7).
A phrase with a word under 10% is led by that word's short postings and needs no pair.
Changing the list changes the index: bump SCHEMA_VERSION with it.

Usage (from the workspace root, with ../shared beside it):

    cargo run --release -p cables -- parse --jsonl ../shared/corpus > /tmp/corpus.jsonl
    python3 crates/cable-archive/scripts/common_pairs.py /tmp/corpus.jsonl \
        > crates/cable-archive/src/common_pairs.txt

Standard library only.
"""

import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common_words import FUNCTION_WORDS, cable_texts, words_of  # noqa: E402

PAIR_SHARE = 0.01
WORD_SHARE = 0.10


def content(w):
    return w.isascii() and len(w) <= 64 and len(w) > 1 and not w.isdigit() and w not in FUNCTION_WORDS


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "src", "common_words.txt"), encoding="utf-8") as f:
        common = {l.strip() for l in f if l.strip() and not l.startswith("#")}
    pair_df = collections.Counter()
    word_df = collections.Counter()
    cables = 0
    for texts in cable_texts(sys.argv[1]):
        words, pairs = set(), set()
        for t in texts:
            ws = words_of(t)
            words.update(ws)
            pairs.update(zip(ws, ws[1:]))
        word_df.update(words)
        pair_df.update(pairs)
        cables += 1
    listed = sorted(
        (a, b) for (a, b), n in pair_df.items()
        if n >= PAIR_SHARE * cables
        and content(a) and content(b)
        and word_df[a] >= WORD_SHARE * cables and word_df[b] >= WORD_SHARE * cables
        and not (a in common and b in common)
    )
    print(f"# {len(listed)} pairs found as phrases in at least {PAIR_SHARE:.0%} of {cables} cables, "
          f"both words in at least {WORD_SHARE:.0%}, not both common words (scripts/common_pairs.py)")
    for a, b in listed:
        print(a, b)


if __name__ == "__main__":
    main()
