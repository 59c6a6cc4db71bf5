"""The wellbeing check-in over the API: the same services and rules as the page."""

import pytest

from exchanges.reports.models import WellbeingCheckin
from members.models import Membership
from tests.factories import NetworkFactory, member
from tests.members.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/wellbeing/harlesden/"


def test_a_new_member_is_due_a_check_in_and_has_none(api, network, alice):
    response = api.as_user(alice).get(URL)
    assert response.status_code == 200
    assert response.json() == {"network": "harlesden", "due": True, "checkins": []}


def test_answering_keeps_the_answers_for_the_member_only(api, network, alice, bob):
    response = api.as_user(alice).post(
        URL, {"action": "answer", "consent": True, "answers": {"happiness": 7, "isolated": 2}}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due"] is False
    [checkin] = body["checkins"]
    assert checkin["answers"]["happiness"] == 7 and checkin["answers"]["isolated"] == 2
    assert checkin["answers"]["anxiety"] is None and checkin["skipped"] is False
    assert api.as_user(bob).get(URL).json()["checkins"] == []


def test_skipping_keeps_no_answers_and_stops_the_offer(api, network, alice):
    response = api.as_user(alice).post(URL, {"action": "skip"}, format="json")
    assert response.status_code == 201
    assert response.json()["due"] is False
    assert response.json()["checkins"][0]["skipped"] is True


def test_withdrawing_erases_every_answer(api, network, alice):
    api.as_user(alice).post(URL, {"action": "answer", "consent": True, "answers": {"happiness": 7}}, format="json")
    response = api.as_user(alice).post(URL, {"action": "withdraw"}, format="json")
    assert response.status_code == 200
    [checkin] = response.json()["checkins"]
    assert checkin["withdrawn"] is True and checkin["answers"]["happiness"] is None
    assert WellbeingCheckin.objects.get().happiness is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "answer", "answers": {"happiness": 7}}, "consent"),
        ({"action": "answer", "consent": True, "answers": {"happiness": 11}}, "happiness"),
        ({"action": "answer", "consent": True, "answers": {"isolated": True}}, "isolated"),
        ({"action": "answer", "consent": True, "answers": {"shoe_size": 9}}, "shoe_size"),
        ({"action": "answer", "consent": True, "answers": [7]}, "answers"),
        ({"action": "dance"}, "action"),
        ({}, "action"),
    ],
)
def test_bad_answers_get_400_naming_the_field_and_write_nothing(api, network, alice, body, field):
    error = assert_error(api.as_user(alice).post(URL, body, format="json"), 400, "validation_error")
    assert field in error["fields"]
    assert not WellbeingCheckin.objects.exists()


@pytest.mark.parametrize("number", ["1e400", "7.9", "-1", "true", '"7x"'])
def test_answers_that_are_not_whole_numbers_in_range_get_400(api, network, alice, number):
    body = f'{{"action": "answer", "consent": true, "answers": {{"happiness": {number}}}}}'
    error = assert_error(api.as_user(alice).post(URL, body, content_type="application/json"), 400, "validation_error")
    assert "happiness" in error["fields"]
    assert not WellbeingCheckin.objects.exists()


def test_a_commissioner_is_never_due_a_check_in(network):
    from exchanges.reports.wellbeing import wellbeing_due

    commissioner = member(network, role=Membership.Role.COMMISSIONER).user
    assert wellbeing_due(user=commissioner, network=network) is False


def test_outsiders_get_404_and_commissioners_403(api, network):
    commissioner = member(network, role=Membership.Role.COMMISSIONER).user
    outsider = member(NetworkFactory(slug="elsewhere")).user
    for user, status, code in ((outsider, 404, "not_found"), (commissioner, 403, "permission_denied")):
        assert_error(api.as_user(user).get(URL), status, code)
        assert_error(api.as_user(user).post(URL, {"action": "skip"}, format="json"), status, code)
    assert not WellbeingCheckin.objects.exists()


def test_anonymous_gets_401(api, network):
    assert api.get(URL).status_code == 401
