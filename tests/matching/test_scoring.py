"""Match scores and reasons from plain inputs, with the shipped taxonomy and no database."""

import pytest
from django.utils import translation

from exchanges.matching.scoring import (
    WEIGHTS,
    MatchInput,
    Side,
    TrackRecord,
    availability_overlap,
    balance_lift,
    reliability,
    score_match,
    skill_overlap,
)
from exchanges.matching.taxonomy import Taxonomy

LIFTS = {"lifts-to-appointments": 1.0}


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.from_file()


def request(**changes) -> MatchInput:
    fields = {"kind": "request", "mine": Side(skills=LIFTS), "theirs": Side(skills=LIFTS)}
    fields.update(changes)
    return MatchInput(**fields)


def test_the_same_skill_is_a_full_overlap(taxonomy: Taxonomy) -> None:
    assert skill_overlap(LIFTS, LIFTS, taxonomy).score == pytest.approx(1.0)


def test_a_different_skill_in_the_same_category_is_a_partial_overlap(taxonomy: Taxonomy) -> None:
    overlap = skill_overlap({"gardening": 1.0}, {"mowing-the-lawn": 1.0}, taxonomy)
    assert overlap.score == pytest.approx(WEIGHTS.same_category)
    assert overlap.shared_skills == []
    assert overlap.shared_categories == ["home-and-garden"]


def test_unrelated_skills_do_not_overlap(taxonomy: Taxonomy) -> None:
    assert skill_overlap(LIFTS, {"dog-walking": 1.0}, taxonomy).score == 0.0
    assert skill_overlap({}, LIFTS, taxonomy).score == 0.0


def test_a_shared_skill_is_the_first_reason(taxonomy: Taxonomy) -> None:
    match = score_match(request(), taxonomy)
    assert match.reasons[0] == "Offers lifts to appointments, which you asked for"


def test_for_an_offer_the_reason_names_what_they_asked_for(taxonomy: Taxonomy) -> None:
    match = score_match(request(kind="offer"), taxonomy)
    assert match.reasons[0] == "Asked for lifts to appointments, which you offer"


def test_only_a_shared_category_is_explained_as_help_with_it(taxonomy: Taxonomy) -> None:
    match = score_match(
        request(mine=Side(skills={"gardening": 1.0}), theirs=Side(skills={"mowing-the-lawn": 1.0})),
        taxonomy,
    )
    assert match.reasons[0] == "Offers help of the same kind (home and garden)"


def test_shared_free_time_is_named_and_raises_the_score(taxonomy: Taxonomy) -> None:
    mine = Side(skills=LIFTS, availability=frozenset({("tue", "afternoon"), ("fri", "morning")}))
    theirs = Side(skills=LIFTS, availability=frozenset({("tue", "afternoon"), ("sat", "evening")}))
    busy = Side(skills=LIFTS, availability=frozenset({("sun", "evening")}))
    free = score_match(request(mine=mine, theirs=theirs), taxonomy)
    not_free = score_match(request(mine=mine, theirs=busy), taxonomy)
    assert "Free on Tuesday afternoons" in free.reasons
    assert free.score > not_free.score


def test_availability_overlap_is_in_week_order() -> None:
    mine = {("sat", "morning"), ("mon", "evening"), ("mon", "morning")}
    assert availability_overlap(mine, mine) == [
        ("mon", "morning"),
        ("mon", "evening"),
        ("sat", "morning"),
    ]


def test_the_same_neighbourhood_beats_a_nearby_one_which_beats_far_away(
    taxonomy: Taxonomy,
) -> None:
    mine = Side(skills=LIFTS, neighbourhood="Harlesden")
    near = frozenset({"Kensal Green"})

    def score(place: str) -> float:
        theirs = Side(skills=LIFTS, neighbourhood=place)
        return score_match(request(mine=mine, theirs=theirs, nearby=near), taxonomy).score

    assert score("Harlesden") > score("Kensal Green") > score("Wembley")
    neighbour = Side(skills=LIFTS, neighbourhood="Harlesden")
    same = score_match(request(mine=mine, theirs=neighbour), taxonomy)
    assert "Also lives in Harlesden" in same.reasons


def test_cancellations_and_disputes_lower_reliability() -> None:
    assert reliability(TrackRecord()) == 0.5
    steady = reliability(TrackRecord(completed=10))
    assert steady > reliability(TrackRecord(completed=10, cancelled=3))
    two_cancelled = TrackRecord(completed=10, cancelled=2)
    two_disputed = TrackRecord(completed=10, disputed=2)
    assert reliability(two_cancelled) > reliability(two_disputed)


def test_a_reliable_helper_is_said_to_be_so(taxonomy: Taxonomy) -> None:
    match = score_match(request(their_record=TrackRecord(completed=12)), taxonomy)
    assert "Has completed 12 exchanges" in match.reasons


def test_a_new_member_is_not_called_reliable_yet(taxonomy: Taxonomy) -> None:
    match = score_match(request(their_record=TrackRecord(completed=1)), taxonomy)
    assert not any(reason.startswith("Has completed") for reason in match.reasons)


def test_people_who_have_not_met_get_a_small_lift(taxonomy: Taxonomy) -> None:
    new = score_match(request(met_before=False), taxonomy)
    known = score_match(request(met_before=True), taxonomy)
    assert new.score > known.score
    assert "You haven't met yet" in new.reasons
    assert "You haven't met yet" not in known.reasons


def test_help_flows_towards_whoever_is_out_of_balance() -> None:
    taker = TrackRecord(minutes_given=60, minutes_received=600)
    giver = TrackRecord(minutes_given=600, minutes_received=60)
    # Asked for help: lift those who have received more than they gave, so they can give back.
    assert balance_lift("request", taker) > 0
    assert balance_lift("request", giver) == 0
    # Offering help: lift those who have given more than they received.
    assert balance_lift("offer", giver) > 0
    assert balance_lift("offer", taker) == 0


def test_the_skill_outweighs_every_other_reason_put_together(taxonomy: Taxonomy) -> None:
    everything = Side(
        skills={"dog-walking": 1.0},
        availability=frozenset({("mon", "morning")}),
        neighbourhood="Harlesden",
    )
    monday = frozenset({("mon", "morning")})
    mine = Side(skills=LIFTS, availability=monday, neighbourhood="Harlesden")
    good_skill_only = Side(skills=LIFTS)
    friendly_wrong_skill = score_match(
        request(
            mine=mine,
            theirs=everything,
            their_record=TrackRecord(completed=50, minutes_received=900),
        ),
        taxonomy,
    )
    right_skill = score_match(request(mine=mine, theirs=good_skill_only, met_before=True), taxonomy)
    assert right_skill.score > friendly_wrong_skill.score
    assert friendly_wrong_skill.skill_overlap < WEIGHTS.min_skill_overlap


def test_the_reasons_are_in_the_readers_language(taxonomy: Taxonomy) -> None:
    both_free = frozenset({("tue", "afternoon"), ("fri", "morning")})
    mine = Side(skills=LIFTS, availability=both_free, neighbourhood="Harlesden")
    theirs = Side(skills=LIFTS, availability=both_free, neighbourhood="Harlesden")
    with translation.override("cy"):
        reasons = score_match(
            request(mine=mine, theirs=theirs, their_record=TrackRecord(completed=5)), taxonomy
        ).reasons
    assert reasons == [
        "Yn cynnig lifftiau i apwyntiadau, y gofynnoch amdano",
        "Ar gael ar prynhawniau Mawrth a boreau Gwener",
        "Yn byw yn Harlesden hefyd",
        "Wedi cwblhau 5 cyfnewid",
        "Dydych chi ddim wedi cwrdd eto",
    ]


def test_welsh_reasons_never_need_the_skill_name_mutated(taxonomy: Taxonomy) -> None:
    # "Wedi gofyn am lifftiau" and "help gyda chartref a gardd" would need the name itself mutated:
    # the Welsh puts the name after a colon or "o fath" instead.
    with translation.override("cy"):
        asked = score_match(request(kind="offer"), taxonomy).reasons[0]
        category = score_match(
            request(mine=Side(skills={"gardening": 1.0}), theirs=Side(skills={"mowing-the-lawn": 1.0})), taxonomy
        ).reasons[0]
    assert asked == "Wedi gofyn am help: lifftiau i apwyntiadau, rydych chi’n ei gynnig"
    assert category == "Yn cynnig help o’r un math (cartref a gardd)"


def test_a_score_without_its_reasons_is_the_same_score(taxonomy: Taxonomy) -> None:
    mine = Side(skills=LIFTS, availability=frozenset({("tue", "afternoon")}), neighbourhood="Harlesden")
    theirs = Side(skills=LIFTS, availability=frozenset({("tue", "afternoon")}), neighbourhood="Harlesden")
    match = request(mine=mine, theirs=theirs, their_record=TrackRecord(completed=5, minutes_received=600))
    explained, bare = score_match(match, taxonomy), score_match(match, taxonomy, explain=False)
    assert (bare.score, bare.skill_overlap, bare.reasons) == (explained.score, explained.skill_overlap, [])
    assert len(explained.reasons) >= 4


def test_a_name_with_its_own_capitals_keeps_them_in_a_reason(taxonomy: Taxonomy) -> None:
    urdu = {"urdu-and-punjabi": 1.0}
    match = score_match(request(mine=Side(skills=urdu), theirs=Side(skills=urdu)), taxonomy)
    assert match.reasons[0] == "Offers Urdu and Punjabi, which you asked for"
