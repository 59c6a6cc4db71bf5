"""Suppression as pure functions: small cells, their dependents, and complementary suppression."""

from hypothesis import given, settings
from hypothesis import strategies as st

from exchanges.reports.suppression import Cells, Family, path_set, published_paths, suppress


def family_cells(parent: int | None, children: list[int], hidden: int = 0) -> Cells:
    cells = Cells()
    paths = tuple(f"rows[{i}].n" for i in range(len(children)))
    cells.add("total", parent if parent is not None else sum(children) + hidden, person_count=True)
    for path, value in zip(paths, children, strict=True):
        cells.add(path, value, person_count=True)
    cells.families.append(Family("total", paths, hidden=hidden))
    return cells


def test_a_count_below_k_is_suppressed_and_zero_is_not():
    assert suppress(family_cells(None, [0, 3, 9, 12]), 5) >= {"rows[1].n"}
    assert "rows[0].n" not in suppress(family_cells(None, [0, 3, 9, 12]), 5)


def test_a_single_small_cell_gets_a_complement_so_the_total_cannot_reveal_it():
    assert suppress(family_cells(None, [3, 9, 12]), 5) == {"rows[0].n", "rows[1].n"}


def test_two_small_cells_that_add_up_to_less_than_k_need_a_third():
    assert suppress(family_cells(None, [1, 2, 9, 12]), 5) == {"rows[0].n", "rows[1].n", "rows[2].n"}


def test_when_nothing_is_left_to_complement_the_total_goes():
    assert suppress(family_cells(None, [3, 0]), 5) == {"rows[0].n", "total"}


def test_a_small_hidden_part_forces_a_published_child_out():
    # registered 12 = active 9 + 3 inactive (never published): active would reveal the 3.
    assert suppress(family_cells(None, [9], hidden=3), 5) == {"rows[0].n"}


def test_hours_of_a_suppressed_cell_go_with_it_and_are_complemented():
    cells = family_cells(None, [2, 8, 9])
    for i, minutes in enumerate([30, 600, 400]):
        cells.add(f"rows[{i}].hours", minutes)
        cells.depend(f"rows[{i}].hours", f"rows[{i}].n")
    cells.add("hours", 1030)
    cells.families.append(Family("hours", ("rows[0].hours", "rows[1].hours", "rows[2].hours"), measure=True))
    hidden = suppress(cells, 5)
    assert {"rows[0].hours", "rows[1].n"} <= hidden
    assert sum(1 for i in range(3) if f"rows[{i}].hours" in hidden) >= 2


def test_paths_are_set_in_nested_documents_and_internal_cells_are_not_published():
    document = {"totals": {"a": 1}, "by_month": [{"b": 2}, {"b": 3}]}
    path_set(document, "by_month[1].b", None)
    assert document["by_month"][1]["b"] is None
    assert published_paths({"_pairs", "totals.a", "by_month[0]._both"}, document) == ["totals.a"]


@settings(max_examples=300, deadline=None)
@given(
    k=st.integers(2, 10),
    families=st.lists(
        st.tuples(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(0, 12)), min_size=1, max_size=4
    ),
)
def test_no_published_cell_or_difference_reveals_between_1_and_k_minus_1(k, families):
    cells = Cells()
    for f, (children, hidden) in enumerate(families):
        paths = tuple(f"f{f}[{i}].n" for i in range(len(children)))
        cells.add(f"total{f}", sum(children) + hidden, person_count=True)
        for path, value in zip(paths, children, strict=True):
            cells.add(path, value, person_count=True)
        cells.families.append(Family(f"total{f}", paths, hidden=hidden))
    hidden_paths = suppress(cells, k)
    for path, value in cells.values.items():
        if path not in hidden_paths:
            assert value == 0 or value >= k, path
    for family in cells.families:
        if family.parent in hidden_paths:
            continue
        published = sum(cells.values[c] for c in family.children if c not in hidden_paths)
        difference = cells.values[family.parent] - published
        assert difference == 0 or difference >= k
