#!/usr/bin/env python3
"""Write the common-word list of the `pairs` field (src/common_words.txt): the words found in at
least 20% of the cables' subjects and paragraphs, tokenised as the archive's analyzer does (runs of
letters and digits, lower case; ASCII words only, which is all such words are), leaving out
English function words, numbers and single letters. Pairs with a function word ("of the") are
most of all adjacent pairs; indexing them would cost more than the phrases they serve.

A phrase whose adjacent words are both on this list is the slow kind for a positional index (both
words' positions must be read in a large share of the archive), so these pairs are indexed as
terms of their own. Changing the list changes the index: bump SCHEMA_VERSION with it.

The share trades ingest time for phrase speed, measured at 250,000 generated cables
(BENCHMARKS.md, session 7): at 10% (994 words) an ingest took twice as long; at 20% (370 words)
8-35% longer, while a phrase of two such words went from 16 ms to under 3 ms. An optional second
argument sets another share, to measure it.

Usage (from the workspace root, with ../shared beside it):

    cargo run --release -p cables -- parse --jsonl ../shared/corpus > /tmp/corpus.jsonl
    python3 crates/cable-archive/scripts/common_words.py /tmp/corpus.jsonl \
        > crates/cable-archive/src/common_words.txt

Standard library only.
"""

import collections
import json
import re
import sys

SHARE = float(sys.argv[2]) if len(sys.argv) > 2 else 0.20

FUNCTION_WORDS = set("""
a about above after again against all also although am among an and another any are as at be
because been before being below between both but by can could did do does doing down during each
either even ever every few for from further had has have having he her here hers him his how
however i if in into is it its itself just least less many may me might more most much must my
neither no nor not now of off on once one only or other others our out over own per same she
should since so some such than that the their them then there these they this those though
through thus to too toward towards under until up upon us very was we were what when where
whether which while who whom whose why will with within without would yet you your
""".split())


def cable_texts(path):
    """Each cable of the JSON lines at `path` as its texts: the subject, then each paragraph's
    heading and text."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            cable = json.loads(line)
            texts = [cable.get("subject") or ""]
            for p in cable.get("paragraphs") or []:
                texts.append(p.get("heading") or "")
                texts.append(p.get("text") or "")
            yield texts


def words_of(text):
    """The words of `text` as the archive's analyzer makes them (before folding accents)."""
    return re.findall(r"[^\W_]+", text.lower())


def main():
    df = collections.Counter()
    cables = 0
    for texts in cable_texts(sys.argv[1]):
        words = set(words_of(" ".join(texts)))
        df.update(w for w in words if w.isascii() and len(w) <= 64)
        cables += 1
    common = sorted(
        w for w, n in df.items()
        if n >= SHARE * cables and w not in FUNCTION_WORDS and len(w) > 1 and not w.isdigit()
    )
    print(f"# {len(common)} words in at least {SHARE:.0%} of {cables} cables, "
          "function words left out (scripts/common_words.py)")
    for w in common:
        print(w)


if __name__ == "__main__":
    main()
