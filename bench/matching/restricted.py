"""What the sensitive-help rule does to an unchecked helper's matches, beside a helper offering only the rest.

    python bench/matching/restricted.py [--show 10]

Each unchecked helper offers everyday help and lifts or babysitting, which the rule takes away; their twin
offers the same everyday help alone. Both are ranked for each request (everyday help, some with a lift or
minding on the side) as `ranking.rank_candidates` ranks a listing's helpers, with the model's meaning. The
rule works when the twins come out alike: paired with the same requests, at nearly the same score. Printed:
the pairs where only one of the twins is paired, and the score's gap (with lifts − without) where both are.
No database; the model installed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")
django.setup()

from exchanges.matching.meaning import MeaningMatcher  # noqa: E402
from exchanges.matching.ranking import Candidate, rank_candidates  # noqa: E402
from exchanges.matching.scoring import Side  # noqa: E402
from exchanges.matching.taxonomy import Taxonomy  # noqa: E402
from exchanges.matching.text import SkillMatcher  # noqa: E402

# (title, everyday help offered, what the rule takes away, its title's words): the twin offers the
# everyday help alone, under the title alone.
HELPERS = [
    ("Gardening", "I can do your weeding and pruning.", "and give lifts to the shops.", "lifts"),
    ("Shopping", "I'll do your shopping for you.", "or give you a lift to the shops.", "lifts"),
    ("Odd jobs", "Odd jobs round the house, shelves and flat pack.", "and I give lifts.", "lifts"),
    ("Computer help", "Patient help with phones, tablets and email.", "I can also do the odd lift.", "a lift"),
    ("Forms", "I can help you fill in forms and read your post.", "and drive you to appointments.", "lifts"),
    ("Dog walking", "Happy to walk your dog.", "Can give you a lift to the vet too.", "lifts to the vet"),
    ("Company", "A cuppa and a chat, I'll pop round.", "and I can drive you to the hospital.", "lifts"),
    ("Cooking", "I can cook you a hot meal.", "and babysit the kids.", "babysitting"),
    ("Tidying", "A good tidy up and hoovering.", "I can mind your children while I'm there.", "childminding"),
    ("Moving help", "Help packing boxes and moving house.", "and lifts to the station.", "lifts"),
]
REQUESTS = [
    "help with the weeding in my garden",
    "help with the weeding in my garden, and a lift to the garden centre",
    "my garden is overgrown, and I need a lift to the tip with the cuttings",
    "someone to do my shopping on Fridays",
    "help with my shopping, and a lift back from the shops",
    "a lift to B&Q and then help putting up shelves",
    "someone to put up shelves, I'd need a lift to buy them",
    "flat pack wardrobe to build, can someone help me lift it upstairs too",
    "help setting up my new phone and email",
    "help with my new tablet, and a lift to the library for the class",
    "help filling in my PIP form",
    "a hand with the council forms, and a lift to the council office",
    "someone to walk my dog twice a week",
    "walk my dog while I'm in hospital, and a lift home after",
    "some company, I live alone and don't see anyone",
    "a chat now and then, and maybe a lift to church",
    "a hot dinner now and then",
    "someone to cook for my dad, and mind the kids for an hour",
    "my flat needs a good tidy, I've let it go",
    "tidy up before my daughter visits, and could you watch the baby",
    "moving flat next month, need help packing",
    "moving flat, need a lift to the new place with some boxes",
    "help carrying my shopping up, the lift is broken",
    "need 2 people to carry a sofa up, no lift in the block",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=10, help="print the N largest gaps and every pairing that differs")
    args = parser.parse_args()
    meanings = MeaningMatcher(SkillMatcher(Taxonomy.from_file()))
    if meanings.skill_vectors() is None:
        raise SystemExit("The sentence-embedding model is not installed (requirements.txt).")

    def side(title: str, text: str, *, offer: bool) -> Side:
        found = meanings.meaning(text, title=title, offer=offer)
        return Side(skills=found.skills.weights, vector=found.vector, title=title)

    gaps: list[tuple[float, str, str]] = []
    differ: list[str] = []
    for title, everyday, sensitive, named in HELPERS:
        lifts = side(f"{title} and {named}", f"{everyday[:-1]}, {sensitive}", offer=True)
        alone = side(title, everyday, offer=True)
        for text in REQUESTS:
            ranked = rank_candidates(
                kind="request",
                mine=side("", text, offer=False),
                i_have_current_check=False,
                candidates=[
                    Candidate(member_id=1, listing_id=1, side=lifts),
                    Candidate(member_id=2, listing_id=2, side=alone),
                ],
                taxonomy=meanings.taxonomy,
                meanings=meanings,
            )
            scores = {r.member_id: r.score for r in ranked}
            if scores.keys() == {1, 2}:
                gaps.append((scores[1] - scores[2], title, text))
            elif scores:
                who = "only with lifts" if 1 in scores else "only without"
                differ.append(f"{who} ({max(scores.values()):.2f}): {title} | {text}")

    pairs = len(HELPERS) * len(REQUESTS)
    values = [g for g, _, _ in gaps]
    print(f"{len(HELPERS)} helpers × {len(REQUESTS)} requests = {pairs} pairs")
    print(f"paired alike: {pairs - len(differ)}; only one of the twins paired: {len(differ)}")
    if values:
        print(
            f"both paired: {len(values)}; gap (with − without) median {statistics.median(values):+.3f}, "
            f"|gap| ≥ 0.1 in {sum(abs(g) >= 0.1 for g in values)}, largest {max(values, key=abs):+.3f}"
        )
    for line in differ:
        print("  ", line)
    for gap, title, text in sorted(gaps, key=lambda g: -abs(g[0]))[: args.show]:
        print(f"   {gap:+.3f}  {title} | {text}")


if __name__ == "__main__":
    main()
