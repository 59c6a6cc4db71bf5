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
    checked = Candidate(member_id=1, listing_id=10, side=Side(LIFTS), has_current_check=True, may_drive=True)
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
    found = rank(taxonomy, [needs_lift], kind="offer", i_have_current_check=True, i_may_drive=True)
    assert [m.member_id for m in found] == [3]


def test_a_member_appears_once_with_their_best_listing(taxonomy: Taxonomy) -> None:
    weak = Candidate(member_id=1, listing_id=11, side=Side({**LIFTS, "dog-walking": 1.0}))
    strong = Candidate(member_id=1, listing_id=12, side=Side(LIFTS))
    profile = Candidate(member_id=1, listing_id=None, side=Side(LIFTS))
    found = rank(taxonomy, [weak, profile, strong], i_have_current_check=True, i_may_drive=True, kind="offer")
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


WASHED = {"help-getting-washed-and-dressed": 1.0, "laundry-and-washing": 0.45}
LIFT_AND_SHOPPING = {"lifts-to-appointments": 1.0, "carrying-shopping-upstairs": 0.59}


def test_an_unchecked_helper_is_not_paired_with_sensitive_help_through_its_side_skill(taxonomy: Taxonomy) -> None:
    # Their request for help getting washed also reads faintly as laundry; my laundry offer does not fit it.
    washed = Candidate(member_id=3, listing_id=30, side=Side(WASHED))
    laundry = Side({"laundry-and-washing": 1.0})
    assert rank(taxonomy, [washed], kind="offer", mine=laundry, i_have_current_check=False) == []
    assert [
        m.member_id
        for m in rank(taxonomy, [washed], kind="offer", mine=laundry, i_have_current_check=True, i_may_drive=True)
    ] == [3]
    # My request for a lift also reads as carrying shopping: an unchecked carrier is not offered for it.
    carrier = Candidate(member_id=4, listing_id=40, side=Side({"carrying-shopping-upstairs": 1.0}))
    assert rank(taxonomy, [carrier], mine=Side(LIFT_AND_SHOPPING)) == []
    checked = Candidate(member_id=4, listing_id=40, side=carrier.side, has_current_check=True, may_drive=True)
    assert [m.member_id for m in rank(taxonomy, [checked], mine=Side(LIFT_AND_SHOPPING))] == [4]


def test_help_only_faintly_sensitive_still_pairs_with_an_unchecked_helper(taxonomy: Taxonomy) -> None:
    shopping = {"carrying-shopping-upstairs": 1.0, "lifts-to-the-shops": 0.5}
    carrier = Candidate(member_id=4, listing_id=40, side=Side({"carrying-shopping-upstairs": 1.0}))
    assert [m.member_id for m in rank(taxonomy, [carrier], mine=Side(shopping))] == [4]
    asking = Candidate(member_id=5, listing_id=50, side=Side(shopping))
    found = rank(taxonomy, [asking], kind="offer", mine=carrier.side, i_have_current_check=False)
    assert [m.member_id for m in found] == [5]


def test_a_profile_wishing_for_a_lift_and_more_keeps_its_other_wishes_open(taxonomy: Taxonomy) -> None:
    # A profile's wishes are each their own help; a listing's skills are one piece of help.
    wishes = Side({**LIFTS, **DOGS})
    profile = Candidate(member_id=6, listing_id=None, side=wishes)
    found = rank(taxonomy, [profile], kind="offer", mine=Side(DOGS), i_have_current_check=False)
    assert [m.member_id for m in found] == [6]
    assert not any("lift" in reason.lower() for reason in found[0].reasons)
    assert rank(taxonomy, [profile], kind="offer", mine=Side(LIFTS), i_have_current_check=False) == []


def test_a_lift_needs_a_driving_licence_and_insurance_as_well_as_a_dbs_check(taxonomy: Taxonomy) -> None:
    """PRODUCT §2: driving licence and insurance checks are for lifts. A DBS check alone clears care, not
    a lift; a licence and insurance alone clear nothing sensitive."""
    dbs_only = Candidate(member_id=1, listing_id=10, side=Side(LIFTS), has_current_check=True)
    drives_only = Candidate(member_id=2, listing_id=20, side=Side(LIFTS), may_drive=True)
    both = Candidate(member_id=3, listing_id=30, side=Side(LIFTS), has_current_check=True, may_drive=True)
    assert [m.member_id for m in rank(taxonomy, [dbs_only, drives_only, both])] == [3]
    care = {"help-getting-washed-and-dressed": 1.0}
    carer = Candidate(member_id=4, listing_id=40, side=Side(care), has_current_check=True)
    assert [m.member_id for m in rank(taxonomy, [carer], mine=Side(skills=care))] == [4]


def test_an_offer_of_lifts_by_someone_with_only_a_dbs_check_reaches_nobody_asking_for_a_lift(
    taxonomy: Taxonomy,
) -> None:
    needs_lift = Candidate(member_id=5, listing_id=50, side=Side(LIFTS))
    assert rank(taxonomy, [needs_lift], kind="offer", i_have_current_check=True) == []
    assert [
        m.member_id for m in rank(taxonomy, [needs_lift], kind="offer", i_have_current_check=True, i_may_drive=True)
    ] == [5]


def test_care_and_a_lift_asked_for_together_need_both_kinds_of_check(taxonomy: Taxonomy) -> None:
    """Whichever of the two the help reads as first, a helper without a licence and insurance is never
    paired with it, either way round."""
    both = {"help-getting-washed-and-dressed": 1.0, "lifts-to-appointments": 1.0}
    dbs_only = Candidate(member_id=1, listing_id=10, side=Side(dict(both)), has_current_check=True)
    assert rank(taxonomy, [dbs_only], mine=Side(dict(both))) == []
    asker = Candidate(member_id=2, listing_id=20, side=Side(dict(both)))
    care = Side({"help-getting-washed-and-dressed": 1.0})
    assert rank(taxonomy, [asker], kind="offer", mine=care, i_have_current_check=True) == []
    assert rank(taxonomy, [asker], kind="offer", mine=care, i_have_current_check=True, i_may_drive=True)
