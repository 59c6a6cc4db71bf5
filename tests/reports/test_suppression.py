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


def test_when_nothing_is_left_to_complement_the_total_goes_and_the_zeros_beside_it():
    # A published 0 would say the hidden 3 is all of the hidden total.
    assert suppress(family_cells(None, [3, 0]), 5) == {"rows[0].n", "rows[1].n", "total"}


def test_zeros_never_show_a_suppressed_part_to_be_the_whole_of_a_suppressed_total():
    # Active 3 = both 3 + gave only 0 + received only 0: the zeros would make the hidden reciprocity 100 %.
    cells = family_cells(None, [3, 0, 0])
    cells.add("reciprocity", 1.0)
    cells.depend("reciprocity", "total", "rows[0].n")
    assert suppress(cells, 5) == {"total", "rows[0].n", "rows[1].n", "rows[2].n", "reciprocity"}
    # Beside a part that is not 0, the hidden part is not the whole: nothing more goes.
    assert suppress(family_cells(None, [3, 0, 6]), 5) == {"rows[0].n", "rows[2].n"}


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


def demo_shaped_cells(month_active: list[int], month_minutes: list[int], registered: int, active: int) -> Cells:
    """The shape of the report's totals: registered = active + inactive (never published), active split
    into give/receive bands, 12-month hours about the active members and adding up over the months."""
    cells = Cells()
    cells.add("registered", registered, person_count=True)
    cells.add("active", active, person_count=True)
    cells.families.append(Family("registered", ("active",), hidden=registered - active))
    cells.add("bands.both", active, person_count=True)
    cells.add("bands.gave_only", 0, person_count=True)
    cells.add("bands.received_only", 0, person_count=True)
    cells.families.append(Family("active", ("bands.both", "bands.gave_only", "bands.received_only")))
    cells.add("reciprocity", 1.0)
    cells.depend("reciprocity", "active", "bands.both")
    cells.add("hours", sum(month_minutes))
    cells.about("hours", "active")
    months = []
    for i, (people, minutes) in enumerate(zip(month_active, month_minutes, strict=True)):
        cells.add(f"m[{i}].active", people, person_count=True)
        cells.add(f"m[{i}].hours", minutes)
        cells.about(f"m[{i}].hours", f"m[{i}].active")
        months.append(f"m[{i}].hours")
    cells.families.append(Family("hours", tuple(months), measure=True))
    return cells


def recoverable_totals(cells: Cells, hidden: set[str]) -> list[str]:
    """Suppressed totals that a reader gets back exactly by adding up their published parts."""
    return [
        f.parent
        for f in cells.families
        if f.parent in hidden and not f.hidden and not any(c in hidden for c in f.children)
    ]


def test_a_count_hidden_only_as_a_complement_leaves_the_hours_of_its_people_published():
    # registered 11 − active 9 = 2 inactive: active goes to protect the 2, but the hours of the 9 reveal
    # nothing about those 2, and the months add up to the total anyway.
    cells = demo_shaped_cells([6, 7, 7, 8], [165, 270, 225, 450], registered=11, active=9)
    hidden = suppress(cells, 5)
    assert "active" in hidden
    assert "hours" not in hidden
    assert not any(f"m[{i}].hours" in hidden for i in range(4))
    assert "reciprocity" in hidden  # a ratio would give the hidden count back: it stays conservative
    assert recoverable_totals(cells, hidden) == []


def test_a_small_count_still_takes_the_hours_of_its_people_with_it():
    cells = demo_shaped_cells([2, 0, 3, 0], [90, 0, 120, 0], registered=12, active=3)
    hidden = suppress(cells, 5)
    assert {"active", "hours", "m[0].hours", "m[2].hours", "m[0].active", "m[2].active", "reciprocity"} <= hidden
    assert recoverable_totals(cells, hidden) == []


def test_a_month_of_few_people_takes_its_hours_and_a_complement():
    cells = demo_shaped_cells([6, 3, 7, 8], [165, 60, 225, 450], registered=9, active=9)
    hidden = suppress(cells, 5)
    assert "hours" not in hidden and "active" not in hidden
    assert {"m[1].active", "m[1].hours", "m[0].hours"} <= hidden  # 165 is the smallest complement


def test_a_suppressed_total_of_hours_takes_one_of_its_months_when_all_were_published():
    # The total goes as a complement in the categories (nothing else is left there to hide); the months
    # would add it back up.
    cells = demo_shaped_cells([6, 7], [300, 240], registered=13, active=13)
    cells.add("cat[0].members", 2, person_count=True)
    cells.add("cat[0].hours", 540)
    cells.about("cat[0].hours", "cat[0].members")
    cells.add("cat[1].members", 0, person_count=True)
    cells.add("cat[1].hours", 0)
    cells.families.append(Family("hours", ("cat[0].hours", "cat[1].hours"), measure=True))
    hidden = suppress(cells, 5)
    assert {"cat[0].hours", "hours", "m[1].hours"} <= hidden
    assert "m[0].hours" not in hidden
    assert recoverable_totals(cells, hidden) == []


def test_a_count_hidden_as_a_complement_is_not_added_back_up_from_its_published_parts():
    cells = demo_shaped_cells([9], [600], registered=11, active=9)
    hidden = suppress(cells, 5)
    assert {"active", "bands.both"} <= hidden
    assert recoverable_totals(cells, hidden) == []


@settings(max_examples=300, deadline=None)
@given(
    k=st.integers(2, 10),
    inactive=st.integers(0, 12),
    months=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 600)), min_size=1, max_size=6),
    categories=st.lists(st.integers(0, 12), min_size=1, max_size=5),
    data=st.data(),
)
def test_no_amount_about_few_people_is_published_and_no_suppressed_total_adds_back_up(
    k, inactive, months, categories, data
):
    month_active = [people for people, _ in months]
    month_minutes = [minutes if people else 0 for people, minutes in months]
    active = max(month_active)
    cells = demo_shaped_cells(month_active, month_minutes, registered=active + inactive, active=active)
    total = sum(month_minutes)
    shares = data.draw(st.lists(st.integers(0, total), min_size=len(categories) - 1, max_size=len(categories) - 1))
    cuts = [0, *sorted(shares), total]
    paths = []
    for j, members in enumerate(categories):
        minutes = cuts[j + 1] - cuts[j]
        cells.add(f"cat[{j}].members", members if minutes else 0, person_count=True)
        cells.add(f"cat[{j}].hours", minutes)
        cells.about(f"cat[{j}].hours", f"cat[{j}].members")
        paths.append(f"cat[{j}].hours")
    cells.families.append(Family("hours", tuple(paths), measure=True))

    hidden = suppress(cells, k)
    for count, amounts in cells.amounts.items():
        if 0 < cells.values[count] < k:
            assert amounts <= hidden, count
    for source, revealing in cells.dependents.items():
        if source in hidden:
            assert revealing <= hidden, source
    for family in cells.families:
        if family.parent in hidden:
            assert family.hidden or any(c in hidden for c in family.children), family.parent
        elif family.measure:
            assert sum(1 for c in family.children if c in hidden and cells.values[c]) != 1, family.parent
        else:
            unknown = cells.values[family.parent] - sum(cells.values[c] for c in family.children if c not in hidden)
            assert unknown == 0 or unknown >= k, family.parent
