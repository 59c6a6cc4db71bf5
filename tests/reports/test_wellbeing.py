"""Wellbeing check-ins: optional, consented, private to the member, aggregated only as change."""

import pytest
from django.core.exceptions import ValidationError

from exchanges.reports.models import WellbeingCheckin
from exchanges.reports.periods import period_parse
from exchanges.reports.selectors import COMMISSIONER, COORDINATOR, report_network_for
from exchanges.reports.wellbeing import (
    wellbeing_change,
    wellbeing_due,
    wellbeing_mine,
    wellbeing_record,
    wellbeing_skip,
    wellbeing_withdraw,
)
from members.models import Membership
from tests.factories import NetworkFactory, member
from tests.reports.conftest import at

ANSWERS = {"life_satisfaction": 5, "worthwhile": 6, "happiness": 4, "anxiety": 7,
           "lack_companionship": 3, "left_out": 3, "isolated": 2}  # fmt: skip


def test_a_check_in_is_offered_on_joining_and_again_after_three_months(network, alice):
    assert wellbeing_due(user=alice, network=network)
    with at("2026-01-10T10:00"):
        wellbeing_record(user=alice, network=network, consent=True, answers=ANSWERS)
    with at("2026-02-10T10:00"):
        from members.models import Network

        assert not wellbeing_due(user=alice, network=Network.objects.get(pk=network.pk))
    with at("2026-04-15T10:00"):
        assert wellbeing_due(user=alice, network=network)


def test_answers_are_kept_only_with_consent(network, alice):
    with pytest.raises(ValidationError):
        wellbeing_record(user=alice, network=network, consent=False, answers=ANSWERS)
    assert WellbeingCheckin.objects.count() == 0


def test_every_question_may_be_skipped_but_out_of_range_answers_are_refused(network, alice):
    checkin = wellbeing_record(user=alice, network=network, consent=True, answers={"happiness": 8})
    assert (checkin.happiness, checkin.anxiety) == (8, None)
    with pytest.raises(ValidationError) as error:
        wellbeing_record(user=alice, network=network, consent=True, answers={"happiness": 11, "left_out": 0})
    assert set(error.value.message_dict) == {"happiness", "left_out"}
    assert WellbeingCheckin.objects.count() == 1


def test_skipping_records_no_answers_and_is_not_offered_again_soon(network, alice):
    wellbeing_skip(user=alice, network=network)
    row = WellbeingCheckin.objects.get()
    assert row.skipped and row.happiness is None
    assert not wellbeing_due(user=alice, network=network)


def test_withdrawing_erases_the_answers_and_stops_the_offers(network, alice):
    wellbeing_record(user=alice, network=network, consent=True, answers=ANSWERS)
    wellbeing_withdraw(user=alice, network=network)
    row = WellbeingCheckin.objects.get()
    assert row.withdrawn_at is not None and not row.consent and row.happiness is None
    assert not wellbeing_due(user=alice, network=network)


def test_a_member_sees_only_their_own_answers(network, alice, bob):
    wellbeing_record(user=alice, network=network, consent=True, answers=ANSWERS)
    assert wellbeing_mine(user=bob, network=network) == []
    assert len(wellbeing_mine(user=alice, network=network)) == 1


def _five_respondents(k=5):
    network = NetworkFactory(slug="wb", k=k)
    people = []
    for i in range(5):
        with at("2025-12-01T09:00"):
            user = member(network).user
        with at("2026-01-05T10:00"):
            wellbeing_record(user=user, network=network, consent=True, answers=ANSWERS)
        with at("2026-04-05T10:00"):
            later = dict(ANSWERS, life_satisfaction=5 + i, lack_companionship=1)
            wellbeing_record(user=user, network=network, consent=True, answers=later)
        people.append(user)
    return network, people


def test_reports_show_the_average_change_from_first_to_latest_check_in(db):
    network, _ = _five_respondents()
    result = wellbeing_change(network_pks=[network.pk], period=period_parse(start="2026-04", end="2026-04"))
    assert result["respondents"] == 5
    assert result["change"]["life_satisfaction"] == 2.0  # (0+1+2+3+4)/5
    assert result["change"]["loneliness"] == -2.0  # 8 → 6
    assert result["change"]["anxiety"] == 0.0


def test_commissioners_see_no_change_when_fewer_than_k_responded(db):
    network, people = _five_respondents()
    wellbeing_withdraw(user=people[0], network=network)
    member(network, role=Membership.Role.COMMISSIONER)
    period = period_parse(start="2026-04", end="2026-04")
    report = report_network_for(network=network, role=COMMISSIONER, period=period)
    assert report["wellbeing"]["respondents"] is None
    assert report["wellbeing"]["change"]["life_satisfaction"] is None
    assert "wellbeing.change.life_satisfaction" in report["suppressed"]
    assert report_network_for(network=network, role=COORDINATOR, period=period)["wellbeing"]["respondents"] == 4
