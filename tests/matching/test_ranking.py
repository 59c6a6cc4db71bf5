"""Ranking candidates for a listing: exclusions of sensitive skills and one result per member."""

import pytest

from exchanges.matching.ranking import Candidate, rank_candidates
from exchanges.matching.scoring import Side, TrackRecord
from exchanges.matching.taxonomy import Taxonomy

LIFTS = {"lifts-to-appointments": 1.0}
DOGS = {"dog-walking": 1.0}


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_file()


def rank(taxonomy: Taxonomy, candidates: list[Candidate], **kwargs) -> list:
    fields = {"kind": "request", "mine": Side(skills=LIFTS), "i_have_current_check": False}
    fields.update(kwargs)
    return rank_candidates(candidates=candidates, taxonomy=taxonomy, **fields)


def test_a_driver_without_a_current_check_is_not_offered_for_lifts(taxonomy: Taxonomy) -> None:
    checked = Candidate(member_id=1, listing_id=10, side=Side(LIFTS), has_current_check=True)
    unchecked = Candidate(member_id=2, listing_id=20, side=Side(LIFTS), has_current_check=False)
    assert [m.member_id for m in rank(taxonomy, [unchecked, checked])] == [1]


def test_an_unchecked_member_is_still_matched_on_skills_that_need_no_check(
    taxonomy: Taxonomy,
) -> None:
    walker = Candidate(member_id=2, listing_id=20, side=Side(DOGS), has_current_check=False)
    assert [m.member_id for m in rank(taxonomy, [walker], mine=Side(DOGS))] == [2]


def test_an_offer_of_lifts_from_an_unchecked_member_finds_no_lift_requests(
    taxonomy: Taxonomy,
) -> None:
    needs_lift = Candidate(member_id=3, listing_id=30, side=Side(LIFTS))
    assert rank(taxonomy, [needs_lift], kind="offer", i_have_current_check=False) == []
    found = rank(taxonomy, [needs_lift], kind="offer", i_have_current_check=True)
    assert [m.member_id for m in found] == [3]


def test_a_member_appears_once_with_their_best_listing(taxonomy: Taxonomy) -> None:
    weak = Candidate(member_id=1, listing_id=11, side=Side({**LIFTS, "dog-walking": 1.0}))
    strong = Candidate(member_id=1, listing_id=12, side=Side(LIFTS))
    profile = Candidate(member_id=1, listing_id=None, side=Side(LIFTS))
    found = rank(taxonomy, [weak, profile, strong], i_have_current_check=True, kind="offer")
    assert [(m.member_id, m.listing_id) for m in found] == [(1, 12)]


def test_candidates_are_ordered_by_score_and_cut_to_the_limit(taxonomy: Taxonomy) -> None:
    steady = Candidate(member_id=1, listing_id=1, side=Side(DOGS), record=TrackRecord(completed=20))
    shaky = TrackRecord(completed=2, cancelled=6)
    flaky = Candidate(member_id=2, listing_id=2, side=Side(DOGS), record=shaky)
    new = Candidate(member_id=3, listing_id=3, side=Side(DOGS))
    found = rank(taxonomy, [flaky, new, steady], mine=Side(DOGS), limit=2)
    assert [m.member_id for m in found] == [1, 3]


def test_unrelated_candidates_are_not_shown(taxonomy: Taxonomy) -> None:
    gardener = Candidate(member_id=4, listing_id=4, side=Side({"gardening": 1.0}))
    assert rank(taxonomy, [gardener], mine=Side(DOGS)) == []
