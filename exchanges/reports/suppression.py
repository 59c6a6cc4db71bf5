"""Small-cell and complementary suppression, as pure functions (no Django).

A report is a set of cells named by path ("totals.active_members", "by_month[2].hours_exchanged").
People counts between 1 and k−1 are suppressed; so is everything that depends on them (their hours,
ratios); then, for every additive family (a total and the cells that sum to it), more cells are
suppressed until the part a reader can work out by subtraction is 0 or at least k people — or, for
amounts such as hours, until no single suppressed cell can be recovered exactly.
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
    dependents: dict[str, set[str]] = field(default_factory=dict)

    def add(self, path: str, value: Number, *, person_count: bool = False) -> None:
        self.values[path] = value
        if person_count:
            self.people.add(path)

    def depend(self, path: str, *on: str) -> None:
        """`path` is suppressed whenever any of `on` is."""
        for source in on:
            self.dependents.setdefault(source, set()).add(path)


def is_small(value: Number, k: int) -> bool:
    return value is not None and 0 < value < k


def suppress(cells: Cells, k: int) -> set[str]:
    """The paths to suppress so that no cell or difference of cells reveals 1..k−1 people."""
    suppressed = {p for p in cells.people if is_small(cells.values.get(p), k)}
    changed = True
    while changed:
        changed = False
        for source in list(suppressed):
            new = cells.dependents.get(source, set()) - suppressed
            if new:
                suppressed |= new
                changed = True
        for family in cells.families:
            if family.parent in suppressed:
                continue
            hidden_children = [c for c in family.children if c in suppressed]
            if family.measure:
                revealing = sum(1 for c in hidden_children if cells.values.get(c)) == 1
            else:
                unknown = family.hidden + sum(cells.values.get(c) or 0 for c in hidden_children)
                revealing = 0 < unknown < k
            if not revealing:
                continue
            candidates = [c for c in family.children if c not in suppressed and cells.values.get(c)]
            if candidates:
                suppressed.add(min(candidates, key=lambda c: cells.values[c]))
            else:
                suppressed.add(family.parent)
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
