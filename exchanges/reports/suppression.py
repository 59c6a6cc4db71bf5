"""Small-cell and complementary suppression, as pure functions (no Django).

A report is a set of cells named by path ("totals.active_members", "by_month[2].hours_exchanged").
People counts between 1 and k−1 are suppressed (primary suppression), and so are the amounts about
those few people (their hours and exchanges). Then, for every additive family (a total and the cells
that sum to it), more cells are suppressed (complementary suppression) until the part a reader can work
out by subtraction is 0 or at least k people — or, for amounts such as hours, until no single
suppressed cell can be recovered exactly — until no suppressed total can be added up from its
published parts, and until no suppressed part is shown to be the whole of its suppressed total by zeros
beside it.

Two kinds of dependency: a figure that *reveals* another (a ratio, pounds worked out from hours) goes
whenever that one goes, for whatever reason; an amount *about* the people a count counts (their hours)
goes only when that count is itself small. A count hidden only to protect another cell (registered 11 −
active 9 = 2 inactive) says nothing about the hours of the 9, so their hours stay published.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Number = int | float | None


@dataclass(frozen=True)
class Family:
    """`parent` equals the sum of `children` plus `hidden` (a part that is never published)."""

    parent: str
    children: tuple[str, ...]
    hidden: int = 0
    measure: bool = False  # children are amounts (hours, exchanges), not people


@dataclass
class Cells:
    values: dict[str, Number] = field(default_factory=dict)
    people: set[str] = field(default_factory=set)  # paths holding counts of people
    families: list[Family] = field(default_factory=list)
    dependents: dict[str, set[str]] = field(default_factory=dict)  # source -> cells that reveal it
    amounts: dict[str, set[str]] = field(default_factory=dict)  # people count -> amounts about those people

    def add(self, path: str, value: Number, *, person_count: bool = False) -> None:
        self.values[path] = value
        if person_count:
            self.people.add(path)

    def depend(self, path: str, *on: str) -> None:
        """`path` reveals each of `on` (a ratio, a multiple): it is suppressed whenever any of them is."""
        for source in on:
            self.dependents.setdefault(source, set()).add(path)

    def about(self, path: str, *people: str) -> None:
        """`path` is an amount about the people counted in `people` (their hours): it is suppressed when
        any of those counts is small, not when a count is hidden only so that another cell cannot be
        worked out from it."""
        for source in people:
            self.amounts.setdefault(source, set()).add(path)


def is_small(value: Number, k: int) -> bool:
    return value is not None and 0 < value < k


def _smallest(candidates: list[str], values: Mapping[str, Number]) -> str:
    return min(candidates, key=lambda c: values.get(c) or 0)


def suppress(cells: Cells, k: int) -> set[str]:
    """The paths to suppress so that no cell or difference of cells reveals 1..k−1 people, no amount
    about so few people is published, and no suppressed cell can be worked out from a family."""
    values = cells.values
    # Primary: small counts, and what is about them or reveals them (and so on, transitively).
    primary = {p for p in cells.people if is_small(values.get(p), k)}
    suppressed = set(primary)
    changed = True
    while changed:
        changed = False
        for source in list(suppressed):
            new = cells.dependents.get(source, set())
            if source in primary:
                new = new | cells.amounts.get(source, set())
                if new - primary:
                    primary |= new
                    changed = True
            if new - suppressed:
                suppressed |= new
                changed = True
        for family in cells.families:
            # A suppressed cell whose value is 0 does not hide anything: a reader can often tell it is 0.
            hidden_children = [c for c in family.children if c in suppressed and values.get(c)]
            if family.parent in suppressed:
                # One hidden part beside published zeros is the whole of the hidden total: its share of it
                # (the both-gave-and-received share of the active, 100 %) would be known, so the zeros go too.
                published = [c for c in family.children if c not in suppressed]
                if not family.hidden and len(hidden_children) == 1 and published:
                    if all(values.get(c) == 0 for c in published):
                        suppressed |= set(published)
                        changed = True
                    continue
                # The parent side: a suppressed total that its published parts add up to exactly.
                if family.hidden or hidden_children:
                    continue
                if not values.get(family.parent) and any(c in suppressed for c in family.children):
                    continue
                candidates = [c for c in family.children if c not in suppressed]
                nonzero = [c for c in candidates if values.get(c)]
                if candidates:
                    suppressed.add(_smallest(nonzero or candidates, values))
                    changed = True
                continue
            if family.measure:
                revealing = len(hidden_children) == 1
            else:
                unknown = family.hidden + sum(values.get(c) or 0 for c in hidden_children)
                revealing = 0 < unknown < k
            if not revealing:
                continue
            candidates = [c for c in family.children if c not in suppressed and values.get(c)]
            suppressed.add(_smallest(candidates, values) if candidates else family.parent)
            changed = True
    return suppressed


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def path_steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def path_set(document: dict, path: str, value: Number) -> None:
    """Set the value at `path` ("by_month[2].hours") in a nested document of dicts and lists."""
    steps = path_steps(path)
    node = document
    for step in steps[:-1]:
        node = node[step]
    node[steps[-1]] = value


def published_paths(paths: Iterable[str], document: Mapping) -> list[str]:
    """The paths that exist in the document (internal cells start with an underscore)."""
    return sorted(p for p in paths if not any(isinstance(s, str) and s.startswith("_") for s in path_steps(p)))
