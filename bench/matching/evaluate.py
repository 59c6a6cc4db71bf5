"""Matching quality on the two labelled sets: hit@1, hit@3 and MRR of the service (words,
taxonomy and meaning), the taxonomy alone (the service before the meaning signal) and a keyword
baseline.

Run from the repository root: python bench/matching/evaluate.py [--split dev] [--show-misses dev]

Sets: `dataset.json` (its own requests), `dataset_plain.json` (requests written the way
members talk and text, against the same offers) and `dataset_plain2.json` (a third set written
later the same way, in more voices). Each has a fixed holdout split, never read while tuning.
`dataset_tune.json` is a fourth set written later still, independently of the others and of the
taxonomy, all of it for tuning (dev): the older dev parts had stopped telling changes apart.
`dataset_tune2.json` is a fifth, all for tuning too, written from the offers alone;
`dataset_tune3.json` a sixth and `dataset_tune4.json` a seventh, written the same way in fifteen
and seventeen voices. `dataset_fresh.json` is held out whole: written last, to the third set's brief,
from the offers alone, and scored once, after the reading was frozen; `dataset_fresh2.json` is a second
set held out whole, written later in twelve voices, some saying when help is needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from exchanges.matching import semantic  # noqa: E402
from exchanges.matching.meaning import MeaningMatcher, cosine, fit  # noqa: E402
from exchanges.matching.scoring import skill_overlap  # noqa: E402
from exchanges.matching.taxonomy import Taxonomy  # noqa: E402
from exchanges.matching.text import STOP_WORDS, SkillMatcher, words  # noqa: E402

DATASET = Path(__file__).with_name("dataset.json")
# Each set by the name the tables give it; the offers are the first set's.
SETS = {
    "dataset": DATASET,
    "plain": Path(__file__).with_name("dataset_plain.json"),
    "plain2": Path(__file__).with_name("dataset_plain2.json"),
    "tune": Path(__file__).with_name("dataset_tune.json"),
    "tune2": Path(__file__).with_name("dataset_tune2.json"),
    "tune3": Path(__file__).with_name("dataset_tune3.json"),
    "tune4": Path(__file__).with_name("dataset_tune4.json"),
    "fresh": Path(__file__).with_name("dataset_fresh.json"),
    "fresh2": Path(__file__).with_name("dataset_fresh2.json"),
}
Ranker = Callable[[dict, list[dict]], list[str]]


def listing_text(listing: dict) -> str:
    return f"{listing['title']}. {listing['description']}"


def keyword_ranker() -> Ranker:
    """Today's browsing and search: shared words of title and description, most first."""

    def terms(listing: dict) -> set[str]:
        return {w for w in words(listing_text(listing)) if w not in STOP_WORDS}

    def rank(request: dict, offers: list[dict]) -> list[str]:
        wanted = terms(request)
        scored = [(len(wanted & terms(o)), i, o["id"]) for i, o in enumerate(offers)]
        return [oid for score, _, oid in sorted(scored, key=lambda t: (-t[0], t[1])) if score > 0]

    return rank


def meaning_ranker(taxonomy: Taxonomy) -> Ranker:
    """The service: words and meaning mapped to taxonomy skills, then their overlap and the two
    texts' closeness in meaning (`meaning.fit`), as `ranking.rank_candidates` scores them."""
    meanings = MeaningMatcher(SkillMatcher(taxonomy))
    offer_meanings: dict[str, object] = {}

    def rank(request: dict, offers: list[dict]) -> list[str]:
        wanted = meanings.meaning(request["description"], title=request["title"])
        scored = []
        for i, offer in enumerate(offers):
            if offer["id"] not in offer_meanings:
                offer_meanings[offer["id"]] = meanings.meaning(offer["description"], title=offer["title"], offer=True)
            theirs = offer_meanings[offer["id"]]
            overlap = skill_overlap(wanted.skills.weights, theirs.skills.weights, taxonomy).score  # type: ignore[attr-defined]
            closeness = cosine(wanted.vector, theirs.vector)  # type: ignore[attr-defined]
            scored.append((fit(overlap, closeness), i, offer["id"]))
        return [oid for score, _, oid in sorted(scored, key=lambda t: (-t[0], t[1])) if score > 0]

    return rank


def service_ranker(taxonomy: Taxonomy) -> Ranker:
    """The taxonomy alone (the service before meaning): both texts mapped to taxonomy skills by
    their words, then compared."""
    matcher = SkillMatcher(taxonomy)
    offer_skills: dict[str, dict[str, float]] = {}

    def rank(request: dict, offers: list[dict]) -> list[str]:
        wanted = matcher.skills_in(request["description"], title=request["title"]).weights
        scored = []
        for i, offer in enumerate(offers):
            if offer["id"] not in offer_skills:
                found = matcher.skills_in(offer["description"], title=offer["title"])
                offer_skills[offer["id"]] = dict(found.weights)
            score = skill_overlap(wanted, offer_skills[offer["id"]], taxonomy).score
            scored.append((score, i, offer["id"]))
        return [oid for score, _, oid in sorted(scored, key=lambda t: (-t[0], t[1])) if score > 0]

    return rank


def metrics(ranker: Ranker, requests: Sequence[dict], offers: list[dict]) -> dict[str, float]:
    hit1 = hit3 = rr = 0.0
    for request in requests:
        ranking = ranker(request, offers)
        relevant = set(request["relevant"])
        first = next((i for i, oid in enumerate(ranking) if oid in relevant), None)
        if first is not None:
            hit1 += first < 1
            hit3 += first < 3
            rr += 1 / (first + 1)
    n = len(requests) or 1
    return {"hit@1": hit1 / n, "hit@3": hit3 / n, "MRR": rr / n}


def show_misses(ranker: Ranker, requests: Sequence[dict], offers: list[dict]) -> None:
    by_id = {o["id"]: o for o in offers}
    for request in requests:
        top = ranker(request, offers)[:3]
        if not set(top) & set(request["relevant"]):
            print(f"\nMISS {request['id']}: {listing_text(request)}")
            for oid in top:
                print(f"   got {oid}: {listing_text(by_id[oid])}")
            print(f"   want e.g. {listing_text(by_id[request['relevant'][0]])}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-misses", choices=["dev"], help="print the service's misses on the dev splits")
    parser.add_argument(
        "--split",
        choices=["dev", "holdout", "all"],
        action="append",
        help="print only these splits (repeatable); tune with --split dev, which never ranks a holdout request",
    )
    args = parser.parse_args(argv)
    sets = {name: json.loads(path.read_text(encoding="utf-8"))["requests"] for name, path in SETS.items()}
    offers = json.loads(DATASET.read_text(encoding="utf-8"))["offers"]
    taxonomy = Taxonomy.from_file()
    if not semantic.available():
        sys.exit("The sentence-embedding model is not installed (requirements.txt).")
    rankers = {
        "service (words + meaning)": meaning_ranker(taxonomy),
        "taxonomy only (before)": service_ranker(taxonomy),
        "keyword baseline": keyword_ranker(),
    }
    counts = " + ".join(str(len(requests)) for requests in sets.values())
    print(f"{len(offers)} offers, {counts} requests, {len(taxonomy.skills)} skills")
    print("| set | split | n | ranker | hit@1 | hit@3 | MRR |\n|---|---|---|---|---|---|---|")
    for set_name, requests in sets.items():
        splits = {
            "dev": [r for r in requests if r["split"] == "dev"],
            "holdout": [r for r in requests if r["split"] == "holdout"],
            "all": requests,
        }
        for split, chosen in splits.items():
            # "all" only where a set has both parts.
            both = splits["dev"] and splits["holdout"]
            if (args.split and split not in args.split) or not chosen or (split == "all" and not both):
                continue
            for name, ranker in rankers.items():
                m = metrics(ranker, chosen, offers)
                figures = " | ".join(f"{m[k]:.3f}" for k in ("hit@1", "hit@3", "MRR"))
                print(f"| {set_name} | {split} | {len(chosen)} | {name} | {figures} |")
        if args.show_misses:
            show_misses(rankers["service (words + meaning)"], splits["dev"], offers)


if __name__ == "__main__":
    main()
