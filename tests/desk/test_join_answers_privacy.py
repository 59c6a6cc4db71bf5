"""A joiner's answers to the network's questions are theirs: in their export, gone when they are erased."""

import pytest

from members import services
from members.models import Membership, Network
from members.privacy.selectors import personal_data_export
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_join_answers_are_exported_and_erased(api, network, coordinator):
    Network.objects.filter(pk=network.pk).update(join_questions=["Why join?"])
    network.refresh_from_db()
    person = UserFactory()
    membership = services.membership_join(user=person, network=network, answers=["My mum lives alone nearby"])
    services.membership_approve(membership=membership, actor=coordinator)
    exported = personal_data_export(actor=person, person=person)
    assert exported["memberships"][0]["join_answers"] == [
        {"question": "Why join?", "answer": "My mum lives alone nearby"}
    ]
    response = api.as_user(person).post("/api/v1/me/erase/", {"password": "demo-password"}, format="json")
    assert response.status_code == 200, response.content
    assert Membership.objects.get(user=person).join_answers == []
