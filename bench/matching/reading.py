"""What reading a text's words costs: the module's import (which compiles the sayings), the first text
that needs a guarded set of sayings (compiled once per process), and each text after, warm.

Run from the repository root: python bench/matching/reading.py [--rounds 5]

The texts are the labelled sets' dev requests and the offers; no database, no model.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

started = time.perf_counter()
from exchanges.matching import text  # noqa: E402

IMPORTED_MS = (time.perf_counter() - started) * 1000

from exchanges.matching.taxonomy import Taxonomy  # noqa: E402

SETS = ("dataset_plain.json", "dataset_tune.json", "dataset_tune2.json", "dataset_tune3.json", "dataset_tune4.json")


def texts() -> list[tuple[str, str]]:
    here = Path(__file__).parent
    found = [
        (request["title"], request["description"])
        for name in SETS
        for request in json.loads((here / name).read_text(encoding="utf-8"))["requests"]
        if request["split"] == "dev"
    ]
    offers = json.loads((here / "dataset.json").read_text(encoding="utf-8"))["offers"]
    return found + [(offer["title"], offer["description"]) for offer in offers]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds over all texts; the best is printed")
    args = parser.parse_args(argv)
    re.purge()
    text._idioms_but.cache_clear()
    guard = next(iter(text._GUARDS))
    before = time.perf_counter()
    text._idioms_but(frozenset({guard}))
    guarded_ms = (time.perf_counter() - before) * 1000
    matcher = text.SkillMatcher(Taxonomy.from_file())
    corpus = texts()
    for title, description in corpus:  # every guarded set, the corrector's cache
        matcher._skills_in_uncached(description, title)
    rounds = []
    for _ in range(args.rounds):
        before = time.perf_counter()
        for title, description in corpus:
            matcher._skills_in_uncached(description, title)
        rounds.append((time.perf_counter() - before) / len(corpus) * 1000)
    print(f"{len(text.IDIOMS)} sayings; import {IMPORTED_MS:.0f} ms; a guarded set of sayings {guarded_ms:.0f} ms once")
    print(f"{len(corpus)} texts read warm: {min(rounds):.3f} ms a text (best of {args.rounds} rounds)")


if __name__ == "__main__":
    main()
